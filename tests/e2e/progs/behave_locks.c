/*
 * behave_locks.c - lock calls whose answer does not come from a plain
 * "free or busy": the recorder, which tries a lock before it waits for
 * it, must give the program the same answers glibc gives.  Each line is
 * "what: answer"; the test compares the output natively and traced.
 *   (no argument)  every probe below; exits 0
 *   died           a thread ends holding a normal mutex (the misuse
 *                  twin of the robust probes: it must be reported)
 * Probes:
 *   robust mutexes whose owner thread died holding them: lock, timedlock
 *   and trylock answer EOWNERDEAD with the mutex taken (a thread that
 *   dies holding a robust mutex is that mutex's intended use);
 *   pthread_mutex_clocklock with a clock glibc does not accept: EINVAL,
 *   the mutex stays free;
 *   a priority-protect mutex locked by a thread whose priority is above
 *   the ceiling: EINVAL (under SCHED_FIFO, when the process may use it);
 *   timed rwlock and semaphore waits with an invalid time on a free lock;
 *   sem_wait with a cancellation pending acts on it even when the
 *   semaphore is free (sem_wait is a cancellation point).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void
show(const char *what, int r)
{
    const char *n = r == 0 ? "0" : strerrorname_np(r);
    printf("%s: %s\n", what, n ? n : "?");
}

static struct timespec
in_ms(long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += ms * 1000000L;
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    return ts;
}

static void *
lock_and_die(void *m)
{
    pthread_mutex_lock(m);
    return NULL; /* ends holding it */
}

/* m made robust, then orphaned: its owner thread ended holding it. */
static void
orphan(pthread_mutex_t *m, int type)
{
    pthread_mutexattr_t a;
    pthread_t th;

    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    pthread_mutexattr_settype(&a, type);
    pthread_mutex_init(m, &a);
    pthread_mutexattr_destroy(&a);
    pthread_create(&th, NULL, lock_and_die, m);
    pthread_join(th, NULL);
}

/* Makes a robust mutex consistent and frees it, as a program that
 * repaired the state it guards would; prints what each step answered. */
static void
recover(const char *what, pthread_mutex_t *m)
{
    char line[64];
    snprintf(line, sizeof line, "%s consistent", what);
    show(line, pthread_mutex_consistent(m));
    snprintf(line, sizeof line, "%s unlock", what);
    show(line, pthread_mutex_unlock(m));
    snprintf(line, sizeof line, "%s relock", what);
    show(line, pthread_mutex_lock(m));
    pthread_mutex_unlock(m);
    pthread_mutex_destroy(m);
}

static void
robust(void)
{
    pthread_mutex_t m;
    struct timespec ts = in_ms(50);

    orphan(&m, PTHREAD_MUTEX_NORMAL);
    show("robust lock", pthread_mutex_lock(&m));
    recover("robust lock", &m);

    orphan(&m, PTHREAD_MUTEX_NORMAL);
    show("robust timedlock", pthread_mutex_timedlock(&m, &ts));
    recover("robust timedlock", &m);

    orphan(&m, PTHREAD_MUTEX_ERRORCHECK);
    show("robust errorcheck clocklock",
         pthread_mutex_clocklock(&m, CLOCK_MONOTONIC, &ts));
    recover("robust errorcheck clocklock", &m);

    orphan(&m, PTHREAD_MUTEX_NORMAL);
    show("robust trylock", pthread_mutex_trylock(&m));
    recover("robust trylock", &m);

    /* Not made consistent: the next owner finds it unrecoverable. */
    orphan(&m, PTHREAD_MUTEX_NORMAL);
    show("robust abandoned lock", pthread_mutex_lock(&m));
    show("robust abandoned unlock", pthread_mutex_unlock(&m));
    show("robust unrecoverable lock", pthread_mutex_lock(&m));
    show("robust unrecoverable timedlock", pthread_mutex_timedlock(&m, &ts));
}

