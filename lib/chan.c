/*
 * chan.c - channels: make/free with reference counts, send, receive, close,
 * len/cap.  Select lives in select.c and shares the structure and the
 * non-blocking halves of send and receive through chan_impl.h.
 *
 * Locking: each channel's goc__lock guards its buffer, counters, closed
 * flag, both wait queues and the queued/success fields of the waiters in
 * them (see the invariants in chan_impl.h).  A thread holds at most one
 * channel lock here; select holds several, always taken in address order.
 * Nothing blocks, allocates or calls the tracer while holding a channel
 * lock: waking a peer (a futex syscall) and tracer hooks happen after the
 * unlock.
 *
 * The fast path (a buffered channel with room or values and nobody
 * waiting) is one lock, one memcpy and one unlock.  A blocked operation
 * keeps its waiter record on its own stack, so no operation allocates.
 */
#include "chan_impl.h"

#include <stdalign.h>

int
goc__chan_send_locked(goc_chan *ch, const void *val, goc__waiter **wake)
{
    *wake = NULL;
    if (GOC_UNLIKELY(ch->closed))
        return GOC_ECLOSED;
    /* A live receiver waits only when the buffer is empty: hand the value
     * straight to it, as Go's send() does. */
    if (ch->recvq.first != NULL) {
        goc__waiter *w = goc__waitq_claim(&ch->recvq);
        if (w != NULL) {
            goc__elem_copy(w->elem, val, ch->elem_size);
            w->success = true;
            *wake = w;
            return 0;
        }
    }
    if (ch->count < ch->cap) {
        goc__elem_copy(ch->buf + ch->sendx * ch->elem_size, val,
                       ch->elem_size);
        if (++ch->sendx == ch->cap)
            ch->sendx = 0;
        ch->count++;
        return 0;
    }
    return GOC_EAGAIN;
}

int
goc__chan_recv_locked(goc_chan *ch, void *val, goc__waiter **wake)
{
    *wake = NULL;
    if (GOC_UNLIKELY(ch->closed) && ch->count == 0) {
        if (val != NULL && ch->elem_size != 0)
            memset(val, 0, ch->elem_size);
        return GOC_ECLOSED;
    }
    if (ch->sendq.first != NULL) {
        goc__waiter *w = goc__waitq_claim(&ch->sendq);
        if (w != NULL) {
            if (ch->cap == 0) {
                goc__elem_copy(val, w->elem, ch->elem_size);
            } else {
                /* A live sender waits only when the buffer is full: take
                 * the oldest value and put the sender's in its slot, which
                 * is the tail once recvx moves on.  FIFO order holds. */
                unsigned char *slot = ch->buf + ch->recvx * ch->elem_size;
                goc__elem_copy(val, slot, ch->elem_size);
                goc__elem_copy(slot, w->elem, ch->elem_size);
                if (++ch->recvx == ch->cap)
                    ch->recvx = 0;
                ch->sendx = ch->recvx;
            }
            w->success = true;
            *wake = w;
            return 0;
        }
    }
    if (ch->count > 0) {
        goc__elem_copy(val, ch->buf + ch->recvx * ch->elem_size,
                       ch->elem_size);
        if (++ch->recvx == ch->cap)
            ch->recvx = 0;
        ch->count--;
        return 0;
    }
    return GOC_EAGAIN;
}

/*
 * Blocks the calling thread on q (ch->sendq or ch->recvq) until a peer
 * completes its operation, the channel closes or the deadline passes.
 * Called with ch->lock held, after the non-blocking attempt failed;
 * returns with it released.  Returns 0, GOC_ECLOSED or GOC_ETIMEDOUT.
 */
