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
 */
#define UNW_LOCAL_ONLY
#include "shim.h"

#include <libunwind.h>
#include <string.h>

#define MAX_FRAMES 64
#define WALKS_BEFORE_TRACE 16 /* see capture() */
#define TABLE_SIZE (1 << 16) /* power of two */
#define SITE_TABLE_SIZE (1 << 12)

/* Slots of both sets: id 0 while the claimer has not yet published it. */
static _Alignas(4096) struct gct_slot stacks_first[GCT_INTERN_FIRST];
static struct gct_slot stacks_rest[TABLE_SIZE];
static const struct gct_intern stacks = {stacks_first, stacks_rest,
                                         TABLE_SIZE};
static _Alignas(4096) struct gct_slot sites_first[GCT_INTERN_FIRST];
static struct gct_slot sites_rest[SITE_TABLE_SIZE];
static const struct gct_intern sites = {sites_first, sites_rest,
                                        SITE_TABLE_SIZE};

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
    unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
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
    return atomic_fetch_add(&gct_rec.hdr->next_stack, 1) + 1;
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
 * unw_backtrace takes about 0.2 us for 15 frames once the thread has its
 * cache of frame shapes, but builds that cache on the thread's first
 * call: a 256 KB mapping, every page of it written.  Under virtualisation
 * a first touch of a page costs 10-20 us, and that cache cost 1-5 ms per
 * thread: most of what the recorder added to a short real program whose
 * few threads each capture a handful of stacks.  A thread's first
 * captures therefore step frame by frame (unw_step: 2 us a frame, no
 * cache of its own), and it turns to unw_backtrace once it has captured
 * enough stacks for the cache to pay off. */
static int
capture(struct gct_thread *t, void **pcs, int max)
{
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
 * finishing step read the recorder's own line tables: on zstd's trace,
 * 43 of its 620 page faults and 1.3 of its 23 ms.  Returns the new
 * count. */
static int
without_shim(void **pcs, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        if ((uintptr_t)pcs[i] < shim_lo || (uintptr_t)pcs[i] >= shim_hi)
            pcs[k++] = pcs[i];
    return k;
}

/* The shim's frames above the program's at most (the interposer, and
 * the shim's functions it calls to capture): what a capture of a few of
 * the program's frames takes more. */
#define SHIM_FRAMES 6

uint32_t
gct_stack(struct gct_thread *t)
{
    return gct_stack_top(t, MAX_FRAMES);
}

uint32_t
gct_stack_top(struct gct_thread *t, int depth)
{
    void *pcs[MAX_FRAMES];
    bool fresh;

    int max = depth < MAX_FRAMES - SHIM_FRAMES ? depth + SHIM_FRAMES
                                               : MAX_FRAMES;
    t->guard++;
    int n = without_shim(pcs, capture(t, pcs, max));
    if (n > depth)
        n = depth;
    if (n <= 0) {
        t->guard--;
        return 0;
    }
    uint64_t h = hash_pcs(pcs, n);
    struct gct_slot *s = gct_intern(&stacks, h, &fresh);
    uint32_t id;
    if (s && !fresh) {
        id = slot_id(s);
        if (id) {
            t->guard--;
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
    t->guard--;
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

/* The thread's cache slot for site. */
static inline size_t
site_slot(uintptr_t site)
{
    return (site ^ site >> 6) & (GCT_SITE_CACHE - 1);
}

static uint32_t
remember_site(struct gct_thread *t, uintptr_t site, uint32_t id)
{
    t->sites[site_slot(site)].site = site;
    t->sites[site_slot(site)].stack = id;
    return id;
}

/* A site's stack, once known, never changes: the thread remembers its
 * last few, which a loop that waits at a condvar and a contended mutex
 * asks for again and again, the condvar's inside the critical section of
 * its mutex (a probe of the shared table was a third of a wait's begin,
 * callgrind). */
uint32_t
gct_stack_by_site(struct gct_thread *t, uintptr_t site)
{
    bool fresh;

    if (site != 0 && t->sites[site_slot(site)].site == site)
        return t->sites[site_slot(site)].stack;
    if (GCT_UNLIKELY(gct_in_unwinder(site)))
        return 0;
    struct gct_slot *s = gct_intern(&sites, site ? site : 1, &fresh);

    if (s && !fresh) {
        uint32_t id = slot_id(s);
        if (id)
            return remember_site(t, site, id == UINT32_MAX ? 0 : id);
    }
    uint32_t id = gct_stack(t);
    if (s && fresh)
        atomic_store_explicit(&s->id, id ? id : UINT32_MAX,
                              memory_order_release);
    return s ? remember_site(t, site, id) : id;
}
