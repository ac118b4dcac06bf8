/*
 * phase_time.h - the finishing step's own phase timings, for finding
 * where a run's time goes: with GCTRACE_TIMINGS set in the environment,
 * each gct_phase() prints the wall time since the one before it, and
 * gct_phase_total() the time accumulated under a name across calls
 * (symbolising, which happens inside the replay), on standard error.
 * Unset, each call is one getenv and a branch.
 */
#ifndef GCT_PHASE_TIME_H
#define GCT_PHASE_TIME_H

#include <stdint.h>

/* The monotonic clock, ns. */
int64_t gct_phase_now_ns(void);

/* Whether GCTRACE_TIMINGS asks for the timings. */
int gct_phase_on(void);

/* Ends the phase called name (and starts the next); NULL starts the
 * first.  A phase with no start before it is not printed. */
void gct_phase(const char *name);

/* A time accumulated apart, printed as part of the phase it fell in. */
void gct_phase_total(const char *name, int64_t ns, int64_t count);

#endif
