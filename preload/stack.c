/*
 * stack.c - capturing and interning call stacks.
 *
 * Stacks are captured with libunwind, only where they add information: a
 * thread's creation site, a lock's initialisation or first use, a wait
 * that blocks, a new lock-order edge.  Each distinct stack is written to
 * the log once and named by a small id; later sightings write only the id.
 * Symbolisation happens later, outside the program (common/symbolize.c).
 *
 * Stacks are interned by hash in a fixed set (intern.c): no lock, bounded
 * memory.  When it is full stacks are still recorded, just no longer
 * deduplicated.
 *
 * Every event gets the stack captured when it happens: nothing stands in
 * for a stack but the stack itself.  A cache keyed by the interposed
 * call's return address (the "site"), which this file had, gave every
 * call made through a wrapper the stack of the first call ever made
 * there: HotSpot's Mutex::lock, GLib's g_mutex_lock and any lock() or
 * wait() helper of a program's own are one site for all their callers
 * and all threads, and every Java thread was "blocked at" the VM
 * Thread's stack, every HotSpot Mutex "created at" Events::init.  The
 * ways to tell call paths apart without unwinding were weighed and
 * dropped:
 *
 * - the site plus the stack depth (the stack pointer against the
 *   thread's stack base): two start routines, or two callers of a
 *   helper, with frames of the same size are the same depth, which is
 *   common, and the cache would then be wrong with nothing to say so;
 * - a short walk of frame pointers: most x86-64 code keeps none, and
 *   where %rbp is a general register the walk reads garbage that can
 *   look like a chain;
 * - the site and the stack pointer, checked against the return
 *   addresses found in the stack at the first capture: found by
 *   scanning, a stale copy of a return address in an uninitialised
 *   local would be checked instead of the real one and would match
 *   for another caller; found exactly, it needs libunwind's step loop
 *   (microseconds a frame) at every new stack, and a function that
 *   realigns its stack or uses alloca can still move its caller's
 *   return address while the checked words stay the same.
 *
 * So the pcs themselves are the key: unw_backtrace costs a fraction of a
 * microsecond for the 5-15 frames of a wait once the thread's libunwind
 * cache exists, against the microseconds of a wait that blocks, and only blocking waits,
 * lock creations and new edges capture (docs/bench-shim.md, "Stacks":
 * what it costs the condvar queue and the nested-lock loop).  Two
 * distinct stacks share an id only when their 64-bit hashes are equal
 * (the set and each thread's memo compare hashes, not frames): with the
 * 65,536 stacks the set holds, a chance of about 2^-33 that any two in a
 * run do.  hash_pcs mixes each frame in with a bijection of the running
 * hash, so two stacks of one length that differ in a single frame get
 * different hashes before the final 0 -> 1.
 */
#define UNW_LOCAL_ONLY
#include "shim.h"

#include <libunwind.h>
#include <string.h>

#define MAX_FRAMES 64
#define WALKS_BEFORE_TRACE 16 /* see capture() */
#define TABLE_SIZE (1 << 16) /* power of two */

/* Slots of both sets: id 0 while the claimer has not yet published it. */
static _Alignas(4096) struct gct_slot stacks_first[GCT_INTERN_FIRST];
static _Alignas(4096) struct gct_slot stacks_mid[GCT_INTERN_MID];
static struct gct_slot stacks_rest[TABLE_SIZE];
static const struct gct_intern stacks = {stacks_first, stacks_mid,
                                         stacks_rest, TABLE_SIZE};

/* Our own code, whose frames are cut from every stack. */
static uintptr_t shim_lo, shim_hi;
/* libunwind's code (see gct_in_unwinder). */
static uintptr_t unw_lo, unw_hi;

void
gct_stack_init(uintptr_t lo, uintptr_t hi, uintptr_t ulo, uintptr_t uhi)
{
    shim_lo = lo;
    shim_hi = hi;
    unw_lo = ulo;
    unw_hi = uhi;
}

/* libunwind's setup, at the first capture rather than at start-up:
 * setting its caching policy makes its address space (a pipe for its
 * memory checks, its caches), about 50 us that a process that never
 * captures a stack (a shell, most tools a test suite runs) need not pay.
 * Threads that capture their first stack at once may each set it: the
 * call is idempotent, and libunwind's own setup takes its lock.  No
 * thread waits for another, so a child forked in the middle of it sets
 * it up again. */
static void
unwinder_ready(void)
{
    static _Atomic bool ready;

    if (GCT_LIKELY(atomic_load_explicit(&ready, memory_order_acquire)))
        return;
    unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
    atomic_store_explicit(&ready, true, memory_order_release);
}

static uint64_t
hash_pcs(void *const *pcs, int n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)n;
    for (int i = 0; i < n; i++) {
        h ^= (uint64_t)(uintptr_t)pcs[i];
        h *= 0xff51afd7ed558ccdull;
        h ^= h >> 33;
    }
    return h ? h : 1;
}

static uint32_t
new_id(void)
{
    return atomic_fetch_add(&gct_recorder.hdr->next_stack, 1) + 1;
}

