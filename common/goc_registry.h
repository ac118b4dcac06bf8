/*
 * goc_registry.h - libgoc's waits, discoverable from outside the process.
 *
 * libgoc parks its threads on futexes of its own, which say nothing of a
 * channel or a WaitGroup to a reader outside the process (gctrace
 * attach, gctrace core).  So libgoc keeps, on purpose, a list of its
 * threads and what each waits on, under a symbol that stays in stripped
 * programs and libraries (exported: in the dynamic symbol table of
 * libgoc.so, and in a program's own symbol table when it links
 * libgoc.a).  A thread writes its entry when a wait is about to sleep and
 * clears it when the wait ends: only waits that block pay, a store or
 * three, and the first of a thread adds its entry to the list once.
 *
 * The reader finds the symbol, checks magic, version and entry size, and
 * follows `next` from `head`.  Entries are never freed: a thread's ends
 * with it (tid 0) and a later thread takes it again, so a list read while
 * the process runs on never leads into freed memory.  This layout is an
 * interface between libgoc and gctrace of different builds: fields are
 * only ever added at the end, with a new version.
 */
#ifndef GOC_REGISTRY_H
#define GOC_REGISTRY_H

#include <stdatomic.h>
#include <stdint.h>

#define GOC_REGISTRY_SYMBOL "goc_registry"
#define GOC_REGISTRY_MAGIC 0x3167657223636f67ull /* "goc#reg1" */
#define GOC_REGISTRY_VERSION 1

struct goc_registry_entry {
    struct goc_registry_entry *next; /* set before the entry is listed */
    _Atomic int32_t tid;    /* the thread that owns the entry; 0: free */
    _Atomic int32_t reason; /* a gct_wait (common/event.h); 0: no wait */
    uint64_t obj;           /* the channel, WaitGroup, ... waited on */
    int64_t deadline;       /* CLOCK_MONOTONIC ns; INT64_MAX: none */
};

struct goc_registry {
    uint64_t magic;
    uint32_t version;
    uint32_t entry_size; /* sizeof(struct goc_registry_entry) */
    struct goc_registry_entry *_Atomic head;
};

#endif
