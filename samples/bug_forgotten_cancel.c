/*
 * bug_forgotten_cancel.c - BUG: a context with a timeout made in a helper
 * and never cancelled (nor freed).  The fixed twin is
 * fix_forgotten_cancel.c.
 *
 * Go mistake mirrored (the guides' "not calling cancel()"; `go vet`'s
 * lostcancel check):
 *
 *     func fetch(parent context.Context, id int) (int, error) {
 *         ctx, _ := context.WithTimeout(parent, 5*time.Second) // no cancel
 *         return backendQuery(ctx, id)
 *     }
 *
 * A context made with a cancel, deadline or timeout holds resources until
 * it is cancelled: its entry in the parent's list of children, its done
 * channel, and here a pending 5 s timer.  The helper returns after 2 ms of
 * work, but nothing cancels the context for another 5 s; called once per
 * request, these pile up.  In C the memory is never even freed, because
 * goc_ctx_free is forgotten too.
 *
 * The program calls the helper three times, prints the results and exits
 * 0 well before any of the timeouts would fire: every context is still
 * pending at exit.
 *
 * What gctrace should report:
 *   context_leak, once for the one bug: the 3 contexts made by
 *   goc_ctx_with_timeout in fetch() were never cancelled, neither by a
 *   cancel call nor by their deadline, nor by their parent.
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

/* A context-aware backend call that takes 2 ms: it gives up early, with
 * the context's error, if the context ends first. */
static int
backend_query(goc_ctx *ctx, int id, int *out)
{
    int err = goc_ctx_wait(ctx, goc_deadline_after(2 * GOC_MILLISECOND));

    if (err != 0)
        return err;
    *out = id * 10;
    return 0;
}

static int
fetch(goc_ctx *parent, int id, int *out)
{
    goc_ctx *ctx;
    int rc;

    rc = goc_ctx_with_timeout(&ctx, parent, 5 * GOC_SECOND);
    if (rc != 0)
        return rc;
    /* BUG: returns without goc_ctx_cancel(ctx) and goc_ctx_free(ctx):
     * the context, its timer and its memory outlive the call. */
    return backend_query(ctx, id, out);
}

int
main(void)
{
    for (int id = 1; id <= 3; id++) {
        int value = 0;

        check(fetch(goc_ctx_background(), id, &value), "fetch");
        printf("fetch(%d) = %d\n", id, value);
    }
    printf("main: exiting; three 5 s contexts were never cancelled\n");
    return 0;
}
