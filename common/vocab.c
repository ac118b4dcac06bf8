/*
 * vocab.c - writes the trace's vocabulary tables (vocab.h): one row per
 * value of event.h's X-macro tables, with the properties the analyses'
 * SQL selects by.
 */
#include "vocab.h"

#include "event.h"

#include <stdarg.h>
#include <stdint.h>

/* Binds a row's values, from a format ('i' int64, 's' text or NULL), then
 * steps and resets; keeps the first error in *rc, after which it does
 * nothing (so that sqlite3_errmsg still says what went wrong). */
static void
row(sqlite3_stmt *st, int *rc, const char *fmt, ...)
{
    if (st == NULL || *rc != SQLITE_OK)
        return;
    va_list ap;
    va_start(ap, fmt);
    for (int i = 1; *fmt; fmt++, i++) {
        if (*fmt == 's')
            sqlite3_bind_text(st, i, va_arg(ap, const char *), -1,
                              SQLITE_STATIC);
        else
            sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
    }
    va_end(ap);
    int r = sqlite3_step(st);
    if (r != SQLITE_DONE)
        *rc = r;
    sqlite3_reset(st);
}

static sqlite3_stmt *
prepare(sqlite3 *db, const char *sql, int *rc)
{
    sqlite3_stmt *st = NULL;
    if (*rc == SQLITE_OK)
        *rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    return st;
}

int
gct_vocab_write(sqlite3 *db)
{
    int rc = SQLITE_OK;
    sqlite3_stmt *st;

    st = prepare(db, "INSERT INTO event_kinds VALUES(?,?)", &rc);
#define GCT_X_ROW(name, value, text) row(st, &rc, "is", (int64_t)value, text);
    GCT_EVENT_KINDS(GCT_X_ROW)
    sqlite3_finalize(st);

    st = prepare(db, "INSERT INTO object_kinds VALUES(?,?)", &rc);
    GCT_OBJ_KINDS(GCT_X_ROW)
    sqlite3_finalize(st);
#undef GCT_X_ROW

    st = prepare(db, "INSERT INTO wait_reasons VALUES(?,?,?,?,?,?)", &rc);
#define GCT_X_ROW(name, value, text, props, obj, mode)                     \
    row(st, &rc, "issiii", (int64_t)value, text, gct_obj_name(obj),        \
        (int64_t)(((props) & GCT_WP_LOCK) != 0),                           \
        (int64_t)(((props) & GCT_WP_ENDS_HOLDING) != 0),                   \
        (int64_t)(((props) & GCT_WP_HAS_OWNER) != 0));
    GCT_WAIT_REASONS(GCT_X_ROW)
    sqlite3_finalize(st);
#undef GCT_X_ROW

    st = prepare(db, "INSERT INTO misuse_kinds VALUES(?,?,?)", &rc);
#define GCT_X_ROW(name, value, text, obj, meaning)                         \
    row(st, &rc, "iss", (int64_t)value, text, meaning);
    GCT_MISUSE_KINDS(GCT_X_ROW)
    sqlite3_finalize(st);
#undef GCT_X_ROW
    return rc;
}
