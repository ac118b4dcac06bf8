/*
 * acquire.h - the one shape of every interposed blocking lock call
 * (gct_acquire) and of every condition wait (gct_cond_wait), over an
 * operation enum that names the real calls.
 *
 * Each operation (a pthread mutex, rwlock, C11 mtx_t or spinlock call)
 * says what its first attempt is, which real call blocks, the wait reason
 * and lock flags it records, and how its answers read (C11's thrd_*
 * codes, or errno values).  The functions are always inline and every
 * caller passes a constant operation: each interposer compiles to its own
 * straight code, as the statement-expression macros that came before did,
 * but typed, and the C11 wrappers share it instead of copying it.
 */
#ifndef GCT_ACQUIRE_H
#define GCT_ACQUIRE_H

#include "shim.h"

#define GCT_INLINE static inline __attribute__((always_inline))

enum gct_lock_op {
    GCT_OP_MUTEX_LOCK,
    GCT_OP_MUTEX_TIMEDLOCK,
    GCT_OP_MUTEX_CLOCKLOCK,
    GCT_OP_RDLOCK,
    GCT_OP_TIMEDRDLOCK,
    GCT_OP_WRLOCK,
    GCT_OP_TIMEDWRLOCK,
    GCT_OP_MTX_LOCK,
    GCT_OP_MTX_TIMEDLOCK,
    GCT_OP_SPIN_LOCK,
};

/* A call's arguments: the object, and a timed call's deadline and clock. */
struct gct_lock_call {
    void *obj;
    const struct timespec *ts;
    clockid_t clk;
};

/* The first attempt of a blocking call that has none: the real call runs
 * alone. */
#define GCT_NO_ATTEMPT (-1)
/* Not attempted yet: gct_acquire makes the first attempt itself, after
 * record=all prepared its record. */
#define GCT_UNTRIED (-2)

GCT_INLINE bool
gct_op_c11(enum gct_lock_op op)
{
    return op == GCT_OP_MTX_LOCK || op == GCT_OP_MTX_TIMEDLOCK;
}

/* Whether answer r leaves the lock held: a robust mutex whose owner died
 * is taken, with EOWNERDEAD. */
GCT_INLINE bool
gct_op_holds(enum gct_lock_op op, int r)
{
    return gct_op_c11(op) ? r == thrd_success : r == 0 || r == EOWNERDEAD;
}

/* The first attempt's answer that means: held by someone, wait. */
GCT_INLINE int
gct_op_busy(enum gct_lock_op op)
{
    return gct_op_c11(op) ? thrd_busy : EBUSY;
}

GCT_INLINE int
gct_op_reason(enum gct_lock_op op)
{
    switch (op) {
    case GCT_OP_RDLOCK:
    case GCT_OP_TIMEDRDLOCK:
        return GCT_WAIT_RWLOCK_RD;
    case GCT_OP_WRLOCK:
    case GCT_OP_TIMEDWRLOCK:
        return GCT_WAIT_RWLOCK_WR;
    case GCT_OP_SPIN_LOCK:
        return GCT_WAIT_SPIN;
    default:
        return GCT_WAIT_MUTEX;
    }
}

/* The lock's flags (glibc_private.h's, by its wait reason), and
 * whether the call is timed. */
GCT_INLINE uint32_t
gct_op_flags(enum gct_lock_op op)
{
    bool timed = op == GCT_OP_MUTEX_TIMEDLOCK || op == GCT_OP_MUTEX_CLOCKLOCK ||
                 op == GCT_OP_MTX_TIMEDLOCK || op == GCT_OP_TIMEDRDLOCK ||
                 op == GCT_OP_TIMEDWRLOCK;
    return gct_wait_lock_mode(gct_op_reason(op)) |
           (timed ? GCT_LOCK_TIMED : 0);
}

