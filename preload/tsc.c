/*
 * tsc.c - clock times derived from the CPU's time-stamp counter: the end
 * times of short waits, and record=all's lock records.
 *
 * A wait on a mutex or a condvar ends inside the program's critical
 * section: the thread holds the lock again.  Reading CLOCK_MONOTONIC
 * there (kvm-clock through the vDSO: an ordered rdtsc plus the
 * hypervisor's clock page) made the other thread wait for the lock
 * longer, markedly so in bench/cond_bench (docs/bench-shim.md, "Figures behind the code").  So a wait remembers the counter next to its begin time, and
 * its end is begin + ticks x (ns per tick) when the wait was short.
 * record=all's compact records count likewise from the thread's last
 * clock reading while it is under 1 ms old (log.c).
 *
 * ns per tick is measured, not read from anywhere: the first pair of
 * (CLOCK_MONOTONIC, counter) readings is kept (take_origin), and once a
 * later pair (a wait's begin, or a record=all record that reads the
 * clock) is taken 10 ms or more after it, the ratio over that span
 * becomes the scale (and is measured again, over a longer span, every
 * 100 ms).  Reading the counter and deriving a time are inline (shim.h):
 * they are on the lock path.
 * Until then, for waits longer than 1 ms, and where the counter is not
 * invariant (CPUID 0x80000007 EDX bit 8) or went backwards (another CPU
 * whose counter disagrees), the end is read from the clock.  The error of
 * a derived end is the scale's times at most 1 ms: a few ppm from the
 * measurement, plus however much NTP is slewing CLOCK_MONOTONIC (at
 * most 500 ppm, so 0.5 us at worst).
 */
#include "shim.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static bool
invariant_tsc(void)
{
    unsigned a, b, c, d;

    return __get_cpuid(0x80000007, &a, &b, &c, &d) && (d & (1u << 8));
}
#else
/* Elsewhere every wait end reads the clock. */
static bool invariant_tsc(void) { return false; }
#endif

#define CALIBRATE_AFTER_NS 10000000 /* first scale after 10 ms */
#define RECALIBRATE_NS 100000000    /* then every 100 ms */

static bool usable;                   /* invariant counter */
static int64_t origin_ns;             /* the first pair */
static uint64_t origin_tsc;
static _Atomic int origin_state;      /* 0 none, 1 being taken, 2 taken */
_Atomic uint64_t gct_tsc_scale;       /* shim.h */
static _Atomic int64_t calibrated_ns; /* when scale was last measured */

/* The first pair, and the check of the counter, at the first clock
 * reading that wants a pair rather than at start-up: under
 * virtualisation CPUID exits to the hypervisor, twice about 7 us, which
 * a process that never waits (a shell, most tools a test suite runs)
 * need not pay.  One thread takes it; another meanwhile goes on without
 * a scale, as every thread does for the first 10 ms (a child forked
 * meanwhile takes it again: gct_tsc_after_fork). */
static void
take_origin(int64_t ns, uint64_t tsc)
{
    int none = 0;
    if (!atomic_compare_exchange_strong(&origin_state, &none, 1))
        return;
    usable = invariant_tsc();
    origin_ns = ns;
    origin_tsc = tsc;
    atomic_store_explicit(&origin_state, 2, memory_order_release);
}

void
gct_tsc_after_fork(void)
{
    int taking = 1;
    atomic_compare_exchange_strong(&origin_state, &taking, 0);
}

uint64_t
gct_tsc_pair(int64_t ns)
{
    uint64_t tsc = gct_tsc_read();

    if (atomic_load_explicit(&origin_state, memory_order_acquire) != 2) {
        take_origin(ns, tsc);
        return tsc;
    }
    if (!usable || tsc <= origin_tsc || ns - origin_ns < CALIBRATE_AFTER_NS)
        return tsc;
    if (ns - atomic_load_explicit(&calibrated_ns, memory_order_relaxed) <
        RECALIBRATE_NS)
        return tsc;
    double per_tick = (double)(ns - origin_ns) / (double)(tsc - origin_tsc);
    if (per_tick > 0 && per_tick < 16) {
        atomic_store_explicit(&gct_tsc_scale,
                              (uint64_t)(per_tick * 4294967296.0),
                              memory_order_relaxed);
        atomic_store_explicit(&calibrated_ns, ns, memory_order_relaxed);
    }
    return tsc;
}
