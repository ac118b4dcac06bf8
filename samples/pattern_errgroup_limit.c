/*
 * pattern_errgroup_limit.c - an errgroup with a context and a limit: the
 * first failure cancels the others.
 *
 * Go idiom mirrored (golang.org/x/sync/errgroup, as in the guides):
 *
 *     g, ctx := errgroup.WithContext(ctx)
 *     g.SetLimit(2)                    // at most 2 tasks at once
 *     for _, item := range items {
 *         item := item
 *         g.Go(func() error { return fetch(ctx, item) })
 *     }
 *     if err := g.Wait(); err != nil { ... } // the first error
 *
 * What happens here: six "fetches" run at most two at a time.  Items 0 and
 * 1 are quick and succeed.  Item 2 fails; that cancels the group's
 * context, so item 3 (which would take a whole second) stops at once, and
 * items 4 and 5, which only get a slot after the failure, see the context
 * already done and do not even start their work.  goc_group_wait returns
 * the first error.  (So that the output is the same on every run, item 2
 * fails only once item 3 is at work: a real failure comes when it comes.)
 *
 * What to look at:
 *  - goc_group_go blocks while two tasks run (SetLimit), so main is paced
 *    by the group, and no more than two goroutines exist at a time;
 *  - tasks watch the group's context (here through goc_ctx_wait, which
 *    stands for any context-aware blocking call) instead of being killed:
 *    cancellation is cooperative, as in Go.
 */
#include <goc.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

enum { NUM_ITEMS = 6, LIMIT = 2, BAD_ITEM = 2, SLOW_ITEM = 3 };

/* Task results are the group's errors: 0 or non-zero.  Applications pick
 * their own codes; positive ones never clash with libgoc's GOC_E*. */
enum { ERR_BAD_ITEM = 1 };

enum outcome { NOT_RUN, DONE, FAILED, CANCELLED, SKIPPED };
static const char *const outcome_names[] = {
    [NOT_RUN] = "not run",
    [DONE] = "done",
    [FAILED] = "FAILED",
    [CANCELLED] = "cancelled while working",
    [SKIPPED] = "skipped: context already done",
};

struct fetch {
    goc_ctx *ctx;           /* the group's context */
    int item;
    goc_duration cost;      /* how long the work takes */
    goc_chan *slow_working; /* closed when SLOW_ITEM starts its work */
    enum outcome outcome;   /* written by the task, read after wait */
};

static atomic_int running, max_running;

static void
check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", what, goc_strerror(rc));
        exit(1);
    }
}

static int
fetch(void *arg)
{
    struct fetch *f = arg;
    int now = atomic_fetch_add(&running, 1) + 1;
    int rc = 0;

    /* Remember the highest number of tasks seen at once. */
    for (int m = atomic_load(&max_running);
         now > m && !atomic_compare_exchange_weak(&max_running, &m, now);)
        ;

    if (goc_ctx_err(f->ctx) != 0) {
        /* select { case <-ctx.Done(): return ctx.Err(); default: } */
        f->outcome = SKIPPED;
        rc = goc_ctx_err(f->ctx);
    } else if (f->item == BAD_ITEM) {
        goc_chan_recv(f->slow_working, NULL, NULL); /* see the top */
        f->outcome = FAILED;
        rc = ERR_BAD_ITEM;
    } else {
        if (f->item == SLOW_ITEM)
            goc_chan_close(f->slow_working);
        /* The work: a context-aware wait stands for any blocking call
         * that gives up when the context is done. */
        if (goc_ctx_wait(f->ctx, goc_deadline_after(f->cost)) != 0) {
            f->outcome = CANCELLED; /* someone else failed */
            rc = goc_ctx_err(f->ctx);
        } else {
            f->outcome = DONE;
        }
    }
    atomic_fetch_sub(&running, 1);
    return rc;
}

int
main(void)
{
    struct fetch items[NUM_ITEMS];
    goc_chan *slow_working;
    goc_group *g;
    goc_ctx *ctx;
    int err;

    check(goc_chan_make(&slow_working, 0, 0), "make");
    check(goc_group_make(&g, goc_ctx_background(), &ctx), "group make");
    check(goc_group_set_limit(g, LIMIT), "set limit");

    for (int i = 0; i < NUM_ITEMS; i++) {
        items[i] = (struct fetch){
            .ctx = ctx,
            .item = i,
            /* 0, 1: quick; 2: fails; 3..5: slow */
            .cost = i < BAD_ITEM ? 2 * GOC_MILLISECOND : GOC_SECOND,
            .slow_working = slow_working,
        };
        check(goc_group_go(g, fetch, &items[i]), "group go");
    }

    err = goc_group_wait(g);
    for (int i = 0; i < NUM_ITEMS; i++)
        printf("item %d: %s\n", i, outcome_names[items[i].outcome]);
    printf("group error: %d (%s)\n", err,
           err == ERR_BAD_ITEM ? "item 2 was bad" : goc_strerror(err));
    printf("at most %d tasks ran at once (limit %d)\n",
           atomic_load(&max_running), LIMIT);
    printf("group context after wait: %s\n", goc_strerror(goc_ctx_err(ctx)));

    goc_group_free(g); /* also frees ctx, which the group owns */
    goc_chan_free(slow_working);
    return err == ERR_BAD_ITEM ? 0 : 1;
}
