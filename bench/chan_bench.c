/*
 * chan_bench.c - channel throughput of libgoc, in the four workloads that
 * bench/queue_bench.c (a mutex+condvar queue) and bench/go/chan_bench.go
 * (Go's channels) run too; bench/run.sh puts the three side by side.
 *
 *   chan_bench MODE [ITEMS]
 *
 * MODE is one of (bench/README.md has the details):
 *   pingpong  two unbuffered channels, main and one partner bounce an item
 *             back and forth; one op is one round trip
 *   buf1x1    one producer, one consumer, a channel of capacity 128
 *   buf4x4    four producers, four consumers, one channel of capacity 128
 *   select4   four producers, each on its own channel of capacity 128, and
 *             one consumer receiving with goc_select over the four
 * ITEMS defaults per mode.  Items are int64_t.  Prints one line of
 * key=value pairs for bench/run.sh (wrapped here):
 *
 *   bench=chan impl=libgoc mode=buf1x1 ops=2000000 ns=... ns_per_op=...
 *   ops_per_s=...
 *
 * The threads are plain pthreads (a libgoc goroutine is one too), started
 * exactly as queue_bench.c starts them, so that the two programs differ
 * only in the queue.  A start barrier keeps thread creation off the clock.
 * The program checks that every item arrived exactly once (count and sum)
 * and that no call failed, and exits 1 otherwise.  Nothing here is shared
 * between threads except through the channels, the barrier and joins.
 */
#include "bench_util.h"
#include "goc.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QCAP 128 /* the same capacity as the queue's and Go's */
#define NPROD_4X4 4
#define NCONS_4X4 4
#define NSEL 4

/* The same as check(), for libgoc's error codes. */
static void
goc_check(int err, const char *what)
{
    if (err != 0) {
        fprintf(stderr, "chan_bench: %s: %s\n", what, goc_strerror(err));
        exit(1);
    }
}

static goc_chan *
make_chan(size_t cap)
{
    goc_chan *ch;
    int err = goc_chan_make(&ch, sizeof(int64_t), cap);

    goc_check(err, "goc_chan_make");
    return ch;
}

static void
send_or_die(goc_chan *ch, int64_t v)
{
    int err = goc_chan_send(ch, &v);

    goc_check(err, "goc_chan_send");
}

/* Receives into *v; false once ch is closed and drained. */
static bool
recv_or_die(goc_chan *ch, int64_t *v)
{
    int err = goc_chan_recv(ch, v, NULL);

    if (err == GOC_ECLOSED)
        return false;
    goc_check(err, "goc_chan_recv");
    return true;
}

/* ------------------------------------------------------------- workloads */

struct run {
    int64_t items;
    int nprod;
    pthread_barrier_t start;
    goc_chan *ch[NSEL]; /* pingpong: ping, pong; buffered: ch[0] */
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
    while (recv_or_die(w->r->ch[0], &v))
        send_or_die(w->r->ch[1], v);
    return NULL;
}

/* Producer id sends id, id + nprod, id + 2 nprod, ... below items, so that
 * all producers together send 0 .. items-1 once each. */
static void *
producer_main(void *arg)
{
    struct worker *w = arg;
    goc_chan *ch = w->r->ch[0];

    pthread_barrier_wait(&w->r->start);
    for (int64_t v = w->id; v < w->r->items; v += w->r->nprod)
        send_or_die(ch, v);
    return NULL;
}

static void *
consumer_main(void *arg)
{
    struct worker *w = arg;
    int64_t v;

    pthread_barrier_wait(&w->r->start);
    while (recv_or_die(w->r->ch[0], &v)) {
        w->count++;
        w->sum += v;
    }
    return NULL;
}

static void *
sel_producer_main(void *arg)
{
    struct worker *w = arg;
    goc_chan *ch = w->r->ch[w->id];
    int err;

    pthread_barrier_wait(&w->r->start);
    for (int64_t v = w->id; v < w->r->items; v += NSEL)
        send_or_die(ch, v);
    if ((err = goc_chan_close(ch)) != 0)
        goc_check(err, "goc_chan_close");
    return NULL;
}

