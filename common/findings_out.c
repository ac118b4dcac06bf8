/*
 * findings_out.c - findings as text (sanitizer style), JSON, SARIF 2.1.0,
 * and into the trace's findings tables.
 */
#include "analysis.h"

#include "map.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------ text */

/* How a finding of a system library's code is marked, by whether it
 * counts (option fail_system). */
static const char *
system_mark(const struct gct_finding *x)
{
    if (!x->system)
        return "";
    return x->severity == GCT_SEVERITY_INFO
               ? " (system library: information, not counted)"
               : " (system library)";
}

void
gct_findings_text(FILE *out, const struct gct_findings *f, bool info)
{
    size_t counted = gct_findings_counted(f);

    for (size_t i = 0; i < f->n; i++) {
        const struct gct_finding *x = &f->v[i];
        if (!info && x->severity == GCT_SEVERITY_INFO)
            continue;
        fprintf(out, "==================\n");
        fprintf(out, "gctrace: %s%s%s%s: %s\n", x->kind,
                x->subkind ? "/" : "", x->subkind ? x->subkind : "",
                system_mark(x), x->message);
        for (size_t s = 0; s < x->nstacks; s++) {
            const struct gct_stack *st = &x->stacks[s];
            fprintf(out, "  %s:\n", st->label);
            for (size_t k = 0; k < st->nframes && k < 12; k++) {
                const struct gct_frame *fr = &st->frames[k];
                if (fr->file)
                    fprintf(out, "    #%zu %s %s:%d\n", k, fr->function,
                            fr->file, fr->line);
                else
                    fprintf(out, "    #%zu %s\n", k, fr->function);
            }
        }
    }
    if (counted || (info && f->n))
        fprintf(out, "==================\ngctrace: %zu finding%s\n", counted,
                counted == 1 ? "" : "s");
    if (f->n > counted)
        fprintf(out, "gctrace: %zu more for information: system libraries' "
                     "threads and locks (fail_system=1 counts them)\n",
                f->n - counted);
}

/* ------------------------------------------------------------ JSON */

struct buf {
    char *s;
    size_t len, cap;
};

