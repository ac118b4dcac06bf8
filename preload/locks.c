/*
 * locks.c - what the shim remembers about locks a thread holds: the held
 * stack, lock-order edges, acquisition counters, and the brackets around
 * waits that block.
 *
 * The default mode writes nothing for an uncontended acquisition.  A new
 * lock-order edge (this thread takes B while holding A for the first time)
 * is written once, with the stack of the acquisition of B and the call
 * site of A's; a per-thread cache remembers the edges already written, so
 * a hot nested-lock loop costs a few cache probes.  The cache is two-way
 * set-associative: with one way, two hot edges whose addresses happened to
 * share a slot evicted each other on every acquisition and wrote an edge
 * (with a stack) each time.  Counters live in a small per-thread
 * direct-mapped table and are written out when a slot is evicted and at
 * thread exit.
 *
 * The hot path (gct_lock_acquired, gct_lock_released) touches only the
 * thread's own state and leaves errno alone; whatever writes a record,
 * which may make system calls, is out of line and keeps errno itself.
 */
#include "shim.h"

#include <string.h>

#define GCT_GATES_MAX 8 /* other held locks written with an edge */
#define FORGET_EACH_MAX 4096 /* bytes: a range that ended is looked up
                                address by address rather than by a scan,
                                and its lines' generations bumped one by
                                one rather than all of memory's */

_Atomic uint64_t gct_lock_generation;
_Atomic uint32_t gct_line_gens[GCT_LINE_GENS];

/* A new lock may now be made in [lo, hi): the edges of the locks there
 * are to be written again (gct_edge_stamp).  Line by line for a small
 * range, else all of memory's generation. */
static void
new_generation(uintptr_t lo, uintptr_t hi)
{
    if (hi - lo > FORGET_EACH_MAX) {
        atomic_fetch_add_explicit(&gct_lock_generation, 1,
                                  memory_order_relaxed);
        return;
    }
    uintptr_t line = (uintptr_t)1 << GCT_LINE_SHIFT;
    for (uintptr_t a = lo & ~(line - 1); a < hi; a += line)
        atomic_fetch_add_explicit(gct_line_gen(a), 1, memory_order_relaxed);
}

/* Writes the edge from->to, with the flags of both locks and the other
 * locks held at the time, so that the analysis can tell edges taken under
 * a common gate.  Out of line: it runs once per edge and thread. */
static __attribute__((noinline, cold)) void
write_edge(struct gct_thread *t, const struct gct_held *from, uintptr_t to,
           uint32_t to_flags)
{
    struct gct_enter e = gct_enter(t);
    uint64_t payload[2 + GCT_GATES_MAX];
    int n = 0;
    payload[0] = from->flags | (uint64_t)to_flags << 16;
    for (int i = 0; i < t->nheld && n < GCT_GATES_MAX; i++)
        if (t->held[i].lock != from->lock && t->held[i].lock != to)
            payload[2 + n++] = t->held[i].lock;
    payload[1] = (uint64_t)n;
    gct_emit(t, GCT_EV_LOCK_EDGE, gct_capture_stack(t), to, (int64_t)from->lock,
             (int64_t)from->site, payload, (size_t)(2 + n) * sizeof payload[0]);
    gct_leave(&e);
}

/* Writes the edge held->to unless this thread wrote it already. */
static inline void
note_edge(struct gct_thread *t, const struct gct_held *from, uintptr_t to,
          uint32_t to_flags)
{
    uint64_t gen = gct_edge_stamp(from->lock, to);
    struct gct_edge_slot *e = gct_edge_set(t, from->lock, to);

    if (gct_edge_known(e, from->lock, to, gen))
        return;
    /* Replace the older way: the newer moves to slot 1, the new one in. */
    e[0] = e[1];
    e[1] = (struct gct_edge_slot){from->lock, to, gen};
    write_edge(t, from, to, to_flags);
}

