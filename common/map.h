/*
 * map.h - a small open-addressing hash map from a pair of 64-bit keys to a
 * 64-bit value, for the finisher and the analyses (addresses per process,
 * thread ids per process).  Grows by doubling; aborts on out-of-memory
 * (the gctrace command, not the shim, uses it).
 */
#ifndef GCT_MAP_H
#define GCT_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gct_map_slot {
    uint64_t k1, k2, val;
    bool used;
};

struct gct_map {
    struct gct_map_slot *slots;
    size_t cap, len;
};

/* The value for (k1, k2), or def when absent. */
uint64_t gct_map_get(const struct gct_map *m, uint64_t k1, uint64_t k2,
                     uint64_t def);
void gct_map_put(struct gct_map *m, uint64_t k1, uint64_t k2, uint64_t val);
void gct_map_free(struct gct_map *m);

/* Allocation that ends the gctrace command with a message when memory is
 * exhausted (never used in the shim). */
void *gct_xmalloc(size_t n);
void *gct_xcalloc(size_t n, size_t size);
void *gct_xrealloc(void *p, size_t n);
char *gct_xstrdup(const char *s);

/* Appends to a growable array: GCT_PUSH(arr, len, cap, value). */
#define GCT_PUSH(arr, len, cap, value)                                     \
    do {                                                                   \
        if ((len) == (cap)) {                                              \
            (cap) = (cap) ? (cap) * 2 : 64;                                \
            (arr) = gct_xrealloc((arr), (cap) * sizeof *(arr));            \
        }                                                                  \
        (arr)[(len)++] = (value);                                          \
    } while (0)

#endif
