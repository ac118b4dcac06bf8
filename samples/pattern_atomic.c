/*
 * pattern_atomic.c - C11 <stdatomic.h> is the answer to Go's sync/atomic.
 *
 * Go idioms mirrored:
 *
 *     var counter atomic.Int64
 *     for i := 0; i < 1000; i++ {
 *         go func() { counter.Add(1) }()      // instead of counter++ (a race)
 *     }
 *
 *     // compare-and-swap loop, e.g. a running maximum
 *     for old := max.Load(); v > old && !max.CompareAndSwap(old, v);
 *         old = max.Load() {
 *     }
 *
 *     // a flag that exactly one goroutine can claim
 *     var claimed atomic.Bool
 *     if claimed.CompareAndSwap(false, true) {
 *         // this goroutine won
 *     }
 *
 * libgoc has no atomics of its own: atomic_long, atomic_fetch_add,
 * atomic_compare_exchange_weak/strong, atomic_load/atomic_store are the
 * same operations, with the same (sequentially consistent) default
 * ordering as Go's.
 *
 * What to look at: the counter ends at exactly GOROUTINES * ADDS; a plain
 * `long` incremented the same way would lose updates (and is a data race,
 * which ThreadSanitizer reports).
 */
#include <goc.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

enum { GOROUTINES = 8, ADDS = 10000 };

static atomic_long counter;     /* counter.Add(1) */
static atomic_long max_seen;    /* the largest value any Add returned */

static atomic_bool claimed;     /* claimed.CompareAndSwap(false, true) */
static atomic_int winners;

static void
check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", what, goc_strerror(rc));
        exit(1);
    }
}

static void
adder(void *arg)
{
    (void)arg;
    for (int i = 0; i < ADDS; i++) {
        /* fetch_add returns the old value; Go's Add returns the new one. */
        long now = atomic_fetch_add(&counter, 1) + 1;
        long old = atomic_load(&max_seen);

        /* CAS loop: on failure `old` is reloaded with the current value. */
        while (now > old &&
               !atomic_compare_exchange_weak(&max_seen, &old, now))
            ;
    }
}

static void
claimer(void *arg)
{
    bool expected = false;

    (void)arg;
    /* Only one CAS from false to true can succeed; every other one finds
     * true and fails.  The strong form never fails spuriously, which is
     * what a one-shot (not looped) CAS needs. */
    if (atomic_compare_exchange_strong(&claimed, &expected, true))
        atomic_fetch_add(&winners, 1);
}

int
main(void)
{
    goc_waitgroup wg = GOC_WAITGROUP_INIT;

    /* 1. A shared counter and a CAS maximum. */
    for (int i = 0; i < GOROUTINES; i++)
        check(goc_wg_go(&wg, adder, NULL), "start adder");
    goc_wg_wait(&wg);
    printf("counter = %ld (expected %d)\n", atomic_load(&counter),
           GOROUTINES * ADDS);
    printf("largest value returned by an add = %ld\n",
           atomic_load(&max_seen));

    /* 2. A flag claimed by exactly one goroutine. */
    for (int i = 0; i < GOROUTINES; i++)
        check(goc_wg_go(&wg, claimer, NULL), "start claimer");
    goc_wg_wait(&wg);
    printf("%d goroutines raced to claim the flag: %d won\n", GOROUTINES,
           atomic_load(&winners));

    return atomic_load(&counter) == GOROUTINES * ADDS &&
                   atomic_load(&winners) == 1 ? 0 : 1;
}
