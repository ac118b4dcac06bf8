/*
 * goc_impl.h - libgoc's private interface, shared by the files of lib/ only.
 *
 * Internal names are goc__name and hidden from the shared library's symbol
 * table (GOC_HIDDEN); file-local helpers are static.
 *
 * Why libgoc locks its own internals with futexes instead of pthread
 * mutexes: gctrace's shim interposes pthread_mutex_*, and a channel's
 * internal lock showing up in a user's lock-order graph would be noise.
 * Channel, WaitGroup and context events reach the tracer through hooks
 * (GOC_HOOK) instead.  C11 atomics with acquire/release order keep these
 * locks visible to ThreadSanitizer.
 */
#ifndef GOC_IMPL_H
#define GOC_IMPL_H

#include "goc.h"
#include "../common/event.h"

#include <stdio.h>
#include <stdlib.h>

#define GOC_HIDDEN __attribute__((visibility("hidden")))

#define GOC_LIKELY(x) __builtin_expect(!!(x), 1)
#define GOC_UNLIKELY(x) __builtin_expect(!!(x), 0)

/*
 * Happens-before annotations for Helgrind, compiled in only by the
 * -DGOC_HELGRIND build (make test-helgrind); elsewhere they are nothing.
 *
 * Helgrind models pthread calls, not C11 atomics or futexes, so without
 * them it sees no order between a thread that publishes data with a
 * releasing store (or RMW, or a store then a futex wake) and one that
 * observes it with an acquiring load: every later read of the data looks
 * like a race.  GOC_HB_BEFORE(&word) goes just before the releasing
 * operation on word, GOC_HB_AFTER(&word) just after an acquiring one that
 * saw its value; Helgrind then orders everything the first thread did
 * before with everything the second does after.
 *
 * The word itself is an atomic, which by C11 cannot race, but Helgrind
 * takes a release store for a plain write (an RMW for a read) and would
 * flag it against the load that observes it: GOC_HB_BEFORE also takes the
 * word out of race checking.  The data it publishes stays checked.
 * GOC_HB_ATOMIC(&word) does only that, for atomics that publish nothing
 * (flags, counters) but are stored while other threads read them.
 * GOC_HB_FORGET(&word) drops the edges recorded on a word whose object
 * ends, so that a later object at the same address does not inherit them.
 */
#ifdef GOC_HELGRIND
#include <valgrind/helgrind.h>
#define GOC_HB_ATOMIC(addr)                                                 \
    VALGRIND_HG_DISABLE_CHECKING((addr), sizeof *(addr))
#define GOC_HB_BEFORE(addr)                                                 \
    do {                                                                    \
        GOC_HB_ATOMIC(addr);                                                \
        ANNOTATE_HAPPENS_BEFORE(addr);                                      \
    } while (0)
#define GOC_HB_AFTER(addr) ANNOTATE_HAPPENS_AFTER(addr)
#define GOC_HB_FORGET(addr) ANNOTATE_HAPPENS_BEFORE_FORGET_ALL(addr)
#else
#define GOC_HB_ATOMIC(addr) ((void)0)
#define GOC_HB_BEFORE(addr) ((void)0)
#define GOC_HB_AFTER(addr) ((void)0)
#define GOC_HB_FORGET(addr) ((void)0)
#endif

/* An assertion that survives NDEBUG: for invariants whose failure would
 * corrupt state.  Prints and aborts. */
