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
 * glibc keeps the owner's tid in the mutex for the plain kinds
 * (glibc_private.h); we read it to tell misuse (unlock of an unlocked or
 * a foreign mutex, destroy of a held one) and, at a blocked wait, who
 * holds the lock.  The shape of a blocking acquisition is acquire.h's.
 */
#include "acquire.h"

/* An unlock of a mutex this thread does not hold.  Out of line: it keeps
 * the interposed unlock's own frame small.  Keeps errno. */
static __attribute__((noinline, cold)) void
misuse_unlock(struct gct_thread *t, pthread_mutex_t *m, int owner)
{
    gct_misuse(t, owner == 0 ? GCT_MISUSE_UNLOCK_UNLOCKED
                             : GCT_MISUSE_UNLOCK_FOREIGN,
               m, owner);
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
    if (r == EINVAL && gct_mutex_destroyed(m))
        gct_misuse(t, GCT_MISUSE_DESTROYED_LOCK, m, r);
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
    if (r == EDEADLK)
        gct_misuse(t, GCT_MISUSE_RELOCK, obj, type); /* detail: a gct_obj */
}

/* Both checks of a failed lock of a mutex. */
static __attribute__((noinline, cold)) void
mutex_lock_failed(struct gct_thread *t, pthread_mutex_t *m, int r)
{
    check_destroyed(t, m, r);
    check_relock(t, m, r, GCT_OBJ_MUTEX);
}

/* ------------------------------------------------------------ mutex */

/* pthread_mutex_trylock, done in place for a default mutex. */
static inline int
mutex_trylock(struct gct_thread *t, pthread_mutex_t *m)
{
    int r = gct_mutex_trylock_fast(t, m);
    return r >= 0 ? r : gct_real.pthread_mutex_trylock(m);
}

GCT_EXPORT int
pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
    RESOLVED(pthread_mutex_init);
    struct gct_thread *t = gct_self();
    /* A mutex made again while held: one the shim saw in use, not
     * destroyed since, whose owner glibc still names. */
    if (t && gct_mutex_owner(m) > 0 && gct_lock_known((uintptr_t)m))
        gct_misuse(t, GCT_MISUSE_REINIT_BUSY, m, GCT_OBJ_MUTEX);
    int r = gct_real.pthread_mutex_init(m, attr);
    if (t && r == 0) {
        int type = PTHREAD_MUTEX_DEFAULT;
        if (attr)
            pthread_mutexattr_gettype(attr, &type);
        uint32_t flags = type == PTHREAD_MUTEX_RECURSIVE ? GCT_LOCK_RECURSIVE
                         : type == PTHREAD_MUTEX_ERRORCHECK
                             ? GCT_LOCK_ERRORCHECK
                             : 0;
        gct_lock_init_note(t, m, GCT_OBJ_MUTEX, flags, SITE());
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
    int owner = gct_mutex_owner(m);
    if (owner > 0)
        gct_misuse(t, GCT_MISUSE_DESTROY_HELD, m, owner);
    int r = gct_real.pthread_mutex_destroy(m);
    /* glibc refuses to destroy a held mutex (EBUSY): it lives on */
    gct_lock_destroy_note(t, m, r, r == 0);
    return r;
}

/* pthread_mutex_lock's ways other than the common one, out of line so
 * that the common one (no record=all, the trylock succeeds) saves and
 * restores fewer registers: it runs inside the critical section of any
 * lock the thread holds already.  tried: the first attempt's answer
 * (gct_mutex_first), or GCT_UNTRIED. */
