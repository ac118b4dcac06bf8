/*
 * snapshot.h - a target read from outside (target.h), written as a raw
 * log, so that the finishing step and the analyses make of it an
 * ordinary trace: its process, its threads, what each is blocked on and
 * who holds it.
 */
#ifndef GCT_SNAPSHOT_H
#define GCT_SNAPSHOT_H

#include "target.h"

#include <stdbool.h>
#include <stdio.h>

struct gct_snapshot_opts {
    int state;          /* the raw log's gct_log_state */
    /* NULL, or the raw log the shim writes in the process: its records
     * (the history) come first, and the snapshot adds only threads it
     * does not describe */
    const char *history;
    FILE *threads_out;  /* NULL, or where to print a line per thread */
};

/* Target t as a raw log in memory: a malloc'd image of *size bytes, for
 * gct_finish_log (no file is made).  NULL with a message in err. */
void *gct_snapshot_take(struct gct_target *t,
                        const struct gct_snapshot_opts *o, size_t *size,
                        char *err, size_t errlen);

/* Whether the target runs the C library gctrace runs (the same build
 * id), so that the layout measured here is its. */
bool gct_snapshot_same_libc(struct gct_target *t);

#endif
