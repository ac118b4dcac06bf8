/*
 * vocab.h - the trace's vocabulary tables (event_kinds, wait_reasons,
 * object_kinds, misuse_kinds in common/schema.sql), written from
 * common/event.h's tables, so that SQL asks the trace what a number means
 * ("a lock wait", "a proc_exit event") rather than spelling it.
 */
#ifndef GCT_VOCAB_H
#define GCT_VOCAB_H

#include <sqlite3.h>

/* SQL for an event kind's or a wait reason's value, by its name in the
 * trace: what a query compares kinds and reasons with, in place of a
 * number. */
#define GCT_EV_KIND_SQL(name) \
    "(SELECT kind FROM event_kinds WHERE name = '" name "')"
#define GCT_WAIT_REASON_SQL(name) \
    "(SELECT reason FROM wait_reasons WHERE name = '" name "')"

/* Fills the vocabulary tables of db, a trace being written (inside its
 * transaction).  Returns SQLITE_OK, or the first error's code (its
 * message is sqlite3_errmsg(db)'s). */
int gct_vocab_write(sqlite3 *db);

#endif
