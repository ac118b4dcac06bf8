/*
 * cmd_export_chrome.c - `gctrace export --format chrome TRACE`: the trace
 * as a Chrome trace-event JSON timeline (the "JSON Object Format",
 * {"traceEvents": [...], "displayTimeUnit": "ns"}), which Perfetto's UI and
 * chrome://tracing open.  docs/export.md describes what is written.
 *
 * One track per thread (pid = process id, tid = thread id).  On it, a
 * lifetime span (cat "thread") encloses "running" spans and one span per
 * wait (cat "wait"); instants mark thread start and exit, channel close,
 * context cancel and misuse; flow arrows go from a lock's holder, or a
 * joined thread's exit, to the waiter it woke.
 *
 * Output is streamed row by row from sqlite statements, because a trace can
 * hold millions of waits and events.  Only the threads are held in memory
 * (a few words each, to find the track a flow arrow starts from), and a
 * bounded cache of stacks already formatted.
 * Timestamps are microseconds in this format; the trace's nanoseconds are
 * written with three decimals, so nothing is rounded.
 */
#include "cli.h"

#include "analysis.h"

#include "event.h"
#include "map.h"
#include "trace.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What a flow arrow needs to know about a thread. */
struct thr {
    int64_t id, pid, tid, handle;
    int64_t begin, end; /* the lifetime span, always begin <= end */
};

#define STACK_CACHE 1024

/* A stack already written as a JSON array. */
struct stack_text {
    int64_t id; /* 0: empty slot */
    char *text;
    size_t len;
};

struct exporter {
    sqlite3 *db;
    FILE *out;
    bool first;             /* no event written yet (no comma needed) */
    int64_t run_end;        /* the last time the trace knows of */
    struct thr *thr;        /* by id */
    size_t nthr;
    struct thr **by_tid;    /* sorted by pid, tid, begin */
    struct thr **by_handle; /* sorted by pid, handle, begin */
    sqlite3_stmt *stack_st; /* the frames of one stack */
    sqlite3_stmt *wait_st;  /* the waits of one thread, in time order */
    bool failed;            /* a query stopped on an error */
    struct stack_text stacks[STACK_CACHE];
};

static void
usage(FILE *out)
{
    fputs("usage: gctrace export [--format chrome] [-o FILE] TRACE\n"
          "Writes the trace as a Chrome trace-event JSON timeline (stdout\n"
          "unless -o), which Perfetto (ui.perfetto.dev) and chrome://tracing\n"
          "open: a track per thread with its waits, running spans, thread,\n"
          "channel and context events, and arrows from a lock's holder to\n"
          "the waiter it woke.\n"
          "exit status: 0, or 2 on a usage error, an unreadable trace or a\n"
          "failed write\n",
          out);
}

/* ------------------------------------------------------------ JSON output */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is not one:
 * names and paths come from the traced program and may be any bytes, and
 * JSON readers reject invalid UTF-8. */
static size_t
utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, min = 0x10000;
    else
        return 0;
    unsigned cp = c & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* The inside of a JSON string; invalid UTF-8 bytes become U+FFFD. */
static void
put_chars(FILE *f, const char *str)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    while (*s) {
        size_t n = utf8_len(s);
        if (n == 0) {
            fputs("\\ufffd", f);
            s++;
            continue;
        }
        if (n > 1) {
            fwrite(s, 1, n, f);
            s += n;
            continue;
        }
        switch (*s) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*s < 0x20 || *s == 0x7f)
                fprintf(f, "\\u%04x", *s);
            else
                putc(*s, f);
        }
        s++;
    }
}

/* A JSON string. */
static void
put_str(FILE *f, const char *str)
{
    putc('"', f);
    put_chars(f, str);
    putc('"', f);
}

/* Nanoseconds as microseconds with three decimals, exactly. */
static void
put_us(FILE *f, int64_t ns)
{
    if (ns < 0) {
        putc('-', f);
        ns = -ns;
    }
    fprintf(f, "%lld.%03lld", (long long)(ns / 1000), (long long)(ns % 1000));
}

/* Opens one event: the separator, then {"ph":..,"pid":..,"tid":.. */
static void
begin_event(struct exporter *x, const char *ph, int64_t pid, int64_t tid)
{
    fputs(x->first ? "\n" : ",\n", x->out);
    x->first = false;
    fprintf(x->out, "{\"ph\":\"%s\",\"pid\":%lld,\"tid\":%lld", ph,
            (long long)pid, (long long)tid);
}

