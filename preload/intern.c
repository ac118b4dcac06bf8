/*
 * intern.c - the shim's shared sets of 64-bit keys (stacks by hash, call
 * sites, locks seen): lock-free, bounded, and cheap to start.
 *
 * A set is open addressing in three levels.  The first is one page that
 * a small program never leaves; each next one, larger, is probed only for
 * keys whose run of the one before is full.  One large table alone
 * touched a page per key, and a page's first touch is dear under
 * virtualisation: the stack and lock tables took a third of the page
 * faults that the recorder added to a short real program
 * (docs/bench-shim.md, "Figures behind the code").  With the first page
 * and the large table alone, a program of a few thousand locks (node's
 * 4,200) touched every page of the large one; the middle level holds
 * them in 32 pages.
 *
 * Slots are claimed with compare-and-swap and never given back (a caller
 * may overwrite a key with a tombstone of its own), so a key's run in a
 * level, once full, stays full: every thread looks for the same key in
 * the same level, and no key is claimed twice.
 */
#include "shim.h"

#define FIRST_PROBES 8
#define MID_PROBES 64
#define REST_PROBES 64

/* Finds or claims key's slot in one level.  NULL: not there; *full says
 * whether key's run is full, so that key may be (or go) in the next
 * level.  A look-up that meets an empty slot has its answer: key was
 * never claimed, in this level or any after it. */
static struct gct_slot *
probe(struct gct_slot *table, size_t size, int probes, uint64_t key,
      bool claim, bool *fresh, bool *full)
{
    uint64_t h = key * 0x9e3779b97f4a7c15ull;
    size_t i = (size_t)(h ^ h >> 32) & (size - 1);

    *full = false;
    for (int n = 0; n < probes; n++, i = (i + 1) & (size - 1)) {
        uint64_t cur = atomic_load_explicit(&table[i].key,
                                            memory_order_acquire);
        if (cur == key)
            return &table[i];
        if (cur != 0)
            continue;
        if (!claim)
            return NULL; /* an empty slot ends key's run */
        if (atomic_compare_exchange_strong(&table[i].key, &cur, key)) {
            *fresh = true;
            return &table[i];
        }
        if (cur == key)
            return &table[i];
    }
    *full = true;
    return NULL;
}

/* The next level is probed only past a full run: a look-up of a key
 * never claimed went on to the large level, a page of it at random each
 * time, and the look-ups that free() makes of a program's heap blocks
 * touched every page of the large table in node. */
static struct gct_slot *
in_levels(const struct gct_intern *set, uint64_t key, bool claim,
          bool *fresh)
{
    bool full;
    struct gct_slot *s = probe(set->first, GCT_INTERN_FIRST, FIRST_PROBES,
                               key, claim, fresh, &full);
    if (s == NULL && full)
        s = probe(set->mid, GCT_INTERN_MID, MID_PROBES, key, claim, fresh,
                  &full);
    if (s == NULL && full)
        s = probe(set->rest, set->rest_size, REST_PROBES, key, claim, fresh,
                  &full);
    return s;
}

struct gct_slot *
gct_intern(const struct gct_intern *set, uint64_t key, bool *fresh)
{
    *fresh = false;
    return in_levels(set, key, true, fresh);
}

struct gct_slot *
gct_intern_find(const struct gct_intern *set, uint64_t key)
{
    bool fresh = false;
    return in_levels(set, key, false, &fresh);
}
