/*
 * analysis.c - the analyses: read the trace's tables, produce findings.
 *
 * Each analysis is one function over the trace, in the order of the
 * vocabulary (DESIGN.md).  Precision rules for lock-order cycles are
 * spelled out where they are applied (cycle_can_deadlock).
 */
#include "analysis.h"

#include "event.h"
#include "map.h"
#include "options.h"
#include "phase_time.h"
#include "vocab.h"
#include "wait_graph.h"

#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The short names of one finding's locks (M1, M2, ...): each defined
 * once, in the message, so that a cycle reads M1 -> M2 -> M1.  As many
 * as the finding has: a cycle may go through hundreds of locks. */
struct short_name {
    int64_t id;
    bool cls;   /* a lock class, not a lock */
    char *name; /* "M1" */
    char *def;  /* the full label, marked (RUN_BEGIN) */
};

struct pass;
struct graph;

/* A prepared statement kept for the rest of the analysis (query, query_done):
 * preparing a query again for each finding was half the time of making
 * a finding's labels and stacks (java -version's six leaked threads). */
struct kept_stmt {
    sqlite3_stmt *st; /* its SQL is sqlite3_sql(st) */
    bool busy; /* handed out by query, not yet given back by query_done */
};

#define KEPT_STMTS 32

struct ctx {
    const struct pass *pass; /* the one running (gct_analyze's table) */
    sqlite3 *db;
    struct gct_findings *out;
    char *err;
    size_t errlen;
    bool failed;
    struct gct_options opt; /* the rules of ownership (load_rules) */
    struct short_name *names;
    size_t nnames, capnames;
    /* the class graph, read with the lock graph by lock_cycles for
     * class_cycles; NULL once used */
    struct graph *class_graph;
    /* the objects with a lock_init event (lock_inited), read once */
    struct gct_map inited;
    bool inited_loaded;
    struct kept_stmt kept[KEPT_STMTS];
    size_t nkept;
};

/* SQL: thread T is one the end-of-run analyses judge: alive at the end,
 * not one of libgoc's service threads ("goc-*"), and not the thread that
 * ended its process (its proc_exit event).  NOT IN a list made once per
 * statement, not NOT EXISTS, which scanned the events (a trace of fewer
 * than 100,000 records has no index on them) for each thread; the list
 * leaves out NULL, which would make NOT IN false for every thread. */
#define JUDGED_THREAD_SQL(T)                                               \
    T ".end_ns IS NULL AND coalesce(" T ".name, '') NOT LIKE 'goc-%' "     \
    "AND " T ".id NOT IN (SELECT e.thread_id FROM events e WHERE e.kind = " \
    GCT_EV_KIND_SQL("proc_exit") " AND e.thread_id IS NOT NULL)"

/*
 * Messages and labels are built once, with the values that change from
 * run to run (addresses, tids, goroutine ids, pids, times) between
 * RUN_BEGIN and RUN_END.  unmark() makes of one such text the message a
 * person reads (the marks dropped) and the stable one (the marked parts
 * dropped): the two cannot drift apart.
 */
#define RUN_BEGIN "\x01"
#define RUN_END "\x02"

static char *
unmark(const char *s, bool stable)
{
    char *out = gct_xmalloc(strlen(s) + 1), *o = out;
    bool in = false;
    for (; *s; s++) {
        if (*s == RUN_BEGIN[0])
            in = true;
        else if (*s == RUN_END[0])
            in = false;
        else if (!in || !stable)
            *o++ = *s;
    }
    *o = '\0';
    return out;
}

/* ------------------------------------------------------------ helpers */

static char *
xprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = gct_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* A statement of sql, to be given back with query_done: one kept from an
 * earlier query of the same text when it is not in use (a query may run
 * while another of the same text is under way: a label within a label),
 * else a new one, kept while there is room. */
static sqlite3_stmt *
query(struct ctx *c, const char *sql)
{
    for (size_t i = 0; i < c->nkept; i++)
        if (!c->kept[i].busy && strcmp(sqlite3_sql(c->kept[i].st), sql) == 0) {
            c->kept[i].busy = true;
            return c->kept[i].st;
        }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
        if (!c->failed)
            snprintf(c->err, c->errlen, "damaged trace: %s",
                     sqlite3_errmsg(c->db));
        c->failed = true;
        return NULL;
    }
    if (c->nkept < KEPT_STMTS)
        c->kept[c->nkept++] = (struct kept_stmt){st, true};
    return st;
}

/* Gives back a statement of query: a kept one is reset for the next
 * query, any other finalized.  NULL: nothing. */
static void
query_done(struct ctx *c, sqlite3_stmt *st)
{
    for (size_t i = 0; st && i < c->nkept; i++)
        if (c->kept[i].st == st) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            c->kept[i].busy = false;
            return;
        }
    sqlite3_finalize(st);
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s ? s : "";
}

static struct gct_finding *
add(struct ctx *c, const char *kind, const char *subkind, int severity,
    int64_t ts, char *message)
{
    struct gct_finding f = {.kind = gct_xstrdup(kind),
                            .subkind = subkind ? gct_xstrdup(subkind) : NULL,
                            .severity = severity,
                            .message = unmark(message, false),
                            .stable_message = unmark(message, true),
                            .ts = ts};
    free(message);
    GCT_PUSH(c->out->v, c->out->n, c->out->cap, f);
    return &c->out->v[c->out->n - 1];
}

static void add_stack(struct ctx *c, struct gct_finding *f, int64_t stack,
                      const char *label);

/* Past the outermost of the innermost libgoc frames (goc_...): what
 * called into the library, not the library's insides.  libgoc's entries
 * (goc__entry_..., the goroutine trampoline) call the program's code,
 * which is inside them: they end no such run. */
static size_t
past_library(const struct gct_frame *fr, size_t n)
{
    size_t from = 0;
    for (size_t i = 0; i < n && i < 12; i++)
        if (fr[i].function && strncmp(fr[i].function, "goc_", 4) == 0 &&
            strncmp(fr[i].function, "goc__entry_", 11) != 0)
            from = i + 1;
    return from;
}

bool
gct_frame_internal(const struct gct_frame *fr, size_t n, size_t i)
{
    return i < past_library(fr, n) ||
           (fr[i].function && strncmp(fr[i].function, "goc_", 4) == 0);
}

size_t
gct_user_frame(const struct gct_frame *fr, size_t n)
{
    size_t from = past_library(fr, n);
    for (size_t i = from; i < n; i++)
        if (fr[i].file && fr[i].line > 0 && strncmp(fr[i].file, "/usr/", 5))
            return i;
    for (size_t i = 0; i < n; i++)
        if (fr[i].file && fr[i].line > 0)
            return i;
    return n;
}

/* "function (file:line)" of a frame with a source line. */
static char *
frame_text(const struct gct_frame *fr)
{
    const char *base = strrchr(fr->file, '/');
    return xprintf("%s (%s:%d)", fr->function, base ? base + 1 : fr->file,
                   fr->line);
}

/* "function (file:line)" of a stack's user frame (gct_user_frame);
 * caller: and " from" its caller's, when that has a source line. */
static char *
where_from(struct ctx *c, int64_t stack, bool caller)
{
    struct gct_finding tmp = {0};
    add_stack(c, &tmp, stack, "");
    char *s;
    if (tmp.nstacks == 0 || tmp.stacks[0].nframes == 0) {
        s = gct_xstrdup("an unknown place");
    } else {
        const struct gct_stack *st = &tmp.stacks[0];
        size_t i = gct_user_frame(st->frames, st->nframes);
        if (i == st->nframes) {
            s = xprintf("%s", st->frames[0].function);
        } else if (caller && i + 1 < st->nframes && st->frames[i + 1].file &&
                   st->frames[i + 1].line > 0) {
            char *in = frame_text(&st->frames[i]);
            char *from = frame_text(&st->frames[i + 1]);
            s = xprintf("%s from %s", in, from);
            free(in);
            free(from);
        } else {
            s = frame_text(&st->frames[i]);
        }
    }
    struct gct_findings one = {gct_xmalloc(sizeof tmp), 1, 1};
    one.v[0] = tmp;
    gct_findings_free(&one);
    return s;
}

static char *
where(struct ctx *c, int64_t stack)
{
    return where_from(c, stack, false);
}

/* A frame's function as a report shows it: the name, or for code without
 * symbols "?? (module+0xOFFSET)": whose code it is, and the address that
 * addr2line or debuginfod resolve later (with the module's build-id). */
static char *
frame_function(sqlite3_stmt *st, int fn_col, int module_col, int offset_col)
{
    if (sqlite3_column_type(st, fn_col) != SQLITE_NULL)
        return gct_xstrdup(col_text(st, fn_col));
    if (sqlite3_column_type(st, module_col) == SQLITE_NULL)
        return gct_xstrdup("??");
    const char *m = col_text(st, module_col);
    const char *base = strrchr(m, '/');
    char buf[320];
    if (sqlite3_column_type(st, offset_col) != SQLITE_NULL)
        snprintf(buf, sizeof buf, "?? (%s+0x%" PRIx64 ")", base ? base + 1 : m,
                 (uint64_t)sqlite3_column_int64(st, offset_col));
    else
        snprintf(buf, sizeof buf, "?? (%s)", base ? base + 1 : m);
    return gct_xstrdup(buf);
}

/* The nullable text of column i, copied; NULL for NULL. */
static char *
col_dup(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL
               ? NULL
               : gct_xstrdup(col_text(st, i));
}

/* A frame from a row of (function, file, line, module, offset). */
static struct gct_frame
frame_from_row(sqlite3_stmt *st)
{
    return (struct gct_frame){
        .function = frame_function(st, 0, 3, 4),
        .file = col_dup(st, 1),
        .line = sqlite3_column_int(st, 2),
        .module = col_dup(st, 3),
        .offset = sqlite3_column_type(st, 4) == SQLITE_NULL
                      ? -1
                      : sqlite3_column_int64(st, 4)};
}

static void
add_stack(struct ctx *c, struct gct_finding *f, int64_t stack,
          const char *label)
{
    if (stack <= 0)
        return;
    size_t cap = 0;
    sqlite3_stmt *st = query(c, "SELECT function, file, line, module, "
                                "offset FROM stack_text WHERE stack_id = ? "
                                "ORDER BY idx");
    if (st == NULL)
        return;
    struct gct_stack s = {.label = unmark(label, false),
                          .stable_label = unmark(label, true),
                          .id = stack};
    sqlite3_bind_int64(st, 1, stack);
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct gct_frame fr = frame_from_row(st);
        GCT_PUSH(s.frames, s.nframes, cap, fr);
    }
    query_done(c, st);
    size_t scap = f->nstacks;
    GCT_PUSH(f->stacks, f->nstacks, scap, s);
}

/* A frame as a one-frame stack (a lock edge's "held since" site). */
static void
add_frame(struct ctx *c, struct gct_finding *f, int64_t frame,
          const char *label)
{
    if (frame <= 0)
        return;
    sqlite3_stmt *st = query(c, "SELECT function, file, line, module, "
                                "offset FROM frames WHERE id = ?");
    if (st == NULL)
        return;
    sqlite3_bind_int64(st, 1, frame);
    if (sqlite3_step(st) == SQLITE_ROW) {
        struct gct_stack s = {.label = unmark(label, false),
                              .stable_label = unmark(label, true),
                              .nframes = 1};
        s.frames = gct_xcalloc(1, sizeof *s.frames);
        s.frames[0] = frame_from_row(st);
        size_t scap = f->nstacks;
        GCT_PUSH(f->stacks, f->nstacks, scap, s);
    }
    query_done(c, st);
}

/* A readable name for a thread, marked (RUN_BEGIN): the main thread of
 * its process is "main"; a goroutine is a "goroutine", by its name or
 * its id; a pthread is a "thread", by the name the program gave it, else
 * by its start routine (threads.start_routine), else by where it was
 * created.  The tid follows in parentheses. */
static char *
thread_label(struct ctx *c, int64_t id, int64_t *tid_out)
{
    sqlite3_stmt *st = query(c, "SELECT tid, name, goid, tid = pid, "
                                "start_routine, create_stack FROM threads "
                                "WHERE id = ?");
    char *s = NULL;
    if (st == NULL)
        return gct_xstrdup("thread");
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        int64_t tid = sqlite3_column_int64(st, 0);
        if (tid_out)
            *tid_out = tid;
        bool go = sqlite3_column_type(st, 2) != SQLITE_NULL;
        bool named = sqlite3_column_type(st, 1) != SQLITE_NULL &&
                     *col_text(st, 1);
        int64_t made = sqlite3_column_int64(st, 5);
        char *tids = xprintf(RUN_BEGIN " (tid %" PRId64 ")" RUN_END, tid);
        if (sqlite3_column_int(st, 3) && !go)
            s = xprintf("main%s", tids);
        else if (named)
            s = xprintf("%s '%s'%s", go ? "goroutine" : "thread",
                        col_text(st, 1), tids);
        else if (go)
            s = xprintf("goroutine" RUN_BEGIN " %" PRId64 " (tid %" PRId64
                        ")" RUN_END,
                        sqlite3_column_int64(st, 2), tid);
        else if (sqlite3_column_type(st, 4) != SQLITE_NULL)
            s = xprintf("thread %s%s", col_text(st, 4), tids);
        else if (made > 0) {
            query_done(c, st);
            st = NULL;
            char *at = where(c, made);
            s = xprintf("thread created at %s%s", at, tids);
            free(at);
        } else
            s = xprintf("thread%s", tids);
        free(tids);
    }
    query_done(c, st);
    return s ? s : gct_xstrdup("thread");
}

/* Thread th's stack where it stays blocked: "<thread> blocked at". */
static void
add_blocked_stack(struct ctx *c, struct gct_finding *f, int64_t th,
                  int64_t stack)
{
    char *who = thread_label(c, th, NULL);
    char *lab = xprintf("%s blocked at", who);
    add_stack(c, f, stack, lab);
    free(lab);
    free(who);
}

static void
ref_thread(struct ctx *c, struct gct_finding *f, int64_t id)
{
    struct gct_ref r = {.id = id, .kind = gct_xstrdup("thread")};
    char *label = thread_label(c, id, &r.tid);
    r.name = unmark(label, false);
    free(label);
    sqlite3_stmt *st = query(c, "SELECT name, goid, start_routine, "
                                "create_stack FROM threads WHERE id = ?");
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            r.given = col_dup(st, 0);
            r.goid = sqlite3_column_int64(st, 1);
            /* a goroutine's pthread starts in libgoc, not in its
             * function: no help in finding it */
            if (r.goid == 0)
                r.start_routine = col_dup(st, 2);
            int64_t made = sqlite3_column_int64(st, 3);
            if (made > 0)
                r.created_at = where(c, made);
        }
        query_done(c, st);
    }
    size_t cap = f->nthreads;
    GCT_PUSH(f->threads, f->nthreads, cap, r);
}

/* "file:line (function)" of a stack's user frame (gct_user_frame), as a
 * person looks it up; NULL when no frame has a source line. */
static char *
user_site(struct ctx *c, int64_t stack)
{
    struct gct_finding tmp = {0};
    add_stack(c, &tmp, stack, "");
    char *s = NULL;
    if (tmp.nstacks && tmp.stacks[0].nframes) {
        const struct gct_stack *st = &tmp.stacks[0];
        size_t i = gct_user_frame(st->frames, st->nframes);
        if (i < st->nframes) {
            const struct gct_frame *fr = &st->frames[i];
            const char *base = strrchr(fr->file, '/');
            s = xprintf("%s:%d (%s)", base ? base + 1 : fr->file, fr->line,
                        fr->function);
        }
    }
    struct gct_findings one = {gct_xmalloc(sizeof tmp), 1, 1};
    one.v[0] = tmp;
    gct_findings_free(&one);
    return s;
}

