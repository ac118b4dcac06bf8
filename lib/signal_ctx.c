/*
 * signal_ctx.c - contexts cancelled by a signal (Go's signal.NotifyContext).
 *
 * A signal handler may only do async-signal-safe things, so ours records
 * the signal in an atomic bit set and wakes a watcher thread with a futex
 * (a plain system call).  The watcher, a library thread with every signal
 * blocked, cancels the contexts listening for that signal.  One watcher and
 * one handler serve every signal context of the process: the registry
 * below says who listens to what, and counts the listeners of each signal
 * so that the disposition found before the first of them comes back when
 * the last one is freed.  The watcher exists only while some signal context
 * does, and is joined when the last one is freed.
 *
 * reg_lock guards the registry, the listener counts, the saved
 * dispositions and the watcher pointer; the watcher holds it while it
 * cancels, so goc_ctx_free, which unregisters under it first, never races
 * with a cancellation of a context being freed.  Lock order: reg_lock
 * before any context lock (cancelling takes those); nothing takes reg_lock
 * while holding a context lock.
 */
#include "context_impl.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>

/* Signals are 1..64 on Linux: bit signo - 1 of a 64-bit set. */
#define MAX_SIGNAL 64

/* One signal context's registration. */
struct sigreg {
    goc_ctx *ctx;
    uint64_t mask;        /* signals it listens for */
    struct sigreg *next;  /* reg_lock */
};

/* The watcher thread; stop is its own, so that a watcher being joined and
 * a newer one started meanwhile never confuse their orders. */
struct watcher {
    pthread_t thread;
    _Atomic bool stop;
};

static goc__lock reg_lock = GOC__LOCK_INIT;
static struct sigreg *registry;                 /* reg_lock */
static int listeners[MAX_SIGNAL + 1];           /* reg_lock */
static struct sigaction saved[MAX_SIGNAL + 1];  /* reg_lock */
static struct watcher *watcher;                 /* reg_lock */

/* Written by the handler: signals caught and not yet dispatched, and a
 * futex word bumped after each (and to wake a watcher that must stop). */
static _Atomic uint64_t pending;
static _Atomic uint32_t seq;

static void
on_signal(int signo)
{
    int saved_errno = errno;

    atomic_fetch_or(&pending, (uint64_t)1 << (signo - 1));
    atomic_fetch_add(&seq, 1);
    goc__futex_wake(&seq, 1);
    errno = saved_errno;
}

/* Cancels every registered context that listens for one of sigs; the
 * lowest such signal is the one goc_ctx_signal reports.  reg_lock held. */
static void
dispatch(uint64_t sigs)
{
    for (struct sigreg *r = registry; r != NULL; r = r->next) {
        uint64_t hit = sigs & r->mask;

        if (hit != 0)
            goc__ctx_cancel(r->ctx, GOC_ECANCELED, GOC_ECANCELED, "signal",
                            __builtin_ctzll(hit) + 1);
    }
}

static void *
watch(void *arg)
{
    struct watcher *w = arg;

    for (;;) {
        /* seq before pending: a signal caught after the exchange below
         * has bumped seq past s, so the wait returns at once. */
        uint32_t s = atomic_load(&seq);
        uint64_t sigs;

        goc__lock_acquire(&reg_lock);
        if (atomic_load(&w->stop)) {
            goc__lock_release(&reg_lock);
            return NULL;
        }
        sigs = atomic_exchange(&pending, 0);
        if (sigs != 0)
            dispatch(sigs);
        goc__lock_release(&reg_lock);
        if (sigs == 0)
            goc__futex_wait(&seq, s, GOC_FOREVER);
    }
}

/* Starts the watcher with every signal blocked (it inherits our mask, so
 * we block all around pthread_create).  reg_lock held. */
static int
start_watcher(void)
{
    struct watcher *w = goc__calloc(1, sizeof *w);
    sigset_t all, old;
    int err;

    if (w == NULL)
        return GOC_ENOMEM;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    err = pthread_create(&w->thread, NULL, watch, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err != 0) {
        goc__free(w);
        return err == ENOMEM ? GOC_ENOMEM : GOC_ESYSTEM;
    }
    pthread_setname_np(w->thread, "goc-signal");
    watcher = w;
    return 0;
}

