/*
 * sql_batch.c - batched inserts for the trace writer (sql_batch.h).
 */
#include "sql_batch.h"

#include "map.h"

#include <stdlib.h>
#include <string.h>

/* "INSERT_PREFIX VALUES(?,?),(?,?)": rows rows of ncols columns. */
static sqlite3_stmt *
prepare_rows(sqlite3 *db, const char *insert_prefix, int ncols, int rows)
{
    size_t len = strlen(insert_prefix) + 8 + (size_t)rows * (2 * ncols + 2);
    char *sql = gct_xmalloc(len), *p = sql;
    p += strlen(strcpy(p, insert_prefix));
    p += strlen(strcpy(p, " VALUES"));
    for (int r = 0; r < rows; r++) {
        if (r)
            *p++ = ',';
        *p++ = '(';
        for (int c = 0; c < ncols; c++) {
            if (c)
                *p++ = ',';
            *p++ = '?';
        }
        *p++ = ')';
    }
    *p = '\0';
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        st = NULL;
    free(sql);
    return st;
}

bool
gct_sql_batch_init(struct gct_sql_batch *b, sqlite3 *db,
                   const char *insert_prefix, int ncols)
{
    memset(b, 0, sizeof *b);
    b->db = db;
    b->ncols = ncols;
    b->insert_prefix = gct_xstrdup(insert_prefix);
    b->one = prepare_rows(db, insert_prefix, ncols, 1);
    b->cells = gct_xcalloc((size_t)GCT_SQL_BATCH * (size_t)ncols,
                           sizeof *b->cells);
    return b->one != NULL;
}

void
gct_sql_bind_cells(sqlite3_stmt *st, int first, struct gct_sql_cell *cells,
                   int n)
{
    for (int i = 0; i < n; i++) {
        struct gct_sql_cell *c = &cells[i];
        if (c->type == GCT_CELL_TEXT && c->s)
            sqlite3_bind_text(st, first + i, c->s, -1, free);
        else if (c->type == GCT_CELL_INT)
            sqlite3_bind_int64(st, first + i, c->v);
        else
            sqlite3_bind_null(st, first + i);
        c->type = GCT_CELL_NULL;
        c->s = NULL;
    }
}

/* Binds rows rows of pending cells from row from on to st, and steps. */
static int
insert(struct gct_sql_batch *b, sqlite3_stmt *st, int from, int rows)
{
    gct_sql_bind_cells(st, 1, b->cells + (size_t)from * (size_t)b->ncols,
                       rows * b->ncols);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int
gct_sql_batch_add(struct gct_sql_batch *b)
{
    if (++b->nrows < GCT_SQL_BATCH)
        return SQLITE_OK;
    /* Made at the first full batch: compiling it costs a short process's
     * trace, whose tables stay below a batch, a tenth of a millisecond
     * per table. */
    if (b->many == NULL)
        b->many = prepare_rows(b->db, b->insert_prefix, b->ncols,
                               GCT_SQL_BATCH);
    if (b->many == NULL)
        return gct_sql_batch_flush(b); /* row by row, then */
    b->nrows = 0;
    return insert(b, b->many, 0, GCT_SQL_BATCH);
}

int
gct_sql_batch_flush(struct gct_sql_batch *b)
{
    int rc = SQLITE_OK;
    for (int r = 0; r < b->nrows; r++) {
        int one = insert(b, b->one, r, 1);
        if (rc == SQLITE_OK)
            rc = one;
    }
    b->nrows = 0;
    return rc;
}

void
gct_sql_batch_free(struct gct_sql_batch *b)
{
    size_t n = b->cells ? (size_t)GCT_SQL_BATCH * (size_t)b->ncols : 0;
    for (size_t i = 0; i < n; i++)
        free(b->cells[i].s);
    free(b->cells);
    free(b->insert_prefix);
    sqlite3_finalize(b->one);
    sqlite3_finalize(b->many);
    memset(b, 0, sizeof *b);
}
