/*
 * pattern_pipeline.c - generator -> square -> sink, with cancellation.
 *
 * Go idiom mirrored (the pipeline of the concurrency guides and of the
 * "Go Concurrency Patterns: Pipelines" blog post):
 *
 *     func gen(ctx context.Context, nums ...int) <-chan int {
 *         out := make(chan int)
 *         go func() {
 *             defer close(out)
 *             for _, n := range nums {
 *                 select {
 *                 case out <- n:
 *                 case <-ctx.Done():
 *                     return
 *                 }
 *             }
 *         }()
 *         return out
 *     }
 *     // square(ctx, in) is the same shape: for n := range in { send n*n }
 *
 *     ctx, cancel := context.WithCancel(context.Background())
 *     defer cancel()
 *     for n := range square(ctx, gen(ctx, ...)) { ... }
 *
 * What to look at:
 *  - each stage owns its output channel and closes it when it returns, so
 *    that the next stage's range loop ends;
 *  - every send is a select against ctx's done channel: when the sink stops
 *    reading early and cancels, a stage blocked on a send leaves at once
 *    instead of leaking;
 *  - run 1 consumes everything (stages end because their input closes),
 *    run 2 has an endless generator and a sink that stops after a few
 *    values: the cancellation alone brings every stage down.
 */
#include <goc.h>

#include <stdio.h>
#include <stdlib.h>

/* One stage of the pipeline.  The stage goroutine reads `in` (NULL for the
 * generator), writes `out` and closes it when it returns. */
struct stage {
    goc_ctx *ctx;
    goc_chan *in;
    goc_chan *out;
    int limit;          /* generator: how many numbers; 0: no end */
};

static void
check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", what, goc_strerror(rc));
        exit(1);
    }
}

/* select { case out <- v: return true; case <-ctx.Done(): return false } */
static bool
send_or_done(goc_ctx *ctx, goc_chan *out, int v)
{
    goc_case cases[] = {
        GOC_SEND(out, &v),
        GOC_RECV(goc_ctx_done(ctx), NULL),
    };

    return goc_select(cases, 2, GOC_FOREVER) == 0;
}

static void
generator(void *arg)
{
    struct stage *s = arg;

    for (int n = 1; s->limit == 0 || n <= s->limit; n++)
        if (!send_or_done(s->ctx, s->out, n))
            break;
    goc_chan_close(s->out); /* defer close(out) */
}

static void
square(void *arg)
{
    struct stage *s = arg;
    int n;

    /* for n := range in: ends when the generator closes its output. */
    while (goc_chan_recv(s->in, &n, NULL) == 0)
        if (!send_or_done(s->ctx, s->out, n * n))
            break;
    goc_chan_close(s->out);
}

/*
 * Builds generator -> square, lets the sink (this function) read at most
 * `want` values (0: all of them), then cancels and waits for the stages.
 */
static void
run(const char *title, int limit, int want)
{
    goc_waitgroup wg = GOC_WAITGROUP_INIT;
    goc_ctx *ctx;
    goc_chan *numbers, *squares;
    struct stage gen, sq;
    int v, got = 0;

    printf("%s\n", title);
    check(goc_ctx_with_cancel(&ctx, goc_ctx_background()), "ctx");
    check(goc_chan_make_named(&numbers, sizeof(int), 0, "numbers"), "chan");
    check(goc_chan_make_named(&squares, sizeof(int), 0, "squares"), "chan");

    gen = (struct stage){.ctx = ctx, .out = numbers, .limit = limit};
    sq = (struct stage){.ctx = ctx, .in = numbers, .out = squares};
    check(goc_wg_go(&wg, generator, &gen), "start generator");
    check(goc_wg_go(&wg, square, &sq), "start square");

    /* The sink: for v := range squares, but it may stop early. */
    printf("  sink got:");
    while (goc_chan_recv(squares, &v, NULL) == 0) {
        printf(" %d", v);
        if (++got == want)
            break;
    }
    printf("\n");
    if (got == want)
        printf("  sink: had enough after %d values, cancelling\n", got);
    else
        printf("  sink: squares closed after %d values\n", got);

    /* defer cancel(): harmless when the stages have already finished,
     * essential when the sink stopped early. */
    goc_ctx_cancel(ctx);
    goc_wg_wait(&wg);
    printf("  all stages returned; numbers closed: %s, squares closed: %s\n",
           goc_chan_closed(numbers) ? "yes" : "no",
           goc_chan_closed(squares) ? "yes" : "no");

    goc_chan_free(numbers);
    goc_chan_free(squares);
    goc_ctx_free(ctx);
}

int
main(void)
{
    run("run 1: generate 1..6, the sink reads everything", 6, 0);
    run("run 2: endless generator, the sink stops after 4 values", 0, 4);
    return 0;
}
