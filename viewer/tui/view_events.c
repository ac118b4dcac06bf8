/*
 * view_events.c - view 7: the raw event log, paged.
 *
 * The events table can hold tens of millions of rows, so this view never
 * loads it: it keeps one page of rows around the screen and fetches the
 * next by id.  Ids are the table's rowids, assigned in time order without
 * gaps by the finisher, so without a filter row N is id min+N (no OFFSET
 * scan); with a filter it falls back to LIMIT/OFFSET over the filtered
 * rows.  Search runs in SQL from the current id.
 *
 * The filter (`\`) is "thread:X" (a tid, or a thread name substring),
 * "object:X" (an object id, or a name substring) or a kind name substring;
 * each becomes a list of ids, so the query is an IN over an indexed column.
 */
#include "tui.h"

#include "actions.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
    int64_t min_id, max_id;
    char where[4096];   /* "e.col IN (...)" when filtered, "" otherwise */
    bool dense;         /* the filter keeps more than 1 in 50 events */
    long page_start;    /* position of rows.v[0] */
} ev;

#define COLUMNS \
    "SELECT e.id, e.ts, e.thread_id, t.tid, " GCT_THREAD_NAME_SQL("t") ", " \
    "coalesce(k.name, e.kind), e.object_id, o.kind, o.name, o.addr, e.a, " \
    "e.b, coalesce(e.text, ''), e.stack_id FROM events e " \
    "LEFT JOIN threads t ON t.id = e.thread_id " \
    "LEFT JOIN event_kinds k ON k.kind = e.kind " \
    "LEFT JOIN objects o ON o.id = e.object_id "

