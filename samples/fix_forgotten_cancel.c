/*
 * fix_forgotten_cancel.c - FIXED twin of bug_forgotten_cancel.c: the
 * helper cancels and frees the context it made, on every path out.
 *
 * Go idiom mirrored (the guides' "always defer cancel"):
 *
 *     func fetch(parent context.Context, id int) (int, error) {
 *         ctx, cancel := context.WithTimeout(parent, 5*time.Second)
 *         defer cancel()
 *         return backendQuery(ctx, id)
 *     }
 *
 * C has no defer: the function keeps a single way out, and the two calls
 * that `defer cancel()` stands for sit there.  goc_ctx_cancel releases
 * what the context holds at once (it stops the timer, detaches from the
 * parent, closes the done channel); goc_ctx_free releases the memory.
 * Cancelling a context that has finished its job is not an error: cancel
 * is idempotent and says "I am done with this", whatever happened before.
 *
 * What gctrace should report: nothing.
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
    rc = backend_query(ctx, id, out);
    goc_ctx_cancel(ctx); /* FIX: what `defer cancel()` does */
    goc_ctx_free(ctx);
    return rc;
}

int
main(void)
{
    for (int id = 1; id <= 3; id++) {
        int value = 0;

        check(fetch(goc_ctx_background(), id, &value), "fetch");
        printf("fetch(%d) = %d\n", id, value);
    }
    printf("main: exiting; every context was cancelled and freed\n");
    return 0;
}
