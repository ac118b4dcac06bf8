/*
 * queue_bench.c - the baseline for bench/chan_bench.c: the same workloads on
 * a straightforward bounded queue of int64 items guarded by one
 * pthread mutex and two condition variables (not empty, not full), the
 * queue a C programmer writes when there is no channel library.
 *
 * Each queue's mutex protects its ring (head, len) and its closed flag;
 * the condition variables are only waited on and signalled under it.
 * Every push signals "not empty" and every pop signals "not full",
 * unconditionally: that is the textbook version, and glibc makes a signal
 * with no waiter cheap, so adding waiter counts would be tuning the
 * baseline rather than measuring it.
 *
 *   queue_bench MODE [ITEMS]
 *
 * MODE is pingpong, buf1x1, buf4x4 or select4 (bench/README.md describes
 * them); ITEMS defaults per mode.  Prints one line of key=value pairs
 * (wrapped here):
 *
 *   bench=chan impl=queue mode=buf1x1 ops=2000000 ns=... ns_per_op=...
 *   ops_per_s=...
 *
 * select4 has no equivalent on separate queues (a thread cannot wait on
 * several condition variables at once); it is approximated by four rings
 * under one shared mutex with one shared "not empty" condition, which is
 * what one would write instead.
 *
 * The program checks that every item arrived exactly once (count and sum)
 * and exits 1 otherwise, so a fast but wrong run is never reported.
 */
#include "bench_util.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define QCAP 128       /* the same capacity as the channels */
#define NPROD_4X4 4
#define NCONS_4X4 4
#define NSEL 4

/* ------------------------------------------------------------------ queue */

struct queue {
    pthread_mutex_t mu;
    pthread_cond_t not_empty;
    pthread_cond_t not_full;
    int64_t buf[QCAP]; /* ring: len items from head; under mu */
    size_t head;       /* under mu */
    size_t len;        /* under mu */
    bool closed;       /* under mu: no more pushes */
};

static void
queue_init(struct queue *q)
{
    memset(q, 0, sizeof *q);
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->not_empty, NULL);
    pthread_cond_init(&q->not_full, NULL);
}

static void
queue_destroy(struct queue *q)
{
    pthread_cond_destroy(&q->not_full);
    pthread_cond_destroy(&q->not_empty);
    pthread_mutex_destroy(&q->mu);
}

/* Blocks while full.  Returns false when the queue is closed. */
static bool
queue_push(struct queue *q, int64_t v)
{
    pthread_mutex_lock(&q->mu);
    while (q->len == QCAP && !q->closed)
        pthread_cond_wait(&q->not_full, &q->mu);
    if (q->closed) {
        pthread_mutex_unlock(&q->mu);
        return false;
    }
    q->buf[(q->head + q->len) % QCAP] = v;
    q->len++;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->mu);
    return true;
}

/* Blocks while empty.  Returns false when closed and drained. */
static bool
queue_pop(struct queue *q, int64_t *v)
{
    pthread_mutex_lock(&q->mu);
    while (q->len == 0 && !q->closed)
        pthread_cond_wait(&q->not_empty, &q->mu);
    if (q->len == 0) {
        pthread_mutex_unlock(&q->mu);
        return false;
    }
    *v = q->buf[q->head];
    q->head = (q->head + 1) % QCAP;
    q->len--;
    pthread_cond_signal(&q->not_full);
    pthread_mutex_unlock(&q->mu);
    return true;
}

static void
queue_close(struct queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->closed = true;
    pthread_cond_broadcast(&q->not_empty);
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->mu);
}

/* ------------------------------------------------- select4 approximation */

/* Four rings under one lock: the consumer waits on the one "not empty"
 * condition for all of them, each producer on its own ring's "not full". */
struct multiq {
    pthread_mutex_t mu;
    pthread_cond_t not_empty;          /* some ring has an item or closed */
    pthread_cond_t not_full[NSEL];
    int64_t buf[NSEL][QCAP];           /* under mu, as below */
    size_t head[NSEL];
    size_t len[NSEL];
    bool closed[NSEL];
};

