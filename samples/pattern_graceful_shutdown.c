/*
 * pattern_graceful_shutdown.c - several services stopped in order when
 * SIGINT or SIGTERM arrives, each within a shutdown deadline.
 *
 * Go idiom mirrored (graceful shutdown in the guides):
 *
 *     ctx, stop := signal.NotifyContext(context.Background(),
 *         syscall.SIGINT, syscall.SIGTERM)
 *     defer stop()
 *     go srv.ListenAndServe() ...           // start the services
 *     <-ctx.Done()                          // wait for the signal
 *     shutdownCtx, cancel := context.WithTimeout(context.Background(),
 *         timeout)
 *     defer cancel()
 *     srv.Shutdown(shutdownCtx)             // then each service, in order
 *
 * Three services: "http" accepts requests into a queue, "worker" handles
 * the queue, "metrics" reports.  The order of shutdown matters: first stop
 * accepting (http closes the queue), then let the worker drain what was
 * already accepted, and flush the metrics last, so that no accepted
 * request is lost and the last report counts everything.  Each service
 * runs under its own context, which main cancels when it is that service's
 * turn, and closes its `done` channel when it has stopped; main waits for
 * `done` or for the shutdown deadline, whichever comes first.
 *
 * To be self-contained the program sends itself SIGTERM after 30 ms.  Run
 * it with --wait to wait for a real signal instead (press Ctrl-C).
 */
#include <goc.h>

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct service {
    const char *name;
    goc_fn run;
    goc_ctx *ctx;       /* cancelled by main: "shut down now" */
    goc_chan *done;     /* closed by the service once it has stopped */
};

/* State shared by the services. */
static goc_chan *queue;             /* int request ids: http -> worker */
static atomic_int accepted, processed;
static goc_waitgroup all = GOC_WAITGROUP_INIT;

static void
check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", what, goc_strerror(rc));
        exit(1);
    }
}

/* Waits for the next tick or the end of ctx: false when ctx is done. */
static bool
tick_or_done(goc_ticker *t, goc_ctx *ctx)
{
    goc_case cases[] = {
        GOC_RECV(goc_ticker_chan(t), NULL),
        GOC_RECV(goc_ctx_done(ctx), NULL),
    };

    return goc_select(cases, 2, GOC_FOREVER) == 0;
}

/* Accepts a "request" every 2 ms until told to stop, then closes the
 * queue: the queue's only sender closes it. */
static void
http_run(void *arg)
{
    struct service *s = arg;
    goc_ticker *t;

    check(goc_ticker_make(&t, 2 * GOC_MILLISECOND), "ticker");
    while (tick_or_done(t, s->ctx)) {
        int id = atomic_load(&accepted);

        /* A full queue means back-pressure: reject (a 503) rather than
         * block the accept loop. */
        if (goc_chan_try_send(queue, &id) == 0)
            atomic_fetch_add(&accepted, 1);
    }
    goc_ticker_free(t);
    printf("http: stopped accepting; closing the queue\n");
    goc_chan_close(queue);
    goc_chan_close(s->done);
}

static void
handle(void)
{
    goc_sleep(GOC_MILLISECOND / 2); /* simulate work */
    atomic_fetch_add(&processed, 1);
}

/* Handles requests until told to stop, then drains what http accepted. */
static void
worker_run(void *arg)
{
    struct service *s = arg;
    goc_chan *in = queue;
    int id;

    for (;;) {
        goc_case cases[] = {
            GOC_RECV(in, &id),
            GOC_RECV(goc_ctx_done(s->ctx), NULL),
        };

        if (goc_select(cases, 2, GOC_FOREVER) != 0)
            break; /* our turn to stop */
        if (!cases[0].ok) {
            /* The queue was closed: as in Go, set the channel to nil so
             * that its case is never chosen again, and wait for our turn
             * to stop rather than stop early. */
            in = NULL;
            continue;
        }
        handle();
    }
    /* http stopped first and closed the queue, so this range ends. */
    while (goc_chan_recv(queue, &id, NULL) == 0)
        handle();
    printf("worker: queue drained\n");
    goc_chan_close(s->done);
}

