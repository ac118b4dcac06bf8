/*
 * trace.h - finishing a raw log into a sqlite trace, and opening traces
 * for reading.  Shared by every gctrace command.
 */
#ifndef GCT_TRACE_H
#define GCT_TRACE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GCT_FORMAT_VERSION 4

struct gct_finish_opts {
    int exit_status;  /* >= 0: the program's exit status, known outside */
    int term_signal;  /* > 0: the signal that killed it */
    bool keep_raw;    /* gct_finish: leave TRACE.raw in place (a writer
                         is still running) */
    bool snapshot;    /* the run goes on past the log's end (a live
                         process): what is open at the end is not left
                         over, so the trace is marked incomplete (meta
                         complete = 0) and the end-of-run analyses skip
                         it */
    int64_t end_mono_ns; /* > 0: CLOCK_MONOTONIC when the program was seen
                            to end, outside (the runner's waitpid) */
    /* Called with the new trace before its one transaction commits, so
     * that what it adds (the findings) costs no second commit; nonzero
     * fails the finish.  NULL: nothing to add. */
    int (*before_commit)(sqlite3 *db, void *arg);
    void *arg;
};

/*
 * Turns TRACE.raw into the sqlite trace TRACE (written to a temporary file
 * and renamed into place, so a reader never sees half a trace).  Returns 0,
 * or -1 with a one-line message in err.
 */
int gct_finish(const char *trace, const struct gct_finish_opts *opts,
               char *err, size_t errlen);

/*
 * The same for a raw log read from fd, or, when fd < 0, held in memory
 * (size bytes at log): the trace TRACE is made as gct_finish makes it,
 * and the raw log is left alone (keep_raw does not apply).  opts may be
 * NULL.  Returns 0, or -1 with a one-line message in err.
 */
int gct_finish_log(const char *trace, int fd, const void *log, size_t size,
                   const struct gct_finish_opts *opts, char *err,
                   size_t errlen);

/* Whether TRACE.raw exists and what state its writer is in. */
enum gct_raw_state {
    GCT_RAW_NONE = 0,   /* no raw log */
    GCT_RAW_LIVE = 1,   /* a process is still writing it */
    GCT_RAW_DONE = 2,   /* nobody writes it any more: finish it */
};
enum gct_raw_state gct_raw_state(const char *trace);

/* Whether the watchdog reported a deadlock, and so may have written a
 * snapshot at TRACE, in the run that writes TRACE.raw; true also when the
 * raw log cannot be read, for the caller to look. */
bool gct_raw_watchdog_spoke(const char *trace);

/*
 * Opens a trace for reading, finishing it first when the recorder left a
 * raw log (a killed run), or taking a snapshot of a live one.  Refuses
 * what is not a gctrace trace or is of a newer format, with a one-line
 * message.  Never modifies a finished trace.  Returns the database or NULL.
 */
sqlite3 *gct_trace_open(const char *trace, char *err, size_t errlen);

/* Opens the sqlite trace TRACE as it is, leaving any raw log beside it
 * alone (the finishing step reads the snapshot it is about to replace),
 * with the same checks.  Returns the database or NULL. */
sqlite3 *gct_trace_open_as_is(const char *trace, char *err, size_t errlen);

#endif
