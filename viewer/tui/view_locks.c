/*
 * view_locks.c - view 4: per lock, acquisitions, contended acquisitions,
 * total and max wait (a mutex contention profile); `s` cycles the sort
 * column, `I` inverts; Enter shows where it was made and who waited.
 *
 * `c` switches to one row per lock class: the locks made by the same
 * call path (objects.class_id, a creation stack, labelled by its
 * innermost frame), their counts summed and the longest wait
 * kept.  A lock made by a static initialiser has no class line and stays a
 * row of its own, as lockdep treats static locks.  Class rows carry the
 * negated class id as their key, lock rows the object id.
 */
#include "tui.h"

#include <curses.h>
#include "actions.h"

#include <stdio.h>
#include <string.h>

static const char *const sorts[] = {"wait total", "contended", "wait max",
                                    "acquisitions", "hold total", "name",
                                    NULL};
static const char *const sort_sql[] = {
    "x_wait", "x_cont", "x_wmax", "x_acq", "x_hold", "label"};

static bool by_class;

/* A printf format: put it in SQL only through snprintf.  A lock as the
 * reports name it: its given name, else its variable with the address in
 * parentheses ("mutex accounts_lock (0x...)"), else its address. */
#define LOCK_LABEL \
    "coalesce(nullif(o.name, ''), o.kind || ' ' || coalesce(o.symbol || " \
    "' (' || printf('0x%%x', o.addr) || ')', printf('0x%%x', o.addr)))"

/* "class function (file:line)" with the file's directories dropped. */
static void
class_label(sqlite3_stmt *st, int col, char *buf, size_t len)
{
    const char *file = col_text(st, col + 1);
    const char *slash = strrchr(file, '/');
    snprintf(buf, len, "class %s (%s:%d)",
             *col_text(st, col) ? col_text(st, col) : "?",
             slash ? slash + 1 : file, sqlite3_column_int(st, col + 2));
}

static void
load_classes(struct app *a, struct view *v, const char *order)
{
    char sql[1600], t1[32], t2[32], lbl[256];

    snprintf(v->header, sizeof v->header, "%-34s %5s %8s %9s %9s %9s",
             "CLASS (where made)", "LOCKS", "ACQUIRED", "CONTENDED",
             "WAITED", "MAX WAIT");
    snprintf(sql, sizeof sql,
             "SELECT coalesce(-o.class_id, o.id) AS k, o.class_id, "
             "f.function, f.file, f.line, " LOCK_LABEL ", count(*), "
             "sum(s.acquisitions) AS x_acq, sum(s.contended) AS x_cont, "
             "sum(s.wait_ns_total) AS x_wait, max(s.wait_ns_max) AS x_wmax, "
             "sum(coalesce(s.hold_ns_total, 0)) AS x_hold, "
             "min(o.created_ns), "
             "CASE WHEN o.class_id IS NULL THEN 'static ' || " LOCK_LABEL
             " ELSE 'class ' || coalesce(f.function, '?') END AS label "
             "FROM lock_stats s JOIN objects o ON o.id = s.object_id "
             "LEFT JOIN stack_frames sf ON sf.stack_id = o.class_id "
             "AND sf.idx = 0 LEFT JOIN frames f ON f.id = sf.frame_id "
             "GROUP BY k ORDER BY %s, k", order);
    sqlite3_stmt *st = tui_prepare(a, sql);
    if (st == NULL)
        return;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 1) == SQLITE_NULL)
            snprintf(lbl, sizeof lbl, "static %s", col_text(st, 5));
        else
            class_label(st, 2, lbl, sizeof lbl);
        int attr = sqlite3_column_int64(st, 8) && a->color ?
            COLOR_PAIR(TUI_C_SEV2) : 0;
        rows_add(&v->rows, sqlite3_column_int64(st, 0), attr,
                 "%-34.34s %5lld %8lld %9lld %9s %9s", lbl,
                 (long long)sqlite3_column_int64(st, 6),
                 (long long)sqlite3_column_int64(st, 7),
                 (long long)sqlite3_column_int64(st, 8),
                 fmt_ns(t1, sizeof t1, sqlite3_column_int64(st, 9)),
                 fmt_ns(t2, sizeof t2, sqlite3_column_int64(st, 10)));
        rows_last(&v->rows)->ts = sqlite3_column_int64(st, 12);
    }
    sqlite3_finalize(st);
}