static int
block(goc_chan *ch, goc__waitq *q, void *elem, goc_time deadline,
      int reason)
{
    goc__wait wt;
    goc__waiter w = {.wait = &wt, .elem = elem};

    goc__wait_init(&wt);
    goc__waitq_push(q, &w);
    goc__lock_release(&ch->lock);

    GOC_WAIT_UNTIL(reason, ch, deadline);
    int r = goc__wait_park(&wt, deadline);
    if (r == GOC_ETIMEDOUT) {
        /* Leave the queue, unless a peer already dropped us as stale. */
        goc__lock_acquire(&ch->lock);
        if (w.queued)
            goc__waitq_remove(q, &w);
        goc__lock_release(&ch->lock);
    }
    if (r == 0) {
        r = w.success ? 0 : GOC_ECLOSED;
        if (r == GOC_ECLOSED && reason == GCT_WAIT_CHAN_RECV &&
            elem != NULL && ch->elem_size != 0)
            memset(elem, 0, ch->elem_size);
    }
    GOC_WAIT_END(ch, r);
    return r;
}

/* After a failed non-blocking attempt (lock held): gives up for GOC_NOW
 * or a passed deadline, else blocks.  Returns with the lock released. */
static int
wait_or_give_up(goc_chan *ch, goc__waitq *q, void *elem, goc_time deadline,
                int reason)
{
    if (deadline == GOC_NOW) {
        goc__lock_release(&ch->lock);
        return GOC_EAGAIN;
    }
    if (deadline != GOC_FOREVER && deadline <= goc_now()) {
        goc__lock_release(&ch->lock);
        return GOC_ETIMEDOUT;
    }
    return block(ch, q, elem, deadline, reason);
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

    /* One block: the header, the ring buffer, the name. */
    size_t hdr = (sizeof(goc_chan) + alignof(max_align_t) - 1) &
                 ~(alignof(max_align_t) - 1);
    size_t namelen = name != NULL ? strlen(name) + 1 : 0;
    size_t room = SIZE_MAX - hdr - namelen;
    if (elem_size != 0 && cap > room / elem_size)
        return GOC_ENOMEM;
    size_t bufsize = elem_size * cap;

    goc_chan *ch = goc__malloc(hdr + bufsize + namelen);
    if (ch == NULL)
        return GOC_ENOMEM;
    memset(ch, 0, sizeof *ch);
    atomic_init(&ch->refs, 1);
    ch->elem_size = elem_size;
    ch->cap = cap;
    ch->buf = (unsigned char *)ch + hdr;
    if (name != NULL) {
        char *copy = (char *)ch + hdr + bufsize;
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
    goc__waiter *wake;
    int r;

    if (GOC_UNLIKELY(ch == NULL || (val == NULL && ch->elem_size != 0)))
        return GOC_EINVAL;
    goc__lock_acquire(&ch->lock);
    r = goc__chan_send_locked(ch, val, &wake);
    if (r == GOC_EAGAIN) {
        r = wait_or_give_up(ch, &ch->sendq, (void *)val, deadline,
                            GCT_WAIT_CHAN_SEND);
        if (r == GOC_EAGAIN)
            return r; /* a failed poll is not an event */
    } else {
        goc__lock_release(&ch->lock);
        if (wake != NULL)
            goc__waiter_wake(wake);
    }
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
    goc__waiter *wake;
    int r;

    if (GOC_UNLIKELY(ch == NULL)) {
        if (ok != NULL)
            *ok = false;
        return GOC_EINVAL;
    }
    goc__lock_acquire(&ch->lock);
    r = goc__chan_recv_locked(ch, val, &wake);
    if (r == GOC_EAGAIN) {
        r = wait_or_give_up(ch, &ch->recvq, val, deadline,
                            GCT_WAIT_CHAN_RECV);
    } else {
        goc__lock_release(&ch->lock);
        if (wake != NULL)
            goc__waiter_wake(wake);
    }
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
    /* Complete every live waiter with success false; wake them after the
     * unlock, in queue order (receivers first, as Go does). */
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
    if (ch == NULL)
        return 0;
    goc__lock_acquire(&ch->lock);
    size_t n = ch->count;
    goc__lock_release(&ch->lock);
    return n;
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
    if (atomic_fetch_sub_explicit(&ch->refs, 1, memory_order_acq_rel) == 1)
        goc__free(ch);
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
