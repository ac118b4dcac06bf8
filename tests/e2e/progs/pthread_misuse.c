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
 */
#define _GNU_SOURCE
#include "sleeping.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdio.h>
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
    wait_sleeping(waiter_tid); /* in its condvar wait, m1 released */
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