/* sqlite3_step for a row; an error (a damaged trace) is remembered, so
 * that a cut-short timeline is not passed off as the whole one. */
static bool
next_row(struct exporter *x, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return true;
    if (rc != SQLITE_DONE)
        x->failed = true;
    return false;
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static bool
col_null(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL;
}

/* ["function file:line", ...] for a stack, or nothing when it has no
 * frames. */
static void
format_stack(struct exporter *x, FILE *f, int64_t stack)
{
    sqlite3_stmt *st = x->stack_st;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, stack);
    int n = 0;
    while (next_row(x, st)) {
        const char *fn = col_text(st, 0), *file = col_text(st, 1);
        const char *module = col_text(st, 3);
        if (n++ == 0)
            fputs("[\"", f);
        else
            fputs(",\"", f);
        put_chars(f, fn && *fn ? fn : "??");
        if (file && *file) {
            putc(' ', f);
            put_chars(f, file);
            fprintf(f, ":%d", sqlite3_column_int(st, 2));
        } else if (module && *module) {
            const char *base = strrchr(module, '/');
            fputs(" (", f);
            put_chars(f, base ? base + 1 : module);
            putc(')', f);
        }
        putc('"', f);
    }
    if (n > 0)
        putc(']', f);
}

/* ,"KEY":[...] when the stack has frames.  Waits repeat a few stacks
 * millions of times, so recent ones are kept formatted, in a small table
 * indexed by stack id (bounded memory, no eviction policy to get wrong). */
static void
put_stack(struct exporter *x, const char *key, int64_t stack)
{
    if (stack <= 0 || x->stack_st == NULL)
        return;
    struct stack_text *c = &x->stacks[(uint64_t)stack % STACK_CACHE];
    if (c->id != stack) {
        free(c->text);
        c->text = NULL;
        c->len = 0;
        c->id = stack;
        FILE *m = open_memstream(&c->text, &c->len);
        if (m == NULL) {
            c->id = 0;
            return;
        }
        format_stack(x, m, stack);
        if (fclose(m) != 0) {
            free(c->text);
            c->text = NULL;
            c->id = 0;
            return;
        }
    }
    if (c->len > 0) {
        fprintf(x->out, ",\"%s\":", key);
        fwrite(c->text, 1, c->len, x->out);
    }
}

/* ,"object":{"kind":..,"name":..,"symbol":..,"address":"0x.."} from
 * columns kind, name, addr at i, i+1, i+2 and symbol (objects.symbol: the
 * variable it lies in) at sym (kind NULL: no object). */
static void
put_object(struct exporter *x, sqlite3_stmt *st, int i, int sym)
{
    if (col_null(st, i))
        return;
    fputs(",\"object\":{\"kind\":", x->out);
    put_str(x->out, col_text(st, i));
    if (!col_null(st, i + 1)) {
        fputs(",\"name\":", x->out);
        put_str(x->out, col_text(st, i + 1));
    }
    if (!col_null(st, sym)) {
        fputs(",\"symbol\":", x->out);
        put_str(x->out, col_text(st, sym));
    }
    if (!col_null(st, i + 2))
        fprintf(x->out, ",\"address\":\"0x%llx\"",
                (unsigned long long)sqlite3_column_int64(st, i + 2));
    putc('}', x->out);
}

/* ------------------------------------------------------------ threads */

static int
cmp_tid(const void *a, const void *b)
{
    const struct thr *p = *(struct thr *const *)a, *q = *(struct thr *const *)b;
    if (p->pid != q->pid)
        return p->pid < q->pid ? -1 : 1;
    if (p->tid != q->tid)
        return p->tid < q->tid ? -1 : 1;
    return p->begin < q->begin ? -1 : p->begin > q->begin;
}

static int
cmp_handle(const void *a, const void *b)
{
    const struct thr *p = *(struct thr *const *)a, *q = *(struct thr *const *)b;
    if (p->pid != q->pid)
        return p->pid < q->pid ? -1 : 1;
    if (p->handle != q->handle)
        return p->handle < q->handle ? -1 : 1;
    return p->begin < q->begin ? -1 : p->begin > q->begin;
}

/* The last thread of pid whose tid (by_handle: pthread_t) is key and that
 * began at or before ts.  Ids and handles are reused over a run, so the
 * latest one started is the one meant. */