/* Drops one listener of each signal in mask, restoring the disposition
 * found before the first one.  reg_lock held. */
static void
unlisten(uint64_t mask)
{
    for (int s = 1; s <= MAX_SIGNAL; s++) {
        if (!(mask & ((uint64_t)1 << (s - 1))) || --listeners[s] != 0)
            continue;
        sigaction(s, &saved[s], NULL);
        /* A signal caught but not yet dispatched belongs to the contexts
         * that were listening; a later context must not inherit it. */
        atomic_fetch_and(&pending, ~((uint64_t)1 << (s - 1)));
    }
}

/* When no context is registered any more, tells the watcher to stop and
 * returns it, for stop_watcher to join after unlocking (it needs reg_lock
 * to see the order).  reg_lock held. */
static struct watcher *
idle_watcher(void)
{
    struct watcher *w = watcher;

    if (registry != NULL || w == NULL)
        return NULL;
    watcher = NULL;
    atomic_store(&w->stop, true);
    return w;
}

static void
stop_watcher(struct watcher *w)
{
    if (w == NULL)
        return;
    atomic_fetch_add(&seq, 1);
    goc__futex_wake(&seq, INT32_MAX);
    pthread_join(w->thread, NULL);
    goc__free(w);
}

/* The signal context's on_free: unregisters, restores the dispositions,
 * and stops the watcher after the last context. */
static void
sig_release(goc_ctx *ctx)
{
    struct sigreg *reg = ctx->ext, **pp;
    struct watcher *w;

    goc__lock_acquire(&reg_lock);
    for (pp = &registry; *pp != reg; pp = &(*pp)->next)
        ;
    *pp = reg->next;
    unlisten(reg->mask);
    w = idle_watcher();
    goc__lock_release(&reg_lock);
    stop_watcher(w);
    goc__free(reg);
}

int
goc_ctx_with_signals(goc_ctx **out, goc_ctx *parent, const int *signals,
                     size_t n)
{
    struct sigaction sa;
    struct sigreg *reg;
    struct watcher *w;
    uint64_t mask = 0, done = 0;
    goc_ctx *ctx;
    int r;

    if (out == NULL)
        return GOC_EINVAL;
    *out = NULL;
    if (parent == NULL || signals == NULL || n == 0)
        return GOC_EINVAL;
    for (size_t i = 0; i < n; i++) {
        int s = signals[i];

        if (s <= 0 || s > MAX_SIGNAL || s == SIGKILL || s == SIGSTOP)
            return GOC_EINVAL;
        mask |= (uint64_t)1 << (s - 1);
    }
    reg = goc__calloc(1, sizeof *reg);
    if (reg == NULL)
        return GOC_ENOMEM;
    r = goc__ctx_make(&ctx, parent, GCT_CTX_SIGNAL, GOC_FOREVER);
    if (r != 0) {
        goc__free(reg);
        return r;
    }
    reg->ctx = ctx;
    reg->mask = mask;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);

    goc__lock_acquire(&reg_lock);
    if (watcher == NULL && (r = start_watcher()) != 0)
        goto fail;
    for (int s = 1; s <= MAX_SIGNAL; s++) {
        uint64_t bit = (uint64_t)1 << (s - 1);

        if (!(mask & bit))
            continue;
        if (listeners[s] == 0 && sigaction(s, &sa, &saved[s]) != 0) {
            r = GOC_EINVAL; /* a signal the C library reserves */
            unlisten(done);
            goto fail;
        }
        listeners[s]++;
        done |= bit;
    }
    reg->next = registry;
    registry = reg;
    goc__lock_release(&reg_lock);

    ctx->ext = reg;
    ctx->on_free = sig_release;
    *out = ctx;
    return 0;

fail:
    /* Nobody else listening: the watcher we may have started goes. */
    w = idle_watcher();
    goc__lock_release(&reg_lock);
    stop_watcher(w);
    goc__ctx_free(ctx);
    goc__free(reg);
    return r;
}

int
goc_ctx_signal(goc_ctx *ctx)
{
    /* signo is written before err, which publishes it. */
    if (ctx == NULL || ctx->kind != GCT_CTX_SIGNAL || goc_ctx_err(ctx) == 0)
        return 0;
    return atomic_load_explicit(&ctx->signo, memory_order_relaxed);
}