/* Whether object id has a lock_init event.  The ids of those are read
 * once per analysis: a query per object scanned the events (no index
 * below 100,000 records) for each label.  Only integers: an events row
 * whose object_id is no integer names no object. */
static bool
lock_inited(struct ctx *c, int64_t id)
{
    if (!c->inited_loaded) {
        c->inited_loaded = true;
        sqlite3_stmt *st = query(
            c, "SELECT object_id FROM events WHERE kind = "
               GCT_EV_KIND_SQL("lock_init") " AND typeof(object_id) = "
               "'integer'");
        while (st && sqlite3_step(st) == SQLITE_ROW)
            gct_map_put(&c->inited, (uint64_t)sqlite3_column_int64(st, 0), 0,
                        1);
        query_done(c, st);
    }
    return gct_map_get(&c->inited, (uint64_t)id, 0, 0) != 0;
}

/* A lock, condvar, semaphore, channel, ... as the code names it, marked
 * (RUN_BEGIN): the name the program gave it, else the variable it lies
 * in (objects.symbol: "accounts_lock", "alice+0x8"), else where it was
 * made ("made at bank.c:31 (new_account)", from its init or make call;
 * "first used at" for one that no init call made).  Its address follows
 * in parentheses: it changes from run to run. */
static char *
object_label(struct ctx *c, int64_t id)
{
    sqlite3_stmt *st = query(
        c, "SELECT kind, name, addr, symbol, create_stack, "
           "class_id IS NOT NULL OR kind IN ('chan', 'ctx') "
           "FROM objects o WHERE id = ?");
    char *s = NULL;
    if (st == NULL)
        return gct_xstrdup("object");
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        char *kind = gct_xstrdup(col_text(st, 0));
        char *addr = xprintf(RUN_BEGIN " (0x%" PRIx64 ")" RUN_END,
                             (uint64_t)sqlite3_column_int64(st, 2));
        int64_t made = sqlite3_column_int64(st, 4);
        bool inited = sqlite3_column_int(st, 5) != 0 || lock_inited(c, id);
        if (sqlite3_column_type(st, 1) != SQLITE_NULL && *col_text(st, 1))
            s = xprintf("%s '%s'%s", kind, col_text(st, 1), addr);
        else if (sqlite3_column_type(st, 3) != SQLITE_NULL &&
                 *col_text(st, 3))
            s = xprintf("%s %s%s", kind, col_text(st, 3), addr);
        query_done(c, st);
        st = NULL;
        if (s == NULL && made > 0) {
            char *at = user_site(c, made);
            if (at)
                s = xprintf("%s %s at %s%s", kind,
                            inited ? "made" : "first used", at, addr);
            free(at);
        }
        if (s == NULL)
            s = xprintf("%s%s", kind, addr);
        free(kind);
        free(addr);
    }
    query_done(c, st);
    return s ? s : gct_xstrdup("object");
}

/* The short name of lock or lock class id within the finding being
 * built (names_reset begins one): M1, M2, ... for mutexes, RW1 for
 * rwlocks, C1 for lock classes, defined in names_defs. */
static char *
short_name(struct ctx *c, int64_t id, bool cls)
{
    size_t same = 0;
    char prefix[8] = "C";
    if (!cls) {
        sqlite3_stmt *st = query(c, "SELECT kind FROM objects WHERE id = ?");
        if (st) {
            sqlite3_bind_int64(st, 1, id);
            snprintf(prefix, sizeof prefix, "%s",
                     sqlite3_step(st) != SQLITE_ROW ? "L"
                     : strcmp(col_text(st, 0), "mutex") == 0  ? "M"
                     : strcmp(col_text(st, 0), "rwlock") == 0 ? "RW"
                                                              : "L");
            query_done(c, st);
        }
    }
    for (size_t i = 0; i < c->nnames; i++) {
        if (c->names[i].id == id && c->names[i].cls == cls)
            return gct_xstrdup(c->names[i].name);
        if (strncmp(c->names[i].name, prefix, strlen(prefix)) == 0 &&
            c->names[i].name[strlen(prefix)] >= '0' &&
            c->names[i].name[strlen(prefix)] <= '9')
            same++;
    }
    char *name = xprintf("%s%zu", prefix, same + 1);
    char *def;
    if (cls) {
        char *at = where_from(c, id, true);
        def = xprintf("locks made at %s", at);
        free(at);
    } else {
        def = object_label(c, id);
    }
    struct short_name sn = {id, cls, gct_xstrdup(name), def};
    GCT_PUSH(c->names, c->nnames, c->capnames, sn);
    return name;
}

/* "M1 = mutex accounts_lock (0x...), M2 = ...": the definitions of the
 * short names given so far, marked. */
static char *
names_defs(struct ctx *c)
{
    char *s = gct_xstrdup("");
    for (size_t i = 0; i < c->nnames; i++) {
        char *n = xprintf("%s%s%s = %s", s, i ? ", " : "", c->names[i].name,
                          c->names[i].def);
        free(s);
        s = n;
    }
    return s;
}

/* Forgets the short names: the next finding begins at M1 again. */
static void
names_reset(struct ctx *c)
{
    for (size_t i = 0; i < c->nnames; i++) {
        free(c->names[i].name);
        free(c->names[i].def);
    }
    c->nnames = 0;
}

static void
ref_object(struct ctx *c, struct gct_finding *f, int64_t id)
{
    if (id <= 0)
        return;
    char *label = object_label(c, id);
    struct gct_ref r = {.id = id, .kind = NULL, .name = unmark(label, false)};
    free(label);
    sqlite3_stmt *st = query(c, "SELECT kind, name, addr, symbol FROM "
                                "objects WHERE id = ?");
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        bool row = sqlite3_step(st) == SQLITE_ROW;
        r.kind = gct_xstrdup(row ? col_text(st, 0) : "unknown");
        if (row) {
            r.given = col_dup(st, 1);
            r.addr = (uint64_t)sqlite3_column_int64(st, 2);
            r.symbol = col_dup(st, 3);
        }
        query_done(c, st);
    }
    size_t cap = f->nobjects;
    GCT_PUSH(f->objects, f->nobjects, cap, r);
}

static int64_t
object_stack(struct ctx *c, int64_t id)
{
    sqlite3_stmt *st = query(c, "SELECT create_stack FROM objects "
                                "WHERE id = ?");
    int64_t s = 0;
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) == SQLITE_ROW)
            s = sqlite3_column_int64(st, 0);
        query_done(c, st);
    }
    return s;
}

/* Who a thread is, for a report that says who did what: its label, and
 * where it was created (a thread other than a process's main one). */
static char *
thread_who(struct ctx *c, int64_t id)
{
    char *who = thread_label(c, id, NULL);
    sqlite3_stmt *st = query(c, "SELECT create_stack FROM threads "
                                "WHERE id = ?");
    int64_t made = 0;
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) == SQLITE_ROW)
            made = sqlite3_column_int64(st, 0);
        query_done(c, st);
    }
    if (made <= 0)
        return who;
    char *at = where(c, made);
    char *s = xprintf("%s, created at %s", who, at);
    free(at);
    free(who);
    return s;
}

/* A lock a thread held as it began a wait, and the frame where it took
 * it (0: unknown). */
struct held_lock {
    int64_t obj, frame;
};

/* The locks thread held as it began the wait that began at begin (the
 * recorder's lock_held events, written with the wait's time), plus also,
 * when not among them, the lock also_held (-1: none), which another
 * thread's wait says it holds.  Returns how many, in *out (to free). */
static size_t
held_at_wait(struct ctx *c, int64_t thread, int64_t begin, int64_t also_held,
             struct held_lock **out)
{
    size_t n = 0, cap = 0;
    *out = NULL;
    sqlite3_stmt *st = query(c, "SELECT object_id, b FROM events WHERE "
                                "thread_id = ? AND ts = ? AND kind = ? "
                                "ORDER BY id");
    if (st) {
        sqlite3_bind_int64(st, 1, thread);
        sqlite3_bind_int64(st, 2, begin);
        sqlite3_bind_int64(st, 3, GCT_EV_LOCK_HELD);
        while (sqlite3_step(st) == SQLITE_ROW) {
            struct held_lock h = {sqlite3_column_int64(st, 0),
                                  sqlite3_column_int64(st, 1)};
            GCT_PUSH(*out, n, cap, h);
        }
        query_done(c, st);
    }
    bool known = also_held <= 0;
    for (size_t i = 0; i < n && !known; i++)
        known = (*out)[i].obj == also_held;
    if (!known) {
        struct held_lock h = {also_held, 0};
        GCT_PUSH(*out, n, cap, h);
    }
    return n;
}

static const char *
reason_name(int64_t reason)
{
    const char *s = gct_wait_name(reason);
    return s ? s : "unknown wait";
}

/* ------------------------------------------------------------ ownership */

/* The directories of the system's libraries and programs, where the
 * distribution installs them: code there is the system's, not the
 * program's (docs/leaks.md).  /usr/local and /opt are not among them:
 * what is built and installed locally is the program's own. */
static const char *const system_dirs[] = {
    "/lib/",       "/lib32/",      "/lib64/",     "/libx32/",
    "/usr/lib/",   "/usr/lib32/",  "/usr/lib64/", "/usr/libx32/",
    "/usr/libexec/", "/bin/",      "/sbin/",      "/usr/bin/",
    "/usr/sbin/",  "/usr/games/",
};

/* Whether path matches one of list's comma-separated fnmatch patterns. */
static bool
matches_list(const char *list, const char *path)
{
    char pat[sizeof ((struct gct_options *)0)->own_modules];

    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n > 0 && n < sizeof pat) {
            memcpy(pat, p, n);
            pat[n] = '\0';
            if (fnmatch(pat, path, 0) == 0)
                return true;
        }
        p += n + (p[n] == ',');
    }
    return false;
}

/* Whether the module at path is the program's own: named by own_modules,
 * or neither named by system_modules nor under a system directory.  Code
 * of no known module (made at run time) is nobody's in particular: not
 * the program's. */
static bool
module_own(const struct ctx *c, const char *path)
{
    if (path == NULL || *path == '\0')
        return false;
    if (matches_list(c->opt.own_modules, path))
        return true;
    if (matches_list(c->opt.system_modules, path))
        return false;
    for (size_t i = 0; i < sizeof system_dirs / sizeof *system_dirs; i++)
        if (strncmp(path, system_dirs[i], strlen(system_dirs[i])) == 0)
            return false;
    return true;
}

/* Whose code a stack shows (its innermost frame only, or any frame):
 * 1 the program's, 0 only system libraries', -1 no frame at all. */
static int
stack_owner(struct ctx *c, int64_t stack, bool innermost)
{
    int owner = -1;
    if (stack <= 0)
        return owner;
    sqlite3_stmt *st = query(c, "SELECT module FROM stack_text WHERE "
                                "stack_id = ? ORDER BY idx");
    if (st == NULL)
        return owner;
    sqlite3_bind_int64(st, 1, stack);
    while (owner != 1 && sqlite3_step(st) == SQLITE_ROW) {
        owner = module_own(c, (const char *)sqlite3_column_text(st, 0));
        if (innermost)
            break;
    }
    query_done(c, st);
    return owner;
}

/* Whether a thread is a system library's: the code that created it (the
 * innermost frame of its creation stack) is a system library's, and so
 * is every frame where it was blocked (a thread started through a
 * library for the program, std::thread or g_thread_new, runs the
 * program's code).  A thread with no stack at all is the program's. */
static bool
thread_is_system(struct ctx *c, int64_t create_stack, int64_t blocked_stack)
{
    int made = stack_owner(c, create_stack, true);
    int ran = stack_owner(c, blocked_stack, false);
    if (made == 1 || ran == 1)
        return false;
    return made == 0 || ran == 0;
}

/* A finding that only system libraries' code is part of is information:
 * not counted, unless the option fail_system asks for it. */
static void
mark_system(struct ctx *c, struct gct_finding *f, bool system)
{
    f->system = system;
    if (system && !c->opt.fail_system)
        f->severity = GCT_SEVERITY_INFO;
}

/* The options that decide ownership: as the trace's root process was
 * given them, then as the analysing command is (GCTRACE_OPTIONS wins). */
static void
load_rules(struct ctx *c)
{
    gct_options_default(&c->opt);
    sqlite3_stmt *st = query(c, "SELECT value FROM meta WHERE key = "
                                "'options'");
    if (st && sqlite3_step(st) == SQLITE_ROW)
        gct_options_parse(&c->opt, col_text(st, 0), NULL, NULL);
    query_done(c, st);
    gct_options_parse(&c->opt, getenv("GCTRACE_OPTIONS"), NULL, NULL);
}

/* ------------------------------------------------------------ threads */

static bool may_read(struct ctx *c, const char *kind);

/* Whether a finding of kind already names thread id. */
static bool
in_finding(struct ctx *c, const char *kind, int64_t id)
{
    if (!may_read(c, kind))
        return false;
    for (size_t i = 0; i < c->out->n; i++) {
        const struct gct_finding *f = &c->out->v[i];
        if (strcmp(f->kind, kind) != 0)
            continue;
        for (size_t k = 0; k < f->nthreads; k++)
            if (f->threads[k].id == id)
                return true;
    }
    return false;
}

static bool
in_deadlock(struct ctx *c, int64_t id)
{
    return in_finding(c, "deadlock", id);
}

/* Whether a deadlock finding already names object id (a channel in a
 * cycle: the cycle is the bug, not that nobody closed it). */
static bool
object_in_deadlock(struct ctx *c, int64_t id)
{
    if (!may_read(c, "deadlock"))
        return false;
    for (size_t i = 0; i < c->out->n; i++) {
        const struct gct_finding *f = &c->out->v[i];
        if (strcmp(f->kind, "deadlock") != 0)
            continue;
        for (size_t k = 0; k < f->nobjects; k++)
            if (f->objects[k].id == id)
                return true;
    }
    return false;
}

/* Whether the trace recorded every event (record=all): what counts and
 * signals need. */
static bool
recorded_all(struct ctx *c)
{
    sqlite3_stmt *st = query(c, "SELECT value FROM meta WHERE key = "
                                "'record_mode'");
    bool all = st && sqlite3_step(st) == SQLITE_ROW &&
               strcmp(col_text(st, 0), "all") == 0;
    query_done(c, st);
    return all;
}

/* For a leaked thread's condvar or semaphore wait (reason) on obj, begun
 * at since: who signalled or posted it last, and where (a stack of one
 * frame in f), as a clause of the message: what a person looks at to see
 * why the wake-up never came.  "" for other waits. */
