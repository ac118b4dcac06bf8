/*
 * select.c - goc_select, Go's select statement (runtime/select.go).
 *
 * The algorithm, for the usable cases (non-NULL channel):
 *   0. shuffle a poll order (uniform choice among ready cases) and sort the
 *      distinct channels by address (the lock order);
 *   1. lock the unbuffered channels in lock order (a buffered channel's
 *      ring needs no lock) and take the first ready case in poll order;
 *   2. if none is ready and the deadline allows waiting, lock every
 *      channel, register on the buffered ones and poll once more, then
 *      enqueue one waiter per case on its channel's queue, all sharing one
 *      goc__wait, unlock and park;
 *   3. once woken (a peer completed one waiter, see chan_impl.h) or timed
 *      out, lock each channel again to unlink the waiters that lost.  A
 *      wake-up from a buffered channel only says "poll again": back to 1.
 *
 * Locks: the channel locks only, each guarding its own channel as in
 * chan.c.  Holding several at once is safe because every thread that holds
 * more than one takes them in address order (pass 1 and 2); chan.c and
 * pass 3 hold one at a time.  Waking a peer and tracer hooks happen after
 * unlocking.
 */
#include "chan_impl.h"

#include <limits.h>

/* Selects with up to this many usable cases keep their scratch arrays on
 * the stack; larger ones malloc a block (GOC_ENOMEM if that fails). */
#define SMALL_CASES 8

/* Sorting more than this many lock pointers uses qsort. */
#define INSERTION_SORT_MAX 16

static int
ptr_cmp(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(goc_chan *const *)a;
    uintptr_t y = (uintptr_t)*(goc_chan *const *)b;

    return (x > y) - (x < y);
}

/* Sorts chans by address and drops duplicates; returns the new count. */
static size_t
sort_unique(goc_chan **chans, size_t n)
{
    if (n > INSERTION_SORT_MAX) {
        qsort(chans, n, sizeof *chans, ptr_cmp);
    } else {
        for (size_t i = 1; i < n; i++) {
            goc_chan *c = chans[i];
            size_t j = i;
            for (; j > 0 && (uintptr_t)chans[j - 1] > (uintptr_t)c; j--)
                chans[j] = chans[j - 1];
            chans[j] = c;
        }
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || chans[m - 1] != chans[i])
            chans[m++] = chans[i];
    return m;
}

/* Locks the channels of chans (in address order): all of them, or only
 * the unbuffered ones, whose non-blocking halves need their lock. */
static void
lock_chans(goc_chan **chans, size_t n, bool all)
{
    for (size_t i = 0; i < n; i++)
        if (all || chans[i]->cap == 0)
            goc__lock_acquire(&chans[i]->lock);
}

static void
unlock_chans(goc_chan **chans, size_t n, bool all)
{
    for (size_t i = n; i-- > 0;)
        if (all || chans[i]->cap == 0)
            goc__lock_release(&chans[i]->lock);
}

/* A uniform random integer in [0, n), n <= UINT32_MAX (Lemire's
 * multiply-shift; the bias is negligible for select's small n). */
static uint32_t
rand_below(uint32_t n)
{
    return (uint32_t)(((uint64_t)goc__rand() * n) >> 32);
}

/* select {} or only nil channels: sleeps until the deadline. */
static int
select_none(goc_case *cases, goc_time deadline)
{
    (void)cases; /* only the tracer hooks use it */
    if (deadline == GOC_NOW)
        return GOC_EAGAIN;
    if (deadline != GOC_FOREVER && deadline <= goc_now())
        return GOC_ETIMEDOUT;
    _Atomic uint32_t never = 0;
    GOC_WAIT_UNTIL(GCT_WAIT_SELECT_NONE, cases, deadline);
    while (goc__futex_wait(&never, 0, deadline) != GOC_ETIMEDOUT)
        ;
    GOC_WAIT_END(cases, GOC_ETIMEDOUT);
    return GOC_ETIMEDOUT;
}

/* Reports the completed case c (result r) to the tracer. */
static void
report(goc_case *c, int r)
{
    if (c->op == GOC_CASE_SEND) {
        if (r == GOC_ECLOSED)
            GOC_MISUSE(GCT_MISUSE_SEND_CLOSED, c->ch, 0);
        GOC_HOOK(GCT_EV_CHAN_SEND, c->ch, r, 0, NULL);
    } else {
        GOC_HOOK(GCT_EV_CHAN_RECV, c->ch, r, 0, NULL);
    }
}

