/*
 * sync.c - Mutex, RWMutex and Cond: thin wrappers over the pthread objects.
 *
 * They stay plain pthread calls on purpose: gctrace's shim interposes
 * pthread_mutex_*, pthread_rwlock_* and pthread_cond_*, so these locks show
 * up in lock-order graphs and wait reports like any other, without hooks of
 * their own.  The objects protect the caller's data; this file keeps no
 * state.
 *
 * Two things are added to the pthread objects, both to keep Go's
 * semantics (goc.h, "Semantics"):
 *
 *  - A lock taken again by its holder blocks for good, as in Go.  A
 *    goc_mutex is always of the NORMAL type (the zero value and the static
 *    initialiser; see the assertion below), whose relock POSIX defines as
 *    a deadlock: glibc blocks in its own futex wait, where the recorder
 *    sees a wait on a mutex held by the waiter.  glibc's rwlock instead
 *    answers EDEADLK to a writer that locks again or read-locks.  Carrying
 *    on would run the critical section without exclusion, and the extra
 *    unlock would then corrupt the lock (glibc takes an unlock by a thread
 *    that is not the writer for a reader's), so any failure of a blocking
 *    rwlock call ends in self_deadlock() below.
 *
 *  - goc_rwmutex prefers writers: a reader that arrives while a writer
 *    waits waits behind it, as Go's RWMutex does, so a steady stream of
 *    readers cannot starve writers.  glibc does that for a rwlock of kind
 *    PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP.  GOC_RWMUTEX_INIT makes
 *    one; a zero-filled goc_rwmutex (which goc.h promises is ready to use)
 *    has the default kind and is switched on its first use
 *    (writer_preferring()).
 */
#include "goc_impl.h"

#include <errno.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* POSIX: relocking a NORMAL mutex deadlocks; a DEFAULT one is undefined.
 * In glibc they are one type, the one a zero-filled mutex has. */
_Static_assert(PTHREAD_MUTEX_DEFAULT == PTHREAD_MUTEX_NORMAL,
               "a goc_mutex relocked by its holder must deadlock");

/*
 * The calling thread asked for lock (a goc_mutex or goc_rwmutex) while it
 * holds it, and pthread answered (EDEADLK) instead of blocking.  Blocks
 * for good, as Go does, and tells the recorder, when it is loaded, that
 * this thread waits for `reason` on lock, held by itself: the detail of a
 * lock wait is its holder's tid (common/event.h), which is what gctrace's
 * deadlock search follows, and a holder that is the waiter is a
 * self-deadlock.  No GCT_EV_WAIT_END ever follows.
 */
static __attribute__((noinline, cold)) _Noreturn void
self_deadlock(const void *lock, int reason)
{
    static _Atomic uint32_t never; /* nobody stores to it or wakes it */
    gctrace_hook_fn hook = goc__hook_cold();

    if (hook != NULL)
        hook(GCT_EV_WAIT_BEGIN, lock, reason, (int64_t)syscall(SYS_gettid),
             NULL);
    for (;;) /* a signal's interruption is no way out */
        goc__futex_wait(&never, 0, GOC_FOREVER);
}

void
goc_mutex_lock(goc_mutex *m)
{
    /* A NORMAL mutex relocked by its holder blocks in glibc for good (the
     * assertion above), so there is no answer to check, and the call
     * stays a tail call: the recorder then sees the caller of
     * goc_mutex_lock, not this function, as where the lock was taken. */
    pthread_mutex_lock(&m->m);
}

bool
goc_mutex_try_lock(goc_mutex *m)
{
    return pthread_mutex_trylock(&m->m) == 0;
}

void
goc_mutex_unlock(goc_mutex *m)
{
    pthread_mutex_unlock(&m->m);
}

