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
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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