static char *
last_wakeup(struct ctx *c, struct gct_finding *f, int64_t reason,
            int64_t obj, int64_t since)
{
    bool sem = reason == GCT_WAIT_SEM;
    if ((reason != GCT_WAIT_COND && !sem) || obj <= 0)
        return gct_xstrdup("");
    const char *verb = sem ? "posted" : "signalled";
    if (!recorded_all(c))
        return xprintf("; who %s it last: not recorded (record=all)", verb);
    sqlite3_stmt *st = query(c, "SELECT thread_id, ts, b FROM events WHERE "
                                "object_id = ? AND kind IN (?, ?) "
                                "ORDER BY id DESC LIMIT 1");
    if (st == NULL)
        return gct_xstrdup("");
    sqlite3_bind_int64(st, 1, obj);
    sqlite3_bind_int64(st, 2, sem ? GCT_EV_SEM_POST : GCT_EV_COND_SIGNAL);
    sqlite3_bind_int64(st, 3, sem ? GCT_EV_SEM_POST : GCT_EV_COND_BROADCAST);
    char *s;
    if (sqlite3_step(st) != SQLITE_ROW) {
        s = xprintf("; nothing ever %s it", verb);
    } else {
        int64_t th = sqlite3_column_int64(st, 0), ts = sqlite3_column_int64(st, 1);
        int64_t frame = sqlite3_column_int64(st, 2);
        char *who = thread_label(c, th, NULL);
        s = xprintf("; last %s by %s" RUN_BEGIN " %.3f s into the run"
                    RUN_END "%s",
                    verb, who, ts / 1e9,
                    ts < since ? ", before this wait began" : "");
        char *lab = xprintf("last %s here, by %s", verb, who);
        add_frame(c, f, frame, lab);
        free(lab);
        free(who);
    }
    query_done(c, st);
    return s;
}

/* Threads blocked forever when their process ended: in a wait without
 * a timeout (one with a timeout ends by itself).  A thread still running
 * is not a leak (ThreadSanitizer's rule), nor is the thread that called
 * exit, nor the main thread of each process, which is the process;
 * libgoc's own service threads ("goc-" names) are the library's
 * business.  Threads that were merely on their way out, or on their way
 * to block, when main returned were given the time to get there by the
 * recorder's exit grace (exit_grace_ms), as goleak retries. */
static void
leaked_threads(struct ctx *c)
{
    sqlite3_stmt *st = query(
        c, "SELECT t.id, t.create_stack, t.parent_id, w.reason, w.object_id,"
           " max(w.begin_ns), w.stack_id " /* the innermost wait's */
           "FROM threads t JOIN processes p ON p.pid = t.pid "
           "JOIN waits w ON w.thread_id = t.id AND w.end_ns IS NULL "
           "WHERE " JUDGED_THREAD_SQL("t") " AND t.tid != t.pid "
           "AND NOT coalesce(p.running, 0) "
           "AND NOT EXISTS (SELECT 1 FROM waits x WHERE x.thread_id = t.id "
           "  AND x.end_ns IS NULL AND x.timed) "
           "GROUP BY t.id ORDER BY t.id");
    if (st == NULL)
        return;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        int64_t create = sqlite3_column_int64(st, 1);
        int64_t parent = sqlite3_column_int64(st, 2);
        if (in_deadlock(c, id) || in_finding(c, "context_leak", id))
            continue; /* that finding explains it */
        int64_t reason = sqlite3_column_int64(st, 3);
        int64_t obj = sqlite3_column_int64(st, 4);
        int64_t since = sqlite3_column_int64(st, 5);
        int64_t wstack = sqlite3_column_int64(st, 6);
        char *who = thread_label(c, id, NULL);
        char *born = where(c, create);
        char *at = where(c, wstack);
        char *what = obj ? object_label(c, obj) : gct_xstrdup("");
        struct gct_finding tmp = {0};
        char *woke = last_wakeup(c, &tmp, reason, obj, since);
        char *msg = xprintf("%s leaked: still blocked on %s%s%s at %s"
                            RUN_BEGIN " (since %.3f s into the run)" RUN_END
                            ", created at %s%s",
                            who, reason_name(reason), obj ? " of " : "",
                            what, at, since / 1e9, born, woke);
        free(woke);
        struct gct_finding *f = add(c, "leaked_thread", NULL, 2, since, msg);
        mark_system(c, f, thread_is_system(c, create, wstack));
        ref_thread(c, f, id);
        if (parent)
            ref_thread(c, f, parent);
        if (obj)
            ref_object(c, f, obj);
        add_stack(c, f, wstack, "blocked at");
        add_stack(c, f, create, "created at");
        if (obj)
            add_stack(c, f, object_stack(c, obj), "object created at");
        for (size_t k = 0; k < tmp.nstacks; k++) {
            size_t cap = f->nstacks;
            GCT_PUSH(f->stacks, f->nstacks, cap, tmp.stacks[k]);
        }
        free(tmp.stacks);
        free(at);
        free(what);
        free(who);
        free(born);
    }
    query_done(c, st);
}

static void
unjoined_threads(struct ctx *c)
{
    sqlite3_stmt *st = query(
        c, "SELECT id, create_stack, parent_id, end_ns FROM threads "
           "WHERE end_ns IS NOT NULL AND joined_by IS NULL AND detached = 0 "
           "AND goid IS NULL AND tid != pid "
           "AND pid NOT IN (SELECT pid FROM processes WHERE running = 1) "
           "ORDER BY id");
    if (st == NULL)
        return;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        int64_t create = sqlite3_column_int64(st, 1);
        if (create == 0)
            continue; /* not seen being created: its creator is unknown */
        char *who = thread_label(c, id, NULL);
        char *born = where(c, create);
        struct gct_finding *f = add(
            c, "unjoined_thread", NULL, 1, sqlite3_column_int64(st, 3),
            xprintf("%s exited but was never joined nor detached (its "
                    "resources stay allocated); created at %s",
                    who, born));
        mark_system(c, f, thread_is_system(c, create, 0));
        ref_thread(c, f, id);
        add_stack(c, f, create, "created at");
        free(who);
        free(born);
    }
    query_done(c, st);
}

/* ------------------------------------------------------------ lock order */

/* An edge of the lock-order graph.  Nodes are locks, or lock classes
 * (the stack that made a lock, objects.class_id) in the class graph;
 * from_obj and to_obj are always the locks themselves. */
struct edge {
    int64_t id, from, to, thread, stack, from_frame;
    int from_flags, to_flags;
    int64_t *gates;
    size_t ngates;
    int64_t from_obj, to_obj;
    uint32_t u, v; /* from and to as node numbers (graph.node) */
};

/* The graph in compressed form: node numbers 0..nv-1 in the order the
 * edges (by id) first name them; node k's out-edges are
 * e[out[first[k]]], ..., e[out[first[k + 1] - 1]], in id order. */
struct graph {
    bool classes; /* nodes are lock classes */
    struct edge *e;
    size_t n, cap;
    int64_t *node;        /* node number -> lock (class) id */
    size_t nv, nvcap;
    struct gct_map index; /* (lock or class id, 0) -> node number + 1 */
    size_t *first;
    uint32_t *out;
};

static uint64_t
mix(uint64_t h, uint64_t v)
{
    h = (h ^ v) * 0xff51afd7ed558ccdull;
    return h ^ h >> 33;
}

/*
 * Whether edge e adds nothing to the graph's cycles that the edges kept
 * so far do not: whether a cycle can deadlock (cycle_can_deadlock) looks
 * at an edge's nodes, its read flags, its gates and its thread, and needs
 * only two threads to differ.  So of the edges alike but for the thread
 * and the stacks, two of different threads are kept.  Without this a
 * class graph, where many pairs of locks make one pair of classes, held
 * thousands of parallel edges, and the search for cycles walked every
 * combination of them (node's trace: 11,500 edges of 184 pairs of
 * classes, minutes).
 */
static bool
redundant(struct gct_map *kept, const struct edge *e, const char *gates)
{
    uint64_t k1 = mix(mix(mix(0, (uint64_t)e->from), (uint64_t)e->to),
                      (uint64_t)((e->from_flags & GCT_LOCK_SHARED) |
                                 (e->to_flags & GCT_LOCK_SHARED) << 8));
    uint64_t k2 = 1469598103934665603ull;
    for (const char *p = gates; *p; p++)
        k2 = (k2 ^ (unsigned char)*p) * 1099511628211ull;
    k2 &= ~1ull; /* the low bit tells the first thread's slot (0) from
                    the second's (1) */
    uint64_t first = gct_map_get(kept, k1, k2, 0);
    if (first == 0) {
        gct_map_put(kept, k1, k2, (uint64_t)e->thread + 1);
        return false;
    }
    if (first == (uint64_t)e->thread + 1 || gct_map_get(kept, k1, k2 | 1, 0))
        return true;
    gct_map_put(kept, k1, k2 | 1, 1);
    return false;
}

/* The node number of lock (class) id, made on first sight. */
static uint32_t
node_number(struct graph *g, int64_t id)
{
    uint64_t k = gct_map_get(&g->index, (uint64_t)id, 0, 0);
    if (k == 0) {
        GCT_PUSH(g->node, g->nv, g->nvcap, id);
        k = g->nv;
        gct_map_put(&g->index, (uint64_t)id, 0, k);
    }
    return (uint32_t)(k - 1);
}

/* Edge e (nodes from and to) into graph g, unless it is a lock nested
 * within its own class or adds nothing (redundant, by kept). */
static void
graph_add(struct graph *g, struct gct_map *kept, struct edge e,
          const char *gates)
{
    if (e.from == e.to || /* nesting within one class: no order */
        redundant(kept, &e, gates))
        return;
    /* Exactly as many as there are: a graph holds a million edges. */
    size_t cap = *gates != 0;
    for (const char *p = gates; *p; p++)
        cap += *p == ',';
    if (cap)
        e.gates = gct_xmalloc(cap * sizeof *e.gates);
    for (const char *p = gates; *p && e.ngates < cap;) {
        e.gates[e.ngates++] = strtoll(p, (char **)&p, 10);
        if (*p == ',')
            p++;
        else
            break;
    }
    e.u = node_number(g, e.from);
    e.v = node_number(g, e.to);
    GCT_PUSH(g->e, g->n, g->cap, e);
}

/* Out-edges by node: a counting sort, stable, so in id order. */
static void
graph_index(struct graph *g)
{
    g->first = gct_xcalloc(g->nv + 2, sizeof *g->first);
    g->out = gct_xmalloc((g->n + 1) * sizeof *g->out);
    for (size_t i = 0; i < g->n; i++)
        g->first[g->e[i].u + 2]++;
    for (size_t k = 2; k < g->nv + 2; k++)
        g->first[k] += g->first[k - 1];
    for (size_t i = 0; i < g->n; i++)
        g->out[g->first[g->e[i].u + 1]++] = (uint32_t)i;
}

/* An object's lock class (objects.class_id), for the class graph. */
struct class_of {
    int64_t id, cls;
};

/* The lock classes of the objects that have one, by object id. */
static struct class_of *
load_classes(struct ctx *c, size_t *n)
{
    struct class_of *v = NULL;
    size_t cap = 0;
    *n = 0;
    sqlite3_stmt *st = query(c, "SELECT id, class_id FROM objects WHERE "
                                "class_id IS NOT NULL ORDER BY id");
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        struct class_of x = {sqlite3_column_int64(st, 0),
                             sqlite3_column_int64(st, 1)};
        GCT_PUSH(v, *n, cap, x);
    }
    query_done(c, st);
    return v;
}

/* The class of object id, as a join on objects.id finds it: false when
 * no object of that id has a class. */
static bool
class_of(const struct class_of *v, size_t n, int64_t id, int64_t *cls)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == n || v[lo].id != id)
        return false;
    *cls = v[lo].cls;
    return true;
}

/*
 * The graph of locks and, when classes is not NULL, the graph of lock
 * classes, from one reading of lock_edges: reading the rows costs more
 * than building either graph (node's 11,500 edges: 3-5 ms a reading), and
 * the class graph's nodes come from a table of the objects' classes
 * instead of a join per row.  The class graph has the edges whose two
 * locks both have a class.
 */
static void
load_edges(struct ctx *c, struct graph *locks, struct graph *classes)
{
    struct gct_map kept = {0}, kept_cls = {0};
    size_t ncls = 0;
    struct class_of *cls = classes ? load_classes(c, &ncls) : NULL;
    sqlite3_stmt *st = query(
        c, "SELECT id, from_id, to_id, thread_id, stack_id, from_frame, "
           "from_flags, to_flags, gate_ids FROM lock_edges ORDER BY id");
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        /* a join on objects.id matches an integer only (asked before the
         * values are read: reading one may convert it) */
        bool ids = sqlite3_column_type(st, 1) == SQLITE_INTEGER &&
                   sqlite3_column_type(st, 2) == SQLITE_INTEGER;
        struct edge e = {sqlite3_column_int64(st, 0),
                         sqlite3_column_int64(st, 1),
                         sqlite3_column_int64(st, 2),
                         sqlite3_column_int64(st, 3),
                         sqlite3_column_int64(st, 4),
                         sqlite3_column_int64(st, 5),
                         sqlite3_column_int(st, 6),
                         sqlite3_column_int(st, 7),
                         NULL,
                         0,
                         0,
                         0,
                         0,
                         0};
        e.from_obj = e.from;
        e.to_obj = e.to;
        const char *gates = col_text(st, 8);
        graph_add(locks, &kept, e, gates);
        if (classes && ids && class_of(cls, ncls, e.from_obj, &e.from) &&
            class_of(cls, ncls, e.to_obj, &e.to))
            graph_add(classes, &kept_cls, e, gates);
    }
    query_done(c, st);
    gct_map_free(&kept);
    gct_map_free(&kept_cls);
    free(cls);
    graph_index(locks);
    if (classes)
        graph_index(classes);
}

static void
graph_free(struct graph *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->e[i].gates);
    free(g->e);
    free(g->node);
    free(g->first);
    free(g->out);
    gct_map_free(&g->index);
    memset(g, 0, sizeof *g);
}

static void
free_class_graph(struct ctx *c)
{
    if (c->class_graph)
        graph_free(c->class_graph);
    free(c->class_graph);
    c->class_graph = NULL;
}

static bool
has_gate(const struct edge *e, int64_t g)
{
    for (size_t i = 0; i < e->ngates; i++)
        if (e->gates[i] == g)
            return true;
    return false;
}

/* Whether, where edge wait's thread waits for the lock that edge hold's
 * thread holds, both are readers, which never exclude each other. */
static bool
readers_meet(const struct edge *wait, const struct edge *hold)
{
    return (wait->to_flags & GCT_LOCK_SHARED) &&
           (hold->from_flags & GCT_LOCK_SHARED);
}

/* Whether the edges e[0..n) all come from one thread. */
static bool
one_thread(struct edge **e, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (e[i]->thread != e[0]->thread)
            return false;
    return true;
}

/*
 * Whether the cycle of edges (e[0].to == e[1].from, ..., e[n-1].to ==
 * e[0].from) can deadlock in some schedule:
 *  - it needs at least two threads, unless single: a cycle whose edges
 *    all come from one thread did not deadlock this run (one thread
 *    cannot wait on itself through a lock order), but the code that
 *    made it deadlocks as soon as two threads run it at once, which is
 *    what ThreadSanitizer, Helgrind and lockdep report too; it is asked
 *    for only where no cycle of two threads is found;
 *  - at each step the thread that waits for lock L conflicts with the
 *    thread holding L: two readers never do;
 *  - a gate lock held across every edge serialises them: no deadlock.
 * Acquisitions through trylock never make an edge (the shim skips them),
 * and a lock destroyed and re-made at the same address is a different
 * object, so neither needs a check here.
 */
