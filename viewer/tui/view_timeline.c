/*
 * view_timeline.c - view 3: one lane per thread across the run.  Each
 * column is a slice of time: '-' running, ' ' not alive, or a letter for
 * the class of wait that blocked the thread then (L lock, C condvar, S
 * send, R receive, X select, J join, W other sync, D context, Z sleep), so
 * the picture reads without colour; colours only repeat the letters.
 *
 * Only the visible lanes and time window are queried: for each lane, the
 * last wait that began before the window (a thread waits on one thing at
 * a time, so only it can reach into the window) and those that begin in
 * it, through the waits_by_thread index.
 *
 * Lanes sort like the other lists (`s`: creation order, name, time
 * blocked; `I` inverts) and filter by a thread name or tid substring (`\`).
 */
#include "tui.h"

#include "actions.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_W 18
#define MAX_COLS 1024

static const char *const sorts[] = {"created", "name", "blocked", NULL};
static const char *const sort_sql[] = {"t.start_ns",
                                       GCT_THREAD_NAME_SQL("t"),
                                       "blocked"};

static struct {
    int64_t t0, span;  /* visible window */
    int cx;            /* cursor column */
    int64_t *start, *end; /* per lane; end -1: alive at the end */
} tl;

static int
width(void)
{
    int w = COLS - LABEL_W;
    return w < 1 ? 1 : w > MAX_COLS ? MAX_COLS : w;
}

static int64_t
ns_per_col(void)
{
    int64_t n = (tl.span + width() - 1) / width();
    return n < 1 ? 1 : n;
}

static void
clamp(struct app *a)
{
    int64_t dur = a->duration_ns > 0 ? a->duration_ns : 1;
    if (tl.span < width())
        tl.span = width();
    if (tl.span > dur && tl.span > width())
        tl.span = dur > width() ? dur : width();
    if (tl.t0 > dur - tl.span)
        tl.t0 = dur - tl.span;
    if (tl.t0 < 0)
        tl.t0 = 0;
    if (tl.cx >= width())
        tl.cx = width() - 1;
    if (tl.cx < 0)
        tl.cx = 0;
}

static void
load(struct app *a, struct view *v)
{
    char sql[1024], pat[160];

    free(tl.start);
    free(tl.end);
    tl.start = tl.end = NULL;
    snprintf(v->header, sizeof v->header, "LANE");
    /* Time blocked counts a wait still open at the end up to the run's
     * end, as in the threads view; busiest first unless inverted. */
    bool desc = v->sort == 2;
    if (v->sort_invert)
        desc = !desc;
    snprintf(sql, sizeof sql,
             "SELECT t.id, t.tid, " GCT_THREAD_NAME_SQL("t") ", t.start_ns, "
             "t.end_ns, (SELECT coalesce(sum(coalesce(w.end_ns, ?1) - "
             "w.begin_ns), 0) FROM waits w WHERE w.thread_id = t.id) "
             "AS blocked FROM threads t "
             "WHERE ?2 IS NULL OR " GCT_THREAD_NAME_SQL("t") " LIKE ?2 "
             "OR CAST(t.tid AS TEXT) LIKE ?2 "
             "ORDER BY %s %s, t.id", sort_sql[v->sort],
             desc ? "DESC" : "ASC");
    sqlite3_stmt *st = tui_prepare(a, sql);
    if (st == NULL)
        return;
    sqlite3_bind_int64(st, 1, a->duration_ns);
    if (v->filter[0]) {
        snprintf(pat, sizeof pat, "%%%s%%", v->filter);
        sqlite3_bind_text(st, 2, pat, -1, SQLITE_TRANSIENT);
    }
    long cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        rows_add(&v->rows, sqlite3_column_int64(st, 0), 0, "%lld %s",
                 (long long)sqlite3_column_int64(st, 1), col_text(st, 2));
        rows_last(&v->rows)->thread = sqlite3_column_int64(st, 0);
        if (v->rows.n > cap) {
            cap = cap ? 2 * cap : 64;
            tl.start = realloc(tl.start, (size_t)cap * sizeof *tl.start);
            tl.end = realloc(tl.end, (size_t)cap * sizeof *tl.end);
            if (tl.start == NULL || tl.end == NULL)
                abort();
        }
        tl.start[v->rows.n - 1] = sqlite3_column_int64(st, 3);
        tl.end[v->rows.n - 1] = sqlite3_column_type(st, 4) == SQLITE_NULL ?
            -1 : sqlite3_column_int64(st, 4);
    }
    sqlite3_finalize(st);
    if (tl.span == 0) {
        tl.t0 = 0;
        tl.span = a->duration_ns;
        tl.cx = 0;
    }
    clamp(a);
}

