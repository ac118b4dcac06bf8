/*
 * pattern_fan_out_in.c - fan out one input to several workers, fan their
 * outputs back in to one channel.
 *
 * Go idiom mirrored (fan-out / fan-in of the concurrency guides):
 *
 *     in := gen(1, 2, ..., 12)
 *     c1, c2, c3 := square(in), square(in), square(in)  // fan out
 *     for n := range merge(c1, c2, c3) { ... }          // fan in
 *
 *     func merge(cs ...<-chan int) <-chan int {
 *         var wg sync.WaitGroup
 *         out := make(chan int)
 *         output := func(c <-chan int) {
 *             defer wg.Done()
 *             for n := range c { out <- n }
 *         }
 *         wg.Add(len(cs))
 *         for _, c := range cs { go output(c) }
 *         go func() { wg.Wait(); close(out) }()
 *         return out
 *     }
 *
 * What to look at:
 *  - fan-out is nothing but several goroutines receiving from the same
 *    channel: each value goes to exactly one of them;
 *  - fan-in needs one forwarding goroutine per input, a WaitGroup counting
 *    them, and one more goroutine that closes the merged output when the
 *    count reaches zero: the merged channel is closed exactly once, after
 *    its last sender is gone;
 *  - the order of merged values depends on scheduling, so main sorts them
 *    before printing.
 */
#include <goc.h>

#include <stdio.h>
#include <stdlib.h>

enum { NUM_INPUTS = 12, NUM_WORKERS = 3 };

struct fan {
    goc_chan *in;                   /* int: gen -> workers; closed by gen */
    goc_chan *outs[NUM_WORKERS];    /* int: worker i -> forwarder i */
    goc_chan *merged;               /* int: forwarders -> main */
    goc_waitgroup forwarders;       /* merge's wg */
    goc_waitgroup all;              /* every goroutine, for clean-up */
};

/* The argument of a worker or forwarder: which output it owns. */
struct part {
    struct fan *f;
    int i;
};

static void
check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", what, goc_strerror(rc));
        exit(1);
    }
}

static void
gen(void *arg)
{
    struct fan *f = arg;

    for (int n = 1; n <= NUM_INPUTS; n++)
        check(goc_chan_send(f->in, &n), "gen send");
    goc_chan_close(f->in);
}

/* square(in): each worker competes for values from the shared input. */
static void
worker(void *arg)
{
    struct part *p = arg;
    goc_chan *out = p->f->outs[p->i];
    int n;

    while (goc_chan_recv(p->f->in, &n, NULL) == 0) {
        int sq = n * n;

        goc_sleep(GOC_MILLISECOND); /* simulate work */
        check(goc_chan_send(out, &sq), "worker send");
    }
    goc_chan_close(out);
}

/* merge's output(c): copy one input into the merged channel. */
static void
forward(void *arg)
{
    struct part *p = arg;
    int n;

    while (goc_chan_recv(p->f->outs[p->i], &n, NULL) == 0)
        check(goc_chan_send(p->f->merged, &n), "forward send");
    goc_wg_done(&p->f->forwarders);
}

/* go func() { wg.Wait(); close(out) }() */
static void
close_merged(void *arg)
{
    struct fan *f = arg;

    goc_wg_wait(&f->forwarders);
    goc_chan_close(f->merged);
}

static int
compare_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;

    return (x > y) - (x < y);
}

int
main(void)
{
    struct fan f = {.forwarders = GOC_WAITGROUP_INIT,
                    .all = GOC_WAITGROUP_INIT};
    struct part parts[NUM_WORKERS];
    int values[NUM_INPUTS], count = 0, n;
    long sum = 0;
    const long expected =   /* 1^2 + 2^2 + ... + n^2 */
        NUM_INPUTS * (NUM_INPUTS + 1) * (2 * NUM_INPUTS + 1) / 6;

    check(goc_chan_make_named(&f.in, sizeof(int), 0, "in"), "make in");
    check(goc_chan_make_named(&f.merged, sizeof(int), 0, "merged"),
          "make merged");
    for (int i = 0; i < NUM_WORKERS; i++) {
        check(goc_chan_make(&f.outs[i], sizeof(int), 0), "make out");
        parts[i] = (struct part){.f = &f, .i = i};
    }

    /* The source and the fan-out. */
    check(goc_wg_go(&f.all, gen, &f), "start gen");
    for (int i = 0; i < NUM_WORKERS; i++)
        check(goc_wg_go(&f.all, worker, &parts[i]), "start worker");

    /* The fan-in: wg.Add(len(cs)) before starting anything that waits. */
    check(goc_wg_add(&f.forwarders, NUM_WORKERS), "wg add");
    for (int i = 0; i < NUM_WORKERS; i++)
        check(goc_wg_go(&f.all, forward, &parts[i]), "start forwarder");
    check(goc_wg_go(&f.all, close_merged, &f), "start closer");

    while (goc_chan_recv(f.merged, &n, NULL) == 0) {
        values[count++] = n;
        sum += n;
    }

    qsort(values, count, sizeof(int), compare_int);
    printf("fanned 1..%d out to %d workers, merged %d squares:\n",
           NUM_INPUTS, NUM_WORKERS, count);
    for (int i = 0; i < count; i++)
        printf("%s%d", i ? " " : "  ", values[i]);
    printf("\nsum = %ld (expected %ld)\n", sum, expected);

    goc_wg_wait(&f.all);
    goc_chan_free(f.in);
    goc_chan_free(f.merged);
    for (int i = 0; i < NUM_WORKERS; i++)
        goc_chan_free(f.outs[i]);
    return sum == expected ? 0 : 1;
}
