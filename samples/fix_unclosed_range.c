/*
 * fix_unclosed_range.c - FIXED twin of bug_unclosed_range.c: the producer
 * closes the channel when it has sent everything, and main waits for the
 * consumer too.
 *
 * Go idiom mirrored (the guides' "always close when done sending"):
 *
 *     go func() {
 *         defer close(ch)
 *         for i := 0; i < 5; i++ {
 *             ch <- i
 *         }
 *     }()
 *     for v := range ch { // ends after the last value
 *         fmt.Println(v)
 *     }
 *
 * Closing is the producer's job: the only sender knows when there is
 * nothing more to send ("close from the sender side only").  The close is
 * a message: "no more values".  The consumer's range loop drains what is
 * left and then ends; the consumer can report its total and return, and
 * main, which now waits for both goroutines, can read the total safely.
 *
 * What gctrace should report: nothing.
 */
#include <goc.h>

#include <stdio.h>
#include <stdlib.h>

enum { COUNT = 5 };

struct shared {
    goc_chan *values;   /* int: producer -> consumer; closed by producer */
    goc_waitgroup wg;   /* both goroutines */
    long sum;           /* written by the consumer, read after wg */
    int received;
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
    goc_chan_close(s->values); /* FIX: defer close(ch) */
    goc_wg_done(&s->wg);
}

static void
consume(void *arg)
{
    struct shared *s = arg;
    int v;

    /* for v := range values: ends when the channel is closed, drained. */
    while (goc_chan_recv(s->values, &v, NULL) == 0) {
        s->sum += v;
        s->received++;
    }
    goc_wg_done(&s->wg);
}

int
main(void)
{
    struct shared s = {.wg = GOC_WAITGROUP_INIT};

    check(goc_chan_make_named(&s.values, sizeof(int), 0, "values"), "make");
    check(goc_wg_add(&s.wg, 2), "wg add");
    check(goc_go_named("consumer", consume, &s), "go consumer");
    check(goc_go_named("producer", produce, &s), "go producer");

    goc_wg_wait(&s.wg); /* FIX: wait for the consumer as well */
    printf("producer: sent %d values and closed the channel\n", COUNT);
    printf("consumer: range ended after %d values, sum %ld\n", s.received,
           s.sum);
    goc_chan_free(s.values);
    return s.sum == COUNT * (COUNT + 1) / 2 ? 0 : 1;
}
