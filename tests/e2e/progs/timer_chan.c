/*
 * timer_chan.c MODE - a goroutine is left blocked at exit receiving from
 * a channel libgoc made for itself, or from one of the program's own:
 *   after    goc_after(1 hour)'s channel: a timer, never closed by design
 *   ctx      the done channel of a context never cancelled
 *   own      a channel the program made and never closed (the bug)
 * Each goroutine is a leak; only "own" is an unclosed channel.  main
 * waits until the goroutine has begun its receive (a WaitGroup it is done
 * with just before), and the receive blocks for good.
 */
#include <goc.h>

#include <stdio.h>
#include <string.h>

static goc_waitgroup started = GOC_WAITGROUP_INIT;

static void
receiver(void *arg)
{
    goc_chan *ch = arg;
    int v;
    goc_wg_done(&started);
    goc_chan_recv(ch, &v, NULL);
}

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "own";
    goc_chan *ch = NULL;
    goc_ctx *ctx = NULL;

    if (!strcmp(mode, "after"))
        goc_after(&ch, 3600 * GOC_SECOND);
    else if (!strcmp(mode, "ctx")) {
        goc_ctx_with_cancel(&ctx, goc_ctx_background());
        ch = goc_ctx_done(ctx);
    } else
        goc_chan_make(&ch, sizeof(int), 0);
    goc_wg_add(&started, 1);
    goc_go(receiver, ch);
    goc_wg_wait(&started);
    puts("leaving");
    return 0;
}