static struct thr *
find_thread(struct thr **v, size_t n, bool by_handle, int64_t pid,
            int64_t key, int64_t ts)
{
    size_t lo = 0, hi = n;
    while (lo < hi) { /* first entry > (pid, key, ts) */
        size_t mid = lo + (hi - lo) / 2;
        const struct thr *t = v[mid];
        int64_t k = by_handle ? t->handle : t->tid;
        bool le = t->pid < pid ||
                  (t->pid == pid && (k < key || (k == key && t->begin <= ts)));
        if (le)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    struct thr *t = v[lo - 1];
    if (t->pid != pid || (by_handle ? t->handle : t->tid) != key)
        return NULL;
    return t;
}

/* The name a thread's track shows: as every view names it
 * (GCT_THREAD_NAME_SQL: main, the program's name, the start routine). */
static const char *
thread_label(sqlite3_stmt *st, int name_col)
{
    const char *name = col_text(st, name_col);
    if (name && *name)
        return name;
    return "thread";
}

static const char *const thread_sql =
    "SELECT t.id, t.pid, t.tid, t.handle, " GCT_THREAD_NAME_SQL("t") ", "
    "t.goid, t.start_ns, "
    "t.end_ns, t.end_state, t.create_stack, t.parent_id, t.detached, "
    "CASE WHEN t.pid = (SELECT CAST(value AS INTEGER) FROM meta "
    "WHERE key = 'root_pid') THEN NULL ELSE p.end_ns END, "
    "(SELECT min(begin_ns) FROM waits w WHERE w.thread_id = t.id), "
    "(SELECT max(begin_ns) FROM waits w WHERE w.thread_id = t.id), "
    "(SELECT max(end_ns) FROM waits w WHERE w.thread_id = t.id), "
    "(SELECT min(ts) FROM events e WHERE e.thread_id = t.id) "
    "FROM threads t LEFT JOIN processes p ON p.pid = t.pid ORDER BY t.id";

/* Lifetime of the thread in the current row of thread_sql: from its start
 * to its end, and widened to cover its waits so that they nest inside.  A
 * thread alive at the end lasts to the end of the run, or to its process's
 * end in a child process that ended earlier.  (The root process's end is
 * not used: other threads run on while exit() does its work, and their
 * records come after the exit's.) */
static void
thread_lifetime(struct exporter *x, sqlite3_stmt *st, int64_t *begin,
                int64_t *end)
{
    int64_t b = INT64_MAX, e;
    if (!col_null(st, 6))
        b = sqlite3_column_int64(st, 6);
    if (!col_null(st, 13) && sqlite3_column_int64(st, 13) < b)
        b = sqlite3_column_int64(st, 13);
    if (!col_null(st, 16) && sqlite3_column_int64(st, 16) < b)
        b = sqlite3_column_int64(st, 16);
    if (b == INT64_MAX)
        b = 0;
    if (!col_null(st, 7))
        e = sqlite3_column_int64(st, 7);
    else if (!col_null(st, 12))
        e = sqlite3_column_int64(st, 12);
    else
        e = x->run_end;
    if (!col_null(st, 14) && sqlite3_column_int64(st, 14) > e)
        e = sqlite3_column_int64(st, 14);
    if (!col_null(st, 15) && sqlite3_column_int64(st, 15) > e)
        e = sqlite3_column_int64(st, 15);
    if (e < b)
        e = b;
    *begin = b;
    *end = e;
}

/* Reads every thread's identity and lifetime, for flow arrows. */
static int
load_threads(struct exporter *x)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(x->db, thread_sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    size_t cap = 0;
    while (next_row(x, st)) {
        struct thr t = {
            .id = sqlite3_column_int64(st, 0),
            .pid = sqlite3_column_int64(st, 1),
            .tid = sqlite3_column_int64(st, 2),
            .handle = sqlite3_column_int64(st, 3),
        };
        thread_lifetime(x, st, &t.begin, &t.end);
        GCT_PUSH(x->thr, x->nthr, cap, t);
    }
    sqlite3_finalize(st);
    x->by_tid = gct_xcalloc(x->nthr + 1, sizeof *x->by_tid);
    x->by_handle = gct_xcalloc(x->nthr + 1, sizeof *x->by_handle);
    for (size_t i = 0; i < x->nthr; i++)
        x->by_tid[i] = x->by_handle[i] = &x->thr[i];
    qsort(x->by_tid, x->nthr, sizeof *x->by_tid, cmp_tid);
    qsort(x->by_handle, x->nthr, sizeof *x->by_handle, cmp_handle);
    return 0;
}

static const struct thr *
thread_by_id(const struct exporter *x, int64_t id)
{
    size_t lo = 0, hi = x->nthr;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->thr[mid].id == id)
            return &x->thr[mid];
        if (x->thr[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ------------------------------------------------------------ events */

static void
put_metadata(struct exporter *x)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(x->db,
                           "SELECT pid, exe, argv FROM processes ORDER BY pid",
                           -1, &st, NULL) == SQLITE_OK) {
        while (next_row(x, st)) {
            int64_t pid = sqlite3_column_int64(st, 0);
            const char *exe = col_text(st, 1);
            const char *base = exe ? strrchr(exe, '/') : NULL;
            begin_event(x, "M", pid, pid);
            fputs(",\"name\":\"process_name\",\"args\":{\"name\":", x->out);
            put_str(x->out, base ? base + 1 : exe ? exe : "process");
            fputs("}}", x->out);
            if (!col_null(st, 2)) {
                begin_event(x, "M", pid, pid);
                fputs(",\"name\":\"process_labels\",\"args\":{\"labels\":",
                      x->out);
                put_str(x->out, col_text(st, 2));
                fputs("}}", x->out);
            }
        }
        sqlite3_finalize(st);
    }
    if (sqlite3_prepare_v2(x->db, thread_sql, -1, &st, NULL) != SQLITE_OK) {
        x->failed = true;
        return;
    }
    while (next_row(x, st)) {
        int64_t id = sqlite3_column_int64(st, 0);
        int64_t pid = sqlite3_column_int64(st, 1);
        int64_t tid = sqlite3_column_int64(st, 2);
        begin_event(x, "M", pid, tid);
        fputs(",\"name\":\"thread_name\",\"args\":{\"name\":", x->out);
        put_str(x->out, thread_label(st, 4));
        fputs("}}", x->out);
        /* tracks in creation order, the main thread first */
        begin_event(x, "M", pid, tid);
        fprintf(x->out,
                ",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":"
                "%lld}}",
                (long long)id);
    }
    sqlite3_finalize(st);
}

/* A flow arrow from (pid, from_tid) at from_ts to (pid, to_tid) at to_ts:
 * "s" binds to the slice enclosing from_ts on the releasing thread, "f"
 * with bp "e" to the slice enclosing to_ts on the woken one (its wait). */
static void
put_flow(struct exporter *x, int64_t id, const char *name, int64_t pid,
         int64_t from_tid, int64_t from_ts, int64_t to_tid, int64_t to_ts)
{
    begin_event(x, "s", pid, from_tid);
    fprintf(x->out, ",\"id\":%lld,\"cat\":\"wake\",\"name\":", (long long)id);
    put_str(x->out, name);
    fputs(",\"ts\":", x->out);
    put_us(x->out, from_ts);
    putc('}', x->out);
    begin_event(x, "f", pid, to_tid);
    fprintf(x->out, ",\"bp\":\"e\",\"id\":%lld,\"cat\":\"wake\",\"name\":",
            (long long)id);
    put_str(x->out, name);
    fputs(",\"ts\":", x->out);
    put_us(x->out, to_ts);
    putc('}', x->out);
}

static void
put_span(struct exporter *x, const char *cat, const char *name, int64_t pid,
         int64_t tid, int64_t begin, int64_t end)
{
    begin_event(x, "X", pid, tid);
    fprintf(x->out, ",\"cat\":\"%s\",\"name\":", cat);
    put_str(x->out, name);
    fputs(",\"ts\":", x->out);
    put_us(x->out, begin);
    fputs(",\"dur\":", x->out);
    put_us(x->out, end - begin);
}

/* A stretch of a thread's life in which it did not wait. */
static void
put_running(struct exporter *x, const struct thr *t, int64_t begin,
            int64_t end)
{
    put_span(x, "running", "running", t->pid, t->tid, begin, end);
    putc('}', x->out);
}

static const char *const wait_sql =
    "SELECT w.id, w.begin_ns, w.end_ns, w.reason, "
    "coalesce(r.name, 'wait ' || w.reason), w.result, w.stack_id, "
    "w.holder_tid, o.kind, o.name, o.addr, o.pid, o.symbol "
    "FROM waits w LEFT JOIN wait_reasons r ON r.reason = w.reason "
    "LEFT JOIN objects o ON o.id = w.object_id "
    "WHERE w.thread_id = ? ORDER BY w.begin_ns, w.id";

/* The flow arrow that woke a finished wait, when the trace knows who woke
 * it: the lock's holder (its owner when the wait began: the best the
 * recorder knows) at the wait's end, or the joined thread at its exit.
 * Both ends are drawn 1 ns inside their slices, where "enclosing" is not
 * in doubt. */
static void
wait_flow(struct exporter *x, sqlite3_stmt *w, const struct thr *self)
{
    if (col_null(w, 2))
        return;
    int64_t id = sqlite3_column_int64(w, 0);
    int64_t begin = sqlite3_column_int64(w, 1);
    int64_t end = sqlite3_column_int64(w, 2);
    int64_t reason = sqlite3_column_int64(w, 3);
    int64_t to_ts = end > begin ? end - 1 : end, from_ts;
    const struct thr *from;
    const char *name;

    if (gct_wait_is_lock(reason) && !col_null(w, 7)) {
        from = find_thread(x->by_tid, x->nthr, false, self->pid,
                           sqlite3_column_int64(w, 7), to_ts);
        from_ts = to_ts;
        name = "unlock";
    } else if (reason == GCT_WAIT_JOIN && !col_null(w, 10)) {
        from = find_thread(x->by_handle, x->nthr, true, self->pid,
                           sqlite3_column_int64(w, 10), to_ts);
        from_ts = from && from->end > from->begin ? from->end - 1 : to_ts;
        name = "exit";
    } else {
        return;
    }
    /* the releasing thread must be alive there for the arrow to bind */
    if (from == NULL || from->tid == self->tid || from_ts < from->begin ||
        from_ts > from->end || from_ts > to_ts)
        return;
    put_flow(x, id, name, self->pid, from->tid, from_ts, self->tid, to_ts);
}

/* The waits of one thread as spans, and "running" spans in the gaps
 * between them, all inside [lbegin, lend]. */
static void
put_thread_waits(struct exporter *x, const struct thr *t)
{
    sqlite3_stmt *w = x->wait_st;
    sqlite3_reset(w);
    sqlite3_bind_int64(w, 1, t->id);
    int64_t cursor = t->begin; /* end of everything drawn so far */
    while (next_row(x, w)) {
        int64_t begin = sqlite3_column_int64(w, 1);
        bool open = col_null(w, 2);
        /* a wait still going on when the thread's track ends lasts to
         * that end: the run's (or its process's) for a leaked thread */
        int64_t end = open ? t->end : sqlite3_column_int64(w, 2);
        if (end < begin)
            end = begin;
        if (begin > cursor)
            put_running(x, t, cursor, begin);
        put_span(x, "wait", col_text(w, 4), t->pid, t->tid, begin, end);
        fprintf(x->out, ",\"args\":{\"reason\":");
        put_str(x->out, col_text(w, 4));
        put_object(x, w, 8, 12);
        if (!col_null(w, 7))
            fprintf(x->out, ",\"holder_tid\":%lld",
                    (long long)sqlite3_column_int64(w, 7));
        if (open)
            fputs(",\"open\":true", x->out);
        else
            fprintf(x->out, ",\"result\":%lld",
                    (long long)sqlite3_column_int64(w, 5));
        fprintf(x->out, ",\"wait_id\":%lld",
                (long long)sqlite3_column_int64(w, 0));
        put_stack(x, "stack", sqlite3_column_int64(w, 6));
        fputs("}}", x->out);
        wait_flow(x, w, t);
        if (end > cursor)
            cursor = end;
    }
    if (t->end > cursor)
        put_running(x, t, cursor, t->end);
}

/* Each thread's lifetime span, then its waits and running spans. */
static void
put_threads(struct exporter *x)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(x->db, thread_sql, -1, &st, NULL) != SQLITE_OK) {
        x->failed = true;
        return;
    }
    while (next_row(x, st)) {
        const struct thr *t = thread_by_id(x, sqlite3_column_int64(st, 0));
        if (t == NULL)
            continue;
        put_span(x, "thread", thread_label(st, 4), t->pid,
                 t->tid, t->begin, t->end);
        fprintf(x->out, ",\"args\":{\"tid\":%lld", (long long)t->tid);
        if (!col_null(st, 5))
            fprintf(x->out, ",\"goid\":%lld",
                    (long long)sqlite3_column_int64(st, 5));
        if (!col_null(st, 8)) {
            fputs(",\"end_state\":", x->out);
            put_str(x->out, col_text(st, 8));
        }
        if (col_null(st, 7))
            fputs(",\"alive_at_end\":true", x->out);
        const struct thr *parent =
            col_null(st, 10) ? NULL
                             : thread_by_id(x, sqlite3_column_int64(st, 10));
        if (parent)
            fprintf(x->out, ",\"parent_tid\":%lld", (long long)parent->tid);
        if (sqlite3_column_int(st, 11))
            fputs(",\"detached\":true", x->out);
        put_stack(x, "created_at", sqlite3_column_int64(st, 9));
        fputs("}}", x->out);
        put_thread_waits(x, t);
    }
    sqlite3_finalize(st);
}

