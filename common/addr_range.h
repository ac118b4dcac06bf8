/*
 * addr_range.h - finding the address range [lo, hi) that holds an
 * address in an array sorted by lo: the search that symbolize.c (the
 * ranges of compile units) and inline_scopes.c (the ranges of a unit's
 * functions) share.  An array's element begins with a struct
 * gct_addr_range and may carry more after it.
 */
#ifndef GCT_ADDR_RANGE_H
#define GCT_ADDR_RANGE_H

#include <stddef.h>
#include <stdint.h>

struct gct_addr_range {
    uint64_t lo, hi;
};

/* qsort's comparison: by lo. */
static inline int
gct_addr_range_cmp(const void *a, const void *b)
{
    const struct gct_addr_range *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* The element of v (n elements of size bytes, sorted by lo) whose range
 * holds addr, or NULL.  Ranges need not be disjoint (a unit's ranges may
 * nest in a bigger one's order): from the last range that starts at or
 * below addr, a few steps back are looked at too. */
static inline const void *
gct_addr_range_find(const void *v, size_t n, size_t size, uint64_t addr)
{
    const char *base = v;
    size_t lo = 0, hi = n;
    while (lo < hi) { /* the first range that starts above addr */
        size_t mid = lo + (hi - lo) / 2;
        if (((const struct gct_addr_range *)(base + mid * size))->lo <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo, steps = 0; i > 0 && steps < 8; i--, steps++) {
        const struct gct_addr_range *r =
            (const void *)(base + (i - 1) * size);
        if (addr < r->hi)
            return r;
    }
    return NULL;
}

#endif
