/*
 * bug_blocked_send.c - BUG: a goroutine sends its result on an unbuffered
 * channel whose receiver has already given up on a timeout.  The fixed
 * twin is fix_blocked_send.c.
 *
 * Go mistake mirrored (the guides' "common leak: unbuffered channel send"):
 *
 *     func queryWithTimeout(timeout time.Duration) (int, error) {
 *         ch := make(chan int)            // unbuffered
 *         go func() { ch <- slowQuery() }()
 *         select {
 *         case v := <-ch:
 *             return v, nil
 *         case <-time.After(timeout):
 *             return 0, errTimeout        // nobody will ever read ch
 *         }
 *     }
 *
 * The caller waits 5 ms, gives up and returns.  The query finishes 45 ms
 * later and its send on the unbuffered channel waits for a receiver that
 * is gone: the goroutine is stuck there for the rest of the process.  The
 * program goes on with other work (150 ms, simulated), which gives the
 * query ample time to finish and block, and then exits 0 with the
 * goroutine still blocked.
 *
 * What gctrace should report:
 *   leaked_thread: the goroutine "slow-query", started in
 *   query_with_timeout() (the goc_go_named call), still blocked in "chan
 *   send" on the channel "reply" (made in query_with_timeout()) at the
 *   goc_chan_send in slow_query().
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

static void
slow_query(void *arg)
{
    goc_chan *reply = arg;
    int v = 42;

    goc_sleep(50 * GOC_MILLISECOND); /* the query's real work */
    /* BUG: the caller stopped listening 45 ms ago; this blocks forever. */
    goc_chan_send(reply, &v);
}

static int
query_with_timeout(goc_duration timeout, int *out)
{
    goc_chan *reply, *after;
    int rc;

    /* BUG: unbuffered, so the send can only complete with a receiver. */
    check(goc_chan_make_named(&reply, sizeof(int), 0, "reply"), "make");
    check(goc_go_named("slow-query", slow_query, reply), "go");

    check(goc_after(&after, timeout), "after");
    goc_case cases[] = {
        GOC_RECV(reply, out),
        GOC_RECV(after, NULL),
    };
    rc = goc_select(cases, 2, GOC_FOREVER) == 0 ? 0 : GOC_ETIMEDOUT;
    goc_chan_free(after);
    /* `reply` cannot be freed: the goroutine will use it later. */
    return rc;
}

int
main(void)
{
    int v = 0;
    int rc = query_with_timeout(5 * GOC_MILLISECOND, &v);

    printf("query: %s\n", rc == 0 ? "answered" : goc_strerror(rc));
    printf("main: handling other requests...\n");
    goc_sleep(150 * GOC_MILLISECOND); /* simulated work, not a sync */
    printf("main: exiting; the query goroutine is stuck sending its late "
           "answer\n");
    return 0;
}
