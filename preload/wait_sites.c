/*
 * wait_sites.c - short waits, counted per object, reason and call path.
 *
 * A wait on a lock (mutex or rwlock) that ends within wait_threshold_us is
 * taken back out of the log (locks.c) and counted here instead: count,
 * total and longest time, and a histogram (common/rawlog.h).  Each
 * thread keeps its own table, two-way set-associative by object and
 * stack, and writes a row out as a GCT_REC_WAITS record when the row is
 * evicted and when the thread or the process ends.  A loop that waits at
 * a few places writes a few records however long it runs; a thread that
 * waits at more places than a set holds writes a record per eviction.
 *
 * A longer wait is written out with its stack, but only the first
 * long_waits_per_site of a row: later ones are counted like short ones,
 * so that a loop whose waits all run long (a loaded machine, a slow
 * critical section) does not grow the trace with its length either.
 * A row that is evicted starts again from none written.
 */
#include "shim.h"

#include <string.h>

#define SETS (GCT_WAIT_SITES / GCT_WAIT_WAYS)

static inline struct gct_wait_site *
set_of(struct gct_thread *t, uint64_t obj, uint32_t stack)
{
    uint64_t h = (obj ^ (uint64_t)stack * 0x9e3779b97f4a7c15ull) >> 4;
    return &t->wait_sites[(h ^ h >> 16) % SETS * GCT_WAIT_WAYS];
}

/* Writes slot s out through writer's chunk. */
static void
write_site(struct gct_thread *writer, struct gct_thread *t,
           struct gct_wait_site *s)
{
    if (s->count == 0)
        return;
    s->sum.tid = writer == t ? 0 : t->tid;
    gct_emit(writer, GCT_REC_WAITS, s->stack, s->obj, s->reason,
             (int64_t)s->count, &s->sum, sizeof s->sum);
}

/* The row of (obj, reason, stack), made (the older row of its set
 * written out) when there is none, and first in its set. */
static struct gct_wait_site *
row_of(struct gct_thread *t, uint64_t obj, int reason, uint32_t stack)
{
    struct gct_wait_site *set = set_of(t, obj, stack), *s = NULL;

    for (int w = 0; w < GCT_WAIT_WAYS; w++)
        if (set[w].reason == reason && set[w].obj == obj &&
            set[w].stack == stack)
            s = &set[w];
    if (s != NULL && s != &set[0]) {
        /* The newest first: the older goes when a new one comes. */
        struct gct_wait_site tmp = *s;
        *s = set[0];
        set[0] = tmp;
        s = &set[0];
    } else if (s == NULL) {
        /* The last way is the older: it goes, the others move down. */
        s = &set[GCT_WAIT_WAYS - 1];
        write_site(t, t, s);
        memmove(&set[1], &set[0], (GCT_WAIT_WAYS - 1) * sizeof set[0]);
        s = &set[0];
        memset(s, 0, sizeof *s);
        s->obj = obj;
        s->stack = stack;
        s->reason = reason;
    }
    t->wait_sites_used = true;
    return s;
}

void
gct_wait_count(struct gct_thread *t, uint64_t obj, int reason,
               uint32_t stack, int64_t ns)
{
    struct gct_wait_site *s = row_of(t, obj, reason, stack);
    s->count++;
    s->sum.total_ns += ns;
    if (ns > s->sum.max_ns)
        s->sum.max_ns = ns;
    s->sum.hist[gct_wait_bucket(ns)]++;
}

bool
gct_wait_write_long(struct gct_thread *t, uint64_t obj, int reason,
                    uint32_t stack)
{
    long keep = gct_recorder.opt.long_waits_per_site;
    if (keep == 0)
        return true;
    struct gct_wait_site *s = row_of(t, obj, reason, stack);
    /* false only for a row that was there: a new row may have written
     * the row it evicted into the log, which the caller's take-back of
     * this wait's records would then erase. */
    if (s->written >= (uint64_t)keep)
        return false;
    s->written++;
    return true;
}

void
gct_wait_sites_flush(struct gct_thread *writer, struct gct_thread *t)
{
    /* A thread that counted nothing leaves the table's pages untouched
     * (a short process's threads mostly). */
    if (!t->wait_sites_used)
        return;
    t->wait_sites_used = false;
    for (int i = 0; i < GCT_WAIT_SITES; i++) {
        struct gct_wait_site *s = &t->wait_sites[i];
        write_site(writer, t, s);
        s->count = 0;
        memset(&s->sum, 0, sizeof s->sum);
    }
}