static void
multiq_init(struct multiq *m)
{
    memset(m, 0, sizeof *m);
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->not_empty, NULL);
    for (int i = 0; i < NSEL; i++)
        pthread_cond_init(&m->not_full[i], NULL);
}

static void
multiq_destroy(struct multiq *m)
{
    for (int i = 0; i < NSEL; i++)
        pthread_cond_destroy(&m->not_full[i]);
    pthread_cond_destroy(&m->not_empty);
    pthread_mutex_destroy(&m->mu);
}

static void
multiq_push(struct multiq *m, int i, int64_t v)
{
    pthread_mutex_lock(&m->mu);
    while (m->len[i] == QCAP)
        pthread_cond_wait(&m->not_full[i], &m->mu);
    m->buf[i][(m->head[i] + m->len[i]) % QCAP] = v;
    m->len[i]++;
    pthread_cond_signal(&m->not_empty);
    pthread_mutex_unlock(&m->mu);
}

static void
multiq_close(struct multiq *m, int i)
{
    pthread_mutex_lock(&m->mu);
    m->closed[i] = true;
    pthread_cond_signal(&m->not_empty);
    pthread_mutex_unlock(&m->mu);
}

/* Takes an item from some non-empty ring, scanning from a rotating start
 * so that no ring is favoured (select's fairness, roughly).  Returns false
 * once every ring is closed and drained. */
static bool
multiq_pop_any(struct multiq *m, int64_t *v, unsigned *start)
{
    pthread_mutex_lock(&m->mu);
    for (;;) {
        int open = 0;
        for (int k = 0; k < NSEL; k++) {
            int i = (int)((*start + (unsigned)k) % NSEL);
            if (m->len[i] > 0) {
                *v = m->buf[i][m->head[i]];
                m->head[i] = (m->head[i] + 1) % QCAP;
                m->len[i]--;
                pthread_cond_signal(&m->not_full[i]);
                pthread_mutex_unlock(&m->mu);
                *start = (unsigned)i + 1;
                return true;
            }
            if (!m->closed[i])
                open++;
        }
        if (open == 0) {
            pthread_mutex_unlock(&m->mu);
            return false;
        }
        pthread_cond_wait(&m->not_empty, &m->mu);
    }
}

/* ------------------------------------------------------------- workloads */

/* Everything a workload's threads share; the barrier lets the clock start
 * only once every thread exists, so thread creation is not timed. */
struct run {
    int64_t items;
    int nprod;
    pthread_barrier_t start;
    struct queue q[2];
    struct multiq mq;
};

struct worker {
    struct run *r;
    pthread_t tid;
    int id;
    int64_t count; /* consumers: items received */
    int64_t sum;   /* consumers: their sum */
};

static void
spawn(struct worker *w, void *(*fn)(void *))
{
    if (pthread_create(&w->tid, NULL, fn, w) != 0)
        die("pthread_create failed");
}

static void
join(struct worker *w)
{
    pthread_join(w->tid, NULL);
}

static void *
pong_main(void *arg)
{
    struct worker *w = arg;
    int64_t v;

    pthread_barrier_wait(&w->r->start);
    while (queue_pop(&w->r->q[0], &v))
        queue_push(&w->r->q[1], v);
    return NULL;
}

/* Producer id sends id, id + nprod, id + 2 nprod, ... below items, so that
 * all producers together send 0 .. items-1 once each. */
static void *
producer_main(void *arg)
{
    struct worker *w = arg;

    pthread_barrier_wait(&w->r->start);
    for (int64_t v = w->id; v < w->r->items; v += w->r->nprod)
        if (!queue_push(&w->r->q[0], v))
            die("push on a closed queue");
    return NULL;
}

static void *
consumer_main(void *arg)
{
    struct worker *w = arg;
    int64_t v;

    pthread_barrier_wait(&w->r->start);
    while (queue_pop(&w->r->q[0], &v)) {
        w->count++;
        w->sum += v;
    }
    return NULL;
}

