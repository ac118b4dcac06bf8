/*
 * app.c - the viewer's frame and key loop: title line, header, body,
 * tig-style status line; list movement, search, filter and sort for every
 * list view; the pane (details and help); the too-small screen; resize.
 *
 * Redraw policy lives here alone: the loop redraws the whole screen after
 * every key (curses sends only what changed), so actions never draw.
 */
#include "tui.h"

#include "actions.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_COLS 60
#define MIN_LINES 15

static const struct view_ops *const all_views[TUI_NVIEWS] = {
    &view_findings_ops, &view_threads_ops, &view_timeline_ops,
    &view_locks_ops, &view_channels_ops, &view_lockgraph_ops,
    &view_events_ops,
};

void
app_message(struct app *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->msg, sizeof a->msg, fmt, ap);
    va_end(ap);
}

void
pane_open(struct app *a, const char *fmt, ...)
{
    va_list ap;
    rows_clear(&a->pane.rows);
    va_start(ap, fmt);
    vsnprintf(a->pane.title, sizeof a->pane.title, fmt, ap);
    va_end(ap);
    a->pane.cur = a->pane.top = 0;
    a->pane.open = true;
}

int
body_height(void)
{
    return LINES - 3; /* title, header and status lines */
}

static bool
too_small(void)
{
    return COLS < MIN_COLS || LINES < MIN_LINES;
}

static void
load(struct app *a, struct view *v)
{
    long cur = v->cur;
    rows_clear(&v->rows);
    v->ops->load(a, v);
    if (!v->ops->search) /* paged views count their own rows */
        v->total = v->rows.n;
    v->cur = cur < v->total ? cur : (v->total ? v->total - 1 : 0);
    if (v->top > v->cur)
        v->top = v->cur;
    v->loaded = true;
}

void
app_switch(struct app *a, int i)
{
    if (i < 0 || i >= TUI_NVIEWS)
        return;
    a->pane.open = false;
    if (i != a->active) {
        a->previous = a->active;
        a->active = i;
    }
    if (!a->views[i].loaded)
        load(a, &a->views[i]);
}

/* One screen line: spaces to the right edge in attr, then text. */
static void
line_at(int y, int x, const char *text, int attr)
{
    attrset(attr);
    mvhline(y, x, ' ', COLS - x);
    mvaddnstr(y, x, text, COLS - x);
    attrset(A_NORMAL);
}

static void
draw_rows(struct rows *r, long cur, long top, int y, int h, bool show_cur)
{
    for (int i = 0; i < h; i++) {
        long idx = top + i;
        if (idx >= r->n) {
            move(y + i, 0);
            clrtoeol();
            continue;
        }
        int attr = r->v[idx].attr;
        if (show_cur && idx == cur)
            attr = A_REVERSE | A_BOLD;
        line_at(y + i, 0, r->v[idx].text, attr);
    }
}

static void
draw_title(struct app *a)
{
    char left[512], right[128] = "";
    const char *dash = a->utf8 ? "\xe2\x80\x94" : "-";
    int extra = a->utf8 ? 4 : 0; /* two 3-byte dashes, one column each */

    snprintf(left, sizeof left, "gctrace view %s %s %s press ? for help",
             dash, a->trace, dash);
    size_t n = strlen(right);
    snprintf(right + n, sizeof right - n, "[%zu finding%s]", a->found.n,
             a->found.n == 1 ? "" : "s");
    if (a->incomplete)
        strncat(right, " [incomplete]", sizeof right - strlen(right) - 1);
    if (a->killed)
        strncat(right, " [killed]", sizeof right - strlen(right) - 1);
    int attr = a->color ? COLOR_PAIR(TUI_C_TITLE) | A_BOLD : A_REVERSE;
    line_at(0, 0, left, attr);
    int rx = COLS - (int)strlen(right) - 1;
    if (rx > (int)strlen(left) - extra) {
        attrset(attr);
        mvaddstr(0, rx, right);
        attrset(A_NORMAL);
    }
}

