/*
 * findings_out.c - findings as text (sanitizer style), JSON, SARIF 2.1.0,
 * and into the trace's findings tables.
 */
#include "analysis.h"

#include "map.h"
#include "rules.h"
#include "version.h"

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

/* A stack as the text report shows it: the program's frames, numbered
 * as in JSON; each run of libgoc's own frames (gct_frame_internal) as
 * one line naming its outermost, the call the program made.  A frame
 * whose line is not known shows no line. */
static void
text_stack(FILE *out, const struct gct_stack *st)
{
    fprintf(out, "  %s:\n", st->label);
    size_t shown = 0;
    for (size_t k = 0; k < st->nframes && shown < 12; k++) {
        const struct gct_frame *fr = &st->frames[k];
        if (gct_frame_internal(st->frames, st->nframes, k)) {
            size_t end = k + 1;
            while (end < st->nframes &&
                   gct_frame_internal(st->frames, st->nframes, end))
                end++;
            if (end - k == 1)
                fprintf(out, "    #%zu (libgoc: %s)\n", k,
                        st->frames[k].function);
            else
                fprintf(out, "    #%zu-#%zu (libgoc: %s and %zu frame%s "
                             "inside it)\n",
                        k, end - 1, st->frames[end - 1].function, end - k - 1,
                        end - k - 1 == 1 ? "" : "s");
            k = end - 1;
            shown++;
            continue;
        }
        if (fr->file && fr->line > 0)
            fprintf(out, "    #%zu %s %s:%d\n", k, fr->function, fr->file,
                    fr->line);
        else if (fr->file)
            fprintf(out, "    #%zu %s %s\n", k, fr->function, fr->file);
        else
            fprintf(out, "    #%zu %s\n", k, fr->function);
        shown++;
    }
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
        for (size_t s = 0; s < x->nstacks; s++)
            text_stack(out, &x->stacks[s]);
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

static char *
xprintf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *
xprintf_(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    if (s == NULL)
        abort();
    return s;
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

/* FNV-1a, 64 bits: a fingerprint only has to be stable and spread. */
static uint64_t
fnv(uint64_t h, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;
         p++)
        h = (h ^ *p) * 0x100000001b3ull;
    return (h ^ 0xff) * 0x100000001b3ull; /* a separator after each part */
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The file as a fingerprint sees it: its base name, since the same source
 * is built under other directories on other machines. */
static const char *
base_name(const char *file)
{
    const char *slash = file ? strrchr(file, '/') : NULL;
    return slash ? slash + 1 : file;
}

void
gct_finding_fingerprint(const struct gct_finding *x, char out[17])
{
    /* Each stack and object hashes alone, and the sorted hashes are
     * combined: which thread's stack comes first may change between
     * runs, the set does not. */
    size_t n = x->nstacks + x->nobjects, k = 0;
    uint64_t *part = gct_xcalloc(n ? n : 1, sizeof *part);
    for (size_t s = 0; s < x->nstacks; s++) {
        const struct gct_stack *st = &x->stacks[s];
        uint64_t h = 0xcbf29ce484222325ull; /* not the label: it may
                                               name addresses */
        /* The user frames from the first shown one, at most four: deeper
         * frames (the test runner's, main's callers) are not the bug's. */
        size_t i = gct_user_frame(st->frames, st->nframes);
        for (size_t used = 0; i < st->nframes && used < 4; i++) {
            const struct gct_frame *fr = &st->frames[i];
            if (fr->file == NULL || strncmp(fr->file, "/usr/", 5) == 0)
                continue;
            h = fnv(fnv(h, fr->function), base_name(fr->file));
            used++;
        }
        part[k++] = h;
    }
    for (size_t o = 0; o < x->nobjects; o++)
        part[k++] = fnv(fnv(0xcbf29ce484222325ull, x->objects[o].kind),
                        x->objects[o].given);
    qsort(part, k, sizeof *part, cmp_u64);
    uint64_t h = fnv(fnv(0xcbf29ce484222325ull, x->kind), x->subkind);
    for (size_t i = 0; i < k; i++)
        for (int b = 0; b < 8; b++)
            h = (h ^ ((part[i] >> (8 * b)) & 0xff)) * 0x100000001b3ull;
    free(part);
    snprintf(out, 17, "%016" PRIx64, h);
}

/* "error" for a bug or a deadlock, "warning" for hygiene, "note" for
 * information: SARIF's levels, which JSON uses too. */
static const char *
level_of(const struct gct_finding *x)
{
    return x->severity >= 2 ? "error" : x->severity == 1 ? "warning" : "note";
}

static void
json_thread(struct buf *b, const struct gct_ref *r)
{
    putf(b, "{\"id\":%" PRId64 ",\"tid\":%" PRId64 ",\"name\":", r->id,
         r->tid);
    jstr(b, r->given);
    puts_(b, ",\"goroutine\":");
    if (r->goid > 0)
        putf(b, "%" PRId64, r->goid);
    else
        puts_(b, "null");
    puts_(b, ",\"start_routine\":");
    jstr(b, r->start_routine);
    puts_(b, ",\"created_at\":");
    jstr(b, r->created_at);
    puts_(b, ",\"label\":");
    jstr(b, r->name);
    puts_(b, "}");
}

static void
json_object(struct buf *b, const struct gct_ref *r)
{
    putf(b, "{\"id\":%" PRId64 ",\"kind\":", r->id);
    jstr(b, r->kind);
    puts_(b, ",\"name\":");
    jstr(b, r->given);
    puts_(b, ",\"symbol\":");
    jstr(b, r->symbol);
    putf(b, ",\"address\":\"0x%" PRIx64 "\",\"label\":", r->addr);
    jstr(b, r->name);
    puts_(b, "}");
}

static void
json_frame(struct buf *b, const struct gct_frame *fr, bool internal)
{
    puts_(b, "{\"function\":");
    jstr(b, fr->function);
    puts_(b, ",\"file\":");
    jstr(b, fr->file);
    if (fr->line > 0)
        putf(b, ",\"line\":%d", fr->line);
    else
        puts_(b, ",\"line\":null");
    putf(b, ",\"internal\":%s,\"module\":", internal ? "true" : "false");
    jstr(b, fr->module);
    if (fr->offset >= 0)
        putf(b, ",\"offset\":\"0x%" PRIx64 "\"}", (uint64_t)fr->offset);
    else
        puts_(b, ",\"offset\":null}");
}

static void
json_one(struct buf *b, const struct gct_finding *x)
{
    char id[17];
    size_t n;
    gct_finding_fingerprint(x, id);
    puts_(b, "{\"kind\":");
    jstr(b, x->kind);
    puts_(b, ",\"id\":");
    jstr(b, id);
    puts_(b, ",\"subkind\":");
    jstr(b, x->subkind);
    puts_(b, ",\"rule\":");
    jstr(b, gct_rules(&n)[gct_rule_index(x->kind, x->subkind)].id);
    puts_(b, ",\"level\":");
    jstr(b, level_of(x));
    putf(b, ",\"severity\":%d,\"message\":", x->severity);
    jstr(b, x->message);
    puts_(b, ",\"stable_message\":");
    jstr(b, x->stable_message);
    puts_(b, x->system ? ",\"origin\":\"system\"" : ",\"origin\":\"program\"");
    puts_(b, ",\"threads\":[");
    for (size_t i = 0; i < x->nthreads; i++) {
        if (i)
            puts_(b, ",");
        json_thread(b, &x->threads[i]);
    }
    puts_(b, "],\"objects\":[");
    for (size_t i = 0; i < x->nobjects; i++) {
        if (i)
            puts_(b, ",");
        json_object(b, &x->objects[i]);
    }
    puts_(b, "],\"stacks\":[");
    for (size_t s = 0; s < x->nstacks; s++) {
        puts_(b, s ? ",{\"label\":" : "{\"label\":");
        jstr(b, x->stacks[s].label);
        puts_(b, ",\"frames\":[");
        for (size_t k = 0; k < x->stacks[s].nframes; k++) {
            if (k)
                puts_(b, ",");
            json_frame(b, &x->stacks[s].frames[k],
                       gct_frame_internal(x->stacks[s].frames,
                                          x->stacks[s].nframes, k));
        }
        puts_(b, "]}");
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
gct_findings_json(FILE *out, const struct gct_findings *f, const char *trace)
{
    struct buf b = {0};
    putf(&b, "{\"format\":\"gctrace-findings\",\"format_version\":%d,"
             "\"tool\":{\"name\":\"gctrace\",\"version\":\"%s\"},\"trace\":",
         GCT_FINDINGS_JSON_VERSION, GCT_VERSION);
    jstr(&b, trace);
    puts_(&b, ",\"findings\":[");
    for (size_t i = 0; i < f->n; i++) {
        puts_(&b, i ? ",\n" : "\n");
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

/* The git work tree around the current directory (a directory with a
 * .git entry, the current one or above), else the current directory. */
static void
default_src_root(char *root, size_t n)
{
    char path[4096 + 8];
    if (!getcwd(root, n)) {
        snprintf(root, n, "/");
        return;
    }
    char here[4096];
    snprintf(here, sizeof here, "%s", root);
    for (;;) {
        snprintf(path, sizeof path, "%s/.git", here);
        if (access(path, F_OK) == 0) {
            snprintf(root, n, "%s", here);
            return;
        }
        char *slash = strrchr(here, '/');
        if (slash == NULL || slash == here)
            return; /* reached / without one: the current directory */
        *slash = '\0';
    }
}

/* An artifactLocation: relative to %SRCROOT% when the file is under it,
 * else an absolute file: URI (a system header, a library's source). */
static void
sarif_artifact(struct buf *b, const char *file, const char *root)
{
    size_t n = strlen(root);
    puts_(b, "\"artifactLocation\":{\"uri\":");
    if (strncmp(file, root, n) == 0 && file[n] == '/') {
        jstr(b, file + n + 1);
        puts_(b, ",\"uriBaseId\":\"%SRCROOT%\"}");
    } else if (file[0] == '/') {
        char *uri = xprintf_("file://%s", file);
        jstr(b, uri);
        free(uri);
        puts_(b, "}");
    } else {
        jstr(b, file); /* relative already: as the compiler saw it */
        puts_(b, ",\"uriBaseId\":\"%SRCROOT%\"}");
    }
}

static void
sarif_location(struct buf *b, const struct gct_frame *fr, const char *root)
{
    puts_(b, "{\"physicalLocation\":{");
    sarif_artifact(b, fr->file, root);
    putf(b, ",\"region\":{\"startLine\":%d}}", fr->line);
}

static void
sarif_rules(struct buf *b)
{
    size_t n;
    const struct gct_rule *r = gct_rules(&n);
    for (size_t i = 0; i < n; i++) {
        puts_(b, i ? ",{\"id\":" : "{\"id\":");
        jstr(b, r[i].id);
        puts_(b, ",\"name\":");
        jstr(b, r[i].name);
        puts_(b, ",\"shortDescription\":{\"text\":");
        jstr(b, r[i].name);
        puts_(b, "},\"fullDescription\":{\"text\":");
        jstr(b, r[i].what);
        char *text = xprintf_("%s %s", r[i].what, r[i].why);
        char *md = xprintf_("**%s**\n\n%s\n\n%s", r[i].name, r[i].what,
                            r[i].why);
        puts_(b, "},\"help\":{\"text\":");
        jstr(b, text);
        puts_(b, ",\"markdown\":");
        jstr(b, md);
        puts_(b, "}");
        free(text);
        free(md);
        if (GCT_PROJECT_URL[0]) {
            /* docs/findings.md's anchors are the ids without the slash */
            char anchor[96];
            size_t k = 0;
            for (const char *p = r[i].id; *p && k < sizeof anchor - 1; p++)
                if (*p != '/')
                    anchor[k++] = *p;
            anchor[k] = '\0';
            putf(b, ",\"helpUri\":\"%s/blob/main/docs/findings.md#%s\"",
                 GCT_PROJECT_URL, anchor);
        }
        putf(b, ",\"defaultConfiguration\":{\"level\":\"%s\"}}",
             strncmp(r[i].id, "unjoined", 8) == 0 ||
                     strncmp(r[i].id, "context", 7) == 0
                 ? "warning"
                 : "error");
    }
}

/* Every stack with a source line as a thread flow, so that a reviewer
 * sees each thread's part; labelled without run-specific values, as the
 * result's message is. */
static void
sarif_flows(struct buf *b, const struct gct_finding *x, const char *root)
{
    puts_(b, ",\"codeFlows\":[{\"threadFlows\":[");
    bool first_flow = true;
    for (size_t s = 0; s < x->nstacks; s++) {
        const struct gct_stack *st = &x->stacks[s];
        bool any = false;
        for (size_t k = 0; k < st->nframes; k++)
            any |= st->frames[k].file != NULL && st->frames[k].line > 0;
        if (!any)
            continue;
        puts_(b, first_flow ? "{\"message\":{\"text\":"
                            : ",{\"message\":{\"text\":");
        first_flow = false;
        jstr(b, st->stable_label);
        puts_(b, "},\"locations\":[");
        bool first = true;
        for (size_t k = 0; k < st->nframes; k++) {
            const struct gct_frame *g = &st->frames[k];
            if (g->file == NULL || g->line <= 0)
                continue;
            puts_(b, first ? "{\"location\":" : ",{\"location\":");
            first = false;
            sarif_location(b, g, root);
            puts_(b, ",\"message\":{\"text\":");
            jstr(b, g->function);
            puts_(b, "}}}");
        }
        puts_(b, "]}");
    }
    if (first_flow) /* no flow had a location: SARIF wants one flow */
        puts_(b, "{\"locations\":[]}");
    puts_(b, "]}]");
}

void
gct_findings_sarif(FILE *out, const struct gct_findings *f,
                   const char *srcroot)
{
    char root[4096];
    if (srcroot)
        snprintf(root, sizeof root, "%s", srcroot);
    else
        default_src_root(root, sizeof root);
    size_t len = strlen(root);
    while (len > 1 && root[len - 1] == '/')
        root[--len] = '\0';
    struct buf b = {0};
    puts_(&b, "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\","
              "\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{"
              "\"name\":\"gctrace\",\"version\":\"" GCT_VERSION "\",");
    if (GCT_PROJECT_URL[0])
        puts_(&b, "\"informationUri\":\"" GCT_PROJECT_URL "\",");
    puts_(&b, "\"rules\":[");
    sarif_rules(&b);
    puts_(&b, "]}},\"originalUriBaseIds\":{\"%SRCROOT%\":{\"uri\":");
    char *rooturi = xprintf_("file://%s%s", root, len > 1 ? "/" : "");
    jstr(&b, rooturi);
    free(rooturi);
    puts_(&b, "}},\"results\":[");
    for (size_t i = 0; i < f->n; i++) {
        const struct gct_finding *x = &f->v[i];
        size_t n, rule = gct_rule_index(x->kind, x->subkind);
        char id[17];
        gct_finding_fingerprint(x, id);
        puts_(&b, i ? ",{\"ruleId\":" : "{\"ruleId\":");
        jstr(&b, gct_rules(&n)[rule].id);
        putf(&b, ",\"ruleIndex\":%zu,\"level\":\"%s\",\"message\":{\"text\":",
             rule, level_of(x));
        jstr(&b, x->stable_message);
        putf(&b, "},\"partialFingerprints\":{\"gctrace/v1\":\"%s\"}", id);
        const struct gct_frame *fr = user_frame(x);
        if (fr) {
            puts_(&b, ",\"locations\":[");
            sarif_location(&b, fr, root);
            puts_(&b, "}]");
        }
        if (x->nstacks)
            sarif_flows(&b, x, root);
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
