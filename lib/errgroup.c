/*
 * errgroup.c - a group of goroutines working on one task, with a shared
 * context, first-error-wins and a concurrency limit
 * (golang.org/x/sync/errgroup).
 *
 * No lock: the state is a handful of atomics.
 *  - active counts tasks started and not yet returned.  It is both the
 *    WaitGroup counter (wait sleeps on it until it is 0) and the limit's
 *    slot count (go takes a slot by CAS from a < limit to a + 1, sleeping
 *    on it while a >= limit).  Every change that frees a slot or reaches 0
 *    wakes the sleepers, counted in waiters to skip the system call when
 *    there are none.
 *  - err is the first non-zero result, set once by CAS.
 *  - runners counts task wrappers that may still touch the group; it is
 *    their very last access, so goc_group_free, which waits for it to
 *    reach 0, never frees memory a finishing wrapper still uses (a wrapper
 *    wakes the waiters after its decrement of active).
 *
 * The context's cause.  When a task fails, the group's context is
 * cancelled with that task's result as its cause, verbatim (Go's
 * context.Cause returns the task's error the same way), so a sibling can
 * tell "cancelled because task X failed with E" from an outside cancel.
 * When wait returns, the context is cancelled with the group's error as
 * cause, or GOC_ECANCELED when every task succeeded.  A group made without
 * ctx_out has no context at all (like Go's zero Group): parent is unused.
 *
 * Completion is counted when a task's function returns, as Go's deferred
 * Done does: the goroutine itself may still be in goc_count() for a moment
 * after wait returns.
 */
#include "context_impl.h"

#include <sched.h>

struct goc_group {
    goc_ctx *ctx;             /* immutable; owned; NULL without ctx_out */
    _Atomic int limit;        /* < 0: no limit */
    _Atomic uint32_t active;  /* futex: tasks started, not yet returned */
    _Atomic uint32_t waiters; /* threads sleeping on active */
    _Atomic uint32_t runners; /* wrappers that may still touch the group */
    _Atomic int err;          /* the first non-zero result */
};

/* What the goroutine runs: allocated by go, freed by the goroutine. */
struct task {
    goc_group *g;
    goc_task fn;
    void *arg;
};

int
goc_group_make(goc_group **out, goc_ctx *parent, goc_ctx **ctx_out)
{
    goc_group *g;
    int r;

    if (out == NULL)
        return GOC_EINVAL;
    *out = NULL;
    if (ctx_out != NULL)
        *ctx_out = NULL;
    g = goc__calloc(1, sizeof *g);
    if (g == NULL)
        return GOC_ENOMEM;
    atomic_init(&g->limit, -1);
    if (ctx_out != NULL) {
        r = goc__ctx_make(&g->ctx, parent != NULL ? parent
                                                  : goc_ctx_background(),
                          GCT_CTX_GROUP, GOC_FOREVER);
        if (r != 0) {
            goc__free(g);
            return r;
        }
        g->ctx->group_owned = true;
        *ctx_out = g->ctx;
    }
    *out = g;
    return 0;
}

int
goc_group_set_limit(goc_group *g, int n)
{
    if (g == NULL)
        return GOC_EINVAL;
    /* Go panics: changing the limit under running tasks would break the
     * slot accounting. */
    if (atomic_load(&g->active) != 0) {
        GOC_MISUSE(GCT_MISUSE_GROUP_SET_LIMIT, g, n);
        return GOC_EMISUSE;
    }
    atomic_store(&g->limit, n < 0 ? -1 : n);
    return 0;
}

/* Records a result; the first non-zero one cancels the context. */
static void
record(goc_group *g, int res)
{
    int expected = 0;

    if (res != 0 && atomic_compare_exchange_strong(&g->err, &expected, res)
        && g->ctx != NULL)
        goc_ctx_cancel_cause(g->ctx, res);
}

/* Gives back a slot; wakes whoever waits for a slot or for zero. */
static void
release_slot(goc_group *g)
{
    GOC_HB_BEFORE(&g->active); /* the task's work, for wait */
    atomic_fetch_sub(&g->active, 1);
    /* seq_cst on both sides (here fetch_sub then load; the sleeper bumps
     * waiters then the futex re-reads active) rules out a lost wake-up. */
    if (atomic_load(&g->waiters) != 0)
        goc__futex_wake(&g->active, INT32_MAX);
}

