/*
 * inline_scopes.c - see inline_scopes.h.
 *
 * Each compile unit met is indexed once: the address ranges of the
 * outermost DIEs that have code (functions, looked for through
 * namespaces and classes), sorted.  An address then finds its function
 * by binary search, and the chain of inlined calls by descending from
 * it into the child that holds the address, level by level, as
 * dwarf_getscopes does below the top level.
 */
#include "inline_scopes.h"

#include "addr_range.h"

#include <dwarf.h>
#include <stdbool.h>
#include <stdlib.h>

/* One address range of a DIE with code. */
struct code_range {
    struct gct_addr_range r;
    Dwarf_Die die;
};

struct unit {
    Dwarf_Off off; /* the unit DIE's offset */
    bool imports;  /* it imports partial units: dwarf_getscopes's case */
    struct code_range *v;
    size_t n, cap;
};

struct gct_inline_index {
    struct unit *units;
    size_t n, cap;
};

static bool
has_code(Dwarf_Die *die)
{
    return dwarf_hasattr(die, DW_AT_low_pc) || dwarf_hasattr(die, DW_AT_ranges);
}

static void
add_ranges(struct unit *u, Dwarf_Die *die)
{
    Dwarf_Addr base, lo, hi;
    ptrdiff_t it = 0;
    while ((it = dwarf_ranges(die, it, &base, &lo, &hi)) > 0) {
        if (hi <= lo)
            continue;
        if (u->n == u->cap) {
            size_t cap = u->cap ? u->cap * 2 : 64;
            struct code_range *v = realloc(u->v, cap * sizeof *v);
            if (v == NULL)
                return;
            u->v = v;
            u->cap = cap;
        }
        u->v[u->n++] = (struct code_range){{lo, hi}, *die};
    }
}

/* The outermost DIEs with code under parent, into u. */
static void
collect(struct unit *u, Dwarf_Die *parent, int depth)
{
    Dwarf_Die child;
    if (depth > 16 || dwarf_child(parent, &child) != 0)
        return;
    do {
        int tag = dwarf_tag(&child);
        if (tag == DW_TAG_imported_unit)
            u->imports = true;
        if (has_code(&child))
            add_ranges(u, &child);
        else if (tag == DW_TAG_namespace || tag == DW_TAG_class_type ||
                 tag == DW_TAG_structure_type || tag == DW_TAG_union_type ||
                 tag == DW_TAG_module)
            collect(u, &child, depth + 1);
    } while (dwarf_siblingof(&child, &child) == 0);
}

/* The index of unit cu, made at its first use; NULL without memory. */
static struct unit *
unit_of(struct gct_inline_index *ix, Dwarf_Die *cu)
{
    Dwarf_Off off = dwarf_dieoffset(cu);
    for (size_t i = 0; i < ix->n; i++)
        if (ix->units[i].off == off)
            return &ix->units[i];
    if (ix->n == ix->cap) {
        size_t cap = ix->cap ? ix->cap * 2 : 16;
        struct unit *v = realloc(ix->units, cap * sizeof *v);
        if (v == NULL)
            return NULL;
        ix->units = v;
        ix->cap = cap;
    }
    struct unit *u = &ix->units[ix->n++];
    *u = (struct unit){.off = off};
    collect(u, cu, 0);
    if (u->n > 1)
        qsort(u->v, u->n, sizeof *u->v, gct_addr_range_cmp);
    return u;
}

/* The outermost DIE with code that holds addr, into *die. */
static bool
outermost(const struct unit *u, Dwarf_Addr addr, Dwarf_Die *die)
{
    /* Functions do not overlap; the steps back cover odd ranges. */
    const struct code_range *c =
        gct_addr_range_find(u->v, u->n, sizeof *u->v, addr);
    if (c == NULL)
        return false;
    *die = c->die;
    return true;
}

int
gct_inlined_at(struct gct_inline_index **ixp, Dwarf_Die *cu,
               Dwarf_Addr addr, Dwarf_Die *out, int max)
{
    if (*ixp == NULL && (*ixp = calloc(1, sizeof **ixp)) == NULL)
        return -1;
    struct unit *u = unit_of(*ixp, cu);
    Dwarf_Die cur;
    if (u == NULL || u->imports || !outermost(u, addr, &cur))
        return -1;
    /* Down from the function: the child that holds addr, each level;
     * the inlined calls on the way, outermost first. */
    Dwarf_Die chain[64];
    int n = 0;
    for (int depth = 0; depth < 256; depth++) {
        Dwarf_Die child;
        bool found = false;
        if (dwarf_child(&cur, &child) != 0)
            break;
        do
            found = has_code(&child) && dwarf_haspc(&child, addr) > 0;
        while (!found && dwarf_siblingof(&child, &child) == 0);
        if (!found)
            break;
        if (dwarf_tag(&child) == DW_TAG_inlined_subroutine && n < 64)
            chain[n++] = child;
        cur = child;
    }
    int k = 0;
    for (int i = n - 1; i >= 0 && k < max; i--)
        out[k++] = chain[i];
    return k;
}

void
gct_inline_index_free(struct gct_inline_index *ix)
{
    if (ix == NULL)
        return;
    for (size_t i = 0; i < ix->n; i++)
        free(ix->units[i].v);
    free(ix->units);
    free(ix);
}