/* Instants: thread start and exit, channel close, context cancel, misuse,
 * fork and process exit, in time order. */
static void
put_instants(struct exporter *x)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            x->db,
            "SELECT e.ts, k.name, e.a, e.b, e.stack_id, e.text, t.pid, "
            "t.tid, o.kind, o.name, o.addr, e.kind, o.symbol "
            "FROM events e JOIN event_kinds k ON k.kind = e.kind "
            "JOIN threads t ON t.id = e.thread_id "
            "LEFT JOIN objects o ON o.id = e.object_id "
            "WHERE e.kind IN (SELECT kind FROM event_kinds WHERE name IN "
            "('thread_start', 'thread_exit', 'chan_close', 'ctx_cancel', "
            "'misuse', 'fork', 'proc_exit', 'chan_send', 'chan_recv', "
            "'cond_signal', 'cond_broadcast', 'sem_post', 'wg_add')) "
            "ORDER BY e.id",
            -1, &st, NULL) != SQLITE_OK) {
        x->failed = true;
        return;
    }
    while (next_row(x, st)) {
        int kind = sqlite3_column_int(st, 11);
        int64_t a = sqlite3_column_int64(st, 2), b = sqlite3_column_int64(st, 3);
        int64_t pid = sqlite3_column_int64(st, 6);
        begin_event(x, "i", pid, sqlite3_column_int64(st, 7));
        fputs(kind == GCT_EV_PROC_EXIT ? ",\"s\":\"p\"" : ",\"s\":\"t\"",
              x->out);
        fputs(",\"cat\":\"event\",\"name\":", x->out);
        if (kind == GCT_EV_MISUSE) {
            fprintf(x->out, "\"misuse: %s\"", gct_misuse_name(a));
        } else {
            put_str(x->out, col_text(st, 1));
        }
        fputs(",\"ts\":", x->out);
        put_us(x->out, sqlite3_column_int64(st, 0));
        fputs(",\"args\":{\"kind\":", x->out);
        put_str(x->out, col_text(st, 1));
        switch (kind) {
        case GCT_EV_THREAD_START:
            if (a)
                fprintf(x->out, ",\"creator_tid\":%lld", (long long)a);
            if (b & 1)
                fputs(",\"detached\":true", x->out);
            break;
        case GCT_EV_THREAD_EXIT:
            fprintf(x->out, ",\"locks_held\":%lld", (long long)a);
            break;
        case GCT_EV_CHAN_CLOSE:
        case GCT_EV_CHAN_SEND:
        case GCT_EV_CHAN_RECV:
            fprintf(x->out, ",\"result\":%lld", (long long)a);
            break;
        case GCT_EV_WG_ADD:
            fprintf(x->out, ",\"delta\":%lld,\"counter\":%lld", (long long)a,
                    (long long)b);
            break;
        case GCT_EV_CTX_CANCEL:
            fprintf(x->out, ",\"err\":%lld,\"cause\":%lld", (long long)a,
                    (long long)b);
            break;
        case GCT_EV_FORK:
            fprintf(x->out, ",\"child_pid\":%lld", (long long)a);
            break;
        case GCT_EV_PROC_EXIT:
            fprintf(x->out, ",\"exit_status\":%lld", (long long)a);
            break;
        default:
            break;
        }
        if (kind != GCT_EV_THREAD_START && kind != GCT_EV_THREAD_EXIT &&
            kind != GCT_EV_PROC_EXIT)
            put_object(x, st, 8, 12);
        if (!col_null(st, 5)) {
            fputs(",\"text\":", x->out);
            put_str(x->out, col_text(st, 5));
        }
        put_stack(x, "stack", sqlite3_column_int64(st, 4));
        fputs("}}", x->out);
    }
    sqlite3_finalize(st);
}

