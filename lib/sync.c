/*
 * sync.c - Mutex, RWMutex and Cond: thin wrappers over the pthread objects.
 *
 * They stay plain pthread calls on purpose: gctrace's shim interposes
 * pthread_mutex_*, pthread_rwlock_* and pthread_cond_*, so these locks show
 * up in lock-order graphs and wait reports like any other, without hooks of
 * their own.  The objects protect the caller's data; this file keeps no
 * state.
 *
 * Results of the pthread calls are not checked where the header makes
 * misuse undefined (unlock of an unlocked mutex, as for pthread): a default
 * mutex or rwlock cannot otherwise fail to lock.
 */
#include "goc_impl.h"

#include <errno.h>
#include <sched.h>
#include <time.h>

void
goc_mutex_lock(goc_mutex *m)
{
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

void
goc_rwmutex_lock(goc_rwmutex *rw)
{
    pthread_rwlock_wrlock(&rw->rw);
}

void
goc_rwmutex_unlock(goc_rwmutex *rw)
{
    pthread_rwlock_unlock(&rw->rw);
}

void
goc_rwmutex_rlock(goc_rwmutex *rw)
{
    /* EAGAIN (more than ~2^30 concurrent readers) cannot happen with a
     * realistic number of threads; retrying keeps the void contract. */
    while (pthread_rwlock_rdlock(&rw->rw) == EAGAIN)
        sched_yield();
}

void
goc_rwmutex_runlock(goc_rwmutex *rw)
{
    pthread_rwlock_unlock(&rw->rw);
}

bool
goc_rwmutex_try_lock(goc_rwmutex *rw)
{
    return pthread_rwlock_trywrlock(&rw->rw) == 0;
}

bool
goc_rwmutex_try_rlock(goc_rwmutex *rw)
{
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