static void
draw_status(struct app *a, struct view *v)
{
    char buf[512], extra[256] = "";
    long cur, total;
    const char *name;

    if (a->pane.open) {
        name = "pane";
        cur = a->pane.cur;
        total = a->pane.rows.n;
    } else {
        name = v->ops->name;
        cur = v->cur;
        total = v->total;
        if (v->ops->status)
            v->ops->status(a, v, extra, sizeof extra);
    }
    int pct = total ? (int)((cur + 1) * 100 / total) : 0;
    int n = snprintf(buf, sizeof buf, "[%s] %ld of %ld %d%%", name,
                     total ? cur + 1 : 0, total, pct);
    if (!a->pane.open && v->ops->sorts)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "  sort: %s%s",
                      v->ops->sorts[v->sort], v->sort_invert ? " (inv)" : "");
    if (!a->pane.open && v->filter[0])
        n += snprintf(buf + n, sizeof buf - (size_t)n, "  filter: %s",
                      v->filter);
    if (extra[0])
        snprintf(buf + n, sizeof buf - (size_t)n, "  %s", extra);
    int attr = A_REVERSE;
    line_at(LINES - 1, 0, buf, attr);
    const char *right = a->msg[0] ? a->msg : "? help  q quit";
    int rx = COLS - (int)strlen(right) - 1;
    if (a->msg[0] || rx > (int)strlen(buf) + 1) {
        if (rx < 0)
            rx = 0;
        attrset(attr | (a->msg[0] ? A_BOLD : 0));
        mvaddnstr(LINES - 1, rx, right, COLS - rx);
        attrset(A_NORMAL);
    }
}

static void
draw(struct app *a)
{
    erase();
    if (too_small()) {
        mvaddnstr(LINES / 2, 0, "terminal too small, q to quit", COLS);
        char buf[64];
        snprintf(buf, sizeof buf, "(%dx%d; needs %dx%d)", COLS, LINES,
                 MIN_COLS, MIN_LINES);
        mvaddnstr(LINES / 2 + 1, 0, buf, COLS);
        refresh();
        return;
    }
    struct view *v = &a->views[a->active];
    draw_title(a);
    int h = body_height();
    if (a->pane.open) {
        line_at(1, 0, a->pane.title, A_BOLD | A_UNDERLINE);
        draw_rows(&a->pane.rows, a->pane.cur, a->pane.top, 2, h, true);
    } else {
        char hdr[600];
        snprintf(hdr, sizeof hdr, "%s", v->header);
        line_at(1, 0, hdr, A_BOLD | A_UNDERLINE);
        if (v->ops->draw)
            v->ops->draw(a, v, 2, h);
        else if (v->total == 0)
            mvaddnstr(2, 1, "(nothing here in this trace)", COLS - 1);
        else
            draw_rows(&v->rows, v->cur, v->top, 2, h, true);
    }
    draw_status(a, v);
    refresh();
}

/* Movement shared by lists and the pane.  Returns whether act moved. */
static bool
navigate(long *cur, long *top, long total, int act)
{
    int h = body_height();
    long c = *cur;
    switch (act) {
    case ACT_DOWN: c++; break;
    case ACT_UP: c--; break;
    case ACT_PGDN: c += h; break;
    case ACT_PGUP: c -= h; break;
    case ACT_FIRST: c = 0; break;
    case ACT_LAST: c = total - 1; break;
    default: return false;
    }
    if (c >= total)
        c = total - 1;
    if (c < 0)
        c = 0;
    if (act == ACT_PGDN || act == ACT_PGUP)
        *top += c - *cur; /* the page scrolls with the cursor */
    *cur = c;
    if (*top > c)
        *top = c;
    if (*top <= c - h)
        *top = c - h + 1;
    if (*top > total - h)
        *top = total - h;
    if (*top < 0)
        *top = 0;
    if (*top > c)
        *top = c;
    return true;
}

/* Reads a line on the status line; false when Esc cancelled it. */
static bool
prompt(struct app *a, const char *label, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = 0;
    curs_set(1);
    for (;;) {
        if (too_small())
            break;
        line_at(LINES - 1, 0, label, A_NORMAL);
        mvaddnstr(LINES - 1, (int)strlen(label), buf, COLS - 1 -
                  (int)strlen(label));
        refresh();
        int ch = getch();
        if (ch == KEY_RESIZE) {
            draw(a);
            continue;
        }
        if (ch == 27) {
            curs_set(0);
            return false;
        }
        if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
            break;
        if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
            if (n > 0)
                buf[--n] = 0;
        } else if (ch >= 32 && ch < 256 && n + 1 < len) {
            buf[n++] = (char)ch;
            buf[n] = 0;
        }
    }
    curs_set(0);
    return true;
}

static long
search_rows(struct rows *r, long cur, const char *text, int dir)
{
    for (long i = 1; i <= r->n; i++) {
        long idx = ((cur + dir * i) % r->n + r->n) % r->n;
        if (contains_ci(r->v[idx].text, text))
            return idx;
    }
    return -1;
}

