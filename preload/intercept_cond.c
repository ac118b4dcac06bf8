/*
 * intercept_cond.c - condition variables, POSIX semaphores, barriers and
 * C11 cnd_t.
 *
 * A condvar wait gives up its mutex for the duration: the held stack drops
 * it before the wait and takes it back after, so that locks taken by other
 * threads meanwhile are not mistaken for nested under it.  Waiting without
 * holding the mutex is reported as misuse.
 */
#include "acquire.h"

void
gct_cond_check_holds(struct gct_thread *t, const pthread_mutex_t *m)
{
    int owner = gct_mutex_owner(m); /* -1: robust, PI, PP keep none */
    if (owner >= 0 && owner != t->tid)
        gct_misuse(t, GCT_MISUSE_COND_NO_MUTEX, m, owner);
}

GCT_EXPORT int
pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    RESOLVED(pthread_cond_wait);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.pthread_cond_wait(c, m);
    return gct_cond_wait(t, GCT_OP_COND_WAIT, c, m, NULL, 0, SITE());
}

GCT_EXPORT int
pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
                       const struct timespec *ts)
{
    RESOLVED(pthread_cond_timedwait);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.pthread_cond_timedwait(c, m, ts);
    int r = gct_cond_wait(t, GCT_OP_COND_TIMEDWAIT, c, m, ts, 0, SITE());
    if (r == EINVAL)
        gct_check_deadline(t, c, GCT_OBJ_COND, ts);
    return r;
}

GCT_EXPORT int
pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clk,
                       const struct timespec *ts)
{
    RESOLVED(pthread_cond_clockwait);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.pthread_cond_clockwait(c, m, clk, ts);
    int r = gct_cond_wait(t, GCT_OP_COND_CLOCKWAIT, c, m, ts, clk, SITE());
    if (r == EINVAL)
        gct_check_deadline(t, c, GCT_OBJ_COND, ts);
    return r;
}

/*
 * check_signal_mutex=1: a condvar signalled by a thread that does not
 * hold the mutex a thread waiting on it waits with.  POSIX allows it,
 * but a signal sent outside the mutex can come between a waiter's test
 * of its predicate and its wait, and be lost: Helgrind's "dubious"
 * check, opt-in as there.  Only a condvar with a waiter the shim sees
 * has a mutex to compare with.
 */
static void
check_signal(struct gct_thread *t, const void *c)
{
    int pid = gct_recorder.pid;
    for (struct gct_thread *w = atomic_load(&gct_threads); w; w = w->next) {
        if (w == t || atomic_load(&w->dead) || w->pid != pid ||
            atomic_load_explicit(&w->wait_reason, memory_order_acquire) !=
                GCT_WAIT_COND ||
            atomic_load_explicit(&w->wait_obj, memory_order_relaxed) !=
                (uintptr_t)c)
            continue;
        uintptr_t m = atomic_load_explicit(&w->wait_mutex,
                                           memory_order_relaxed);
        for (int i = 0; i < t->nheld; i++)
            if (t->held[i].lock == m)
                return;
        gct_misuse(t, GCT_MISUSE_SIGNAL_NO_MUTEX, c, GCT_OBJ_COND);
        return;
    }
}

static __attribute__((noinline)) void
note_slow(int kind, const void *obj, uintptr_t site)
{
    struct gct_thread *t = gct_self();
    if (t) {
        if (gct_recorder.opt.record == GCT_RECORD_ALL) {
            struct gct_enter en = gct_enter(t);
            gct_emit_compact(t, kind, (uintptr_t)obj, 0, site);
            gct_leave(&en);
        }
        if (gct_recorder.opt.check_signal_mutex && kind != GCT_EV_SEM_POST)
            check_signal(t, obj);
    }
}

/* Records a signal or post under record=all, with the caller's code
 * address (no stack: a leaked waiter's report names the last signaller's
 * line, which this is enough for), and checks a signal's mutex under
 * check_signal_mutex=1.  One flag is looked at first and the rest is out
 * of line: a program signals with its mutex held, and this runs in its
 * critical section (40 instructions a call were 15 when nothing is
 * recorded, callgrind). */
