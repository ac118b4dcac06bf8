/*
 * waitgroup.c - sync.WaitGroup on three atomic words and a futex.
 *
 * The fields (goc.h): count is the counter, seq is bumped each time the
 * counter reaches zero and is the futex word blocked waiters sleep on,
 * waiters is the number of Wait calls that saw a non-zero counter and have
 * not returned yet.  There is no lock; every access is a sequentially
 * consistent atomic, which the wake-up argument below relies on.
 *
 * The hard part is the end of a generation.  A waiter may free the
 * WaitGroup the moment it returns (it often lives on the waiter's stack),
 * and a waiter that finds count == 0 returns at once.  So the Add that
 * takes the counter to zero must not touch the WaitGroup after waiters can
 * see zero.  Go packs counter and waiters into one word for this; our
 * layout has separate words, so that Add first parks the counter at the
 * transient value ZEROING, bumps seq, reads waiters, and only then stores
 * 0, its last access to memory.  Its futex wake may come after the memory
 * is gone: that is a system call on an address, never a load or store, and
 * at worst a spurious wake-up for a later user of the address, which every
 * futex loop tolerates (glibc's sem_post relies on the same).  Waiters and
 * adders that see ZEROING yield until it is gone; it lasts a few
 * instructions unless the adder is preempted.
 *
 * No lost wake-up: a waiter reads seq, increments waiters, re-reads count,
 * then sleeps while seq is unchanged; the zeroing Add parks count, bumps
 * seq, then reads waiters.  In the single order of these operations either
 * the waiter's increment comes before the Add's read (the Add wakes it,
 * and its sleep compares against the new seq) or after (then the waiter's
 * re-read of count sees ZEROING or later and it does not sleep).
 */
#include "go_impl.h"

#include <sched.h>

/* count while the Add that took it to zero finishes; never a real count,
 * which is never negative. */
#define ZEROING INT64_MIN

/* The counter once no zeroing Add is in progress. */
static int64_t
settled_count(goc_waitgroup *wg)
{
    int64_t c;

    while ((c = atomic_load(&wg->count)) == ZEROING)
        sched_yield();
    return c;
}

int
goc_wg_add(goc_waitgroup *wg, int64_t delta)
{
    int64_t old, new, target;
    uint32_t waiters;

    if (wg == NULL)
        return GOC_EINVAL;
    old = settled_count(wg);
    for (;;) {
        if (delta < 0 && old + delta < 0) {
            GOC_MISUSE(GCT_MISUSE_NEGATIVE_WG, wg, delta);
            GOC_HOOK(GCT_EV_WG_ADD, wg, delta, GOC_EMISUSE, NULL);
            return GOC_EMISUSE;
        }
        if (delta > 0 && old > INT64_MAX - delta) {
            GOC_HOOK(GCT_EV_WG_ADD, wg, delta, GOC_EINVAL, NULL);
            return GOC_EINVAL;
        }
        new = old + delta;
        target = new == 0 && delta != 0 ? ZEROING : new;
        GOC_HB_BEFORE(&wg->count); /* a Done's work, for the Wait */
        if (atomic_compare_exchange_weak(&wg->count, &old, target))
            break;
        if (old == ZEROING)
            old = settled_count(wg);
    }

    /* Go panics when Add starts a new generation while a Wait of the old
     * one has not returned ("WaitGroup is reused before previous Wait has
     * returned", or "Add called concurrently with Wait").  The Add still
     * happens here. */
    if (delta > 0 && old == 0 && atomic_load(&wg->waiters) != 0)
        GOC_MISUSE(GCT_MISUSE_WG_REUSE, wg, 0);
    GOC_HOOK(GCT_EV_WG_ADD, wg, delta, new, NULL);

    if (target == ZEROING) {
        atomic_fetch_add(&wg->seq, 1);
        waiters = atomic_load(&wg->waiters);
        /* Valgrind takes the futex wake below for a read of seq, which
         * may come after *wg is gone: seq is atomic, never checked. */
        GOC_HB_ATOMIC(&wg->seq);
        GOC_HB_BEFORE(&wg->count); /* our reads of *wg, before its free */
        atomic_store(&wg->count, 0); /* the last access to *wg */
        if (waiters != 0)
            goc__futex_wake(&wg->seq, INT32_MAX);
    }
    return 0;
}

int
goc_wg_done(goc_waitgroup *wg)
{
    return goc_wg_add(wg, -1);
}

void
goc_wg_wait(goc_waitgroup *wg)
{
    int64_t c;
    uint32_t s;

    if (wg == NULL)
        return;
    if (settled_count(wg) == 0) {
        GOC_HB_AFTER(&wg->count); /* every Done of the generation */
        return;
    }
    s = atomic_load(&wg->seq);
    atomic_fetch_add(&wg->waiters, 1);
    c = atomic_load(&wg->count);
    if (c == 0 || c == ZEROING) {
        settled_count(wg);
        GOC_HB_AFTER(&wg->count);
        atomic_fetch_sub(&wg->waiters, 1);
        return;
    }
    GOC_WAIT_BEGIN(GCT_WAIT_WAITGROUP, wg);
    while (atomic_load(&wg->seq) == s)
        goc__futex_wait(&wg->seq, s, GOC_FOREVER);
    /* seq moved: the generation ended; let its Add finish with *wg. */
    settled_count(wg);
    GOC_HB_AFTER(&wg->count);
    atomic_fetch_sub(&wg->waiters, 1);
    GOC_WAIT_END(wg, 0);
}

int
goc_wg_go(goc_waitgroup *wg, goc_fn fn, void *arg)
{
    int err;

    if (wg == NULL || fn == NULL)
        return GOC_EINVAL;
    err = goc_wg_add(wg, 1);
    if (err != 0)
        return err;
    err = goc__go_start(NULL, wg, fn, arg);
    if (err != 0)
        goc_wg_add(wg, -1);
    return err;
}