static void
load(struct app *a, struct view *v)
{
    char sql[1024], order[64], t1[32], t2[32], created[256];

    bool desc = v->sort != 5;
    if (v->sort_invert)
        desc = !desc;
    snprintf(order, sizeof order, "%s %s", sort_sql[v->sort],
             desc ? "DESC" : "ASC");
    if (by_class) {
        load_classes(a, v, order);
        return;
    }
    snprintf(v->header, sizeof v->header, "%-24s %8s %9s %9s %9s  %s",
             "LOCK", "ACQUIRED", "CONTENDED", "WAITED", "MAX WAIT",
             "CREATED AT");
    snprintf(sql, sizeof sql,
             "SELECT o.id, " LOCK_LABEL " AS label, "
             "s.acquisitions AS x_acq, s.contended AS x_cont, "
             "s.wait_ns_total AS x_wait, s.wait_ns_max AS x_wmax, "
             "o.create_stack, o.created_ns, s.hold_ns_total AS x_hold "
             "FROM lock_stats s JOIN objects o ON o.id = s.object_id "
             "ORDER BY %s, o.id", order);
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

/* A class: its line, totals, and each of its locks. */
static void
class_pane(struct app *a, int64_t class_id)
{
    struct rows *r = &a->pane.rows;
    char lbl[256], t1[32], t2[32];

    sqlite3_stmt *st = tui_prepare(a,
        "SELECT f.function, f.file, f.line FROM stack_frames sf "
        "JOIN frames f ON f.id = sf.frame_id "
        "WHERE sf.stack_id = ? AND sf.idx = 0");
    if (st == NULL)
        return;
    sqlite3_bind_int64(st, 1, class_id);
    snprintf(lbl, sizeof lbl, "class %lld", (long long)class_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        class_label(st, 0, lbl, sizeof lbl);
    sqlite3_finalize(st);
    pane_open(a, "%s (q closes)", lbl);
    rows_add(r, -1, A_BOLD, "%s: the locks made on this call path", lbl);
    char sql[512];
    /* Through snprintf: LOCK_LABEL is a format (its %% is SQL's %). */
    snprintf(sql, sizeof sql,
             "SELECT o.id, " LOCK_LABEL ", s.acquisitions, s.contended, "
             "s.wait_ns_total, s.wait_ns_max, o.created_ns "
             "FROM lock_stats s JOIN objects o ON o.id = s.object_id "
             "WHERE o.class_id = ? ORDER BY s.wait_ns_total DESC, o.id");
    st = tui_prepare(a, sql);
    if (st == NULL)
        return;
    sqlite3_bind_int64(st, 1, class_id);
    rows_add(r, -1, A_BOLD, "  %-24s %8s %9s %9s %9s", "LOCK", "ACQUIRED",
             "CONTENDED", "WAITED", "MAX WAIT");
    while (sqlite3_step(st) == SQLITE_ROW) {
        rows_add(r, sqlite3_column_int64(st, 0), 0,
                 "  %-24.24s %8lld %9lld %9s %9s", col_text(st, 1),
                 (long long)sqlite3_column_int64(st, 2),
                 (long long)sqlite3_column_int64(st, 3),
                 fmt_ns(t1, sizeof t1, sqlite3_column_int64(st, 4)),
                 fmt_ns(t2, sizeof t2, sqlite3_column_int64(st, 5)));
        rows_last(r)->ts = sqlite3_column_int64(st, 6);
    }
    sqlite3_finalize(st);
}

static void
open_lock(struct app *a, struct view *v)
{
    int64_t key = v->rows.v[v->cur].key;
    if (key < 0)
        class_pane(a, -key);
    else
        object_pane(a, key);
}

static bool
act(struct app *a, struct view *v, int action, int key)
{
    (void)key;
    if (action != ACT_CLASSES)
        return false;
    by_class = !by_class;
    rows_clear(&v->rows);
    load(a, v);
    v->total = v->rows.n;
    v->cur = v->top = 0;
    app_message(a, by_class ? "rows per lock class" : "rows per lock");
    return true;
}

static void
status(struct app *a, struct view *v, char *buf, size_t len)
{
    (void)a;
    (void)v;
    snprintf(buf, len, "rows: %s", by_class ? "per class (c: per lock)" :
             "per lock (c: per class)");
}

const struct view_ops view_locks_ops = {
    .name = "locks",
    .title = "Locks",
    .load = load,
    .open = open_lock,
    .act = act,
    .status = status,
    .sorts = sorts,
};
