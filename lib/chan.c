/*
 * chan.c - channels: make/free with reference counts, send, receive, close,
 * len/cap.  Select lives in select.c and shares the structure and the
 * non-blocking halves of send and receive through chan_impl.h.
 *
 * Locking: each channel's goc__lock guards its closed flag, both wait
 * queues and the queued/success fields of the waiters in them (see
 * chan_impl.h); a buffered channel's values live in a lock-free ring
 * (chan_ring.h).  A thread holds at most one channel lock here; select
 * holds several, always taken in address order.  Nothing blocks,
 * allocates or calls the tracer while holding a channel lock: waking a
 * peer (a futex syscall) and tracer hooks happen after the unlock.
 *
 * The fast path (a buffered channel with room or values and nobody
 * blocked) takes no lock: one CAS, one memcpy, one store and a look at
 * the other side's registration count.  A blocked operation keeps its
 * waiter record on its own stack, so no operation allocates.
 */
#include "chan_ring.h"

void
goc__after_run(const goc__after *after)
{
    if (after->wake != NULL)
        goc__waiter_wake(after->wake);
    goc_chan *ch = after->notify;
    if (ch == NULL)
        return;
    goc__waitq *q = after->sent ? &ch->recvq : &ch->sendq;
    goc__lock_acquire(&ch->lock);
    goc__waiter *w = goc__waitq_claim(q);
    goc__lock_release(&ch->lock);
    if (w != NULL)
        goc__waiter_wake(w);
    goc__chan_unref(ch); /* taken by goc__ring_check_other_side */
}

int
goc__chan_send_poll(goc_chan *ch, const void *val, goc__after *after)
{
    *after = (goc__after){0};
    if (ch->cap > 0)
        return goc__ring_send(ch, val, after);
    if (GOC_UNLIKELY(ch->closed))
        return GOC_ECLOSED;
    /* Hand the value straight to a live receiver, as Go's send() does. */
    goc__waiter *w = goc__waitq_claim(&ch->recvq);
    if (w == NULL)
        return GOC_EAGAIN;
    goc__elem_copy(w->elem, val, ch->elem_size);
    w->success = true;
    after->wake = w;
    return 0;
}

int
goc__chan_recv_poll(goc_chan *ch, void *val, goc__after *after)
{
    *after = (goc__after){0};
    if (ch->cap > 0)
        return goc__ring_recv(ch, val, after);
    if (GOC_UNLIKELY(ch->closed)) {
        if (val != NULL && ch->elem_size != 0)
            memset(val, 0, ch->elem_size);
        return GOC_ECLOSED;
    }
    goc__waiter *w = goc__waitq_claim(&ch->sendq);
    if (w == NULL)
        return GOC_EAGAIN;
    goc__elem_copy(val, w->elem, ch->elem_size);
    w->success = true;
    after->wake = w;
    return 0;
}

/* One side of a channel operation, for the blocking paths below. */
struct side {
    goc__waitq *q; /* where its waiters queue */
    void *elem;    /* the send value or the receive buffer */
    bool send;
};

/* The non-blocking attempt of side s (see goc__chan_send_poll). */
static int
attempt(goc_chan *ch, const struct side *s, goc__after *after)
{
    return s->send ? goc__chan_send_poll(ch, s->elem, after)
                   : goc__chan_recv_poll(ch, s->elem, after);
}

/* A channel wait that is about to sleep, for goc__wait_park's report. */
struct chan_wait {
    goc_chan *ch;
    const struct side *s;
    goc_time deadline;
    bool *reported; /* the tracer was told: a wait end is due */
};

static void
report_chan_wait(void *arg)
{
    struct chan_wait *cw = arg;

    if (!*cw->reported) {
        GOC_WAIT_UNTIL(cw->s->send ? GCT_WAIT_CHAN_SEND : GCT_WAIT_CHAN_RECV,
                       cw->ch, cw->deadline);
        *cw->reported = true;
    }
}

/* Queues w on s's queue, unlocks and parks until a peer claims w or the
 * deadline passes; on a timeout, w is off the queue again.  Returns what
 * goc__wait_park returns. */
