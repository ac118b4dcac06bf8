/*
 * rows.c - the viewer's lists of text rows, and the small queries and
 * formatting every view shares (labels of threads, objects and stacks).
 */
#include "tui.h"

#include <strings.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The viewer may abort on out-of-memory (STYLE.md: htop's wrappers). */
static void *
xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (p == NULL) {
        fputs("gctrace: out of memory\n", stderr);
        abort();
    }
    return p;
}

void
rows_add(struct rows *r, int64_t key, int attr, const char *fmt, ...)
{
    va_list ap;
    char *text = NULL;

    va_start(ap, fmt);
    int n = vasprintf(&text, fmt, ap);
    va_end(ap);
    if (n < 0) {
        fputs("gctrace: out of memory\n", stderr);
        abort();
    }
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->v = xrealloc(r->v, (size_t)r->cap * sizeof *r->v);
    }
    /* Control characters would move the curses cursor: show them as '?'. */
    for (char *p = text; *p; p++)
        if ((unsigned char)*p < 32)
            *p = '?';
    r->v[r->n++] = (struct row){
        .text = text, .key = key, .ts = -1, .thread = -1, .attr = attr};
}

struct row *
rows_last(struct rows *r)
{
    return r->n ? &r->v[r->n - 1] : NULL;
}

void
rows_clear(struct rows *r)
{
    for (long i = 0; i < r->n; i++)
        free(r->v[i].text);
    free(r->v);
    *r = (struct rows){0};
}

void
rows_wrap(struct rows *r, const char *text, int width, int indent)
{
    int first = 1;
    if (width < 20)
        width = 20;
    while (*text) {
        int w = width - (first ? 0 : indent);
        int n = (int)strlen(text);
        if (n > w) {
            n = w;
            while (n > w / 2 && text[n] != ' ')
                n--;
            if (text[n] != ' ')
                n = w;
        }
        rows_add(r, -1, 0, "%*s%.*s", first ? 0 : indent, "", n, text);
        text += n;
        while (*text == ' ')
            text++;
        first = 0;
    }
}

sqlite3_stmt *
tui_prepare(struct app *a, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(a->db, sql, -1, &st, NULL) != SQLITE_OK) {
        app_message(a, "query failed: %s", sqlite3_errmsg(a->db));
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

const char *
col_text(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s ? s : "";
}

void
rows_stack(struct app *a, struct rows *r, int64_t stack_id)
{
    sqlite3_stmt *st = tui_prepare(a,
        "SELECT idx, function, file, line, module, offset "
        "FROM stack_text WHERE stack_id = ? ORDER BY idx");
    if (st == NULL)
        return;
    sqlite3_bind_int64(st, 1, stack_id);
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        /* As the text report shows a frame: without a symbol, its module
         * and offset; a line only when known. */
        char fn[320];
        const char *mod = col_text(st, 4), *base = strrchr(mod, '/');
        if (sqlite3_column_type(st, 1) != SQLITE_NULL)
            snprintf(fn, sizeof fn, "%s", col_text(st, 1));
        else if (sqlite3_column_type(st, 5) != SQLITE_NULL)
            snprintf(fn, sizeof fn, "?? (%s+0x%llx)", base ? base + 1 : mod,
                     (unsigned long long)sqlite3_column_int64(st, 5));
        else
            snprintf(fn, sizeof fn, "??");
        int idx = sqlite3_column_int(st, 0), line = sqlite3_column_int(st, 3);
        if (sqlite3_column_type(st, 2) != SQLITE_NULL && *col_text(st, 2)) {
            if (line > 0)
                rows_add(r, stack_id, 0, "    #%d %s %s:%d", idx, fn,
                         col_text(st, 2), line);
            else
                rows_add(r, stack_id, 0, "    #%d %s %s", idx, fn,
                         col_text(st, 2));
        } else if (sqlite3_column_type(st, 1) != SQLITE_NULL && *mod) {
            rows_add(r, stack_id, 0, "    #%d %s (%s)", idx, fn,
                     base ? base + 1 : mod);
        } else {
            rows_add(r, stack_id, 0, "    #%d %s", idx, fn);
        }
        n++;
    }
    if (n == 0)
        rows_add(r, -1, 0, "    (no stack recorded)");
    sqlite3_finalize(st);
}

