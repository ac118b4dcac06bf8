/*
 * phase_time.c - the finishing step's phase timings (phase_time.h): one
 * clock shared by the runner and the finishing step in one process.
 */
#include "phase_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int64_t
gct_phase_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int
gct_phase_on(void)
{
    static int on = -1;
    if (on < 0) {
        const char *e = getenv("GCTRACE_TIMINGS");
        on = e && *e && *e != '0';
    }
    return on;
}

void
gct_phase(const char *name)
{
    static int64_t last;
    if (!gct_phase_on())
        return;
    int64_t now = gct_phase_now_ns();
    if (last && name)
        fprintf(stderr, "gctrace: timing: %-16s %8.2f ms\n", name,
                (double)(now - last) / 1e6);
    last = now;
}

void
gct_phase_total(const char *name, int64_t ns, int64_t count)
{
    if (gct_phase_on())
        fprintf(stderr, "gctrace: timing:   %-14s %8.2f ms (%lld)\n", name,
                (double)ns / 1e6, (long long)count);
}
