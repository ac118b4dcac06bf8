/*
 * locks.h - lock tracking (locks.c): the held stack, lock-order edges,
 * counters, the brackets around waits and their short-wait counts
 * (wait_sites.c), and the in-place default mutex (mutex_fast.c).
 */
#ifndef GCT_LOCKS_H
#define GCT_LOCKS_H

#include "glibc_private.h"
#include "log.h"
#include "stack.h"

/* ---------------------------------------------------------------- locks.c */

/* Bookkeeping after the thread acquired lock `lock` (flags GCT_LOCK_*),
 * called from `site`: lock-order edges, counters, all-mode records.
 * Keeps errno.  The inline part is the common case, a lock taken while
 * holding none whose counter is cached: no call, no record. */
void gct_lock_acquired_slow(struct gct_thread *t, const void *lock,
                            uint32_t flags, uintptr_t site);

/* A lock's slot in the thread's counter cache: a multiplicative hash of
 * the whole address.  Shifting out its low 4 bits, as this once did,
 * sent every lock of an array of 4-byte spinlocks to one slot, and each
 * acquisition then wrote a counter record (docs/bench-shim.md, "Figures behind the code"). */
static inline size_t
gct_count_slot_of(uintptr_t lock)
{
    _Static_assert(GCT_LOCK_CACHE == 1 << 7, "the hash keeps 7 bits");
    return (size_t)(((uint64_t)lock * 0x9e3779b97f4a7c15ull) >> 57);
}

/*
 * What an edge cached in a thread's edge cache was written under: the
 * generations of its two locks' cache lines, plus the generation of all
 * of memory.  A lock destroyed, or freed with its memory, may be followed
 * by a new lock at its address, whose edges are new; the destroy bumps
 * the generation of its line only (locks.c), so that the edges of the
 * locks elsewhere stay known.  With one generation for every lock, each
 * destroy made every thread write every edge it took again: node, which
 * destroys OpenSSL's locks while it runs, wrote 11,524 edges for 2,034
 * distinct ones, each with a stack.  A line's generation is shared by the
 * lines that hash to its slot, which only makes an edge written again.
 */
#define GCT_LINE_SHIFT 6 /* a line of memory: 64 bytes */
#define GCT_LINE_GENS (1u << 14)
extern _Atomic uint32_t gct_line_gens[GCT_LINE_GENS];
extern _Atomic uint64_t gct_lock_generation; /* all of memory */

/* The generation of the line that holds address addr. */
static inline _Atomic uint32_t *
gct_line_gen(uintptr_t addr)
{
    uint64_t line = (uint64_t)addr >> GCT_LINE_SHIFT;
    return &gct_line_gens[(line * 0x9e3779b97f4a7c15ull) >> 50];
}

static inline uint64_t
gct_edge_stamp(uintptr_t from, uintptr_t to)
{
    _Static_assert(GCT_LINE_GENS == 1u << (64 - 50), "the hash keeps 14 bits");
    return atomic_load_explicit(&gct_lock_generation, memory_order_relaxed) +
           atomic_load_explicit(gct_line_gen(from), memory_order_relaxed) +
           atomic_load_explicit(gct_line_gen(to), memory_order_relaxed);
}

/* The first of the two slots of the edge from->to's set in the thread's
 * edge cache (locks.c). */
static inline struct gct_edge_slot *
gct_edge_set(struct gct_thread *t, uintptr_t from, uintptr_t to)
{
    uint64_t h = (uint64_t)from * 0x9e3779b97f4a7c15ull ^ (uint64_t)to;
    h ^= h >> 29;
    size_t set = (size_t)(h * 0xbf58476d1ce4e5b9ull >> 32) &
                 (GCT_EDGE_CACHE / 2 - 1);
    return &t->edges[set * 2];
}

/* Whether set e holds the edge from->to stamped gen (gct_edge_stamp). */
static inline bool
gct_edge_known(const struct gct_edge_slot *e, uintptr_t from, uintptr_t to,
               uint64_t gen)
{
    return (e[0].from == from && e[0].to == to && e[0].gen == gen) ||
           (e[1].from == from && e[1].to == to && e[1].gen == gen);
}

/* gct_lock_acquired for a caller that knows the record mode is not
 * record=all. */
