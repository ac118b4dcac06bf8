/*
 * fix_timer_leak.c - FIXED twin of bug_timer_leak.c: one idle timer for
 * the whole loop, reset for each message and freed at the end.
 *
 * Go idiom mirrored (the guides' fix for time.After in a loop):
 *
 *     idle := time.NewTimer(time.Minute)
 *     defer idle.Stop()
 *     for {
 *         idle.Reset(time.Minute)
 *         select {
 *         case m := <-messages:
 *             handle(m)
 *         case <-idle.C:
 *             return errIdle
 *         }
 *     }
 *
 * goc_timer_reset stops the pending timer and arms it again, draining a
 * value that fired in between, so that the select never sees a stale
 * one.  goc_timer_free stops it for good and frees it.  (Freeing each
 * goc_after channel after its select would fix it too: goc_chan_free
 * cancels a pending timer.)
 *
 * What gctrace should report: nothing.
 */
#include <goc.h>

#include <stdio.h>
#include <stdlib.h>

#define MESSAGES 100

static void
check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", what, goc_strerror(rc));
        exit(1);
    }
}

static void
producer(void *arg)
{
    goc_chan *messages = arg;

    for (int i = 1; i <= MESSAGES; i++)
        check(goc_chan_send(messages, &i), "send");
    goc_chan_close(messages);
}

/* Sums the messages until the channel closes or a minute passes idle. */
static int
consume(goc_chan *messages, long *sum)
{
    goc_timer *idle;
    int rc = 0;

    check(goc_timer_make(&idle, 60 * GOC_SECOND), "timer");
    for (;;) {
        int m;

        goc_timer_reset(idle, 60 * GOC_SECOND);
        goc_case cases[2] = {GOC_RECV(messages, &m),
                             GOC_RECV(goc_timer_chan(idle), NULL)};
        int i = goc_select(cases, 2, GOC_FOREVER);
        if (i == 1) {
            rc = GOC_ETIMEDOUT;
            break;
        }
        if (!cases[0].ok)
            break; /* closed: every message is in */
        *sum += m;
    }
    goc_timer_free(idle); /* stops it: Go's defer idle.Stop() */
    return rc;
}

int
main(void)
{
    goc_chan *messages;
    long sum = 0;

    check(goc_chan_make_named(&messages, sizeof(int), 0, "messages"),
          "make");
    check(goc_go_named("producer", producer, messages), "go");
    check(consume(messages, &sum), "consume");
    printf("sum of %d messages: %ld\n", MESSAGES, sum);
    return 0;
}
