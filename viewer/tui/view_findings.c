/*
 * view_findings.c - view 1: the analyses' findings, most severe first;
 * Enter opens one: its message, threads, objects and every stack.
 */
#include "tui.h"

#include <curses.h>
#include <stdlib.h>

static const char *
severity_word(int s)
{
    return s >= 3 ? "deadlock" : s == 2 ? "bug" : s == 1 ? "hygiene" : "info";
}

static int
severity_attr(struct app *a, int s)
{
    if (s >= 3)
        return (a->color ? COLOR_PAIR(TUI_C_SEV3) : 0) | A_BOLD;
    if (s == 2 && a->color)
        return COLOR_PAIR(TUI_C_SEV2);
    return 0;
}

static const struct gct_findings *sort_base;

static int
by_severity(const void *x, const void *y)
{
    size_t i = *(const size_t *)x, j = *(const size_t *)y;
    int d = sort_base->v[j].severity - sort_base->v[i].severity;
    if (d)
        return d;
    return i < j ? -1 : i > j; /* keep the analyses' order within a level */
}

static void
load(struct app *a, struct view *v)
{
    snprintf(v->header, sizeof v->header, "%-9s %-24s %s", "SEVERITY",
             "KIND", "MESSAGE");
    if (a->order == NULL && a->found.n) {
        a->order = calloc(a->found.n, sizeof *a->order);
        if (a->order == NULL)
            abort();
        for (size_t i = 0; i < a->found.n; i++)
            a->order[i] = i;
        sort_base = &a->found;
        qsort(a->order, a->found.n, sizeof *a->order, by_severity);
    }
    for (size_t i = 0; i < a->found.n; i++) {
        const struct gct_finding *f = &a->found.v[a->order[i]];
        char kind[128];
        snprintf(kind, sizeof kind, "%s%s%s", f->kind,
                 f->subkind ? "/" : "", f->subkind ? f->subkind : "");
        rows_add(&v->rows, (int64_t)a->order[i],
                 severity_attr(a, f->severity), "%s%-8s %-24s %s",
                 f->severity >= 3 ? "!" : " ", severity_word(f->severity),
                 kind, f->message);
        struct row *r = rows_last(&v->rows);
        r->ts = f->ts;
        r->thread = f->nthreads ? f->threads[0].id : -1;
    }
}

static void
open_finding(struct app *a, struct view *v)
{
    const struct gct_finding *f = &a->found.v[v->rows.v[v->cur].key];
    struct rows *r = &a->pane.rows;
    char t[32];

    pane_open(a, "finding: %s%s%s (t: show in timeline, q closes)", f->kind,
              f->subkind ? "/" : "", f->subkind ? f->subkind : "");
    rows_add(r, -1, severity_attr(a, f->severity), "%s, severity %d (%s), at %s",
             f->kind, f->severity, severity_word(f->severity),
             fmt_ns(t, sizeof t, f->ts));
    rows_last(r)->ts = f->ts;
    rows_last(r)->thread = f->nthreads ? f->threads[0].id : -1;
    rows_wrap(r, f->message, COLS - 2, 2);
    if (f->system)
        rows_wrap(r, f->severity == GCT_SEVERITY_INFO
                         ? "Only system libraries' code is part of it: "
                           "information, not counted (fail_system=1 "
                           "counts it)."
                         : "Only system libraries' code is part of it.",
                  COLS - 2, 2);
    if (f->nthreads)
        rows_add(r, -1, A_BOLD, "Threads");
    for (size_t i = 0; i < f->nthreads; i++)
        rows_add(r, f->threads[i].id, 0, "  %s", f->threads[i].name);
    if (f->nobjects)
        rows_add(r, -1, A_BOLD, "Objects");
    for (size_t i = 0; i < f->nobjects; i++)
        rows_add(r, f->objects[i].id, 0, "  %s", f->objects[i].name);
    if (f->nstacks)
        rows_add(r, -1, A_BOLD, "Stacks");
    for (size_t i = 0; i < f->nstacks; i++) {
        const struct gct_stack *s = &f->stacks[i];
        rows_wrap(r, s->label ? s->label : "stack", COLS - 2, 4);
        /* As the text report: libgoc's own frames as one line per run,
         * a line only when known. */
        for (size_t k = 0; k < s->nframes; k++) {
            const struct gct_frame *fr = &s->frames[k];
            if (gct_frame_internal(s->frames, s->nframes, k)) {
                size_t end = k + 1;
                while (end < s->nframes &&
                       gct_frame_internal(s->frames, s->nframes, end))
                    end++;
                if (end - k > 1)
                    rows_add(r, s->id, 0, "    #%zu-#%zu (libgoc: %s)", k,
                             end - 1, s->frames[end - 1].function);
                else
                    rows_add(r, s->id, 0, "    #%zu (libgoc: %s)", k,
                             s->frames[k].function);
                k = end - 1;
            } else if (fr->file && fr->file[0] && fr->line > 0)
                rows_add(r, s->id, 0, "    #%zu %s %s:%d", k,
                         fr->function ? fr->function : "(unknown)", fr->file,
                         fr->line);
            else if (fr->file && fr->file[0])
                rows_add(r, s->id, 0, "    #%zu %s %s", k,
                         fr->function ? fr->function : "(unknown)", fr->file);
            else
                rows_add(r, s->id, 0, "    #%zu %s", k,
                         fr->function ? fr->function : "(unknown)");
        }
        if (s->nframes == 0)
            rows_add(r, -1, 0, "    (no stack recorded)");
    }
}

const struct view_ops view_findings_ops = {
    .name = "findings",
    .title = "Findings",
    .load = load,
    .open = open_finding,
};
