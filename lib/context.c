/*
 * context.c - contexts: a tree of cancellation scopes with deadlines and
 * values (Go's package context).
 *
 * The node, its fields and the locking rules are in context_impl.h.  In
 * short: each node's goc__lock guards its own list of registered children,
 * their list links, and its own one-time transition to done (err, cause,
 * signo, and the close of its done channel, so a channel lock is taken
 * under it).  No thread ever holds two context locks at once, so there is
 * no lock order between contexts to get wrong; cancelling a subtree moves
 * each list out under its lock, takes a reference on every child so that
 * none can vanish, and cancels them one by one after unlocking.
 *
 * Memory.  A node's refs count the creator's handle plus one per child
 * node, so freeing a parent before its children is fine: the parent stays
 * in memory, cancelled, until the last child goes.  A deadline timer holds
 * no reference: instead goc_ctx_free cancels the timer, waiting for a
 * callback that is running, before it drops the creator's reference.
 *
 * Why done is a real channel: so that select can wait on it next to other
 * channels, as in Go.  goc_ctx_wait does not use it: it sleeps on a futex
 * word of its own, so that the tracer sees one "context done" wait rather
 * than a channel receive nested inside it.
 */
#include "context_impl.h"

#include <limits.h>

/* The root: no parent, no deadline, no values, never done. */
static goc_ctx background = {
    .deadline = GOC_FOREVER,
};

goc_ctx *
goc_ctx_background(void)
{
    return &background;
}

/* Drops one reference; at zero the node goes, and with it its reference
 * on its parent (a loop, not recursion, for long chains). */
static void
ctx_unref(goc_ctx *ctx)
{
    while (ctx != NULL) {
        GOC_HB_BEFORE(&ctx->refs); /* our uses, before the last free */
        if (atomic_fetch_sub_explicit(&ctx->refs, 1, memory_order_acq_rel)
            != 1)
            return;
        GOC_HB_AFTER(&ctx->refs);
        goc_ctx *parent = ctx->parent;

        /* Every cancellable node was cancelled (so unlinked, its list
         * emptied) and its timer claimed by goc_ctx_free before the
         * creator's reference went. */
        goc__assert(!ctx->linked && ctx->children == NULL);
        goc__assert(atomic_load_explicit(&ctx->timer, memory_order_relaxed)
                    == NULL);
        goc_chan_free(ctx->done);
        goc__free(ctx);
        ctx = parent;
    }
}

/* Takes ctx out of its registration parent's children list, if there. */
static void
detach(goc_ctx *ctx)
{
    goc_ctx *p = ctx->reg;

    if (p == NULL)
        return;
    goc__lock_acquire(&p->lock);
    if (ctx->linked) {
        if (ctx->sib_prev != NULL)
            ctx->sib_prev->sib_next = ctx->sib_next;
        else
            p->children = ctx->sib_next;
        if (ctx->sib_next != NULL)
            ctx->sib_next->sib_prev = ctx->sib_prev;
        ctx->sib_prev = ctx->sib_next = NULL;
        ctx->linked = false;
    }
    goc__lock_release(&p->lock);
}

/*
 * Makes ctx done unless it already is.  Its children move to *work, each
 * with a reference, for the caller to cancel in turn.  Returns true when
 * this call made ctx done.
 */