/* The filter is in v->filter already; reloading applies it. */
static void
set_filter(struct app *a, struct view *v, const char *text)
{
    (void)text;
    rows_clear(&v->rows);
    load(a, v);
    v->total = v->rows.n;
    v->cur = v->top = 0;
}

static char
wait_letter(int reason)
{
    switch (reason) {
    case 1: case 2: case 3: return 'L';
    case 4: return 'C';
    case 5: return 'J';
    case 8: return 'S';
    case 9: return 'R';
    case 10: case 18: return 'X';
    case 13: return 'D';
    case 14: return 'Z';
    default: return 'W';
    }
}

static int
letter_attr(struct app *a, char c)
{
    if (!a->color)
        return c == '-' || c == ' ' ? 0 : A_BOLD;
    switch (c) {
    case 'L': return COLOR_PAIR(TUI_C_LOCK) | A_BOLD;
    case 'C': return COLOR_PAIR(TUI_C_COND) | A_BOLD;
    case 'S': case 'R': case 'X': return COLOR_PAIR(TUI_C_CHAN) | A_BOLD;
    case 'J': return COLOR_PAIR(TUI_C_JOIN) | A_BOLD;
    case '-': return COLOR_PAIR(TUI_C_RUN);
    case ' ': return 0;
    default: return COLOR_PAIR(TUI_C_OTHER) | A_BOLD;
    }
}

static void
mark(char *cells, int w, int64_t npc, int64_t b, int64_t e, char c)
{
    int64_t from = (b - tl.t0) / npc, to = (e - tl.t0) / npc;
    if (b < tl.t0)
        from = 0;
    if (to >= w)
        to = w - 1;
    for (int64_t i = from; i <= to; i++)
        cells[i] = c;
}

/* Fills cells (w of them) for lane i. */
static void
lane_cells(struct app *a, struct view *v, long i, char *cells, int w)
{
    int64_t npc = ns_per_col(), t1 = tl.t0 + npc * w;
    int64_t thread = v->rows.v[i].key;

    for (int c = 0; c < w; c++) {
        int64_t cs = tl.t0 + c * npc, ce = cs + npc;
        bool alive = tl.start[i] < ce && (tl.end[i] < 0 || tl.end[i] >= cs);
        cells[c] = alive ? '-' : ' ';
    }
    static const char *const sql[2] = {
        "SELECT reason, begin_ns, coalesce(end_ns, ?4) FROM waits "
        "WHERE thread_id = ?1 AND begin_ns < ?2 "
        "ORDER BY begin_ns DESC LIMIT 1",
        "SELECT reason, begin_ns, coalesce(end_ns, ?4) FROM waits "
        "WHERE thread_id = ?1 AND begin_ns >= ?2 AND begin_ns < ?3 "
        "ORDER BY begin_ns LIMIT 100000",
    };
    for (int q = 0; q < 2; q++) {
        sqlite3_stmt *st = tui_prepare(a, sql[q]);
        if (st == NULL)
            return;
        sqlite3_bind_int64(st, 1, thread);
        sqlite3_bind_int64(st, 2, tl.t0);
        if (q == 1)
            sqlite3_bind_int64(st, 3, t1);
        sqlite3_bind_int64(st, 4, a->duration_ns);
        while (sqlite3_step(st) == SQLITE_ROW) {
            int64_t b = sqlite3_column_int64(st, 1);
            int64_t e = sqlite3_column_int64(st, 2);
            if (e >= tl.t0)
                mark(cells, w, npc, b, e,
                     wait_letter(sqlite3_column_int(st, 0)));
        }
        sqlite3_finalize(st);
    }
}

