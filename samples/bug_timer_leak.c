/*
 * bug_timer_leak.c - BUG: time.After in a loop.  Each message is awaited
 * with a fresh goc_after timeout that nobody stops or frees.  The fixed
 * twin is fix_timer_leak.c.
 *
 * Go mistake mirrored (the guides' "time.After in a loop leaks"):
 *
 *     for {
 *         select {
 *         case m := <-messages:
 *             handle(m)
 *         case <-time.After(time.Minute):
 *             return errIdle
 *         }
 *     }
 *
 * Every iteration arms a one-minute timer.  A message arrives long before
 * the minute is up, the select takes it, and the timer stays pending: it
 * holds its channel and a place in the timer heap until the minute is
 * over.  A busy loop piles up thousands.  In C the channel is never freed
 * either: goc_after's channel is the caller's to free.
 *
 * The program handles 100 messages and exits: 101 timers (one more for
 * the receive that finds the channel closed) are still pending at exit,
 * all armed on the same line.
 *
 * What gctrace should report:
 *   timer_leak, once: 101 goc_after timers armed in consume() were still
 *   pending when the process ended.
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
    for (;;) {
        goc_chan *idle;
        int m;

        /* BUG: a new timer every iteration, never freed. */
        check(goc_after(&idle, 60 * GOC_SECOND), "after");
        goc_case cases[2] = {GOC_RECV(messages, &m), GOC_RECV(idle, NULL)};
        int i = goc_select(cases, 2, GOC_FOREVER);
        if (i == 1)
            return GOC_ETIMEDOUT;
        if (!cases[0].ok)
            return 0; /* closed: every message is in */
        *sum += m;
    }
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
