/*
 * lock_bench.c - a lock-heavy loop: two threads, four pthread mutexes, a
 * critical section of one increment.  bench/run.sh runs it natively, under
 * the gctrace shim, under ThreadSanitizer, Helgrind and DRD, to measure
 * what each costs per lock operation.
 *
 *   lock_bench MODE [OPS]
 *
 * MODE is one of:
 *   flat    each thread takes one mutex at a time, chosen by a fixed
 *           pseudo-random sequence (xorshift, a different seed per thread);
 *           one op is one lock+unlock
 *   nested  each thread takes two distinct mutexes of the four, always in
 *           ascending index order (a consistent order: no deadlock, but
 *           six lock-order edges for the shim to find); one op is the
 *           pair lock a, lock b, unlock b, unlock a
 * OPS is per thread (default 2000000).  Prints one line for run.sh:
 *
 *   bench=lock mode=flat threads=2 ops=4000000 ns=... ns_per_op=...
 *
 * ns_per_op is wall time over all threads' ops (throughput, as the
 * channel benchmarks count it).  A start barrier keeps thread creation off
 * the clock.  Each mutex guards its own counter; at the end the counters
 * must add up to the ops done, or the program exits 1.
 */
#include "bench_util.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NTHREADS 2
#define NLOCKS 4

/* Each mutex and its counter on a cache line of their own, so that false
 * sharing between unrelated locks does not blur the numbers. */
struct slot {
    pthread_mutex_t mu;
    uint64_t count;
} __attribute__((aligned(64)));

static struct slot slots[NLOCKS];
static pthread_barrier_t start;
static long ops_per_thread;
static int nested;

static inline uint32_t
xorshift(uint32_t *s)
{
    uint32_t x = *s;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

static void *
worker(void *arg)
{
    uint32_t seed = 2463534242u + 977u * (uint32_t)(uintptr_t)arg;
    long n = ops_per_thread;

    pthread_barrier_wait(&start);
    if (!nested) {
        for (long i = 0; i < n; i++) {
            struct slot *s = &slots[xorshift(&seed) % NLOCKS];
            check(pthread_mutex_lock(&s->mu), "lock");
            s->count++;
            check(pthread_mutex_unlock(&s->mu), "unlock");
        }
    } else {
        for (long i = 0; i < n; i++) {
            uint32_t r = xorshift(&seed);
            unsigned a = r % NLOCKS;
            unsigned b = (a + 1 + (r >> 8) % (NLOCKS - 1)) % NLOCKS;
            if (a > b) {
                unsigned x = a;
                a = b;
                b = x;
            }
            check(pthread_mutex_lock(&slots[a].mu), "lock");
            check(pthread_mutex_lock(&slots[b].mu), "lock");
            slots[b].count++;
            check(pthread_mutex_unlock(&slots[b].mu), "unlock");
            check(pthread_mutex_unlock(&slots[a].mu), "unlock");
        }
    }
    return NULL;
}

int
main(int argc, char **argv)
{
    if (argc < 2 || argc > 3
        || (strcmp(argv[1], "flat") != 0 && strcmp(argv[1], "nested") != 0)) {
        fprintf(stderr, "usage: lock_bench flat|nested [OPS]\n");
        return 2;
    }
    nested = strcmp(argv[1], "nested") == 0;
    ops_per_thread = argc == 3 ? atol(argv[2]) : 2000000;
    if (ops_per_thread <= 0) {
        fprintf(stderr, "lock_bench: OPS must be positive\n");
        return 2;
    }
    for (int i = 0; i < NLOCKS; i++)
        check(pthread_mutex_init(&slots[i].mu, NULL), "mutex_init");
    check(pthread_barrier_init(&start, NULL, NTHREADS + 1), "barrier_init");

    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        check(pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)i),
              "pthread_create");
    pthread_barrier_wait(&start);
    int64_t t0 = now_ns();
    for (int i = 0; i < NTHREADS; i++)
        check(pthread_join(th[i], NULL), "pthread_join");
    int64_t ns = now_ns() - t0;

    uint64_t total = 0;
    for (int i = 0; i < NLOCKS; i++) {
        total += slots[i].count;
        check(pthread_mutex_destroy(&slots[i].mu), "mutex_destroy");
    }
    long ops = ops_per_thread * NTHREADS;
    if (total != (uint64_t)ops) {
        fprintf(stderr, "lock_bench: counted %" PRIu64 " of %ld ops\n", total,
                ops);
        return 1;
    }
    printf("bench=lock mode=%s threads=%d ops=%ld ns=%" PRId64
           " ns_per_op=%.2f\n",
           argv[1], NTHREADS, ops, ns, (double)ns / (double)ops);
    return 0;
}