static void
metrics_run(void *arg)
{
    struct service *s = arg;
    goc_ticker *t;

    check(goc_ticker_make(&t, 10 * GOC_MILLISECOND), "ticker");
    while (tick_or_done(t, s->ctx))
        ; /* a periodic report would go out here */
    goc_ticker_free(t);
    printf("metrics: final flush\n");
    goc_chan_close(s->done);
}

/* The self-sent signal, standing in for an operator or a supervisor. */
static void
send_sigterm_soon(void *arg)
{
    (void)arg;
    goc_sleep(30 * GOC_MILLISECOND);
    kill(getpid(), SIGTERM);
    goc_wg_done(&all);
}

/* Stops one service and waits for it until the shutdown deadline. */
static bool
stop_service(struct service *s, goc_ctx *shutdown)
{
    goc_case cases[] = {
        GOC_RECV(s->done, NULL),
        GOC_RECV(goc_ctx_done(shutdown), NULL),
    };

    goc_ctx_cancel(s->ctx);
    if (goc_select(cases, 2, GOC_FOREVER) != 0) {
        printf("main: %s did not stop in time\n", s->name);
        return false;
    }
    printf("main: %s stopped\n", s->name);
    return true;
}

int
main(int argc, char **argv)
{
    static const int signals[] = {SIGINT, SIGTERM};
    struct service services[] = {
        /* In shutdown order. */
        {.name = "http", .run = http_run},
        {.name = "worker", .run = worker_run},
        {.name = "metrics", .run = metrics_run},
    };
    enum { NUM_SERVICES = sizeof(services) / sizeof(services[0]) };
    bool wait_for_real_signal = argc > 1 && strcmp(argv[1], "--wait") == 0;
    bool clean = true;
    goc_ctx *sigctx, *shutdown;

    /* Install the signal context before anything else runs, so that an
     * early SIGTERM is not lost (nor kills the process). */
    check(goc_ctx_with_signals(&sigctx, goc_ctx_background(), signals, 2),
          "signal context");
    check(goc_chan_make_named(&queue, sizeof(int), 16, "queue"), "queue");

    for (int i = 0; i < NUM_SERVICES; i++) {
        struct service *s = &services[i];

        check(goc_ctx_with_cancel(&s->ctx, goc_ctx_background()), "ctx");
        check(goc_chan_make_named(&s->done, 0, 0, s->name), "done");
        check(goc_wg_go(&all, s->run, s), "start service");
    }
    printf("main: http, worker and metrics running\n");

    if (wait_for_real_signal) {
        printf("main: pid %d waiting for SIGINT or SIGTERM\n", (int)getpid());
    } else {
        printf("main: will send myself SIGTERM in 30 ms\n");
        check(goc_wg_add(&all, 1), "wg add");
        check(goc_go_named("kill-self", send_sigterm_soon, NULL), "go");
    }
    fflush(stdout);

    /* <-ctx.Done() */
    goc_ctx_wait(sigctx, GOC_FOREVER);
    printf("main: got signal %d (%s), shutting down\n",
           goc_ctx_signal(sigctx), strsignal(goc_ctx_signal(sigctx)));

    /* One deadline for the whole shutdown, as Go's shutdownCtx. */
    check(goc_ctx_with_timeout(&shutdown, goc_ctx_background(),
                               2 * GOC_SECOND), "shutdown ctx");
    for (int i = 0; i < NUM_SERVICES && clean; i++)
        clean = stop_service(&services[i], shutdown);
    goc_ctx_cancel(shutdown);
    goc_ctx_free(shutdown);
    if (!clean)
        return 1; /* exit anyway; the stuck service dies with the process */

    printf("main: every accepted request was handled: %s\n",
           atomic_load(&accepted) == atomic_load(&processed) ? "yes" : "NO");

    goc_wg_wait(&all);
    for (int i = 0; i < NUM_SERVICES; i++) {
        goc_ctx_free(services[i].ctx);
        goc_chan_free(services[i].done);
    }
    goc_chan_free(queue);
    goc_ctx_free(sigctx); /* restores the previous signal dispositions */
    return 0;
}
