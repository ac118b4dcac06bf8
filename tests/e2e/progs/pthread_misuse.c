/*
 * pthread_misuse.c - misuse of pthread locks that glibc answers with an
 * error code, one per mode, each beside a twin that does the same work
 * correctly.  Every mode runs to completion in one thread and prints
 * each call's answer, so that a run under the recorder can be compared
 * with a run without it.
 *
 *   destroyed_lock / ok_destroyed_lock
 *       lock, trylock and unlock of a destroyed mutex (EINVAL) / the
 *       same mutex made again, by pthread_mutex_init and by assigning
 *       PTHREAD_MUTEX_INITIALIZER, before each use
 *   relock_errorcheck / ok_relock_errorcheck
 *       an error-checking mutex locked again by its holder (EDEADLK) /
 *       tried again by its holder (EBUSY), and a recursive mutex locked
 *       twice
 *   relock_rwlock / ok_relock_rwlock
 *       an rwlock held for writing asked for again, for writing and for
 *       reading (EDEADLK both) / read-locked twice by one thread, which
 *       glibc's default rwlock allows, and tried for writing (EBUSY)
 *   rwlock_not_held / ok_rwlock_not_held
 *       unlock of an rwlock the thread never locked / every way of
 *       locking one, each with its unlock
 *   bad_deadline / ok_deadline
 *       a condvar timedwait and a semaphore timedwait given tv_nsec out
 *       of range (EINVAL) / given a deadline that has passed (ETIMEDOUT)
 *   cond_two_mutexes / ok_cond_two_mutexes
 *       a thread waits on a condvar with mutex m1 (main waits until it
 *       sleeps in the kernel); main waits on it with m2 meanwhile / only
 *       once the first wait has ended and its thread was joined
 *   barrier_zero / ok_barrier_zero
 *       a barrier made with a count of 0 (EINVAL) / of 1, waited on
 *   sem_destroy_busy / ok_sem_destroy
 *       a semaphore destroyed while a thread waits on it (glibc's destroy
 *       does nothing: the post that follows still wakes the thread) /
 *       destroyed once the thread, woken, was joined
 *   sem_reinit_busy / ok_sem_reinit
 *       a semaphore made again while a thread waits on it (the thread is
 *       then woken by a signal: sem_wait answers EINTR) / made again
 *       once the thread, woken by a post, was joined
 *   barrier_destroy_busy / ok_barrier_destroy
 *       a barrier of 2 destroyed, by a second thread, while a thread
 *       waits on it: glibc's destroy waits for the round to end, and a
 *       round ended then loses the waiter, so main exits with both
 *       blocked (the waiter is a leaked thread) / destroyed after the
 *       round
 *   barrier_reinit_busy / ok_barrier_reinit
 *       a barrier of 2 made again while a thread waits on it; two more
 *       threads complete a round of the new one, which releases the
 *       first / made again after the round
 *   mutex_reinit_busy / ok_mutex_reinit
 *       a locked mutex made again; the unlock that follows finds it
 *       unlocked (unlock_of_unlocked) / made again after its destroy
 *   rwlock_reinit_busy / ok_rwlock_reinit
 *       an rwlock held for writing made again / after its destroy
 *   sem_destroyed_wait / ok_sem_destroyed_wait
 *       a thread waits on a destroyed semaphore (glibc's destroy changes
 *       nothing: main's post still wakes it) / on one made again by
 *       sem_init after its destroy
 *   signal_outside / ok_signal_inside
 *       a thread waits on a condvar with m1 (main waits until it sleeps);
 *       main sets the predicate under m1 and signals after unlocking it
 *       (dubious: reported with check_signal_mutex=1 only) / signals
 *       before unlocking it
 *   end_holding / ok_end_holding
 *       main returns holding a mutex, and ends the process: the same
 *       misuse as a thread that ends holding one / main unlocks it first
 *   exit_holding / ok_exit_holding
 *       main calls exit holding an rwlock for reading / after unlocking
 */
#define _GNU_SOURCE
#include "sleeping.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void
say(const char *call, int r)
{
    printf("%s: %s\n", call, r == 0 ? "0" : strerror(r));
}

static void
destroyed_lock(void)
{
    pthread_mutex_t m;

    pthread_mutex_init(&m, NULL);
    say("destroy", pthread_mutex_destroy(&m));
    say("lock", pthread_mutex_lock(&m));
    say("trylock", pthread_mutex_trylock(&m));
    say("unlock", pthread_mutex_unlock(&m));
}