static bool
cycle_can_deadlock(struct edge **e, size_t n, bool single)
{
    if (!single && one_thread(e, n))
        return false;
    for (size_t i = 0; i < n; i++)
        if (readers_meet(e[i], e[(i + 1) % n]))
            return false;
    for (size_t g = 0; g < e[0]->ngates; g++) {
        bool all = true;
        for (size_t i = 1; i < n && all; i++)
            all = has_gate(e[i], e[0]->gates[g]);
        if (all)
            return false;
    }
    return true;
}

/* A node's name within its finding: a lock's short name (M1), or a
 * class's (C1), defined as "locks made at f (file:line) from g
 * (file:line)" (a class is a creation stack: the caller tells the
 * classes made through one helper apart). */
static char *
node_label(struct ctx *c, const struct graph *g, int64_t node)
{
    return short_name(c, node, g->classes);
}

/* A lock an edge names: its short name in a cycle of locks, which
 * defines them all; in a cycle of classes, its full label. */
static char *
edge_lock(struct ctx *c, const struct graph *g, int64_t obj)
{
    return g->classes ? object_label(c, obj) : short_name(c, obj, false);
}

/* A class cycle whose locks also close a cycle is the instance cycle,
 * reported already. */
static bool
closes_on_instances(struct edge **e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (e[i]->to_obj != e[(i + 1) % n]->from_obj)
            return false;
    return true;
}

/*
 * Finding the cycles.  Every cycle of the graph lies within one strongly
 * connected component (a set of nodes that all reach each other), and
 * every component of two or more nodes holds one, so the search works a
 * component at a time and reports one cycle for each.  With V nodes and
 * E edges in the graph, V_C and E_C in a component:
 *
 *  1. Tarjan's algorithm finds the components in O(V + E).  It keeps its
 *     own stack: a chain of thousands of nested locks would overflow the
 *     C stack of a recursive one.
 *  2. A component whose edges were all taken under one gate lock has
 *     no cycle that can deadlock (cycle_can_deadlock): O(E_C) to tell,
 *     and it is skipped.  One whose edges all come from one thread has
 *     no cycle of two threads: only the search of step 5 is made.
 *  3. A breadth-first search from the component's first node finds the
 *     shortest cycle through it, O(V_C + E_C).  Between two nodes there
 *     can be several edges (threads, read flags, gates): one is chosen
 *     for each hop, by backtracking over the choices, so that the cycle
 *     can deadlock.
 *  4. When no choice can, the shortest cycle through each edge of the
 *     component in turn (a breadth-first search from the edge's head
 *     back to its tail), while half the budget lasts.  When the first
 *     cycle's edges all came from one thread, only the edges of other
 *     threads are tried; when they all held one gate, only the edges
 *     without it: a cycle through such an edge escapes what made the
 *     first one harmless.  Then a depth-first enumeration of the
 *     component's simple cycles, each from its lowest node so that each
 *     comes once, none through a reader waiting for a reader, until one
 *     can deadlock.
 *  5. When steps 3 and 4 found no cycle of two threads within their
 *     budget (or the component's edges all come from one thread), in the
 *     graph of locks (not classes), they are made again with a budget of
 *     their own for a cycle whose edges may all come from one thread,
 *     reported as lock_order_cycle/single_thread.
 *
 * Steps 3 to 5 count every edge they visit and every choice they try
 * against a budget of CYCLE_BUDGET per edge of the component.  A
 * component whose budget runs out before a cycle that can deadlock is
 * found is not reported: the search may miss a cycle, never make one up.
 * So the whole search takes O(V + E) time, at most 2 * CYCLE_BUDGET + a
 * few steps per edge (step 5 has a budget of its own), and O(V + E)
 * memory, on any graph; a cycle is reported
 * whole, however long.  Reading the edges from the trace costs more than
 * the search: on 10,000 locks and 1,000,000 edges (bench/lock_graph.sh)
 * `gctrace check` takes 1-3 s and 170 MB, the slower when no cycle can
 * deadlock and the budget is spent.
 *
 * The finding gives the component's size and a lower bound of its other
 * cycles: a strongly connected digraph's cycles span its cycle space,
 * of dimension m - V_C + 1 for m distinct pairs of nodes joined by an
 * edge, so it has at least that many simple cycles.
 */
#define CYCLE_BUDGET 64

struct cycles {
    struct ctx *c;
    struct graph *g;
    uint32_t *comp;     /* node -> its component */
    uint32_t *members;  /* nodes by component, each component's ascending */
    size_t *cfirst;     /* component k: members[cfirst[k] .. cfirst[k+1]) */
    uint32_t *parent;   /* breadth-first search: UINT32_MAX when unseen */
    uint32_t *stamp;    /* counting distinct pairs: the last node from */
    bool *on_path;      /* depth-first search */
    uint32_t *queue;    /* breadth-first queue; depth-first node stack */
    size_t *pos;        /* depth-first: next out-edge at each depth */
    uint32_t *hops;     /* a cycle's nodes */
    struct edge **path; /* a cycle's edges */
    struct edge **cand; /* the edges of each hop ... */
    size_t *cstart;     /* ... hop i's: cand[cstart[i] .. cstart[i+1]) */
    size_t *pick;       /* the one chosen, an index in cand */
    size_t budget;
    bool single;        /* one thread's cycles may be reported (step 5) */
};

/* Takes n steps from the budget; false, and none left, when it has not
 * that many. */
static bool
spend(struct cycles *s, size_t n)
{
    if (s->budget < n) {
        s->budget = 0;
        return false;
    }
    s->budget -= n;
    return true;
}

/* Tarjan's strongly connected components, iterative.  Fills comp,
 * members and cfirst. */
