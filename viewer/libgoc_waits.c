/*
 * libgoc_waits.c - libgoc's registry of waits read from a target
 * (libgoc_waits.h).  The registry is found by its symbol in whichever
 * module has it (libgoc.so, or the program that linked libgoc.a), and
 * checked (magic, version, entry size) before anything in it is
 * believed; the list is followed for at most a bounded number of
 * entries, so that a damaged one cannot loop.
 */
#include "libgoc_waits.h"

#include "goc_registry.h"

#include <string.h>

#define MAX_ENTRIES (1 << 20)

struct find {
    uint64_t addr;
};

static int
find_cb(Dwfl_Module *mod, void **user, const char *name, Dwarf_Addr start,
        void *arg)
{
    struct find *fd = arg;
    (void)user;
    (void)name;
    (void)start;
    int n = dwfl_module_getsymtab(mod);
    for (int i = 0; i < n; i++) {
        GElf_Sym sym;
        GElf_Addr addr;
        const char *s = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL,
                                                NULL, NULL);
        if (s && GELF_ST_TYPE(sym.st_info) == STT_OBJECT &&
            sym.st_shndx != SHN_UNDEF && strcmp(s, GOC_REGISTRY_SYMBOL) == 0) {
            fd->addr = addr;
            return DWARF_CB_ABORT;
        }
    }
    return DWARF_CB_OK;
}

size_t
gct_libgoc_waits(struct gct_target *t, struct gct_goc_wait *out)
{
    struct find fd = {0};
    struct goc_registry reg;
    size_t listed = 0;

    memset(out, 0, t->nthreads * sizeof *out);
    if (t->dwfl == NULL)
        return 0;
    dwfl_getmodules(t->dwfl, find_cb, &fd, 0);
    if (fd.addr == 0 || t->read(t, fd.addr, &reg, sizeof reg) != 0 ||
        reg.magic != GOC_REGISTRY_MAGIC || reg.version < 1 ||
        reg.entry_size < sizeof(struct goc_registry_entry))
        return 0;
    uint64_t at = (uint64_t)(uintptr_t)reg.head;
    for (int k = 0; at != 0 && k < MAX_ENTRIES; k++) {
        struct goc_registry_entry e;
        if (t->read(t, at, &e, sizeof e) != 0)
            break;
        if (e.tid > 0 && e.reason > 0)
            for (size_t i = 0; i < t->nthreads; i++)
                if (t->threads[i].tid == e.tid) {
                    out[i] = (struct gct_goc_wait){e.reason, e.obj,
                                                   e.deadline};
                    listed++;
                }
        at = (uint64_t)(uintptr_t)e.next;
    }
    return listed;
}
