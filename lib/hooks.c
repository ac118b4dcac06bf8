/*
 * hooks.c - the instrumented build's link to the recorder.
 *
 * The shim (libgctrace.so) exports GCTRACE_HOOK_SYMBOL.  We look it up once
 * with dlsym(RTLD_DEFAULT) rather than through a weak reference, because a
 * weak undefined symbol in a statically linked libgoc binds to nothing at
 * link time and would never see the preloaded shim.  When the shim is not
 * loaded, every hook is one predictable branch.
 *
 * Without the preload, a program that asks for a trace (GCTRACE_OUT set)
 * still gets libgoc's events: the shim is loaded here with dlopen
 * (GCTRACE_LIB, or libgctrace.so from the library path).  Loaded this late
 * it cannot interpose pthread functions, so such a trace has libgoc's
 * channels, contexts, goroutines and waits, not the program's own pthread
 * locks; `gctrace run` and LD_PRELOAD give both.
 *
 * goc__hook_cold() is the hook in both builds, for the one event the
 * plain build reports as well (a lock's self-deadlock, sync.c).
 */
#include "goc_impl.h"

#ifdef GOC_TRACE
#include <dlfcn.h>

static _Atomic(gctrace_hook_fn) hook;
static _Atomic int resolved;

gctrace_hook_fn
goc__hook(void)
{
    if (GOC_LIKELY(atomic_load_explicit(&resolved, memory_order_acquire))) {
        GOC_HB_AFTER(&resolved);
        return atomic_load_explicit(&hook, memory_order_relaxed);
    }
    /* Racing first callers all compute the same answer: no lock needed. */
    gctrace_hook_fn fn;
    *(void **)&fn = dlsym(RTLD_DEFAULT, GCTRACE_HOOK_SYMBOL);
    /* secure_getenv: a setuid program must not load a library that its
     * caller names. */
    const char *out = secure_getenv("GCTRACE_OUT");
    if (fn == NULL && out != NULL && *out != '\0') {
        const char *lib = secure_getenv("GCTRACE_LIB");
        void *h = dlopen(lib && *lib ? lib : "libgctrace.so",
                         RTLD_NOW | RTLD_GLOBAL);
        if (h)
            *(void **)&fn = dlsym(h, GCTRACE_HOOK_SYMBOL);
    }
    GOC_HB_ATOMIC(&hook); /* racing first callers store the same value */
    atomic_store_explicit(&hook, fn, memory_order_relaxed);
    GOC_HB_BEFORE(&resolved);
    atomic_store_explicit(&resolved, 1, memory_order_release);
    return fn;
}

gctrace_hook_fn
goc__hook_cold(void)
{
    return goc__hook();
}
#else
#include <dlfcn.h>

/* The plain build has no hooks on its hot paths.  A lock that deadlocks
 * on its own holder is the one exception (sync.c): glibc answers EDEADLK
 * instead of blocking, so the recorder's interposed pthread call sees the
 * wait end, and only libgoc can say that the thread now waits for good.
 * This runs once per such deadlock, so it looks the hook up each time. */
gctrace_hook_fn
goc__hook_cold(void)
{
    gctrace_hook_fn fn;

    *(void **)&fn = dlsym(RTLD_DEFAULT, GCTRACE_HOOK_SYMBOL);
    return fn;
}
#endif
