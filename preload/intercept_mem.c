/*
 * intercept_mem.c - memory that goes away: munmap and dlclose.
 *
 * A lock is known by its address.  When the memory that held it is
 * unmapped, or the library whose static lock it was is unloaded, a new
 * lock may later sit at the same address without any init call (a
 * zero-filled mapping, another library's static PTHREAD_MUTEX_INITIALIZER
 * loaded in the same place).  Taken for the old lock, it closed false
 * lock-order cycles with the old one's edges.  So both calls record the
 * range that went away (GCT_EV_MEM_GONE), and the finishing step ends
 * every object in it, as a destroy ends one lock.
 *
 * The range's record carries the time taken before the real call: a
 * lock made at the same address by another thread right after the
 * memory went away must come after the end, not before it.
 *
 * free() is not interposed: every deallocation of every program would
 * pay for a check, the dynamic loader's and libc's own included, from
 * before the real free can be resolved.  docs/trace-format.md says what
 * that leaves.
 */
#include "shim.h"

#include <link.h>

GCT_EXPORT int
munmap(void *addr, size_t len)
{
    RESOLVED(munmap);
    /* The shim's own windows of the log never hold a program's lock, and
     * recording while one is being unmapped would write into it. */
    if (gct_in_shim(SITE()) || !gct_locks_maybe_in((uintptr_t)addr, len))
        return gct_real.munmap(addr, len);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.munmap(addr, len);
    int e = errno;
    int64_t ts = gct_now();
    errno = e;
    int r = gct_real.munmap(addr, len);
    if (r == 0) {
        e = errno;
        gct_memory_gone(t, ts, (uintptr_t)addr, len, false);
        errno = e;
    }
    return r;
}

/* ------------------------------------------------------------ dlclose */

/* The loaded modules' address spans, on the caller's stack (dlclose may
 * run in several threads at once), and which of them are still loaded
 * after the call.  Modules past MAX_SPANS are not followed: their locks
 * keep their identity, as before. */
#define MAX_SPANS 256

struct spans {
    uintptr_t lo[MAX_SPANS], hi[MAX_SPANS];
    uint64_t kept[MAX_SPANS / 64];
    int n;
    bool after; /* the second pass: mark, do not add */
};

static int
span_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    struct spans *s = data;
    uintptr_t lo = UINTPTR_MAX, hi = 0;

    (void)size;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        if (start < lo)
            lo = start;
        if (start + ph->p_memsz > hi)
            hi = start + ph->p_memsz;
    }
    if (hi == 0)
        return 0;
    if (s->after) {
        for (int i = 0; i < s->n; i++)
            if (s->lo[i] == lo && s->hi[i] == hi)
                s->kept[i / 64] |= 1ull << (i % 64);
    } else if (s->n < MAX_SPANS) {
        s->lo[s->n] = lo;
        s->hi[s->n++] = hi;
    }
    return 0;
}

/* Records the spans no longer loaded: the modules that dlclose unloaded
 * (the library and dependencies only it needed). */
static void
modules_gone(struct gct_thread *t, int64_t ts, const struct spans *s)
{
    for (int i = 0; i < s->n; i++)
        if (!(s->kept[i / 64] >> (i % 64) & 1))
            gct_memory_gone(t, ts, s->lo[i], s->hi[i] - s->lo[i], true);
}

GCT_EXPORT int
dlclose(void *handle)
{
    RESOLVED(dlclose);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.dlclose(handle);
    struct spans s = {.n = 0};
    int e = errno;
    t->guard++;
    dl_iterate_phdr(span_cb, &s);
    int64_t ts = gct_now();
    t->guard--;
    errno = e;
    int r = gct_real.dlclose(handle);
    if (r == 0) {
        e = errno;
        t->guard++;
        s.after = true;
        dl_iterate_phdr(span_cb, &s);
        t->guard--;
        modules_gone(t, ts, &s);
        errno = e;
    }
    return r;
}