#define note(kind, obj)                                                 \
    do {                                                                \
        if (GCT_UNLIKELY(gct_recorder.signal_slow))                          \
            note_slow(kind, obj,                                        \
                      (uintptr_t)__builtin_return_address(0));          \
    } while (0)

GCT_EXPORT int
pthread_cond_signal(pthread_cond_t *c)
{
    RESOLVED(pthread_cond_signal);
    note(GCT_EV_COND_SIGNAL, c);
    return gct_real.pthread_cond_signal(c);
}

GCT_EXPORT int
pthread_cond_broadcast(pthread_cond_t *c)
{
    RESOLVED(pthread_cond_broadcast);
    note(GCT_EV_COND_BROADCAST, c);
    return gct_real.pthread_cond_broadcast(c);
}

GCT_EXPORT int
pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr)
{
    RESOLVED(pthread_cond_init);
    return gct_real.pthread_cond_init(c, attr);
}

GCT_EXPORT int
pthread_cond_destroy(pthread_cond_t *c)
{
    RESOLVED(pthread_cond_destroy);
    return gct_real.pthread_cond_destroy(c);
}

/* ------------------------------------------------------------ semaphores */

GCT_EXPORT int
sem_wait(sem_t *s)
{
    RESOLVED(sem_wait);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.sem_wait(s);
    /* sem_wait is a cancellation point even when the semaphore is free,
     * and glibc's acts on a pending cancellation before it tries; the
     * trywait below is none. */
    pthread_testcancel();
    int e = errno;
    int r = gct_real.sem_trywait(s);
    if (r == 0 || errno != EAGAIN)
        return r == 0 ? (errno = e, 0) : gct_real.sem_wait(s);
    errno = e; /* the trywait's EAGAIN is not the program's */
    gct_wait_begin(t, GCT_WAIT_SEM, s, 0, false, SITE());
    r = gct_real.sem_wait(s);
    gct_wait_end(t, s, r == 0 ? 0 : errno);
    return r;
}

GCT_EXPORT int
sem_timedwait(sem_t *s, const struct timespec *ts)
{
    RESOLVED(sem_timedwait);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.sem_timedwait(s, ts);
    if (!gct_deadline_valid(ts)) {
        int r = gct_real.sem_timedwait(s, ts);
        if (r != 0 && errno == EINVAL)
            gct_check_deadline(t, s, GCT_OBJ_SEM, ts);
        return r;
    }
    pthread_testcancel(); /* as in sem_wait */
    int e = errno;
    int r = gct_real.sem_trywait(s);
    if (r == 0)
        return errno = e, 0;
    errno = e; /* the trywait's EAGAIN is not the program's */
    gct_wait_begin(t, GCT_WAIT_SEM, s, 0, true, SITE());
    r = gct_real.sem_timedwait(s, ts);
    gct_wait_end(t, s, r == 0 ? 0 : errno);
    return r;
}

GCT_EXPORT int
sem_post(sem_t *s)
{
    RESOLVED(sem_post);
    note(GCT_EV_SEM_POST, s);
    return gct_real.sem_post(s);
}

/*
 * Whether a semaphore or a barrier is busy: threads wait on it.  Both
 * glibc's count and the shim's view must say so: glibc's semaphore
 * counts its waiters (the high half of its first word) and a barrier's
 * round is unfinished while the threads in it (its first word, in) are
 * not a multiple of its count (its third); but memory that was never a
 * semaphore or barrier (an init's) may hold anything, and only a thread
 * the shim sees waiting on the object (its wait published for the
 * watchdog) makes the count mean waiters (glibc_private.h).
 */
static bool
sem_busy(const sem_t *s)
{
    return gct_sem_waiters(s) != 0 && gct_thread_waits_on(GCT_WAIT_SEM, s);
}