static inline void
gct_lock_acquired_unrecorded(struct gct_thread *t, const void *lock,
                             uint32_t flags, uintptr_t site)
{
    uintptr_t l = (uintptr_t)lock;
    struct gct_count_slot *c = &t->counts[gct_count_slot_of(l)];
    int n = t->nheld;

    if (GCT_UNLIKELY(c->lock != l))
        goto slow;
    /* One lock held (nesting two deep, the common case): an edge this
     * thread has written before costs one probe of the edge cache.  A
     * trylock adds no edge; re-locking the held (recursive) mutex goes
     * the slow way, which adds none either. */
    if (n == 1 && !(flags & GCT_LOCK_TRY)) {
        uintptr_t from = t->held[0].lock;
        if (from == l || !gct_edge_known(gct_edge_set(t, from, l), from, l,
                                         gct_edge_stamp(from, l)))
            goto slow;
    } else if (n > 1) {
        goto slow;
    }
    t->held[n] = (struct gct_held){l, site, flags};
    t->nheld = n + 1;
    c->count++;
    return;
slow:
    gct_lock_acquired_slow(t, lock, flags, site);
}

static inline void
gct_lock_acquired(struct gct_thread *t, const void *lock, uint32_t flags,
                  uintptr_t site)
{
    if (GCT_UNLIKELY(gct_recorder.opt.record == GCT_RECORD_ALL))
        gct_lock_acquired_slow(t, lock, flags, site);
    else
        gct_lock_acquired_unrecorded(t, lock, flags, site);
}

/* record=all: an acquisition by a blocking lock call has its record
 * written before the attempt (gct_acquire_prepare), its time taken
 * then, and published only when that attempt succeeds without waiting
 * (gct_acquire_published), so that the program's critical section does
 * not also hold the clock read and the record's stores: in a nested-lock
 * loop those made every lock held longer and the other thread wait for
 * it.  A recorded hold so starts a few ns before the real one, as its
 * release is recorded a few ns after it.  An attempt that fails leaves
 * the record unpublished, and the acquisition that follows the wait is
 * recorded once it happened. */
#define GCT_LOCK_PRERECORDED (1u << 31) /* shim-internal flag */

static inline struct gct_prepared
gct_acquire_prepare(struct gct_thread *t, const void *lock, uint32_t flags,
                    uintptr_t site)
{
    if (GCT_LIKELY(gct_recorder.opt.record != GCT_RECORD_ALL))
        return (struct gct_prepared){NULL, 0};
    return gct_prepare_compact(t, GCT_EV_LOCK_ACQUIRE, (uintptr_t)lock,
                               (uint8_t)flags, site);
}

/* The attempt succeeded: publishes the prepared record, unless a signal
 * handler that recorded meanwhile prepared one of its own (t->prepared
 * names only the latest) or moved the thread to a new window (which
 * clears it): the acquisition is then recorded once made.  Under the
 * guard, so that no handler records between the check and the store.
 * Returns flags for gct_lock_acquired. */
static inline uint32_t
gct_acquire_published(struct gct_thread *t, struct gct_prepared p,
                      uint32_t flags)
{
    if (p.rec == NULL)
        return flags;
    struct gct_enter e = gct_enter(t);
    if (t->prepared == p.rec) {
        t->prepared = NULL;
        gct_publish_op(t, p.rec, p.kind);
        flags |= GCT_LOCK_PRERECORDED;
    }
    gct_leave(&e);
    return flags;
}

/* Notes that lock exists; record: write its first use (with a stack)
 * unless it was seen before.  Init calls pass false: their own record
 * names the lock's class. */
void gct_lock_seen(struct gct_thread *t, uintptr_t lock, bool record);

/* A lock was destroyed: its next first use is a new lock's. */
void gct_lock_forget(uintptr_t lock);

/* lock, of gct_obj type, was initialised (flags GCT_LOCK_*) by a call
 * from site: noted as seen, and its init recorded with the stack that
 * names its class.  Keeps errno. */
void gct_lock_init_note(struct gct_thread *t, const void *lock, int type,
                        uint32_t flags, uintptr_t site);

/* A destroy of lock answered result, recorded; gone: it ended (its
 * address names a new lock from now on).  Keeps errno. */
void gct_lock_destroy_note(struct gct_thread *t, const void *lock,
                           int result, bool gone);

/* Whether a lock may ever have been seen in [lo, lo+len): false means
 * certainly not (intercept_mem.c). */
bool gct_locks_maybe_in(uintptr_t lo, size_t len);

