/*
 * pattern_rate_limit.c - rate limiting: a token bucket, then a ticker.
 *
 * Go idioms mirrored:
 *
 *  1. golang.org/x/time/rate:
 *         lim := rate.NewLimiter(50, 5)      // 50 per second, burst of 5
 *         for _, req := range reqs {
 *             if err := lim.Wait(ctx); err != nil { return err }
 *             handle(req)
 *         }
 *
 *  2. The guides' hand-made bucket: a buffered channel of tokens, filled
 *     up front (the burst) and refilled by a goroutine on a ticker; a full
 *     bucket drops the tick:
 *         tokens := make(chan struct{}, burst)
 *         go func() {
 *             for {
 *                 select {
 *                 case <-ticker.C:
 *                     select { case tokens <- struct{}{}: default: }
 *                 case <-quit:
 *                     return
 *                 }
 *             }
 *         }()
 *
 * What to look at: in both runs the first `burst` requests go out at once
 * and the rest are paced at the steady rate (the printed times are
 * milliseconds since the start of the run, so they jitter by a
 * millisecond or so).  The limiter also refuses at once a wait whose
 * context deadline comes before the next token would.
 * The whole program runs in about 0.2 s.
 */
#include <goc.h>

#include <stdio.h>
#include <stdlib.h>

static void
check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", what, goc_strerror(rc));
        exit(1);
    }
}

static long
ms_since(goc_time start)
{
    return (long)((goc_now() - start) / GOC_MILLISECOND);
}

/* ---- 1. goc_limiter: the token bucket of x/time/rate ---------------- */

static void
limiter_demo(void)
{
    enum { RATE = 50, BURST = 5, REQUESTS = 10 };
    goc_limiter *lim;
    goc_ctx *ctx;
    goc_time start;
    int rc;

    printf("token bucket: %d/s, burst %d\n", RATE, BURST);
    check(goc_limiter_make(&lim, RATE, BURST), "limiter make");
    start = goc_now();
    for (int i = 0; i < REQUESTS; i++) {
        /* Blocks ("rate limiter wait") until a token is there. */
        check(goc_limiter_wait(lim, NULL), "limiter wait");
        printf("  request %2d at %3ld ms\n", i, ms_since(start));
    }

    /* The bucket is empty now; allow() does not wait, it just says no. */
    printf("  allow() right after: %s\n",
           goc_limiter_allow(lim) ? "yes" : "no (bucket empty)");

    /* A deadline 1 ms away comes before the next token (20 ms): the wait
     * fails at once instead of sleeping until the deadline. */
    check(goc_ctx_with_timeout(&ctx, goc_ctx_background(), GOC_MILLISECOND),
          "ctx");
    start = goc_now();
    rc = goc_limiter_wait(lim, ctx);
    printf("  wait with a 1 ms deadline: %s after %ld ms\n", goc_strerror(rc),
           ms_since(start));
    goc_ctx_cancel(ctx);
    goc_ctx_free(ctx);

    goc_limiter_free(lim);
}

/* ---- 2. A bucket made of a channel and a ticker --------------------- */

/* Go's struct{}{}: channels of elem_size 0 copy nothing, but a send still
 * takes a valid address. */
static const char token;

struct bucket {
    goc_chan *tokens;     /* elem_size 0: a token carries no data */
    goc_chan *quit;       /* closed by bucket_close */
    goc_ticker *ticker;
    goc_waitgroup wg;     /* the refill goroutine */
};

static void
refill(void *arg)
{
    struct bucket *b = arg;

    for (;;) {
        goc_case cases[] = {
            GOC_RECV(goc_ticker_chan(b->ticker), NULL),
            GOC_RECV(b->quit, NULL),
        };

        if (goc_select(cases, 2, GOC_FOREVER) != 0)
            return;
        /* select { case tokens <- token: default: }  (bucket full: drop) */
        goc_chan_try_send(b->tokens, &token);
    }
}

static void
bucket_open(struct bucket *b, goc_duration every, int burst)
{
    *b = (struct bucket){.wg = GOC_WAITGROUP_INIT};
    check(goc_chan_make_named(&b->tokens, 0, burst, "tokens"), "tokens");
    check(goc_chan_make_named(&b->quit, 0, 0, "quit"), "quit");
    for (int i = 0; i < burst; i++)
        check(goc_chan_send(b->tokens, &token), "fill"); /* the burst */
    check(goc_ticker_make(&b->ticker, every), "ticker");
    check(goc_wg_go(&b->wg, refill, b), "start refill");
}

static void
bucket_close(struct bucket *b)
{
    goc_ticker_stop(b->ticker);
    goc_chan_close(b->quit);
    goc_wg_wait(&b->wg);
    goc_ticker_free(b->ticker);
    goc_chan_free(b->quit);
    goc_chan_free(b->tokens);
}

static void
ticker_demo(void)
{
    enum { BURST = 3, REQUESTS = 8 };
    struct bucket b;
    goc_time start;

    printf("ticker bucket: one token every 20 ms, burst %d\n", BURST);
    bucket_open(&b, 20 * GOC_MILLISECOND, BURST);
    start = goc_now();
    for (int i = 0; i < REQUESTS; i++) {
        check(goc_chan_recv(b.tokens, NULL, NULL), "take token");
        printf("  request %2d at %3ld ms\n", i, ms_since(start));
    }
    bucket_close(&b);
}

int
main(void)
{
    limiter_demo();
    ticker_demo();
    return 0;
}