static bool
cancel_one(goc_ctx *ctx, int err, int cause, int signo, const char *reason,
           goc_ctx **work)
{
    goc_ctx *c, *next;

    (void)reason; /* only the instrumented build reports it */
    goc__lock_acquire(&ctx->lock);
    if (atomic_load_explicit(&ctx->err, memory_order_relaxed) != 0) {
        goc__lock_release(&ctx->lock);
        return false;
    }
    /* cause and signo before err: a reader that sees err sees them. */
    atomic_store_explicit(&ctx->cause, cause, memory_order_relaxed);
    if (signo != 0)
        atomic_store_explicit(&ctx->signo, signo, memory_order_relaxed);
    GOC_HB_BEFORE(&ctx->err); /* cause, signo, and the canceller's work */
    atomic_store_explicit(&ctx->err, err, memory_order_release);
    for (c = ctx->children; c != NULL; c = next) {
        next = c->sib_next;
        c->sib_prev = c->sib_next = NULL;
        c->linked = false;
        atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
        c->work_next = *work;
        *work = c;
    }
    ctx->children = NULL;
    /* The close happens under the lock, before done_word says "done": see
     * read_err for why. */
    GOC_HOOK(GCT_EV_CTX_CANCEL, ctx, err, cause, reason);
    goc_chan_close(ctx->done);
    GOC_HB_ATOMIC(&ctx->done_word); /* goc_ctx_wait loads it */
    atomic_store_explicit(&ctx->done_word, 1, memory_order_release);
    goc__lock_release(&ctx->lock);
    goc__futex_wake(&ctx->done_word, INT32_MAX);
    return true;
}

/*
 * err of a cancellable node, as Go promises it: once err is not 0, the done
 * channel is closed, and once the channel is closed (its close follows the
 * store of err), err is not 0.  err is stored before the close, so in the
 * short window between the two, a reader waits for the canceller to leave
 * the lock, which it holds until the close is done.
 */
static int
read_err(goc_ctx *c)
{
    int err = atomic_load_explicit(&c->err, memory_order_acquire);

    if (err != 0)
        GOC_HB_AFTER(&c->err);
    if (err != 0 &&
        atomic_load_explicit(&c->done_word, memory_order_acquire) == 0) {
        goc__lock_acquire(&c->lock);
        goc__lock_release(&c->lock);
    }
    return err;
}

bool
goc__ctx_cancel(goc_ctx *ctx, int err, int cause, const char *reason,
                int signo)
{
    goc_ctx *work = NULL;
    bool won;

    if (ctx == NULL || ctx->canceller != ctx)
        return false; /* background or a value node: nothing to cancel */
    if (read_err(ctx) != 0)
        return false; /* done nodes are never linked: nothing to do */
    detach(ctx);
    won = cancel_one(ctx, err, cause, signo, reason, &work);
    /* Descendants take the err and cause of the node that unlinked them,
     * as Go's children inherit their parent's. */
    while (work != NULL) {
        goc_ctx *c = work;
        work = c->work_next;
        cancel_one(c, atomic_load_explicit(&c->reg->err, memory_order_acquire),
                   atomic_load_explicit(&c->reg->cause, memory_order_relaxed),
                   0, "parent", &work);
        ctx_unref(c);
    }
    return won;
}

/* Claims the deadline timer (once) and stops it.  May wait for a callback
 * that is running right now, which is short. */
static void
stop_timer(goc_ctx *ctx)
{
    goc__timer *t = atomic_exchange_explicit(&ctx->timer, NULL,
                                             memory_order_acq_rel);

    if (t != NULL && !goc__timer_cancel(t))
        goc__timer_release(t);
}

/* The timer callback: runs on the timer thread.  ctx is alive: free stops
 * the timer (waiting for this callback) before dropping its reference. */
static void
deadline_fire(void *arg)
{
    goc__ctx_cancel(arg, GOC_EDEADLINE, GOC_EDEADLINE, "deadline", 0);
}