static void
search(struct app *a, int dir)
{
    struct view *v = &a->views[a->active];
    long found;

    if (!a->search[0]) {
        app_message(a, "no search yet: press /");
        return;
    }
    if (a->pane.open)
        found = search_rows(&a->pane.rows, a->pane.cur, a->search, dir);
    else if (v->ops->search)
        found = v->ops->search(a, v, a->search, dir);
    else
        found = search_rows(&v->rows, v->cur, a->search, dir);
    if (found < 0) {
        app_message(a, "not found: %s", a->search);
        return;
    }
    long *cur = a->pane.open ? &a->pane.cur : &v->cur;
    long *top = a->pane.open ? &a->pane.top : &v->top;
    long total = a->pane.open ? a->pane.rows.n : v->total;
    *cur = found;
    if (*top > found || found >= *top + body_height()) {
        *top = found - body_height() / 2;
        if (*top > total - body_height())
            *top = total - body_height();
        if (*top < 0)
            *top = 0;
    }
    app_message(a, "found: %s", a->search);
}

static void
help(struct app *a)
{
    const char *group = "";
    char keys[128], kb[16];

    pane_open(a, "Help: keys (q or Esc closes)");
    for (int i = 0; i < tui_nactions; i++) {
        const struct action_def *d = &tui_actions[i];
        if (strcmp(group, d->group)) {
            group = d->group;
            rows_add(&a->pane.rows, -1, A_BOLD, "%s", group);
        }
        keys[0] = 0;
        for (int k = 0; k < ACTION_MAXKEYS && d->keys[k]; k++) {
            const char *l = key_label(d->keys[k], kb, sizeof kb);
            if (l == NULL)
                continue;
            if (keys[0])
                strncat(keys, " ", sizeof keys - strlen(keys) - 1);
            strncat(keys, l, sizeof keys - strlen(keys) - 1);
        }
        char line[512];
        snprintf(line, sizeof line, "  %-22s %s", keys, d->help);
        rows_wrap(&a->pane.rows, line, COLS - 1, 25);
    }
    rows_add(&a->pane.rows, -1, A_BOLD, "Timeline letters");
    rows_add(&a->pane.rows, -1, 0, "  -  running          (blank) not alive");
    rows_add(&a->pane.rows, -1, 0, "  L  lock wait        C  condvar wait");
    rows_add(&a->pane.rows, -1, 0, "  S  channel send     R  channel receive");
    rows_add(&a->pane.rows, -1, 0, "  X  select           J  thread join");
    rows_add(&a->pane.rows, -1, 0, "  W  WaitGroup, semaphore, barrier, "
             "once, errgroup, limiter");
    rows_add(&a->pane.rows, -1, 0, "  D  context done     Z  sleep");
    rows_add(&a->pane.rows, -1, A_BOLD, "Flags");
    rows_add(&a->pane.rows, -1, 0, "  B  blocked at the end   "
             "L  alive at the end, not blocked");
    rows_add(&a->pane.rows, -1, 0, "  C  in a lock-order cycle   "
             "!  severity 3 (deadlock)");
}

static void
act_view(struct app *a, struct view *v, int act, int ch)
{
    char buf[128];

    if (v->ops->act && v->ops->act(a, v, act, ch))
        return;
    if (navigate(&v->cur, &v->top, v->total, act))
        return;
    switch (act) {
    case ACT_OPEN:
        if (v->ops->open && v->total > 0)
            v->ops->open(a, v);
        break;
    case ACT_BACK:
        if (v->filter[0] && v->ops->filter) {
            v->filter[0] = 0;
            v->ops->filter(a, v, NULL);
            app_message(a, "filter cleared");
        } else if (a->previous != a->active) {
            app_switch(a, a->previous);
        }
        break;
    case ACT_FILTER:
        if (!v->ops->filter) {
            app_message(a, "no filter in this view (timeline: 3, "
                        "events: 7)");
            break;
        }
        if (prompt(a, "filter (Esc cancels): \\", buf,
                   sizeof buf)) {
            snprintf(v->filter, sizeof v->filter, "%s", buf);
            v->ops->filter(a, v, buf[0] ? buf : NULL);
        }
        break;
    case ACT_SORT:
    case ACT_SORT_INVERT:
        if (!v->ops->sorts) {
            app_message(a, "no sort in this view (threads: 2, "
                        "timeline: 3, locks: 4)");
            break;
        }
        if (act == ACT_SORT_INVERT) {
            v->sort_invert = !v->sort_invert;
        } else {
            v->sort++;
            if (v->ops->sorts[v->sort] == NULL)
                v->sort = 0;
        }
        load(a, v);
        break;
    case ACT_TIMELINE:
        if (v->cur < v->rows.n && v->rows.v[v->cur].ts >= 0)
            timeline_focus(a, v->rows.v[v->cur].ts,
                           v->rows.v[v->cur].thread);
        else
            app_message(a, "this row has no moment to show");
        break;
    case ACT_CLASSES:
        app_message(a, "lock classes are in the locks view (4)");
        break;
    case ACT_ZOOM_IN:
    case ACT_ZOOM_OUT:
    case ACT_PAN_LEFT:
    case ACT_PAN_RIGHT:
        app_message(a, "zoom and pan work in the timeline (3)");
        break;
    case ACT_CLOSE:
        a->quit = true;
        break;
    }
}

