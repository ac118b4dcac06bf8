/*
 * lockring.c - a ring of N locks (default 30), one thread per pair of
 * neighbours, each thread run alone (joined before the next starts), so
 * nothing ever deadlocks and the outcome depends on the analysis alone.
 *
 *   ring      thread i takes L[i] then L[i+1], the last L[N-1] then L[0]:
 *             the edges close one cycle through all N locks, which
 *             deadlocks when the N threads run at once
 *   ordered   the twin: the last thread takes L[0] then L[N-1], so every
 *             thread takes its pair in index order and nothing can
 *             deadlock
 *
 * Usage: lockring ring|ordered [N]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LOCKS 1000

static pthread_mutex_t L[MAX_LOCKS];
static int n = 30;
static int ordered;

static void *
neighbours(void *arg)
{
    int i = (int)(long)arg, j = (i + 1) % n;
    int first = i, second = j;

    if (ordered && j < i) {
        first = j;
        second = i;
    }
    pthread_mutex_lock(&L[first]);
    pthread_mutex_lock(&L[second]);
    pthread_mutex_unlock(&L[second]);
    pthread_mutex_unlock(&L[first]);
    return NULL;
}

int
main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "ring") && strcmp(argv[1], "ordered"))) {
        fprintf(stderr, "usage: lockring ring|ordered [N]\n");
        return 2;
    }
    ordered = strcmp(argv[1], "ordered") == 0;
    if (argc > 2)
        n = atoi(argv[2]);
    if (n < 2 || n > MAX_LOCKS) {
        fprintf(stderr, "lockring: N must be 2..%d\n", MAX_LOCKS);
        return 2;
    }
    for (int i = 0; i < n; i++)
        pthread_mutex_init(&L[i], NULL);
    for (long i = 0; i < n; i++) {
        pthread_t t;
        pthread_create(&t, NULL, neighbours, (void *)i);
        pthread_join(t, NULL);
    }
    printf("lockring %s: %d locks\n", argv[1], n);
    return 0;
}