int
goc__ctx_make(goc_ctx **out, goc_ctx *parent, int kind, goc_time deadline)
{
    goc_ctx *ctx;
    int perr = 0, pcause = 0, r;

    if (out == NULL)
        return GOC_EINVAL;
    *out = NULL;
    if (parent == NULL)
        return GOC_EINVAL;
    ctx = goc__calloc(1, sizeof *ctx);
    if (ctx == NULL)
        return GOC_ENOMEM;
    /* made just before the context's hook: gctrace ties the two */
    r = goc_chan_make_named(&ctx->done, 0, 0, GCT_CTX_DONE_NAME);
    if (r != 0) {
        goc__free(ctx);
        return r;
    }
    ctx->parent = parent == &background ? NULL : parent;
    ctx->canceller = ctx;
    ctx->reg = parent->canceller;
    ctx->kind = kind;
    ctx->deadline = deadline < parent->deadline ? deadline : parent->deadline;
    atomic_init(&ctx->refs, 1);
    if (ctx->parent != NULL)
        atomic_fetch_add_explicit(&parent->refs, 1, memory_order_relaxed);
    GOC_HOOK(GCT_EV_CTX_MAKE, ctx, (intptr_t)parent, kind, NULL);

    /* Join the parent's list, unless the parent is already done: checked
     * under its lock, so that its cancel either finds us or we see it. */
    if (ctx->reg != NULL) {
        goc_ctx *p = ctx->reg;

        goc__lock_acquire(&p->lock);
        perr = atomic_load_explicit(&p->err, memory_order_relaxed);
        if (perr != 0) {
            pcause = atomic_load_explicit(&p->cause, memory_order_relaxed);
        } else {
            ctx->sib_next = p->children;
            if (p->children != NULL)
                p->children->sib_prev = ctx;
            p->children = ctx;
            ctx->linked = true;
        }
        goc__lock_release(&p->lock);
    }

    if (perr != 0) {
        goc__ctx_cancel(ctx, perr, pcause, "parent", 0);
    } else if (deadline < parent->deadline) {
        /* Only a deadline earlier than the inherited one needs a timer:
         * the ancestor that set the later one cancels us otherwise. */
        if (deadline <= goc_now()) {
            goc__ctx_cancel(ctx, GOC_EDEADLINE, GOC_EDEADLINE, "deadline",
                            0);
        } else {
            goc__timer *t = goc__timer_start(deadline, deadline_fire, ctx);
            if (t == NULL) {
                goc__ctx_free(ctx);
                return GOC_ENOMEM;
            }
            atomic_store_explicit(&ctx->timer, t, memory_order_release);
        }
    }
    *out = ctx;
    return 0;
}

int
goc_ctx_with_cancel(goc_ctx **out, goc_ctx *parent)
{
    return goc__ctx_make(out, parent, GCT_CTX_CANCEL, GOC_FOREVER);
}

int
goc_ctx_with_deadline(goc_ctx **out, goc_ctx *parent, goc_time deadline)
{
    return goc__ctx_make(out, parent, GCT_CTX_DEADLINE, deadline);
}

int
goc_ctx_with_timeout(goc_ctx **out, goc_ctx *parent, goc_duration timeout)
{
    return goc__ctx_make(out, parent, GCT_CTX_DEADLINE,
                         goc_deadline_after(timeout));
}

int
goc_ctx_with_value(goc_ctx **out, goc_ctx *parent, const void *key,
                   void *val)
{
    goc_ctx *ctx;

    if (out == NULL)
        return GOC_EINVAL;
    *out = NULL;
    /* A NULL key could never be looked up apart from "no key". */
    if (parent == NULL || key == NULL)
        return GOC_EINVAL;
    ctx = goc__calloc(1, sizeof *ctx);
    if (ctx == NULL)
        return GOC_ENOMEM;
    ctx->parent = parent == &background ? NULL : parent;
    ctx->canceller = parent->canceller;
    ctx->kind = GCT_CTX_VALUE;
    ctx->deadline = parent->deadline;
    ctx->key = key;
    ctx->val = val;
    atomic_init(&ctx->refs, 1);
    if (ctx->parent != NULL)
        atomic_fetch_add_explicit(&parent->refs, 1, memory_order_relaxed);
    GOC_HOOK(GCT_EV_CTX_MAKE, ctx, (intptr_t)parent, GCT_CTX_VALUE, NULL);
    *out = ctx;
    return 0;
}

