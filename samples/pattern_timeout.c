/*
 * pattern_timeout.c - three ways to stop waiting: a select deadline,
 * goc_after, and a context with a timeout.
 *
 * Go idioms mirrored (the timeout patterns of the guides):
 *
 *  1. and 2.
 *     func doWithTimeout(timeout time.Duration) error {
 *         done := make(chan error, 1)      // 1 slot: the late send
 *         go func() { done <- doWork() }() // never blocks
 *         select {
 *         case err := <-done:
 *             return err
 *         case <-time.After(timeout):
 *             return errors.New("timeout")
 *         }
 *     }
 *
 *  3.
 *     func ExecuteWithTimeout(ctx context.Context, d time.Duration) error {
 *         ctx, cancel := context.WithTimeout(ctx, d)
 *         defer cancel()
 *         resultCh := make(chan error, 1)
 *         go func() { resultCh <- doWork(ctx) }()
 *         select {
 *         case err := <-resultCh:
 *             return err
 *         case <-ctx.Done():
 *             return ctx.Err()
 *         }
 *     }
 *
 * What to look at:
 *  - goc_select takes an absolute deadline itself, so "select with a
 *    timeout" needs no timer at all (goc_chan_recv_until is the one-channel
 *    shorthand); goc_after is the literal time.After, a channel that can
 *    sit in a select beside others and be passed around;
 *  - the result channel has one slot: when the caller has given up, the
 *    worker's late send still completes and the worker can return
 *    (bug_blocked_send.c shows what an unbuffered channel does here);
 *  - in 1 and 2 the work knows nothing of the timeout and runs to its end
 *    anyway; in C, unlike Go, someone must then wait for it before the
 *    channel is freed, so the caller does;
 *  - in 3 the work watches the same context, so it stops as soon as the
 *    deadline passes: a timeout that actually saves the work.
 */
#include <goc.h>

#include <stdio.h>
#include <stdlib.h>

enum { ANSWER = 42 };

struct call {
    goc_duration work;  /* how long the work takes */
    goc_ctx *ctx;       /* NULL: the work ignores timeouts */
    goc_chan *done;     /* int: the result, or a GOC_E* code; 1 slot */
    goc_waitgroup wg;   /* the worker */
};

enum how { SELECT_DEADLINE, AFTER_CHANNEL, CONTEXT };

static void
check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", what, goc_strerror(rc));
        exit(1);
    }
}

/* doWork(ctx): with a context, a context-aware wait stands for the work
 * and gives up with the context's error. */
static void
worker(void *arg)
{
    struct call *c = arg;
    int result = ANSWER;

    if (c->ctx) {
        int err = goc_ctx_wait(c->ctx, goc_deadline_after(c->work));

        if (err != 0)
            result = err;
    } else {
        goc_sleep(c->work);
    }
    /* Never blocks: one slot, one send. */
    check(goc_chan_send(c->done, &result), "send result");
}

/* Runs the work on a goroutine and waits for it at most `timeout`; returns
 * the result or a GOC_E* code. */
static int
call_with_timeout(enum how how, goc_duration work, goc_duration timeout)
{
    struct call c = {.work = work, .wg = GOC_WAITGROUP_INIT};
    goc_chan *after = NULL;
    int result = 0, rc;

    check(goc_chan_make_named(&c.done, sizeof(int), 1, "done"), "make");
    if (how == CONTEXT)
        check(goc_ctx_with_timeout(&c.ctx, goc_ctx_background(), timeout),
              "ctx");
    check(goc_wg_go(&c.wg, worker, &c), "start worker");

    switch (how) {
    case SELECT_DEADLINE: {
        goc_case cases[] = {GOC_RECV(c.done, &result)};

        /* Same as goc_chan_recv_until(c.done, &result, NULL, deadline). */
        rc = goc_select(cases, 1, goc_deadline_after(timeout));
        rc = rc == 0 ? result : rc;
        break;
    }
    case AFTER_CHANNEL: {
        check(goc_after(&after, timeout), "after");
        goc_case cases[] = {
            GOC_RECV(c.done, &result),
            GOC_RECV(after, NULL),
        };

        rc = goc_select(cases, 2, GOC_FOREVER);
        rc = rc == 0 ? result : rc == 1 ? GOC_ETIMEDOUT : rc;
        goc_chan_free(after); /* also stops the timer if it is pending */
        break;
    }
    case CONTEXT:
    default: {
        goc_case cases[] = {
            GOC_RECV(c.done, &result),
            GOC_RECV(goc_ctx_done(c.ctx), NULL),
        };

        rc = goc_select(cases, 2, GOC_FOREVER);
        rc = rc == 0 ? result : rc == 1 ? goc_ctx_err(c.ctx) : rc;
        goc_ctx_cancel(c.ctx); /* defer cancel() */
        break;
    }
    }

    /* Go's garbage collector would free the channel once the worker is
     * gone; here we wait for the worker ourselves. */
    goc_wg_wait(&c.wg);
    goc_chan_free(c.done);
    goc_ctx_free(c.ctx);
    return rc;
}

static void
show(enum how how, goc_duration work, goc_duration timeout)
{
    int rc = call_with_timeout(how, work, timeout);

    printf("  work %2ld ms, timeout %3ld ms: ",
           (long)(work / GOC_MILLISECOND), (long)(timeout / GOC_MILLISECOND));
    if (rc == ANSWER)
        printf("result %d\n", rc);
    else
        printf("%s (%s)\n", goc_strerror(rc),
               how == CONTEXT ? "the work stopped early too"
                              : "the work ran on to its end");
}

int
main(void)
{
    const goc_duration ms = GOC_MILLISECOND;

    /* Wide margins between work and timeout, so that a loaded machine
     * prints the same thing. */
    printf("1. select with a deadline\n");
    show(SELECT_DEADLINE, 1 * ms, 200 * ms);
    show(SELECT_DEADLINE, 60 * ms, 5 * ms);
    printf("2. select on goc_after\n");
    show(AFTER_CHANNEL, 1 * ms, 200 * ms);
    show(AFTER_CHANNEL, 60 * ms, 5 * ms);
    printf("3. context with timeout\n");
    show(CONTEXT, 1 * ms, 200 * ms);
    show(CONTEXT, 60 * ms, 5 * ms);
    return 0;
}
