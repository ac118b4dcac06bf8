/*
 * lock_graph.c - a lock-order graph of a given size, for the analysis's
 * scale row (bench/lock_graph.sh): N locks and E distinct edges.  Edge
 * k takes lock i = k mod N, then lock (i + 1 + k / N) mod N, so every
 * lock i is held while taking its next E / N neighbours, wrapping at N:
 * one strongly connected graph with a great many cycles.  Two threads,
 * one after the other, take half the edges each: the first the short
 * hops, the second the long ones, so that the shortest cycles are all
 * the second thread's and cannot deadlock, and the analysis must look
 * further (about N / (E / N) locks long).  The modes:
 *
 *   cycle   as above: one finding
 *   read    rwlocks, every pair taken for reading: no cycle can
 *           deadlock, and the search spends its whole budget to see it
 *
 * Usage: lock_graph [N [E [cycle|read]]]   (10000 1000000 cycle)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t *m;
static pthread_rwlock_t *rw;
static long n = 10000, edges = 1000000;
static const char *mode = "cycle";

static void
pair(long i, long j)
{
    if (rw) {
        pthread_rwlock_rdlock(&rw[i]);
        pthread_rwlock_rdlock(&rw[j]);
        pthread_rwlock_unlock(&rw[j]);
        pthread_rwlock_unlock(&rw[i]);
        return;
    }
    pthread_mutex_lock(&m[i]);
    pthread_mutex_lock(&m[j]);
    pthread_mutex_unlock(&m[j]);
    pthread_mutex_unlock(&m[i]);
}

static void *
take(void *arg)
{
    long half = (long)arg, from = half ? edges / 2 : 0;
    long to = half ? edges : edges / 2;

    for (long k = from; k < to; k++)
        pair(k % n, (k % n + 1 + k / n) % n);
    return NULL;
}

int
main(int argc, char **argv)
{
    if (argc > 1)
        n = atol(argv[1]);
    if (argc > 2)
        edges = atol(argv[2]);
    if (argc > 3)
        mode = argv[3];
    if (n < 2 || edges < 1 || edges > n * (n - 1) ||
        (strcmp(mode, "cycle") && strcmp(mode, "read"))) {
        fprintf(stderr, "usage: lock_graph [N >= 2 [1 <= E <= N(N-1) "
                        "[cycle|read]]]\n");
        return 2;
    }
    if (strcmp(mode, "read") == 0) {
        rw = calloc((size_t)n, sizeof *rw);
        for (long i = 0; rw && i < n; i++)
            pthread_rwlock_init(&rw[i], NULL);
    } else {
        m = calloc((size_t)n, sizeof *m);
        for (long i = 0; m && i < n; i++)
            pthread_mutex_init(&m[i], NULL);
    }
    if (rw == NULL && m == NULL)
        return 1;
    for (long half = 0; half < 2; half++) {
        pthread_t t;
        pthread_create(&t, NULL, take, (void *)half);
        pthread_join(t, NULL);
    }
    printf("lock_graph: %ld locks, %ld edges, %s\n", n, edges, mode);
    return 0;
}