static void
act_pane(struct app *a, int act)
{
    if (navigate(&a->pane.cur, &a->pane.top, a->pane.rows.n, act))
        return;
    switch (act) {
    case ACT_BACK:
    case ACT_CLOSE:
        a->pane.open = false;
        break;
    case ACT_TIMELINE: {
        struct row *r = a->pane.cur < a->pane.rows.n ?
            &a->pane.rows.v[a->pane.cur] : NULL;
        /* The pane's first row carries the moment of what it shows. */
        if (r == NULL || r->ts < 0)
            r = a->pane.rows.n ? &a->pane.rows.v[0] : NULL;
        if (r && r->ts >= 0)
            timeline_focus(a, r->ts, r->thread);
        else
            app_message(a, "this pane has no moment to show");
        break;
    }
    }
}

static void
dispatch(struct app *a, int act, int ch)
{
    struct view *v = &a->views[a->active];

    switch (act) {
    case ACT_QUIT:
        a->quit = true;
        return;
    case ACT_HELP:
        help(a);
        return;
    case ACT_REDRAW:
        clearok(curscr, TRUE);
        return;
    case ACT_NEXT_VIEW:
        app_switch(a, (a->active + 1) % TUI_NVIEWS);
        return;
    case ACT_PREV_VIEW:
        app_switch(a, (a->active + TUI_NVIEWS - 1) % TUI_NVIEWS);
        return;
    case ACT_VIEW1: case ACT_VIEW2: case ACT_VIEW3: case ACT_VIEW4:
    case ACT_VIEW5: case ACT_VIEW6: case ACT_VIEW7:
        app_switch(a, act - ACT_VIEW1);
        return;
    case ACT_SEARCH: {
        char buf[128];
        if (prompt(a, "search (Esc cancels): /", buf, sizeof buf) &&
            buf[0]) {
            snprintf(a->search, sizeof a->search, "%s", buf);
            search(a, 1);
        }
        return;
    }
    case ACT_SEARCH_NEXT:
        search(a, 1);
        return;
    case ACT_SEARCH_PREV:
        search(a, -1);
        return;
    }
    if (a->pane.open)
        act_pane(a, act);
    else
        act_view(a, v, act, ch);
}

static void
init_colors(struct app *a)
{
    a->color = has_colors();
    if (!a->color)
        return;
    start_color();
    int bg = use_default_colors() == OK ? -1 : COLOR_BLACK;
    init_pair(TUI_C_TITLE, COLOR_WHITE, COLOR_BLUE);
    init_pair(TUI_C_HEADER, COLOR_CYAN, bg);
    init_pair(TUI_C_SEV3, COLOR_RED, bg);
    init_pair(TUI_C_SEV2, COLOR_YELLOW, bg);
    init_pair(TUI_C_MARK, COLOR_MAGENTA, bg);
    init_pair(TUI_C_LOCK, COLOR_RED, bg);
    init_pair(TUI_C_COND, COLOR_YELLOW, bg);
    init_pair(TUI_C_CHAN, COLOR_CYAN, bg);
    init_pair(TUI_C_JOIN, COLOR_BLUE, bg);
    init_pair(TUI_C_OTHER, COLOR_MAGENTA, bg);
    init_pair(TUI_C_RUN, COLOR_GREEN, bg);
}

int
tui_run(struct app *a)
{
    /* newterm, unlike initscr, returns NULL on an unknown TERM instead of
     * exiting, so the caller can say why in its own words. */
    SCREEN *screen = newterm(NULL, stdout, stdin);
    if (screen == NULL)
        return -1;
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    init_colors(a);
    for (int i = 0; i < TUI_NVIEWS; i++)
        a->views[i].ops = all_views[i];
    a->active = a->previous = 0;
    app_switch(a, 0);
    while (!a->quit) {
        draw(a);
        int ch = getch();
        if (ch == KEY_RESIZE || ch == ERR)
            continue;
        if (too_small()) {
            if (ch == 'q' || ch == 'Q')
                break;
            continue;
        }
        a->msg[0] = 0;
        dispatch(a, action_for_key(ch), ch);
    }
    endwin();
    delscreen(screen);
    for (int i = 0; i < TUI_NVIEWS; i++)
        rows_clear(&a->views[i].rows);
    rows_clear(&a->pane.rows);
    return 0;
}
