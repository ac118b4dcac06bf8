/*
 * site_stacks.c - waits and lock creations made through shared helpers,
 * from different threads and call paths (tests/e2e/test_site_stacks.sh).
 *
 * Three helpers make every call of interest, so that each has one call
 * site in the program: make_lock (pthread_mutex_init), wait_until
 * (pthread_cond_wait, which always blocks here) and take (a
 * pthread_mutex_lock that is always contended).  They are called by
 * thread alpha, then by thread beta (another start routine), then by
 * thread third twice, once from via_one and once from via_two.  Each
 * wait's and each lock's recorded stack must name its own caller and
 * start routine, not those of the first call made at the site.
 *
 * One thread runs at a time, stepping with main through a barrier; no
 * sleep orders anything.  The wait blocks because main can set the flag
 * only once the waiter gave up the mutex in pthread_cond_wait; take
 * blocks because main holds the lock until it sees a waiter on it (the
 * lock word 2, glibc's "locked, with waiters").
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#define NOINLINE __attribute__((noinline, noclone))

static pthread_mutex_t qm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t qc = PTHREAD_COND_INITIALIZER;
static int go;
static pthread_barrier_t bar;
static pthread_mutex_t locks[4]; /* alpha, beta, via_one, via_two */

static void
check(int err, const char *what)
{
    if (err != 0) {
        fprintf(stderr, "site_stacks: %s failed: %d\n", what, err);
        exit(2);
    }
}

/* The volatile store after each call keeps it from being a tail call,
 * whose frame would vanish from the stack. */
static volatile int after;

NOINLINE static void
make_lock(pthread_mutex_t *m)
{
    check(pthread_mutex_init(m, NULL), "pthread_mutex_init");
    after++;
}

NOINLINE static void
wait_until(int *flag)
{
    while (!*flag)
        check(pthread_cond_wait(&qc, &qm), "pthread_cond_wait");
    after++;
}

NOINLINE static void
take(pthread_mutex_t *m)
{
    check(pthread_mutex_lock(m), "pthread_mutex_lock");
    after++;
}

/* A worker's turn: a lock made, a condvar wait, a contended lock, each
 * through its helper and each called right here, in the function that
 * expands it. */
#define TURN(m)                                                            \
    do {                                                                   \
        make_lock(m);                                                      \
        check(pthread_mutex_lock(&qm), "lock qm");                         \
        pthread_barrier_wait(&bar); /* 1: main now wants qm */             \
        wait_until(&go);                                                   \
        go = 0;                                                            \
        check(pthread_mutex_unlock(&qm), "unlock qm");                     \
        pthread_barrier_wait(&bar); /* 2: main holds m */                  \
        take(m);                                                           \
        check(pthread_mutex_unlock(m), "unlock m");                        \
        after++;                                                           \
    } while (0)

/* Main's side of a turn. */
NOINLINE static void
serve(pthread_mutex_t *m)
{
    pthread_barrier_wait(&bar); /* 1 */
    check(pthread_mutex_lock(&qm), "lock qm"); /* once the waiter waits */
    go = 1;
    check(pthread_cond_broadcast(&qc), "broadcast");
    check(pthread_mutex_unlock(&qm), "unlock qm");
    check(pthread_mutex_lock(m), "lock m");
    pthread_barrier_wait(&bar); /* 2 */
    while (__atomic_load_n(&m->__data.__lock, __ATOMIC_ACQUIRE) != 2)
        sched_yield();
    check(pthread_mutex_unlock(m), "unlock m");
}

NOINLINE static void *
alpha(void *arg)
{
    TURN(&locks[0]);
    return arg;
}

NOINLINE static void *
beta(void *arg)
{
    TURN(&locks[1]);
    return arg;
}

NOINLINE static void
via_one(void)
{
    TURN(&locks[2]);
}

NOINLINE static void
via_two(void)
{
    TURN(&locks[3]);
}

NOINLINE static void *
third(void *arg)
{
    via_one();
    via_two();
    return arg;
}

static void
run(void *(*fn)(void *), int turns, int first)
{
    pthread_t th;

    check(pthread_create(&th, NULL, fn, NULL), "pthread_create");
    for (int i = 0; i < turns; i++)
        serve(&locks[first + i]);
    check(pthread_join(th, NULL), "pthread_join");
}

int
main(void)
{
    check(pthread_barrier_init(&bar, NULL, 2), "pthread_barrier_init");
    run(alpha, 1, 0);
    run(beta, 1, 1);
    run(third, 2, 2);
    return 0;
}