/* The queue a blocked case c waits in. */
static goc__waitq *
queue_of(goc_case *c)
{
    return c->op == GOC_CASE_SEND ? &c->ch->sendq : &c->ch->recvq;
}

/* Registers case c's thread to block on its buffered channel, or ends
 * that registration (chan_impl.h); c's channel is locked. */
static void
register_case(goc_case *c, int delta)
{
    goc__waitq *q = queue_of(c);

    if (delta > 0)
        atomic_fetch_add(&q->registered, 1);
    else
        atomic_fetch_sub(&q->registered, 1);
}

static void
register_buffered(goc_case *cases, size_t n, int delta)
{
    for (size_t i = 0; i < n; i++)
        if (cases[i].ch != NULL && cases[i].ch->cap > 0)
            register_case(&cases[i], delta);
}

/* Polls the usable cases, case `first` (if >= 0) and then poll order,
 * with the unbuffered channels locked.  Returns the index of the case that
 * completed (*r its result, *after what to do after unlocking) or -1 if
 * none could. */
static int
poll(goc_case *cases, const uint32_t *order, size_t usable, int first,
     int *r, goc__after *after)
{
    for (size_t k = first >= 0 ? 0 : 1; k <= usable; k++) {
        int index = k == 0 ? first : (int)order[k - 1];
        goc_case *c = &cases[index];
        *r = c->op == GOC_CASE_SEND
                 ? goc__chan_send_poll(c->ch, c->send, after)
                 : goc__chan_recv_poll(c->ch, c->recv, after);
        if (*r != GOC_EAGAIN)
            return index;
    }
    return -1;
}

/* A select that is about to sleep, for goc__wait_park's report: its
 * cases, then the wait, once per select. */
struct select_wait {
    goc_case *cases;
    size_t n;
    goc_time deadline;
    bool *waited; /* the tracer was told: a wait end is due */
};

static void
report_select_wait(void *arg)
{
    struct select_wait *sw = arg;

    if (*sw->waited)
        return;
    for (size_t i = 0; i < sw->n; i++)
        if (sw->cases[i].ch != NULL)
            GOC_HOOK(GCT_EV_SELECT_CASE, sw->cases[i].ch, sw->cases[i].op, i,
                     NULL);
    GOC_WAIT_UNTIL(GCT_WAIT_SELECT, sw->cases, sw->deadline);
    *sw->waited = true;
}

