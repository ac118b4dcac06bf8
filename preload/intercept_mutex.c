/*
 * intercept_mutex.c - pthread mutexes, rwlocks and C11 mtx_t.
 *
 * Every acquisition tries first (mutrace's trick): an uncontended lock
 * costs one trylock and the held-stack bookkeeping, nothing is written.
 * A default mutex's trylock is done in place, as glibc's own fast path
 * does it (mutex_fast.c); other kinds go through glibc's.  Only when the
 * trylock says EBUSY is the wait recorded (stack, begin, end) around the
 * real blocking call.  Any other answer of the trylock is the answer of
 * the lock: glibc's lock and trylock take the same first step, so a
 * robust mutex whose owner died is taken with EOWNERDEAD by either (the
 * real lock after it would wait for ourselves), and a priority-protect
 * mutex above its ceiling fails with EINVAL in both.  Where glibc's
 * timed call checks its arguments before that step (a clock it does not
 * accept, an rwlock deadline out of range), the shim does not try first
 * and the real call runs as it is: an acquisition it makes is recorded,
 * its answer returned.  So results match a run without the shim exactly.
 *
 * glibc keeps the owner's tid in the mutex (__data.__owner) for the plain
 * kinds; we read it to tell misuse (unlock of an unlocked or a foreign
 * mutex, destroy of a held one) and, at a blocked wait, who holds the lock.
 */
#include "shim.h"

/* The owner tid glibc records, or -1 when this kind of mutex keeps none we
 * can read (robust, priority-inheritance, priority-protect). */
static int
mutex_owner(const pthread_mutex_t *m)
{
    if (m->__data.__kind & 0x70)
        return -1;
    return m->__data.__owner;
}

static void
misuse(struct gct_thread *t, int subkind, const void *obj, int64_t detail)
{
    t->guard++;
    uint32_t stack = gct_stack(t);
    gct_emit(t, GCT_EV_MISUSE, stack, (uint64_t)(uintptr_t)obj, subkind,
             detail, NULL, 0);
    t->guard--;
}

/* An unlock of a mutex this thread does not hold.  Out of line: it keeps
 * the interposed unlock's own frame small.  Keeps errno. */
static __attribute__((noinline, cold)) void
misuse_unlock(struct gct_thread *t, pthread_mutex_t *m, int owner)
{
    int e = errno;
    misuse(t, owner == 0 ? GCT_MISUSE_UNLOCK_UNLOCKED
                         : GCT_MISUSE_UNLOCK_FOREIGN,
           m, owner);
    errno = e;
}

/*
 * A lock, trylock or unlock of m answered r, not 0 (nor EBUSY for a
 * trylock): when m is a destroyed mutex, that is misuse.  glibc's destroy
 * stores the invalid kind -1 (its pthread_mutex_destroy.c), and every
 * call on such a mutex answers EINVAL; a mutex made again with
 * pthread_mutex_init or PTHREAD_MUTEX_INITIALIZER has a valid kind.
 * Only on the failing path: the uncontended lock and unlock never come
 * here.  Keeps errno.
 */
static __attribute__((noinline, cold)) void
check_destroyed(struct gct_thread *t, pthread_mutex_t *m, int r)
{
    if (r != EINVAL || m->__data.__kind != -1)
        return;
    int e = errno;
    misuse(t, GCT_MISUSE_DESTROYED_LOCK, m, r);
    errno = e;
}

/* A lock call on obj answered r, not 0: EDEADLK is glibc's answer to the
 * thread that holds an error-checking mutex, or an rwlock for writing,
 * and asks for it again (a normal mutex would block for good: the
 * watchdog's deadlock/self).  The program was refused the lock, and if
 * it goes on as if it held it, its unlock releases the first hold.
 * Keeps errno. */
static __attribute__((noinline, cold)) void
check_relock(struct gct_thread *t, const void *obj, int r, int type)
{
    if (r != EDEADLK)
        return;
    int e = errno;
    misuse(t, GCT_MISUSE_RELOCK, obj, type); /* its detail: a gct_obj */
    errno = e;
}

/* Both checks of a failed lock of a mutex. */
static __attribute__((noinline, cold)) void
mutex_lock_failed(struct gct_thread *t, pthread_mutex_t *m, int r)
{
    check_destroyed(t, m, r);
    check_relock(t, m, r, GCT_OBJ_MUTEX);
}