static void
strong_components(struct cycles *s)
{
    const struct graph *g = s->g;
    size_t nv = g->nv, ncomp = 0, next = 0, sp = 0, cp = 0;
    uint32_t *index = gct_xmalloc((nv + 1) * sizeof *index);
    uint32_t *low = gct_xmalloc((nv + 1) * sizeof *low);
    uint32_t *stack = gct_xmalloc((nv + 1) * sizeof *stack);
    uint32_t *call = s->queue; /* the search's own stack */
    bool *on_stack = s->on_path;

    for (size_t v = 0; v < nv; v++)
        index[v] = UINT32_MAX;
    for (size_t root = 0; root < nv; root++) {
        if (index[root] != UINT32_MAX)
            continue;
        index[root] = low[root] = (uint32_t)next++;
        stack[sp++] = (uint32_t)root;
        on_stack[root] = true;
        s->pos[root] = g->first[root];
        call[cp++] = (uint32_t)root;
        while (cp > 0) {
            uint32_t v = call[cp - 1];
            if (s->pos[v] < g->first[v + 1]) {
                uint32_t w = g->e[g->out[s->pos[v]++]].v;
                if (index[w] == UINT32_MAX) {
                    index[w] = low[w] = (uint32_t)next++;
                    stack[sp++] = w;
                    on_stack[w] = true;
                    s->pos[w] = g->first[w];
                    call[cp++] = w;
                } else if (on_stack[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            cp--;
            if (cp > 0 && low[v] < low[call[cp - 1]])
                low[call[cp - 1]] = low[v];
            if (low[v] == index[v]) {
                uint32_t w;
                do {
                    w = stack[--sp];
                    on_stack[w] = false;
                    s->comp[w] = (uint32_t)ncomp;
                } while (w != v);
                ncomp++;
            }
        }
    }
    free(index);
    free(low);
    free(stack);

    /* Members by component: a counting sort, stable, so ascending. */
    s->cfirst = gct_xcalloc(ncomp + 2, sizeof *s->cfirst);
    for (size_t v = 0; v < nv; v++)
        s->cfirst[s->comp[v] + 2]++;
    for (size_t k = 2; k < ncomp + 2; k++)
        s->cfirst[k] += s->cfirst[k - 1];
    for (size_t v = 0; v < nv; v++)
        s->members[s->cfirst[s->comp[v] + 1]++] = (uint32_t)v;
}

/* Whether no cycle of component k can deadlock because all its edges
 * hold one gate lock (the rule of cycle_can_deadlock that holds for a
 * component as a whole).  Sets *single when its edges all come from one
 * thread, *edges to its edges and *pairs to its distinct pairs of nodes
 * joined by an edge. */
static bool
harmless(struct cycles *s, uint32_t k, size_t *edges, uint64_t *pairs,
         bool *single)
{
    const struct graph *g = s->g;
    const struct edge *first = NULL;
    bool two_threads = false;

    *edges = 0;
    *pairs = 0;
    for (size_t m = s->cfirst[k]; m < s->cfirst[k + 1]; m++) {
        uint32_t x = s->members[m];
        for (size_t p = g->first[x]; p < g->first[x + 1]; p++) {
            const struct edge *e = &g->e[g->out[p]];
            if (s->comp[e->v] != k)
                continue;
            ++*edges;
            if (s->stamp[e->v] != x) {
                s->stamp[e->v] = x;
                ++*pairs;
            }
            if (first == NULL)
                first = e;
            else if (e->thread != first->thread)
                two_threads = true;
        }
    }
    *single = !two_threads;
    for (size_t i = 0; first && i < first->ngates; i++) {
        bool all = true;
        for (size_t m = s->cfirst[k]; m < s->cfirst[k + 1] && all; m++) {
            uint32_t x = s->members[m];
            for (size_t p = g->first[x]; p < g->first[x + 1] && all; p++) {
                const struct edge *e = &g->e[g->out[p]];
                all = s->comp[e->v] != k || has_gate(e, first->gates[i]);
            }
        }
        if (all)
            return true;
    }
    return false;
}

/* Whether the cycle path[0..n) is one to report: it can deadlock, and
 * in the class graph it is not the instance cycle again. */
static bool
reportable(struct cycles *s, size_t n)
{
    return spend(s, n) && cycle_can_deadlock(s->path, n, s->single) &&
           !(s->g->classes && closes_on_instances(s->path, n));
}

/* The shortest cycle from start whose first hop goes to node first
 * (start itself: any first hop), within start's component, by
 * breadth-first search from first back to start: its nodes in hops,
 * from start; returns its length, 0 when the budget ran out. */
static size_t
bfs_cycle(struct cycles *s, uint32_t start, uint32_t first)
{
    const struct graph *g = s->g;
    uint32_t k = s->comp[start], last = UINT32_MAX;
    size_t head = 0, tail = 0, n = 0;

    s->queue[tail++] = first;
    s->parent[first] = first;
    while (head < tail && last == UINT32_MAX) {
        uint32_t x = s->queue[head++];
        for (size_t p = g->first[x]; p < g->first[x + 1]; p++) {
            if (!spend(s, 1))
                goto out;
            uint32_t w = g->e[g->out[p]].v;
            if (w == start) { /* the first to close is the shortest */
                last = x;
                break;
            }
            if (s->comp[w] != k || s->parent[w] != UINT32_MAX)
                continue;
            s->parent[w] = x;
            s->queue[tail++] = w;
        }
    }
    if (last == UINT32_MAX)
        goto out;
    for (uint32_t x = last;; x = s->parent[x]) { /* last back to first */
        s->hops[n++] = x;
        if (x == first)
            break;
    }
    if (first != start)
        s->hops[n++] = start;
    for (size_t i = 0; i < n / 2; i++) { /* from start on */
        uint32_t t = s->hops[i];
        s->hops[i] = s->hops[n - 1 - i];
        s->hops[n - 1 - i] = t;
    }
out:
    for (size_t i = 0; i < tail; i++)
        s->parent[s->queue[i]] = UINT32_MAX;
    return n;
}

/* For the cycle of nodes hops[0..n), one edge per hop into path so that
 * the cycle is one to report; false when no choice is (or the budget ran
 * out).  Backtracking, the last hop's choice first; a choice where a
 * reader waits for a reader is dropped with every choice after it. */
static bool
choose_edges(struct cycles *s, size_t n)
{
    const struct graph *g = s->g;
    size_t nc = 0;

    for (size_t i = 0; i < n; i++) {
        uint32_t x = s->hops[i], y = s->hops[(i + 1) % n];
        s->cstart[i] = nc;
        if (!spend(s, g->first[x + 1] - g->first[x]))
            return false;
        for (size_t p = g->first[x]; p < g->first[x + 1]; p++)
            if (g->e[g->out[p]].v == y)
                s->cand[nc++] = &g->e[g->out[p]];
    }
    s->cstart[n] = nc;
    size_t i = 0;
    s->pick[0] = s->cstart[0];
    for (;;) {
        if (s->pick[i] == s->cstart[i + 1]) { /* hop i tried whole */
            if (i == 0)
                return false;
            s->pick[--i]++;
            continue;
        }
        if (!spend(s, 1))
            return false;
        s->path[i] = s->cand[s->pick[i]];
        if (i > 0 && readers_meet(s->path[i - 1], s->path[i])) {
            s->pick[i]++;
        } else if (i + 1 < n) {
            i++;
            s->pick[i] = s->cstart[i];
        } else if (reportable(s, n)) {
            return true;
        } else {
            s->pick[i]++;
        }
    }
}

/* Why no choice of choose_edges could deadlock, as what another cycle
 * needs: when every candidate edge came from one thread, an edge of
 * another thread (*thread); when every one held one gate, an edge
 * without it (*gate); else 0 for both. */
static void
why_not(const struct cycles *s, size_t n, int64_t *thread, int64_t *gate)
{
    struct edge *const *cand = s->cand;
    size_t nc = s->cstart[n];

    *thread = s->single ? 0 : cand[0]->thread;
    *gate = 0;
    for (size_t i = 1; i < nc && *thread; i++)
        if (cand[i]->thread != *thread)
            *thread = 0;
    for (size_t j = 0; j < cand[0]->ngates && !*thread && !*gate; j++) {
        *gate = cand[0]->gates[j];
        for (size_t i = 1; i < nc && *gate; i++)
            if (!has_gate(cand[i], *gate))
                *gate = 0;
    }
}

/* A simple cycle of component k to report, by depth-first enumeration
 * of its simple cycles, each from its lowest node: into path, returns
 * its length; 0 when there is none or the budget ran out. */
static size_t
dfs_cycle(struct cycles *s, uint32_t k)
{
    const struct graph *g = s->g;
    size_t found = 0;

    for (size_t m = s->cfirst[k]; m < s->cfirst[k + 1] && !found; m++) {
        uint32_t r = s->members[m];
        size_t d = 0;
        s->queue[0] = r;
        s->pos[0] = g->first[r];
        s->on_path[r] = true;
        for (;;) {
            uint32_t x = s->queue[d];
            if (found || s->pos[d] == g->first[x + 1] || !spend(s, 1)) {
                s->on_path[x] = false; /* back up */
                if (d == 0)
                    break;
                d--;
                continue;
            }
            struct edge *e = &g->e[g->out[s->pos[d]++]];
            if (e->v < r || s->comp[e->v] != k ||
                (d > 0 && readers_meet(s->path[d - 1], e)))
                continue;
            s->path[d] = e;
            if (e->v == r) {
                if (reportable(s, d + 1))
                    found = d + 1;
            } else if (!s->on_path[e->v]) {
                d++;
                s->queue[d] = e->v;
                s->pos[d] = g->first[e->v];
                s->on_path[e->v] = true;
            }
        }
        if (s->budget == 0)
            break;
    }
    return found;
}

/* The finding for the cycle path[0..n), one of a component of size
 * nodes with at least others other cycles. */
static void
report_cycle(struct cycles *s, size_t n, size_t size, uint64_t others)
{
    struct ctx *c = s->c;
    const struct graph *g = s->g;
    struct edge **path = s->path;
    bool single = one_thread(path, n);
    char *desc = gct_xstrdup("");

    names_reset(c);
    for (size_t i = 0; i <= n; i++) {
        char *l = node_label(c, g, path[i % n]->from);
        char *d = xprintf("%s%s%s", desc, i ? " -> " : "", l);
        free(l);
        free(desc);
        desc = d;
    }
    /* The edges' locks get their short names before the definitions are
     * written, so that a class cycle's locks are defined too. */
    char **held = gct_xcalloc(n, sizeof *held), **taken = gct_xcalloc(n,
                                                                  sizeof *taken);
    for (size_t i = 0; i < n; i++) {
        taken[i] = edge_lock(c, g, path[i]->to_obj);
        held[i] = edge_lock(c, g, path[i]->from_obj);
    }
    char *defs = names_defs(c);
    char *more = others == 0
                     ? gct_xstrdup("")
                     : xprintf("; it is the shortest found among %zu %s "
                               "that close at least %" PRIu64 " other "
                               "cycle%s, all reported as this one finding",
                               size, g->classes ? "lock classes" : "locks",
                               others, others == 1 ? "" : "s");
    struct gct_finding *f = add(
        c, "lock_order_cycle",
        g->classes ? "class" : single ? "single_thread" : NULL, 2, 0,
        g->classes
            ? xprintf("lock-order inversion between %zu lock classes: %s, "
                      "with %s; this run took different locks of these "
                      "classes in conflicting orders, so the same code can "
                      "deadlock on the same locks%s",
                      n, desc, defs, more)
        : single
            ? xprintf("lock-order inversion between %zu locks: %s, with %s; "
                      "one thread took them in conflicting orders, which "
                      "deadlocks when two threads run this code at the "
                      "same time%s",
                      n, desc, defs, more)
            : xprintf("lock-order inversion between %zu locks: %s, with %s; "
                      "the threads below took them in conflicting orders, "
                      "which deadlocks when they run at the same time%s",
                      n, desc, defs, more));
    free(desc);
    free(defs);
    free(more);
    for (size_t i = 0; i < n; i++) {
        char *who = thread_who(c, path[i]->thread);
        char *lab = xprintf("edge %zu: %s taken here while holding %s, by %s",
                            i + 1, taken[i], held[i], who);
        add_stack(c, f, path[i]->stack, lab);
        free(lab);
        lab = xprintf("edge %zu: %s was taken here, by the same thread",
                      i + 1, held[i]);
        add_frame(c, f, path[i]->from_frame, lab);
        free(lab);
        free(who);
        free(taken[i]);
        free(held[i]);
        ref_object(c, f, path[i]->from_obj);
        bool dup = false;
        for (size_t k = 0; k < f->nthreads; k++)
            if (f->threads[k].id == path[i]->thread)
                dup = true;
        if (!dup)
            ref_thread(c, f, path[i]->thread);
    }
    free(taken);
    free(held);
}

/* Steps 3 and 4 for the component of node v, which has edges edges:
 * a cycle to report into path, returns its length; 0 when there is none
 * or the budget ran out. */
static size_t
find_cycle(struct cycles *s, uint32_t v, size_t edges)
{
    const struct graph *g = s->g;
    uint32_t k = s->comp[v];

    s->budget = CYCLE_BUDGET * edges;
    size_t half = s->budget / 2;
    size_t n = bfs_cycle(s, v, v);
    if (n && !choose_edges(s, n)) {
        /* The shortest cycle through each edge that the first one
         * lacked, in turn, while half the budget lasts. */
        int64_t thread = 0, gate = 0;
        if (s->budget > 0)
            why_not(s, n, &thread, &gate);
        n = 0;
        for (size_t m = s->cfirst[k];
             m < s->cfirst[k + 1] && !n && s->budget > half; m++) {
            uint32_t x = s->members[m];
            for (size_t p = g->first[x];
                 p < g->first[x + 1] && !n && s->budget > half; p++) {
                const struct edge *e = &g->e[g->out[p]];
                if (s->comp[e->v] != k || (thread && e->thread == thread) ||
                    (gate && has_gate(e, gate)))
                    continue;
                n = bfs_cycle(s, x, e->v);
                if (n && !choose_edges(s, n))
                    n = 0;
            }
        }
    }
    if (n == 0 && s->budget > 0)
        n = dfs_cycle(s, k);
    return n;
}

/* Cycles of the lock-order graph: between locks (classes false) or
 * between lock classes (true), the latter only where the locks
 * themselves made no cycle. */
static void
lock_order_cycles(struct ctx *c, struct graph *g)
{
    bool classes = g->classes;
    size_t nv = g->nv + 1;
    struct cycles s = {
        .c = c,
        .g = g,
        .comp = gct_xmalloc(nv * sizeof *s.comp),
        .members = gct_xmalloc(nv * sizeof *s.members),
        .parent = gct_xmalloc(nv * sizeof *s.parent),
        .stamp = gct_xmalloc(nv * sizeof *s.stamp),
        .on_path = gct_xcalloc(nv, sizeof *s.on_path),
        .queue = gct_xmalloc(nv * sizeof *s.queue),
        .pos = gct_xmalloc(nv * sizeof *s.pos),
        .hops = gct_xmalloc(nv * sizeof *s.hops),
        .path = gct_xmalloc(nv * sizeof *s.path),
        .cand = gct_xmalloc((g->n + 1) * sizeof *s.cand),
        .cstart = gct_xmalloc((nv + 1) * sizeof *s.cstart),
        .pick = gct_xmalloc(nv * sizeof *s.pick),
    };
    for (size_t v = 0; v < nv; v++)
        s.parent[v] = s.stamp[v] = UINT32_MAX;
    strong_components(&s);

    /* Components in the order of their first node, so in the order the
     * trace first names their locks. */
    for (size_t v = 0; v < g->nv && c->out->n < 1000; v++) {
        uint32_t k = s.comp[v];
        size_t size = s.cfirst[k + 1] - s.cfirst[k];
        size_t edges;
        uint64_t pairs;
        bool single;
        if (s.members[s.cfirst[k]] != v || size < 2 ||
            harmless(&s, k, &edges, &pairs, &single))
            continue;
        size_t n = single ? 0 : find_cycle(&s, v, edges);
        /* Step 5 where steps 3 and 4 ended within their budget, having
         * found no cycle of two threads: one whose budget ran out may
         * hold one still, and spends no second budget on a lesser
         * finding. */
        if (n == 0 && !classes && (single || s.budget > 0)) {
            s.single = true;
            n = find_cycle(&s, v, edges);
            s.single = false;
        }
        if (n)
            report_cycle(&s, n, size, pairs - size);
    }
    graph_free(g);
    free(s.comp);
    free(s.members);
    free(s.cfirst);
    free(s.parent);
    free(s.stamp);
    free(s.on_path);
    free(s.queue);
    free(s.pos);
    free(s.hops);
    free(s.path);
    free(s.cand);
    free(s.cstart);
    free(s.pick);
}

/* ------------------------------------------------------------ deadlock */

/*
 * Threads blocked at the end on a lock whose holder (the owner tid the
 * shim read when the wait began) is itself blocked at the end: follow
 * holder links; a chain that comes back is a deadlock that happened.  A
 * thread waiting on a non-recursive lock it holds itself is the chain of
 * length one.
 */
/* An open lock wait, as lock_deadlocks reads it. */
struct lock_wait {
    int64_t wid, pid, tid, holder, obj, thread, stack, begin, reason;
};

/* The other threads still waiting for lock obj at the end, but thread. */
static size_t
behind(struct ctx *c, int64_t obj, int64_t thread, int64_t **ids,
       int64_t **stacks)
{
    size_t n = 0, cap = 0, scap = 0;
    *ids = NULL;
    *stacks = NULL;
    sqlite3_stmt *st = query(c, "SELECT w.thread_id, w.stack_id FROM waits w "
                                "JOIN threads t ON t.id = w.thread_id WHERE "
                                "w.object_id = ? AND w.end_ns IS NULL AND "
                                "t.end_ns IS NULL AND w.thread_id != ? "
                                "ORDER BY w.begin_ns");
    if (st == NULL)
        return 0;
    sqlite3_bind_int64(st, 1, obj);
    sqlite3_bind_int64(st, 2, thread);
    while (sqlite3_step(st) == SQLITE_ROW) {
        size_t k = n;
        GCT_PUSH(*ids, n, cap, sqlite3_column_int64(st, 0));
        GCT_PUSH(*stacks, k, scap, sqlite3_column_int64(st, 1));
    }
    query_done(c, st);
    return n;
}

/* The deadlock of the threads whose waits are rows[chain[0..len)] - 1],
 * each waiting for a lock the next one holds (a chain of one: a thread
 * waiting for a lock it holds itself).  For each thread, what a fix must
 * touch: the locks it holds and where it took them, what it waits for,
 * where, and who holds that, and where the thread was created. */
static void
report_deadlock(struct ctx *c, const struct lock_wait *rows,
                const size_t *chain, size_t len)
{
    const struct lock_wait *r0 = &rows[chain[0] - 1];
    struct held_lock **held = gct_xcalloc(len, sizeof *held);
    size_t *nheld = gct_xcalloc(len, sizeof *nheld);
    char **who = gct_xcalloc(len, sizeof *who);
    char *desc = gct_xstrdup("");

    names_reset(c);
    for (size_t k = 0; k < len; k++) {
        const struct lock_wait *r = &rows[chain[k] - 1];
        /* the previous thread of the cycle waits for a lock this one has */
        const struct lock_wait *prev = &rows[chain[(k + len - 1) % len] - 1];
        nheld[k] = held_at_wait(c, r->thread, r->begin, prev->obj, &held[k]);
        who[k] = thread_label(c, r->thread, NULL);
    }
    /* Short names in the order of the message: what each thread holds,
     * then what it waits for. */
    for (size_t k = 0; k < len; k++) {
        const struct lock_wait *r = &rows[chain[k] - 1];
        char *holds = gct_xstrdup("");
        for (size_t h = 0; h < nheld[k]; h++) {
            if (len == 1 && held[k][h].obj == r->obj)
                continue;
            char *m = short_name(c, held[k][h].obj, false);
            char *x = xprintf("%s%s%s", holds, *holds ? ", " : "", m);
            free(m);
            free(holds);
            holds = x;
        }
        char *lock = short_name(c, r->obj, false);
        char *d;
        if (len == 1)
            d = xprintf("%s waits for %s, which it holds itself%s%s", who[k],
                        lock, *holds ? ", while holding " : "", holds);
        else
            d = xprintf("%s%s%s holds %s and waits for %s", desc,
                        k ? "; " : "", who[k], holds, lock);
        free(desc);
        desc = d;
        free(holds);
        free(lock);
    }
    int64_t *others = NULL, *ostacks = NULL;
    size_t nothers = len == 1 ? behind(c, r0->obj, r0->thread, &others,
                                       &ostacks)
                              : 0;
    char *more = gct_xstrdup("");
    for (size_t i = 0; i < nothers; i++) {
        char *l = thread_label(c, others[i], NULL);
        char *x = xprintf("%s%s%s", more, i ? ", " : "", l);
        free(l);
        free(more);
        more = x;
    }
    char *defs = names_defs(c);
    char *msg;
    if (len == 1)
        msg = xprintf("deadlock: %s, with %s%s%s%s", desc, defs,
                      nothers ? "; blocked behind it: " : "", more,
                      nothers ? " (they wait for the same lock)" : "");
    else
        msg = xprintf("deadlock: %zu threads wait for locks held by each "
                      "other: %s, with %s",
                      len, desc, defs);
    free(defs);
    free(desc);
    free(more);
    struct gct_finding *f = add(c, "deadlock", len == 1 ? "self" : "locks",
                                3, r0->begin, msg);
    for (size_t k = 0; k < len; k++) {
        const struct lock_wait *r = &rows[chain[k] - 1];
        ref_thread(c, f, r->thread);
        ref_object(c, f, r->obj);
        for (size_t h = 0; h < nheld[k]; h++) {
            char *m = short_name(c, held[k][h].obj, false);
            char *lab = xprintf("%s took %s here", who[k], m);
            add_frame(c, f, held[k][h].frame, lab);
            free(lab);
            free(m);
        }
        char *m = short_name(c, r->obj, false);
        const struct lock_wait *next = &rows[chain[(k + 1) % len] - 1];
        char *holder = len == 1 ? gct_xstrdup("itself")
                                : thread_label(c, next->thread, NULL);
        char *lab = xprintf("%s waits for %s, held by %s, here", who[k], m,
                            holder);
        add_stack(c, f, r->stack, lab);
        free(lab);
        free(holder);
        free(m);
    }
    for (size_t k = 0; k < len; k++) {
        const struct lock_wait *r = &rows[chain[k] - 1];
        int64_t made = 0;
        sqlite3_stmt *st = query(c, "SELECT create_stack FROM threads "
                                    "WHERE id = ?");
        if (st) {
            sqlite3_bind_int64(st, 1, r->thread);
            if (sqlite3_step(st) == SQLITE_ROW)
                made = sqlite3_column_int64(st, 0);
            query_done(c, st);
        }
        char *lab = xprintf("%s was created at", who[k]);
        add_stack(c, f, made, lab);
        free(lab);
    }
    for (size_t i = 0; i < nothers; i++) {
        ref_thread(c, f, others[i]);
        char *l = thread_label(c, others[i], NULL);
        char *m = short_name(c, r0->obj, false);
        char *lab = xprintf("%s, blocked behind it, waits for %s here", l, m);
        add_stack(c, f, ostacks[i], lab);
        free(lab);
        free(m);
        free(l);
    }
    for (size_t k = 0; k < len; k++) {
        free(held[k]);
        free(who[k]);
    }
    free(held);
    free(nheld);
    free(who);
    free(others);
    free(ostacks);
}

static void
lock_deadlocks(struct ctx *c)
{
    struct gct_map wait_of = {0}; /* (pid, tid) -> wait id */
    struct gct_map done = {0};
    sqlite3_stmt *st = query(
        c, "SELECT w.id, t.pid, t.tid, w.holder_tid, w.object_id, "
           "w.thread_id, w.stack_id, w.begin_ns, w.reason "
           "FROM waits w JOIN threads t ON t.id = w.thread_id "
           "WHERE w.end_ns IS NULL AND t.end_ns IS NULL AND w.reason IN "
           "(SELECT reason FROM wait_reasons WHERE is_lock)");
    struct lock_wait *rows = NULL;
    size_t n = 0, cap = 0;
    if (st == NULL)
        return;
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct lock_wait r;
        r.wid = sqlite3_column_int64(st, 0);
        r.pid = sqlite3_column_int64(st, 1);
        r.tid = sqlite3_column_int64(st, 2);
        r.holder = sqlite3_column_int64(st, 3);
        r.obj = sqlite3_column_int64(st, 4);
        r.thread = sqlite3_column_int64(st, 5);
        r.stack = sqlite3_column_int64(st, 6);
        r.begin = sqlite3_column_int64(st, 7);
        r.reason = sqlite3_column_int64(st, 8);
        GCT_PUSH(rows, n, cap, r);
        gct_map_put(&wait_of, (uint64_t)r.pid, (uint64_t)r.tid, n);
    }
    query_done(c, st);
    for (size_t i = 0; i < n; i++) {
        size_t chain[16];
        size_t len = 0;
        size_t cur = i + 1;
        bool cycle = false;
        while (cur && len < 16) {
            for (size_t k = 0; k < len; k++)
                if (chain[k] == cur)
                    cycle = k == 0;
            if (cycle || (len && chain[0] != cur &&
                          gct_map_get(&done, cur, 0, 0)))
                break;
            bool loop = false;
            for (size_t k = 0; k < len; k++)
                if (chain[k] == cur)
                    loop = true;
            if (loop)
                break;
            chain[len++] = cur;
            struct lock_wait *r = &rows[cur - 1];
            if (r->holder <= 0)
                break;
            cur = gct_map_get(&wait_of, (uint64_t)r->pid, (uint64_t)r->holder,
                              0);
        }
        if (!cycle)
            continue;
        bool any_done = false;
        for (size_t k = 0; k < len; k++)
            if (gct_map_get(&done, chain[k], 0, 0))
                any_done = true;
        if (any_done)
            continue;
        for (size_t k = 0; k < len; k++)
            gct_map_put(&done, chain[k], 0, 1);
        report_deadlock(c, rows, chain, len);
    }
    free(rows);
    gct_map_free(&wait_of);
    gct_map_free(&done);
}

/* ------------------------------------------------------------ wait cycles */

/* Whether the threads of process row p, as the trace leaves them, were
 * all seen at one moment: a process that ended or was killed (nothing
 * ran after), or the process a snapshot stopped whole (gctrace attach:
 * meta snapshot, its root), which went on running after.  What a
 * process still running was doing at different moments (a daemon that
 * outlived the program) is no such moment. */
#define SEEN_AT_ONCE_SQL(p)                                                \
    "(NOT coalesce(" p ".running, 0) OR EXISTS (SELECT 1 FROM meta s, "    \
    "meta r WHERE s.key = 'snapshot' AND s.value = '1' AND r.key = "       \
    "'root_pid' AND CAST(r.value AS INTEGER) = " p ".pid))"

/*
 * Deadlocks that go through channels, WaitGroups and joins as well as
 * locks (a cycle of locks alone is lock_deadlocks'): the cycles of the
 * wait-for graph of the threads blocked at the end (wait_graph.h).  The
 * threads that could end a wait, its edges:
 *
 *  - a lock wait: the lock's holder;
 *  - a receive (a send) on a channel: the threads that sent on it
 *    (received from it) during the run, by a transfer, a blocked
 *    operation or a case of a select that blocked.  libgoc's own
 *    channels (GCT_CHAN_OWN_PREFIX: timers', tickers', contexts' done)
 *    have none known: a timer, a deadline or a cancel may yet come;
 *  - a select: each case as that channel operation, each its own way
 *    out: the select is in a cycle only if every case is blocked by it;
 *  - a WaitGroup wait: the goroutines started on it by goc_wg_go that
 *    have not returned (each owes a Done);
 *  - a join: the joined thread.
 *
 * "Could" is what the run showed: a thread that would have used the
 * channel for the first time later is not known.  So a cycle is claimed
 * only where nothing else could still act: in a process whose every
 * thread alive at the end, but the one that called exit and libgoc's
 * service threads (which serve only libgoc's own channels), was blocked
 * without a timeout on something only a thread of the process could end.
 */

struct wnode {
    int64_t thread, reason, obj, stack, begin, holder, wait;
};

/* The threads of the graph that did `op` ("send" or "recv") on channel
 * obj during the run: edges from node v, in group. */
static void
chan_partners(struct ctx *c, struct gct_wait_graph *g,
              const struct gct_map *node_of, size_t v, int64_t obj,
              bool send, uint32_t group)
{
    sqlite3_stmt *st = query(
        c, "SELECT DISTINCT thread_id FROM ("
           " SELECT thread_id FROM events WHERE object_id = ?1 AND kind = ?2"
           " UNION SELECT thread_id FROM waits WHERE object_id = ?1"
           "  AND reason = ?3"
           " UNION SELECT w.thread_id FROM select_cases sc JOIN waits w"
           "  ON w.id = sc.wait_id WHERE sc.object_id = ?1 AND sc.op = ?4) "
           "WHERE NOT EXISTS (SELECT 1 FROM objects o WHERE o.id = ?1 AND "
           " coalesce(o.name, '') GLOB '" GCT_CHAN_OWN_PREFIX "*') "
           "ORDER BY thread_id");
    if (st == NULL)
        return;
    sqlite3_bind_int64(st, 1, obj);
    sqlite3_bind_int64(st, 2, send ? GCT_EV_CHAN_SEND : GCT_EV_CHAN_RECV);
    sqlite3_bind_int64(st, 3, send ? GCT_WAIT_CHAN_SEND : GCT_WAIT_CHAN_RECV);
    sqlite3_bind_text(st, 4, send ? "send" : "recv", -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        uint64_t to = gct_map_get(node_of, (uint64_t)sqlite3_column_int64(
                                               st, 0), 0, 0);
        if (to)
            gct_wait_edge_add(g, v, to - 1, group);
    }
    query_done(c, st);
}

/* Edges from node v to the threads of the graph that sql names, given
 * ?1 = p1 and ?2 = p2. */
static void
edges_to(struct ctx *c, struct gct_wait_graph *g,
         const struct gct_map *node_of, size_t v, const char *sql,
         int64_t p1, int64_t p2)
{
    sqlite3_stmt *st = query(c, sql);
    if (st == NULL)
        return;
    sqlite3_bind_int64(st, 1, p1);
    sqlite3_bind_int64(st, 2, p2);
    while (sqlite3_step(st) == SQLITE_ROW) {
        uint64_t to = gct_map_get(node_of, (uint64_t)sqlite3_column_int64(
                                               st, 0), 0, 0);
        if (to)
            gct_wait_edge_add(g, v, to - 1, 0);
    }
    query_done(c, st);
}

/* The edges of node v (struct wnode n), and its number of ways out. */
static void
wait_edges(struct ctx *c, struct gct_wait_graph *g,
           const struct gct_map *node_of, size_t v, const struct wnode *n,
           int64_t pid)
{
    if (gct_wait_is_lock((int)n->reason)) {
        edges_to(c, g, node_of, v,
                 "SELECT id FROM threads WHERE pid = ?1 AND tid = ?2 "
                 "AND end_ns IS NULL",
                 pid, n->holder);
        return;
    }
    switch (n->reason) {
    case GCT_WAIT_JOIN:
        edges_to(c, g, node_of, v,
                 "SELECT t.id FROM threads t JOIN objects o ON o.id = ?2 "
                 "WHERE t.pid = ?1 AND t.handle = o.addr "
                 "AND t.end_ns IS NULL",
                 pid, n->obj);
        break;
    case GCT_WAIT_CHAN_SEND:
    case GCT_WAIT_CHAN_RECV:
        chan_partners(c, g, node_of, v, n->obj,
                      n->reason == GCT_WAIT_CHAN_RECV, 0);
        break;
    case GCT_WAIT_WAITGROUP:
        edges_to(c, g, node_of, v,
                 "SELECT DISTINCT thread_id FROM events WHERE kind = "
                 GCT_EV_KIND_SQL("go_start") " AND object_id = ?2",
                 pid, n->obj);
        break;
    case GCT_WAIT_SELECT: {
        sqlite3_stmt *st = query(c, "SELECT object_id, op FROM select_cases "
                                    "WHERE wait_id = ? ORDER BY rowid");
        uint32_t k = 0;
        if (st)
            sqlite3_bind_int64(st, 1, n->wait);
        while (st && sqlite3_step(st) == SQLITE_ROW) {
            bool recv = strcmp(col_text(st, 1), "recv") == 0;
            chan_partners(c, g, node_of, v, sqlite3_column_int64(st, 0),
                          recv, k++);
        }
        query_done(c, st);
        g->ngroups[v] = k;
        break;
    }
    default: /* a condvar, a semaphore, a context, ...: whoever */
        g->ngroups[v] = 0;
        break;
    }
}

/* "B", "B or C": the targets of node v's group within its component,
 * and how many other blocked threads could also end that way. */
static char *
targets_text(struct ctx *c, const struct gct_wait_graph *g,
             const struct wnode *nodes, size_t v, uint32_t group)
{
    char *s = gct_xstrdup("");
    size_t in = 0, out = 0;
    for (size_t e = 0; e < g->nedges; e++) {
        const struct gct_wait_edge *x = &g->edges[e];
        if (x->from != v || x->group != group)
            continue;
        if (g->comp[x->to] != g->comp[v]) {
            out++;
            continue;
        }
        char *who = thread_label(c, nodes[x->to].thread, NULL);
        char *n = xprintf("%s%s%s", s, in++ ? " or " : "", who);
        free(who);
        free(s);
        s = n;
    }
    if (out) {
        char *n = xprintf("%s (or %zu other blocked thread%s)", s, out,
                          out == 1 ? "" : "s");
        free(s);
        s = n;
    }
    return s;
}

/* "to receive from channel 'jobs' (0x...), which B could send on" */
static char *
chan_hop_text(struct ctx *c, const struct gct_wait_graph *g,
              const struct wnode *nodes, size_t v, uint32_t group,
              int64_t obj, bool recv)
{
    char *ch = object_label(c, obj);
    char *who = targets_text(c, g, nodes, v, group);
    char *s = xprintf("to %s %s, which %s could %s", recv ? "receive from"
                                                           : "send on",
                      ch, who, recv ? "send on" : "receive from");
    free(ch);
    free(who);
    return s;
}

/* What node v waits for, and for whom, in its cycle's words. */
static char *
hop_text(struct ctx *c, const struct gct_wait_graph *g,
         const struct wnode *nodes, size_t v)
{
    const struct wnode *n = &nodes[v];
    char *me = thread_label(c, n->thread, NULL);
    char *s = NULL;
    if (gct_wait_is_lock((int)n->reason)) {
        char *lock = short_name(c, n->obj, false);
        char *who = targets_text(c, g, nodes, v, 0);
        s = xprintf("%s waits for %s, held by %s", me, lock, who);
        free(lock);
        free(who);
    } else if (n->reason == GCT_WAIT_CHAN_SEND ||
               n->reason == GCT_WAIT_CHAN_RECV) {
        char *hop = chan_hop_text(c, g, nodes, v, 0, n->obj,
                                  n->reason == GCT_WAIT_CHAN_RECV);
        s = xprintf("%s waits %s", me, hop);
        free(hop);
    } else if (n->reason == GCT_WAIT_SELECT) {
        s = xprintf("%s waits in a select whose every case is blocked "
                    "here (", me);
        sqlite3_stmt *st = query(c, "SELECT object_id, op FROM select_cases "
                                    "WHERE wait_id = ? ORDER BY rowid");
        uint32_t k = 0;
        if (st)
            sqlite3_bind_int64(st, 1, n->wait);
        while (st && sqlite3_step(st) == SQLITE_ROW) {
            char *hop = chan_hop_text(c, g, nodes, v, k,
                                      sqlite3_column_int64(st, 0),
                                      strcmp(col_text(st, 1), "recv") == 0);
            char *x = xprintf("%s%s%s", s, k ? ", or " : "", hop);
            k++;
            free(hop);
            free(s);
            s = x;
        }
        query_done(c, st);
        char *x = xprintf("%s)", s);
        free(s);
        s = x;
    } else if (n->reason == GCT_WAIT_WAITGROUP) {
        char *wg = object_label(c, n->obj);
        char *who = targets_text(c, g, nodes, v, 0);
        s = xprintf("%s waits for %s, on which %s still owes Done", me, wg,
                    who);
        free(wg);
        free(who);
    } else {
        char *who = targets_text(c, g, nodes, v, 0);
        s = xprintf("%s waits to join %s", me, who);
        free(who);
    }
    free(me);
    return s;
}

/* Reports the cycle of component k of g: the nodes of one cycle through
 * its first node in the order they wait for each other, then any other
 * node of the component. */
static void
report_wait_cycle(struct ctx *c, const struct gct_wait_graph *g,
                  const struct wnode *nodes, size_t first)
{
    size_t n = g->nnodes, k = g->comp[first];
    size_t *order = gct_xmalloc(n * sizeof *order);
    bool *put = gct_xcalloc(n, sizeof *put);
    size_t len = gct_wait_cycle_path(g, first, order);
    for (size_t i = 0; i < len; i++)
        put[order[i]] = true;
    for (size_t v = 0; v < n; v++)
        if (g->comp[v] == k && !put[v])
            order[len++] = v;
    names_reset(c);
    char *desc = gct_xstrdup("");
    int64_t ts = 0;
    /* what the cycle goes through, in words */
    bool via[4] = {false}; /* locks, channels, WaitGroups, joins */
    static const char *const via_words[4] = {"locks", "channels",
                                             "WaitGroups", "joins"};
    for (size_t i = 0; i < len; i++) {
        int64_t r = nodes[order[i]].reason;
        via[gct_wait_is_lock((int)r)           ? 0
            : r == GCT_WAIT_WAITGROUP          ? 2
            : r == GCT_WAIT_JOIN               ? 3
                                               : 1] = true;
    }
    char *through = gct_xstrdup("");
    size_t nvia = 0, left = via[0] + via[1] + via[2] + via[3];
    for (int k = 0; k < 4; k++) {
        if (!via[k])
            continue;
        nvia++;
        char *x = xprintf("%s%s%s", through,
                          nvia == 1      ? ""
                          : nvia == left ? " and "
                                         : ", ",
                          via_words[k]);
        free(through);
        through = x;
    }
    for (size_t i = 0; i < len; i++) {
        char *hop = hop_text(c, g, nodes, order[i]);
        char *x = xprintf("%s%s%s", desc, i ? "; " : "", hop);
        free(hop);
        free(desc);
        desc = x;
        if (nodes[order[i]].begin > ts)
            ts = nodes[order[i]].begin;
    }
    char *defs = names_defs(c);
    char *msg = xprintf("deadlock: %zu threads wait for each other through "
                        "%s: %s%s%s",
                        len, through, desc, *defs ? ", with " : "", defs);
    free(through);
    free(defs);
    free(desc);
    struct gct_finding *f = add(c, "deadlock", "wait_cycle", 3, ts, msg);
    for (size_t i = 0; i < len; i++) {
        const struct wnode *w = &nodes[order[i]];
        ref_thread(c, f, w->thread);
        if (w->reason == GCT_WAIT_SELECT) {
            sqlite3_stmt *st = query(c, "SELECT DISTINCT object_id FROM "
                                        "select_cases WHERE wait_id = ?");
            if (st)
                sqlite3_bind_int64(st, 1, w->wait);
            while (st && sqlite3_step(st) == SQLITE_ROW)
                ref_object(c, f, sqlite3_column_int64(st, 0));
            query_done(c, st);
        } else if (w->obj) {
            ref_object(c, f, w->obj);
        }
        add_blocked_stack(c, f, w->thread, w->stack);
    }
    free(put);
    free(order);
}

static void
wait_cycles_in(struct ctx *c, int64_t pid)
{
    /* Nothing else may act: every thread alive (but the exit caller and
     * libgoc's service threads) blocked without a timeout. */
    sqlite3_stmt *st = query(
        c, "SELECT count(*) FROM threads t WHERE t.pid = ?1 "
           "AND " JUDGED_THREAD_SQL("t") " "
           "AND (NOT EXISTS (SELECT 1 FROM waits w WHERE w.thread_id = t.id "
           "  AND w.end_ns IS NULL) "
           " OR EXISTS (SELECT 1 FROM waits w WHERE w.thread_id = t.id "
           "  AND w.end_ns IS NULL AND (w.timed OR w.external)))");
    if (st == NULL)
        return;
    sqlite3_bind_int64(st, 1, pid);
    bool free_thread = sqlite3_step(st) != SQLITE_ROW ||
                       sqlite3_column_int64(st, 0) != 0;
    query_done(c, st);
    if (free_thread)
        return;

    st = query(c, "SELECT t.id, w.reason, w.object_id, w.stack_id, "
                  "max(w.begin_ns), w.holder_tid, w.id "
                  "FROM threads t JOIN waits w ON w.thread_id = t.id "
                  "AND w.end_ns IS NULL WHERE t.pid = ?1 "
                  "AND " JUDGED_THREAD_SQL("t") " "
                  "GROUP BY t.id ORDER BY t.id");
    if (st == NULL)
        return;
    sqlite3_bind_int64(st, 1, pid);
    struct wnode *nodes = NULL;
    size_t n = 0, cap = 0;
    struct gct_map node_of = {0}; /* thread id -> node + 1 */
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct wnode w = {
            .thread = sqlite3_column_int64(st, 0),
            .reason = sqlite3_column_int64(st, 1),
            .obj = sqlite3_column_int64(st, 2),
            .stack = sqlite3_column_int64(st, 3),
            .begin = sqlite3_column_int64(st, 4),
            .holder = sqlite3_column_int64(st, 5),
            .wait = sqlite3_column_int64(st, 6),
        };
        GCT_PUSH(nodes, n, cap, w);
        gct_map_put(&node_of, (uint64_t)w.thread, 0, n);
    }
    query_done(c, st);

    struct gct_wait_graph g;
    gct_wait_graph_init(&g, n);
    for (size_t v = 0; v < n; v++)
        wait_edges(c, &g, &node_of, v, &nodes[v], pid);
    gct_wait_cycles(&g);

    bool *seen = gct_xcalloc(n ? n : 1, sizeof *seen);
    for (size_t v = 0; v < n; v++) {
        if (g.comp[v] == SIZE_MAX || seen[g.comp[v]])
            continue;
        seen[g.comp[v]] = true;
        /* a cycle of locks alone, or one a deadlock already names, is
         * lock_deadlocks' */
        bool locks_only = true, named = false;
        for (size_t u = 0; u < n; u++) {
            if (g.comp[u] != g.comp[v])
                continue;
            if (!gct_wait_is_lock((int)nodes[u].reason))
                locks_only = false;
            if (in_deadlock(c, nodes[u].thread))
                named = true;
        }
        if (!locks_only && !named)
            report_wait_cycle(c, &g, nodes, v);
    }
    free(seen);
    gct_wait_graph_free(&g);
    gct_map_free(&node_of);
    free(nodes);
}

static void
wait_cycles(struct ctx *c)
{
    sqlite3_stmt *st = query(c, "SELECT pid FROM processes p "
                                "WHERE " SEEN_AT_ONCE_SQL("p") " "
                                "ORDER BY pid");
    int64_t *pids = NULL;
    size_t n = 0, cap = 0;
    while (st && sqlite3_step(st) == SQLITE_ROW)
        GCT_PUSH(pids, n, cap, sqlite3_column_int64(st, 0));
    query_done(c, st);
    for (size_t i = 0; i < n; i++)
        wait_cycles_in(c, pids[i]);
    free(pids);
}

/* In a process that did not exit (it was killed while stuck), every
 * thread alive at the end blocked in a wait without a timeout: "all
 * goroutines are asleep".  A thread blocked where the recorder does not
 * see (read(2), libgoc's timer thread) counts as running: something may
 * still have woken the program.  So does a wait that another process or
 * a signal handler may end (waits.external): a process-shared object, a
 * semaphore a handler may post.  A snapshot's process (gctrace attach)
 * went on running, but every thread of it was seen at one moment: all
 * of them asleep then is the same finding (SEEN_AT_ONCE_SQL). */
static void
all_asleep(struct ctx *c)
{
    if (!may_read(c, "deadlock"))
        return;
    for (size_t i = 0; i < c->out->n; i++)
        if (strcmp(c->out->v[i].kind, "deadlock") == 0)
            return; /* already explained */
    sqlite3_stmt *st = query(
        c, "SELECT count(*), sum(EXISTS (SELECT 1 FROM waits w WHERE "
           "w.thread_id = t.id AND w.end_ns IS NULL AND w.timed = 0 "
           "AND w.external = 0)), t.pid "
           "FROM threads t JOIN processes p ON p.pid = t.pid "
           "WHERE t.end_ns IS NULL AND p.exit_status IS NULL "
           "AND " SEEN_AT_ONCE_SQL("p") " "
           "GROUP BY t.pid");
    if (st == NULL)
        return;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t alive = sqlite3_column_int64(st, 0);
        int64_t blocked = sqlite3_column_int64(st, 1);
        int64_t pid = sqlite3_column_int64(st, 2);
        if (alive > 0 && alive == blocked) {
            struct gct_finding *f = add(
                c, "deadlock", "all_asleep", 3, 0,
                xprintf("deadlock: all %" PRId64 " thread%s of the process"
                        RUN_BEGIN " (pid %" PRId64 ")" RUN_END
                        " were blocked, with no timeout, when it was stopped "
                        "(nothing could wake them)",
                        alive, alive == 1 ? "" : "s", pid));
            sqlite3_stmt *q = query(
                c, "SELECT t.id, w.stack_id, w.object_id FROM threads t "
                   "JOIN waits w ON w.thread_id = t.id AND w.end_ns IS NULL "
                   "WHERE t.end_ns IS NULL AND t.pid = ? GROUP BY t.id");
            if (q)
                sqlite3_bind_int64(q, 1, pid);
            while (q && sqlite3_step(q) == SQLITE_ROW) {
                int64_t tid = sqlite3_column_int64(q, 0);
                ref_thread(c, f, tid);
                ref_object(c, f, sqlite3_column_int64(q, 2));
                add_blocked_stack(c, f, tid, sqlite3_column_int64(q, 1));
            }
            query_done(c, q);
        }
    }
    query_done(c, st);
}