static void
put(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = gct_xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void
puts_(struct buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void
putf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static void
putf(struct buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void
jstr(struct buf *b, const char *s)
{
    if (s == NULL) {
        puts_(b, "null");
        return;
    }
    puts_(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char e[2] = {'\\', (char)*p};
            put(b, e, 2);
        } else if (*p < 0x20) {
            putf(b, "\\u%04x", *p);
        } else {
            put(b, (const char *)p, 1);
        }
    }
    puts_(b, "\"");
}

static void
json_refs(struct buf *b, const struct gct_ref *r, size_t n, bool thread)
{
    puts_(b, "[");
    for (size_t i = 0; i < n; i++) {
        putf(b, "%s{\"id\":%" PRId64 ",", i ? "," : "", r[i].id);
        if (thread)
            putf(b, "\"tid\":%" PRId64 ",", r[i].tid);
        else {
            puts_(b, "\"kind\":");
            jstr(b, r[i].kind);
            puts_(b, ",");
        }
        puts_(b, "\"name\":");
        jstr(b, r[i].name);
        puts_(b, "}");
    }
    puts_(b, "]");
}

static void
json_one(struct buf *b, const struct gct_finding *x)
{
    puts_(b, "{\"kind\":");
    jstr(b, x->kind);
    if (x->subkind) {
        puts_(b, ",\"subkind\":");
        jstr(b, x->subkind);
    }
    puts_(b, ",\"message\":");
    jstr(b, x->message);
    putf(b, ",\"severity\":%d,\"origin\":\"%s\",\"threads\":", x->severity,
         x->system ? "system" : "program");
    json_refs(b, x->threads, x->nthreads, true);
    puts_(b, ",\"objects\":");
    json_refs(b, x->objects, x->nobjects, false);
    puts_(b, ",\"stack_labels\":[");
    for (size_t s = 0; s < x->nstacks; s++) {
        if (s)
            puts_(b, ",");
        jstr(b, x->stacks[s].label);
    }
    puts_(b, "],\"stacks\":[");
    for (size_t s = 0; s < x->nstacks; s++) {
        puts_(b, s ? ",[" : "[");
        for (size_t k = 0; k < x->stacks[s].nframes; k++) {
            const struct gct_frame *fr = &x->stacks[s].frames[k];
            puts_(b, k ? ",{\"function\":" : "{\"function\":");
            jstr(b, fr->function);
            puts_(b, ",\"file\":");
            jstr(b, fr->file);
            putf(b, ",\"line\":%d}", fr->line);
        }
        puts_(b, "]");
    }
    puts_(b, "]}");
}

char *
gct_finding_json(const struct gct_finding *f)
{
    struct buf b = {0};
    json_one(&b, f);
    return b.s;
}

void
gct_findings_json(FILE *out, const struct gct_findings *f)
{
    struct buf b = {0};
    puts_(&b, "{\"findings\":[");
    for (size_t i = 0; i < f->n; i++) {
        if (i)
            puts_(&b, ",\n");
        json_one(&b, &f->v[i]);
    }
    puts_(&b, "]}\n");
    fputs(b.s, out);
    free(b.s);
}

/* ------------------------------------------------------------ SARIF */

/* The frame to annotate: the user frame of the first stack that has
 * one (gct_user_frame). */
static const struct gct_frame *
user_frame(const struct gct_finding *x)
{
    for (size_t s = 0; s < x->nstacks; s++) {
        size_t i = gct_user_frame(x->stacks[s].frames, x->stacks[s].nframes);
        if (i < x->stacks[s].nframes)
            return &x->stacks[s].frames[i];
    }
    return NULL;
}

/* Paths relative to the current directory when inside it (GitHub code
 * scanning resolves them against the repository root). */
static const char *
rel_path(const char *file, const char *cwd)
{
    size_t n = strlen(cwd);
    if (strncmp(file, cwd, n) == 0 && file[n] == '/')
        return file + n + 1;
    return file;
}

void
gct_findings_sarif(FILE *out, const struct gct_findings *f)
{
    static const char *rules[][2] = {
        {"leaked_thread", "A thread or goroutine was still alive at exit"},
        {"unjoined_thread", "A thread exited but was never joined"},
        {"lock_order_cycle", "Locks taken in conflicting orders"},
        {"deadlock", "Threads blocked on each other"},
        {"unclosed_channel", "A channel was never closed while receivers "
                             "waited"},
        {"context_leak", "A cancellable context was never cancelled"},
        {"misuse", "API misuse"},
    };
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        cwd[0] = '\0';
    struct buf b = {0};
    puts_(&b, "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\","
              "\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{"
              "\"name\":\"gctrace\",\"version\":\"0.1.0\","
              "\"informationUri\":\"https://example.invalid/gctrace\","
              "\"rules\":[");
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        puts_(&b, i ? ",{\"id\":" : "{\"id\":");
        jstr(&b, rules[i][0]);
        puts_(&b, ",\"shortDescription\":{\"text\":");
        jstr(&b, rules[i][1]);
        puts_(&b, "}}");
    }
    puts_(&b, "]}},\"results\":[");
    for (size_t i = 0; i < f->n; i++) {
        const struct gct_finding *x = &f->v[i];
        puts_(&b, i ? ",{\"ruleId\":" : "{\"ruleId\":");
        jstr(&b, x->kind);
        puts_(&b, ",\"level\":");
        jstr(&b, x->severity >= 2                   ? "error"
                 : x->severity == GCT_SEVERITY_INFO ? "note"
                                                    : "warning");
        puts_(&b, ",\"message\":{\"text\":");
        jstr(&b, x->message);
        puts_(&b, "}");
        const struct gct_frame *fr = user_frame(x);
        if (fr) {
            puts_(&b, ",\"locations\":[{\"physicalLocation\":{"
                      "\"artifactLocation\":{\"uri\":");
            jstr(&b, rel_path(fr->file, cwd));
            putf(&b, "},\"region\":{\"startLine\":%d}}}]", fr->line);
        }
        /* Every stack as a code flow, so reviewers see each thread. */
        if (x->nstacks) {
            puts_(&b, ",\"codeFlows\":[{\"threadFlows\":[");
            bool first_flow = true;
            for (size_t s = 0; s < x->nstacks; s++) {
                bool any = false;
                for (size_t k = 0; k < x->stacks[s].nframes; k++)
                    any |= x->stacks[s].frames[k].file != NULL &&
                           x->stacks[s].frames[k].line > 0;
                if (!any)
                    continue;
                puts_(&b, first_flow ? "{\"message\":{\"text\":"
                                     : ",{\"message\":{\"text\":");
                first_flow = false;
                jstr(&b, x->stacks[s].label);
                puts_(&b, "},\"locations\":[");
                bool first = true;
                for (size_t k = 0; k < x->stacks[s].nframes; k++) {
                    const struct gct_frame *g = &x->stacks[s].frames[k];
                    if (g->file == NULL || g->line <= 0)
                        continue;
                    puts_(&b, first ? "{\"location\":{\"physicalLocation\":{"
                                      "\"artifactLocation\":{\"uri\":"
                                    : ",{\"location\":{\"physicalLocation\":{"
                                      "\"artifactLocation\":{\"uri\":");
                    first = false;
                    jstr(&b, rel_path(g->file, cwd));
                    putf(&b, "},\"region\":{\"startLine\":%d}},"
                             "\"message\":{\"text\":",
                         g->line);
                    jstr(&b, g->function);
                    puts_(&b, "}}}");
                }
                puts_(&b, "]}");
            }
            if (first_flow) /* no flow had a location: drop the shell */
                puts_(&b, "{\"locations\":[]}");
            puts_(&b, "]}]");
        }
        puts_(&b, "}");
    }
    puts_(&b, "]}]}\n");
    fputs(b.s, out);
    free(b.s);
}

/* ------------------------------------------------------------ store */

int
gct_findings_store(sqlite3 *db, const struct gct_findings *f)
{
    sqlite3_stmt *ins = NULL, *ref = NULL;
    int rc = SQLITE_OK;

    /* A savepoint, not BEGIN: the finisher calls this inside the
     * transaction that writes the trace, `check` on a trace of its own. */
    if (sqlite3_exec(db, "SAVEPOINT findings; DELETE FROM finding_refs; "
                         "DELETE FROM findings;",
                     NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    rc |= sqlite3_prepare_v2(db, "INSERT INTO findings(kind,subkind,"
                                 "severity,message,ts,json) "
                                 "VALUES(?,?,?,?,?,?)",
                             -1, &ins, NULL);
    rc |= sqlite3_prepare_v2(db, "INSERT INTO finding_refs VALUES(?,?,?,?,?)",
                             -1, &ref, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < f->n; i++) {
        const struct gct_finding *x = &f->v[i];
        char *json = gct_finding_json(x);
        sqlite3_bind_text(ins, 1, x->kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, x->subkind, -1, SQLITE_STATIC);
        sqlite3_bind_int(ins, 3, x->severity);
        sqlite3_bind_text(ins, 4, x->message, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 5, x->ts);
        sqlite3_bind_text(ins, 6, json, -1, free);
        if (sqlite3_step(ins) != SQLITE_DONE)
            rc = SQLITE_ERROR;
        sqlite3_reset(ins);
        int64_t fid = sqlite3_last_insert_rowid(db);
        for (size_t k = 0; k < x->nthreads + x->nobjects + x->nstacks; k++) {
            sqlite3_bind_int64(ref, 1, fid);
            if (k < x->nthreads) {
                sqlite3_bind_text(ref, 2, "thread", -1, SQLITE_STATIC);
                sqlite3_bind_int64(ref, 3, x->threads[k].id);
            } else if (k < x->nthreads + x->nobjects) {
                sqlite3_bind_text(ref, 2, "object", -1, SQLITE_STATIC);
                sqlite3_bind_int64(ref, 4, x->objects[k - x->nthreads].id);
            } else {
                const struct gct_stack *s =
                    &x->stacks[k - x->nthreads - x->nobjects];
                sqlite3_bind_text(ref, 2, s->label, -1, SQLITE_STATIC);
                sqlite3_bind_int64(ref, 5, s->id);
            }
            if (sqlite3_step(ref) != SQLITE_DONE)
                rc = SQLITE_ERROR;
            sqlite3_reset(ref);
            sqlite3_clear_bindings(ref);
        }
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(ref);
    sqlite3_exec(db,
                 rc == SQLITE_OK ? "RELEASE findings"
                                 : "ROLLBACK TO findings; RELEASE findings",
                 NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : -1;
}