static bool
barrier_busy(const pthread_barrier_t *b)
{
    return gct_barrier_round_open(b) &&
           gct_thread_waits_on(GCT_WAIT_BARRIER, b);
}

/* A semaphore's init or destroy, recorded (rare calls): glibc's destroy
 * changes nothing in the semaphore, so only the trace can tell a wait
 * on a destroyed one (common/replay_locks.c).  Keeps errno. */
static void
note_sem(struct gct_thread *t, int kind, sem_t *s, int64_t a)
{
    struct gct_enter en = gct_enter(t);
    gct_emit(t, kind, kind == GCT_EV_LOCK_INIT ? gct_capture_stack(t) : 0,
             (uintptr_t)s, a, 0, NULL, 0);
    gct_leave(&en);
}

GCT_EXPORT int
sem_init(sem_t *s, int pshared, unsigned value)
{
    RESOLVED(sem_init);
    struct gct_thread *t = gct_self();
    if (t && sem_busy(s))
        gct_misuse(t, GCT_MISUSE_REINIT_BUSY, s, GCT_OBJ_SEM);
    int r = gct_real.sem_init(s, pshared, value);
    if (t && r == 0)
        note_sem(t, GCT_EV_LOCK_INIT, s, GCT_OBJ_SEM);
    return r;
}

GCT_EXPORT int
sem_destroy(sem_t *s)
{
    RESOLVED(sem_destroy);
    struct gct_thread *t = gct_self();
    if (t && sem_busy(s))
        gct_misuse(t, GCT_MISUSE_DESTROY_BUSY, s, GCT_OBJ_SEM);
    int r = gct_real.sem_destroy(s);
    if (t && r == 0)
        note_sem(t, GCT_EV_LOCK_DESTROY, s, 0);
    return r;
}

/* ------------------------------------------------------------ barriers */

GCT_EXPORT int
pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *attr,
                     unsigned count)
{
    RESOLVED(pthread_barrier_init);
    struct gct_thread *t = gct_self();
    if (t && barrier_busy(b))
        gct_misuse(t, GCT_MISUSE_REINIT_BUSY, b, GCT_OBJ_BARRIER);
    int r = gct_real.pthread_barrier_init(b, attr, count);
    if (t && r == EINVAL && count == 0)
        gct_misuse(t, GCT_MISUSE_BARRIER_ZERO, b, GCT_OBJ_BARRIER);
    return r;
}

GCT_EXPORT int
pthread_barrier_destroy(pthread_barrier_t *b)
{
    RESOLVED(pthread_barrier_destroy);
    struct gct_thread *t = gct_self();
    if (t && barrier_busy(b))
        gct_misuse(t, GCT_MISUSE_DESTROY_BUSY, b, GCT_OBJ_BARRIER);
    return gct_real.pthread_barrier_destroy(b);
}

GCT_EXPORT int
pthread_barrier_wait(pthread_barrier_t *b)
{
    RESOLVED(pthread_barrier_wait);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.pthread_barrier_wait(b);
    gct_wait_begin(t, GCT_WAIT_BARRIER, b, 0, false, SITE());
    int r = gct_real.pthread_barrier_wait(b);
    gct_wait_end(t, b, r == PTHREAD_BARRIER_SERIAL_THREAD ? 0 : r);
    return r;
}

/* ------------------------------------------------------------ C11 cnd_t */

GCT_EXPORT int
cnd_wait(cnd_t *c, mtx_t *m)
{
    RESOLVED(cnd_wait);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.cnd_wait(c, m);
    return gct_cond_wait(t, GCT_OP_CND_WAIT, c, m, NULL, 0, SITE());
}

GCT_EXPORT int
cnd_timedwait(cnd_t *c, mtx_t *m, const struct timespec *ts)
{
    RESOLVED(cnd_timedwait);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.cnd_timedwait(c, m, ts);
    return gct_cond_wait(t, GCT_OP_CND_TIMEDWAIT, c, m, ts, 0, SITE());
}