/* ------------------------------------------------------------ channels */

/* Whether every receiver left blocked on channel id is named by a
 * context_leak: each also waited, in a select, for a done channel that
 * the missing cancel would have closed. */
static bool
receivers_in_context_leak(struct ctx *c, int64_t id)
{
    sqlite3_stmt *st = query(
        c, "SELECT DISTINCT w.thread_id FROM waits w JOIN threads t "
           "ON t.id = w.thread_id AND t.end_ns IS NULL "
           "LEFT JOIN select_cases sc ON sc.wait_id = w.id "
           "WHERE w.end_ns IS NULL AND ((w.reason = "
           GCT_WAIT_REASON_SQL("chan receive") " AND w.object_id = ?1) "
           "OR (sc.object_id = ?1 AND sc.op = 'recv'))");
    bool all = true;
    if (st == NULL)
        return false;
    sqlite3_bind_int64(st, 1, id);
    while (all && sqlite3_step(st) == SQLITE_ROW)
        all = in_finding(c, "context_leak", sqlite3_column_int64(st, 0));
    query_done(c, st);
    return all;
}

/* Channels that receivers were left blocked on at the end of their
 * process.  A process still running (a snapshot's, gctrace attach) was
 * caught in the middle of its work: a receiver waiting there is not left
 * over, as a thread blocked there is no leak (leaked_threads). */
