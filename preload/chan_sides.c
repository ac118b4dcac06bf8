/*
 * chan_sides.c - which side of which channel each thread has used.
 *
 * A thread blocked on a channel waits for the threads that could do the
 * other side of it; the analyses take those to be the threads that have
 * sent on it (for a receiver) or received from it (for a sender) during
 * the run (common/analysis.c, wait_cycles).  Under record=all every
 * transfer is recorded anyway; otherwise this records a thread's first
 * send and first receive on each channel, which is all that question
 * needs, at the cost of one cache look-up per channel operation.
 */
#include "shim.h"

#include <stdatomic.h>

_Atomic uint64_t gct_chan_generation;

void
gct_chan_side(struct gct_thread *t, int kind, uintptr_t obj)
{
    /* Channels are heap objects, at least 8-aligned: bit 0 is free. */
    uintptr_t key = obj | (kind == GCT_EV_CHAN_RECV);
    uint64_t gen = atomic_load_explicit(&gct_chan_generation,
                                        memory_order_relaxed);
    struct gct_side_slot *s =
        &t->sides[((key * 0x9e3779b97f4a7c15ull) >> 59) % GCT_SIDE_CACHE];

    _Static_assert(GCT_SIDE_CACHE == 32, "gct_chan_side's hash width");
    if (s->key == key && s->gen == gen)
        return; /* recorded since the last channel went away */
    s->key = key;
    s->gen = gen;
    struct gct_enter en = gct_enter(t);
    gct_emit_compact(t, kind, obj, 0, 0);
    gct_leave(&en);
}