/* The real blocking call. */
GCT_INLINE int
gct_op_block(enum gct_lock_op op, const struct gct_lock_call *c)
{
    switch (op) {
    case GCT_OP_MUTEX_LOCK:
        return gct_real.pthread_mutex_lock(c->obj);
    case GCT_OP_MUTEX_TIMEDLOCK:
        return gct_real.pthread_mutex_timedlock(c->obj, c->ts);
    case GCT_OP_MUTEX_CLOCKLOCK:
        return gct_real.pthread_mutex_clocklock(c->obj, c->clk, c->ts);
    case GCT_OP_RDLOCK:
        return gct_real.pthread_rwlock_rdlock(c->obj);
    case GCT_OP_TIMEDRDLOCK:
        return gct_real.pthread_rwlock_timedrdlock(c->obj, c->ts);
    case GCT_OP_WRLOCK:
        return gct_real.pthread_rwlock_wrlock(c->obj);
    case GCT_OP_TIMEDWRLOCK:
        return gct_real.pthread_rwlock_timedwrlock(c->obj, c->ts);
    case GCT_OP_MTX_LOCK:
        return gct_real.mtx_lock(c->obj);
    case GCT_OP_MTX_TIMEDLOCK:
        return gct_real.mtx_timedlock(c->obj, c->ts);
    case GCT_OP_SPIN_LOCK:
        return gct_real.pthread_spin_lock(c->obj);
    }
    __builtin_unreachable();
}

/* The trylock of a default mutex, done in place when glibc allows it
 * (mutex_fast.c): 0 or EBUSY; -1 for another kind of mutex. */
GCT_INLINE int
gct_mutex_trylock_fast(struct gct_thread *t, pthread_mutex_t *m)
{
    return GCT_LIKELY(gct_recorder.mutex_fast) ? gct_mutex_fast_trylock(m, t->tid)
                                          : -1;
}

/* The first attempt of a blocking lock of m: its trylock, which for every
 * kind but the robust ones is exactly the lock's first step.  A robust
 * mutex gets none (glibc's trylock leaves one that it finds unrecoverable
 * locked, where its lock leaves it free): EBUSY when its lock word says
 * it is held, so that the real call is recorded as a wait, else
 * GCT_NO_ATTEMPT.  (That word is read before the real call: a lock taken
 * in between makes a wait that is not recorded, never a different
 * answer.) */
GCT_INLINE int
gct_mutex_first(struct gct_thread *t, pthread_mutex_t *m)
{
    int r = gct_mutex_trylock_fast(t, m);
    if (GCT_LIKELY(r >= 0))
        return r;
    if (gct_mutex_robust(m))
        return gct_mutex_word_held(m) ? EBUSY : GCT_NO_ATTEMPT;
    return gct_real.pthread_mutex_trylock(m);
}

/* The clocks glibc's pthread_mutex_clocklock accepts; with any other it
 * answers EINVAL before its first attempt. */
GCT_INLINE bool
gct_clock_accepted(clockid_t clk)
{
    return clk == CLOCK_REALTIME || clk == CLOCK_MONOTONIC;
}

/* The first attempt: the trylock that is exactly the call's first step,
 * or GCT_NO_ATTEMPT where glibc checks arguments before that step (a
 * clock it does not accept, an rwlock deadline out of range). */
GCT_INLINE int
gct_op_first(struct gct_thread *t, enum gct_lock_op op,
             const struct gct_lock_call *c)
{
    switch (op) {
    case GCT_OP_MUTEX_LOCK:
    case GCT_OP_MUTEX_TIMEDLOCK:
        return gct_mutex_first(t, c->obj);
    case GCT_OP_MUTEX_CLOCKLOCK:
        return gct_clock_accepted(c->clk) ? gct_mutex_first(t, c->obj)
                                          : GCT_NO_ATTEMPT;
    case GCT_OP_RDLOCK:
        return gct_real.pthread_rwlock_tryrdlock(c->obj);
    case GCT_OP_TIMEDRDLOCK:
        return gct_deadline_valid(c->ts)
                   ? gct_real.pthread_rwlock_tryrdlock(c->obj)
                   : GCT_NO_ATTEMPT;
    case GCT_OP_WRLOCK:
        return gct_real.pthread_rwlock_trywrlock(c->obj);
    case GCT_OP_TIMEDWRLOCK:
        return gct_deadline_valid(c->ts)
                   ? gct_real.pthread_rwlock_trywrlock(c->obj)
                   : GCT_NO_ATTEMPT;
    case GCT_OP_MTX_LOCK:
    case GCT_OP_MTX_TIMEDLOCK:
        return gct_real.mtx_trylock(c->obj);
    case GCT_OP_SPIN_LOCK:
        return gct_real.pthread_spin_trylock(c->obj);
    }
    __builtin_unreachable();
}