static int
park_on(goc_chan *ch, const struct side *s, goc__waiter *w,
        goc_time deadline, bool *reported)
{
    struct chan_wait cw = {ch, s, deadline, reported};

    goc__wait_init(w->wait);
    goc__waitq_push(s->q, w);
    goc__lock_release(&ch->lock);
    int r = goc__wait_park(w->wait, deadline, report_chan_wait, &cw);
    if (r == GOC_ETIMEDOUT) {
        /* Leave the queue, unless a peer already dropped us as stale. */
        goc__lock_acquire(&ch->lock);
        if (w->queued)
            goc__waitq_remove(s->q, w);
        goc__lock_release(&ch->lock);
    }
    return r;
}

/*
 * Unbuffered: blocks until a peer completes the operation, the channel
 * closes or the deadline passes.  Called with ch->lock held after the
 * non-blocking attempt failed; returns with it released.  Returns 0,
 * GOC_ECLOSED or GOC_ETIMEDOUT.
 */
static int
block_unbuffered(goc_chan *ch, const struct side *s, goc_time deadline)
{
    goc__wait wt;
    goc__waiter w = {.wait = &wt, .elem = s->elem};
    bool reported = false;

    int r = park_on(ch, s, &w, deadline, &reported);
    if (r == 0) {
        r = w.success ? 0 : GOC_ECLOSED;
        if (r == GOC_ECLOSED && !s->send && s->elem != NULL &&
            ch->elem_size != 0)
            memset(s->elem, 0, ch->elem_size);
    }
    if (reported)
        GOC_WAIT_END(ch, r);
    return r;
}

/*
 * Buffered: registers, polls once more and parks until woken, then starts
 * over, until the ring lets the operation through, the channel closes or
 * the deadline passes (chan_impl.h).  Called without the lock.  Returns
 * 0, GOC_ECLOSED or GOC_ETIMEDOUT.
 */
static int
block_buffered(goc_chan *ch, const struct side *s, goc_time deadline)
{
    goc__wait wt;
    goc__waiter w = {.wait = &wt, .elem = s->elem, .registered = true};
    goc__after after = {0};
    bool reported = false;
    int r;

    for (;;) {
        /* A thread that was claimed polls even when its deadline has
         * passed, so that the wake-up meant for it is not lost. */
        goc__lock_acquire(&ch->lock);
        atomic_fetch_add(&s->q->registered, 1);
        r = attempt(ch, s, &after);
        if (r == GOC_EAGAIN && goc__deadline_passed(deadline))
            r = GOC_ETIMEDOUT;
        if (r != GOC_EAGAIN) {
            atomic_fetch_sub(&s->q->registered, 1);
            goc__lock_release(&ch->lock);
            break;
        }
        if (park_on(ch, s, &w, deadline, &reported) == GOC_ETIMEDOUT) {
            atomic_fetch_sub(&s->q->registered, 1); /* nobody claimed us */
            r = GOC_ETIMEDOUT;
            break;
        }
        /* Claimed by a peer, which ended the registration: poll again. */
    }
    if (r == 0)
        goc__after_run(&after);
    if (reported)
        GOC_WAIT_END(ch, r);
    return r;
}

/* A buffered send or receive: the ring, a short spin, then blocking. */
static int
op_buffered(goc_chan *ch, const struct side *s, goc_time deadline)
{
    goc__after after = {0};
    int r = attempt(ch, s, &after);

    for (int i = 0;
         r == GOC_EAGAIN && deadline != GOC_NOW && i < GOC__RING_SPIN; i++) {
        goc__spin_gap(i);
        r = attempt(ch, s, &after);
    }
    if (r == 0)
        goc__after_run(&after);
    else if (r == GOC_EAGAIN && deadline != GOC_NOW)
        r = block_buffered(ch, s, deadline);
    return r;
}