static void
unclosed_channels(struct ctx *c)
{
    sqlite3_stmt *st = query(
        c, "SELECT o.id, o.create_stack, count(DISTINCT w.thread_id), "
           "min(w.stack_id), min(w.begin_ns) FROM objects o "
           "JOIN (SELECT thread_id, object_id, stack_id, begin_ns, end_ns "
           "      FROM waits WHERE reason = "
           GCT_WAIT_REASON_SQL("chan receive") " "
           "      UNION ALL SELECT w.thread_id, sc.object_id, w.stack_id, "
           "      w.begin_ns, w.end_ns FROM select_cases sc JOIN waits w "
           "      ON w.id = sc.wait_id WHERE sc.op = 'recv') w "
           "  ON w.object_id = o.id AND w.end_ns IS NULL "
           "JOIN threads t ON t.id = w.thread_id AND t.end_ns IS NULL "
           "JOIN processes p ON p.pid = t.pid "
           "WHERE o.kind = 'chan' AND o.closed_ns IS NULL "
           "AND NOT coalesce(p.running, 0) "
           "AND NOT coalesce(o.name, '') GLOB '" GCT_CHAN_OWN_PREFIX "*' "
           "GROUP BY o.id ORDER BY o.id");
    if (st == NULL)
        return;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        int64_t made = sqlite3_column_int64(st, 1);
        int64_t waiters = sqlite3_column_int64(st, 2);
        if (object_in_deadlock(c, id))
            continue; /* the deadlock finding explains it */
        if (receivers_in_context_leak(c, id))
            continue; /* a cancel would have let them go */
        char *ch = object_label(c, id);
        char *at = where(c, made);
        struct gct_finding *f = add(
            c, "unclosed_channel", NULL, 2, sqlite3_column_int64(st, 4),
            xprintf("%s, made at %s, was never closed while %" PRId64
                    " goroutine%s stayed blocked receiving from it",
                    ch, at, waiters, waiters == 1 ? "" : "s"));
        ref_object(c, f, id);
        add_stack(c, f, made, "channel made at");
        add_stack(c, f, sqlite3_column_int64(st, 3), "receiver blocked at");
        free(ch);
        free(at);
    }
    query_done(c, st);
}

/* ------------------------------------------------------------ contexts */

/* SQL: the source position of stack S (a column or parameter), frame by
 * frame: function, file and line, not addresses.  Findings that group
 * by "where it was made" group by this, so that a loop the compiler
 * unrolled, which calls from several addresses of one line, is still
 * one site. */
#define SOURCE_SITE(S)                                                     \
    "(SELECT group_concat(k, '|') FROM (SELECT coalesce(f.function, "      \
    "f.module, '?') || ':' || coalesce(f.file, '') || ':' || "             \
    "coalesce(f.line, '') AS k FROM stack_frames sf JOIN frames f ON "     \
    "f.id = sf.frame_id WHERE sf.stack_id = " S " ORDER BY sf.idx))"

/*
 * Contexts with a cancel, a deadline or signals that nothing cancelled,
 * grouped by where they were made: the bug is the missing cancel there,
 * however often that code ran.  The goroutines left blocked waiting for
 * one of them to be done (goc_ctx_wait, a receive from its done channel,
 * a select with a case on it) are named, and are this finding's rather
 * than leaked threads of their own: cancelling is their fix.
 */
static void
context_leaks(struct ctx *c)
{
    /* One finding per place that made them: a loop that leaks a context
     * each time round is one bug, whose fix is one line. */
    sqlite3_stmt *st = query(
        c, "SELECT min(create_stack), ctx_kind, count(*), min(created_ns), "
           "group_concat(id) FROM (SELECT * FROM objects WHERE kind = 'ctx' "
           "AND ctx_kind IN ('cancel', 'deadline', 'signal') AND cancel_ns "
           "IS NULL ORDER BY id) "
           "GROUP BY " SOURCE_SITE("create_stack") ", ctx_kind "
           "ORDER BY min(id)");
    if (st == NULL)
        return;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t made = sqlite3_column_int64(st, 0);
        int64_t n = sqlite3_column_int64(st, 2);
        char *kind = gct_xstrdup(col_text(st, 1));
        char *at = where(c, made);
        /* the goroutines blocked for good on one of them */
        sqlite3_stmt *q = query(
            c, "WITH lc AS (SELECT id FROM objects WHERE kind = 'ctx' AND "
               "  cancel_ns IS NULL AND coalesce(" SOURCE_SITE("create_stack")
               ", '') = coalesce(" SOURCE_SITE("?1") ", '') "
               "  AND ctx_kind = ?2), "
               "dc AS (SELECT id FROM objects WHERE kind = 'chan' AND "
               "  parent_id IN lc) "
               "SELECT t.id, max(w.stack_id), min(w.object_id) "
               "FROM threads t JOIN processes p ON p.pid = t.pid "
               "JOIN waits w ON w.thread_id = t.id "
               "AND w.end_ns IS NULL AND NOT w.timed AND NOT w.external "
               "WHERE t.end_ns IS NULL AND NOT coalesce(p.running, 0) "
               "AND NOT EXISTS (SELECT 1 FROM waits x WHERE "
               "  x.thread_id = t.id AND x.end_ns IS NULL AND x.timed) "
               "AND NOT EXISTS (SELECT 1 FROM events e WHERE e.kind = "
               GCT_EV_KIND_SQL("proc_exit") " AND e.thread_id = t.id) "
               "AND ((w.reason = " GCT_WAIT_REASON_SQL("context done")
               "      AND w.object_id IN lc) "
               " OR (w.reason = " GCT_WAIT_REASON_SQL("chan receive")
               "     AND w.object_id IN dc) "
               " OR (w.reason = " GCT_WAIT_REASON_SQL("select")
               "     AND EXISTS (SELECT 1 FROM select_cases "
               "  sc WHERE sc.wait_id = w.id AND sc.op = 'recv' "
               "  AND sc.object_id IN dc))) "
               "GROUP BY t.id ORDER BY t.id");
        int64_t *who = NULL, *where_blocked = NULL;
        size_t nwho = 0, capwho = 0, capwb = 0, nwb = 0;
        if (q) {
            sqlite3_bind_int64(q, 1, made);
            sqlite3_bind_text(q, 2, kind, -1, SQLITE_TRANSIENT);
        }
        while (q && sqlite3_step(q) == SQLITE_ROW) {
            GCT_PUSH(who, nwho, capwho, sqlite3_column_int64(q, 0));
            GCT_PUSH(where_blocked, nwb, capwb, sqlite3_column_int64(q, 1));
        }
        query_done(c, q);
        char *waiting = gct_xstrdup("");
        for (size_t i = 0; i < nwho; i++) {
            char *name = thread_label(c, who[i], NULL);
            char *x = xprintf("%s%s%s", waiting,
                              i == 0            ? ""
                              : i + 1 == nwho   ? " and "
                                                : ", ",
                              name);
            free(name);
            free(waiting);
            waiting = x;
        }
        char *blocked =
            nwho ? xprintf("; %s stayed blocked waiting for %s to be done",
                           waiting, n == 1 ? "it" : "them")
                 : gct_xstrdup("");
        char *msg;
        if (n == 1)
            msg = xprintf("a %s context made at %s was never cancelled: its "
                          "cancel was not called, so its resources (and any "
                          "timer) stayed alive until the process ended%s",
                          kind, at, blocked);
        else
            msg = xprintf("%" PRId64 " %s contexts made at %s were never "
                          "cancelled: their cancel was not called, so their "
                          "resources (and any timers) stayed alive until the "
                          "process ended%s",
                          n, kind, at, blocked);
        struct gct_finding *f = add(c, "context_leak", NULL, nwho ? 2 : 1,
                                    sqlite3_column_int64(st, 3), msg);
        for (const char *p = col_text(st, 4); *p;) {
            ref_object(c, f, strtoll(p, NULL, 10));
            p = strchr(p, ',');
            p = p ? p + 1 : "";
        }
        add_stack(c, f, made, n == 1 ? "context made at" : "contexts made at");
        for (size_t i = 0; i < nwho; i++) {
            ref_thread(c, f, who[i]);
            add_blocked_stack(c, f, who[i], where_blocked[i]);
        }
        free(blocked);
        free(waiting);
        free(who);
        free(where_blocked);
        free(at);
        free(kind);
    }
    query_done(c, st);
}

