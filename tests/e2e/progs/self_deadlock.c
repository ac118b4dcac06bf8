/*
 * self_deadlock.c MODE - main locks a mutex twice.
 *   normal      a NORMAL mutex: the second lock never returns (the bug)
 *   errorcheck  an error-checking one: the second lock answers EDEADLK
 *   recursive   a recursive one: the second lock is taken again
 *   read_write  an rwlock read-locked, then write-locked: glibc's writer
 *               waits for every reader, itself too, for good (the bug)
 *   read_unlock_write  its twin: read-locked, unlocked, write-locked
 * The twins print what the second call answered and exit 0.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "normal";
    pthread_mutexattr_t a;
    pthread_mutex_t m;

    if (!strncmp(mode, "read_", 5)) {
        pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
        pthread_rwlock_rdlock(&rw);
        puts("locked once");
        fflush(stdout);
        if (!strcmp(mode, "read_unlock_write"))
            pthread_rwlock_unlock(&rw);
        int r = pthread_rwlock_wrlock(&rw);
        printf("second lock: %s\n", r == 0 ? "0" : "?");
        pthread_rwlock_unlock(&rw);
        return 0;
    }

    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, !strcmp(mode, "errorcheck")
                                      ? PTHREAD_MUTEX_ERRORCHECK
                                  : !strcmp(mode, "recursive")
                                      ? PTHREAD_MUTEX_RECURSIVE
                                      : PTHREAD_MUTEX_NORMAL);
    pthread_mutex_init(&m, &a);
    pthread_mutex_lock(&m);
    puts("locked once");
    fflush(stdout);
    int r = pthread_mutex_lock(&m);
    printf("second lock: %s\n", r == EDEADLK ? "EDEADLK" : r == 0 ? "0" : "?");
    if (r == 0)
        pthread_mutex_unlock(&m);
    pthread_mutex_unlock(&m);
    return 0;
}
