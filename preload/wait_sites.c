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

void
gct_wait_count(struct gct_thread *t, uint64_t obj, int reason,
               uint32_t stack, int64_t ns)
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
    s->count++;
    s->sum.total_ns += ns;
    if (ns > s->sum.max_ns)
        s->sum.max_ns = ns;
    s->sum.hist[gct_wait_bucket(ns)]++;
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