/* Whether a lock call's answer leaves the lock held: a robust mutex
 * whose owner died is taken, with EOWNERDEAD. */
#define HOLDS(r) ((r) == 0 || (r) == EOWNERDEAD)

/* The first attempt of a blocking call that has none: the real call runs
 * alone. */
#define NO_ATTEMPT (-1)

/* The common shape of a blocking acquisition: first, the first attempt's
 * answer (its trylock's, or NO_ATTEMPT); the wait is recorded around the
 * real call when it said EBUSY; site: the caller's address. */
#define ACQUIRE_AT(t, obj, reason, owner, first, blockcall, flags, site)   \
    ({                                                                     \
        uint32_t f_ = (flags);                                             \
        uintptr_t site_ = (site);                                          \
        struct gct_prepared pre_ = gct_acquire_prepare(t, obj, f_, site_); \
        int r_ = (first);                                                  \
        if (r_ == EBUSY) {                                                 \
            gct_wait_begin(t, reason, obj, owner,                          \
                           (f_ & GCT_LOCK_TIMED) != 0, site_);             \
            r_ = (blockcall);                                              \
            int e_ = errno;                                                \
            gct_wait_end(t, obj, r_);                                      \
            errno = e_;                                                    \
            f_ |= GCT_LOCK_CONTENDED;                                      \
        } else if (r_ == NO_ATTEMPT) {                                     \
            r_ = (blockcall);                                              \
        } else if (HOLDS(r_)) {                                            \
            f_ = gct_acquire_published(t, pre_, f_);                       \
        }                                                                  \
        if (HOLDS(r_)) /* keeps errno */                                   \
            gct_lock_acquired(t, obj, f_, site_);                          \
        r_;                                                                \
    })

#define ACQUIRE(t, obj, reason, owner, first, blockcall, flags)            \
    ACQUIRE_AT(t, obj, reason, owner, first, blockcall, flags, SITE())

/* ------------------------------------------------------------ mutex */

/* The trylock of a default mutex, done in place when glibc allows it
 * (mutex_fast.c): 0 or EBUSY; -1 for another kind of mutex. */
static inline int
mutex_trylock_fast(struct gct_thread *t, pthread_mutex_t *m)
{
    return GCT_LIKELY(gct_rec.mutex_fast) ? gct_mutex_fast_trylock(m, t->tid)
                                          : -1;
}

/* pthread_mutex_trylock, done in place for a default mutex. */
static inline int
mutex_trylock(struct gct_thread *t, pthread_mutex_t *m)
{
    int r = mutex_trylock_fast(t, m);
    return r >= 0 ? r : gct_real.pthread_mutex_trylock(m);
}

/* The first attempt of a blocking lock of m: its trylock, which for every
 * kind but the robust ones is exactly the lock's first step.  A robust
 * mutex gets none (glibc's trylock leaves one that it finds unrecoverable
 * locked, where its lock leaves it free): EBUSY when its lock word says
 * it is held, so that the real call is recorded as a wait, else
 * NO_ATTEMPT.  (That word is read before the real call: a lock taken in
 * between makes a wait that is not recorded, never a different answer.) */
static inline int
mutex_first(struct gct_thread *t, pthread_mutex_t *m)
{
    int r = mutex_trylock_fast(t, m);
    if (GCT_LIKELY(r >= 0))
        return r;
    if (m->__data.__kind & GCT_MUTEX_KIND_ROBUST)
        return m->__data.__lock ? EBUSY : NO_ATTEMPT;
    return gct_real.pthread_mutex_trylock(m);
}

/* The clocks glibc's pthread_mutex_clocklock accepts; with any other it
 * answers EINVAL before its first attempt. */
static inline bool
clock_accepted(clockid_t clk)
{
    return clk == CLOCK_REALTIME || clk == CLOCK_MONOTONIC;
}

/* The stack of an init call, for the lock's class: the stack of this
 * call, not the first one seen from its call site.  Locks made through
 * one helper (a lock_init() function, a C++ mutex class, a library's
 * wrapper) share the helper's call site; only the frames outside it
 * tell them apart, and a class that lumped them together turned a
 * consistent order between unrelated locks into a class cycle.  Init
 * calls are rare next to acquisitions, so a capture each is cheap; the
 * innermost INIT_FRAMES frames tell helpers nested that deep apart, and
 * keep the distinct addresses to symbolise few (node's 4,200 locks made
 * on whole stacks took 2 s of the finishing step's symbol lookups). */