static void
bad_clock(void)
{
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    struct timespec ts = in_ms(50);

    show("clocklock CLOCK_PROCESS_CPUTIME_ID",
         pthread_mutex_clocklock(&m, CLOCK_PROCESS_CPUTIME_ID, &ts));
    show("after it, trylock", pthread_mutex_trylock(&m));
    show("after it, unlock", pthread_mutex_unlock(&m));
    show("clocklock CLOCK_MONOTONIC",
         pthread_mutex_clocklock(&m, CLOCK_MONOTONIC, &ts));
    pthread_mutex_unlock(&m);
}

static void *
pp_probe(void *arg)
{
    pthread_mutex_t *m = arg;
    show("prio-protect lock above ceiling", pthread_mutex_lock(m));
    struct timespec ts = in_ms(50);
    show("prio-protect timedlock above ceiling",
         pthread_mutex_timedlock(m, &ts));
    show("prio-protect trylock above ceiling", pthread_mutex_trylock(m));
    return NULL;
}

static void
prio_protect(void)
{
    pthread_mutexattr_t a;
    pthread_mutex_t m;
    pthread_attr_t ta;
    struct sched_param sp = {.sched_priority = 10};
    pthread_t th;

    pthread_mutexattr_init(&a);
    pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_PROTECT);
    pthread_mutexattr_setprioceiling(&a, 5);
    pthread_mutex_init(&m, &a);
    pthread_attr_init(&ta);
    pthread_attr_setinheritsched(&ta, PTHREAD_EXPLICIT_SCHED);
    pthread_attr_setschedpolicy(&ta, SCHED_FIFO);
    pthread_attr_setschedparam(&ta, &sp);
    if (pthread_create(&th, &ta, pp_probe, &m) != 0) {
        /* no right to SCHED_FIFO: the same lines, said the same way */
        printf("prio-protect: not permitted\n");
        return;
    }
    pthread_join(th, NULL);
    pthread_attr_destroy(&ta);
    pthread_mutex_destroy(&m);
}

static void
bad_times(void)
{
    pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
    struct timespec bad = {.tv_sec = 0, .tv_nsec = 2000000000L};
    sem_t s;

    show("timedrdlock invalid time", pthread_rwlock_timedrdlock(&rw, &bad));
    show("after it, trywrlock", pthread_rwlock_trywrlock(&rw));
    pthread_rwlock_unlock(&rw);
    show("timedwrlock invalid time", pthread_rwlock_timedwrlock(&rw, &bad));
    show("after it, tryrdlock", pthread_rwlock_tryrdlock(&rw));
    pthread_rwlock_unlock(&rw);

    sem_init(&s, 0, 1);
    errno = 0;
    int r = sem_timedwait(&s, &bad);
    show("sem_timedwait invalid time", r == 0 ? 0 : errno);
    show("after it, sem_trywait", sem_trywait(&s) == 0 ? 0 : errno);
    sem_destroy(&s);
}

static sem_t free_sem;

static void *
cancelled_waiter(void *arg)
{
    (void)arg;
    pthread_cancel(pthread_self()); /* pending: deferred cancellation */
    sem_wait(&free_sem);            /* free, but a cancellation point */
    return (void *)1;
}

static void
cancel_point(void)
{
    pthread_t th;
    void *ret;
    int v = -1;

    sem_init(&free_sem, 0, 1);
    pthread_create(&th, NULL, cancelled_waiter, NULL);
    pthread_join(th, &ret);
    sem_getvalue(&free_sem, &v);
    printf("sem_wait with a cancel pending: %s, value %d\n",
           ret == PTHREAD_CANCELED ? "cancelled" : "returned", v);
    sem_destroy(&free_sem);
}

int
main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "died") == 0) {
        static pthread_mutex_t plain = PTHREAD_MUTEX_INITIALIZER;
        pthread_t th;
        pthread_create(&th, NULL, lock_and_die, &plain);
        pthread_join(th, NULL);
        printf("died holding a normal mutex\n");
        return 0;
    }
    robust();
    bad_clock();
    prio_protect();
    bad_times();
    cancel_point();
    return 0;
}