/* Locks whose first use in the process was recorded: a lock made with
 * a static initialiser has no init call, so its first use names its
 * class.  Destroy leaves a tombstone in the lock's slot (intern.c).
 * Consulted only when the per-thread counter cache misses. */
#define SEEN_SIZE (1 << 16)
#define SEEN_TOMB 1 /* never a lock's address */
static _Alignas(4096) struct gct_slot seen_first[GCT_INTERN_FIRST];
static _Alignas(4096) struct gct_slot seen_mid[GCT_INTERN_MID];
static struct gct_slot seen_rest[SEEN_SIZE];
static const struct gct_intern seen_locks = {seen_first, seen_mid,
                                             seen_rest, SEEN_SIZE};
/* Whether a lock ever took a slot of the middle or the large level: a
 * scan of a level that never held one (gct_memory_gone) would touch its
 * pages for nothing, and a dlclose's scan of the large one had node touch
 * all 256 of its pages. */
static _Atomic bool seen_mid_used, seen_rest_used;

static void
note_level(const struct gct_slot *s)
{
    if (s >= seen_mid && s < seen_mid + GCT_INTERN_MID)
        atomic_store_explicit(&seen_mid_used, true, memory_order_relaxed);
    else if (s >= seen_rest && s < seen_rest + SEEN_SIZE)
        atomic_store_explicit(&seen_rest_used, true, memory_order_relaxed);
}

/*
 * Where locks were ever seen, coarsely: one bit per 2 MiB region of the
 * address space, hashed into a fixed bitmap.  A munmap of memory that
 * never held a lock (most of them: buffers, a runtime's heap pages) is
 * then passed on with a few loads, without a record, and without making
 * every thread write its lock-order edges again.  A collision only costs
 * a record.
 */
#define REGION_SHIFT 21
#define REGION_BITS 16 /* log2 of the bitmap's bits */
#define REGION_SPAN_MAX 4096 /* regions checked one by one; more: maybe */
static _Atomic uint64_t lock_regions[(1u << REGION_BITS) / 64];

static inline uint32_t
region_bit(uint64_t region)
{
    return (uint32_t)((region * 0x9e3779b97f4a7c15ull) >> (64 - REGION_BITS));
}

static void
note_region(uintptr_t lock)
{
    uint32_t b = region_bit(lock >> REGION_SHIFT);
    uint64_t bit = 1ull << (b % 64);

    if (!(atomic_load_explicit(&lock_regions[b / 64], memory_order_relaxed) &
          bit))
        atomic_fetch_or_explicit(&lock_regions[b / 64], bit,
                                 memory_order_relaxed);
}

bool
gct_locks_maybe_in(uintptr_t lo, size_t len)
{
    if (len == 0)
        return false;
    uint64_t first = lo >> REGION_SHIFT;
    uint64_t last = (lo + (len - 1)) >> REGION_SHIFT;
    if (last < first || last - first >= REGION_SPAN_MAX)
        return true;
    for (uint64_t r = first; r <= last; r++) {
        uint32_t b = region_bit(r);
        if (atomic_load_explicit(&lock_regions[b / 64],
                                 memory_order_relaxed) >> (b % 64) & 1)
            return true;
    }
    return false;
}

/*
 * Where the locks of the seen set are, finely, for free(): one bit per
 * 64-byte line, by the line's address modulo 64 MiB, in a fixed bitmap
 * (128 KiB of .bss, whose pages are touched only where bits are set).  A
 * freed block none of whose lines has a bit holds no lock the shim knows
 * of: the check is a load or two, the bits of neighbouring lines being
 * neighbours (a hashed bitmap cost a load per line, and a cache miss
 * each, which doubled the cost of a small malloc and free).  A set bit (a
 * lock there, or one 64 MiB away) sends the block to an exact look-up of
 * its addresses in the set of locks seen.
 *
 * A line's bit goes when its last lock leaves the set (destroyed, or
 * freed): line_live counts them.  A bit that stayed for every lock ever
 * seen sent node's frees of memory where OpenSSL's destroyed locks had
 * been, 55,000 of them, to the exact look-up.  A count at its maximum
 * stays there, and its bit with it.
 */