/* Sleeps while active still equals a.  The caller brackets the wait. */
static void
sleep_on_active(goc_group *g, uint32_t a)
{
    atomic_fetch_add(&g->waiters, 1);
    goc__futex_wait(&g->active, a, GOC_FOREVER);
    atomic_fetch_sub(&g->waiters, 1);
}

static void
run_task(void *p)
{
    struct task t = *(struct task *)p;

    goc__free(p);
    record(t.g, t.fn(t.arg));
    release_slot(t.g);
    GOC_HB_BEFORE(&t.g->runners); /* our last use of the group */
    atomic_fetch_sub_explicit(&t.g->runners, 1, memory_order_release);
}

/* Takes a slot, sleeping ("errgroup wait") while the limit is reached when
 * block is true; GOC_EAGAIN otherwise. */
static int
acquire_slot(goc_group *g, bool block)
{
    bool waited = false;

    for (;;) {
        uint32_t a = atomic_load(&g->active);
        int limit = atomic_load(&g->limit);

        if (limit < 0 || a < (uint32_t)limit) {
            if (atomic_compare_exchange_weak(&g->active, &a, a + 1)) {
                GOC_HB_AFTER(&g->active); /* a slot a task gave back */
                break;
            }
            continue;
        }
        if (!block)
            return GOC_EAGAIN;
        if (!waited) {
            GOC_WAIT_BEGIN(GCT_WAIT_ERRGROUP_LIMIT, g);
            waited = true;
        }
        sleep_on_active(g, a);
    }
    if (waited)
        GOC_WAIT_END(g, 0);
    return 0;
}

static int
start(goc_group *g, goc_task fn, void *arg, bool block)
{
    struct task *t;
    int r;

    if (g == NULL || fn == NULL)
        return GOC_EINVAL;
    r = acquire_slot(g, block);
    if (r != 0)
        return r;
    t = goc__malloc(sizeof *t);
    if (t == NULL) {
        r = GOC_ENOMEM;
        goto fail;
    }
    t->g = g;
    t->fn = fn;
    t->arg = arg;
    atomic_fetch_add(&g->runners, 1);
    r = goc_go(run_task, t);
    if (r == 0)
        return 0;
    atomic_fetch_sub(&g->runners, 1);
    goc__free(t);
fail:
    /* A task that cannot start fails the group, as it would fail in Go
     * (there it panics): wait returns the error, the context is done. */
    record(g, r);
    release_slot(g);
    return r;
}

int
goc_group_go(goc_group *g, goc_task fn, void *arg)
{
    return start(g, fn, arg, true);
}

int
goc_group_try_go(goc_group *g, goc_task fn, void *arg)
{
    return start(g, fn, arg, false);
}

int
goc_group_wait(goc_group *g)
{
    uint32_t a;
    int err;

    if (g == NULL)
        return GOC_EINVAL;
    a = atomic_load(&g->active);
    if (a != 0) {
        GOC_WAIT_BEGIN(GCT_WAIT_ERRGROUP, g);
        do {
            sleep_on_active(g, a);
        } while ((a = atomic_load(&g->active)) != 0);
        GOC_WAIT_END(g, 0);
    }
    GOC_HB_AFTER(&g->active); /* every task's work */
    err = atomic_load(&g->err);
    if (g->ctx != NULL)
        goc_ctx_cancel_cause(g->ctx, err != 0 ? err : GOC_ECANCELED);
    return err;
}

void
goc_group_free(goc_group *g)
{
    if (g == NULL)
        return;
    /* Freeing under running tasks would pull the group from under them:
     * wait for them instead (the header asks for wait first). */
    if (atomic_load(&g->active) != 0)
        goc_group_wait(g);
    /* Wrappers past their wake-up are a few instructions from done. */
    while (atomic_load_explicit(&g->runners, memory_order_acquire) != 0)
        sched_yield();
    GOC_HB_AFTER(&g->runners);
    if (g->ctx != NULL)
        goc__ctx_free(g->ctx);
    goc__free(g);
}