/* Whether a lock was ever seen (intercept_mem.c's free passes straight
 * on until one is). */
extern _Atomic bool gct_any_lock_seen;

/* The 64-byte lines that hold locks of the seen set, by address modulo
 * 64 MiB (locks.c). */
#define GCT_LINE_WORDS (1u << 14)
extern _Atomic uint64_t gct_lock_lines[GCT_LINE_WORDS];

/* Whether no lock of the seen set is in [lo, lo+len), len > 0, as told
 * by the bits of one word of gct_lock_lines; false: look closer
 * (gct_locks_held_in).  Inline: free() asks it of every block. */
__attribute__((no_sanitize("address", "undefined"))) static inline bool
gct_no_lock_lines(uintptr_t lo, size_t len)
{
    uint64_t first = lo >> GCT_LINE_SHIFT;
    uint64_t n = ((lo + len - 1) >> GCT_LINE_SHIFT) - first + 1;
    uint32_t b = (uint32_t)(first & (GCT_LINE_WORDS * 64 - 1));

    if (b % 64 + n > 64)
        return false; /* more than the word: the slow way */
    uint64_t w = atomic_load_explicit(&gct_lock_lines[b / 64],
                                      memory_order_relaxed) >> (b % 64);
    return n == 64 ? w == 0 : (w & ((1ull << n) - 1)) == 0;
}

/* Whether a lock seen and not forgotten starts in [lo, lo+len): exact,
 * after a filter of a few loads (free). */
bool gct_locks_held_in(uintptr_t lo, size_t len);

/* The memory [lo, lo+len) went away at time ts (munmap, dlclose,
 * free): ends the locks it held, as destroy does, and records it.  A
 * range too large to look up address by address forgets the locks seen
 * there from the first two levels of the seen set (intern.c); with
 * `everywhere`, also from the large level, whose pages a scan touches
 * (dlclose's rare calls only). */
void gct_memory_gone(struct gct_thread *t, int64_t ts, uintptr_t lo,
                     size_t len, bool everywhere);

/* Bookkeeping before/after a release. */
/* Whether lock was on the held stack (or may have been: held_lost). */
bool gct_lock_released_slow(struct gct_thread *t, const void *lock);

/* Takes lock off the thread's held stack; false when it was not there,
 * so that the thread did not hold it (the answer costs the common case,
 * the top of the stack, nothing). */
static inline bool
gct_lock_released(struct gct_thread *t, const void *lock)
{
    int n = t->nheld;

    if (GCT_LIKELY(n > 0 && t->held[n - 1].lock == (uintptr_t)lock &&
                   gct_recorder.opt.record != GCT_RECORD_ALL)) {
        t->nheld = n - 1;
        return true;
    }
    return gct_lock_released_slow(t, lock);
}

/* Brackets a wait that blocks. */
/* site: the blocking call's caller, for gct_stack_by_site (0: libgoc's
 * waits, whose call site is inside libgoc).  The wait's stack is captured
 * each time. */
void gct_wait_begin(struct gct_thread *t, int reason, const void *obj,
                    int64_t detail, bool timed, uintptr_t site);
void gct_wait_end(struct gct_thread *t, const void *obj, int64_t result);

/* ---------------------------------------------------------------- wait_sites.c */

/* A wait at obj that lasted past wait_threshold_us: whether it is written
 * out (the first long_waits_per_site of the thread's row for obj, reason
 * and stack), or counted like a short one. */
bool gct_wait_write_long(struct gct_thread *t, uint64_t obj, int reason,
                         uint32_t stack);

/* Counts a short wait of ns at obj (reason, stack) in t's table. */
void gct_wait_count(struct gct_thread *t, uint64_t obj, int reason,
                    uint32_t stack, int64_t ns);
/* Writes t's table out and empties it.  writer: the thread whose chunk
 * takes the records (t itself, or the process's last thread at exit). */
void gct_wait_sites_flush(struct gct_thread *writer, struct gct_thread *t);

/* ---------------------------------------------------------------- mutex_fast.c */

/* Sets gct_recorder.mutex_fast (unless option mutex_fast=0 turned it off);
 * tid: the calling thread's.  Returns why not, or NULL.  The in-place
 * trylock and unlock are glibc_private.h's. */
const char *gct_mutex_fast_init(int tid);

#endif /* GCT_LOCKS_H */