static void *
sel_producer_main(void *arg)
{
    struct worker *w = arg;

    pthread_barrier_wait(&w->r->start);
    for (int64_t v = w->id; v < w->r->items; v += w->r->nprod)
        multiq_push(&w->r->mq, w->id, v);
    multiq_close(&w->r->mq, w->id);
    return NULL;
}

static void *
sel_consumer_main(void *arg)
{
    struct worker *w = arg;
    unsigned start = 0;
    int64_t v;

    pthread_barrier_wait(&w->r->start);
    while (multiq_pop_any(&w->r->mq, &v, &start)) {
        w->count++;
        w->sum += v;
    }
    return NULL;
}

/* Main is the pinger: one op is one round trip (two transfers). */
static int64_t
run_pingpong(struct run *r)
{
    struct worker pong = {.r = r};
    int64_t t0, t1, v;

    queue_init(&r->q[0]);
    queue_init(&r->q[1]);
    pthread_barrier_init(&r->start, NULL, 2);
    spawn(&pong, pong_main);
    pthread_barrier_wait(&r->start);
    t0 = now_ns();
    for (int64_t i = 0; i < r->items; i++) {
        queue_push(&r->q[0], i);
        if (!queue_pop(&r->q[1], &v) || v != i)
            die("pingpong: wrong reply");
    }
    t1 = now_ns();
    queue_close(&r->q[0]);
    join(&pong);
    pthread_barrier_destroy(&r->start);
    queue_destroy(&r->q[1]);
    queue_destroy(&r->q[0]);
    return t1 - t0;
}

/* nprod producers and ncons consumers on one queue; the clock stops when
 * every consumer has seen the queue closed and drained. */
static int64_t
run_buffered(struct run *r, int nprod, int ncons)
{
    struct worker w[NPROD_4X4 + NCONS_4X4];
    int64_t t0, t1, count = 0, sum = 0;
    int n = nprod + ncons;

    memset(w, 0, sizeof w);
    r->nprod = nprod;
    queue_init(&r->q[0]);
    pthread_barrier_init(&r->start, NULL, (unsigned)n + 1);
    for (int i = 0; i < n; i++) {
        w[i].r = r;
        w[i].id = i;
        spawn(&w[i], i < nprod ? producer_main : consumer_main);
    }
    pthread_barrier_wait(&r->start);
    t0 = now_ns();
    for (int i = 0; i < nprod; i++)
        join(&w[i]);
    queue_close(&r->q[0]);
    for (int i = nprod; i < n; i++) {
        join(&w[i]);
        count += w[i].count;
        sum += w[i].sum;
    }
    t1 = now_ns();
    if (count != r->items || sum != r->items * (r->items - 1) / 2)
        die("buffered: items lost or duplicated");
    pthread_barrier_destroy(&r->start);
    queue_destroy(&r->q[0]);
    return t1 - t0;
}

/* Four producers, one per ring, and one consumer taking from any ring. */
static int64_t
run_select4(struct run *r)
{
    struct worker w[NSEL + 1];
    int64_t t0, t1;

    memset(w, 0, sizeof w);
    r->nprod = NSEL;
    multiq_init(&r->mq);
    pthread_barrier_init(&r->start, NULL, NSEL + 2);
    for (int i = 0; i <= NSEL; i++) {
        w[i].r = r;
        w[i].id = i;
        spawn(&w[i], i < NSEL ? sel_producer_main : sel_consumer_main);
    }
    pthread_barrier_wait(&r->start);
    t0 = now_ns();
    for (int i = 0; i <= NSEL; i++)
        join(&w[i]);
    t1 = now_ns();
    if (w[NSEL].count != r->items
        || w[NSEL].sum != r->items * (r->items - 1) / 2)
        die("select4: items lost or duplicated");
    pthread_barrier_destroy(&r->start);
    multiq_destroy(&r->mq);
    return t1 - t0;
}

#define CHAN_IMPL "queue"
#include "chan_modes.h"
