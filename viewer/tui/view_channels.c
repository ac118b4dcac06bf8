/*
 * view_channels.c - view 5: channels (made where, capacity, sends and
 * receives, blocked operations, closed or not) and contexts (parent, kind,
 * how and why cancelled).  Enter opens the object's details.
 */
#include "tui.h"

#include "vocab.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

static void
load(struct app *a, struct view *v)
{
    char where[256], t1[32], parent[128];

    snprintf(v->header, sizeof v->header, "%-4s %-22s %s", "KIND", "NAME",
             "DETAILS / MADE AT");
    /* Sends and receives come from the events-by-object index; select
     * cases are counted once for all channels rather than per channel. */
    sqlite3_stmt *st = tui_prepare(a,
        "SELECT o.id, o.kind, coalesce(nullif(o.name, ''), "
        "printf('0x%x', o.addr)), o.capacity, o.closed_ns, o.create_stack, "
        "(SELECT count(*) FROM waits w WHERE w.object_id = o.id), "
        "(SELECT count(*) FROM events e WHERE e.object_id = o.id "
        "AND e.kind = " GCT_EV_KIND_SQL("chan_send") "), "
        "(SELECT count(*) FROM events e WHERE e.object_id = o.id "
        "AND e.kind = " GCT_EV_KIND_SQL("chan_recv") "), coalesce(sc.n, 0), "
        "o.parent_id, o.ctx_kind, o.cancel_ns, o.cancel_how, "
        "o.cancel_cause, o.created_ns "
        "FROM objects o LEFT JOIN (SELECT object_id, count(*) AS n "
        "FROM select_cases GROUP BY object_id) sc ON sc.object_id = o.id "
        "WHERE o.kind IN ('chan', 'ctx') ORDER BY o.kind, o.id");
    if (st == NULL)
        return;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *kind = col_text(st, 1);
        if (sqlite3_column_type(st, 5) != SQLITE_NULL)
            stack_where(a, sqlite3_column_int64(st, 5), where, sizeof where);
        else
            snprintf(where, sizeof where, "-");
        if (!strcmp(kind, "chan")) {
            bool closed = sqlite3_column_type(st, 4) != SQLITE_NULL;
            long long blocked = sqlite3_column_int64(st, 6);
            int attr = !closed && a->color ? COLOR_PAIR(TUI_C_SEV2) : 0;
            /* Sends and receives that did not block are recorded only
             * under record=all: 0 would be a lie otherwise. */
            char moved[96];
            if (a->record_all)
                snprintf(moved, sizeof moved, "%lld sent, %lld received",
                         (long long)sqlite3_column_int64(st, 7),
                         (long long)sqlite3_column_int64(st, 8));
            else
                snprintf(moved, sizeof moved, "sent/received: not recorded "
                                              "(record=all)");
            rows_add(&v->rows, sqlite3_column_int64(st, 0), attr,
                     "%-4s %-22.22s cap %lld, %s, %lld blocked (%lld in "
                     "select), %s  made at %s", kind, col_text(st, 2),
                     (long long)sqlite3_column_int64(st, 3),
                     closed ? "closed" : "never closed", blocked,
                     (long long)sqlite3_column_int64(st, 9), moved, where);
        } else {
            if (sqlite3_column_int64(st, 10) > 0)
                object_label(a, sqlite3_column_int64(st, 10), parent,
                             sizeof parent);
            else
                snprintf(parent, sizeof parent, "root");
            char cancel[128];
            if (sqlite3_column_type(st, 12) != SQLITE_NULL &&
                sqlite3_column_int64(st, 12) >= 0)
                snprintf(cancel, sizeof cancel,
                         "cancelled at %s (%s, cause %lld)",
                         fmt_ns(t1, sizeof t1, sqlite3_column_int64(st, 12)),
                         *col_text(st, 13) ? col_text(st, 13) : "?",
                         (long long)sqlite3_column_int64(st, 14));
            else
                snprintf(cancel, sizeof cancel, "never cancelled");
            int attr = cancel[0] == 'n' && a->color ?
                COLOR_PAIR(TUI_C_SEV2) : 0;
            rows_add(&v->rows, sqlite3_column_int64(st, 0), attr,
                     "%-4s %-22.22s %s, parent %s, %s  made at %s", kind,
                     col_text(st, 2), *col_text(st, 11) ? col_text(st, 11) :
                     "?", parent, cancel, where);
        }
        rows_last(&v->rows)->ts = sqlite3_column_int64(st, 15);
    }
    sqlite3_finalize(st);
}

static void
open_object(struct app *a, struct view *v)
{
    object_pane(a, v->rows.v[v->cur].key);
}

const struct view_ops view_channels_ops = {
    .name = "channels",
    .title = "Channels and contexts",
    .load = load,
    .open = open_object,
};
