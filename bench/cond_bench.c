/*
 * cond_bench.c - a producer/consumer pair over a bounded queue guarded by
 * one pthread mutex and two condition variables, the condvar workload of
 * bench/run.sh's shim section (native, gctrace, TSan, Helgrind, DRD).
 *
 *   cond_bench [ITEMS]
 *
 * One producer pushes ITEMS integers (default 1000000) into a ring of 128
 * slots, one consumer pops them; every push signals "not empty", every pop
 * signals "not full", and each side waits in a while loop, the way the
 * textbook writes it.  Prints one line for run.sh:
 *
 *   bench=cond mode=queue ops=1000000 ns=... ns_per_op=...
 *
 * One op is one item through the queue.  A start barrier keeps thread
 * creation off the clock.  The consumer checks count and sum; a lost or
 * duplicated item makes the program exit 1.
 */
#include "bench_util.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define QCAP 128

static struct {
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    int64_t ring[QCAP];
    size_t head, len;
} q = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
       PTHREAD_COND_INITIALIZER, {0}, 0, 0};

static pthread_barrier_t start;
static int64_t items;
static int64_t got_count, got_sum;

static void *
producer(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&start);
    for (int64_t i = 1; i <= items; i++) {
        check(pthread_mutex_lock(&q.mu), "lock");
        while (q.len == QCAP)
            check(pthread_cond_wait(&q.not_full, &q.mu), "cond_wait");
        q.ring[(q.head + q.len++) % QCAP] = i;
        check(pthread_cond_signal(&q.not_empty), "cond_signal");
        check(pthread_mutex_unlock(&q.mu), "unlock");
    }
    return NULL;
}

static void *
consumer(void *arg)
{
    int64_t n = 0, sum = 0;

    (void)arg;
    pthread_barrier_wait(&start);
    while (n < items) {
        check(pthread_mutex_lock(&q.mu), "lock");
        while (q.len == 0)
            check(pthread_cond_wait(&q.not_empty, &q.mu), "cond_wait");
        sum += q.ring[q.head];
        q.head = (q.head + 1) % QCAP;
        q.len--;
        check(pthread_cond_signal(&q.not_full), "cond_signal");
        check(pthread_mutex_unlock(&q.mu), "unlock");
        n++;
    }
    got_count = n;
    got_sum = sum;
    return NULL;
}

int
main(int argc, char **argv)
{
    items = argc > 1 ? atoll(argv[1]) : 1000000;
    if (argc > 2 || items <= 0) {
        fprintf(stderr, "usage: cond_bench [ITEMS]\n");
        return 2;
    }
    check(pthread_barrier_init(&start, NULL, 3), "barrier_init");
    pthread_t p, c;
    check(pthread_create(&c, NULL, consumer, NULL), "pthread_create");
    check(pthread_create(&p, NULL, producer, NULL), "pthread_create");
    pthread_barrier_wait(&start);
    int64_t t0 = now_ns();
    check(pthread_join(p, NULL), "pthread_join");
    check(pthread_join(c, NULL), "pthread_join");
    int64_t ns = now_ns() - t0;

    if (got_count != items || got_sum != items * (items + 1) / 2) {
        fprintf(stderr, "cond_bench: got %" PRId64 " items, sum %" PRId64
                        ", expected %" PRId64 "\n",
                got_count, got_sum, items);
        return 1;
    }
    printf("bench=cond mode=queue ops=%" PRId64 " ns=%" PRId64
           " ns_per_op=%.2f\n",
           items, ns, (double)ns / (double)items);
    return 0;
}