/* An unbuffered send or receive. */
static int
op_unbuffered(goc_chan *ch, const struct side *s, goc_time deadline)
{
    goc__after after;

    goc__lock_acquire(&ch->lock);
    int r = attempt(ch, s, &after);
    if (r != GOC_EAGAIN) {
        goc__lock_release(&ch->lock);
        if (r == 0)
            goc__after_run(&after);
        return r;
    }
    if (deadline == GOC_NOW) {
        goc__lock_release(&ch->lock);
        return GOC_EAGAIN;
    }
    if (goc__deadline_passed(deadline)) {
        goc__lock_release(&ch->lock);
        return GOC_ETIMEDOUT;
    }
    return block_unbuffered(ch, s, deadline);
}

static int
chan_op(goc_chan *ch, const struct side *s, goc_time deadline)
{
    return ch->cap > 0 ? op_buffered(ch, s, deadline)
                       : op_unbuffered(ch, s, deadline);
}

int
goc_chan_make(goc_chan **out, size_t elem_size, size_t cap)
{
    return goc_chan_make_named(out, elem_size, cap, NULL);
}

int
goc_chan_make_named(goc_chan **out, size_t elem_size, size_t cap,
                    const char *name)
{
    if (out == NULL)
        return GOC_EINVAL;
    *out = NULL;

    /* One block, cache-line aligned: the header, the ring, the name.  A
     * slot is a sequence word and the value, padded to keep the words
     * aligned. */
    size_t hdr = sizeof(goc_chan);
    size_t namelen = name != NULL ? strlen(name) + 1 : 0;
    size_t room = SIZE_MAX - hdr - namelen - 2 * sizeof(uint64_t);
    if (elem_size > room)
        return GOC_ENOMEM;
    size_t slot_size = (sizeof(uint64_t) + elem_size + sizeof(uint64_t) - 1) &
                       ~(sizeof(uint64_t) - 1);
    if (cap > room / slot_size)
        return GOC_ENOMEM;
    size_t ringsize = slot_size * cap;

    goc_chan *ch = goc__malloc_aligned(64, hdr + ringsize + namelen);
    if (ch == NULL)
        return GOC_ENOMEM;
    memset(ch, 0, sizeof *ch);
    atomic_init(&ch->refs, 1);
    ch->elem_size = elem_size;
    ch->cap = cap;
    ch->slots = (unsigned char *)ch + hdr;
    ch->slot_size = slot_size;
    ch->mask = cap > 0 && (cap & (cap - 1)) == 0 ? cap - 1 : 0;
    goc__ring_init(ch);
    if (name != NULL) {
        char *copy = (char *)ch + hdr + ringsize;
        memcpy(copy, name, namelen);
        ch->name = copy;
    }
    GOC_HOOK(GCT_EV_CHAN_MAKE, ch, elem_size, cap, name);
    *out = ch;
    return 0;
}

int
goc_chan_send_until(goc_chan *ch, const void *val, goc_time deadline)
{
    if (GOC_UNLIKELY(ch == NULL || (val == NULL && ch->elem_size != 0)))
        return GOC_EINVAL;
    struct side s = {&ch->sendq, (void *)val, true};
    int r = chan_op(ch, &s, deadline);
    if (r == GOC_EAGAIN)
        return r; /* a failed poll is not an event */
    if (GOC_UNLIKELY(r == GOC_ECLOSED))
        GOC_MISUSE(GCT_MISUSE_SEND_CLOSED, ch, 0);
    GOC_HOOK(GCT_EV_CHAN_SEND, ch, r, 0, NULL);
    return r;
}

int
goc_chan_send(goc_chan *ch, const void *val)
{
    return goc_chan_send_until(ch, val, GOC_FOREVER);
}

int
goc_chan_try_send(goc_chan *ch, const void *val)
{
    return goc_chan_send_until(ch, val, GOC_NOW);
}

int
goc_chan_recv_until(goc_chan *ch, void *val, bool *ok, goc_time deadline)
{
    if (GOC_UNLIKELY(ch == NULL)) {
        if (ok != NULL)
            *ok = false;
        return GOC_EINVAL;
    }
    struct side s = {&ch->recvq, val, false};
    int r = chan_op(ch, &s, deadline);
    if (ok != NULL)
        *ok = r == 0;
    if (r != GOC_EAGAIN)
        GOC_HOOK(GCT_EV_CHAN_RECV, ch, r, 0, NULL);
    return r;
}

