/*
 * intercept_mem.c - memory that goes away: munmap, dlclose and free.
 *
 * A lock is known by its address.  When the memory that held it is
 * unmapped, or the library whose static lock it was is unloaded, a new
 * lock may later sit at the same address without any init call (a
 * zero-filled mapping, another library's static PTHREAD_MUTEX_INITIALIZER
 * loaded in the same place).  Taken for the old lock, it closed false
 * lock-order cycles with the old one's edges.  The same holds for a
 * block returned by free() and allocated again: a C++ std::mutex, whose
 * constructor and destructor make no call, or a zero-filled mutex.  So
 * these calls record the range that went away (GCT_EV_MEM_GONE), and
 * the finishing step ends every object in it, as a destroy ends one
 * lock.
 *
 * The range's record carries the time taken before the real call: a
 * lock made at the same address by another thread right after the
 * memory went away must come after the end, not before it.
 */
#include "shim.h"

#include <dlfcn.h>
#include <link.h>
#include <string.h>

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
    if (r == 0)
        gct_memory_gone(t, ts, (uintptr_t)addr, len, false);
    return r;
}

/* ------------------------------------------------------------ free */

/*
 * free() runs for every deallocation of the program, of libc and of the
 * dynamic loader (both call the interposed one), from before the
 * recorder starts.  So it resolves the next free itself, on first use
 * (a call made by dlsym itself meanwhile cannot be passed on: its block
 * is left allocated), and it looks into a block only when the next free
 * is glibc's: a block's extent is then read from glibc's chunk header,
 * the size word before it (its low 3 bits are flags), and the block
 * lies within the chunk's size less that word.  Another allocator's
 * blocks (a sanitizer's, jemalloc preloaded after us) are not followed.
 * Until the first lock is seen, and for a block none of whose 64-byte
 * lines ever held one, the check is a few loads (gct_no_lock_lines),
 * a small part of a malloc and free (docs/bench-shim.md, "Figures behind the code").
 *
 * As free runs from the dynamic loader's start on, before a sanitizer's
 * runtime has set itself up when the shim is built with one (make
 * test-asan-shim), its path up to the next free is not instrumented.
 * What follows a block that held a lock runs only once locks were seen,
 * long after.
 */
#define UNINSTRUMENTED __attribute__((no_sanitize("address", "undefined")))

static void (*_Atomic next_free)(void *);
static _Atomic bool glibc_free; /* next_free is glibc's; set before it */
static __thread int resolving_free __attribute__((tls_model("initial-exec")));

/* The bytes from p to the end of its glibc chunk: the chunk's size
 * less its header, two words for a chunk of its own mapping (flag 2),
 * one otherwise (the next chunk's first word is this one's).  glibc's
 * free reads the same word first. */
UNINSTRUMENTED static inline size_t
glibc_block_size(const void *p)
{
    size_t head = ((const size_t *)p)[-1];
    return (head & ~(size_t)7) - (head & 2 ? 2 : 1) * sizeof(size_t);
}

/* Blocks larger than this are not looked into: a size this large in a
 * chunk header is a damaged heap, which glibc's free reports. */
#define FREE_CHECK_MAX ((size_t)1 << 32)

UNINSTRUMENTED static void (*resolve_free(void))(void *)
{
    if (resolving_free)
        return NULL;
    resolving_free = 1;
    void (*f)(void *) = (void (*)(void *))dlsym(RTLD_NEXT, "free");
    Dl_info info;
    atomic_store_explicit(&glibc_free,
                          f && dladdr((void *)f, &info) && info.dli_fname &&
                              strstr(info.dli_fname, "/libc.so"),
                          memory_order_relaxed);
    atomic_store_explicit(&next_free, f, memory_order_release);
    resolving_free = 0;
    return f;
}

/* The block [p, p+n) held a lock: freed, and recorded as gone. */
static __attribute__((noinline, cold)) void
free_holding(void (*f)(void *), void *p, size_t n, uintptr_t site)
{
    struct gct_thread *t = gct_in_shim(site) ? NULL : gct_self();
    if (t == NULL) {
        f(p);
        return;
    }
    int e = errno;
    int64_t ts = gct_now();
    errno = e;
    f(p);
    gct_memory_gone(t, ts, (uintptr_t)p, n, false);
}

GCT_EXPORT UNINSTRUMENTED void
free(void *p)
{
    void (*f)(void *) = atomic_load_explicit(&next_free,
                                             memory_order_acquire);
    if (GCT_UNLIKELY(f == NULL) && (f = resolve_free()) == NULL)
        return;
    if (p != NULL &&
        atomic_load_explicit(&glibc_free, memory_order_relaxed) &&
        atomic_load_explicit(&gct_any_lock_seen, memory_order_relaxed)) {
        size_t n = glibc_block_size(p);
        if (GCT_UNLIKELY(n > 0 && n <= FREE_CHECK_MAX &&
                         !gct_no_lock_lines((uintptr_t)p, n) &&
                         gct_locks_held_in((uintptr_t)p, n))) {
            free_holding(f, p, n, SITE());
            return;
        }
    }
    f(p);
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
    uintptr_t lo, hi;

    (void)size;
    if (!gct_module_span(info, &lo, &hi))
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
    struct gct_enter en = gct_enter(t);
    dl_iterate_phdr(span_cb, &s);
    int64_t ts = gct_now();
    gct_leave(&en);
    int r = gct_real.dlclose(handle);
    if (r == 0) {
        en = gct_enter(t);
        s.after = true;
        dl_iterate_phdr(span_cb, &s);
        modules_gone(t, ts, &s);
        gct_leave(&en);
    }
    return r;
}
