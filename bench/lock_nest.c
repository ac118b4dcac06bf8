/*
 * lock_nest.c - a lock-order graph as large as a program makes it: one
 * thread takes N mutexes nested (0, 1, ..., N-1) and releases them, so
 * the recorder writes an edge from every held lock to each new one.
 * With "ring", a second thread then takes N-1 and 0, which puts every
 * lock on a cycle: the analysis must find the short one fast.  The
 * threads run one after the other, so nothing deadlocks.
 *
 * Usage: lock_nest [N [ring]]      (N defaults to 1240)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t *m;
static int n = 1240;

static void *
nest(void *arg)
{
    (void)arg;
    for (int i = 0; i < n; i++)
        pthread_mutex_lock(&m[i]);
    for (int i = n - 1; i >= 0; i--)
        pthread_mutex_unlock(&m[i]);
    return NULL;
}

static void *
close_ring(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m[n - 1]);
    pthread_mutex_lock(&m[0]);
    pthread_mutex_unlock(&m[0]);
    pthread_mutex_unlock(&m[n - 1]);
    return NULL;
}

int
main(int argc, char **argv)
{
    pthread_t t;

    if (argc > 1)
        n = atoi(argv[1]);
    if (n < 2) {
        fprintf(stderr, "usage: lock_nest [N >= 2 [ring]]\n");
        return 2;
    }
    m = calloc((size_t)n, sizeof *m);
    if (m == NULL)
        return 1;
    for (int i = 0; i < n; i++)
        pthread_mutex_init(&m[i], NULL);
    pthread_create(&t, NULL, nest, NULL);
    pthread_join(t, NULL);
    if (argc > 2 && strcmp(argv[2], "ring") == 0) {
        pthread_create(&t, NULL, close_ring, NULL);
        pthread_join(t, NULL);
    }
    printf("lock_nest: %d locks nested\n", n);
    return 0;
}
