/*
 * bench_util.h - what every benchmark program in bench/ needs: a
 * monotonic clock in nanoseconds and a check that stops the program on
 * a failed call, so that a fast but broken run is never reported.
 * Header-only: bench/run.sh also builds the programs one by one, with
 * TSan or for Helgrind, from their single source file.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <errno.h> /* program_invocation_short_name (the build defines _GNU_SOURCE) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline int64_t
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Exits 1 with "PROGRAM: WHAT" on stderr. */
static inline void
die(const char *what)
{
    fprintf(stderr, "%s: %s\n", program_invocation_short_name, what);
    exit(1);
}

/* err: a pthread-style result (0 or an errno value); exits 1 with "PROGRAM:
 * WHAT: reason" when it is not 0. */
static inline void
check(int err, const char *what)
{
    if (err != 0) {
        fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name,
                what, strerror(err));
        exit(1);
    }
}

#endif
