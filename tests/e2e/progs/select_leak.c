/*
 * select_leak.c - goroutines left blocked in a select when main returns,
 * as a Go program leaks them (the guides' "forgotten sender/receiver"):
 * main starts them and returns at once, without waiting for them to
 * block, so that where each one is when the process ends is up to the
 * recorder's end, which must settle it the same way every run.
 *
 *   two 'watcher' goroutines select on a request channel and the done
 *   channel of a context that main never cancels: one context leak that
 *   names both
 *   a 'poller' goroutine selects on two channels of its own, which
 *   nobody sends on nor closes: a leak and two unclosed channels
 */
#include <goc.h>

#include <stdio.h>

static goc_ctx *ctx;
static goc_chan *requests, *a, *b;

static void
watcher(void *arg)
{
    int v;
    goc_case cases[2] = {GOC_RECV(requests, &v),
                         GOC_RECV(goc_ctx_done(ctx), NULL)};
    (void)arg;
    goc_select(cases, 2, GOC_FOREVER);
}

static void
poller(void *arg)
{
    int v;
    goc_case cases[2] = {GOC_RECV(a, &v), GOC_RECV(b, &v)};
    (void)arg;
    goc_select(cases, 2, GOC_FOREVER);
}

int
main(void)
{
    goc_ctx_with_cancel(&ctx, goc_ctx_background());
    goc_chan_make_named(&requests, sizeof(int), 0, "requests");
    goc_chan_make_named(&a, sizeof(int), 0, "a");
    goc_chan_make_named(&b, sizeof(int), 0, "b");
    goc_go_named("watcher", watcher, NULL);
    goc_go_named("watcher", watcher, NULL);
    goc_go_named("poller", poller, NULL);
    puts("leaving");
    return 0;
}