_Atomic uint64_t gct_lock_lines[GCT_LINE_WORDS];
_Atomic bool gct_any_lock_seen;
static _Atomic uint16_t line_live[GCT_LINE_WORDS * 64];

static inline uint32_t
line_bit(uint64_t line)
{
    return (uint32_t)(line & (GCT_LINE_WORDS * 64 - 1));
}

/* lock joined the seen set: its line has one more.  The count first, then
 * the bit, so that line_left never leaves a counted line without it. */
static void
line_joined(uintptr_t lock)
{
    uint32_t b = line_bit(lock >> GCT_LINE_SHIFT);
    uint16_t n = atomic_load(&line_live[b]);
    while (n != UINT16_MAX && !atomic_compare_exchange_weak(&line_live[b], &n,
                                                            (uint16_t)(n + 1)))
        ;
    uint64_t bit = 1ull << (b % 64);
    if (!(atomic_load(&gct_lock_lines[b / 64]) & bit))
        atomic_fetch_or(&gct_lock_lines[b / 64], bit);
    if (!atomic_load_explicit(&gct_any_lock_seen, memory_order_relaxed))
        atomic_store_explicit(&gct_any_lock_seen, true, memory_order_relaxed);
}

/* lock left the seen set (tombstoned).  A line that counts none any more
 * loses its bit; a lock that joined meanwhile puts it back. */
static void
line_left(uintptr_t lock)
{
    uint32_t b = line_bit(lock >> GCT_LINE_SHIFT);
    uint16_t n = atomic_load(&line_live[b]);
    do {
        if (n == 0 || n == UINT16_MAX)
            return;
    } while (!atomic_compare_exchange_weak(&line_live[b], &n,
                                           (uint16_t)(n - 1)));
    if (n != 1)
        return;
    uint64_t bit = 1ull << (b % 64);
    atomic_fetch_and(&gct_lock_lines[b / 64], ~bit);
    if (atomic_load(&line_live[b]) != 0)
        atomic_fetch_or(&gct_lock_lines[b / 64], bit);
}

/* Tombstones slot s if it still holds lock. */
static void
forget_slot(struct gct_slot *s, uint64_t lock)
{
    uint64_t key = lock;
    if (atomic_compare_exchange_strong(&s->key, &key, SEEN_TOMB))
        line_left((uintptr_t)lock);
}

bool
gct_locks_held_in(uintptr_t lo, size_t len)
{
    if (len == 0 ||
        (len > (1u << REGION_SHIFT) && !gct_locks_maybe_in(lo, len)))
        return false;
    uintptr_t hi = lo + len;
    uintptr_t last = (hi - 1) >> GCT_LINE_SHIFT;
    for (uintptr_t line = lo >> GCT_LINE_SHIFT; line <= last; line++) {
        uint32_t b = line_bit(line);
        uint64_t word = atomic_load_explicit(&gct_lock_lines[b / 64],
                                             memory_order_relaxed) >>
                        (b % 64);
        if (word == 0) { /* no bit up to the word's end: skip there */
            line += 63 - b % 64;
            continue;
        }
        if (!(word & 1))
            continue;
        /* locks are 8-byte aligned */
        uintptr_t start = line << GCT_LINE_SHIFT;
        uintptr_t a = start < lo ? (lo + 7) & ~(uintptr_t)7 : start;
        for (; a < hi && a < start + (1u << GCT_LINE_SHIFT); a += 8)
            if (gct_intern_find(&seen_locks, a))
                return true;
    }
    return false;
}

void
gct_lock_seen(struct gct_thread *t, uintptr_t lock, bool record)
{
    bool fresh;

    note_region(lock);
    struct gct_slot *s = gct_intern(&seen_locks, lock, &fresh);
    if (s && fresh) {
        note_level(s);
        line_joined(lock);
        if (record)
            gct_emit(t, GCT_EV_LOCK_FIRST_USE, gct_capture_stack(t), lock, 0,
                     0, NULL, 0);
    }
}