/* One end of a lock hold, as an async slice of its own on the holder's
 * track ("b" or "e"): holds of several locks overlap without nesting,
 * which complete ("X") slices on one track cannot show. */
static void
put_hold(struct exporter *x, const char *ph, int64_t pid, int64_t tid,
         int64_t thread, int64_t obj, int64_t ts)
{
    begin_event(x, ph, pid, tid);
    fprintf(x->out, ",\"cat\":\"lock\",\"name\":\"held\",\"id2\":{\"local\":"
                    "\"t%lld.o%lld\"},\"ts\":",
            (long long)thread, (long long)obj);
    put_us(x->out, ts);
}

/* Lock holds, from acquisition to release, where the trace has them
 * (record=all).  A hold still open at the end of the run is closed
 * there.  Memory: one counter per (thread, lock) pair that was held. */
static void
put_lock_holds(struct exporter *x)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            x->db,
            "SELECT e.ts, e.kind, e.a, e.thread_id, e.object_id, t.pid, "
            "t.tid, o.kind, o.name, o.addr, o.symbol FROM events e "
            "JOIN threads t ON t.id = e.thread_id "
            "LEFT JOIN objects o ON o.id = e.object_id "
            "WHERE e.kind IN (?1, ?2) ORDER BY e.id",
            -1, &st, NULL) != SQLITE_OK) {
        x->failed = true;
        return;
    }
    sqlite3_bind_int(st, 1, GCT_EV_LOCK_ACQUIRE);
    sqlite3_bind_int(st, 2, GCT_EV_LOCK_RELEASE);
    struct gct_map depth = {0};
    while (next_row(x, st)) {
        int64_t ts = sqlite3_column_int64(st, 0);
        bool acquire = sqlite3_column_int(st, 1) == GCT_EV_LOCK_ACQUIRE;
        int64_t thread = sqlite3_column_int64(st, 3);
        int64_t obj = sqlite3_column_int64(st, 4);
        uint64_t d = gct_map_get(&depth, (uint64_t)thread, (uint64_t)obj, 0);
        if (!acquire && d == 0)
            continue; /* taken before recording began */
        gct_map_put(&depth, (uint64_t)thread, (uint64_t)obj,
                    acquire ? d + 1 : d - 1);
        put_hold(x, acquire ? "b" : "e", sqlite3_column_int64(st, 5),
                 sqlite3_column_int64(st, 6), thread, obj, ts);
        fputs(",\"args\":{", x->out);
        if (acquire)
            fprintf(x->out, "\"mode\":%lld", (long long)sqlite3_column_int64(
                                                 st, 2));
        else
            fprintf(x->out, "\"result\":%lld",
                    (long long)sqlite3_column_int64(st, 2));
        put_object(x, st, 7, 10);
        fputs("}}", x->out);
    }
    sqlite3_finalize(st);
    for (size_t i = 0; i < depth.cap; i++) {
        const struct gct_map_slot *m = &depth.slots[i];
        const struct thr *t = m->used ? thread_by_id(x, (int64_t)m->k1) : NULL;
        for (uint64_t k = 0; t && k < m->val; k++) {
            put_hold(x, "e", t->pid, t->tid, (int64_t)m->k1, (int64_t)m->k2,
                     t->end);
            fputs(",\"args\":{\"open\":true}}", x->out);
        }
    }
    gct_map_free(&depth);
}

