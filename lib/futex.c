/*
 * futex.c - the waiting primitives under every libgoc object: futex
 * wait/wake with absolute monotonic deadlines, a three-state futex mutex
 * and a one-shot parker.  See goc_impl.h for why libgoc does not use
 * pthread mutexes internally.
 */
#include "goc_impl.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* ThreadSanitizer holds an asynchronous signal back until the thread next
 * calls a function it intercepts, and the futex system call is not one: a
 * thread waiting forever would never run a signal context's handler.  In
 * TSan builds waits are cut into slices (callers treat the end of a slice
 * as a spurious wake-up and wait again). */
#if defined(__SANITIZE_THREAD__)
#define GOC_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GOC_TSAN 1
#endif
#endif

int
goc__futex_wait(_Atomic uint32_t *addr, uint32_t expected, goc_time deadline)
{
    struct timespec ts, *tsp = NULL;

#ifdef GOC_TSAN
    goc_time slice = goc_deadline_after(50 * GOC_MILLISECOND);
    if (deadline > slice) {
        ts.tv_sec = slice / GOC_SECOND;
        ts.tv_nsec = slice % GOC_SECOND;
        syscall(SYS_futex, (uint32_t *)addr,
                FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, expected, &ts, NULL,
                FUTEX_BITSET_MATCH_ANY);
        return 0;
    }
#endif

    if (deadline != GOC_FOREVER) {
        if (deadline <= goc_now())
            return GOC_ETIMEDOUT;
        ts.tv_sec = deadline / GOC_SECOND;
        ts.tv_nsec = deadline % GOC_SECOND;
        tsp = &ts;
    }
    /* FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC timeout, which is
     * exactly our deadline, so there is no drift from re-computing a
     * relative one after each spurious wake-up. */
    long r = syscall(SYS_futex, (uint32_t *)addr,
                     FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, expected, tsp,
                     NULL, FUTEX_BITSET_MATCH_ANY);
    if (r == -1 && errno == ETIMEDOUT)
        return GOC_ETIMEDOUT;
    return 0;
}

void
goc__futex_wake(_Atomic uint32_t *addr, int n)
{
    syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, n,
            NULL, NULL, 0);
}

void
goc__lock_acquire(goc__lock *l)
{
    uint32_t c = 0;

    if (atomic_compare_exchange_strong_explicit(&l->state, &c, 1,
                                                memory_order_acquire,
                                                memory_order_relaxed)) {
        GOC_HB_AFTER(&l->state); /* the last holder's critical section */
        return;
    }
    /* A short spin pays off for the tiny critical sections of channels. */
    for (int i = 0; i < 100; i++) {
        c = 0;
        if (atomic_load_explicit(&l->state, memory_order_relaxed) == 0 &&
            atomic_compare_exchange_weak_explicit(&l->state, &c, 1,
                                                  memory_order_acquire,
                                                  memory_order_relaxed)) {
            GOC_HB_AFTER(&l->state);
            return;
        }
        __builtin_ia32_pause();
    }
    if (c != 2)
        c = atomic_exchange_explicit(&l->state, 2, memory_order_acquire);
    while (c != 0) {
        goc__futex_wait(&l->state, 2, GOC_FOREVER);
        c = atomic_exchange_explicit(&l->state, 2, memory_order_acquire);
    }
    GOC_HB_AFTER(&l->state);
}

void
goc__lock_release(goc__lock *l)
{
    GOC_HB_BEFORE(&l->state); /* the critical section, for the next holder */
    if (atomic_exchange_explicit(&l->state, 0, memory_order_release) == 2)
        goc__futex_wake(&l->state, 1);
}

void
goc__parker_init(goc__parker *p)
{
    atomic_store_explicit(&p->word, 0, memory_order_relaxed);
}

int
goc__park(goc__parker *p, goc_time deadline)
{
    for (;;) {
        if (atomic_load_explicit(&p->word, memory_order_acquire) != 0) {
            GOC_HB_AFTER(&p->word); /* what the unparker did first */
            return 0;
        }
        if (goc__futex_wait(&p->word, 0, deadline) == GOC_ETIMEDOUT) {
            int r = atomic_load_explicit(&p->word, memory_order_acquire)
                        ? 0
                        : GOC_ETIMEDOUT;
            if (r == 0)
                GOC_HB_AFTER(&p->word);
            return r;
        }
    }
}

void
goc__unpark(goc__parker *p)
{
    GOC_HB_BEFORE(&p->word);
    atomic_store_explicit(&p->word, 1, memory_order_release);
    goc__futex_wake(&p->word, 1);
}

uint32_t
goc__rand(void)
{
    static _Thread_local uint32_t state;

    if (state == 0)
        state = (uint32_t)(goc_now() ^ (uintptr_t)&state) | 1;
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}