#define INIT_FRAMES 8

static uint32_t
init_stack(struct gct_thread *t, uintptr_t site)
{
    return gct_in_unwinder(site) ? 0 : gct_stack_top(t, INIT_FRAMES);
}

GCT_EXPORT int
pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
    RESOLVED(pthread_mutex_init);
    struct gct_thread *t = gct_self();
    /* A mutex made again while held: one the shim saw in use, not
     * destroyed since, whose owner glibc still names. */
    if (t && mutex_owner(m) > 0 && gct_lock_known((uintptr_t)m))
        misuse(t, GCT_MISUSE_REINIT_BUSY, m, GCT_OBJ_MUTEX);
    int r = gct_real.pthread_mutex_init(m, attr);
    if (t && r == 0) {
        int e = errno, type = PTHREAD_MUTEX_DEFAULT;
        if (attr)
            pthread_mutexattr_gettype(attr, &type);
        uint32_t flags = type == PTHREAD_MUTEX_RECURSIVE ? GCT_LOCK_RECURSIVE
                         : type == PTHREAD_MUTEX_ERRORCHECK
                             ? GCT_LOCK_ERRORCHECK
                             : 0;
        t->guard++;
        gct_lock_seen(t, (uintptr_t)m, false);
        gct_emit(t, GCT_EV_LOCK_INIT, init_stack(t, SITE()), (uintptr_t)m,
                 GCT_OBJ_MUTEX, flags, NULL, 0);
        t->guard--;
        errno = e;
    }
    return r;
}

GCT_EXPORT int
pthread_mutex_destroy(pthread_mutex_t *m)
{
    RESOLVED(pthread_mutex_destroy);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.pthread_mutex_destroy(m);
    int e = errno;
    if (mutex_owner(m) > 0)
        misuse(t, GCT_MISUSE_DESTROY_HELD, m, mutex_owner(m));
    errno = e;
    int r = gct_real.pthread_mutex_destroy(m);
    e = errno;
    if (r == 0) { /* glibc refuses to destroy a held mutex (EBUSY) */
        atomic_fetch_add_explicit(&gct_lock_generation, 1,
                                  memory_order_relaxed);
        gct_lock_forget((uintptr_t)m);
    }
    t->guard++;
    gct_emit(t, GCT_EV_LOCK_DESTROY, 0, (uintptr_t)m, r, 0, NULL, 0);
    t->guard--;
    errno = e;
    return r;
}

/* Not attempted yet: record=all prepares its record before the attempt. */
#define UNTRIED (-2)

/* pthread_mutex_lock's ways other than the common one, out of line so
 * that the common one (no record=all, the trylock succeeds) saves and
 * restores fewer registers: it runs inside the critical section of any
 * lock the thread holds already.  tried: the first attempt's answer
 * (mutex_first), or UNTRIED. */
static __attribute__((noinline)) int
mutex_lock_rest(struct gct_thread *t, pthread_mutex_t *m, int tried,
                uintptr_t site)
{
    int r = ACQUIRE_AT(t, m, GCT_WAIT_MUTEX, mutex_owner(m),
                       tried != UNTRIED ? tried : mutex_first(t, m),
                       gct_real.pthread_mutex_lock(m), 0, site);
    if (r != 0)
        mutex_lock_failed(t, m, r);
    return r;
}

GCT_EXPORT int
pthread_mutex_lock(pthread_mutex_t *m)
{
    RESOLVED(pthread_mutex_lock);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.pthread_mutex_lock(m);
    if (GCT_UNLIKELY(gct_rec.opt.record == GCT_RECORD_ALL))
        return mutex_lock_rest(t, m, UNTRIED, SITE());
    int r = mutex_first(t, m);
    if (GCT_UNLIKELY(r != 0))
        return mutex_lock_rest(t, m, r, SITE());
    gct_lock_acquired_unrecorded(t, m, 0, SITE());
    return 0;
}