/* Who holds the object as the wait begins, for the begin's detail
 * (gct_holder: glibc's owner, or for a spinlock a thread whose held
 * stack has it); 0 when nobody is known to. */
GCT_INLINE int64_t
gct_op_holder(enum gct_lock_op op, const struct gct_lock_call *c)
{
    return gct_holder(c->obj, gct_wait_object(gct_op_reason(op)));
}

/*
 * A blocking acquisition by operation op.  tried: the first attempt's
 * answer when the caller made it already (its common path), else
 * GCT_UNTRIED.  The wait is recorded around the real call when the first
 * attempt says busy; any other answer of the first attempt is the call's
 * answer.  site: the caller's address.  Keeps errno (the real call's
 * stays).
 */
GCT_INLINE int
gct_acquire(struct gct_thread *t, enum gct_lock_op op,
            const struct gct_lock_call *c, int tried, uintptr_t site)
{
    uint32_t f = gct_op_flags(op);
    struct gct_prepared pre = gct_acquire_prepare(t, c->obj, f, site);
    int r = tried != GCT_UNTRIED ? tried : gct_op_first(t, op, c);

    if (r == gct_op_busy(op)) {
        gct_wait_begin(t, gct_op_reason(op), c->obj, gct_op_holder(op, c),
                       (f & GCT_LOCK_TIMED) != 0, site);
        r = gct_op_block(op, c);
        gct_wait_end(t, c->obj, r);
        f |= GCT_LOCK_CONTENDED;
    } else if (r == GCT_NO_ATTEMPT) {
        r = gct_op_block(op, c);
    } else if (gct_op_holds(op, r)) {
        f = gct_acquire_published(t, pre, f);
    }
    if (gct_op_holds(op, r))
        gct_lock_acquired(t, c->obj, f, site);
    return r;
}

/* ------------------------------------------------------ condition waits */

enum gct_cond_op {
    GCT_OP_COND_WAIT,
    GCT_OP_COND_TIMEDWAIT,
    GCT_OP_COND_CLOCKWAIT,
    GCT_OP_CND_WAIT,
    GCT_OP_CND_TIMEDWAIT,
};

GCT_INLINE int
gct_cond_block(enum gct_cond_op op, void *c, void *m,
               const struct timespec *ts, clockid_t clk)
{
    switch (op) {
    case GCT_OP_COND_WAIT:
        return gct_real.pthread_cond_wait(c, m);
    case GCT_OP_COND_TIMEDWAIT:
        return gct_real.pthread_cond_timedwait(c, m, ts);
    case GCT_OP_COND_CLOCKWAIT:
        return gct_real.pthread_cond_clockwait(c, m, clk, ts);
    case GCT_OP_CND_WAIT:
        return gct_real.cnd_wait(c, m);
    case GCT_OP_CND_TIMEDWAIT:
        return gct_real.cnd_timedwait(c, m, ts);
    }
    __builtin_unreachable();
}

/* A condition wait on c with mutex m (a C11 mtx_t is glibc's pthread
 * mutex): m leaves the held stack for the wait and comes back with it,
 * so that locks other threads take meanwhile are not mistaken for nested
 * under it.  Waiting without holding m is misuse, where m names its
 * owner.  Keeps errno (the real call's stays). */
void gct_cond_check_holds(struct gct_thread *t, const pthread_mutex_t *m);

GCT_INLINE int
gct_cond_wait(struct gct_thread *t, enum gct_cond_op op, void *c, void *m,
              const struct timespec *ts, clockid_t clk, uintptr_t site)
{
    bool timed = op != GCT_OP_COND_WAIT && op != GCT_OP_CND_WAIT;

    gct_cond_check_holds(t, m);
    gct_lock_released(t, m);
    gct_wait_begin(t, GCT_WAIT_COND, c, (int64_t)(uintptr_t)m, timed, site);
    int r = gct_cond_block(op, c, m, ts, clk);
    gct_wait_end(t, c, r);
    gct_lock_acquired(t, m, 0, site);
    return r;
}

#endif /* GCT_ACQUIRE_H */
