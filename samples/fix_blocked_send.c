/*
 * fix_blocked_send.c - FIXED twin of bug_blocked_send.c: a late answer
 * can no longer block its sender.  Two fixes, one per query.
 *
 * Go idioms mirrored (the guides' fixes for the unbuffered-send leak):
 *
 *  1. A buffered channel of one slot: the send always completes.
 *         ch := make(chan int, 1)
 *         go func() { ch <- slowQuery() }()
 *
 *  2. A send that also watches a context, cancelled when the caller gives
 *     up:
 *         go func() {
 *             v := slowQuery()
 *             select {
 *             case ch <- v:
 *             case <-ctx.Done():
 *             }
 *         }()
 *
 * Either way the query goroutine returns shortly after the caller's
 * timeout.  C has no garbage collector, so the caller also waits for the
 * goroutine before freeing the channel (a WaitGroup): in Go the channel
 * would simply be collected.  That wait costs the rest of the query's work
 * here; a server would hand it to a clean-up goroutine instead.
 *
 * What gctrace should report: nothing.
 */
#include <goc.h>

#include <stdio.h>
#include <stdlib.h>

enum fix { BUFFERED, WITH_CONTEXT };

struct query {
    goc_chan *reply;    /* int */
    goc_ctx *ctx;       /* WITH_CONTEXT: cancelled when the caller quits */
    goc_waitgroup wg;   /* the query goroutine */
    bool delivered;     /* written by the goroutine, read after wg */
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
slow_query(void *arg)
{
    struct query *q = arg;
    int v = 42;

    goc_sleep(50 * GOC_MILLISECOND); /* the query's real work */
    if (q->ctx) {
        /* FIX 2: select { case reply <- v: case <-ctx.Done(): } */
        goc_case cases[] = {
            GOC_SEND(q->reply, &v),
            GOC_RECV(goc_ctx_done(q->ctx), NULL),
        };

        q->delivered = goc_select(cases, 2, GOC_FOREVER) == 0;
    } else {
        /* FIX 1: the slot is free, so this never blocks. */
        q->delivered = goc_chan_send(q->reply, &v) == 0;
    }
    goc_wg_done(&q->wg);
}

static int
query_with_timeout(enum fix fix, goc_duration timeout, int *out)
{
    struct query q = {.wg = GOC_WAITGROUP_INIT};
    goc_chan *after;
    int rc;

    check(goc_chan_make_named(&q.reply, sizeof(int),
                              fix == BUFFERED ? 1 : 0, "reply"), "make");
    if (fix == WITH_CONTEXT)
        check(goc_ctx_with_cancel(&q.ctx, goc_ctx_background()), "ctx");
    check(goc_wg_add(&q.wg, 1), "wg add");
    check(goc_go_named("slow-query", slow_query, &q), "go");

    check(goc_after(&after, timeout), "after");
    goc_case cases[] = {
        GOC_RECV(q.reply, out),
        GOC_RECV(after, NULL),
    };
    rc = goc_select(cases, 2, GOC_FOREVER) == 0 ? 0 : GOC_ETIMEDOUT;
    goc_chan_free(after);
    printf("  query: %s\n", rc == 0 ? "answered" : goc_strerror(rc));
    if (q.ctx)
        goc_ctx_cancel(q.ctx); /* defer cancel() */

    goc_wg_wait(&q.wg);
    printf("  the query goroutine returned; its late answer was %s\n",
           q.delivered ? "left in the channel's buffer" : "dropped");
    goc_chan_free(q.reply); /* a buffered answer goes with the channel */
    goc_ctx_free(q.ctx);
    return rc;
}

int
main(void)
{
    int v = 0;

    printf("fix 1: reply channel with one slot\n");
    query_with_timeout(BUFFERED, 5 * GOC_MILLISECOND, &v);
    printf("fix 2: send in a select with the caller's context\n");
    query_with_timeout(WITH_CONTEXT, 5 * GOC_MILLISECOND, &v);

    printf("main: exiting with no goroutine left behind\n");
    return 0;
}
