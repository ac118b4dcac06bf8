/*
 * test_sql_batch.c - batched inserts (common/sql_batch.c): rows go in in
 * the order they were added, whole batches and the rest alike, so that a
 * rowid table numbers them as one INSERT per row would; integers, NULLs
 * and texts come out as they went in; rows still pending when the batch
 * is freed are dropped, not inserted; an insert that fails says so.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "map.h"
#include "sql_batch.h"

#include <stdio.h>
#include <string.h>

static sqlite3 *
open_db(void)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(id INTEGER PRIMARY "
                                      "KEY, n INTEGER, s TEXT)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    return db;
}

/* Row i: n = i * 7, or NULL for every fifth; s = "row i", or NULL for
 * every third. */
static void
add_row(struct gct_sql_batch *b, int i)
{
    struct gct_sql_cell *c = gct_sql_batch_next(b);
    char s[32];
    snprintf(s, sizeof s, "row %d", i);
    c[0] = (struct gct_sql_cell){i % 5 ? GCT_CELL_INT : GCT_CELL_NULL,
                                 (int64_t)i * 7, NULL};
    c[1] = (struct gct_sql_cell){i % 3 ? GCT_CELL_TEXT : GCT_CELL_NULL, 0,
                                 i % 3 ? gct_xstrdup(s) : NULL};
    assert_int_equal(gct_sql_batch_add(b), SQLITE_OK);
}

/* Rows 0 .. n-1 are in t, by rowid 1 .. n, as add_row made them. */
static void
check_rows(sqlite3 *db, int n)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT id, n, s FROM t ORDER "
                                            "BY id", -1, &st, NULL),
                     SQLITE_OK);
    int i = 0;
    for (; sqlite3_step(st) == SQLITE_ROW; i++) {
        char s[32];
        snprintf(s, sizeof s, "row %d", i);
        assert_int_equal(sqlite3_column_int64(st, 0), i + 1);
        if (i % 5)
            assert_int_equal(sqlite3_column_int64(st, 1), (int64_t)i * 7);
        else
            assert_int_equal(sqlite3_column_type(st, 1), SQLITE_NULL);
        if (i % 3)
            assert_string_equal((const char *)sqlite3_column_text(st, 2), s);
        else
            assert_int_equal(sqlite3_column_type(st, 2), SQLITE_NULL);
    }
    sqlite3_finalize(st);
    assert_int_equal(i, n);
}

/* Fewer rows than a batch, exactly one, one more, and several with a
 * rest: all in, in order, once flushed. */
static void
test_order(void **state)
{
    (void)state;
    const int counts[] = {0, 1, GCT_SQL_BATCH - 1, GCT_SQL_BATCH,
                          GCT_SQL_BATCH + 1, 3 * GCT_SQL_BATCH + 5};
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
        sqlite3 *db = open_db();
        struct gct_sql_batch b;
        assert_true(gct_sql_batch_init(&b, db, "INSERT INTO t(n, s)", 2));
        for (int i = 0; i < counts[k]; i++)
            add_row(&b, i);
        /* whole batches are in before the flush */
        sqlite3_stmt *st = NULL;
        sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &st, NULL);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0),
                         counts[k] / GCT_SQL_BATCH * GCT_SQL_BATCH);
        sqlite3_finalize(st);
        assert_int_equal(gct_sql_batch_flush(&b), SQLITE_OK);
        check_rows(db, counts[k]);
        /* a second flush has nothing to add */
        assert_int_equal(gct_sql_batch_flush(&b), SQLITE_OK);
        check_rows(db, counts[k]);
        gct_sql_batch_free(&b);
        sqlite3_close(db);
    }
}

/* Pending rows are dropped by gct_sql_batch_free (their texts freed:
 * ASan's leak check sees it). */
static void
test_free_pending(void **state)
{
    (void)state;
    sqlite3 *db = open_db();
    struct gct_sql_batch b;
    assert_true(gct_sql_batch_init(&b, db, "INSERT INTO t(n, s)", 2));
    for (int i = 0; i < GCT_SQL_BATCH + 3; i++)
        add_row(&b, i);
    gct_sql_batch_free(&b);
    check_rows(db, GCT_SQL_BATCH);
    sqlite3_close(db);
}

/* A table that is not there: init fails; a constraint that fails: the
 * insert's error is returned. */
static void
test_errors(void **state)
{
    (void)state;
    sqlite3 *db = open_db();
    struct gct_sql_batch b;
    assert_false(gct_sql_batch_init(&b, db, "INSERT INTO nope(n, s)", 2));
    gct_sql_batch_free(&b);
    assert_true(gct_sql_batch_init(&b, db, "INSERT INTO t(id, n)", 2));
    for (int i = 0; i < 2; i++) {
        struct gct_sql_cell *c = gct_sql_batch_next(&b);
        c[0] = (struct gct_sql_cell){GCT_CELL_INT, 1, NULL}; /* twice */
        c[1] = (struct gct_sql_cell){GCT_CELL_INT, i, NULL};
        assert_int_equal(gct_sql_batch_add(&b), SQLITE_OK);
    }
    assert_int_equal(gct_sql_batch_flush(&b), SQLITE_CONSTRAINT);
    gct_sql_batch_free(&b);
    sqlite3_close(db);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_free_pending),
        cmocka_unit_test(test_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
