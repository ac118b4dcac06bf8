/*
 * options.h - GCTRACE_OPTIONS, sanitizer style: "key=value:key=value".
 *
 * Parsed by the shim at start-up (no allocation: it may run before malloc
 * is usable by us) and by `gctrace run`, which adds its own keys.  The keys
 * and their defaults are documented in docs/options.md.
 */
#ifndef GCT_OPTIONS_H
#define GCT_OPTIONS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct gct_options {
    char out[PATH_MAX];          /* trace path; "" = gctrace.<pid>.db */
    char suppressions[PATH_MAX]; /* suppressions file; "" = none */
    int record;                  /* gct_record_mode */
    int exitcode;                /* exit status when something was found */
    bool report;                 /* sanitizer-style report at exit */
    bool finish;                 /* finish the trace at exit (gctrace run
                                    clears it: it finishes the trace) */
    long watchdog_ms;            /* deadlock watchdog delay; 0 = off */
    bool abort_on_deadlock;      /* watchdog: abort instead of hanging */
    long exit_grace_ms;          /* at exit, how long running threads may
                                    take to block or end */
    long wait_threshold_us;      /* lock and condvar waits that end
                                    sooner are counted per lock and call
                                    path, not written one by one */
    long long_waits_per_site;    /* of a thread's longer ones at one lock
                                    and call path, how many are written;
                                    later ones are counted; 0: all */
    long max_size_mb;            /* raw log limit; events beyond it drop */
    int verbosity;               /* 0 quiet, 1 notes, 2 debug */
    bool record_argv;            /* the command line goes in the trace */
    /* What is the program's own and what a system library's (the
     * analyses; docs/options.md): comma-separated fnmatch patterns of
     * module paths, and whether system libraries' findings fail too. */
    char own_modules[1024];
    char system_modules[1024];
    bool fail_system;
    /* Helgrind's "dubious" check, opt-in: a condvar signalled or
     * broadcast by a thread that does not hold the mutex its waiters
     * wait with. */
    bool check_signal_mutex;
    /* The shim may take and release an uncontended default mutex in
     * place, as glibc's own fast path does (preload/mutex_fast.c); 0
     * keeps to glibc's calls. */
    bool mutex_fast;
};

/* Fills defaults. */
void gct_options_default(struct gct_options *o);

/*
 * Parses text (may be NULL) over o.  For each problem (unknown key, bad
 * value) calls warn(ctx, message) once, where message is a complete
 * sentence without a newline; parsing goes on with the next key.  Returns
 * the number of problems.  Never allocates.
 */
int gct_options_parse(struct gct_options *o, const char *text,
                      void (*warn)(void *ctx, const char *msg), void *ctx);

#endif
