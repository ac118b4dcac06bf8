/*
 * libgoc_waits.h - what a target's libgoc threads wait on (a channel, a
 * select, a WaitGroup, ...), from the registry libgoc keeps for readers
 * outside the process (common/goc_registry.h).
 */
#ifndef GCT_LIBGOC_WAITS_H
#define GCT_LIBGOC_WAITS_H

#include "target.h"

struct gct_goc_wait {
    int reason; /* gct_wait; 0: none listed */
    uint64_t obj;
    int64_t deadline; /* INT64_MAX: none */
};

/* Fills out[i] for t->threads[i] (zeros where a thread has no listed
 * wait).  Returns the number of waits listed, 0 when the process has no
 * libgoc (or one without a registry). */
size_t gct_libgoc_waits(struct gct_target *t, struct gct_goc_wait *out);

#endif