static void
ok_destroyed_lock(void)
{
    pthread_mutex_t m;

    pthread_mutex_init(&m, NULL);
    say("destroy", pthread_mutex_destroy(&m));
    say("init", pthread_mutex_init(&m, NULL));
    say("lock", pthread_mutex_lock(&m));
    say("unlock", pthread_mutex_unlock(&m));
    say("destroy", pthread_mutex_destroy(&m));
    m = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
    say("trylock", pthread_mutex_trylock(&m));
    say("unlock", pthread_mutex_unlock(&m));
    say("destroy", pthread_mutex_destroy(&m));
}

static void
errorcheck_init(pthread_mutex_t *m, int type)
{
    pthread_mutexattr_t a;

    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, type);
    pthread_mutex_init(m, &a);
    pthread_mutexattr_destroy(&a);
}

static void
relock_errorcheck(void)
{
    pthread_mutex_t m;

    errorcheck_init(&m, PTHREAD_MUTEX_ERRORCHECK);
    say("lock", pthread_mutex_lock(&m));
    say("lock", pthread_mutex_lock(&m));
    say("unlock", pthread_mutex_unlock(&m));
    say("destroy", pthread_mutex_destroy(&m));
}

static void
ok_relock_errorcheck(void)
{
    pthread_mutex_t m, r;

    errorcheck_init(&m, PTHREAD_MUTEX_ERRORCHECK);
    say("lock", pthread_mutex_lock(&m));
    say("trylock", pthread_mutex_trylock(&m));
    say("unlock", pthread_mutex_unlock(&m));
    say("lock", pthread_mutex_lock(&m));
    say("unlock", pthread_mutex_unlock(&m));
    say("destroy", pthread_mutex_destroy(&m));
    errorcheck_init(&r, PTHREAD_MUTEX_RECURSIVE);
    say("lock", pthread_mutex_lock(&r));
    say("lock", pthread_mutex_lock(&r));
    say("unlock", pthread_mutex_unlock(&r));
    say("unlock", pthread_mutex_unlock(&r));
    say("destroy", pthread_mutex_destroy(&r));
}

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;

static void
relock_rwlock(void)
{
    say("wrlock", pthread_rwlock_wrlock(&rw));
    say("wrlock", pthread_rwlock_wrlock(&rw));
    say("rdlock", pthread_rwlock_rdlock(&rw));
    say("unlock", pthread_rwlock_unlock(&rw));
}

static void
ok_relock_rwlock(void)
{
    say("rdlock", pthread_rwlock_rdlock(&rw));
    say("rdlock", pthread_rwlock_rdlock(&rw));
    say("trywrlock", pthread_rwlock_trywrlock(&rw));
    say("unlock", pthread_rwlock_unlock(&rw));
    say("unlock", pthread_rwlock_unlock(&rw));
    say("wrlock", pthread_rwlock_wrlock(&rw));
    say("unlock", pthread_rwlock_unlock(&rw));
}

static void
rwlock_not_held(void)
{
    say("rdlock", pthread_rwlock_rdlock(&rw));
    say("unlock", pthread_rwlock_unlock(&rw));
    say("unlock", pthread_rwlock_unlock(&rw)); /* held no more */
}

static void
ok_rwlock_not_held(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 10;
    say("rdlock", pthread_rwlock_rdlock(&rw));
    say("unlock", pthread_rwlock_unlock(&rw));
    say("wrlock", pthread_rwlock_wrlock(&rw));
    say("unlock", pthread_rwlock_unlock(&rw));
    say("tryrdlock", pthread_rwlock_tryrdlock(&rw));
    say("unlock", pthread_rwlock_unlock(&rw));
    say("trywrlock", pthread_rwlock_trywrlock(&rw));
    say("unlock", pthread_rwlock_unlock(&rw));
    say("timedrdlock", pthread_rwlock_timedrdlock(&rw, &ts));
    say("unlock", pthread_rwlock_unlock(&rw));
    say("timedwrlock", pthread_rwlock_timedwrlock(&rw, &ts));
    say("unlock", pthread_rwlock_unlock(&rw));
}

/* A deadline that has passed, or with nanoseconds out of range. */
static struct timespec
deadline(bool valid)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec -= 1;
    if (!valid)
        ts.tv_nsec = 1000000000L;
    return ts;
}

static pthread_mutex_t m1 = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t m2 = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

