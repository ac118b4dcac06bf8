/*
 * suppress.c - suppression files, in the spirit of ThreadSanitizer's:
 *
 *     # comment
 *     kind:pattern
 *
 * kind is a finding kind (leaked_thread, lock_order_cycle, ...), a kind
 * and subkind (misuse/exit_while_holding_lock), or '*'; pattern is an
 * fnmatch(3) glob matched against every function name and every file
 * path (and its base name) in the finding's stacks, and the names of its
 * threads and objects, so that a finding without a stack can be named
 * too; '*' alone matches every finding of the kind.
 */
#include "analysis.h"

#include "map.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

struct rule {
    char *kind, *pattern;
};

struct gct_suppressions {
    struct rule *r;
    size_t n, cap;
};

static const char *const kinds[] = {
    "*", "leaked_thread", "unjoined_thread", "lock_order_cycle", "deadlock",
    "unclosed_channel", "context_leak", "timer_leak", "misuse",
};

struct gct_suppressions *
gct_suppressions_parse(const char *text, char *err, size_t errlen)
{
    struct gct_suppressions *s = gct_xcalloc(1, sizeof *s);
    int lineno = 0;

    for (const char *p = text; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        lineno++;
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
            n--;
        size_t lead = 0;
        while (lead < n && (p[lead] == ' ' || p[lead] == '\t'))
            lead++;
        const char *line = p + lead;
        size_t len = n - lead;
        if (len && line[0] != '#') {
            const char *colon = memchr(line, ':', len);
            bool known = false;
            size_t kl = colon ? (size_t)(colon - line) : 0;
            const char *slash = memchr(line, '/', kl);
            size_t base = slash ? (size_t)(slash - line) : kl;
            for (size_t i = 0; colon && i < sizeof kinds / sizeof kinds[0];
                 i++)
                if (strlen(kinds[i]) == base &&
                    !strncmp(kinds[i], line, base) && base + 1 != kl)
                    known = true;
            if (!colon || !known || kl + 1 >= len) {
                snprintf(err, errlen,
                         "suppressions line %d: expected 'kind:pattern' "
                         "with a known kind",
                         lineno);
                gct_suppressions_free(s);
                return NULL;
            }
            struct rule r = {gct_xmalloc(kl + 1), gct_xmalloc(len - kl)};
            memcpy(r.kind, line, kl);
            r.kind[kl] = '\0';
            memcpy(r.pattern, colon + 1, len - kl - 1);
            r.pattern[len - kl - 1] = '\0';
            GCT_PUSH(s->r, s->n, s->cap, r);
        }
        p = nl ? nl + 1 : p + strlen(p);
    }
    return s;
}

struct gct_suppressions *
gct_suppressions_load(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *text = NULL;
    size_t len = 0, cap = 0;
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + got + 1 > cap) {
            cap = (len + got + 1) * 2;
            text = gct_xrealloc(text, cap);
        }
        memcpy(text + len, chunk, got);
        len += got;
    }
    bool bad = ferror(f) || memchr(text ? text : "", '\0', len) != NULL;
    fclose(f);
    if (bad) {
        snprintf(err, errlen, "%s: cannot read a text file", path);
        free(text);
        return NULL;
    }
    if (text)
        text[len] = '\0';
    char inner[400];
    struct gct_suppressions *s = gct_suppressions_parse(text ? text : "",
                                                        inner, sizeof inner);
    free(text);
    if (s == NULL)
        snprintf(err, errlen, "%s: %s", path, inner);
    return s;
}

static bool
matches(const char *pattern, const char *s)
{
    if (s == NULL)
        return false;
    if (fnmatch(pattern, s, 0) == 0)
        return true;
    const char *b = strrchr(s, '/');
    return b && fnmatch(pattern, b + 1, 0) == 0;
}

/* Whether rule kind k names finding f's kind: '*', "kind" or
 * "kind/subkind". */
static bool
kind_matches(const char *k, const struct gct_finding *f)
{
    size_t n = strlen(f->kind);
    if (strcmp(k, "*") == 0 || strcmp(k, f->kind) == 0)
        return true;
    return f->subkind && strncmp(k, f->kind, n) == 0 && k[n] == '/' &&
           strcmp(k + n + 1, f->subkind) == 0;
}

static bool
matches_refs(const char *pattern, const struct gct_ref *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (matches(pattern, r[i].name))
            return true;
    return false;
}

static bool
rule_matches(const struct rule *r, const struct gct_finding *f)
{
    if (!kind_matches(r->kind, f))
        return false;
    if (strcmp(r->pattern, "*") == 0)
        return true;
    for (size_t k = 0; k < f->nstacks; k++)
        for (size_t j = 0; j < f->stacks[k].nframes; j++)
            if (matches(r->pattern, f->stacks[k].frames[j].function) ||
                matches(r->pattern, f->stacks[k].frames[j].file))
                return true;
    return matches_refs(r->pattern, f->threads, f->nthreads) ||
           matches_refs(r->pattern, f->objects, f->nobjects);
}

bool
gct_suppressed(const struct gct_suppressions *s, const struct gct_finding *f)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (rule_matches(&s->r[i], f))
            return true;
    return false;
}

size_t
gct_suppress(const struct gct_suppressions *s, struct gct_findings *f)
{
    size_t kept = 0, dropped = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (gct_suppressed(s, &f->v[i])) {
            /* free this finding's contents through the one free routine */
            struct gct_findings one = {gct_xmalloc(sizeof *f->v), 1, 1};
            one.v[0] = f->v[i];
            gct_findings_free(&one);
            dropped++;
        } else {
            f->v[kept++] = f->v[i];
        }
    }
    f->n = kept;
    return dropped;
}

void
gct_suppressions_free(struct gct_suppressions *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->r[i].kind);
        free(s->r[i].pattern);
    }
    free(s->r);
    free(s);
}
