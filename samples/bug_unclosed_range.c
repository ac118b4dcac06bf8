/*
 * bug_unclosed_range.c - BUG: ranging over a channel that is never
 * closed.  The fixed twin is fix_unclosed_range.c.
 *
 * Go mistake mirrored (the guides' "channel not closed"):
 *
 *     ch := make(chan int)
 *     go func() {
 *         for i := 0; i < 5; i++ {
 *             ch <- i
 *         }
 *         // Forgot to close!
 *     }()
 *     for v := range ch { // blocks forever after the last value
 *         fmt.Println(v)
 *     }
 *
 * Here the range loop runs in a consumer goroutine, and main returns once
 * the producer has finished: the consumer has received every value but its
 * range loop cannot know that no more are coming, so it waits forever.
 * Had main ranged itself (as in the Go snippet) the whole program would
 * hang; as written it finishes and exits 0, with the consumer still
 * blocked when main returns.
 *
 * What gctrace should report:
 *   unclosed_channel: the channel "values" (made in main) was never
 *   closed while the goroutine "consumer" was left blocked receiving from
 *   it (the goc_chan_recv loop in consume());
 *   leaked_thread: that same goroutine "consumer", blocked in "chan
 *   receive", still alive at exit.
 */
#include <goc.h>

#include <stdio.h>
#include <stdlib.h>

enum { COUNT = 5 };

struct shared {
    goc_chan *values;       /* int: producer -> consumer; never closed */
    goc_waitgroup producer; /* main waits for the producer only */
    long sum;               /* the consumer's total; nobody can read it */
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
produce(void *arg)
{
    struct shared *s = arg;

    for (int i = 1; i <= COUNT; i++)
        check(goc_chan_send(s->values, &i), "send");
    /* BUG: forgot goc_chan_close(s->values). */
    goc_wg_done(&s->producer);
}

static void
consume(void *arg)
{
    struct shared *s = arg;
    int v;

    /* for v := range values: ends only when the channel is closed. */
    while (goc_chan_recv(s->values, &v, NULL) == 0)
        s->sum += v;
    /* never reached */
}

int
main(void)
{
    /* static: the stuck consumer keeps using it after main returns. */
    static struct shared s = {.producer = GOC_WAITGROUP_INIT};

    check(goc_chan_make_named(&s.values, sizeof(int), 0, "values"), "make");
    check(goc_go_named("consumer", consume, &s), "go consumer");
    check(goc_wg_add(&s.producer, 1), "wg add");
    check(goc_go_named("producer", produce, &s), "go producer");

    goc_wg_wait(&s.producer);
    printf("producer: sent %d values and returned without closing\n",
           COUNT);
    /* The consumer's total cannot be read safely: it has no way to say
     * "I am finished", because it never is. */
    printf("main: returning; the consumer still waits for a value or a "
           "close that never comes\n");
    return 0;
}
