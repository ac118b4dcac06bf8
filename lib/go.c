/*
 * go.c - goroutines: detached POSIX threads with small stacks.
 *
 * There is no scheduler: each goroutine is one detached pthread whose stack
 * is small (64 KiB by default) so that ten thousand fit at once.  The caller
 * allocates a start record (function, argument, name copy); the new thread
 * owns it from then on and frees it when the function returns.
 *
 * No locks: the default stack size, the live count and the id counter are
 * single atomics, and everything else is owned by one thread at a time.
 */
#include "go_impl.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_STACK_SIZE ((size_t)64 * 1024)

/* The start record, handed from goc_go* to the new thread. */
struct go_start {
    goc_fn fn;
    void *arg;
    goc_waitgroup *wg; /* done when fn returns; NULL: none */
    uint64_t id;
    bool named;
    char name[]; /* copy of the name when named */
};

static _Atomic size_t default_stack = DEFAULT_STACK_SIZE;
static _Atomic size_t live;      /* goroutines started and not yet returned */
static _Atomic uint64_t last_id; /* ids are 1, 2, ... in order of start */

/* The running goroutine's name (points into its start record), or NULL. */
static _Thread_local const char *cur_name;

/* Rounds a stack size up to PTHREAD_STACK_MIN and to the page size,
 * saturating instead of wrapping (pthread_create then refuses the size). */
static size_t
round_stack(size_t bytes)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t min = (size_t)PTHREAD_STACK_MIN;

    if (bytes < min)
        bytes = min;
    if (bytes > SIZE_MAX - (page - 1))
        return SIZE_MAX & ~(page - 1);
    return (bytes + page - 1) & ~(page - 1);
}

size_t
goc_set_stack_size(size_t bytes)
{
    /* 0 restores the built-in default, as 0 means "the default" in
     * goc_go_attr; rounding it up to PTHREAD_STACK_MIN would instead give
     * a stack too small for most code. */
    size_t v = bytes == 0 ? DEFAULT_STACK_SIZE : round_stack(bytes);

    return atomic_exchange(&default_stack, v);
}

size_t
goc_count(void)
{
    size_t n = atomic_load(&live);

    GOC_HB_AFTER(&live); /* a caller that sees it drop sees what ended */
    return n;
}

const char *
goc_name(void)
{
    return cur_name;
}

/* Runs when fn returns, or when the goroutine leaves by pthread_exit (Go's
 * runtime.Goexit also runs deferred calls).  Everything libgoc allocated
 * for the goroutine is freed before it leaves goc_count() and before its
 * WaitGroup hears of it, so a caller that sees either can check for leaks. */
static void
finish(void *p)
{
    struct go_start *gs = p;
    goc_waitgroup *wg = gs->wg;

    GOC_HOOK(GCT_EV_GO_EXIT, NULL, gs->id, 0, NULL);
    cur_name = NULL;
    goc__free(gs);
    GOC_HB_BEFORE(&live);
    atomic_fetch_sub(&live, 1);
    if (wg != NULL)
        goc_wg_done(wg);
}

/* Named as libgoc's internals are (goc__), so that reports leave it out,
 * and as an entry (goc__entry_): it calls the program's code, so the
 * program's frames are inside it, not outside. */
static void *
goc__entry_trampoline(void *p)
{
    struct go_start *gs = p;

    if (gs->named) {
        /* The kernel keeps 15 bytes and a NUL; goc_name() has it all. */
        char comm[16];

        strncpy(comm, gs->name, sizeof comm - 1);
        comm[sizeof comm - 1] = '\0';
        pthread_setname_np(pthread_self(), comm);
        cur_name = gs->name;
    }
    /* b: the WaitGroup whose Done the goroutine owes (goc_wg_go), so that
     * gctrace knows whom a Wait on it waits for. */
    GOC_HOOK(GCT_EV_GO_START, NULL, gs->id, (intptr_t)gs->wg,
             gs->named ? gs->name : NULL);
    pthread_cleanup_push(finish, gs);
    gs->fn(gs->arg);
    pthread_cleanup_pop(1);
    return NULL;
}

static int
map_create_error(int err)
{
    switch (err) {
    case ENOMEM:
        return GOC_ENOMEM;
    case EINVAL:
        return GOC_EINVAL;
    default: /* EAGAIN: out of threads, memory for stacks, or map areas */
        return GOC_ESYSTEM;
    }
}

int
goc__go_start(const goc_go_attr *attr, goc_waitgroup *wg, goc_fn fn,
              void *arg)
{
    const char *name = attr != NULL ? attr->name : NULL;
    size_t stack, namelen = name != NULL ? strlen(name) + 1 : 0;
    struct go_start *gs;
    pthread_attr_t pa;
    pthread_t thread;
    int err;

    if (fn == NULL)
        return GOC_EINVAL;
    if (attr != NULL && attr->stack_size != 0)
        stack = round_stack(attr->stack_size);
    else
        stack = atomic_load_explicit(&default_stack, memory_order_relaxed);

    gs = goc__malloc(sizeof *gs + namelen);
    if (gs == NULL)
        return GOC_ENOMEM;
    gs->fn = fn;
    gs->arg = arg;
    gs->wg = wg;
    gs->named = name != NULL;
    if (name != NULL)
        memcpy(gs->name, name, namelen);
    gs->id = atomic_fetch_add_explicit(&last_id, 1, memory_order_relaxed) + 1;

    err = pthread_attr_init(&pa);
    if (err != 0)
        goto fail_free;
    err = pthread_attr_setdetachstate(&pa, PTHREAD_CREATE_DETACHED);
    if (err == 0)
        err = pthread_attr_setstacksize(&pa, stack);
    if (err != 0)
        goto fail_attr;
    /* Count before the thread exists, so that its own decrement can never
     * come first and goc_count() never dips below the truth. */
    atomic_fetch_add(&live, 1);
    err = pthread_create(&thread, &pa, goc__entry_trampoline, gs);
    if (err != 0) {
        atomic_fetch_sub(&live, 1);
        goto fail_attr;
    }
    pthread_attr_destroy(&pa);
    return 0;

fail_attr:
    pthread_attr_destroy(&pa);
fail_free:
    goc__free(gs);
    return map_create_error(err);
}

int
goc_go_attr_start(const goc_go_attr *attr, goc_fn fn, void *arg)
{
    return goc__go_start(attr, NULL, fn, arg);
}

int
goc_go(goc_fn fn, void *arg)
{
    return goc__go_start(NULL, NULL, fn, arg);
}

int
goc_go_named(const char *name, goc_fn fn, void *arg)
{
    goc_go_attr attr = {.name = name, .stack_size = 0};

    return goc__go_start(&attr, NULL, fn, arg);
}
