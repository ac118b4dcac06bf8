/*
 * deadlock.c - programs that really deadlock, and their twins that do not,
 * for the watchdog test.  The orderings are forced with a barrier, so the
 * deadlocking modes always deadlock.
 *
 *   abba      two threads take A then B and B then A, both holding their
 *             first lock when they reach for the second
 *   ordered   the twin: both take A then B
 *   self      a thread locks a non-recursive mutex it already holds
 *   behind    the same, once two other threads are blocked waiting for
 *             that mutex (the report names them)
 *   workers F two threads deadlock as in abba; main reads a byte from the
 *             file F (a FIFO: the test writes once the watchdog has
 *             reported) and returns, the threads still deadlocked
 *   asleep    main waits on a condvar that nobody will ever signal
 *   timed     the twin: the same wait with a timeout, which ends
 */
#include "sleeping.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_first;
static int ordered;

static void *
second(void *arg)
{
    (void)arg;
    pthread_mutex_t *first = ordered ? &a : &b, *then = ordered ? &b : &a;
    if (!ordered) {
        pthread_mutex_lock(first);
        pthread_barrier_wait(&both_hold_first);
        pthread_mutex_lock(then);
    } else {
        pthread_barrier_wait(&both_hold_first);
        pthread_mutex_lock(first);
        pthread_mutex_lock(then);
    }
    pthread_mutex_unlock(then);
    pthread_mutex_unlock(first);
    return NULL;
}

static _Atomic int waiter_tid[2];

static void *
waiter(void *arg)
{
    atomic_store(&waiter_tid[(long)arg], (int)syscall(SYS_gettid));
    pthread_mutex_lock(&a); /* blocked behind main */
    pthread_mutex_unlock(&a);
    return NULL;
}

/* main holds a, two threads wait for it, then main locks it again. */
static void
behind(void)
{
    pthread_t t[2];
    pthread_mutex_lock(&a); /* behind: main takes a */
    for (long i = 0; i < 2; i++) {
        pthread_create(&t[i], NULL, waiter, (void *)i);
        while (atomic_load(&waiter_tid[i]) == 0)
            sched_yield();
        wait_sleeping(atomic_load(&waiter_tid[i]));
    }
    pthread_mutex_lock(&a); /* behind: main waits for a */
}

static void *
worker_a(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&a);
    pthread_barrier_wait(&both_hold_first);
    pthread_mutex_lock(&b);
    return NULL;
}

static void *
worker_b(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&b);
    pthread_barrier_wait(&both_hold_first);
    pthread_mutex_lock(&a);
    return NULL;
}

/* Two threads deadlock; main returns once told to. */
static void
workers(const char *fifo)
{
    pthread_t t[2];
    char c;
    pthread_barrier_init(&both_hold_first, NULL, 2);
    pthread_create(&t[0], NULL, worker_a, NULL);
    pthread_create(&t[1], NULL, worker_b, NULL);
    FILE *f = fopen(fifo, "r");
    if (f && fread(&c, 1, 1, f) != 1)
        fprintf(stderr, "no byte from %s\n", fifo);
    if (f)
        fclose(f);
}

static int
two_threads(void)
{
    pthread_t t;
    pthread_barrier_init(&both_hold_first, NULL, 2);
    pthread_create(&t, NULL, second, NULL);
    if (!ordered) {
        pthread_mutex_lock(&a); /* abba: main takes a */
        pthread_barrier_wait(&both_hold_first);
        pthread_mutex_lock(&b); /* deadlocks: the other holds b, wants a */
    } else {
        pthread_mutex_lock(&a);
        pthread_mutex_lock(&b);
        pthread_barrier_wait(&both_hold_first);
    }
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
    pthread_join(t, NULL);
    return 0;
}

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "abba";
    pthread_cond_t c = PTHREAD_COND_INITIALIZER;

    if (!strcmp(mode, "abba") || !strcmp(mode, "ordered")) {
        ordered = !strcmp(mode, "ordered");
        two_threads();
    } else if (!strcmp(mode, "self")) {
        pthread_mutex_lock(&a);
        pthread_mutex_lock(&a);
    } else if (!strcmp(mode, "workers") && argc > 2) {
        workers(argv[2]);
    } else if (!strcmp(mode, "behind")) {
        behind();
    } else if (!strcmp(mode, "asleep")) {
        pthread_mutex_lock(&a);
        pthread_cond_wait(&c, &a);
    } else if (!strcmp(mode, "timed")) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 900 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&a);
        pthread_cond_timedwait(&c, &a, &ts);
        pthread_mutex_unlock(&a);
    }
    printf("%s: done\n", mode);
    return 0;
}
