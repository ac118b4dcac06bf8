/*
 * behave_exit.c - work that a program does at its very end, after main:
 * the recorder must let all of it run, record it, and still say what it
 * found.  Usage: behave_exit DIR MODE
 *   clean     a library's destructor stops and joins its worker
 *             (behave_exit_lib.c); a thread detaches itself from a
 *             thread-specific-data destructor, as GLib's threads do; an
 *             atexit handler prints to stdout and writes DIR/atexit.txt
 *             through stdio, left for exit to flush; nothing to find
 *   finding   the same, plus a lock-order inversion between two threads
 *             (one after the other: no deadlock), which is found
 *   nojoin    the library's destructor leaves its worker waiting (twin:
 *             a leaked thread)
 *   nodetach  the thread ends without detaching itself, never joined
 *             (twin: an unjoined thread)
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pool_start(const char *dir, bool join);

static char atexit_path[4096];
static pthread_key_t self_detach_key;
static sem_t detached;

static void
at_end(void)
{
    printf("atexit handler ran\n");
    FILE *f = fopen(atexit_path, "w");
    if (f)
        fputs("written at exit\n", f); /* flushed by exit, not here */
}

/* A thread-specific-data destructor, run as the thread ends: GLib
 * releases its thread structure there, and detaches the thread. */
static void
release_self(void *arg)
{
    if (arg == (void *)1)
        pthread_detach(pthread_self());
    sem_post(&detached);
}

static void *
self_detaching(void *arg)
{
    pthread_setspecific(self_detach_key, arg);
    return NULL;
}

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;

static void *
in_order(void *arg)
{
    pthread_mutex_t *first = arg, *second = first == &a ? &b : &a;
    pthread_mutex_lock(first);
    pthread_mutex_lock(second);
    pthread_mutex_unlock(second);
    pthread_mutex_unlock(first);
    return NULL;
}

static void
inversion(void)
{
    pthread_t t;
    pthread_create(&t, NULL, in_order, &a);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, in_order, &b);
    pthread_join(t, NULL);
}

int
main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: behave_exit DIR clean|finding|nojoin|nodetach\n");
        return 2;
    }
    const char *dir = argv[1], *mode = argv[2];
    snprintf(atexit_path, sizeof atexit_path, "%s/atexit.txt", dir);
    atexit(at_end);
    pool_start(dir, strcmp(mode, "nojoin") != 0);

    pthread_t t;
    sem_init(&detached, 0, 0);
    pthread_key_create(&self_detach_key, release_self);
    pthread_create(&t, NULL, self_detaching,
                   (void *)(uintptr_t)(strcmp(mode, "nodetach") != 0 ? 1 : 2));
    sem_wait(&detached); /* its destructor ran */

    if (strcmp(mode, "finding") == 0)
        inversion();
    printf("main returns\n");
    return 0;
}