static void
timed_waits(bool valid)
{
    struct timespec ts = deadline(valid);
    sem_t s;

    pthread_mutex_lock(&m1);
    say("cond_timedwait", pthread_cond_timedwait(&cv, &m1, &ts));
    pthread_mutex_unlock(&m1);
    sem_init(&s, 0, 0);
    say("sem_timedwait", sem_timedwait(&s, &ts) == 0 ? 0 : errno);
    sem_destroy(&s);
}

static void
bad_deadline(void)
{
    timed_waits(false);
}

static void
ok_deadline(void)
{
    timed_waits(true);
}

static _Atomic int waiter_tid;
static bool done;

static void *
cond_waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m1);
    waiter_tid = (int)syscall(SYS_gettid);
    while (!done)
        pthread_cond_wait(&cv, &m1);
    pthread_mutex_unlock(&m1);
    return NULL;
}

/* A wait on cv with m2 (one that has timed out already), while the
 * waiter waits with m1 (during) or after it ended. */
static void
two_mutexes(bool during)
{
    pthread_t t;
    struct timespec ts = deadline(true);

    pthread_create(&t, NULL, cond_waiter, NULL);
    while (waiter_tid == 0)
        sched_yield();
    wait_in_futex(waiter_tid, &cv, sizeof cv); /* in its wait, m1 released */
    if (!during) {
        pthread_mutex_lock(&m1);
        done = true;
        pthread_cond_signal(&cv);
        pthread_mutex_unlock(&m1);
        pthread_join(t, NULL);
    }
    pthread_mutex_lock(&m2);
    say("cond_timedwait", pthread_cond_timedwait(&cv, &m2, &ts));
    pthread_mutex_unlock(&m2);
    if (during) {
        pthread_mutex_lock(&m1);
        done = true;
        pthread_cond_signal(&cv);
        pthread_mutex_unlock(&m1);
        pthread_join(t, NULL);
    }
}

static void
cond_two_mutexes(void)
{
    two_mutexes(true);
}

static void
ok_cond_two_mutexes(void)
{
    two_mutexes(false);
}

static void
barrier_zero(void)
{
    pthread_barrier_t b;

    say("barrier_init", pthread_barrier_init(&b, NULL, 0));
}

/* A barrier wait's answer, the same for every thread of a round. */
static int
barrier_wait(pthread_barrier_t *b)
{
    int r = pthread_barrier_wait(b);
    return r == PTHREAD_BARRIER_SERIAL_THREAD ? 0 : r;
}

static void
ok_barrier_zero(void)
{
    pthread_barrier_t b;

    say("barrier_init", pthread_barrier_init(&b, NULL, 1));
    say("barrier_wait", barrier_wait(&b));
    say("barrier_destroy", pthread_barrier_destroy(&b));
}

static sem_t sem;
static _Atomic int sem_tid;

static int sem_wait_answer;

/* Its answer is printed by main, once joined: the output's order is
 * then the same in every run. */
static void *
sem_waiter(void *arg)
{
    (void)arg;
    sem_tid = (int)syscall(SYS_gettid);
    sem_wait_answer = sem_wait(&sem) == 0 ? 0 : errno;
    return NULL;
}

static void
on_usr1(int sig)
{
    (void)sig;
}

/* A thread waits on sem; main acts (destroy or init, before the waiter
 * is woken when busy, after it was joined when not). */
static void
sem_case(bool busy, bool reinit)
{
    pthread_t t;

    struct sigaction sa = {.sa_handler = on_usr1}; /* no SA_RESTART */
    sigaction(SIGUSR1, &sa, NULL);
    sem_init(&sem, 0, 0);
    pthread_create(&t, NULL, sem_waiter, NULL);
    while (sem_tid == 0)
        sched_yield();
    wait_in_futex(sem_tid, &sem, sizeof sem);
    if (busy) {
        say(reinit ? "sem_init" : "sem_destroy",
            reinit ? sem_init(&sem, 0, 0) : sem_destroy(&sem));
        if (reinit) /* the post would find no waiter to wake */
            pthread_kill(t, SIGUSR1);
        else
            say("sem_post", sem_post(&sem));
        pthread_join(t, NULL);
        say("sem_wait", sem_wait_answer);
    } else {
        say("sem_post", sem_post(&sem));
        pthread_join(t, NULL);
        say("sem_wait", sem_wait_answer);
        say(reinit ? "sem_init" : "sem_destroy",
            reinit ? sem_init(&sem, 0, 0) : sem_destroy(&sem));
    }
}