/* Tombstones the locks of [lo, hi) in n slots of the seen set. */
static void
forget_in(struct gct_slot *slots, size_t n, uintptr_t lo, uintptr_t hi)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t key = atomic_load_explicit(&slots[i].key,
                                            memory_order_relaxed);
        if (key >= lo && key < hi && key != 0 && key != SEEN_TOMB)
            forget_slot(&slots[i], key);
    }
}

/* Tombstones the locks of a small range [lo, hi), address by address. */
static void
forget_each(uintptr_t lo, uintptr_t hi)
{
    for (uintptr_t a = (lo + 7) & ~(uintptr_t)7; a < hi; a += 8) {
        struct gct_slot *s = gct_intern_find(&seen_locks, a);
        if (s)
            forget_slot(s, a);
    }
}

void
gct_memory_gone(struct gct_thread *t, int64_t ts, uintptr_t lo, size_t len,
                bool everywhere)
{
    /* As for a destroy: the threads' edge caches forget addresses that
     * may now name new locks, and a new lock there gets its first use. */
    if (len > 0)
        new_generation(lo, lo + len);
    if (len <= FORGET_EACH_MAX) {
        forget_each(lo, lo + len);
    } else {
        forget_in(seen_first, GCT_INTERN_FIRST, lo, lo + len);
        if (atomic_load_explicit(&seen_mid_used, memory_order_relaxed))
            forget_in(seen_mid, GCT_INTERN_MID, lo, lo + len);
        if (everywhere &&
            atomic_load_explicit(&seen_rest_used, memory_order_relaxed))
            forget_in(seen_rest, SEEN_SIZE, lo, lo + len);
    }
    struct gct_enter e = gct_enter(t);
    gct_emit_at(t, ts, GCT_EV_MEM_GONE, 0, lo, (int64_t)len, 0);
    gct_leave(&e);
}

bool
gct_lock_known(uintptr_t lock)
{
    return gct_intern_find(&seen_locks, lock) != NULL;
}

void
gct_lock_forget(uintptr_t lock)
{
    struct gct_slot *s = gct_intern_find(&seen_locks, lock);
    if (s)
        forget_slot(s, lock);
}

/* The stack of an init call, for the lock's class: the stack of this
 * call, not the first one seen from its call site.  Locks made through
 * one helper (a lock_init() function, a C++ mutex class, a library's
 * wrapper) share the helper's call site; only the frames outside it
 * tell them apart, and a class that lumped them together turned a
 * consistent order between unrelated locks into a class cycle.  Init
 * calls are rare next to acquisitions, so a capture each is cheap; the
 * innermost INIT_FRAMES frames tell helpers nested that deep apart, and
 * keep the distinct addresses to symbolise few (node's 4,200 locks made
 * on whole stacks took 2 s of the finishing step's symbol lookups). */
#define INIT_FRAMES 8

void
gct_lock_init_note(struct gct_thread *t, const void *lock, int type,
                   uint32_t flags, uintptr_t site)
{
    struct gct_enter e = gct_enter(t);
    gct_lock_seen(t, (uintptr_t)lock, false);
    gct_emit(t, GCT_EV_LOCK_INIT,
             gct_in_unwinder(site) ? 0 : gct_stack_top(t, INIT_FRAMES),
             (uintptr_t)lock, type, flags, NULL, 0);
    gct_leave(&e);
}

void
gct_lock_destroy_note(struct gct_thread *t, const void *lock, int result,
                      bool gone)
{
    struct gct_enter e = gct_enter(t);
    if (gone) {
        new_generation((uintptr_t)lock, (uintptr_t)lock + 1);
        gct_lock_forget((uintptr_t)lock);
    }
    gct_emit(t, GCT_EV_LOCK_DESTROY, 0, (uintptr_t)lock, result, 0, NULL, 0);
    gct_leave(&e);
}