void
goc_ctx_cancel_cause(goc_ctx *ctx, int cause)
{
    if (ctx == NULL || ctx->canceller != ctx)
        return;
    /* 0 means "not done" to goc_ctx_cause, so it cannot be a cause. */
    if (cause == 0)
        cause = GOC_ECANCELED;
    if (goc__ctx_cancel(ctx, GOC_ECANCELED, cause, "explicit", 0)) {
        GOC_HB_ATOMIC(&ctx->explicit_seen); /* a flag: other cancels read it */
        atomic_store_explicit(&ctx->explicit_seen, true,
                              memory_order_relaxed);
    } else if (!atomic_exchange_explicit(&ctx->explicit_seen, true,
                                         memory_order_relaxed)) {
        /* Already done (parent, deadline, signal): tell the tracer, once,
         * that the program did call cancel, so that it is no leak. */
        GOC_HOOK(GCT_EV_CTX_CANCEL, ctx,
                 atomic_load_explicit(&ctx->err, memory_order_acquire),
                 atomic_load_explicit(&ctx->cause, memory_order_relaxed),
                 "explicit");
    }
    /* A cancelled context needs its timer no more; stopping it now lets
     * the timer thread exit when it has nothing else to do. */
    stop_timer(ctx);
}

void
goc_ctx_cancel(goc_ctx *ctx)
{
    goc_ctx_cancel_cause(ctx, GOC_ECANCELED);
}

goc_chan *
goc_ctx_done(goc_ctx *ctx)
{
    if (ctx == NULL || ctx->canceller == NULL)
        return NULL;
    return ctx->canceller->done;
}

int
goc_ctx_err(goc_ctx *ctx)
{
    if (ctx == NULL || ctx->canceller == NULL)
        return 0;
    return read_err(ctx->canceller);
}

int
goc_ctx_cause(goc_ctx *ctx)
{
    if (goc_ctx_err(ctx) == 0)
        return 0;
    return atomic_load_explicit(&ctx->canceller->cause, memory_order_relaxed);
}

bool
goc_ctx_deadline(goc_ctx *ctx, goc_time *deadline)
{
    if (ctx == NULL || ctx->deadline == GOC_FOREVER)
        return false;
    if (deadline != NULL)
        *deadline = ctx->deadline;
    return true;
}

void *
goc_ctx_value(goc_ctx *ctx, const void *key)
{
    for (goc_ctx *c = ctx; c != NULL; c = c->parent) {
        if (c->kind == GCT_CTX_VALUE && c->key == key)
            return c->val;
    }
    return NULL;
}

int
goc_ctx_wait(goc_ctx *ctx, goc_time deadline)
{
    goc_ctx *c;
    _Atomic uint32_t never = 0; /* for contexts that cannot be done */
    _Atomic uint32_t *word;
    int err;

    if (ctx == NULL)
        return GOC_EINVAL;
    c = ctx->canceller;
    err = goc_ctx_err(ctx);
    if (err != 0)
        return err;
    if (deadline != GOC_FOREVER && deadline <= goc_now())
        return 0;
    word = c != NULL ? &c->done_word : &never;
    GOC_WAIT_UNTIL(GCT_WAIT_CTX, ctx, deadline);
    while (atomic_load_explicit(word, memory_order_acquire) == 0) {
        if (goc__futex_wait(word, 0, deadline) == GOC_ETIMEDOUT)
            break;
    }
    /* No GOC_HB_AFTER(word) needed: goc_ctx_err below sees err, stored
     * before done_word, and takes the canceller's edge from it. */
    err = goc_ctx_err(ctx);
    GOC_WAIT_END(ctx, err);
    return err;
}

void
goc__ctx_free(goc_ctx *ctx)
{
    if (ctx->on_free != NULL)
        ctx->on_free(ctx);
    if (ctx->canceller == ctx) {
        goc__ctx_cancel(ctx, GOC_ECANCELED, GOC_ECANCELED, "free", 0);
        stop_timer(ctx);
    }
    GOC_HOOK(GCT_EV_CTX_FREE, ctx, 0, 0, NULL);
    ctx_unref(ctx);
}

void
goc_ctx_free(goc_ctx *ctx)
{
    if (ctx == NULL || ctx == &background)
        return;
    /* The group frees its own context; freeing it here too would be a
     * double free, so the call is ignored, as the header says "do not". */
    if (ctx->group_owned)
        return;
    goc__ctx_free(ctx);
}