/* The last time the trace knows of: the recorded duration, or later when
 * a snapshot's rows run past it. */
static int64_t
run_end(sqlite3 *db)
{
    sqlite3_stmt *st;
    int64_t end = 0;
    if (sqlite3_prepare_v2(
            db,
            "SELECT max(coalesce((SELECT CAST(value AS INTEGER) FROM meta "
            "WHERE key = 'duration_ns'), 0), "
            "coalesce((SELECT max(ts) FROM events), 0), "
            "coalesce((SELECT max(end_ns) FROM processes), 0), "
            "coalesce((SELECT max(end_ns) FROM threads), 0))",
            -1, &st, NULL) != SQLITE_OK)
        return 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        end = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return end;
}

static int
export(struct exporter *x)
{
    x->first = true;
    x->run_end = run_end(x->db);
    if (load_threads(x) != 0 ||
        sqlite3_prepare_v2(x->db,
                           "SELECT function, file, line, module FROM "
                           "stack_text WHERE stack_id = ? ORDER BY idx",
                           -1, &x->stack_st, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(x->db, wait_sql, -1, &x->wait_st, NULL) !=
            SQLITE_OK) {
        gct_say("export: cannot read the trace: %s", sqlite3_errmsg(x->db));
        return -1;
    }
    fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"producer\":"
          "\"gctrace\"},\"traceEvents\":[",
          x->out);
    put_metadata(x);
    put_threads(x);
    put_lock_holds(x);
    put_instants(x);
    fputs("\n]}\n", x->out);
    if (x->failed) {
        gct_say("export: cannot read the trace: %s", sqlite3_errmsg(x->db));
        return -1;
    }
    return 0;
}

