/*
 * inline_scopes.h - whether an address is in inlined code, found through
 * a per-unit index of the unit's functions.  dwarf_getscopes scans the
 * whole compile unit's top level for each address (dear in a large unit,
 * libpython's ceval.c: docs/bench-shim.md, "Figures behind the code"); symbolize.c asks it only for addresses that this
 * index finds inside an inlined call.
 *
 * The chain found here by descending from the function is addr2line's;
 * dwarf_getscopes's differs (it gives the innermost inlined call's
 * abstract scopes rather than its callers, and for some nested inlined
 * calls none), and the traces keep dwarf_getscopes's chain for now.
 */
#ifndef GCT_INLINE_SCOPES_H
#define GCT_INLINE_SCOPES_H

#include <elfutils/libdw.h>

struct gct_inline_index;

/* The DW_TAG_inlined_subroutine DIEs of compile unit cu that hold addr
 * (a DWARF address of cu's module), innermost first, into out (up to
 * max); their count, or -1 when the index cannot tell (the unit imports
 * partial units, or no function of its top level holds addr): the caller
 * then asks dwarf_getscopes.  *ix is the module's index, made here at
 * the first call (NULL before). */
int gct_inlined_at(struct gct_inline_index **ix, Dwarf_Die *cu,
                   Dwarf_Addr addr, Dwarf_Die *out, int max);

void gct_inline_index_free(struct gct_inline_index *ix);

#endif
