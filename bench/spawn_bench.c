/*
 * spawn_bench.c - thread creation and join in a loop, the thread-lifetime
 * workload of bench/run.sh's shim section (native, gctrace, TSan,
 * Helgrind, DRD).
 *
 *   spawn_bench [THREADS]
 *
 * The main thread creates THREADS threads (default 20000) one after the
 * other, each from the same call site, and joins each before creating the
 * next; the thread returns its argument plus one.  Prints one line for
 * run.sh:
 *
 *   bench=spawn mode=create_join ops=20000 ns=... ns_per_op=...
 *
 * One op is one create plus one join.  The sum of the returned values is
 * checked; a wrong one makes the program exit 1.
 */
#include "bench_util.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void *
body(void *arg)
{
    return (void *)((uintptr_t)arg + 1);
}

int
main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 20000;
    if (argc > 2 || n <= 0) {
        fprintf(stderr, "usage: spawn_bench [THREADS]\n");
        return 2;
    }
    uint64_t sum = 0;
    int64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        pthread_t th;
        void *ret;
        int err = pthread_create(&th, NULL, body, (void *)(uintptr_t)i);
        if (err == 0)
            err = pthread_join(th, &ret);
        if (err != 0) {
            fprintf(stderr, "spawn_bench: %s\n", strerror(err));
            return 1;
        }
        sum += (uintptr_t)ret;
    }
    int64_t ns = now_ns() - t0;

    if (sum != (uint64_t)n * (uint64_t)(n + 1) / 2) {
        fprintf(stderr, "spawn_bench: bad sum %" PRIu64 "\n", sum);
        return 1;
    }
    printf("bench=spawn mode=create_join ops=%ld ns=%" PRId64
           " ns_per_op=%.2f\n",
           n, ns, (double)ns / (double)n);
    return 0;
}