static void
draw(struct app *a, struct view *v, int y, int h)
{
    char cells[MAX_COLS + 1], t1[32], t2[32], t3[32], hdr[256];
    int w = width();

    clamp(a);
    int64_t npc = ns_per_col();
    snprintf(hdr, sizeof hdr, "%-*s|%s .. %s, %s per column", LABEL_W - 1,
             "LANE (tid name)", fmt_ns(t1, sizeof t1, tl.t0),
             fmt_ns(t2, sizeof t2, tl.t0 + npc * w),
             fmt_ns(t3, sizeof t3, npc));
    attrset(A_BOLD | A_UNDERLINE);
    mvhline(y - 1, 0, ' ', COLS);
    mvaddnstr(y - 1, 0, hdr, COLS);
    if (v->total == 0) {
        mvaddnstr(y, 1, v->filter[0] ? "(no thread matches the filter)" :
                  "(no threads in this trace)", COLS - 1);
        return;
    }
    for (int r = 0; r < h; r++) {
        long i = v->top + r;
        if (i >= v->rows.n)
            break;
        attrset(i == v->cur ? A_REVERSE | A_BOLD : A_NORMAL);
        mvprintw(y + r, 0, "%-*.*s", LABEL_W - 1, LABEL_W - 1,
                 v->rows.v[i].text);
        attrset(A_NORMAL);
        mvaddch(y + r, LABEL_W - 1, '|');
        lane_cells(a, v, i, cells, w);
        for (int c = 0; c < w; c++) {
            int attr = letter_attr(a, cells[c]);
            if (c == tl.cx)
                attr = A_REVERSE | (i == v->cur ? A_BOLD : 0);
            attrset(attr);
            mvaddch(y + r, LABEL_W + c, (chtype)(unsigned char)cells[c]);
        }
        attrset(A_NORMAL);
    }
}

/* The wait of the selected lane under the cursor column, as a statement
 * on its row (columns: reason name, object, begin, end, stack), or NULL. */
static sqlite3_stmt *
wait_under_cursor(struct app *a, struct view *v)
{
    if (v->cur >= v->rows.n)
        return NULL;
    int64_t npc = ns_per_col(), cs = tl.t0 + tl.cx * npc, ce = cs + npc;
    sqlite3_stmt *st = tui_prepare(a,
        "SELECT r.name, w.object_id, w.begin_ns, w.end_ns, w.stack_id, "
        "coalesce(w.end_ns, ?3) FROM waits w "
        "JOIN wait_reasons r ON r.reason = w.reason "
        "WHERE w.thread_id = ?1 AND w.begin_ns < ?2 "
        "ORDER BY w.begin_ns DESC LIMIT 1");
    if (st == NULL)
        return NULL;
    sqlite3_bind_int64(st, 1, v->rows.v[v->cur].key);
    sqlite3_bind_int64(st, 2, ce);
    sqlite3_bind_int64(st, 3, a->duration_ns);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 5) >= cs)
        return st;
    sqlite3_finalize(st);
    return NULL;
}

static void
status(struct app *a, struct view *v, char *buf, size_t len)
{
    char t1[32], obj[128];
    int64_t cs = tl.t0 + tl.cx * ns_per_col();

    int n = snprintf(buf, len, "t=%s ", fmt_ns(t1, sizeof t1, cs));
    if (v->cur >= v->rows.n || n < 0)
        return;
    sqlite3_stmt *st = wait_under_cursor(a, v);
    if (st) {
        object_label(a, sqlite3_column_int64(st, 1), obj, sizeof obj);
        snprintf(buf + n, len - (size_t)n, "%s on %s", col_text(st, 0), obj);
        sqlite3_finalize(st);
    } else {
        bool alive = tl.start[v->cur] < cs + ns_per_col() &&
                     (tl.end[v->cur] < 0 || tl.end[v->cur] >= cs);
        snprintf(buf + n, len - (size_t)n, "%s",
                 alive ? "running" : "not alive");
    }
}