static void sem_destroy_busy(void) { sem_case(true, false); }
static void ok_sem_destroy(void) { sem_case(false, false); }
static void sem_reinit_busy(void) { sem_case(true, true); }
static void ok_sem_reinit(void) { sem_case(false, true); }

static pthread_barrier_t bar;
static _Atomic int bar_tids[3];

/* Waits on bar once; arg: the slot of its tid. */
static void *
bar_waiter(void *arg)
{
    bar_tids[(long)arg] = (int)syscall(SYS_gettid);
    say("barrier_wait", barrier_wait(&bar));
    return NULL;
}

static void *
bar_destroyer(void *arg)
{
    bar_tids[(long)arg] = (int)syscall(SYS_gettid);
    say("barrier_destroy", pthread_barrier_destroy(&bar));
    return NULL;
}

static void
started(pthread_t *t, void *(*fn)(void *), long slot)
{
    pthread_create(t, NULL, fn, (void *)slot);
    while (bar_tids[slot] == 0)
        sched_yield();
}

static void
barrier_destroy_case(bool busy)
{
    pthread_t t, d;

    pthread_barrier_init(&bar, NULL, 2);
    started(&t, bar_waiter, 0);
    wait_in_futex(bar_tids[0], &bar, sizeof bar); /* in the barrier */
    if (busy) {
        started(&d, bar_destroyer, 1);
        wait_in_futex(bar_tids[1], &bar, sizeof bar); /* in glibc's destroy, for good */
        say("exit", 0);
        fflush(stdout);
        exit(0);
    } else {
        say("barrier_wait", barrier_wait(&bar));
        pthread_join(t, NULL);
        say("barrier_destroy", pthread_barrier_destroy(&bar));
    }
}

static void barrier_destroy_busy(void) { barrier_destroy_case(true); }
static void ok_barrier_destroy(void) { barrier_destroy_case(false); }

static void
barrier_reinit_case(bool busy)
{
    pthread_t t, x, y;

    pthread_barrier_init(&bar, NULL, 2);
    started(&t, bar_waiter, 0);
    wait_in_futex(bar_tids[0], &bar, sizeof bar);
    if (busy) {
        /* t sleeps in a round the new barrier knows nothing of: whether
         * later waiters would release it is up to glibc's internals, so
         * it is left stranded, and the process ends. */
        say("barrier_init", pthread_barrier_init(&bar, NULL, 2));
        say("exit", 0);
        fflush(stdout);
        exit(0);
    }
    say("barrier_wait", barrier_wait(&bar));
    pthread_join(t, NULL);
    say("barrier_init", pthread_barrier_init(&bar, NULL, 2));
    started(&x, bar_waiter, 1);
    started(&y, bar_waiter, 2);
    pthread_join(x, NULL);
    pthread_join(y, NULL);
    say("barrier_destroy", pthread_barrier_destroy(&bar));
}

static void barrier_reinit_busy(void) { barrier_reinit_case(true); }
static void ok_barrier_reinit(void) { barrier_reinit_case(false); }

static void
mutex_reinit(bool busy)
{
    pthread_mutex_t m;

    pthread_mutex_init(&m, NULL);
    say("lock", pthread_mutex_lock(&m));
    if (!busy) {
        say("unlock", pthread_mutex_unlock(&m));
        say("destroy", pthread_mutex_destroy(&m));
    }
    say("init", pthread_mutex_init(&m, NULL));
    if (!busy)
        say("lock", pthread_mutex_lock(&m));
    say("unlock", pthread_mutex_unlock(&m));
    say("destroy", pthread_mutex_destroy(&m));
}

static void mutex_reinit_busy(void) { mutex_reinit(true); }
static void ok_mutex_reinit(void) { mutex_reinit(false); }

static void
rwlock_reinit(bool busy)
{
    pthread_rwlock_t l;

    pthread_rwlock_init(&l, NULL);
    say("wrlock", pthread_rwlock_wrlock(&l));
    if (!busy) {
        say("unlock", pthread_rwlock_unlock(&l));
        say("destroy", pthread_rwlock_destroy(&l));
    }
    say("init", pthread_rwlock_init(&l, NULL));
    if (!busy)
        say("wrlock", pthread_rwlock_wrlock(&l));
    say("unlock", pthread_rwlock_unlock(&l));
    say("destroy", pthread_rwlock_destroy(&l));
}

static void rwlock_reinit_busy(void) { rwlock_reinit(true); }
static void ok_rwlock_reinit(void) { rwlock_reinit(false); }