int
goc_chan_recv(goc_chan *ch, void *val, bool *ok)
{
    return goc_chan_recv_until(ch, val, ok, GOC_FOREVER);
}

int
goc_chan_try_recv(goc_chan *ch, void *val, bool *ok)
{
    return goc_chan_recv_until(ch, val, ok, GOC_NOW);
}

int
goc_chan_close(goc_chan *ch)
{
    goc__waiter *head = NULL, **tail = &head, *w;

    if (ch == NULL) {
        GOC_MISUSE(GCT_MISUSE_CLOSE_NIL, NULL, 0);
        return GOC_EINVAL;
    }
    goc__lock_acquire(&ch->lock);
    if (ch->closed) {
        goc__lock_release(&ch->lock);
        GOC_MISUSE(GCT_MISUSE_DOUBLE_CLOSE, ch, 0);
        GOC_HOOK(GCT_EV_CHAN_CLOSE, ch, GOC_ECLOSED, 0, NULL);
        return GOC_ECLOSED;
    }
    ch->closed = true;
    if (ch->cap > 0) {
        /* For receivers that find the ring closed without the lock. */
        GOC_HB_BEFORE(&ch->sendpos);
        atomic_fetch_or(&ch->sendpos, GOC__RING_CLOSED);
    }
    /* Complete every live waiter with success false (buffered: they poll
     * again and see the close); wake them after the unlock, in queue
     * order (receivers first, as Go does). */
    while ((w = goc__waitq_claim(&ch->recvq)) != NULL) {
        w->success = false;
        *tail = w;
        tail = &w->wake_next;
    }
    while ((w = goc__waitq_claim(&ch->sendq)) != NULL) {
        w->success = false;
        *tail = w;
        tail = &w->wake_next;
    }
    *tail = NULL;
    goc__lock_release(&ch->lock);

    while (head != NULL) {
        w = head;
        head = w->wake_next; /* read before the wake: w may vanish */
        goc__waiter_wake(w);
    }
    GOC_HOOK(GCT_EV_CHAN_CLOSE, ch, 0, 0, NULL);
    return 0;
}

size_t
goc_chan_len(goc_chan *ch)
{
    if (ch == NULL || ch->cap == 0)
        return 0;
    return goc__ring_len(ch);
}

size_t
goc_chan_cap(goc_chan *ch)
{
    return ch != NULL ? ch->cap : 0;
}

bool
goc_chan_closed(goc_chan *ch)
{
    if (ch == NULL)
        return false;
    goc__lock_acquire(&ch->lock);
    bool closed = ch->closed;
    goc__lock_release(&ch->lock);
    return closed;
}

void
goc__chan_ref(goc_chan *ch)
{
    atomic_fetch_add_explicit(&ch->refs, 1, memory_order_relaxed);
}

void
goc__chan_unref(goc_chan *ch)
{
    /* acq_rel: every use of the channel by other reference holders
     * happens before the free. */
    GOC_HB_BEFORE(&ch->refs);
    if (atomic_fetch_sub_explicit(&ch->refs, 1, memory_order_acq_rel) == 1) {
        GOC_HB_AFTER(&ch->refs);
        goc__free(ch);
    }
}

void
goc__chan_set_on_free(goc_chan *ch, void (*fn)(void *), void *arg)
{
    goc__lock_acquire(&ch->lock);
    ch->on_free = fn;
    ch->on_free_arg = arg;
    goc__lock_release(&ch->lock);
}

void
goc_chan_free(goc_chan *ch)
{
    if (ch == NULL)
        return;
    goc__lock_acquire(&ch->lock);
    void (*fn)(void *) = ch->on_free;
    void *arg = ch->on_free_arg;
    ch->on_free = NULL; /* at most once */
    goc__lock_release(&ch->lock);
    /* Outside the lock: the hook (a timer cancel) may wait for a timer
     * callback that is itself sending on this channel. */
    if (fn != NULL)
        fn(arg);
    GOC_HOOK(GCT_EV_CHAN_FREE, ch, 0, 0, NULL);
    goc__chan_unref(ch);
}