/* A counter slot changes hands: write the old lock's count, note the new
 * lock.  Out of line, keeps errno. */
static __attribute__((noinline, cold)) void
count_miss(struct gct_thread *t, struct gct_count_slot *c, uintptr_t lock)
{
    struct gct_enter e = gct_enter(t);
    if (c->count)
        gct_emit(t, GCT_REC_COUNT, 0, c->lock, (int64_t)c->count, 0, NULL, 0);
    c->lock = lock;
    c->count = 1;
    t->counts_used = true;
    gct_lock_seen(t, lock, true);
    gct_leave(&e);
}

static inline void
count(struct gct_thread *t, uintptr_t lock)
{
    struct gct_count_slot *c = &t->counts[gct_count_slot_of(lock)];

    if (GCT_LIKELY(c->lock == lock))
        c->count++;
    else
        count_miss(t, c, lock);
}

void
gct_flush_counts(struct gct_thread *t)
{
    gct_wait_sites_flush(t, t);
    /* A thread that took no lock leaves its counters' pages untouched: a
     * first touch of a page is dear under virtualisation, and the
     * counters of each of a short process's threads took two. */
    if (!t->counts_used)
        return;
    t->counts_used = false;
    for (int i = 0; i < GCT_LOCK_CACHE; i++) {
        struct gct_count_slot *c = &t->counts[i];
        if (c->count)
            gct_emit(t, GCT_REC_COUNT, 0, c->lock, (int64_t)c->count, 0,
                     NULL, 0);
        /* Emptied: the next acquisition takes the slot again through
         * count_miss, which marks the counters used. */
        c->lock = 0;
        c->count = 0;
    }
}

void
gct_lock_acquired_slow(struct gct_thread *t, const void *lock, uint32_t flags,
                       uintptr_t site)
{
    uintptr_t l = (uintptr_t)lock;
    int n = t->nheld;
    bool recorded = flags & GCT_LOCK_PRERECORDED;

    flags &= ~GCT_LOCK_PRERECORDED;
    if (GCT_UNLIKELY(gct_in_unwinder(site))) {
        /* libunwind's own lock: held, for the bookkeeping, but nothing
         * that needs a stack (gct_in_unwinder). */
        if (n < GCT_HELD_MAX) {
            t->held[n] = (struct gct_held){l, site, flags};
            t->nheld = n + 1;
        } else {
            t->held_lost = true;
        }
        return;
    }
    struct gct_enter e = gct_enter(t);
    /* A trylock cannot block, so it closes no cycle: no edge into it.
     * A recursive mutex re-locked by its owner adds no edge either. */
    if (n > 0 && !(flags & GCT_LOCK_TRY)) {
        bool again = false;
        for (int i = 0; i < n; i++)
            again |= t->held[i].lock == l;
        if (!again)
            for (int i = 0; i < n; i++)
                note_edge(t, &t->held[i], l, flags);
    }
    if (GCT_LIKELY(n < GCT_HELD_MAX)) {
        t->held[n] = (struct gct_held){l, site, flags};
        t->nheld = n + 1;
    } else {
        t->held_lost = true;
    }
    count(t, l);
    if (GCT_UNLIKELY(gct_recorder.opt.record == GCT_RECORD_ALL) && !recorded)
        gct_emit_compact(t, GCT_EV_LOCK_ACQUIRE, l, (uint8_t)flags, site);
    gct_leave(&e);
}

