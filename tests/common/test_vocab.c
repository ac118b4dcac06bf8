/*
 * test_vocab.c - the vocabulary of common/event.h and the trace's tables
 * made from it (common/vocab.c): every value has a name, names are unique
 * within their table, a wait reason's properties agree with each other,
 * and what gct_vocab_write puts in a trace is what the functions say.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "event.h"
#include "schema.h"
#include "vocab.h"

#include <string.h>

/* One table's values and names, as its X-macro lists them. */
struct entry {
    int64_t value;
    const char *name;
};

#define X3(name, value, text) {value, text},
#define X5(name, value, text, obj, meaning) {value, text},
#define X6(name, value, text, props, obj, mode) {value, text},
static const struct entry event_kinds[] = {GCT_EVENT_KINDS(X3)};
static const struct entry obj_kinds[] = {GCT_OBJ_KINDS(X3)};
static const struct entry ctx_kinds[] = {GCT_CTX_KINDS(X3)};
static const struct entry wait_reasons[] = {GCT_WAIT_REASONS(X6)};
static const struct entry misuse_kinds[] = {GCT_MISUSE_KINDS(X5)};
#undef X3
#undef X5
#undef X6
#define N(a) (sizeof a / sizeof a[0])

/* Values and names unique, names non-empty, and name(value) the name
 * listed: the generated switch covers every value. */
static void
check_table(const struct entry *e, size_t n, const char *(*name)(int64_t))
{
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(e[i].name);
        assert_true(e[i].name[0] != '\0');
        assert_string_equal(name(e[i].value), e[i].name);
        for (size_t k = 0; k < i; k++) {
            assert_int_not_equal(e[k].value, e[i].value);
            if (strcmp(e[k].name, e[i].name) == 0)
                fail_msg("name '%s' twice", e[i].name);
        }
    }
}

static void
test_names(void **state)
{
    (void)state;
    check_table(event_kinds, N(event_kinds), gct_ev_name);
    check_table(obj_kinds, N(obj_kinds), gct_obj_name);
    check_table(ctx_kinds, N(ctx_kinds), gct_ctx_kind_name);
    check_table(wait_reasons, N(wait_reasons), gct_wait_name);
    check_table(misuse_kinds, N(misuse_kinds), gct_misuse_name);
    for (size_t i = 0; i < N(misuse_kinds); i++)
        assert_true(strlen(gct_misuse_meaning(misuse_kinds[i].value)) > 0);
    /* what a value this gctrace does not know is called */
    assert_null(gct_ev_name(GCT_EV_NONE));
    assert_null(gct_ev_name(1000));
    assert_null(gct_obj_name(GCT_OBJ_NONE));
    assert_null(gct_wait_name(-1));
    assert_string_equal(gct_ctx_kind_name(0), "unknown");
    assert_string_equal(gct_misuse_name(0), "unknown");
    assert_string_equal(gct_misuse_meaning(1000), "API misuse");
    /* an int64 that an int would wrap onto a known value */
    assert_null(gct_ev_name(((int64_t)1 << 32) + GCT_EV_PROC_EXIT));
}

/* A wait reason's properties agree with each other and with the object
 * it waits on. */
static void
test_wait_properties(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(wait_reasons); i++) {
        int r = (int)wait_reasons[i].value;
        enum gct_obj o = gct_wait_object(r);
        bool lock = gct_wait_is_lock(r);
        assert_int_equal(lock, o == GCT_OBJ_MUTEX || o == GCT_OBJ_RWLOCK ||
                                   o == GCT_OBJ_SPIN);
        if (lock) {
            assert_true(gct_wait_ends_holding(r));
            assert_true(gct_wait_has_owner(r));
        }
        assert_int_equal(gct_wait_ends_holding(r), lock || o == GCT_OBJ_COND);
        assert_int_equal(gct_wait_has_owner(r), lock || o == GCT_OBJ_THREAD);
        unsigned mode = gct_wait_lock_mode(r);
        assert_int_equal((mode & GCT_LOCK_RW) != 0, o == GCT_OBJ_RWLOCK);
        assert_int_equal((mode & GCT_LOCK_SPIN) != 0, o == GCT_OBJ_SPIN);
        assert_true((mode & ~(unsigned)(GCT_LOCK_RW | GCT_LOCK_SHARED |
                                        GCT_LOCK_SPIN)) == 0);
        if (o != GCT_OBJ_NONE)
            assert_non_null(gct_obj_name(o));
    }
    /* the ones the code relies on by name */
    assert_int_equal(gct_wait_lock_mode(GCT_WAIT_RWLOCK_RD),
                     GCT_LOCK_RW | GCT_LOCK_SHARED);
    assert_int_equal(gct_wait_lock_mode(GCT_WAIT_MUTEX), 0);
    assert_false(gct_wait_is_lock(GCT_WAIT_COND));
    assert_int_equal(gct_wait_object(GCT_WAIT_SELECT), GCT_OBJ_NONE);
    assert_int_equal(gct_wait_props(1000), 0);
}