static void
open_cursor(struct app *a, struct view *v)
{
    char t1[32], t2[32], obj[128];
    sqlite3_stmt *st = wait_under_cursor(a, v);
    if (st == NULL) {
        thread_pane(a, v->rows.v[v->cur].key);
        return;
    }
    object_label(a, sqlite3_column_int64(st, 1), obj, sizeof obj);
    pane_open(a, "%s: %s on %s (q closes)", v->rows.v[v->cur].text,
              col_text(st, 0), obj);
    struct rows *r = &a->pane.rows;
    rows_add(r, -1, A_BOLD, "thread %s: %s on %s", v->rows.v[v->cur].text,
             col_text(st, 0), obj);
    rows_add(r, -1, 0, "  from %s to %s", fmt_ns(t1, sizeof t1,
             sqlite3_column_int64(st, 2)),
             sqlite3_column_type(st, 3) == SQLITE_NULL ?
             "the end (still waiting)" :
             fmt_ns(t2, sizeof t2, sqlite3_column_int64(st, 3)));
    rows_add(r, -1, A_BOLD, "Waiting at");
    rows_stack(a, r, sqlite3_column_int64(st, 4));
    sqlite3_finalize(st);
}

static void
zoom(struct app *a, bool in)
{
    int64_t tc = tl.t0 + tl.cx * ns_per_col();
    tl.span = in ? tl.span / 2 : tl.span * 2;
    clamp(a);
    tl.t0 = tc - tl.cx * ns_per_col();
    clamp(a);
    tl.cx = (int)((tc - tl.t0) / ns_per_col());
    clamp(a);
}

static bool
act(struct app *a, struct view *v, int action, int key)
{
    int64_t npc = ns_per_col();

    switch (action) {
    case ACT_OPEN:
        /* Right and l move the cursor here; Enter still opens. */
        if (key == KEY_RIGHT || key == 'l') {
            if (++tl.cx >= width()) {
                tl.cx = width() - 1;
                tl.t0 += npc;
            }
            clamp(a);
        } else if (v->total > 0) {
            open_cursor(a, v);
        }
        return true;
    case ACT_BACK:
        if (key == KEY_LEFT || key == 'h') {
            if (--tl.cx < 0) {
                tl.cx = 0;
                tl.t0 -= npc;
            }
            clamp(a);
            return true;
        }
        return false;
    case ACT_ZOOM_IN:
    case ACT_ZOOM_OUT:
        zoom(a, action == ACT_ZOOM_IN);
        return true;
    case ACT_PAN_LEFT:
    case ACT_PAN_RIGHT:
        tl.t0 += (action == ACT_PAN_RIGHT ? 1 : -1) * tl.span / 2;
        clamp(a);
        return true;
    case ACT_TIMELINE:
        app_message(a, "this is the timeline");
        return true;
    }
    return false;
}

void
timeline_focus(struct app *a, int64_t ts, int64_t thread)
{
    struct view *v = &a->views[2];
    app_switch(a, 2);
    if (thread >= 0)
        for (long i = 0; i < v->rows.n; i++)
            if (v->rows.v[i].key == thread) {
                v->cur = i;
                if (v->top > i || i >= v->top + body_height())
                    v->top = i;
                break;
            }
    tl.t0 = ts - tl.span / 2;
    clamp(a);
    tl.cx = (int)((ts - tl.t0) / ns_per_col());
    clamp(a);
}

const struct view_ops view_timeline_ops = {
    .name = "timeline",
    .title = "Timeline",
    .load = load,
    .draw = draw,
    .act = act,
    .filter = set_filter,
    .status = status,
    .sorts = sorts,
};