GCT_EXPORT int
pthread_mutex_trylock(pthread_mutex_t *m)
{
    RESOLVED(pthread_mutex_trylock);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.pthread_mutex_trylock(m);
    int r = mutex_trylock(t, m);
    if (HOLDS(r))
        gct_lock_acquired(t, m, GCT_LOCK_TRY, SITE());
    else if (r != EBUSY)
        check_destroyed(t, m, r);
    return r;
}

GCT_EXPORT int
pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *ts)
{
    RESOLVED(pthread_mutex_timedlock);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.pthread_mutex_timedlock(m, ts);
    int r = ACQUIRE(t, m, GCT_WAIT_MUTEX, mutex_owner(m), mutex_first(t, m),
                    gct_real.pthread_mutex_timedlock(m, ts), GCT_LOCK_TIMED);
    if (r != 0)
        mutex_lock_failed(t, m, r);
    if (r == EINVAL)
        gct_check_deadline(t, m, GCT_OBJ_MUTEX, ts);
    return r;
}

GCT_EXPORT int
pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clk,
                        const struct timespec *ts)
{
    RESOLVED(pthread_mutex_clocklock);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.pthread_mutex_clocklock(m, clk, ts);
    int r = ACQUIRE(t, m, GCT_WAIT_MUTEX, mutex_owner(m),
                    clock_accepted(clk) ? mutex_first(t, m) : NO_ATTEMPT,
                    gct_real.pthread_mutex_clocklock(m, clk, ts),
                    GCT_LOCK_TIMED);
    if (r != 0)
        mutex_lock_failed(t, m, r);
    if (r == EINVAL && clock_accepted(clk))
        gct_check_deadline(t, m, GCT_OBJ_MUTEX, ts);
    return r;
}

GCT_EXPORT int
pthread_mutex_unlock(pthread_mutex_t *m)
{
    RESOLVED(pthread_mutex_unlock);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.pthread_mutex_unlock(m);
    /* The owner read first: for the plain kinds it is this thread. */
    if (GCT_UNLIKELY(m->__data.__owner != t->tid)) {
        int owner = mutex_owner(m);
        if (owner >= 0)
            misuse_unlock(t, m, owner);
    } else if (GCT_LIKELY(gct_rec.mutex_fast) &&
               gct_mutex_fast_unlock(m, t->tid)) {
        gct_lock_released(t, m);
        return 0;
    }
    int r = gct_real.pthread_mutex_unlock(m);
    if (r != 0) {
        check_destroyed(t, m, r);
        return r;
    }
    gct_lock_released(t, m);
    return 0;
}

/* ------------------------------------------------------------ rwlock */

GCT_EXPORT int
pthread_rwlock_init(pthread_rwlock_t *rw, const pthread_rwlockattr_t *attr)
{
    RESOLVED(pthread_rwlock_init);
    struct gct_thread *t = gct_self();
    /* Made again while held: a writer, or readers (glibc counts them
     * from bit 3 of __readers). */
    if (t && (rw->__data.__cur_writer != 0 || rw->__data.__readers >> 3) &&
        gct_lock_known((uintptr_t)rw))
        misuse(t, GCT_MISUSE_REINIT_BUSY, rw, GCT_OBJ_RWLOCK);
    int r = gct_real.pthread_rwlock_init(rw, attr);
    if (t && r == 0) {
        int e = errno;
        t->guard++;
        gct_lock_seen(t, (uintptr_t)rw, false);
        gct_emit(t, GCT_EV_LOCK_INIT, init_stack(t, SITE()), (uintptr_t)rw,
                 GCT_OBJ_RWLOCK, 0, NULL, 0);
        t->guard--;
        errno = e;
    }
    return r;
}

GCT_EXPORT int
pthread_rwlock_destroy(pthread_rwlock_t *rw)
{
    RESOLVED(pthread_rwlock_destroy);
    struct gct_thread *t = gct_self();
    int r = gct_real.pthread_rwlock_destroy(rw);
    if (t) {
        int e = errno;
        atomic_fetch_add_explicit(&gct_lock_generation, 1,
                                  memory_order_relaxed);
        gct_lock_forget((uintptr_t)rw);
        t->guard++;
        gct_emit(t, GCT_EV_LOCK_DESTROY, 0, (uintptr_t)rw, r, 0, NULL, 0);
        t->guard--;
        errno = e;
    }
    return r;
}

