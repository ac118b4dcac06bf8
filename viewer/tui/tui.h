/*
 * tui.h - the terminal viewer's shared types (`gctrace view`).
 *
 * The viewer is one app (app.c) holding seven views and at most one open
 * pane (details, or help).  Most views are lists of preformatted rows that
 * the app scrolls, searches and draws; the views only say how to load their
 * rows and what Enter opens (tig's per-view ops).  The events view pages
 * through the events table instead of loading it, and the timeline draws
 * its own body.  Every key goes through the one action table (actions.c).
 */
#ifndef GCT_TUI_H
#define GCT_TUI_H

#include "analysis.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

/* One line of a list or pane.  ts and thread (-1 when none) let `t` jump
 * to the timeline at the moment a row is about. */
struct row {
    char *text;
    int64_t key;    /* the view's id for the row (thread id, object id...) */
    int64_t ts;
    int64_t thread;
    int attr;       /* curses attribute (colour pair, bold), 0 for plain */
};

struct rows {
    struct row *v;
    long n, cap;
};

struct app;
struct view;

struct view_ops {
    const char *name;   /* status line: "[threads]" */
    const char *title;  /* header line, also what `?` lists */
    /* Fills v->rows (and v->header) from the trace. */
    void (*load)(struct app *a, struct view *v);
    /* Enter on the current row: usually opens a pane. */
    void (*open)(struct app *a, struct view *v);
    /* Optional: draws the body itself (h lines from y). */
    void (*draw)(struct app *a, struct view *v, int y, int h);
    /* Optional: handles an action first; returns true when it did. */
    bool (*act)(struct app *a, struct view *v, int action, int key);
    /* Optional: the row to move to for a search from cur; -1 none. */
    long (*search)(struct app *a, struct view *v, const char *text, int dir);
    /* Optional: sets a filter (NULL clears). */
    void (*filter)(struct app *a, struct view *v, const char *text);
    /* Optional: status line text after the position. */
    void (*status)(struct app *a, struct view *v, char *buf, size_t len);
    /* Sortable columns, NULL-terminated; `s` cycles, `I` inverts. */
    const char *const *sorts;
};

struct view {
    const struct view_ops *ops;
    struct rows rows;
    char header[512];
    long cur, top;
    long total;        /* rows in the view (paged views: in the trace) */
    int sort;          /* index into ops->sorts */
    bool sort_invert;
    char filter[128];
    bool loaded;
    void *priv;
};

/* A pane over the current view: details of one row, or the help. */
struct pane {
    bool open;
    char title[256];
    struct rows rows;
    long cur, top;
};

#define TUI_NVIEWS 7

struct app {
    sqlite3 *db;
    const char *trace;
    struct gct_findings found;
    size_t *order;           /* findings, most severe first */
    struct view views[TUI_NVIEWS];
    int active, previous;
    struct pane pane;
    char search[128];
    char msg[256];           /* one-off status message */
    bool color, utf8;
    bool incomplete, killed;
    bool record_all;         /* record=all: every send, receive, hold */
    int64_t duration_ns;
    bool quit;
};

/* Colour pairs (used only when has_colors()). */
enum {
    TUI_C_TITLE = 1, TUI_C_HEADER, TUI_C_SEV3, TUI_C_SEV2, TUI_C_MARK,
    TUI_C_LOCK, TUI_C_COND, TUI_C_CHAN, TUI_C_JOIN, TUI_C_OTHER, TUI_C_RUN,
};

/* rows.c: rows, formatting, queries. */
void rows_add(struct rows *r, int64_t key, int attr, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
struct row *rows_last(struct rows *r);
void rows_clear(struct rows *r);
/* Adds text wrapped at width, each line after the first indented. */
void rows_wrap(struct rows *r, const char *text, int width, int indent);
/* Adds one row per frame of stack_id: "  #i function file:line". */
void rows_stack(struct app *a, struct rows *r, int64_t stack_id);
/* "12.345ms" style; buf of at least 24 bytes. */
const char *fmt_ns(char *buf, size_t len, int64_t ns);
/* First frame of a stack outside libgoc, "file:line function", or "-". */
void stack_where(struct app *a, int64_t stack_id, char *buf, size_t len);
/* An object's label: its name, or "kind 0x...". */
void object_label(struct app *a, int64_t obj, char *buf, size_t len);
/* A thread's label: "tid name". */
void thread_label(struct app *a, int64_t thread, char *buf, size_t len);
/* Prepares sql, failing with a status message. */
sqlite3_stmt *tui_prepare(struct app *a, const char *sql);
const char *col_text(sqlite3_stmt *st, int i);
bool contains_ci(const char *hay, const char *needle);
/* meta value as an integer, or dflt. */
int64_t meta_int(struct app *a, const char *key, int64_t dflt);

/* app.c */
int tui_run(struct app *a);
void app_message(struct app *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Opens a pane; fill a->pane.rows after. */
void pane_open(struct app *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void app_switch(struct app *a, int view);
/* Body size for the current terminal. */
int body_height(void);
/* Shows the timeline at ts with thread's lane selected (-1: keep). */
void timeline_focus(struct app *a, int64_t ts, int64_t thread);
/* A pane about a thread (threads view; timeline and findings reuse it). */
void thread_pane(struct app *a, int64_t thread);
/* A pane about an object: made where, who waited, lock order (locks and
 * channels views). */
void object_pane(struct app *a, int64_t obj);

/* The views, in digit order. */
extern const struct view_ops view_findings_ops, view_threads_ops,
    view_timeline_ops, view_locks_ops, view_channels_ops,
    view_lockgraph_ops, view_events_ops;

#endif