/* Go's fan-in: select over the four receives; a closed channel's case is
 * set to NULL, which select never chooses (Go's nil channel). */
static void *
sel_consumer_main(void *arg)
{
    struct worker *w = arg;
    goc_case cases[NSEL];
    int64_t v;
    int open = NSEL;

    for (int i = 0; i < NSEL; i++)
        cases[i] = GOC_RECV(w->r->ch[i], &v);
    pthread_barrier_wait(&w->r->start);
    while (open > 0) {
        int i = goc_select(cases, NSEL, GOC_FOREVER);
        if (i < 0)
            goc_check(i, "goc_select");
        if (!cases[i].ok) {
            cases[i].ch = NULL;
            open--;
            continue;
        }
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
    goc_time t0, t1;
    int64_t v;
    int err;

    r->ch[0] = make_chan(0);
    r->ch[1] = make_chan(0);
    pthread_barrier_init(&r->start, NULL, 2);
    spawn(&pong, pong_main);
    pthread_barrier_wait(&r->start);
    t0 = goc_now();
    for (int64_t i = 0; i < r->items; i++) {
        send_or_die(r->ch[0], i);
        if (!recv_or_die(r->ch[1], &v) || v != i)
            die("pingpong: wrong reply");
    }
    t1 = goc_now();
    if ((err = goc_chan_close(r->ch[0])) != 0)
        goc_check(err, "goc_chan_close");
    join(&pong);
    pthread_barrier_destroy(&r->start);
    goc_chan_free(r->ch[1]);
    goc_chan_free(r->ch[0]);
    return t1 - t0;
}

/* nprod producers and ncons consumers on one channel; the clock stops when
 * every consumer has seen the channel closed and drained. */
static int64_t
run_buffered(struct run *r, int nprod, int ncons)
{
    struct worker w[NPROD_4X4 + NCONS_4X4];
    goc_time t0, t1;
    int64_t count = 0, sum = 0;
    int n = nprod + ncons, err;

    memset(w, 0, sizeof w);
    r->nprod = nprod;
    r->ch[0] = make_chan(QCAP);
    pthread_barrier_init(&r->start, NULL, (unsigned)n + 1);
    for (int i = 0; i < n; i++) {
        w[i].r = r;
        w[i].id = i;
        spawn(&w[i], i < nprod ? producer_main : consumer_main);
    }
    pthread_barrier_wait(&r->start);
    t0 = goc_now();
    for (int i = 0; i < nprod; i++)
        join(&w[i]);
    if ((err = goc_chan_close(r->ch[0])) != 0)
        goc_check(err, "goc_chan_close");
    for (int i = nprod; i < n; i++) {
        join(&w[i]);
        count += w[i].count;
        sum += w[i].sum;
    }
    t1 = goc_now();
    if (count != r->items || sum != r->items * (r->items - 1) / 2)
        die("buffered: items lost or duplicated");
    pthread_barrier_destroy(&r->start);
    goc_chan_free(r->ch[0]);
    return t1 - t0;
}

static int64_t
run_select4(struct run *r)
{
    struct worker w[NSEL + 1];
    goc_time t0, t1;

    memset(w, 0, sizeof w);
    r->nprod = NSEL;
    for (int i = 0; i < NSEL; i++)
        r->ch[i] = make_chan(QCAP);
    pthread_barrier_init(&r->start, NULL, NSEL + 2);
    for (int i = 0; i <= NSEL; i++) {
        w[i].r = r;
        w[i].id = i;
        spawn(&w[i], i < NSEL ? sel_producer_main : sel_consumer_main);
    }
    pthread_barrier_wait(&r->start);
    t0 = goc_now();
    for (int i = 0; i <= NSEL; i++)
        join(&w[i]);
    t1 = goc_now();
    if (w[NSEL].count != r->items
        || w[NSEL].sum != r->items * (r->items - 1) / 2)
        die("select4: items lost or duplicated");
    pthread_barrier_destroy(&r->start);
    for (int i = 0; i < NSEL; i++)
        goc_chan_free(r->ch[i]);
    return t1 - t0;
}

#define CHAN_IMPL "libgoc"
#include "chan_modes.h"