#define RW_OWNER(rw) ((int64_t)(rw)->__data.__cur_writer)

/* A read lock asked for by a thread that holds rw for reading already.
 * On a writer-preferring rwlock (every goc_rwmutex, as Go's RWMutex) a
 * writer that comes between the two makes the second wait for it, and
 * the writer waits for the first: Go's documentation forbids it for that
 * reason, and it is reported whether or not a writer came this time.  On
 * glibc's default, reader-preferring kind it is allowed. */
static __attribute__((noinline)) void
recursive_read(struct gct_thread *t, pthread_rwlock_t *rw)
{
    if (rw->__data.__flags != PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP)
        return;
    for (int i = 0; i < t->nheld; i++)
        if (t->held[i].lock == (uintptr_t)rw &&
            (t->held[i].flags & GCT_LOCK_SHARED)) {
            int e = errno;
            misuse(t, GCT_MISUSE_RECURSIVE_RLOCK, rw, 0);
            errno = e;
            return;
        }
}

GCT_EXPORT int
pthread_rwlock_rdlock(pthread_rwlock_t *rw)
{
    RESOLVED(pthread_rwlock_rdlock);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.pthread_rwlock_rdlock(rw);
    if (t->nheld > 0)
        recursive_read(t, rw);
    int r = ACQUIRE(t, rw, GCT_WAIT_RWLOCK_RD, RW_OWNER(rw),
                    gct_real.pthread_rwlock_tryrdlock(rw),
                    gct_real.pthread_rwlock_rdlock(rw),
                    GCT_LOCK_RW | GCT_LOCK_SHARED);
    if (r != 0)
        check_relock(t, rw, r, GCT_OBJ_RWLOCK);
    return r;
}

GCT_EXPORT int
pthread_rwlock_tryrdlock(pthread_rwlock_t *rw)
{
    RESOLVED(pthread_rwlock_tryrdlock);
    struct gct_thread *t = gct_self();
    int r = gct_real.pthread_rwlock_tryrdlock(rw);
    if (t && r == 0)
        gct_lock_acquired(t, rw, GCT_LOCK_RW | GCT_LOCK_SHARED | GCT_LOCK_TRY,
                          SITE());
    return r;
}

GCT_EXPORT int
pthread_rwlock_timedrdlock(pthread_rwlock_t *rw, const struct timespec *ts)
{
    RESOLVED(pthread_rwlock_timedrdlock);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.pthread_rwlock_timedrdlock(rw, ts);
    int r = ACQUIRE(t, rw, GCT_WAIT_RWLOCK_RD, RW_OWNER(rw),
                    gct_deadline_valid(ts)
                        ? gct_real.pthread_rwlock_tryrdlock(rw)
                        : NO_ATTEMPT,
                    gct_real.pthread_rwlock_timedrdlock(rw, ts),
                    GCT_LOCK_RW | GCT_LOCK_SHARED | GCT_LOCK_TIMED);
    if (r != 0)
        check_relock(t, rw, r, GCT_OBJ_RWLOCK);
    if (r == EINVAL)
        gct_check_deadline(t, rw, GCT_OBJ_RWLOCK, ts);
    return r;
}

GCT_EXPORT int
pthread_rwlock_wrlock(pthread_rwlock_t *rw)
{
    RESOLVED(pthread_rwlock_wrlock);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.pthread_rwlock_wrlock(rw);
    int r = ACQUIRE(t, rw, GCT_WAIT_RWLOCK_WR, RW_OWNER(rw),
                    gct_real.pthread_rwlock_trywrlock(rw),
                    gct_real.pthread_rwlock_wrlock(rw), GCT_LOCK_RW);
    if (r != 0)
        check_relock(t, rw, r, GCT_OBJ_RWLOCK);
    return r;
}

GCT_EXPORT int
pthread_rwlock_trywrlock(pthread_rwlock_t *rw)
{
    RESOLVED(pthread_rwlock_trywrlock);
    struct gct_thread *t = gct_self();
    int r = gct_real.pthread_rwlock_trywrlock(rw);
    if (t && r == 0)
        gct_lock_acquired(t, rw, GCT_LOCK_RW | GCT_LOCK_TRY, SITE());
    return r;
}