static void
exporter_free(struct exporter *x)
{
    sqlite3_finalize(x->stack_st);
    sqlite3_finalize(x->wait_st);
    free(x->by_tid);
    free(x->by_handle);
    free(x->thr);
    for (size_t i = 0; i < STACK_CACHE; i++)
        free(x->stacks[i].text);
}

int
cmd_export(int argc, char **argv)
{
    const char *format = "chrome", *outfile = NULL, *trace = NULL;
    char err[512];

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return GCT_EXIT_OK;
        } else if (!strcmp(a, "--format") || !strcmp(a, "-o")) {
            if (i + 1 >= argc) {
                gct_say("export: %s needs a value (see 'gctrace export "
                        "--help')",
                        a);
                return GCT_EXIT_USAGE;
            }
            *(a[1] == 'o' ? &outfile : &format) = argv[++i];
        } else if (!strncmp(a, "--format=", 9)) {
            format = a + 9;
        } else if (!strcmp(a, "--")) {
            if (i + 2 != argc || trace != NULL) {
                gct_say("export: expected one TRACE (see 'gctrace export "
                        "--help')");
                return GCT_EXIT_USAGE;
            }
            trace = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            gct_say("export: unknown option '%s' (see 'gctrace export "
                    "--help')",
                    a);
            return GCT_EXIT_USAGE;
        } else if (trace == NULL) {
            trace = a;
        } else {
            gct_say("export: expected one TRACE (see 'gctrace export "
                    "--help')");
            return GCT_EXIT_USAGE;
        }
    }
    if (strcmp(format, "chrome") != 0) {
        gct_say("export: unknown format '%s' (the only one is 'chrome')",
                format);
        return GCT_EXIT_USAGE;
    }
    if (trace == NULL) {
        gct_say("export: expected one TRACE (see 'gctrace export --help')");
        return GCT_EXIT_USAGE;
    }
    sqlite3 *db = gct_trace_open(trace, err, sizeof err);
    if (db == NULL) {
        gct_say("%s", err);
        return GCT_EXIT_USAGE;
    }
    /* the output file is created only once the trace has opened */
    FILE *out = stdout;
    if (outfile && strcmp(outfile, "-") != 0) {
        out = fopen(outfile, "w");
        if (out == NULL) {
            gct_say("export: cannot write %s: %s", outfile, strerror(errno));
            sqlite3_close(db);
            return GCT_EXIT_USAGE;
        }
    }
    /* static: stdout keeps using it until the process exits */
    static char buf[1 << 16];
    setvbuf(out, buf, _IOFBF, sizeof buf);

    struct exporter x = {.db = db, .out = out};
    int rc = export(&x);
    exporter_free(&x);
    sqlite3_close(db);

    int werr = 0;
    errno = 0;
    if (fflush(out) != 0 || ferror(out))
        werr = errno ? errno : EIO;
    if (out != stdout && fclose(out) != 0 && werr == 0)
        werr = errno ? errno : EIO;
    if (rc == 0 && werr) {
        gct_say("export: cannot write %s: %s",
                out == stdout ? "the output" : outfile, strerror(werr));
        rc = -1;
    }
    if (rc != 0) {
        if (out != stdout)
            unlink(outfile);
        return GCT_EXIT_USAGE;
    }
    return GCT_EXIT_OK;
}