static void
sem_destroyed_wait_case(bool reinit)
{
    pthread_t t;

    sem_init(&sem, 0, 0);
    say("sem_destroy", sem_destroy(&sem));
    if (reinit)
        say("sem_init", sem_init(&sem, 0, 0));
    pthread_create(&t, NULL, sem_waiter, NULL);
    while (sem_tid == 0)
        sched_yield();
    wait_in_futex(sem_tid, &sem, sizeof sem); /* blocked in its wait */
    say("sem_post", sem_post(&sem));
    pthread_join(t, NULL);
    say("sem_wait", sem_wait_answer);
}

static void sem_destroyed_wait(void) { sem_destroyed_wait_case(false); }
static void ok_sem_destroyed_wait(void) { sem_destroyed_wait_case(true); }

static void
signal_case(bool inside)
{
    pthread_t t;

    pthread_create(&t, NULL, cond_waiter, NULL);
    while (waiter_tid == 0)
        sched_yield();
    wait_in_futex(waiter_tid, &cv, sizeof cv); /* in its condvar wait */
    pthread_mutex_lock(&m1);
    done = true;
    if (inside)
        say("signal", pthread_cond_signal(&cv));
    pthread_mutex_unlock(&m1);
    if (!inside)
        say("signal", pthread_cond_signal(&cv));
    pthread_join(t, NULL);
}

static void signal_outside(void) { signal_case(false); }
static void ok_signal_inside(void) { signal_case(true); }

static void
end_holding(void)
{
    say("lock", pthread_mutex_lock(&m1));
}

static void
ok_end_holding(void)
{
    say("lock", pthread_mutex_lock(&m1));
    say("unlock", pthread_mutex_unlock(&m1));
}

static void
exit_holding(void)
{
    say("rdlock", pthread_rwlock_rdlock(&rw));
    fflush(stdout);
    exit(0);
}

static void
ok_exit_holding(void)
{
    say("rdlock", pthread_rwlock_rdlock(&rw));
    say("unlock", pthread_rwlock_unlock(&rw));
    fflush(stdout);
    exit(0);
}

static const struct {
    const char *name;
    void (*run)(void);
} modes[] = {
    {"destroyed_lock", destroyed_lock},
    {"ok_destroyed_lock", ok_destroyed_lock},
    {"relock_errorcheck", relock_errorcheck},
    {"ok_relock_errorcheck", ok_relock_errorcheck},
    {"relock_rwlock", relock_rwlock},
    {"ok_relock_rwlock", ok_relock_rwlock},
    {"rwlock_not_held", rwlock_not_held},
    {"ok_rwlock_not_held", ok_rwlock_not_held},
    {"bad_deadline", bad_deadline},
    {"ok_deadline", ok_deadline},
    {"cond_two_mutexes", cond_two_mutexes},
    {"ok_cond_two_mutexes", ok_cond_two_mutexes},
    {"barrier_zero", barrier_zero},
    {"ok_barrier_zero", ok_barrier_zero},
    {"sem_destroy_busy", sem_destroy_busy},
    {"ok_sem_destroy", ok_sem_destroy},
    {"sem_reinit_busy", sem_reinit_busy},
    {"ok_sem_reinit", ok_sem_reinit},
    {"barrier_destroy_busy", barrier_destroy_busy},
    {"ok_barrier_destroy", ok_barrier_destroy},
    {"barrier_reinit_busy", barrier_reinit_busy},
    {"ok_barrier_reinit", ok_barrier_reinit},
    {"mutex_reinit_busy", mutex_reinit_busy},
    {"ok_mutex_reinit", ok_mutex_reinit},
    {"rwlock_reinit_busy", rwlock_reinit_busy},
    {"ok_rwlock_reinit", ok_rwlock_reinit},
    {"sem_destroyed_wait", sem_destroyed_wait},
    {"ok_sem_destroyed_wait", ok_sem_destroyed_wait},
    {"signal_outside", signal_outside},
    {"ok_signal_inside", ok_signal_inside},
    {"end_holding", end_holding},
    {"ok_end_holding", ok_end_holding},
    {"exit_holding", exit_holding},
    {"ok_exit_holding", ok_exit_holding},
};

int
main(int argc, char **argv)
{
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (argc > 1 && strcmp(argv[1], modes[i].name) == 0) {
            modes[i].run();
            return 0;
        }
    fprintf(stderr, "usage: %s MODE\n", argv[0]);
    return 2;
}
