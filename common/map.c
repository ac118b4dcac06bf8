/*
 * map.c - see map.h.
 */
#include "map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t
slot_of(uint64_t k1, uint64_t k2, size_t cap)
{
    uint64_t h = k1 * 0x9e3779b97f4a7c15ull ^ (k2 + 0x632be59bd9b4e019ull);
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 29;
    return (size_t)h & (cap - 1);
}

uint64_t
gct_map_get(const struct gct_map *m, uint64_t k1, uint64_t k2, uint64_t def)
{
    if (m->cap == 0)
        return def;
    for (size_t i = slot_of(k1, k2, m->cap);; i = (i + 1) & (m->cap - 1)) {
        const struct gct_map_slot *s = &m->slots[i];
        if (!s->used)
            return def;
        if (s->k1 == k1 && s->k2 == k2)
            return s->val;
    }
}

static void
grow(struct gct_map *m)
{
    struct gct_map old = *m;
    m->cap = old.cap ? old.cap * 2 : 64;
    m->len = 0;
    m->slots = gct_xcalloc(m->cap, sizeof *m->slots);
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].used)
            gct_map_put(m, old.slots[i].k1, old.slots[i].k2,
                        old.slots[i].val);
    free(old.slots);
}

void
gct_map_put(struct gct_map *m, uint64_t k1, uint64_t k2, uint64_t val)
{
    if ((m->len + 1) * 2 > m->cap)
        grow(m);
    for (size_t i = slot_of(k1, k2, m->cap);; i = (i + 1) & (m->cap - 1)) {
        struct gct_map_slot *s = &m->slots[i];
        if (!s->used) {
            *s = (struct gct_map_slot){k1, k2, val, true};
            m->len++;
            return;
        }
        if (s->k1 == k1 && s->k2 == k2) {
            s->val = val;
            return;
        }
    }
}

void
gct_map_free(struct gct_map *m)
{
    free(m->slots);
    memset(m, 0, sizeof *m);
}

static void *
check(void *p)
{
    if (p == NULL) {
        fputs("gctrace: out of memory\n", stderr);
        exit(2);
    }
    return p;
}

void *
gct_xmalloc(size_t n)
{
    return check(malloc(n ? n : 1));
}

void *
gct_xcalloc(size_t n, size_t size)
{
    return check(calloc(n ? n : 1, size ? size : 1));
}

void *
gct_xrealloc(void *p, size_t n)
{
    return check(realloc(p, n ? n : 1));
}

char *
gct_xstrdup(const char *s)
{
    return check(strdup(s ? s : ""));
}