bool
gct_lock_released_slow(struct gct_thread *t, const void *lock)
{
    uintptr_t l = (uintptr_t)lock;
    int n = t->nheld;
    bool found = t->held_lost;

    /* Locks are usually released in reverse order: the top first. */
    if (GCT_LIKELY(n > 0 && t->held[n - 1].lock == l)) {
        t->nheld = n - 1;
        found = true;
    } else {
        for (int i = n - 2; i >= 0; i--) {
            if (t->held[i].lock == l) {
                for (int k = i; k < n - 1; k++)
                    t->held[k] = t->held[k + 1];
                t->nheld = n - 1;
                found = true;
                break;
            }
        }
    }
    if (GCT_UNLIKELY(gct_recorder.opt.record == GCT_RECORD_ALL)) {
        struct gct_enter e = gct_enter(t);
        gct_emit_compact(t, GCT_EV_LOCK_RELEASE, l, 0, 0);
        gct_leave(&e);
    }
    return found;
}

/*
 * Whether the pthread object a thread is about to wait on is
 * process-shared, so that another process may end the wait: read from
 * glibc's own fields (glibc_private.h).  libgoc's waits have reasons of
 * their own.
 */
static bool
wait_shared(int reason, const void *obj)
{
    switch (gct_wait_object(reason)) {
    case GCT_OBJ_MUTEX:
        return gct_mutex_pshared(obj);
    case GCT_OBJ_RWLOCK:
        return gct_rwlock_pshared(obj);
    case GCT_OBJ_COND:
        return gct_cond_pshared(obj);
    case GCT_OBJ_SEM:
        return gct_sem_pshared(obj);
    case GCT_OBJ_BARRIER:
        return gct_barrier_pshared(obj);
    default:
        return false; /* a spinlock's word says nothing of sharing */
    }
}

/*
 * Whether a lock wait whose holder is the waiter itself can never end:
 * for the kinds of lock that block their holder for good
 * (gct_lock_relock_blocks: a NORMAL mutex, a spinlock), and for a lock
 * wait that libgoc reports (site 0: its goc_rwmutex relocked by its
 * holder blocks for good, lib/sync.c).  A pthread rwlock relocked by its
 * writer is answered EDEADLK, so it is not one.
 */
static bool
self_deadlock(int reason, const void *obj, uintptr_t site)
{
    if (!gct_wait_is_lock(reason))
        return false;
    if (site == 0 && reason != GCT_WAIT_MUTEX)
        return true;
    return gct_lock_relock_blocks(obj, gct_wait_object(reason));
}

/* The locks a thread holds as it begins to wait for another, with where
 * it took each: what a deadlock report must show, since the fix moves one
 * of those acquisitions.  Written on the wait's time, so that the finisher
 * pairs them with it (the lock waited for among them: a thread that
 * waits for a lock it holds).  Out of line: a thread that blocks for a lock while
 * holding others is already on the slow path. */
static __attribute__((noinline, cold)) void
write_held(struct gct_thread *t, int64_t since)
{
    for (int i = 0; i < t->nheld; i++)
        gct_emit_at(t, since, GCT_EV_LOCK_HELD, 0, t->held[i].lock,
                    t->held[i].flags, (int64_t)t->held[i].site);
}

/*
 * The begin record just written for a wait on a lock, if the wait may be
 * counted instead when it turns out short, in the default mode
 * (record=all keeps every wait), with its end reserved right after it.
 * A condvar wait is always written: the finisher finds two waits on one
 * condvar with different mutexes from them, however short.  A wait on a lock in a contended loop lasts a microsecond or less,
 * and a record of each made the trace grow with the run's length (the
 * nested-lock loop: 300,000 waits a second, 200 bytes each in the trace,
 * and most of the finishing step's time).  Taken back at its end (log.c,
 * gct_log_take_back) and counted per object and stack, it costs the log
 * nothing; a wait that never ends, or ends late, is written as before,
 * with its stack, as a deadlock, a leak or a wait worth seeing needs it.
 */