/*
 * Makes rw writer-preferring if it is still of the default kind (a
 * zero-filled goc_rwmutex), before any pthread call on it.  A zero-filled
 * glibc rwlock and one made by PTHREAD_RWLOCK_WRITER_NONRECURSIVE_
 * INITIALIZER_NP differ only in __flags (test_sync checks this), and
 * every goc_rwmutex_* call comes through here first, so every glibc call
 * on a goc_rwmutex sees the writer-preferring kind: the compare-and-swap
 * makes racing first users agree, and a thread's later reads of the word
 * see at least what its own load or CAS saw.
 */
static inline void
writer_preferring(goc_rwmutex *rw)
{
#ifdef PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP
    __typeof__(rw->rw.__data.__flags) want =
        PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP;
    __typeof__(want) expected = PTHREAD_RWLOCK_PREFER_READER_NP;

    if (GOC_LIKELY(__atomic_load_n(&rw->rw.__data.__flags,
                                   __ATOMIC_RELAXED) == want))
        return;
    GOC_HB_ATOMIC(&rw->rw.__data.__flags);
    __atomic_compare_exchange_n(&rw->rw.__data.__flags, &expected, want,
                                false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
#else
    (void)rw;
#endif
}

void
goc_rwmutex_lock(goc_rwmutex *rw)
{
    writer_preferring(rw);
    /* EDEADLK: this thread holds the write lock already.  (Holding a read
     * lock, it blocks in glibc for good: readers are not tracked.) */
    if (GOC_UNLIKELY(pthread_rwlock_wrlock(&rw->rw) != 0))
        self_deadlock(rw, GCT_WAIT_RWLOCK_WR);
}

void
goc_rwmutex_unlock(goc_rwmutex *rw)
{
    pthread_rwlock_unlock(&rw->rw);
}

void
goc_rwmutex_rlock(goc_rwmutex *rw)
{
    int r;

    writer_preferring(rw);
    /* EAGAIN (more than ~2^30 concurrent readers) cannot happen with a
     * realistic number of threads; retrying keeps the void contract.
     * EDEADLK: this thread holds the write lock. */
    while ((r = pthread_rwlock_rdlock(&rw->rw)) != 0) {
        if (r != EAGAIN)
            self_deadlock(rw, GCT_WAIT_RWLOCK_RD);
        sched_yield();
    }
}

void
goc_rwmutex_runlock(goc_rwmutex *rw)
{
    pthread_rwlock_unlock(&rw->rw);
}

bool
goc_rwmutex_try_lock(goc_rwmutex *rw)
{
    writer_preferring(rw);
    return pthread_rwlock_trywrlock(&rw->rw) == 0;
}

bool
goc_rwmutex_try_rlock(goc_rwmutex *rw)
{
    writer_preferring(rw);
    return pthread_rwlock_tryrdlock(&rw->rw) == 0;
}

void
goc_cond_wait(goc_cond *c, goc_mutex *m)
{
    pthread_cond_wait(&c->c, &m->m);
}

int
goc_cond_wait_until(goc_cond *c, goc_mutex *m, goc_time deadline)
{
    struct timespec ts;
    int r;

    if (deadline == GOC_FOREVER) {
        pthread_cond_wait(&c->c, &m->m);
        return 0;
    }
    if (deadline < 0)
        deadline = 0; /* long past: a negative timespec would be EINVAL */
    ts.tv_sec = deadline / GOC_SECOND;
    ts.tv_nsec = deadline % GOC_SECOND;
    /* pthread_cond_timedwait measures a zero-initialised condvar against
     * CLOCK_REALTIME, which jumps when the wall clock is set; clockwait
     * (glibc 2.30) takes our monotonic deadline as it is. */
    r = pthread_cond_clockwait(&c->c, &m->m, CLOCK_MONOTONIC, &ts);
    return r == ETIMEDOUT ? GOC_ETIMEDOUT : 0;
}

void
goc_cond_signal(goc_cond *c)
{
    pthread_cond_signal(&c->c);
}

void
goc_cond_broadcast(goc_cond *c)
{
    pthread_cond_broadcast(&c->c);
}
