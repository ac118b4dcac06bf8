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
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

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

static const struct {
    const char *name;
    void (*run)(void);
} modes[] = {
    {"destroyed_lock", destroyed_lock},
    {"ok_destroyed_lock", ok_destroyed_lock},
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