/* ------------------------------------------------------------ timers */

/*
 * Timers still pending when their process ended: a goc_after, goc_timer
 * or goc_ticker armed and never fired, stopped or freed since (a
 * ticker pends until stopped).  In Go, time.After in a loop, or a timer
 * or ticker never stopped, leaves one behind each time; in C its memory
 * is never freed either.  Grouped by where they were armed, with the
 * count: one finding per mistake, however often it ran.  A timer that a
 * goroutine still waits for at the end is in use, not forgotten.
 */
static void
timer_leaks(struct ctx *c)
{
    sqlite3_stmt *st = query(
        c, "SELECT min(e.stack_id), e.a, count(*), min(e.ts), min(e.object_id) "
           "FROM events e JOIN objects o ON o.id = e.object_id "
           "JOIN processes p ON p.pid = o.pid "
           "WHERE e.kind = " GCT_EV_KIND_SQL("timer_arm")
           " AND NOT coalesce(p.running, 0) "
           "AND e.id = (SELECT max(x.id) FROM events x WHERE "
           "  x.object_id = e.object_id AND x.kind IN (SELECT kind FROM "
           "  event_kinds WHERE name IN ('timer_arm', 'timer_disarm'))) "
           /* one a goroutine still waits for is in use: if that is a
            * leak, it is the goroutine's */
           "AND NOT EXISTS (SELECT 1 FROM waits w LEFT JOIN select_cases "
           "  sc ON sc.wait_id = w.id WHERE w.end_ns IS NULL AND "
           "  ((w.reason = " GCT_WAIT_REASON_SQL("chan receive")
           "    AND w.object_id = o.id) OR "
           "   (sc.object_id = o.id AND sc.op = 'recv'))) "
           "GROUP BY " SOURCE_SITE("e.stack_id") ", e.a ORDER BY min(e.id)");
    if (st == NULL)
        return;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t armed = sqlite3_column_int64(st, 0);
        int64_t kind = sqlite3_column_int64(st, 1);
        int64_t n = sqlite3_column_int64(st, 2);
        const char *what = kind == GCT_TIMER_AFTER    ? "goc_after timer"
                           : kind == GCT_TIMER_TICKER ? "ticker"
                                                      : "timer";
        const char *how = kind == GCT_TIMER_AFTER
                              ? "free the channel (goc_chan_free) once its "
                                "select is done, or make one timer outside "
                                "the loop and reset it"
                          : kind == GCT_TIMER_TICKER
                              ? "stop (goc_ticker_stop) or free the ticker "
                                "once it is no longer needed"
                              : "stop (goc_timer_stop) or free the timer "
                                "once it is no longer needed";
        char *at = where(c, armed);
        char *msg =
            n == 1 ? xprintf("a %s armed at %s was still pending when the "
                             "process ended (never fired, stopped nor "
                             "freed); fix: %s",
                             what, at, how)
                   : xprintf("%" PRId64 " %ss armed at %s were still pending "
                             "when the process ended (never fired, stopped "
                             "nor freed): each holds its channel and a place "
                             "in the timer heap until its time; fix: %s",
                             n, what, at, how);
        struct gct_finding *f = add(c, "timer_leak", NULL, 1,
                                    sqlite3_column_int64(st, 3), msg);
        ref_object(c, f, sqlite3_column_int64(st, 4));
        add_stack(c, f, armed, n == 1 ? "armed at" : "armed (each) at");
        free(at);
    }
    query_done(c, st);
}

/* ------------------------------------------------------------ misuse */

/* Whether a finding already names object id (a lock a leaked or
 * deadlocked thread waits for, one destroyed while held). */
static bool
named_already(struct ctx *c, int64_t id)
{
    if (!may_read(c, "*"))
        return false;
    for (size_t i = 0; i < c->out->n; i++) {
        const struct gct_finding *f = &c->out->v[i];
        for (size_t k = 0; k < f->nobjects; k++)
            if (f->objects[k].id == id)
                return true;
    }
    return false;
}

static void
misuses(struct ctx *c)
{
    sqlite3_stmt *st = query(c, "SELECT ts, thread_id, object_id, a, "
                                "stack_id FROM events WHERE kind = "
                                GCT_EV_KIND_SQL("misuse") " ORDER BY id");
    if (st == NULL)
        return;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t sub = sqlite3_column_int64(st, 3);
        int64_t th = sqlite3_column_int64(st, 1);
        int64_t obj = sqlite3_column_int64(st, 2);
        int64_t stack = sqlite3_column_int64(st, 4);
        /* A relock answered EDEADLK that the thread then waits out for
         * good (libgoc blocks, as Go does) is its deadlock's finding. */
        if (sub == GCT_MISUSE_RELOCK && in_deadlock(c, th))
            continue;
        /* A lock held as the process ends (the one misuse of this
         * subkind that is an event: a thread's end is counted in its
         * row) that a finding names already is that finding's: the
         * thread left waiting for it, the destroy while it was held. */
        if (sub == GCT_MISUSE_EXIT_HOLDING && obj && named_already(c, obj))
            continue;
        char *who = thread_label(c, th, NULL);
        char *what = obj ? object_label(c, obj) : gct_xstrdup("an object");
        char *at = where(c, stack);
        struct gct_finding *f = add(
            c, "misuse", gct_misuse_name(sub), 2,
            sqlite3_column_int64(st, 0),
            xprintf("%s: %s by %s at %s", gct_misuse_meaning(sub), what,
                    who, at));
        mark_system(c, f, stack_owner(c, stack, false) == 0);
        ref_thread(c, f, th);
        ref_object(c, f, obj);
        add_stack(c, f, stack, "misused at");
        free(who);
        free(what);
        free(at);
    }
    query_done(c, st);

    /* Whose the locks are shows in the thread's creator: the JVM's VM
     * thread ends holding one by design. */
    st = query(c, "SELECT id, end_ns, locks_at_exit, create_stack FROM "
                  "threads WHERE locks_at_exit > 0 ORDER BY id");
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        int64_t th = sqlite3_column_int64(st, 0);
        int64_t create = sqlite3_column_int64(st, 3);
        char *who = thread_label(c, th, NULL);
        struct gct_finding *f = add(
            c, "misuse", gct_misuse_name(GCT_MISUSE_EXIT_HOLDING), 2,
            sqlite3_column_int64(st, 1),
            xprintf("%s: %s exited holding %" PRId64 " lock%s",
                    gct_misuse_meaning(GCT_MISUSE_EXIT_HOLDING), who,
                    sqlite3_column_int64(st, 2),
                    sqlite3_column_int64(st, 2) == 1 ? "" : "s"));
        mark_system(c, f, thread_is_system(c, create, 0));
        ref_thread(c, f, th);
        add_stack(c, f, create, "thread created at");
        free(who);
    }
    query_done(c, st);
}

/* ------------------------------------------------------------ driver */

static int
by_severity(const void *x, const void *y)
{
    const struct gct_finding *a = x, *b = y;
    if (a->severity != b->severity)
        return b->severity - a->severity;
    return (a->ts > b->ts) - (a->ts < b->ts);
}

/* A snapshot of a run still in progress (the watchdog's) has no "end":
 * what is alive or unclosed there is not left over yet. */
static bool
complete(struct ctx *c)
{
    sqlite3_stmt *st = query(c, "SELECT value FROM meta WHERE key = "
                                "'complete'");
    bool done = true;
    if (st) {
        if (sqlite3_step(st) == SQLITE_ROW)
            done = sqlite3_column_int(st, 0) != 0;
        query_done(c, st);
    }
    return done;
}

size_t
gct_findings_counted(const struct gct_findings *f)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n; i++)
        n += f->v[i].severity != GCT_SEVERITY_INFO;
    return n;
}

/* The lock graph's cycles; the class graph, read with it, is kept for
 * class_cycles. */
static void
lock_cycles(struct ctx *c)
{
    struct graph locks = {.classes = false};
    free_class_graph(c);
    c->class_graph = gct_xcalloc(1, sizeof *c->class_graph);
    c->class_graph->classes = true;
    load_edges(c, &locks, c->class_graph);
    lock_order_cycles(c, &locks);
}

static void
class_cycles(struct ctx *c)
{
    if (c->class_graph == NULL) { /* lock_cycles did not run */
        struct graph locks = {.classes = false};
        c->class_graph = gct_xcalloc(1, sizeof *c->class_graph);
        c->class_graph->classes = true;
        load_edges(c, &locks, c->class_graph);
        graph_free(&locks);
    }
    lock_order_cycles(c, c->class_graph);
    free_class_graph(c);
}

/*
 * The analyses, in the order they run.  A pass leaves out what an
 * earlier finding already explains (a thread in a deadlock is not also
 * a leak, a channel in a wait cycle not also unclosed): it reads the
 * findings of the passes listed in `after`, which must therefore run
 * before it ("*": every pass before it, so it runs last).  gct_analyze
 * checks the table's order against those lists, and may_read that a
 * pass reads no kind of finding but its own and theirs.  `ended`: only
 * for the trace of a run that ended (meta complete), as these judge
 * what was left over at the end.  `guard`: a query that gives a row
 * whenever the pass may find anything (what every finding of it needs),
 * so that a pass is skipped on a trace without what it looks at; the
 * passes' own queries on near-empty tables were most of the analyses'
 * time for a short test process (docs/bench-shim.md).
 */
#define OPEN_WAITS "SELECT 1 FROM waits WHERE end_ns IS NULL"
static const struct pass {
    const char *name;
    void (*run)(struct ctx *c);
    const char *makes; /* the kind of its findings */
    const char *after; /* space-separated pass names, or "*" */
    bool ended;
    const char *guard; /* NULL: the pass always runs */
} passes[] = {
    {"lock_deadlocks", lock_deadlocks, "deadlock", "", false, NULL},
    /* its nodes are open waits */
    {"wait_cycles", wait_cycles, "deadlock", "lock_deadlocks", false,
     OPEN_WAITS},
    /* every thread alive blocked in an open wait */
    {"all_asleep", all_asleep, "deadlock", "lock_deadlocks wait_cycles",
     false, OPEN_WAITS},
    {"lock_cycles", lock_cycles, "lock_order_cycle", "", false, NULL},
    {"class_cycles", class_cycles, "lock_order_cycle", "", false, NULL},
    {"context_leaks", context_leaks, "context_leak", "", true,
     "SELECT 1 FROM objects WHERE kind = 'ctx'"},
    {"leaked_threads", leaked_threads, "leaked_thread",
     "lock_deadlocks wait_cycles all_asleep context_leaks", true, NULL},
    {"unclosed_channels", unclosed_channels, "unclosed_channel",
     "lock_deadlocks wait_cycles all_asleep context_leaks", true,
     "SELECT 1 FROM objects WHERE kind = 'chan'"},
    {"timer_leaks", timer_leaks, "timer_leak", "", true,
     "SELECT 1 FROM events WHERE kind = " GCT_EV_KIND_SQL("timer_arm")},
    {"unjoined_threads", unjoined_threads, "unjoined_thread", "", true, NULL},
    {"misuses", misuses, "misuse", "*", false, NULL},
};

#define NPASSES (sizeof passes / sizeof passes[0])

/* Whether the space-separated list names word. */
static bool
lists(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; (p = strstr(p, word)) != NULL; p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return true;
    return false;
}

/* Whether the running pass may read findings of kind ("*": of any
 * kind): its own, or those of a pass it runs after.  Otherwise the
 * analysis fails: what it reads would depend on an order nothing
 * states. */
static bool
may_read(struct ctx *c, const char *kind)
{
    const struct pass *p = c->pass;
    if (p == NULL || lists(p->after, "*"))
        return true;
    bool ok = strcmp(kind, "*") != 0 && strcmp(p->makes, kind) == 0;
    for (size_t i = 0; !ok && i < NPASSES; i++)
        ok = lists(p->after, passes[i].name) &&
             strcmp(passes[i].makes, kind) == 0;
    if (!ok && !c->failed)
        snprintf(c->err, c->errlen, "analysis %s reads %s findings, of no "
                 "pass it runs after", p->name, kind);
    if (!ok)
        c->failed = true;
    return ok;
}

/* Whether every pass runs after those it lists. */
static bool
passes_ordered(struct ctx *c)
{
    for (size_t i = 0; i < NPASSES; i++)
        for (size_t k = i; k < NPASSES; k++)
            if (lists(passes[i].after, passes[k].name) ||
                (lists(passes[i].after, "*") && k > i)) {
                snprintf(c->err, c->errlen, "analysis %s runs before %s, "
                         "whose findings it reads", passes[i].name,
                         passes[k].name);
                return false;
            }
    return true;
}

/* Whether the pass guarded by sql may find anything: the query gives a
 * row (no guard: always).  A query that fails fails the analysis. */
static bool
guard_holds(struct ctx *c, const char *sql)
{
    if (sql == NULL)
        return true;
    sqlite3_stmt *st = query(c, sql);
    bool any = st && sqlite3_step(st) == SQLITE_ROW;
    query_done(c, st);
    return any;
}

int
gct_analyze(sqlite3 *db, struct gct_findings *out, char *err, size_t errlen)
{
    struct ctx c = {.db = db, .out = out, .err = err, .errlen = errlen};

    memset(out, 0, sizeof *out);
    if (!passes_ordered(&c))
        return -1;
    load_rules(&c);
    bool ended = complete(&c);
    for (size_t i = 0; i < NPASSES; i++) {
        if ((passes[i].ended && !ended) || !guard_holds(&c, passes[i].guard))
            continue;
        c.pass = &passes[i];
        int64_t t = gct_phase_on() ? gct_phase_now_ns() : 0;
        passes[i].run(&c);
        if (t)
            gct_phase_total(passes[i].name, gct_phase_now_ns() - t,
                            (int64_t)(out->n));
    }
    c.pass = NULL;
    free_class_graph(&c);
    gct_map_free(&c.inited);
    for (size_t i = 0; i < c.nkept; i++)
        sqlite3_finalize(c.kept[i].st);
    names_reset(&c);
    free(c.names);
    if (c.failed) {
        gct_findings_free(out);
        return -1;
    }
    if (out->n > 1)
        qsort(out->v, out->n, sizeof *out->v, by_severity);
    return 0;
}

static void
free_refs(struct gct_ref *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(r[i].kind);
        free(r[i].name);
        free(r[i].given);
        free(r[i].symbol);
        free(r[i].start_routine);
        free(r[i].created_at);
    }
    free(r);
}

void
gct_findings_free(struct gct_findings *f)
{
    for (size_t i = 0; i < f->n; i++) {
        struct gct_finding *x = &f->v[i];
        free(x->kind);
        free(x->subkind);
        free(x->message);
        free(x->stable_message);
        free_refs(x->threads, x->nthreads);
        free_refs(x->objects, x->nobjects);
        for (size_t s = 0; s < x->nstacks; s++) {
            for (size_t k = 0; k < x->stacks[s].nframes; k++) {
                free(x->stacks[s].frames[k].function);
                free(x->stacks[s].frames[k].file);
                free(x->stacks[s].frames[k].module);
            }
            free(x->stacks[s].frames);
            free(x->stacks[s].label);
            free(x->stacks[s].stable_label);
        }
        free(x->stacks);
    }
    free(f->v);
    memset(f, 0, sizeof *f);
}