GCT_EXPORT int
pthread_rwlock_timedwrlock(pthread_rwlock_t *rw, const struct timespec *ts)
{
    RESOLVED(pthread_rwlock_timedwrlock);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.pthread_rwlock_timedwrlock(rw, ts);
    int r = ACQUIRE(t, rw, GCT_WAIT_RWLOCK_WR, RW_OWNER(rw),
                    gct_deadline_valid(ts)
                        ? gct_real.pthread_rwlock_trywrlock(rw)
                        : NO_ATTEMPT,
                    gct_real.pthread_rwlock_timedwrlock(rw, ts),
                    GCT_LOCK_RW | GCT_LOCK_TIMED);
    if (r != 0)
        check_relock(t, rw, r, GCT_OBJ_RWLOCK);
    if (r == EINVAL)
        gct_check_deadline(t, rw, GCT_OBJ_RWLOCK, ts);
    return r;
}

/* An unlock of rw by a thread that holds no lock on it.  glibc answers
 * 0 and, unless the thread is the writer, takes a reader away: one that
 * another thread counts on, or one that was never there, which leaves
 * the lock's state wrong for every later caller.  Keeps errno. */
static __attribute__((noinline, cold)) void
rwlock_not_held(struct gct_thread *t, pthread_rwlock_t *rw)
{
    int e = errno;
    misuse(t, GCT_MISUSE_RWLOCK_NOT_HELD, rw, 0);
    errno = e;
}

GCT_EXPORT int
pthread_rwlock_unlock(pthread_rwlock_t *rw)
{
    RESOLVED(pthread_rwlock_unlock);
    struct gct_thread *t = gct_self();
    int r = gct_real.pthread_rwlock_unlock(rw);
    if (t && r == 0 && !gct_lock_released(t, rw))
        rwlock_not_held(t, rw);
    return r;
}

/* ------------------------------------------------------------ C11 mtx_t
 * glibc's mtx_lock calls its pthread code directly, past our interposed
 * pthread_mutex_lock, so C11 locks need their own entry points. */

/* mtx_lock and mtx_timedlock (timed): ACQUIRE's shape in C11's answers,
 * whose trylock is also exactly the first step of the lock. */
static int
c11_acquire(struct gct_thread *t, mtx_t *m, bool timed,
            const struct timespec *ts, uintptr_t site)
{
    uint32_t flags = timed ? GCT_LOCK_TIMED : 0;
    struct gct_prepared pre = gct_acquire_prepare(t, m, flags, site);
    int r = gct_real.mtx_trylock(m);
    if (r == thrd_busy) {
        gct_wait_begin(t, GCT_WAIT_MUTEX, m, mutex_owner((pthread_mutex_t *)m),
                       timed, site);
        r = timed ? gct_real.mtx_timedlock(m, ts) : gct_real.mtx_lock(m);
        int e = errno;
        gct_wait_end(t, m, r);
        errno = e;
        flags |= GCT_LOCK_CONTENDED;
    } else if (r == thrd_success) {
        flags = gct_acquire_published(t, pre, flags);
    }
    if (r == thrd_success)
        gct_lock_acquired(t, m, flags, site);
    return r;
}

GCT_EXPORT int
mtx_lock(mtx_t *m)
{
    RESOLVED(mtx_lock);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.mtx_lock(m);
    return c11_acquire(t, m, false, NULL, SITE());
}

GCT_EXPORT int
mtx_trylock(mtx_t *m)
{
    RESOLVED(mtx_trylock);
    struct gct_thread *t = gct_self();
    int r = gct_real.mtx_trylock(m);
    if (t && r == thrd_success)
        gct_lock_acquired(t, m, GCT_LOCK_TRY, SITE());
    return r;
}

GCT_EXPORT int
mtx_timedlock(mtx_t *m, const struct timespec *ts)
{
    RESOLVED(mtx_timedlock);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.mtx_timedlock(m, ts);
    return c11_acquire(t, m, true, ts, SITE());
}

GCT_EXPORT int
mtx_unlock(mtx_t *m)
{
    RESOLVED(mtx_unlock);
    struct gct_thread *t = gct_self();
    int r = gct_real.mtx_unlock(m);
    if (t && r == thrd_success)
        gct_lock_released(t, m);
    return r;
}
