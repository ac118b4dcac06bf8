/*
 * chan_ring.h - the lock-free ring of a buffered channel: Dmitry Vyukov's
 * bounded multi-producer multi-consumer queue, with a closed bit.  Used by
 * lib/chan.c only; chan_impl.h says how blocking threads fit around it.
 *
 * Slot i holds a sequence word and a value.  The word tells whose turn the
 * slot is: seq == 2 pos means free for the sender of position pos, seq ==
 * 2 pos + 1 filled for the receiver of position pos, and a receiver sets
 * it to 2 (pos + cap), freeing the slot for the sender one lap later (the
 * factor 2 keeps "filled" and "free for the next lap" apart when cap is 1,
 * where Vyukov's original needs two slots).  A sender claims position pos
 * by moving sendpos from pos to pos + 1 with a CAS, copies its value in
 * and publishes it by storing seq = 2 pos + 1 (release); receivers do the
 * same with recvpos.  Values move with memcpy,
 * so elements of any size work.
 *
 * Closing sets the top bit of sendpos: every later send CAS fails, and a
 * receiver that finds the ring empty with the bit set knows the channel is
 * closed and drained.
 *
 * "Empty" and "full" are answered exactly, never by a stale guess: a slot
 * that is not yet ready may belong to a peer that has claimed its position
 * but not yet published it (a few instructions away); the ring then waits
 * for that peer instead of reporting empty or full.  This is what lets a
 * blocking thread trust one last poll after registering (chan_impl.h).
 */
#ifndef GOC_CHAN_RING_H
#define GOC_CHAN_RING_H

#include "chan_impl.h"

#include <sched.h>

#define GOC__RING_CLOSED (UINT64_C(1) << 63)

static inline _Atomic uint64_t *
goc__ring_seq(goc_chan *ch, uint64_t pos)
{
    size_t i = ch->mask != 0 || ch->cap == 1 ? (size_t)(pos & ch->mask)
                                             : (size_t)(pos % ch->cap);

    return (_Atomic uint64_t *)(ch->slots + i * ch->slot_size);
}

static inline unsigned char *
goc__ring_value(_Atomic uint64_t *seq)
{
    return (unsigned char *)(seq + 1);
}

/* Waits a moment for a peer between its claim and its publish. */
static inline void
goc__ring_backoff(unsigned *spins)
{
    if (++*spins < 64)
        __builtin_ia32_pause();
    else
        sched_yield(); /* the peer was preempted mid-operation */
}

/* Fills all slots' sequence words for an empty ring. */
static inline void
goc__ring_init(goc_chan *ch)
{
    for (size_t i = 0; i < ch->cap; i++)
        atomic_init(goc__ring_seq(ch, i), 2 * (uint64_t)i);
    atomic_init(&ch->sendpos, 0);
    atomic_init(&ch->recvpos, 0);
}

/* After claiming a position: a thread registered to block on the other
 * side (q) must be woken once the claim is published; take a reference
 * for that first (goc__after).  seq_cst, after the claim's seq_cst CAS:
 * see chan_impl.h for why no wake-up is lost. */
static inline void
goc__ring_check_other_side(goc_chan *ch, goc__waitq *q, goc__after *after,
                           bool sent)
{
    if (GOC_LIKELY(atomic_load(&q->registered) == 0))
        return;
    goc__chan_ref(ch);
    after->notify = ch;
    after->sent = sent;
}

/* Returns 0 (sent; see goc__after), GOC_EAGAIN (full) or GOC_ECLOSED. */
static inline int
goc__ring_send(goc_chan *ch, const void *val, goc__after *after)
{
    uint64_t pos = atomic_load_explicit(&ch->sendpos, memory_order_relaxed);
    unsigned spins = 0;
    _Atomic uint64_t *seq;

    for (;;) {
        if (GOC_UNLIKELY(pos & GOC__RING_CLOSED))
            return GOC_ECLOSED;
        seq = goc__ring_seq(ch, pos);
        uint64_t s = atomic_load_explicit(seq, memory_order_acquire);
        int64_t dif = (int64_t)(s - 2 * pos);
        if (dif == 0) {
            if (atomic_compare_exchange_weak(&ch->sendpos, &pos, pos + 1))
                break;
        } else if (dif < 0) {
            /* The slot still holds the value of position pos - cap: the
             * ring is full, unless its receiver has claimed it already. */
            uint64_t now = atomic_load(&ch->sendpos);
            if (now != pos) {
                pos = now;
                continue;
            }
            uint64_t r = atomic_load(&ch->recvpos);
            if (r + ch->cap <= pos)
                return GOC_EAGAIN;
            goc__ring_backoff(&spins);
        } else {
            pos = atomic_load_explicit(&ch->sendpos, memory_order_relaxed);
        }
    }
    GOC_HB_AFTER(seq); /* the last receiver's copy out of this slot */
    goc__ring_check_other_side(ch, &ch->recvq, after, true);
    goc__elem_copy(goc__ring_value(seq), val, ch->elem_size);
    GOC_HB_BEFORE(seq); /* the value, for its receiver */
    atomic_store_explicit(seq, 2 * pos + 1, memory_order_release);
    return 0;
}

/* Returns 0 (received; see goc__after), GOC_EAGAIN (empty) or GOC_ECLOSED
 * (closed and drained; *val zero-filled). */
static inline int
goc__ring_recv(goc_chan *ch, void *val, goc__after *after)
{
    uint64_t pos = atomic_load_explicit(&ch->recvpos, memory_order_relaxed);
    unsigned spins = 0;
    _Atomic uint64_t *seq;

    for (;;) {
        seq = goc__ring_seq(ch, pos);
        uint64_t s = atomic_load_explicit(seq, memory_order_acquire);
        int64_t dif = (int64_t)(s - (2 * pos + 1));
        if (dif == 0) {
            if (atomic_compare_exchange_weak(&ch->recvpos, &pos, pos + 1))
                break;
        } else if (dif < 0) {
            /* Empty, unless a sender has claimed position pos and is
             * about to publish it. */
            uint64_t now = atomic_load(&ch->recvpos);
            if (now != pos) {
                pos = now;
                continue;
            }
            uint64_t w = atomic_load(&ch->sendpos);
            if ((w & ~GOC__RING_CLOSED) <= pos) {
                if (!(w & GOC__RING_CLOSED))
                    return GOC_EAGAIN;
                GOC_HB_AFTER(&ch->sendpos); /* what came before the close */
                if (val != NULL && ch->elem_size != 0)
                    memset(val, 0, ch->elem_size);
                return GOC_ECLOSED;
            }
            goc__ring_backoff(&spins);
        } else {
            pos = atomic_load_explicit(&ch->recvpos, memory_order_relaxed);
        }
    }
    GOC_HB_AFTER(seq); /* the sender's value */
    goc__ring_check_other_side(ch, &ch->sendq, after, false);
    goc__elem_copy(val, goc__ring_value(seq), ch->elem_size);
    GOC_HB_BEFORE(seq); /* our copy out, before the next lap's sender */
    atomic_store_explicit(seq, 2 * (pos + ch->cap), memory_order_release);
    return 0;
}

/* Values in the ring, for goc_chan_len: a snapshot, exact when quiet. */
static inline size_t
goc__ring_len(goc_chan *ch)
{
    uint64_t r = atomic_load(&ch->recvpos);
    uint64_t w = atomic_load(&ch->sendpos) & ~GOC__RING_CLOSED;

    if (w <= r)
        return 0;
    return w - r > ch->cap ? ch->cap : (size_t)(w - r);
}

#endif /* GOC_CHAN_RING_H */