static struct gct_rec *
countable(struct gct_thread *t, int reason)
{
    struct gct_rec *end = t->end_slot;
    if (gct_recorder.opt.record != GCT_RECORD_BLOCKING || end == NULL ||
        gct_recorder.opt.wait_threshold_us == 0 || !gct_wait_is_lock(reason))
        return NULL;
    struct gct_rec *b = end - 1;
    if ((char *)b < t->chunk + sizeof(struct gct_chunk_head) ||
        atomic_load_explicit(&b->kind, memory_order_relaxed) !=
            GCT_EV_WAIT_BEGIN ||
        b->words != sizeof *b / 8 || b->obj != end->obj)
        return NULL;
    return b;
}

/*
 * Where the take-back of countable wait b starts: at the lock_held
 * records written just before it (write_held), which say what the thread
 * held during a wait that turned out too short to report, or at b when
 * there are none or they are not in b's chunk (the chunk filled up
 * between them and b: they stay, as before the take-back existed).
 */
static struct gct_rec *
held_records(const struct gct_thread *t, const char *chunk, uint32_t off,
             struct gct_rec *b)
{
    if (b == NULL || chunk != t->chunk ||
        off < sizeof(struct gct_chunk_head) || chunk + off > (char *)b)
        return b;
    return (struct gct_rec *)(chunk + off);
}

/*
 * A wait on a lock ends with the lock held again: whatever the end's
 * record costs, the program's critical section costs too, and in a
 * contended loop a longer critical section makes the other threads block
 * more often.  So such a wait reserves its end record right after its
 * begin, filled in but unpublished, and the end only stores the time
 * (from the time-stamp counter for a short wait, tsc.c) and the result
 * and publishes it (docs/bench-shim.md, "Figures behind the code").  A wait that
 * never ends (the program was killed) leaves the reservation
 * unpublished, which the finisher skips.
 */
/*
 * Whether a wait to write-lock rwlock obj is by a thread that holds obj
 * for reading: glibc's writer waits for every reader to leave, its own
 * read lock too, so the wait never ends (glibc answers EDEADLK only to
 * its writer).  Its holder is then the waiter itself.  The pthread
 * rwlocks only (site 0: a wait libgoc reports on its own).
 */
static bool
writes_what_it_reads(const struct gct_thread *t, int reason, const void *obj,
                     uintptr_t site)
{
    if (reason != GCT_WAIT_RWLOCK_WR || site == 0)
        return false;
    for (int i = 0; i < t->nheld; i++)
        if (t->held[i].lock == (uintptr_t)obj &&
            (t->held[i].flags & GCT_LOCK_SHARED))
            return true;
    return false;
}

/*
 * A thread about to block for lock obj while it holds others: the edges
 * from each to obj are written now, as its acquisition would write them,
 * so that a wait that never ends (the threads deadlocked, and the
 * program was aborted or killed) leaves its lock order in the trace too:
 * the deadlock's cycle is then also a lock_order_cycle.  Not for a timed
 * wait, which may give up and back off (and then had no order to keep),
 * nor for a lock the thread holds already (a relock makes no edge).
 */
static void
edges_before_wait(struct gct_thread *t, int reason, const void *obj)
{
    uintptr_t l = (uintptr_t)obj;
    uint32_t flags = gct_wait_lock_mode(reason);
    for (int i = 0; i < t->nheld; i++)
        if (t->held[i].lock == l)
            return;
    for (int i = 0; i < t->nheld; i++)
        note_edge(t, &t->held[i], l, flags | GCT_LOCK_CONTENDED);
}

