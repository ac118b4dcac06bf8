/*
 * pattern_query_race.c - ask several replicas, take the first answer,
 * cancel the rest.
 *
 * Go idiom mirrored (query racing, "first response wins", in the guides):
 *
 *     func Query(ctx context.Context, conns []Conn, q string) Result {
 *         ctx, cancel := context.WithCancel(ctx)
 *         defer cancel()                       // the losers stop working
 *         ch := make(chan Result, len(conns))  // nobody blocks on send
 *         for _, c := range conns {
 *             go func(c Conn) { ch <- c.DoQuery(ctx, q) }(c)
 *         }
 *         return <-ch
 *     }
 *
 * What to look at:
 *  - the result channel has one slot per replica, so a replica that
 *    answers after the winner still completes its send and returns: with
 *    an unbuffered channel it would block forever, a leaked goroutine
 *    (see bug_blocked_send.c).  Go's other spelling is a 1-slot channel
 *    and `select { case ch <- r: default: }`;
 *  - cancelling the query's context makes the slower replicas give up
 *    their work early instead of finishing for nothing;
 *  - the whole query also has a deadline (the parent context), so with no
 *    replica answering it fails instead of hanging;
 *  - in C main waits for every replica goroutine before freeing the
 *    channel: in Go the garbage collector does that part.
 */
#include <goc.h>

#include <stdio.h>
#include <stdlib.h>

struct replica {
    const char *name;
    goc_duration latency;   /* how long this replica takes to answer */
    goc_ctx *ctx;           /* the query's context */
    goc_chan *results;      /* struct answer, one slot per replica */
    goc_waitgroup *wg;      /* done when the replica returns */
    const char *outcome;    /* written by the replica, read after wg */
};

struct answer {
    const char *from;
    int value;
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
do_query(void *arg)
{
    struct replica *r = arg;
    struct answer a = {.from = r->name, .value = 42};

    /* The "network round trip": a context-aware wait, which returns
     * early with the context's error when the query is cancelled. */
    if (goc_ctx_wait(r->ctx, goc_deadline_after(r->latency)) != 0) {
        r->outcome = "cancelled before answering";
    } else {
        /* Never blocks: the channel has a slot for every replica. */
        check(goc_chan_send(r->results, &a), "send answer");
        r->outcome = "answered";
    }
    goc_wg_done(r->wg);
}

int
main(void)
{
    struct replica replicas[] = {
        {.name = "replica-a", .latency = 300 * GOC_MILLISECOND},
        {.name = "replica-b", .latency = 5 * GOC_MILLISECOND},
        {.name = "replica-c", .latency = 600 * GOC_MILLISECOND},
    };
    enum { N = sizeof(replicas) / sizeof(replicas[0]) };
    goc_waitgroup wg = GOC_WAITGROUP_INIT;
    goc_ctx *query;
    goc_chan *results;
    struct answer a;
    int rc;

    /* The whole query may take at most a second. */
    check(goc_ctx_with_timeout(&query, goc_ctx_background(), GOC_SECOND),
          "ctx");
    check(goc_chan_make_named(&results, sizeof(struct answer), N, "results"),
          "results");

    for (int i = 0; i < N; i++) {
        replicas[i].ctx = query;
        replicas[i].results = results;
        replicas[i].wg = &wg;
        check(goc_wg_add(&wg, 1), "wg add");
        check(goc_go_named(replicas[i].name, do_query, &replicas[i]), "go");
    }

    /* select { case a := <-results: ...; case <-ctx.Done(): ... } */
    goc_case cases[] = {
        GOC_RECV(results, &a),
        GOC_RECV(goc_ctx_done(query), NULL),
    };
    rc = goc_select(cases, 2, GOC_FOREVER);
    goc_ctx_cancel(query); /* defer cancel(): stop the losers */
    if (rc == 0)
        printf("first answer: %d from %s\n", a.value, a.from);
    else
        printf("no answer: %s\n", goc_strerror(goc_ctx_err(query)));

    /* Not in the Go version: wait for the losers, to show none leaked. */
    goc_wg_wait(&wg);
    for (int i = 0; i < N; i++)
        printf("  %s (%3ld ms): %s\n", replicas[i].name,
               (long)(replicas[i].latency / GOC_MILLISECOND),
               replicas[i].outcome);

    goc_chan_free(results); /* answers still buffered go with it */
    goc_ctx_free(query);
    return rc == 0 ? 0 : 1;
}