static __attribute__((noinline)) int
mutex_lock_rest(struct gct_thread *t, pthread_mutex_t *m, int tried,
                uintptr_t site)
{
    struct gct_lock_call c = {.obj = m};
    int r = gct_acquire(t, GCT_OP_MUTEX_LOCK, &c, tried, site);
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
    if (GCT_UNLIKELY(gct_recorder.opt.record == GCT_RECORD_ALL))
        return mutex_lock_rest(t, m, GCT_UNTRIED, SITE());
    int r = gct_mutex_first(t, m);
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
    if (gct_op_holds(GCT_OP_MUTEX_LOCK, r))
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
    struct gct_lock_call c = {.obj = m, .ts = ts};
    int r = gct_acquire(t, GCT_OP_MUTEX_TIMEDLOCK, &c, GCT_UNTRIED, SITE());
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
    struct gct_lock_call c = {.obj = m, .ts = ts, .clk = clk};
    int r = gct_acquire(t, GCT_OP_MUTEX_CLOCKLOCK, &c, GCT_UNTRIED, SITE());
    if (r != 0)
        mutex_lock_failed(t, m, r);
    if (r == EINVAL && gct_clock_accepted(clk))
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
    if (GCT_UNLIKELY(gct_mutex_owner_field(m) != t->tid)) {
        int owner = gct_mutex_owner(m);
        if (owner >= 0)
            misuse_unlock(t, m, owner);
    } else if (GCT_LIKELY(gct_recorder.mutex_fast) &&
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
    /* Made again while held: a writer, or readers. */
    if (t && (gct_rwlock_writer(rw) != 0 || gct_rwlock_readers(rw) != 0) &&
        gct_lock_known((uintptr_t)rw))
        gct_misuse(t, GCT_MISUSE_REINIT_BUSY, rw, GCT_OBJ_RWLOCK);
    int r = gct_real.pthread_rwlock_init(rw, attr);
    if (t && r == 0)
        gct_lock_init_note(t, rw, GCT_OBJ_RWLOCK, 0, SITE());
    return r;
}

GCT_EXPORT int
pthread_rwlock_destroy(pthread_rwlock_t *rw)
{
    RESOLVED(pthread_rwlock_destroy);
    struct gct_thread *t = gct_self();
    int r = gct_real.pthread_rwlock_destroy(rw);
    if (t)
        gct_lock_destroy_note(t, rw, r, true);
    return r;
}

/* A read lock asked for by a thread that holds rw for reading already.
 * On a writer-preferring rwlock (every goc_rwmutex, as Go's RWMutex) a
 * writer that comes between the two makes the second wait for it, and
 * the writer waits for the first: Go's documentation forbids it for that
 * reason, and it is reported whether or not a writer came this time.  On
 * glibc's default, reader-preferring kind it is allowed. */
static __attribute__((noinline)) void
recursive_read(struct gct_thread *t, pthread_rwlock_t *rw)
{
    if (!gct_rwlock_prefers_writer(rw))
        return;
    for (int i = 0; i < t->nheld; i++)
        if (t->held[i].lock == (uintptr_t)rw &&
            (t->held[i].flags & GCT_LOCK_SHARED)) {
            gct_misuse(t, GCT_MISUSE_RECURSIVE_RLOCK, rw, 0);
            return;
        }
}

/* A blocking rwlock call by op: its acquisition, and the checks of its
 * failure. */
static inline int
rwlock_acquire(struct gct_thread *t, enum gct_lock_op op,
               pthread_rwlock_t *rw, const struct timespec *ts,
               uintptr_t site)
{
    struct gct_lock_call c = {.obj = rw, .ts = ts};
    int r = gct_acquire(t, op, &c, GCT_UNTRIED, site);
    if (r != 0)
        check_relock(t, rw, r, GCT_OBJ_RWLOCK);
    if (r == EINVAL && ts)
        gct_check_deadline(t, rw, GCT_OBJ_RWLOCK, ts);
    return r;
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
    return rwlock_acquire(t, GCT_OP_RDLOCK, rw, NULL, SITE());
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
    return rwlock_acquire(t, GCT_OP_TIMEDRDLOCK, rw, ts, SITE());
}

GCT_EXPORT int
pthread_rwlock_wrlock(pthread_rwlock_t *rw)
{
    RESOLVED(pthread_rwlock_wrlock);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.pthread_rwlock_wrlock(rw);
    return rwlock_acquire(t, GCT_OP_WRLOCK, rw, NULL, SITE());
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
    return rwlock_acquire(t, GCT_OP_TIMEDWRLOCK, rw, ts, SITE());
}

/* An unlock of rw by a thread that holds no lock on it.  glibc answers
 * 0 and, unless the thread is the writer, takes a reader away: one that
 * another thread counts on, or one that was never there, which leaves
 * the lock's state wrong for every later caller. */
GCT_EXPORT int
pthread_rwlock_unlock(pthread_rwlock_t *rw)
{
    RESOLVED(pthread_rwlock_unlock);
    struct gct_thread *t = gct_self();
    int r = gct_real.pthread_rwlock_unlock(rw);
    if (t && r == 0 && !gct_lock_released(t, rw))
        gct_misuse(t, GCT_MISUSE_RWLOCK_NOT_HELD, rw, 0);
    return r;
}

/* ------------------------------------------------------------ C11 mtx_t
 * glibc's mtx_lock calls its pthread code directly, past our interposed
 * pthread_mutex_lock, so C11 locks need their own entry points; their
 * acquisition is gct_acquire's, in C11's answers, whose trylock is also
 * exactly the first step of the lock. */

GCT_EXPORT int
mtx_lock(mtx_t *m)
{
    RESOLVED(mtx_lock);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.mtx_lock(m);
    struct gct_lock_call c = {.obj = m};
    return gct_acquire(t, GCT_OP_MTX_LOCK, &c, GCT_UNTRIED, SITE());
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
    struct gct_lock_call c = {.obj = m, .ts = ts};
    return gct_acquire(t, GCT_OP_MTX_TIMEDLOCK, &c, GCT_UNTRIED, SITE());
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
