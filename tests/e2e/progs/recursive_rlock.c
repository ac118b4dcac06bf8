/*
 * recursive_rlock.c MODE - a thread read-locks an rwlock it already holds
 * for reading, with no writer around (so the program runs on):
 *   goc        a goc_rwmutex, writer-preferring as Go's RWMutex: in Go a
 *              latent deadlock, the bug
 *   pthread    glibc's default rwlock, reader-preferring: allowed
 *   goc_once   a goc_rwmutex read-locked once by each of two threads, one
 *              after the other: no recursion
 */
#include <goc.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static goc_rwmutex grw = GOC_RWMUTEX_INIT;
static pthread_rwlock_t prw = PTHREAD_RWLOCK_INITIALIZER;

static void *
reader(void *arg)
{
    goc_rwmutex_rlock(&grw);
    goc_rwmutex_runlock(&grw);
    return arg;
}

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "goc";

    if (!strcmp(mode, "goc")) {
        goc_rwmutex_rlock(&grw);
        goc_rwmutex_rlock(&grw);
        goc_rwmutex_runlock(&grw);
        goc_rwmutex_runlock(&grw);
    } else if (!strcmp(mode, "pthread")) {
        pthread_rwlock_rdlock(&prw);
        pthread_rwlock_rdlock(&prw);
        pthread_rwlock_unlock(&prw);
        pthread_rwlock_unlock(&prw);
    } else {
        pthread_t t;
        goc_rwmutex_rlock(&grw);
        goc_rwmutex_runlock(&grw);
        pthread_create(&t, NULL, reader, NULL);
        pthread_join(t, NULL);
    }
    puts("done");
    return 0;
}
