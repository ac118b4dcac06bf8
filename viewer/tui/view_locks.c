/*
 * view_locks.c - view 4: per lock, acquisitions, contended acquisitions,
 * total and max wait (a mutex contention profile); `s` cycles the sort
 * column, `I` inverts; Enter shows where it was made and who waited.
 */
#include "tui.h"

#include <curses.h>
#include <stdio.h>

static const char *const sorts[] = {"wait total", "contended", "wait max",
                                    "acquisitions", "hold total", "name",
                                    NULL};
static const char *const sort_sql[] = {
    "s.wait_ns_total", "s.contended", "s.wait_ns_max", "s.acquisitions",
    "s.hold_ns_total", "label"};

static void
load(struct app *a, struct view *v)
{
    char sql[1024], t1[32], t2[32], created[256];

    snprintf(v->header, sizeof v->header, "%-24s %8s %9s %9s %9s  %s",
             "LOCK", "ACQUIRED", "CONTENDED", "WAITED", "MAX WAIT",
             "CREATED AT");
    bool desc = v->sort != 5;
    if (v->sort_invert)
        desc = !desc;
    snprintf(sql, sizeof sql,
             "SELECT o.id, coalesce(nullif(o.name, ''), o.kind || ' ' || "
             "printf('0x%%x', o.addr)) AS label, s.acquisitions, "
             "s.contended, s.wait_ns_total, s.wait_ns_max, o.create_stack, "
             "o.created_ns "
             "FROM lock_stats s JOIN objects o ON o.id = s.object_id "
             "ORDER BY %s %s, o.id",
             sort_sql[v->sort], desc ? "DESC" : "ASC");
    sqlite3_stmt *st = tui_prepare(a, sql);
    if (st == NULL)
        return;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 6) != SQLITE_NULL)
            stack_where(a, sqlite3_column_int64(st, 6), created,
                        sizeof created);
        else
            snprintf(created, sizeof created, "-");
        int attr = sqlite3_column_int64(st, 3) && a->color ?
            COLOR_PAIR(TUI_C_SEV2) : 0;
        rows_add(&v->rows, sqlite3_column_int64(st, 0), attr,
                 "%-24.24s %8lld %9lld %9s %9s  %s", col_text(st, 1),
                 (long long)sqlite3_column_int64(st, 2),
                 (long long)sqlite3_column_int64(st, 3),
                 fmt_ns(t1, sizeof t1, sqlite3_column_int64(st, 4)),
                 fmt_ns(t2, sizeof t2, sqlite3_column_int64(st, 5)),
                 created);
        rows_last(&v->rows)->ts = sqlite3_column_int64(st, 7);
    }
    sqlite3_finalize(st);
}

void
object_pane(struct app *a, int64_t obj)
{
    struct rows *r = &a->pane.rows;
    char lbl[256], t1[32], t2[32];

    object_label(a, obj, lbl, sizeof lbl);
    pane_open(a, "%s (q closes)", lbl);
    sqlite3_stmt *st = tui_prepare(a,
        "SELECT created_ns, destroyed_ns, create_stack, s.acquisitions, "
        "s.contended, s.wait_ns_total, s.wait_ns_max, s.hold_ns_total, "
        "s.hold_ns_max, o.class_id "
        "FROM objects o LEFT JOIN lock_stats s ON s.object_id = o.id "
        "WHERE o.id = ?");
    if (st == NULL)
        return;
    sqlite3_bind_int64(st, 1, obj);
    int64_t stack = -1;
    if (sqlite3_step(st) == SQLITE_ROW) {
        rows_add(r, obj, A_BOLD, "%s", lbl);
        rows_last(r)->ts = sqlite3_column_int64(st, 0);
        rows_add(r, -1, 0, "  made at %s, destroyed %s",
                 fmt_ns(t1, sizeof t1, sqlite3_column_int64(st, 0)),
                 sqlite3_column_type(st, 1) == SQLITE_NULL ? "never" :
                 fmt_ns(t2, sizeof t2, sqlite3_column_int64(st, 1)));
        if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
            rows_add(r, -1, 0, "  acquired %lld times, %lld contended",
                     (long long)sqlite3_column_int64(st, 3),
                     (long long)sqlite3_column_int64(st, 4));
            rows_add(r, -1, 0, "  waited %s in all, %s at most",
                     fmt_ns(t1, sizeof t1, sqlite3_column_int64(st, 5)),
                     fmt_ns(t2, sizeof t2, sqlite3_column_int64(st, 6)));
            if (sqlite3_column_type(st, 7) != SQLITE_NULL)
                rows_add(r, -1, 0, "  held %s in all, %s at most",
                         fmt_ns(t1, sizeof t1, sqlite3_column_int64(st, 7)),
                         fmt_ns(t2, sizeof t2, sqlite3_column_int64(st, 8)));
            else
                rows_add(r, -1, 0, "  hold times: not recorded (they "
                         "need record=all)");
        }
        if (sqlite3_column_type(st, 2) != SQLITE_NULL)
            stack = sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);

    st = tui_prepare(a,
        "SELECT w.thread_id, count(*), sum(coalesce(w.end_ns, ?2) - "
        "w.begin_ns), sum(w.end_ns IS NULL) FROM waits w "
        "WHERE w.object_id = ?1 GROUP BY w.thread_id ORDER BY 3 DESC "
        "LIMIT 50");
    if (st) {
        sqlite3_bind_int64(st, 1, obj);
        sqlite3_bind_int64(st, 2, a->duration_ns);
        rows_add(r, -1, A_BOLD, "Threads that waited (count, time%s)",
                 ", still waiting at the end");
        int n = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            thread_label(a, sqlite3_column_int64(st, 0), lbl, sizeof lbl);
            rows_add(r, -1, 0, "  %-28.28s %6lld %10s%s", lbl,
                     (long long)sqlite3_column_int64(st, 1),
                     fmt_ns(t1, sizeof t1, sqlite3_column_int64(st, 2)),
                     sqlite3_column_int64(st, 3) ? "  still waiting" : "");
            rows_last(r)->thread = sqlite3_column_int64(st, 0);
            n++;
        }
        if (n == 0)
            rows_add(r, -1, 0, "  (none)");
        sqlite3_finalize(st);
    }
    st = tui_prepare(a,
        "SELECT from_id, to_id, thread_id FROM lock_edges "
        "WHERE from_id = ?1 OR to_id = ?1 ORDER BY id LIMIT 50");
    if (st) {
        sqlite3_bind_int64(st, 1, obj);
        int n = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            char from[128], to[128];
            if (n++ == 0)
                rows_add(r, -1, A_BOLD, "Lock order (held -> taken)");
            object_label(a, sqlite3_column_int64(st, 0), from, sizeof from);
            object_label(a, sqlite3_column_int64(st, 1), to, sizeof to);
            thread_label(a, sqlite3_column_int64(st, 2), lbl, sizeof lbl);
            rows_add(r, -1, 0, "  %s -> %s  by %s", from, to, lbl);
        }
        sqlite3_finalize(st);
    }
    if (stack >= 0) {
        rows_add(r, -1, A_BOLD, "Made at");
        rows_stack(a, r, stack);
    }
}

static void
open_lock(struct app *a, struct view *v)
{
    object_pane(a, v->rows.v[v->cur].key);
}

const struct view_ops view_locks_ops = {
    .name = "locks",
    .title = "Locks",
    .load = load,
    .open = open_lock,
    .sorts = sorts,
};
