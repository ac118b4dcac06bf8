/*
 * heap_locks.c N - N mutexes (at most 50,000), each in a heap block of
 * its own, initialised and taken once, then their blocks freed without a
 * destroy: each free ends a lock, which the trace shows as a mem_gone
 * event.  Thousands of locks fill every level of the recorder's set of
 * locks seen (preload/intern.c), where free() must find each of them.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX 50000

static pthread_mutex_t *locks[MAX];

int
main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 0;
    if (n < 1 || n > MAX)
        return 2;
    for (int i = 0; i < n; i++) {
        locks[i] = malloc(sizeof *locks[i]);
        if (locks[i] == NULL || pthread_mutex_init(locks[i], NULL) != 0)
            return 1;
        pthread_mutex_lock(locks[i]);
        pthread_mutex_unlock(locks[i]);
    }
    for (int i = 0; i < n; i++)
        free(locks[i]);
    printf("freed %d\n", n);
    return 0;
}