const char *
fmt_ns(char *buf, size_t len, int64_t ns)
{
    double v = (double)ns;
    if (ns < 0)
        snprintf(buf, len, "-");
    else if (ns < 1000)
        snprintf(buf, len, "%lldns", (long long)ns);
    else if (ns < 1000000)
        snprintf(buf, len, "%.1fus", v / 1e3);
    else if (ns < 1000000000)
        snprintf(buf, len, "%.3fms", v / 1e6);
    else
        snprintf(buf, len, "%.3fs", v / 1e9);
    return buf;
}

void
stack_where(struct app *a, int64_t stack_id, char *buf, size_t len)
{
    /* libgoc's own frames (goc_go, goc__go_start) say nothing about the
     * program, so the first frame outside them is where it happened. */
    sqlite3_stmt *st = tui_prepare(a,
        "SELECT function, file, line FROM stack_text "
        "WHERE stack_id = ? AND file IS NOT NULL AND file != '' "
        "ORDER BY (coalesce(function, '') LIKE 'goc%'), idx LIMIT 1");
    snprintf(buf, len, "-");
    if (st == NULL)
        return;
    sqlite3_bind_int64(st, 1, stack_id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *file = col_text(st, 1);
        const char *slash = strrchr(file, '/');
        /* file:line first: it is what survives a narrow column. */
        snprintf(buf, len, "%s:%d %s", slash ? slash + 1 : file,
                 sqlite3_column_int(st, 2), col_text(st, 0));
    }
    sqlite3_finalize(st);
}

void
object_label(struct app *a, int64_t obj, char *buf, size_t len)
{
    sqlite3_stmt *st = tui_prepare(a,
        "SELECT kind, name, addr, symbol FROM objects WHERE id = ?");
    snprintf(buf, len, "-");
    if (st == NULL)
        return;
    sqlite3_bind_int64(st, 1, obj);
    if (sqlite3_step(st) == SQLITE_ROW) {
        /* as the findings name it: the program's name, else its variable
         * with the address in parentheses, else the address */
        if (sqlite3_column_type(st, 1) != SQLITE_NULL && *col_text(st, 1))
            snprintf(buf, len, "%s %s", col_text(st, 0), col_text(st, 1));
        else if (sqlite3_column_type(st, 3) != SQLITE_NULL)
            snprintf(buf, len, "%s %s (0x%llx)", col_text(st, 0),
                     col_text(st, 3),
                     (unsigned long long)sqlite3_column_int64(st, 2));
        else
            snprintf(buf, len, "%s 0x%llx", col_text(st, 0),
                     (unsigned long long)sqlite3_column_int64(st, 2));
    }
    sqlite3_finalize(st);
}

void
thread_label(struct app *a, int64_t thread, char *buf, size_t len)
{
    sqlite3_stmt *st = tui_prepare(a,
        "SELECT tid, " GCT_THREAD_NAME_SQL("threads") " FROM threads "
        "WHERE id = ?");
    snprintf(buf, len, "-");
    if (st == NULL)
        return;
    sqlite3_bind_int64(st, 1, thread);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(buf, len, "%lld %s",
                 (long long)sqlite3_column_int64(st, 0), col_text(st, 1));
    sqlite3_finalize(st);
}

bool
contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return true;
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    return false;
}

int64_t
meta_int(struct app *a, const char *key, int64_t dflt)
{
    sqlite3_stmt *st = tui_prepare(a, "SELECT value FROM meta WHERE key = ?");
    int64_t v = dflt;
    if (st == NULL)
        return v;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}
