/*
 * fix_leaky_generator.c - FIXED twin of bug_leaky_generator.c: the
 * generator watches a context that the consumer cancels when it is done.
 *
 * Go idiom mirrored (the guides' "safe generator"):
 *
 *     func safeGenerator(ctx context.Context) <-chan int {
 *         ch := make(chan int)
 *         go func() {
 *             defer close(ch)
 *             for i := 0; ; i++ {
 *                 select {
 *                 case ch <- i:
 *                 case <-ctx.Done():
 *                     return
 *                 }
 *             }
 *         }()
 *         return ch
 *     }
 *
 *     ctx, cancel := context.WithCancel(context.Background())
 *     defer cancel()
 *     ch := safeGenerator(ctx)
 *     for i := 0; i < 3; i++ { fmt.Println(<-ch) }
 *
 * Two changes against the bug: every send is a select against the
 * context's done channel, and the consumer cancels the context when it has
 * had enough.  Since C has no garbage collector, the consumer also waits
 * for the generator to return (a WaitGroup) before freeing the channel;
 * that wait is what proves the goroutine did not leak.
 *
 * What gctrace should report: nothing.
 */
#include <goc.h>

#include <stdio.h>
#include <stdlib.h>

struct generator {
    goc_ctx *ctx;       /* the consumer cancels it */
    goc_chan *out;      /* int; closed by the generator when it returns */
    goc_waitgroup wg;   /* the generator goroutine */
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
generate(void *arg)
{
    struct generator *g = arg;

    for (int i = 0;; i++) {
        goc_case cases[] = {
            GOC_SEND(g->out, &i),
            GOC_RECV(goc_ctx_done(g->ctx), NULL),
        };

        if (goc_select(cases, 2, GOC_FOREVER) != 0)
            break; /* cancelled */
    }
    goc_chan_close(g->out); /* defer close(ch) */
    goc_wg_done(&g->wg);
}

/* Starts a generator of 0, 1, 2, ... that stops when ctx is cancelled. */
static void
safe_generator(struct generator *g, goc_ctx *ctx)
{
    *g = (struct generator){.ctx = ctx, .wg = GOC_WAITGROUP_INIT};
    check(goc_chan_make_named(&g->out, sizeof(int), 0, "numbers"), "make");
    check(goc_wg_add(&g->wg, 1), "wg add");
    check(goc_go_named("generator", generate, g), "go");
}

static void
consume_three(void)
{
    struct generator gen;
    goc_ctx *ctx;
    int v;

    check(goc_ctx_with_cancel(&ctx, goc_ctx_background()), "ctx");
    safe_generator(&gen, ctx);

    printf("consumer: got");
    for (int i = 0; i < 3; i++) {
        check(goc_chan_recv(gen.out, &v, NULL), "recv");
        printf(" %d", v);
    }
    printf("\nconsumer: done, cancelling the generator\n");

    goc_ctx_cancel(ctx);       /* defer cancel() */
    goc_wg_wait(&gen.wg);      /* the generator has returned */
    printf("consumer: generator stopped; its channel is closed: %s\n",
           goc_chan_closed(gen.out) ? "yes" : "no");
    goc_chan_free(gen.out);
    goc_ctx_free(ctx);
}

int
main(void)
{
    consume_three();
    printf("main: exiting with no goroutine left behind\n");
    return 0;
}