static int64_t
scalar(struct app *a, const char *sql, int64_t dflt)
{
    sqlite3_stmt *st = tui_prepare(a, sql);
    int64_t v = dflt;
    if (st && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void
load(struct app *a, struct view *v)
{
    char sql[4200];

    snprintf(v->header, sizeof v->header, "%8s %10s %-14s %-13s %-20s %s",
             "ID", "TIME", "THREAD", "KIND", "OBJECT", "A B TEXT");
    ev.min_id = scalar(a, "SELECT min(id) FROM events", 1);
    ev.max_id = scalar(a, "SELECT max(id) FROM events", 0);
    if (ev.where[0]) {
        snprintf(sql, sizeof sql, "SELECT count(*) FROM events e WHERE %s",
                 ev.where);
        v->total = scalar(a, sql, 0);
        ev.dense = v->total * 50 > ev.max_id - ev.min_id + 1;
    } else {
        v->total = ev.max_id >= ev.min_id ? ev.max_id - ev.min_id + 1 : 0;
    }
    ev.page_start = 0;
}

static void
add_event(struct app *a, struct rows *r, sqlite3_stmt *st)
{
    char t1[32], who[64], obj[96];

    (void)a;
    if (sqlite3_column_type(st, 2) != SQLITE_NULL)
        snprintf(who, sizeof who, "%lld %s",
                 (long long)sqlite3_column_int64(st, 3), col_text(st, 4));
    else
        snprintf(who, sizeof who, "-");
    if (sqlite3_column_type(st, 6) == SQLITE_NULL)
        snprintf(obj, sizeof obj, "-");
    else if (*col_text(st, 8))
        snprintf(obj, sizeof obj, "%s %s", col_text(st, 7), col_text(st, 8));
    else
        snprintf(obj, sizeof obj, "%s 0x%llx", col_text(st, 7),
                 (unsigned long long)sqlite3_column_int64(st, 9));
    rows_add(r, sqlite3_column_int64(st, 0), 0,
             "%8lld %10s %-14.14s %-13.13s %-20.20s %lld %lld %s",
             (long long)sqlite3_column_int64(st, 0),
             fmt_ns(t1, sizeof t1, sqlite3_column_int64(st, 1)), who,
             col_text(st, 5), obj, (long long)sqlite3_column_int64(st, 10),
             (long long)sqlite3_column_int64(st, 11), col_text(st, 12));
    rows_last(r)->ts = sqlite3_column_int64(st, 1);
    rows_last(r)->thread = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 :
        sqlite3_column_int64(st, 2);
}

/* Adds to r up to n filtered events after (dir > 0) or before id `from`,
 * nearest first.  A filter that keeps many events scans by id (the `+`
 * keeps sqlite off the column's index, which would sort every match); a
 * sparse one reads its few matches through the index. */
static void
fetch_keyset(struct app *a, struct rows *r, int64_t from, int dir, long n)
{
    char sql[4800];

    snprintf(sql, sizeof sql, COLUMNS "WHERE %s%s AND e.id %s ?2 "
             "ORDER BY e.id %s LIMIT ?1", ev.dense ? "+" : "", ev.where,
             dir > 0 ? ">" : "<", dir > 0 ? "ASC" : "DESC");
    sqlite3_stmt *st = tui_prepare(a, sql);
    if (st == NULL)
        return;
    sqlite3_bind_int64(st, 1, n);
    sqlite3_bind_int64(st, 2, from);
    while (sqlite3_step(st) == SQLITE_ROW)
        add_event(a, r, st);
    sqlite3_finalize(st);
}

static void
reverse(struct rows *r, long from)
{
    for (long i = from, j = r->n - 1; i < j; i++, j--) {
        struct row t = r->v[i];
        r->v[i] = r->v[j];
        r->v[j] = t;
    }
}

static void
copy_rows(struct rows *to, const struct rows *from, long i, long end)
{
    for (; i < end && i < from->n; i++) {
        rows_add(to, from->v[i].key, from->v[i].attr, "%s", from->v[i].text);
        rows_last(to)->ts = from->v[i].ts;
        rows_last(to)->thread = from->v[i].thread;
    }
}

/* Filtered paging: positions have no ids, so a page is read next to the
 * page held (by id, keyset paging) or from either end; only a far jump
 * falls back to OFFSET, which counts every match before it. */
static void
fetch_filtered(struct app *a, struct view *v, long from, long n)
{
    struct rows *old = &v->rows, page = {0};
    long ps = ev.page_start, cnt = old->n;

    if (from == 0) {
        fetch_keyset(a, &page, ev.min_id - 1, 1, n);
    } else if (from + n >= v->total) {
        fetch_keyset(a, &page, ev.max_id + 1, -1, v->total - from);
        reverse(&page, 0);
    } else if (cnt && from >= ps && from <= ps + cnt) {
        copy_rows(&page, old, from - ps, cnt);
        fetch_keyset(a, &page, old->v[cnt - 1].key, 1, n - page.n);
    } else if (cnt && from < ps && ps - from <= n) {
        fetch_keyset(a, &page, old->v[0].key, -1, ps - from);
        reverse(&page, 0);
        copy_rows(&page, old, 0, n - page.n);
    } else {
        char sql[4600];
        snprintf(sql, sizeof sql, COLUMNS "WHERE %s ORDER BY e.id "
                 "LIMIT ?1 OFFSET ?2", ev.where);
        sqlite3_stmt *st = tui_prepare(a, sql);
        if (st) {
            sqlite3_bind_int64(st, 1, n);
            sqlite3_bind_int64(st, 2, from);
            while (sqlite3_step(st) == SQLITE_ROW)
                add_event(a, &page, st);
            sqlite3_finalize(st);
        }
    }
    rows_clear(old);
    *old = page;
    ev.page_start = from;
}

/* Makes rows hold positions [from, from + n) (or up to the end). */
static void
fetch(struct app *a, struct view *v, long from, long n)
{
    if (ev.where[0]) {
        fetch_filtered(a, v, from, n);
        return;
    }
    rows_clear(&v->rows);
    ev.page_start = from;
    sqlite3_stmt *st = tui_prepare(a, COLUMNS "WHERE e.id >= ?2 "
                                   "ORDER BY e.id LIMIT ?1");
    if (st == NULL)
        return;
    sqlite3_bind_int64(st, 1, n);
    sqlite3_bind_int64(st, 2, ev.min_id + from);
    while (sqlite3_step(st) == SQLITE_ROW)
        add_event(a, &v->rows, st);
    sqlite3_finalize(st);
}

static struct row *
row_at(struct app *a, struct view *v, long pos)
{
    int h = body_height();
    if (pos < ev.page_start || pos >= ev.page_start + v->rows.n) {
        long from = pos - h / 2 > 0 ? pos - h / 2 : 0;
        fetch(a, v, from, 3L * h);
    }
    long i = pos - ev.page_start;
    return i >= 0 && i < v->rows.n ? &v->rows.v[i] : NULL;
}

static void
draw(struct app *a, struct view *v, int y, int h)
{
    if (v->total == 0) {
        mvaddnstr(y, 1, ev.where[0] ? "(no events match the filter)" :
                  "(no events in this trace)", COLS - 1);
        return;
    }
    /* Fetch when the screen leaves the page: one query per page. */
    if (v->top < ev.page_start ||
        (v->top + h > ev.page_start + v->rows.n &&
         ev.page_start + v->rows.n < v->total))
        fetch(a, v, v->top > h ? v->top - h : 0, 3L * h);
    for (int i = 0; i < h; i++) {
        long pos = v->top + i, idx = pos - ev.page_start;
        if (idx < 0 || idx >= v->rows.n)
            break;
        int attr = pos == v->cur ? (int)(A_REVERSE | A_BOLD) :
            v->rows.v[idx].attr;
        attrset(attr);
        mvhline(y + i, 0, ' ', COLS);
        mvaddnstr(y + i, 0, v->rows.v[idx].text, COLS);
        attrset(A_NORMAL);
    }
}

/* The position of event id among the view's rows. */
static long
position_of(struct app *a, int64_t id)
{
    char sql[4200];
    if (!ev.where[0])
        return (long)(id - ev.min_id);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM events e WHERE %s "
             "AND e.id < %lld", ev.where, (long long)id);
    return (long)scalar(a, sql, 0);
}

static long
search(struct app *a, struct view *v, const char *text, int dir)
{
    char sql[5200], pat[300];
    struct row *r = row_at(a, v, v->cur);
    int64_t cur_id = r ? r->key : ev.min_id - 1;

    snprintf(pat, sizeof pat, "%%%s%%", text);
    for (int pass = 0; pass < 2; pass++) {
        snprintf(sql, sizeof sql, COLUMNS
                 "WHERE e.id %s ?1 %s%s%s AND (k.name LIKE ?2 "
                 "OR o.name LIKE ?2 OR o.kind LIKE ?2 OR t.name LIKE ?2 "
                 "OR e.text LIKE ?2 "
                 "OR CAST(t.tid AS TEXT) = ?3) ORDER BY e.id %s LIMIT 1",
                 dir > 0 ? ">" : "<", ev.where[0] ? "AND (" : "",
                 ev.where, ev.where[0] ? ")" : "", dir > 0 ? "ASC" : "DESC");
        sqlite3_stmt *st = tui_prepare(a, sql);
        if (st == NULL)
            return -1;
        /* The second pass wraps around from the other end. */
        int64_t from = pass == 0 ? cur_id :
            dir > 0 ? ev.min_id - 1 : ev.max_id + 1;
        sqlite3_bind_int64(st, 1, from);
        sqlite3_bind_text(st, 2, pat, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, text, -1, SQLITE_TRANSIENT);
        int64_t id = -1;
        if (sqlite3_step(st) == SQLITE_ROW)
            id = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        if (id >= 0)
            return position_of(a, id);
    }
    return -1;
}

/* Sets ev.where to "col IN (-1,ids...)" with the ids sql returns for
 * ?1 = "%text%" and ?2 = text as a number (or NULL when it is not one). */
static void
id_list(struct app *a, const char *col, const char *sql, const char *text)
{
    char pat[160], *end;
    size_t n = (size_t)snprintf(ev.where, sizeof ev.where, "%s IN (-1",
                                col);
    sqlite3_stmt *st = tui_prepare(a, sql);

    snprintf(pat, sizeof pat, "%%%s%%", text);
    long long num = strtoll(text, &end, 10);
    if (st) {
        sqlite3_bind_text(st, 1, pat, -1, SQLITE_TRANSIENT);
        if (*text && *end == 0)
            sqlite3_bind_int64(st, 2, num);
        /* A list that would overflow stops short: the filter then shows
         * the first few thousand matches' events, not a wrong query. */
        while (sqlite3_step(st) == SQLITE_ROW && n + 24 < sizeof ev.where)
            n += (size_t)snprintf(ev.where + n, sizeof ev.where - n,
                                  ",%lld", (long long)
                                  sqlite3_column_int64(st, 0));
        sqlite3_finalize(st);
    }
    snprintf(ev.where + n, sizeof ev.where - n, ")");
}

static void
set_filter(struct app *a, struct view *v, const char *text)
{
    ev.where[0] = 0;
    if (text == NULL)
        ;
    else if (!strncmp(text, "thread:", 7))
        id_list(a, "e.thread_id", "SELECT id FROM threads "
                "WHERE tid = ?2 OR coalesce(name, '') LIKE ?1", text + 7);
    else if (!strncmp(text, "object:", 7))
        id_list(a, "e.object_id", "SELECT id FROM objects "
                "WHERE id = ?2 OR coalesce(name, '') LIKE ?1", text + 7);
    else
        id_list(a, "e.kind", "SELECT kind FROM event_kinds "
                "WHERE name LIKE ?1", text);
    rows_clear(&v->rows);
    load(a, v);
    v->cur = v->top = 0;
}

static void
event_pane(struct app *a, struct row *r)
{
    struct rows *p = &a->pane.rows;
    char t1[32];

    sqlite3_stmt *st = tui_prepare(a, COLUMNS "WHERE e.id = ?");
    if (st == NULL)
        return;
    sqlite3_bind_int64(st, 1, r->key);
    if (sqlite3_step(st) == SQLITE_ROW) {
        pane_open(a, "event %lld (t: show in timeline, q closes)",
                  (long long)r->key);
        rows_add(p, r->key, A_BOLD, "event %lld: %s at %s",
                 (long long)r->key, col_text(st, 5),
                 fmt_ns(t1, sizeof t1, sqlite3_column_int64(st, 1)));
        rows_last(p)->ts = r->ts;
        rows_last(p)->thread = r->thread;
        rows_add(p, -1, 0, "  thread %lld %s",
                 (long long)sqlite3_column_int64(st, 3), col_text(st, 4));
        if (sqlite3_column_type(st, 6) != SQLITE_NULL)
            rows_add(p, -1, 0, "  object %s %s 0x%llx", col_text(st, 7),
                     col_text(st, 8),
                     (unsigned long long)sqlite3_column_int64(st, 9));
        rows_add(p, -1, 0, "  a = %lld, b = %lld (see common/event.h)",
                 (long long)sqlite3_column_int64(st, 10),
                 (long long)sqlite3_column_int64(st, 11));
        if (*col_text(st, 12))
            rows_add(p, -1, 0, "  text: %s", col_text(st, 12));
        if (sqlite3_column_type(st, 13) != SQLITE_NULL) {
            rows_add(p, -1, A_BOLD, "Stack");
            rows_stack(a, p, sqlite3_column_int64(st, 13));
        }
    }
    sqlite3_finalize(st);
}

static bool
act(struct app *a, struct view *v, int action, int key)
{
    (void)key;
    struct row *r;
    switch (action) {
    case ACT_OPEN:
        if ((r = row_at(a, v, v->cur)) != NULL)
            event_pane(a, r);
        return true;
    case ACT_TIMELINE:
        if ((r = row_at(a, v, v->cur)) != NULL)
            timeline_focus(a, r->ts, r->thread);
        return true;
    }
    return false;
}

const struct view_ops view_events_ops = {
    .name = "events",
    .title = "Events",
    .load = load,
    .draw = draw,
    .act = act,
    .search = search,
    .filter = set_filter,
};
