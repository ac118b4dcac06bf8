/*
 * view_lockgraph.c - view 6: the lock-order graph as its edges ("held ->
 * taken"), marking with C the edges of a lock_order_cycle finding; Enter
 * shows where both locks were taken.
 */
#include "tui.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

/* Whether some lock_order_cycle finding names both locks. */
static bool
in_cycle(struct app *a, int64_t from, int64_t to)
{
    for (size_t i = 0; i < a->found.n; i++) {
        const struct gct_finding *f = &a->found.v[i];
        if (strcmp(f->kind, "lock_order_cycle"))
            continue;
        bool hf = false, ht = false;
        for (size_t k = 0; k < f->nobjects; k++) {
            hf |= f->objects[k].id == from;
            ht |= f->objects[k].id == to;
        }
        if (hf && ht)
            return true;
    }
    return false;
}

static void
load(struct app *a, struct view *v)
{
    char from[128], to[128], who[128], where[256];

    snprintf(v->header, sizeof v->header, "C %-20s    %-20s %-14s %s",
             "HELD", "TAKEN", "THREAD", "TAKEN AT");
    sqlite3_stmt *st = tui_prepare(a,
        "SELECT id, from_id, to_id, thread_id, ts, stack_id "
        "FROM lock_edges ORDER BY id");
    if (st == NULL)
        return;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t f = sqlite3_column_int64(st, 1), t = sqlite3_column_int64(st, 2);
        object_label(a, f, from, sizeof from);
        object_label(a, t, to, sizeof to);
        thread_label(a, sqlite3_column_int64(st, 3), who, sizeof who);
        stack_where(a, sqlite3_column_int64(st, 5), where, sizeof where);
        bool cyc = in_cycle(a, f, t);
        int attr = cyc ? (a->color ? COLOR_PAIR(TUI_C_SEV3) : 0) | A_BOLD : 0;
        rows_add(&v->rows, sqlite3_column_int64(st, 0), attr,
                 "%c %-20.20s -> %-20.20s %-14.14s %s", cyc ? 'C' : ' ',
                 from, to, who, where);
        rows_last(&v->rows)->ts = sqlite3_column_int64(st, 4);
        rows_last(&v->rows)->thread = sqlite3_column_int64(st, 3);
    }
    sqlite3_finalize(st);
}

static void
open_edge(struct app *a, struct view *v)
{
    struct rows *r = &a->pane.rows;
    char from[128], to[128], who[128], t1[32];

    sqlite3_stmt *st = tui_prepare(a,
        "SELECT e.from_id, e.to_id, e.thread_id, e.ts, e.stack_id, "
        "f.function, f.file, f.line, e.gate_ids "
        "FROM lock_edges e LEFT JOIN frames f ON f.id = e.from_frame "
        "WHERE e.id = ?");
    if (st == NULL)
        return;
    sqlite3_bind_int64(st, 1, v->rows.v[v->cur].key);
    if (sqlite3_step(st) == SQLITE_ROW) {
        int64_t f = sqlite3_column_int64(st, 0), t = sqlite3_column_int64(st, 1);
        object_label(a, f, from, sizeof from);
        object_label(a, t, to, sizeof to);
        thread_label(a, sqlite3_column_int64(st, 2), who, sizeof who);
        pane_open(a, "lock order: %s -> %s (q closes)", from, to);
        rows_add(r, -1, A_BOLD, "%s taken while holding %s", to, from);
        rows_last(r)->ts = sqlite3_column_int64(st, 3);
        rows_last(r)->thread = sqlite3_column_int64(st, 2);
        rows_add(r, -1, 0, "  first by thread %s at %s", who,
                 fmt_ns(t1, sizeof t1, sqlite3_column_int64(st, 3)));
        if (in_cycle(a, f, t))
            rows_add(r, -1, A_BOLD, "  C: part of a lock-order cycle "
                     "(see the findings, 1)");
        if (*col_text(st, 8))
            rows_add(r, -1, 0, "  other locks held then: %s",
                     col_text(st, 8));
        rows_add(r, -1, A_BOLD, "%s was taken at", from);
        if (sqlite3_column_type(st, 5) != SQLITE_NULL)
            rows_add(r, -1, 0, "    %s %s:%d", col_text(st, 5),
                     col_text(st, 6), sqlite3_column_int(st, 7));
        else
            rows_add(r, -1, 0, "    (not recorded)");
        rows_add(r, -1, A_BOLD, "%s taken here", to);
        rows_stack(a, r, sqlite3_column_int64(st, 4));
    }
    sqlite3_finalize(st);
}

const struct view_ops view_lockgraph_ops = {
    .name = "lock order",
    .title = "Lock-order graph",
    .load = load,
    .open = open_edge,
};
