/*
 * view_threads.c - view 2: every thread, how it ended, how long it waited,
 * where it was created; Enter opens the thread's details (also used by the
 * timeline and findings).
 */
#include "tui.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

static const char *const sorts[] = {"start", "blocked", "waits", "tid",
                                    "name", NULL};
static const char *const sort_sql[] = {"t.start_ns", "blocked", "waits",
                                       "t.tid",
                                       GCT_THREAD_NAME_SQL("t")};

/* Time blocked counts a wait still open at the end up to the run's end. */

static void
load(struct app *a, struct view *v)
{
    char sql[1024], where[96], t1[32];

    snprintf(v->header, sizeof v->header, "F %7s %-14s %-18s %5s %8s  %s",
             "TID", "NAME", "STATE AT END", "WAITS", "BLOCKED",
             "CREATED AT");
    /* Sorting numbers descending first shows the interesting ones. */
    bool desc = v->sort == 1 || v->sort == 2;
    if (v->sort_invert)
        desc = !desc;
    snprintf(sql, sizeof sql,
             "SELECT t.id, t.tid, " GCT_THREAD_NAME_SQL("t") ", "
             "coalesce(t.end_state, ''), t.create_stack, t.start_ns, "
             GCT_THREAD_WAITS_SQL("t") " AS waits, "
             GCT_THREAD_BLOCKED_SQL("t", "?1") " AS blocked, "
             "(SELECT waiting_on FROM blocked_at_end b "
             "WHERE b.thread_id = t.id LIMIT 1), t.tid = t.pid "
             "FROM threads t ORDER BY %s %s, t.id",
             sort_sql[v->sort], desc ? "DESC" : "ASC");
    sqlite3_stmt *st = tui_prepare(a, sql);
    if (st == NULL)
        return;
    sqlite3_bind_int64(st, 1, a->duration_ns);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *state = col_text(st, 3);
        char flag = ' ';
        if (sqlite3_column_type(st, 8) != SQLITE_NULL) {
            snprintf(where, sizeof where, "blocked: %s", col_text(st, 8));
            state = where;
            flag = 'B';
        } else if ((!strcmp(state, "running") || !strcmp(state, "blocked") ||
                    !strcmp(state, "not_started")) &&
                   !sqlite3_column_int(st, 9)) {
            /* A main thread is alive at the end by definition. */
            flag = 'L';
        }
        char created[256];
        if (sqlite3_column_type(st, 4) != SQLITE_NULL)
            stack_where(a, sqlite3_column_int64(st, 4), created,
                        sizeof created);
        else
            snprintf(created, sizeof created, "-");
        int attr = flag == 'B' && a->color ? COLOR_PAIR(TUI_C_SEV2) : 0;
        rows_add(&v->rows, sqlite3_column_int64(st, 0), attr,
                 "%c %7lld %-14.14s %-18.18s %5lld %8s  %s", flag,
                 (long long)sqlite3_column_int64(st, 1), col_text(st, 2),
                 state, (long long)sqlite3_column_int64(st, 6),
                 fmt_ns(t1, sizeof t1, sqlite3_column_int64(st, 7)),
                 created);
        rows_last(&v->rows)->ts = sqlite3_column_int64(st, 5);
        rows_last(&v->rows)->thread = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
}