/* What a misuse event says of its object, and what lock flags say. */
static void
test_object_kinds(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(misuse_kinds); i++) {
        enum gct_obj o = gct_misuse_object(misuse_kinds[i].value, 0);
        assert_true(o == GCT_OBJ_NONE || gct_obj_name(o) != NULL);
    }
    assert_int_equal(gct_misuse_object(GCT_MISUSE_RECURSIVE_RLOCK, 0),
                     GCT_OBJ_RWLOCK);
    assert_int_equal(gct_misuse_object(GCT_MISUSE_RELOCK, GCT_OBJ_RWLOCK),
                     GCT_OBJ_RWLOCK);
    assert_int_equal(gct_misuse_object(GCT_MISUSE_BARRIER_ZERO,
                                       GCT_OBJ_BARRIER),
                     GCT_OBJ_BARRIER);
    /* a detail that is no object kind, or a subkind whose b is not one */
    assert_int_equal(gct_misuse_object(GCT_MISUSE_RELOCK, 99), GCT_OBJ_NONE);
    assert_int_equal(gct_misuse_object(GCT_MISUSE_RELOCK,
                                       ((int64_t)1 << 32) + GCT_OBJ_SEM),
                     GCT_OBJ_NONE);
    assert_int_equal(gct_misuse_object(GCT_MISUSE_DOUBLE_CLOSE, GCT_OBJ_SEM),
                     GCT_OBJ_NONE);
    assert_int_equal(gct_misuse_object(1000, GCT_OBJ_SEM), GCT_OBJ_NONE);
    assert_int_equal(gct_lock_obj(0), GCT_OBJ_MUTEX);
    assert_int_equal(gct_lock_obj(GCT_LOCK_TRY | GCT_LOCK_RECURSIVE),
                     GCT_OBJ_MUTEX);
    assert_int_equal(gct_lock_obj(GCT_LOCK_SHARED), GCT_OBJ_RWLOCK);
    assert_int_equal(gct_lock_obj(GCT_LOCK_RW), GCT_OBJ_RWLOCK);
    assert_int_equal(gct_lock_obj(GCT_LOCK_SPIN | GCT_LOCK_TRY), GCT_OBJ_SPIN);
    for (size_t i = 0; i < N(wait_reasons); i++) {
        int r = (int)wait_reasons[i].value;
        if (gct_wait_is_lock(r))
            assert_int_equal(gct_lock_obj(gct_wait_lock_mode(r)),
                             gct_wait_object(r));
    }
}

static sqlite3 *
new_trace(void)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, gct_schema_sql, NULL, NULL, NULL),
                     SQLITE_OK);
    return db;
}

/* The rows of a vocabulary table, (value, name) in order of value, are
 * the X-macro's. */
static void
check_rows(sqlite3 *db, const char *sql, const struct entry *e, size_t n)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    size_t rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t v = sqlite3_column_int64(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        size_t i = 0;
        while (i < n && e[i].value != v)
            i++;
        if (i == n)
            fail_msg("%s: value %lld is not in the table", sql, (long long)v);
        assert_string_equal(name, e[i].name);
        rows++;
    }
    sqlite3_finalize(st);
    assert_int_equal(rows, n);
}

static void
test_trace_tables(void **state)
{
    (void)state;
    sqlite3 *db = new_trace();
    assert_int_equal(gct_vocab_write(db), SQLITE_OK);
    check_rows(db, "SELECT kind, name FROM event_kinds", event_kinds,
               N(event_kinds));
    check_rows(db, "SELECT kind, name FROM object_kinds", obj_kinds,
               N(obj_kinds));
    check_rows(db, "SELECT reason, name FROM wait_reasons", wait_reasons,
               N(wait_reasons));
    check_rows(db, "SELECT subkind, name FROM misuse_kinds", misuse_kinds,
               N(misuse_kinds));

    /* each wait reason's property columns */
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT reason, object_kind, "
                                            "is_lock, ends_holding, "
                                            "has_owner FROM wait_reasons",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int r = sqlite3_column_int(st, 0);
        const char *obj = gct_obj_name(gct_wait_object(r));
        if (obj)
            assert_string_equal(sqlite3_column_text(st, 1), obj);
        else
            assert_int_equal(sqlite3_column_type(st, 1), SQLITE_NULL);
        assert_int_equal(sqlite3_column_int(st, 2), gct_wait_is_lock(r));
        assert_int_equal(sqlite3_column_int(st, 3), gct_wait_ends_holding(r));
        assert_int_equal(sqlite3_column_int(st, 4), gct_wait_has_owner(r));
    }
    sqlite3_finalize(st);

    /* the misuse meanings, whole */
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT subkind, meaning FROM "
                                            "misuse_kinds",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        assert_string_equal(sqlite3_column_text(st, 1),
                            gct_misuse_meaning(sqlite3_column_int(st, 0)));
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* The SQL spellings (vocab.h) find what the enums say. */
static void
test_sql_lookups(void **state)
{
    (void)state;
    sqlite3 *db = new_trace();
    assert_int_equal(gct_vocab_write(db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT " GCT_EV_KIND_SQL("proc_exit") ", "
                           GCT_WAIT_REASON_SQL("chan receive") ", "
                           "(SELECT group_concat(reason) FROM wait_reasons "
                           "WHERE ends_holding)",
                           -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), GCT_EV_PROC_EXIT);
    assert_int_equal(sqlite3_column_int(st, 1), GCT_WAIT_CHAN_RECV);
    assert_string_equal(sqlite3_column_text(st, 2), "1,2,3,4,20");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* A database without the tables: the error is said, not swallowed. */
static void
test_write_error(void **state)
{
    (void)state;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_not_equal(gct_vocab_write(db), SQLITE_OK);
    assert_non_null(strstr(sqlite3_errmsg(db), "no such table"));
    sqlite3_close(db);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_wait_properties),
        cmocka_unit_test(test_object_kinds),
        cmocka_unit_test(test_trace_tables),
        cmocka_unit_test(test_sql_lookups),
        cmocka_unit_test(test_write_error),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
