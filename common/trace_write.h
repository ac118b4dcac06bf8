/*
 * trace_write.h - writing the sqlite trace (schema.sql) for the finishing
 * step: the rows the replay writes as it goes, then the model, the
 * modules and the meta data, in one transaction of a file under a
 * temporary name that gct_finish renames into place.
 *
 * Invariants: the first error is kept in err (err[0] != '\0' once it
 * failed) and every later write is then pointless but harmless; the
 * schema's indexes are made once the rows are in, when the trace is
 * large enough to need them.
 */
#ifndef GCT_TRACE_WRITE_H
#define GCT_TRACE_WRITE_H

#include "map.h"
#include "sql_batch.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gct_model;
struct gct_finish_opts;

struct gct_trace_writer {
    sqlite3 *db;
    /* the replay's many rows, inserted GCT_SQL_BATCH at a time */
    struct gct_sql_batch events, edges, stacks, frames, stack_frames;
    sqlite3_stmt *ins_wait_case, *ins_process, *upd_process_exit;
    char *indexes; /* the schema's CREATE INDEX statements */
    /* the (thread, stack) pairs of the lock edges written, for
     * gct_tw_thread_entry: (thread, stack) -> 1 */
    struct gct_map edge_stacks;
    char *err;
    size_t errlen;
};

/* Creates the trace's file beside trace (its name into tmp, "" when none
 * was made), with the schema's tables, in an open transaction. */
bool gct_tw_open(struct gct_trace_writer *w, const char *trace, char *tmp,
                 size_t tmplen, char *err, size_t errlen);
/* Finalizes and closes what is still open, without committing. */
void gct_tw_close(struct gct_trace_writer *w);
static inline bool
gct_tw_failed(const struct gct_trace_writer *w)
{
    return w->err[0] != '\0';
}
void gct_tw_fail(struct gct_trace_writer *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Rows written during the replay; 0 for an id (n) and < 0 for a time or
 * a value (N) are written as NULL where the schema allows it.  Events,
 * lock edges, stacks and frames are inserted in batches (sql_batch.h):
 * gct_tw_flush writes what is pending, before anything reads them. */
void gct_tw_event(struct gct_trace_writer *w, int64_t ts, int64_t thread,
                  int64_t kind, int64_t object, int64_t a, int64_t b,
                  int64_t stack, const char *text);
void gct_tw_select_case(struct gct_trace_writer *w, int64_t wait,
                        int64_t object, const char *op);
void gct_tw_edge(struct gct_trace_writer *w, int64_t from, int64_t to,
                 int64_t thread, int64_t ts, int64_t from_flags,
                 int64_t to_flags, int64_t stack, int64_t from_frame,
                 const char *gates);
void gct_tw_frame(struct gct_trace_writer *w, int64_t id, uint64_t pc,
                  const char *module, const char *function,
                  const char *file, int64_t line, int64_t inlined,
                  int64_t offset);
void gct_tw_stack_frame(struct gct_trace_writer *w, int64_t stack,
                        int64_t idx, int64_t frame);
void gct_tw_stack(struct gct_trace_writer *w, int64_t stack, int64_t depth);
void gct_tw_process(struct gct_trace_writer *w, int64_t pid, int64_t ppid,
                    const char *exe, const char *argv, int64_t ts);
void gct_tw_process_exit(struct gct_trace_writer *w, int64_t ts,
                         int64_t status, int64_t pid);

void gct_tw_flush(struct gct_trace_writer *w);

/* After the replay, in this order: the model's threads, objects, waits,
 * sites and processes' ends; the names of glibc's thread entry frames;
 * the modules; the meta data; the indexes.  opts may be NULL. */
void gct_tw_model(struct gct_trace_writer *w, const struct gct_model *m,
                  const struct gct_finish_opts *opts);
void gct_tw_thread_entry(struct gct_trace_writer *w);
void gct_tw_modules(struct gct_trace_writer *w, const struct gct_model *m);
void gct_tw_meta(struct gct_trace_writer *w, const struct gct_model *m,
                 const struct gct_finish_opts *opts);
bool gct_tw_indexes(struct gct_trace_writer *w, size_t records);
/* Commits and closes the trace; false (with err) when either fails. */
bool gct_tw_commit(struct gct_trace_writer *w, const char *tmp);

#endif