void
thread_pane(struct app *a, int64_t thread)
{
    struct rows *r = &a->pane.rows;
    char t1[32], t2[32], lbl[256];

    sqlite3_stmt *st = tui_prepare(a,
        "SELECT tid, " GCT_THREAD_NAME_SQL("threads") ", goid, parent_id, "
        "create_stack, "
        "start_ns, end_ns, end_state, detached, joined_by, locks_at_exit, "
        "pid FROM threads WHERE id = ?");
    if (st == NULL)
        return;
    sqlite3_bind_int64(st, 1, thread);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        app_message(a, "no such thread");
        return;
    }
    pane_open(a, "thread %lld %s (t: show in timeline, q closes)",
              (long long)sqlite3_column_int64(st, 0), col_text(st, 1));
    rows_add(r, thread, A_BOLD, "thread %lld %s, process %lld%s",
             (long long)sqlite3_column_int64(st, 0), col_text(st, 1),
             (long long)sqlite3_column_int64(st, 11),
             sqlite3_column_type(st, 2) != SQLITE_NULL ? ", a goroutine" :
             "");
    rows_last(r)->ts = sqlite3_column_int64(st, 5);
    rows_last(r)->thread = thread;
    if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
        thread_label(a, sqlite3_column_int64(st, 3), lbl, sizeof lbl);
        rows_add(r, -1, 0, "  created by thread %s", lbl);
    }
    bool alive = sqlite3_column_type(st, 6) == SQLITE_NULL;
    rows_add(r, -1, 0, "  lifetime: %s .. %s", fmt_ns(t1, sizeof t1,
             sqlite3_column_int64(st, 5)),
             alive ? "end (alive when the process ended)" :
             fmt_ns(t2, sizeof t2, sqlite3_column_int64(st, 6)));
    rows_add(r, -1, 0, "  state at the end: %s%s", col_text(st, 7),
             sqlite3_column_int(st, 8) ? " (detached)" : "");
    if (sqlite3_column_type(st, 9) != SQLITE_NULL) {
        thread_label(a, sqlite3_column_int64(st, 9), lbl, sizeof lbl);
        rows_add(r, -1, 0, "  joined by thread %s", lbl);
    }
    if (sqlite3_column_int(st, 10))
        rows_add(r, -1, 0, "  held %d lock(s) when it exited",
                 sqlite3_column_int(st, 10));
    int64_t create_stack = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 :
        sqlite3_column_int64(st, 4);
    sqlite3_finalize(st);

    st = tui_prepare(a,
        "SELECT r.name, count(*), sum(coalesce(w.end_ns, ?2) - w.begin_ns) "
        "FROM waits w JOIN wait_reasons r ON r.reason = w.reason "
        "WHERE w.thread_id = ?1 GROUP BY w.reason ORDER BY 3 DESC");
    if (st) {
        sqlite3_bind_int64(st, 1, thread);
        sqlite3_bind_int64(st, 2, a->duration_ns);
        rows_add(r, -1, A_BOLD, "Waits (reason, count, time blocked)");
        int n = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            rows_add(r, -1, 0, "  %-24s %6lld %s", col_text(st, 0),
                     (long long)sqlite3_column_int64(st, 1),
                     fmt_ns(t1, sizeof t1, sqlite3_column_int64(st, 2)));
            n++;
        }
        if (n == 0)
            rows_add(r, -1, 0, "  (none)");
        sqlite3_finalize(st);
    }
    st = tui_prepare(a,
        "SELECT waiting_on, object_kind, begin_ns, stack_id, "
        "(SELECT object_id FROM waits w WHERE w.thread_id = b.thread_id "
        "AND w.end_ns IS NULL LIMIT 1) "
        "FROM blocked_at_end b WHERE thread_id = ?");
    if (st) {
        sqlite3_bind_int64(st, 1, thread);
        while (sqlite3_step(st) == SQLITE_ROW) {
            object_label(a, sqlite3_column_int64(st, 4), lbl, sizeof lbl);
            rows_add(r, -1, A_BOLD, "Blocked at the end: %s on %s since %s",
                     col_text(st, 0), lbl,
                     fmt_ns(t1, sizeof t1, sqlite3_column_int64(st, 2)));
            rows_stack(a, r, sqlite3_column_int64(st, 3));
        }
        sqlite3_finalize(st);
    }
    if (create_stack >= 0) {
        rows_add(r, -1, A_BOLD, "Created at");
        rows_stack(a, r, create_stack);
    }
}

static void
open_thread(struct app *a, struct view *v)
{
    thread_pane(a, v->rows.v[v->cur].key);
}

const struct view_ops view_threads_ops = {
    .name = "threads",
    .title = "Threads",
    .load = load,
    .open = open_thread,
    .sorts = sorts,
};