void
gct_wait_begin(struct gct_thread *t, int reason, const void *obj,
               int64_t detail, bool timed, uintptr_t site)
{
    bool shared = obj != NULL && wait_shared(reason, obj);
    bool self = writes_what_it_reads(t, reason, obj, site);
    if (self)
        detail = t->tid;
    struct gct_enter e = gct_enter(t);
    if (t->nheld > 0 && !timed && site != 0 && gct_wait_is_lock(reason) &&
        !gct_in_unwinder(site))
        edges_before_wait(t, reason, obj);
    if (reason == GCT_WAIT_SEM)
        gct_signals_record(t); /* what may end it (intercept_signal.c) */

    /* since and tsc stay a pair, as read: the end is derived from them.
     * The record's time may be later (a thread's times do not go back);
     * pairing that with tsc put every later derived time of the thread
     * ahead of the clock. */
    uint64_t tsc;
    int64_t since = gct_clock(t, &tsc);
    if (gct_recorder.opt.record >= GCT_RECORD_BLOCKING) {
        uint32_t stack = site ? gct_stack_by_site(t, site) : gct_capture_stack(t);
        char *held_chunk = t->chunk;
        uint32_t held_off = t->chunk_used;
        if (t->nheld > 0 && gct_wait_is_lock(reason))
            write_held(t, since);
        gct_emit_at(t, since, GCT_EV_WAIT_BEGIN, stack,
                    (uint64_t)(uintptr_t)obj,
                    reason | (timed ? GCT_WAIT_TIMED : 0) |
                        (shared ? GCT_WAIT_SHARED : 0),
                    detail);
        t->end_slot = gct_wait_ends_holding(reason)
                          ? gct_reserve_rec(t, (uint64_t)(uintptr_t)obj)
                          : NULL;
        t->begin_rec = countable(t, reason);
        t->take_from = held_records(t, held_chunk, held_off, t->begin_rec);
        t->begin_reason = reason;
        t->wait_stack = stack;
    }
    t->wait_tsc = tsc;
    atomic_store_explicit(&t->wait_obj, (uintptr_t)obj, memory_order_relaxed);
    atomic_store_explicit(&t->wait_since, since, memory_order_relaxed);
    atomic_store_explicit(&t->wait_timed, timed || shared,
                          memory_order_relaxed);
    atomic_store_explicit(&t->wait_self, self, memory_order_relaxed);
    atomic_store_explicit(&t->wait_mutex,
                          reason == GCT_WAIT_COND ? (uintptr_t)detail : 0,
                          memory_order_relaxed);
    atomic_store_explicit(&t->wait_reason, reason, memory_order_release);
    /* Once the wait is in the log: the first start waits for the
     * background thread to name itself, and a process that ends
     * meanwhile must find this thread's wait there. */
    gct_watchdog_start(t);
    if (detail == t->tid && !timed &&
        (self || self_deadlock(reason, obj, site)))
        gct_watchdog_certain(t);
    gct_leave(&e);
}

void
gct_wait_end(struct gct_thread *t, const void *obj, int64_t result)
{
    struct gct_enter e = gct_enter(t);
    atomic_store_explicit(&t->wait_reason, 0, memory_order_release);
    struct gct_rec *r = t->end_slot;
    t->end_slot = NULL;
    if (gct_recorder.opt.record >= GCT_RECORD_BLOCKING) {
        int64_t since = atomic_load_explicit(&t->wait_since,
                                             memory_order_relaxed);
        int64_t now = gct_now_since(since, t->wait_tsc);
        struct gct_rec *b = t->begin_rec;
        t->begin_rec = NULL;
        uint64_t o = (uint64_t)(uintptr_t)obj;
        if (r != NULL && r->obj == o && b != NULL && b + 1 == r &&
            (char *)(r + 1) == t->chunk + t->chunk_used &&
            (now - since < gct_recorder.opt.wait_threshold_us * 1000 ||
             !gct_wait_write_long(t, o, t->begin_reason, t->wait_stack)) &&
            gct_log_take_back(t, t->take_from)) {
            /* Short (or one long one too many), and nothing written since
             * its begin: counted. */
            gct_wait_count(t, (uint64_t)(uintptr_t)obj, t->begin_reason,
                           t->wait_stack, now - since);
        } else if (r != NULL && r->obj == (uint64_t)(uintptr_t)obj) {
            gct_publish_rec(t, r, GCT_EV_WAIT_END, now, result);
        } else {
            gct_emit_at(t, now, GCT_EV_WAIT_END, 0, (uint64_t)(uintptr_t)obj,
                        result, 0);
        }
    }
    gct_leave(&e);
}