#define goc__assert(x)                                                      \
    do {                                                                    \
        if (GOC_UNLIKELY(!(x)))                                             \
            goc__assert_fail(#x, __FILE__, __LINE__);                       \
    } while (0)
GOC_HIDDEN _Noreturn void goc__assert_fail(const char *expr, const char *file,
                                           int line);

/* ---------------------------------------------------------------------
 * Allocation, with failure injection for out-of-memory tests: when
 * goc__alloc_fail_countdown is n > 0, the n-th allocation from now fails
 * (and the countdown stops).  Tests link the static library to reach it.
 * ------------------------------------------------------------------- */
GOC_HIDDEN extern _Atomic long goc__alloc_fail_countdown;
GOC_HIDDEN void *goc__malloc(size_t n);
GOC_HIDDEN void *goc__calloc(size_t count, size_t n);
/* align: a power of two, a multiple of sizeof(void *); goc__free frees. */
GOC_HIDDEN void *goc__malloc_aligned(size_t align, size_t n);
GOC_HIDDEN void goc__free(void *p);
GOC_HIDDEN char *goc__strdup(const char *s); /* NULL in, NULL out */

/* ---------------------------------------------------------------------
 * Futex primitives (lib/futex.c)
 * ------------------------------------------------------------------- */

/* Blocks while *addr == expected, until woken or the deadline (absolute
 * CLOCK_MONOTONIC).  Returns 0 (woken, value changed or spurious) or
 * GOC_ETIMEDOUT.  Callers re-check their condition in a loop. */
GOC_HIDDEN int goc__futex_wait(_Atomic uint32_t *addr, uint32_t expected,
                               goc_time deadline);
/* Wakes up to n waiters on addr (INT32_MAX: all). */
GOC_HIDDEN void goc__futex_wake(_Atomic uint32_t *addr, int n);

/* A small mutex on a futex word (Drepper's "mutex3"): 0 unlocked,
 * 1 locked, 2 locked with waiters.  Not recursive.  Zero is unlocked. */
typedef struct goc__lock {
    _Atomic uint32_t state;
} goc__lock;
#define GOC__LOCK_INIT { 0 }
GOC_HIDDEN void goc__lock_acquire(goc__lock *l);
GOC_HIDDEN void goc__lock_release(goc__lock *l);

/* A one-shot parking spot for a blocked thread: the waker sets word to 1
 * and wakes; the sleeper waits while it is 0. */
typedef struct goc__parker {
    _Atomic uint32_t word;
} goc__parker;
GOC_HIDDEN void goc__parker_init(goc__parker *p);
/* Returns 0 once unparked, GOC_ETIMEDOUT if the deadline came first (the
 * caller must then resolve the race with the waker under its own lock). */
GOC_HIDDEN int goc__park(goc__parker *p, goc_time deadline);
GOC_HIDDEN void goc__unpark(goc__parker *p);

/* A fast thread-local pseudo-random number (xorshift), for select's
 * fairness.  Not for anything else. */
GOC_HIDDEN uint32_t goc__rand(void);

/* ---------------------------------------------------------------------
 * Channels, for timers and contexts (lib/chan.c)
 * ------------------------------------------------------------------- */

/* Reference counting: goc_chan_make returns a channel with one reference
 * (the caller's); goc_chan_free drops it.  The library takes extra
 * references for channels it sends to later (timers). */
GOC_HIDDEN void goc__chan_ref(goc_chan *ch);
GOC_HIDDEN void goc__chan_unref(goc_chan *ch);

/* Called by goc_chan_free when the user's reference goes: a hook an owner
 * (goc_after's timer) installs to cancel work on the channel's behalf.
 * Runs at most once, without the channel lock.  NULL: none. */
GOC_HIDDEN void goc__chan_set_on_free(goc_chan *ch, void (*fn)(void *),
                                      void *arg);

/* ---------------------------------------------------------------------
 * The timer service (lib/timer.c): one library thread runs callbacks at
 * their time.  It exists only while a timer is pending.
 * ------------------------------------------------------------------- */

typedef struct goc__timer goc__timer;
/* fn(arg) runs on the timer thread at `when` (absolute); it must be short
 * and never block.  Returns NULL on allocation failure. */
GOC_HIDDEN goc__timer *goc__timer_start(goc_time when, void (*fn)(void *),
                                        void *arg);
/* Cancels a pending timer and frees it.  Returns true when the callback
 * will not run; false when it has run or is running (then this call waits
 * for it to finish, unless called from the callback itself).  t NULL:
 * returns false. */
GOC_HIDDEN bool goc__timer_cancel(goc__timer *t);
/* Timers whose callback has run must still be released with this. */
GOC_HIDDEN void goc__timer_release(goc__timer *t);

/* ---------------------------------------------------------------------
 * Tracer hooks (lib/hooks.c).  Compiled in only by the instrumented build
 * (-DGOC_TRACE); in the plain build GOC_HOOK expands to nothing.
 * ------------------------------------------------------------------- */

#ifdef GOC_TRACE
GOC_HIDDEN gctrace_hook_fn goc__hook(void);
#define GOC_HOOK(kind, obj, a, b, str)                                      \
    do {                                                                    \
        gctrace_hook_fn h_ = goc__hook();                                   \
        if (h_)                                                             \
            h_((kind), (obj), (int64_t)(a), (int64_t)(b), (str));           \
    } while (0)
#else
#define GOC_HOOK(kind, obj, a, b, str) ((void)0)
#endif

/* The recorder's hook in either build, NULL when it is not loaded: for
 * events so rare that the plain build reports them too (a lock's
 * self-deadlock, sync.c).  Not for hot paths: the plain build looks the
 * hook up on each call. */
GOC_HIDDEN gctrace_hook_fn goc__hook_cold(void);

/* A misuse: reported to the tracer; the caller returns its error code. */
#define GOC_MISUSE(subkind, obj, detail)                                    \
    GOC_HOOK(GCT_EV_MISUSE, (obj), (subkind), (detail), NULL)

/* The calling thread's entry in the registry of waits that gctrace attach
 * reads (lib/registry.c, common/goc_registry.h): set as a wait is about
 * to sleep, cleared when it ends; in both builds. */
GOC_HIDDEN void goc__registry_wait(int reason, const void *obj,
                                   goc_time deadline);
GOC_HIDDEN void goc__registry_done(void);

/* Blocking brackets, so the tracer sees who waits on what since when,
 * and so does the registry.  A wait with a deadline says so
 * (GOC_WAIT_UNTIL): the deadlock watchdog does not count a wait that will
 * end by itself. */
#define GOC_WAIT_BEGIN(reason, obj) GOC_WAIT_UNTIL(reason, obj, GOC_FOREVER)
#define GOC_WAIT_UNTIL(reason, obj, deadline)                               \
    do {                                                                    \
        goc__registry_wait((reason), (obj), (deadline));                    \
        GOC_HOOK(GCT_EV_WAIT_BEGIN, obj, reason, deadline, NULL);           \
    } while (0)
#define GOC_WAIT_END(obj, result)                                           \
    do {                                                                    \
        goc__registry_done();                                               \
        GOC_HOOK(GCT_EV_WAIT_END, obj, result, 0, NULL);                    \
    } while (0)

#endif /* GOC_IMPL_H */
