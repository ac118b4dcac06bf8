/*
 * sql_batch.h - the rows of one table gathered and inserted many at a
 * time, for the finishing step's writer (trace_write.c): one INSERT of
 * GCT_SQL_BATCH rows costs about half of what as many single-row ones do
 * (each statement's start, step and reset is paid once per batch).  The
 * rows go in in the order they were added, so a rowid table numbers them
 * as one INSERT each would.
 *
 * Invariant: nothing reads the table while rows are pending; the writer
 * flushes every batch before it reads what the replay wrote.
 */
#ifndef GCT_SQL_BATCH_H
#define GCT_SQL_BATCH_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GCT_SQL_BATCH 32

/* One value: an integer, NULL, or a text (owned, freed once bound). */
struct gct_sql_cell {
    enum { GCT_CELL_INT, GCT_CELL_NULL, GCT_CELL_TEXT } type;
    int64_t v;
    char *s;
};

struct gct_sql_batch {
    sqlite3 *db;
    char *insert_prefix;      /* "INSERT INTO t(a,b)" */
    sqlite3_stmt *one, *many; /* one row; GCT_SQL_BATCH rows (made at the
                                 first full batch) */
    int ncols, nrows;         /* nrows pending in cells */
    struct gct_sql_cell *cells;
};

/* Prepares "INSERT_PREFIX VALUES(?,...)" for one row of ncols columns;
 * false (sqlite3_errmsg tells why) when it cannot. */
bool gct_sql_batch_init(struct gct_sql_batch *b, sqlite3 *db,
                        const char *insert_prefix, int ncols);

/* Binds cells[0 .. n) to st from parameter first on, handing each text
 * to sqlite (it frees it), and sets those cells to NULL. */
void gct_sql_bind_cells(sqlite3_stmt *st, int first,
                        struct gct_sql_cell *cells, int n);

/* The cells of the next row, for the caller to fill (every one), then
 * gct_sql_batch_add. */
static inline struct gct_sql_cell *
gct_sql_batch_next(struct gct_sql_batch *b)
{
    return b->cells + (size_t)b->nrows * (size_t)b->ncols;
}

/* The row filled at gct_sql_batch_next is added; a full batch is
 * inserted.  SQLITE_OK, or the error of the insert. */
int gct_sql_batch_add(struct gct_sql_batch *b);

/* Inserts the pending rows.  SQLITE_OK, or the first error. */
int gct_sql_batch_flush(struct gct_sql_batch *b);

/* Finalizes the statements and drops the pending rows. */
void gct_sql_batch_free(struct gct_sql_batch *b);

#endif