/* The id of an existing slot, waiting out a claimer that has not yet
 * published it (a few instructions away). */
static uint32_t
slot_id(struct gct_slot *s)
{
    uint32_t id;
    for (int spin = 0; (id = atomic_load_explicit(&s->id,
                                                  memory_order_acquire)) == 0;
         spin++)
        if (spin > 1000)
            return 0;
    return id;
}

/* Fills pcs with the calling stack's return addresses; returns how many.
 *
 * unw_backtrace is fast once the thread has its cache of frame shapes,
 * but builds that cache on the thread's first call: a 256 KB mapping,
 * every page of it written, which under virtualisation was most of what
 * the recorder added to a short real program whose few threads each
 * capture a handful of stacks (docs/bench-shim.md, "Figures behind the code").  A thread's first captures therefore
 * step frame by frame (unw_step: no cache of its own), and it turns to
 * unw_backtrace once it has captured enough stacks for the cache to pay
 * off. */
static int
capture(struct gct_thread *t, void **pcs, int max)
{
    unwinder_ready();
    if (t->stacks_walked >= WALKS_BEFORE_TRACE)
        return unw_backtrace(pcs, max);
    t->stacks_walked++;
    unw_context_t ctx;
    unw_cursor_t cur;
    if (unw_getcontext(&ctx) != 0 || unw_init_local(&cur, &ctx) != 0)
        return 0;
    int n = 0;
    do {
        unw_word_t ip;
        if (unw_get_reg(&cur, UNW_REG_IP, &ip) != 0 || ip == 0)
            break;
        pcs[n++] = (void *)ip;
    } while (n < max && unw_step(&cur) > 0);
    return n;
}

/* Removes our own frames from pcs[0..n): the interposer that captures
 * (on top), and the trampolines that start main and each new thread (at
 * the bottom).  The program did not write them, and naming one made the
 * finishing step read the recorder's own line tables for nothing.
 * Returns the new count. */
static int
without_shim(void **pcs, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        if ((uintptr_t)pcs[i] < shim_lo || (uintptr_t)pcs[i] >= shim_hi)
            pcs[k++] = pcs[i];
    return k;
}

/* The thread's memo slot for a stack of hash h. */
static inline struct gct_stack_memo *
memo_of(struct gct_thread *t, uint64_t h)
{
    return &t->stack_memo[(h ^ h >> 32) & (GCT_STACK_MEMO - 1)];
}

/* The shim's frames above the program's at most (the interposer, and
 * the shim's functions it calls to capture): what a capture of a few of
 * the program's frames takes more. */
#define SHIM_FRAMES 6

uint32_t
gct_capture_stack(struct gct_thread *t)
{
    return gct_stack_top(t, MAX_FRAMES);
}

static uint32_t
stack_top(struct gct_thread *t, int depth)
{
    void *pcs[MAX_FRAMES];
    bool fresh;

    int max = depth < MAX_FRAMES - SHIM_FRAMES ? depth + SHIM_FRAMES
                                               : MAX_FRAMES;
    int n = without_shim(pcs, capture(t, pcs, max));
    if (n > depth)
        n = depth;
    if (n <= 0) {
        return 0;
    }
    uint64_t h = hash_pcs(pcs, n);
    /* A thread that waits in a loop asks for the same few stacks again
     * and again, a condvar's inside the critical section of its mutex:
     * its memo answers without the shared set's probe (a third of a
     * wait's begin, callgrind, when that probe was by call site). */
    struct gct_stack_memo *m = memo_of(t, h);
    if (m->hash == h) {
        return m->id;
    }
    struct gct_slot *s = gct_intern(&stacks, h, &fresh);
    uint32_t id;
    if (s && !fresh) {
        id = slot_id(s);
        if (id) {
            *m = (struct gct_stack_memo){h, id};
                return id;
        }
    }
    id = new_id();
    uint64_t frames[MAX_FRAMES];
    for (int i = 0; i < n; i++)
        frames[i] = (uint64_t)(uintptr_t)pcs[i];
    gct_emit(t, GCT_REC_STACK, 0, id, n, 0, frames,
             (size_t)n * sizeof frames[0]);
    if (s && fresh)
        atomic_store_explicit(&s->id, id, memory_order_release);
    *m = (struct gct_stack_memo){h, id};
    return id;
}

/* Under the guard: what the capture and the record do is the shim's. */
uint32_t
gct_stack_top(struct gct_thread *t, int depth)
{
    struct gct_enter en = gct_enter(t);
    uint32_t id = stack_top(t, depth);
    gct_leave(&en);
    return id;
}

bool
gct_in_shim(uintptr_t pc)
{
    return pc >= shim_lo && pc < shim_hi;
}

bool
gct_in_unwinder(uintptr_t site)
{
    return site >= unw_lo && site < unw_hi;
}

/* The site is not a key: see the comment at the top. */
uint32_t
gct_stack_by_site(struct gct_thread *t, uintptr_t site)
{
    if (GCT_UNLIKELY(gct_in_unwinder(site)))
        return 0;
    return gct_capture_stack(t);
}