int
goc_select(goc_case *cases, size_t n, goc_time deadline)
{
    size_t usable = 0;

    if (n > 0 && cases == NULL)
        return GOC_EINVAL;
    if (n > INT_MAX || n > UINT32_MAX)
        return GOC_EINVAL;
    for (size_t i = 0; i < n; i++) {
        goc_case *c = &cases[i];
        if (c->op != GOC_CASE_SEND && c->op != GOC_CASE_RECV)
            return GOC_EINVAL;
        if (c->ch == NULL)
            continue;
        if (c->op == GOC_CASE_SEND && c->send == NULL &&
            c->ch->elem_size != 0)
            return GOC_EINVAL;
        usable++;
    }
    if (usable == 0)
        return select_none(cases, deadline);
    for (size_t i = 0; i < n; i++)
        cases[i].ok = false;

    /* Scratch: poll order, lock order, and the waiters of pass 2. */
    uint32_t small_order[SMALL_CASES];
    goc_chan *small_locks[SMALL_CASES];
    goc__waiter small_waiters[SMALL_CASES];
    uint32_t *order = small_order;
    goc_chan **locks = small_locks;
    goc__waiter *waiters = small_waiters;
    void *block = NULL;
    if (usable > SMALL_CASES) {
        size_t each = sizeof(goc__waiter) + sizeof(goc_chan *) +
                      sizeof(uint32_t);
        if (usable > SIZE_MAX / each)
            return GOC_ENOMEM;
        block = goc__malloc(usable * each);
        if (block == NULL)
            return GOC_ENOMEM;
        /* Most aligned first. */
        waiters = block;
        locks = (goc_chan **)(waiters + usable);
        order = (uint32_t *)(locks + usable);
    }

    /* Pass 0: an inside-out Fisher-Yates shuffle of the usable cases, and
     * their channels in address order. */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (cases[i].ch == NULL)
            continue;
        uint32_t j = rand_below((uint32_t)k + 1);
        order[k] = order[j];
        order[j] = (uint32_t)i;
        locks[k] = cases[i].ch;
        k++;
    }
    size_t nlocks = sort_unique(locks, usable);

    /* Passes 1 to 3, until a case completes or the deadline passes.  A
     * thread woken on a buffered channel polls again (chan_impl.h), that
     * channel's case first: the wake-up was meant for it. */
    int first = -1;
    bool waited = false;
    int result;
    for (;;) {
        /* Pass 1: the first ready case in poll order; buffered channels
         * need no lock for it.  A thread about to block locks every
         * channel, registers on the buffered ones and polls again. */
        bool all = false;
        goc__after after;
        int r;
        lock_chans(locks, nlocks, all);
        int index = poll(cases, order, usable, first, &r, &after);
        bool may_wait = index < 0 && deadline != GOC_NOW &&
                        !goc__deadline_passed(deadline);
        if (index < 0 && may_wait) {
            unlock_chans(locks, nlocks, all);
            all = true;
            lock_chans(locks, nlocks, all);
            register_buffered(cases, n, 1);
            index = poll(cases, order, usable, first, &r, &after);
            if (index >= 0)
                register_buffered(cases, n, -1);
        }
        if (index >= 0) {
            goc_case *c = &cases[index];
            unlock_chans(locks, nlocks, all);
            if (r == 0)
                goc__after_run(&after);
            c->ok = r == 0;
            if (waited)
                GOC_WAIT_END(cases, index);
            report(c, r);
            result = index;
            break;
        }
        if (!may_wait) { /* Go's default, or a deadline that passed */
            unlock_chans(locks, nlocks, all);
            result = deadline == GOC_NOW ? GOC_EAGAIN : GOC_ETIMEDOUT;
            if (waited)
                GOC_WAIT_END(cases, result);
            break;
        }

        /* Pass 2: a waiter on every case's channel. */
        goc__wait wt;
        goc__wait_init(&wt);
        k = 0;
        for (size_t i = 0; i < n; i++) {
            goc_case *c = &cases[i];
            if (c->ch == NULL)
                continue;
            goc__waiter *w = &waiters[k++];
            *w = (goc__waiter){
                .wait = &wt,
                .elem = c->op == GOC_CASE_SEND ? (void *)c->send : c->recv,
                .index = (int)i,
                .registered = c->ch->cap > 0,
            };
            goc__waitq_push(queue_of(c), w);
        }
        unlock_chans(locks, nlocks, all);

        struct select_wait sw = {cases, n, deadline, &waited};
        r = goc__wait_park(&wt, deadline, report_select_wait, &sw);

        /* Pass 3: unlink the waiters still queued and end their
         * registrations.  The winner was unlinked (and its registration
         * ended) by the peer that completed it; the others may have been
         * dropped as stale by peers, which the queued flag (under the
         * lock) tells. */
        int won = atomic_load_explicit(&wt.state, memory_order_acquire);
        goc__waiter *winner = NULL;
        for (k = 0; k < usable; k++) {
            goc__waiter *w = &waiters[k];
            if (w->index == won) {
                winner = w;
                continue;
            }
            goc_case *c = &cases[w->index];
            goc__lock_acquire(&c->ch->lock);
            if (w->queued)
                goc__waitq_remove(queue_of(c), w);
            if (w->registered)
                register_case(c, -1);
            goc__lock_release(&c->ch->lock);
        }

        if (r == GOC_ETIMEDOUT) {
            result = GOC_ETIMEDOUT;
            if (waited)
                GOC_WAIT_END(cases, result);
            break;
        }
        goc__assert(winner != NULL);
        goc_case *c = &cases[winner->index];
        if (c->ch->cap > 0) {
            first = winner->index; /* poll again, this case first */
            continue;
        }
        c->ok = winner->success;
        if (!c->ok && c->op == GOC_CASE_RECV && c->recv != NULL &&
            c->ch->elem_size != 0)
            memset(c->recv, 0, c->ch->elem_size);
        result = winner->index;
        if (waited)
            GOC_WAIT_END(cases, result);
        report(c, winner->success ? 0 : GOC_ECLOSED);
        break;
    }
    goc__free(block);
    return result;
}
