/*
 * sema.c - the weighted semaphore of golang.org/x/sync/semaphore.
 *
 * s->lock (a goc__lock) protects cur and the FIFO queue of waiters, and
 * every queued waiter's granted flag.  Waiters are served strictly in
 * order: a waiter for many units at the head blocks smaller requests behind
 * it even when they would fit, so that big requests are not starved (the
 * x/sync rule; try_acquire fails while anyone waits, for the same reason).
 *
 * A waiter record lives on the blocked thread's stack.  Whoever grants it
 * units (a release) unlinks it and sets granted under s->lock, then wakes
 * it; a waiter that gives up (its context is done) unlinks itself under
 * s->lock, so a releaser never touches a record that has gone.
 *
 * How a waiter waits for "units OR context done" without polling: with no
 * context that can end (ctx NULL, or one whose done channel is NULL) it
 * parks on a goc__parker; otherwise it selects on the context's done
 * channel and a private cap-1 channel of its own that the releaser sends
 * to, so libgoc's select does the two-way wait.  The releaser sends under
 * s->lock and the waiter takes s->lock before freeing its channel, so the
 * send has returned by then.  The lock order is s->lock, then channel and
 * context locks; neither ever calls back into the semaphore.
 */
#include "sema_impl.h"

struct sema_waiter {
    struct sema_waiter *next, *prev; /* s->lock: queue links */
    int64_t n;                       /* units wanted; immutable */
    bool granted;                    /* s->lock: units taken for us */
    goc_chan *ready;                 /* NULL: wake by parker */
    goc__parker parker;
};

struct goc_sema {
    goc__lock lock;
    int64_t size;                /* immutable */
    int64_t cur;                 /* lock: units held */
    struct sema_waiter *first;   /* lock: FIFO of waiters */
    struct sema_waiter *last;    /* lock */
    size_t nwaiters;             /* lock */
};

static void
queue_push(goc_sema *s, struct sema_waiter *w)
{
    w->next = NULL;
    w->prev = s->last;
    if (s->last)
        s->last->next = w;
    else
        s->first = w;
    s->last = w;
    s->nwaiters++;
}

static void
queue_remove(goc_sema *s, struct sema_waiter *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else
        s->first = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        s->last = w->prev;
    w->next = w->prev = NULL;
    s->nwaiters--;
}

/* Grants units to waiters from the head of the queue while they fit.
 * Under s->lock. */
static void
notify_waiters(goc_sema *s)
{
    struct sema_waiter *w;

    while ((w = s->first) != NULL) {
        if (s->size - s->cur < w->n)
            break; /* the head does not fit: nobody behind it may pass */
        s->cur += w->n;
        queue_remove(s, w);
        w->granted = true;
        if (w->ready != NULL) {
            /* cap 1, and only ever one send: this cannot block. */
            goc_chan_try_send(w->ready, NULL);
        } else {
            goc__unpark(&w->parker);
        }
    }
}

int
goc_sema_make(goc_sema **out, int64_t size)
{
    if (out == NULL || size < 0)
        return GOC_EINVAL;
    goc_sema *s = goc__calloc(1, sizeof *s);
    if (s == NULL)
        return GOC_ENOMEM;
    s->size = size;
    *out = s;
    return 0;
}

/* Waits on w until granted or ctx is done.  Called without s->lock;
 * returns with it held.  The result is 0 (granted) or ctx's error. */
static int
wait_granted(goc_sema *s, struct sema_waiter *w, goc_ctx *ctx,
             goc_chan *done)
{
    if (w->ready == NULL) {
        /* Nothing can end this wait but a grant. */
        goc__park(&w->parker, GOC_FOREVER);
        goc__lock_acquire(&s->lock);
        return 0;
    }
    goc_case cases[2] = {GOC_RECV(w->ready, NULL), GOC_RECV(done, NULL)};
    for (;;) {
        goc_select(cases, 2, GOC_FOREVER);
        goc__lock_acquire(&s->lock);
        /* The context first: done and granted at once counts as done. */
        int err = goc_ctx_err(ctx);
        if (err != 0 || w->granted)
            return err;
        /* Neither happened (select failed): wait again. */
        goc__lock_release(&s->lock);
    }
}

int
goc_sema_acquire(goc_sema *s, goc_ctx *ctx, int64_t n)
{
    if (s == NULL || n < 0 || n > s->size)
        return GOC_EINVAL;
    goc_chan *done = ctx ? goc_ctx_done(ctx) : NULL;

    goc__lock_acquire(&s->lock);
    /* A context already done wins even when units are free (x/sync). */
    int err = done ? goc_ctx_err(ctx) : 0;
    if (err != 0) {
        goc__lock_release(&s->lock);
        return err;
    }
    if (s->size - s->cur >= n && s->first == NULL) {
        s->cur += n;
        goc__lock_release(&s->lock);
        return 0;
    }

    struct sema_waiter w = {.n = n};
    goc__parker_init(&w.parker);
    if (done != NULL) {
        int r = goc_chan_make_named(&w.ready, 0, 1, "semaphore waiter");
        if (r != 0) {
            goc__lock_release(&s->lock);
            return r;
        }
    }
    queue_push(s, &w);
    goc__lock_release(&s->lock);

    GOC_WAIT_BEGIN(GCT_WAIT_WSEMA, s);
    err = wait_granted(s, &w, ctx, done);
    /* s->lock held. */
    if (err != 0) {
        if (w.granted) {
            /* Granted and cancelled both: the units go back, as x/sync
             * prefers failing once the context is done. */
            s->cur -= n;
            notify_waiters(s);
        } else {
            bool front = s->first == &w;
            queue_remove(s, &w);
            /* Leaving the head may let smaller waiters behind us pass. */
            if (front && s->size > s->cur)
                notify_waiters(s);
        }
    }
    goc__lock_release(&s->lock);
    GOC_WAIT_END(s, err);
    goc_chan_free(w.ready);
    return err;
}

bool
goc_sema_try_acquire(goc_sema *s, int64_t n)
{
    if (s == NULL || n < 0)
        return false;
    goc__lock_acquire(&s->lock);
    bool ok = s->size - s->cur >= n && s->first == NULL;
    if (ok)
        s->cur += n;
    goc__lock_release(&s->lock);
    return ok;
}

int
goc_sema_release(goc_sema *s, int64_t n)
{
    if (s == NULL || n < 0)
        return GOC_EINVAL;
    goc__lock_acquire(&s->lock);
    if (n > s->cur) {
        goc__lock_release(&s->lock);
        GOC_MISUSE(GCT_MISUSE_SEMA_OVER_RELEASE, s, n);
        return GOC_EMISUSE;
    }
    s->cur -= n;
    notify_waiters(s);
    goc__lock_release(&s->lock);
    return 0;
}

void
goc_sema_free(goc_sema *s)
{
    goc__free(s);
}

size_t
goc__sema_waiters(goc_sema *s)
{
    goc__lock_acquire(&s->lock);
    size_t n = s->nwaiters;
    goc__lock_release(&s->lock);
    return n;
}
