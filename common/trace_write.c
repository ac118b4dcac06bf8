/*
 * trace_write.c - writing the sqlite trace for the finishing step
 * (trace_write.h): the rows the replay writes as it goes, the model once
 * it is complete, the modules, the meta data and the indexes.
 *
 * The file is one of our own made beside the trace (safe_file.h), written
 * in one transaction with the journal and syncs off: it only becomes the
 * trace when gct_finish renames it, so a crash leaves the raw log and a
 * stray temporary file, never half a trace.
 */
#include "trace_write.h"

#include "empty_trace.h"
#include "finish_model.h"
#include "vocab.h"
#include "safe_file.h"
#include "schema.h"
#include "symbolize.h"
#include "trace.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
gct_tw_fail(struct gct_trace_writer *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err, w->errlen, fmt, ap);
    va_end(ap);
}

static bool
exec(struct gct_trace_writer *w, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(w->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        gct_tw_fail(w, "cannot write the trace: %s", msg ? msg : "?");
        sqlite3_free(msg);
        return false;
    }
    return true;
}

static sqlite3_stmt *
prepare(struct gct_trace_writer *w, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(w->db, sql, -1, &st, NULL) != SQLITE_OK) {
        gct_tw_fail(w, "cannot write the trace: %s", sqlite3_errmsg(w->db));
        return NULL;
    }
    return st;
}

/* The values ap holds, one format letter each, into cells: 'i' an
 * int64, 'n' an int64 or NULL when 0 (an id), 'N' an int64 or NULL when
 * < 0 (a time or a count not known), 's' a string (copied) or NULL.
 * Upper-case 'I' is 'i' too: it marks the events row's a and b, which are
 * written as they are.  The number of cells. */
static int
cells_of(struct gct_sql_cell *c, const char *fmt, va_list ap)
{
    int n = 0;
    for (; *fmt; fmt++, c++, n++) {
        if (*fmt == 's') {
            const char *s = va_arg(ap, const char *);
            *c = (struct gct_sql_cell){s ? GCT_CELL_TEXT : GCT_CELL_NULL, 0,
                                       s ? gct_xstrdup(s) : NULL};
            continue;
        }
        int64_t v = va_arg(ap, int64_t);
        bool null = (*fmt == 'n' && v == 0) || (*fmt == 'N' && v < 0);
        *c = (struct gct_sql_cell){null ? GCT_CELL_NULL : GCT_CELL_INT, v,
                                   NULL};
    }
    return n;
}

static void
step_failed(struct gct_trace_writer *w, int rc)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && !gct_tw_failed(w))
        gct_tw_fail(w, "cannot write the trace: %s", sqlite3_errmsg(w->db));
}

/* Binds the values that follow (cells_of), then steps and resets. */
static void
run(struct gct_trace_writer *w, sqlite3_stmt *st, const char *fmt, ...)
{
    struct gct_sql_cell cells[32]; /* the widest row: objects', 19 */
    va_list ap;
    va_start(ap, fmt);
    int n = cells_of(cells, fmt, ap);
    va_end(ap);
    gct_sql_bind_cells(st, 1, cells, n);
    step_failed(w, sqlite3_step(st));
    sqlite3_reset(st);
}

/* Adds a row of the values that follow (cells_of) to batch b. */
static void
add(struct gct_trace_writer *w, struct gct_sql_batch *b, const char *fmt,
    ...)
{
    va_list ap;
    va_start(ap, fmt);
    cells_of(gct_sql_batch_next(b), fmt, ap);
    va_end(ap);
    step_failed(w, gct_sql_batch_add(b));
}

/* ------------------------------------------------------------ opening */

static bool
prepare_all(struct gct_trace_writer *w)
{
    const struct {
        struct gct_sql_batch *b;
        const char *insert;
        int ncols;
    } batches[] = {
        {&w->events, "INSERT INTO events(ts,thread_id,kind,object_id,a,b,"
                     "stack_id,text)", 8},
        {&w->edges, "INSERT INTO lock_edges(from_id,to_id,thread_id,ts,"
                    "from_flags,to_flags,stack_id,from_frame,gate_ids)", 9},
        {&w->stacks, "INSERT INTO stacks", 2},
        {&w->frames, "INSERT INTO frames", 8},
        {&w->stack_frames, "INSERT INTO stack_frames", 3},
    };
    for (size_t i = 0; i < sizeof batches / sizeof batches[0]; i++)
        if (!gct_sql_batch_init(batches[i].b, w->db, batches[i].insert,
                                batches[i].ncols)) {
            gct_tw_fail(w, "cannot write the trace: %s",
                        sqlite3_errmsg(w->db));
            return false;
        }
    w->ins_wait_case = prepare(w, "INSERT INTO select_cases VALUES(?,?,?)");
    w->ins_process = prepare(w, "INSERT OR REPLACE INTO processes(pid,ppid,"
                                "exe,argv,start_ns) VALUES(?,?,?,?,?)");
    w->upd_process_exit = prepare(w, "UPDATE processes SET end_ns = ?, "
                                     "exit_status = ? WHERE pid = ?");
    return w->ins_wait_case && w->ins_process && w->upd_process_exit;
}

/* The batches the replay writes through (prepare_all makes them). */
#define REPLAY_BATCHES(w)                                                  \
    {&(w)->events, &(w)->edges, &(w)->stacks, &(w)->frames,                \
     &(w)->stack_frames}

void
gct_tw_flush(struct gct_trace_writer *w)
{
    struct gct_sql_batch *all[] = REPLAY_BATCHES(w);
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (all[i]->one && !gct_tw_failed(w))
            step_failed(w, gct_sql_batch_flush(all[i]));
}

static void
finalize_all(struct gct_trace_writer *w)
{
    gct_tw_flush(w); /* done already, unless the finish failed */
    struct gct_sql_batch *batches[] = REPLAY_BATCHES(w);
    for (size_t i = 0; i < sizeof batches / sizeof batches[0]; i++)
        gct_sql_batch_free(batches[i]);
    sqlite3_stmt **all[] = {&w->ins_wait_case, &w->ins_process,
                            &w->upd_process_exit};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        sqlite3_finalize(*all[i]);
        *all[i] = NULL;
    }
}

/* The schema's tables, copied in as pages made at build time
 * (common/gen/empty_trace.c): executing their CREATE statements was most
 * of a small trace's finishing time. */
static bool
write_empty_trace(int fd)
{
    const unsigned char *p = gct_empty_trace;
    size_t left = sizeof gct_empty_trace;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        left -= (size_t)n;
    }
    return true;
}

/* The new trace, as a sqlite database in a file of our own that nobody
 * could have planted (safe_file.h), holding the schema's tables; its name
 * goes in tmp ("" when none was made). */
static bool
open_temp_trace(struct gct_trace_writer *w, const char *trace, char *tmp,
                size_t n)
{
    int fd = gct_create_temp(trace, tmp, n);
    if (fd < 0) {
        gct_tw_fail(w, "%s: cannot create a file beside it: %s", trace,
                    strerror(errno));
        tmp[0] = '\0';
        return false;
    }
    if (!write_empty_trace(fd)) {
        gct_tw_fail(w, "%s: cannot write: %s", tmp,
                    errno ? strerror(errno) : "short write");
        close(fd);
        return false;
    }
    /* NOFOLLOW: were the name swapped for a symlink since, sqlite refuses
     * it rather than write through it. */
    bool ok = sqlite3_open_v2(tmp, &w->db, SQLITE_OPEN_READWRITE |
                                               SQLITE_OPEN_NOFOLLOW |
                                               SQLITE_OPEN_NOMUTEX,
                              NULL) == SQLITE_OK;
    if (!ok)
        gct_tw_fail(w, "%s: cannot create: %s", tmp, sqlite3_errmsg(w->db));
    close(fd);
    return ok;
}

bool
gct_tw_open(struct gct_trace_writer *w, const char *trace, char *tmp,
            size_t tmplen, char *err, size_t errlen)
{
    *w = (struct gct_trace_writer){.err = err, .errlen = errlen};
    if (!open_temp_trace(w, trace, tmp, tmplen))
        return false;
    /* The schema's tables are in the file; its indexes are made once the
     * rows are in. */
    const char *indexes = strstr(gct_schema_sql, "-- indexes");
    if (indexes)
        w->indexes = strdup(indexes);
    bool ok = (indexes == NULL || w->indexes) &&
              exec(w, "PRAGMA journal_mode=OFF;"
                      "PRAGMA synchronous=OFF;"
                      "PRAGMA cache_size=-65536; BEGIN;") &&
              prepare_all(w);
    if (!ok && !gct_tw_failed(w))
        gct_tw_fail(w, "cannot write the trace: out of memory");
    return ok;
}

void
gct_tw_close(struct gct_trace_writer *w)
{
    finalize_all(w);
    if (w->db)
        sqlite3_close(w->db);
    w->db = NULL;
    free(w->indexes);
    w->indexes = NULL;
    gct_map_free(&w->edge_stacks);
}

/* ------------------------------------------------------------ replay rows */

void
gct_tw_event(struct gct_trace_writer *w, int64_t ts, int64_t thread,
             int64_t kind, int64_t object, int64_t a, int64_t b,
             int64_t stack, const char *text)
{
    add(w, &w->events, "iiinIIns", ts, thread, kind, object, a, b, stack,
        text);
}

void
gct_tw_select_case(struct gct_trace_writer *w, int64_t wait, int64_t object,
                   const char *op)
{
    run(w, w->ins_wait_case, "iis", wait, object, op);
}

void
gct_tw_edge(struct gct_trace_writer *w, int64_t from, int64_t to,
            int64_t thread, int64_t ts, int64_t from_flags, int64_t to_flags,
            int64_t stack, int64_t from_frame, const char *gates)
{
    add(w, &w->edges, "iiiiiinns", from, to, thread, ts, from_flags,
        to_flags, stack, from_frame, gates);
    if (stack) /* a NULL stack_id names no frames */
        gct_map_put(&w->edge_stacks, (uint64_t)thread, (uint64_t)stack, 1);
}

void
gct_tw_frame(struct gct_trace_writer *w, int64_t id, uint64_t pc,
             const char *module, const char *function, const char *file,
             int64_t line, int64_t inlined, int64_t offset)
{
    add(w, &w->frames, "iisssiiN", id, (int64_t)pc, module, function,
        file, line, inlined, offset);
}

void
gct_tw_stack_frame(struct gct_trace_writer *w, int64_t stack, int64_t idx,
                   int64_t frame)
{
    add(w, &w->stack_frames, "iii", stack, idx, frame);
}

void
gct_tw_stack(struct gct_trace_writer *w, int64_t stack, int64_t depth)
{
    add(w, &w->stacks, "ii", stack, depth);
}

void
gct_tw_process(struct gct_trace_writer *w, int64_t pid, int64_t ppid,
               const char *exe, const char *argv, int64_t ts)
{
    run(w, w->ins_process, "iissi", pid, ppid, exe, argv, ts);
}

void
gct_tw_process_exit(struct gct_trace_writer *w, int64_t ts, int64_t status,
                    int64_t pid)
{
    run(w, w->upd_process_exit, "iii", ts, status, pid);
}

/* ------------------------------------------------------------ the model */

/* Marks the processes without an end that were running as the trace was
 * finished: their threads were caught in the middle of their work, not
 * left over (the analyses treat them as a snapshot's). */
static void
mark_running(struct gct_trace_writer *w, const struct gct_model *m)
{
    sqlite3_stmt *q = prepare(w, "SELECT pid, exe FROM processes WHERE "
                                 "end_ns IS NULL");
    sqlite3_stmt *up = prepare(w, "UPDATE processes SET running = 1 WHERE "
                                  "pid = ?");
    while (q && up && sqlite3_step(q) == SQLITE_ROW) {
        int64_t pid = sqlite3_column_int64(q, 0);
        if (gct_rawlog_was_running(m->log, pid,
                                   (const char *)sqlite3_column_text(q, 1)))
            run(w, up, "i", pid);
    }
    sqlite3_finalize(q);
    sqlite3_finalize(up);
    /* A snapshot's process (gctrace attach) did not end with it: it went
     * on running after the moment its records describe. */
    if (m->log->hdr->state == GCT_LOG_SNAPSHOT) {
        up = prepare(w, "UPDATE processes SET running = 1 WHERE pid = ?");
        if (up)
            run(w, up, "i", (int64_t)m->log->hdr->root_pid);
        sqlite3_finalize(up);
    }
}

/* The name of the function a thread was started with, from the
 * module's symbols (NULL when unknown): what identifies a thread the
 * program gave no name. */
static const char *
start_routine(const struct gct_model *m, const struct thread *t)
{
    struct gct_sym_frame fr[16];
    if (t->start_fn == 0 || m->sym == NULL)
        return NULL;
    /* the address itself, not a return address: it is the function's
     * first instruction, and its outermost frame is the function */
    int n = gct_symbolize(m->sym, t->start_fn, fr, 16);
    return n > 0 ? fr[n - 1].function : NULL;
}

/* The variable an object lies in (objects.symbol), looked up once here
 * so that every reader of the trace names it alike.  Only memory that a
 * module maps has one: the heap and stacks do not.  Threads are objects
 * only as join targets, named otherwise. */
static const char *
object_symbol(const struct gct_model *m, const struct object *o, char *buf,
              size_t len)
{
    if (m->sym == NULL || o->addr == 0 ||
        o->kind == GCT_OBJ_THREAD)
        return NULL;
    return gct_symbolize_data(m->sym, o->addr, buf, len);
}

static void
write_threads(struct gct_trace_writer *w, const struct gct_model *m)
{
    sqlite3_stmt *st = prepare(
        w, "INSERT INTO threads(id,pid,tid,handle,name,goid,parent_id,"
           "create_stack,start_ns,end_ns,detached,joined_by,locks_at_exit,"
           "end_state,start_routine) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    for (size_t i = 0; st && i < m->nthreads; i++) {
        const struct thread *t = &m->threads[i];
        if (t->merged)
            continue;
        const char *state = t->end >= 0 ? (t->joined_by ? "joined"
                                           : t->detached ? "detached"
                                                         : "exited")
                            : t->nopen    ? "blocked"
                            : t->tid == 0 ? "not_started"
                                          : "running";
        run(w, st, "iiiisnnniNiniss", (int64_t)i + 1, (int64_t)t->pid,
            (int64_t)t->tid, (int64_t)t->handle, t->name, t->goid, t->parent,
            (int64_t)t->create_stack, t->start, t->end, (int64_t)t->detached,
            t->joined_by, t->locks_at_exit, state, start_routine(m, t));
    }
    sqlite3_finalize(st);
}

static void
write_objects(struct gct_trace_writer *w, const struct gct_model *m)
{
    char sym[512];
    /* batched: node makes 4,500 objects */
    struct gct_sql_batch st, stats;
    bool ok = gct_sql_batch_init(&st, w->db,
                                 "INSERT INTO objects(id,kind,addr,pid,name,"
                                 "flags,created_ns,destroyed_ns,create_stack,"
                                 "elem_size,capacity,closed_ns,parent_id,"
                                 "ctx_kind,cancel_ns,cancel_how,cancel_cause,"
                                 "class_id,symbol)", 19);
    ok = gct_sql_batch_init(&stats, w->db, "INSERT INTO lock_stats(object_id,"
                                           "acquisitions,contended,"
                                           "wait_ns_total,wait_ns_max)", 5) &&
         ok;
    if (!ok)
        step_failed(w, sqlite3_errcode(w->db));
    for (size_t i = 0; ok && i < m->nobjects; i++) {
        const struct object *o = &m->objects[i];
        bool chan = o->kind == GCT_OBJ_CHAN;
        bool ctx = o->kind == GCT_OBJ_CTX;
        /* Classes come from init sites only: a lock with a static
         * initialiser is a class of its own, as in the kernel's lockdep;
         * its first use is a poor name for a class (two unrelated static
         * locks first used on the same line would share one). */
        bool lock = o->inited;
        uint64_t cls = gct_map_get(&m->stack_seen, o->create_stack, 0, 0);
        add(w, &st, "isiisiNNnNNNnsNsNns", (int64_t)i + 1,
            gct_obj_name(o->kind) ? gct_obj_name(o->kind) : "unknown", (int64_t)o->addr, (int64_t)o->pid,
            o->name, o->flags, o->created, o->destroyed,
            (int64_t)o->create_stack, chan ? o->elem : -1,
            chan ? o->cap : -1, o->closed, o->parent,
            ctx ? o->ctx_kind : NULL, o->cancel_ns, o->cancel_how,
            ctx && o->cancel_ns >= 0 ? o->cancel_cause : -1,
            lock && cls != UINT64_MAX ? (int64_t)cls : 0,
            object_symbol(m, o, sym, sizeof sym));
        if (o->acq || o->contended)
            add(w, &stats, "iiiii", (int64_t)i + 1, o->acq, o->contended,
                o->wait_total, o->wait_max);
    }
    if (ok && !gct_tw_failed(w))
        step_failed(w, gct_sql_batch_flush(&st));
    if (ok && !gct_tw_failed(w))
        step_failed(w, gct_sql_batch_flush(&stats));
    gct_sql_batch_free(&st);
    gct_sql_batch_free(&stats);
}

static void
write_waits(struct gct_trace_writer *w, const struct gct_model *m)
{
    sqlite3_stmt *st = prepare(
        w, "INSERT INTO waits(id,thread_id,object_id,reason,"
           "begin_ns,end_ns,result,stack_id,holder_tid,timed,"
           "external) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
    for (size_t i = 0; st && i < m->nwaits; i++) {
        const struct wait *x = &m->waits[i];
        run(w, st, "iiniiNinnii", (int64_t)i + 1, x->thread, x->object,
            x->reason, x->begin, x->end, x->result, (int64_t)x->stack,
            x->holder, (int64_t)x->timed,
            (int64_t)gct_model_wait_external(m, x));
    }
    sqlite3_finalize(st);

    st = prepare(w, "INSERT INTO wait_sites(thread_id,object_id,reason,"
                    "stack_id,waits,counted,wait_ns_total,wait_ns_max,"
                    "hist) VALUES(?,?,?,?,?,?,?,?,?)");
    for (size_t i = 0; st && i < m->nsites; i++) {
        const struct wait_site *s = &m->sites[i];
        char hist[GCT_WAIT_HIST * 21];
        size_t len = 0;
        for (int k = 0; k < GCT_WAIT_HIST; k++)
            len += (size_t)snprintf(hist + len, sizeof hist - len, "%s%lld",
                                    k ? "," : "", (long long)s->hist[k]);
        run(w, st, "iiiniiiis", s->thread, s->object, s->reason,
            (int64_t)s->stack, s->waits, s->counted, s->total, s->max, hist);
    }
    sqlite3_finalize(st);
}

void
gct_tw_model(struct gct_trace_writer *w, const struct gct_model *m,
             const struct gct_finish_opts *opts)
{
    const struct gct_log_header *hdr = m->log->hdr;

    write_threads(w, m);
    write_objects(w, m);
    write_waits(w, m);
    /* The root process's end, as the runner or the header knows it. */
    int status = opts && opts->exit_status >= 0 ? opts->exit_status
                 : hdr->state == GCT_LOG_EXITED ? hdr->exit_status
                                                : -1;
    sqlite3_stmt *st = prepare(
        w, "UPDATE processes SET exit_status = coalesce(?, "
           "exit_status), term_signal = ?, end_ns = coalesce(end_ns,"
           " ?) WHERE pid = ?");
    if (st)
        run(w, st, "NNii", (int64_t)status,
            (int64_t)(opts && opts->term_signal > 0 ? opts->term_signal : -1),
            m->last_ts, (int64_t)hdr->root_pid);
    sqlite3_finalize(st);
    mark_running(w, m);
}

/* ------------------------------------------------------------ the rest */

/* Names the frames of glibc's thread entry, which a libc without a
 * symbol table (Debian's) leaves as "??": the caller of a thread's start
 * routine is start_thread, and the caller of that is clone3 (a thread
 * made through clone instead is in __clone, which the dynamic symbols
 * name); the caller of main is __libc_start_call_main.  Found by the
 * frame of the start routine (main) in the stacks of the thread's waits
 * and lock edges and of the threads it created; a frame that has a name
 * keeps it.  The pairs are read first and the frames named from them in
 * C: a temporary table and two updates reading it cost more to compile
 * and make than the join itself, a visible part of a short process's
 * finishing step (docs/bench-shim.md, "Figures behind the code").  The
 * lock edges' (thread, stack) pairs come from the writer, which noted
 * each as it wrote the edge (edge_stacks), as a JSON array: reading them
 * back from lock_edges and making them distinct was most of the join's
 * time where the edges are many (node's 11,500 edges, 261 pairs).  CROSS
 * JOIN keeps sqlite's join order as written: it looked up each frame's
 * caller (s2, f2) before asking whether the frame was the start routine
 * (f1), which few are (1.2 against 2.2 ms for node). */
struct entry_pc {
    int64_t entry, clone; /* clone: 0 when none */
    bool has_clone;
    char name[32];
};

/* The lock edges' (thread, stack) pairs as JSON: "[[1,21],[1,22]]". */
static char *
edge_pairs_json(const struct gct_trace_writer *w)
{
    const struct gct_map *m = &w->edge_stacks;
    size_t cap = 3 + m->len * 44, len = 0; /* ",[" two int64s "]" each */
    char *s = gct_xmalloc(cap);
    s[len++] = '[';
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].used)
            len += (size_t)snprintf(s + len, cap - len, "%s[%lld,%lld]",
                                    len > 1 ? "," : "",
                                    (long long)m->slots[i].k1,
                                    (long long)m->slots[i].k2);
    s[len++] = ']';
    s[len] = '\0';
    return s;
}

void
gct_tw_thread_entry(struct gct_trace_writer *w)
{
    sqlite3_stmt *q = prepare(
        w, "SELECT DISTINCT f2.pc AS entry, f3.pc AS clone, "
           "  CASE WHEN t.start_routine IS NULL THEN "
           "    '__libc_start_call_main' ELSE 'start_thread' END AS name "
           "FROM (SELECT thread_id, stack_id FROM waits UNION "
           "      SELECT json_extract(value, '$[0]'), "
           "        json_extract(value, '$[1]') FROM json_each(?1) UNION "
           "      SELECT parent_id, create_stack FROM threads) ts "
           "CROSS JOIN threads t ON t.id = ts.thread_id "
           "CROSS JOIN stack_frames s1 ON s1.stack_id = ts.stack_id "
           "CROSS JOIN frames f1 ON f1.id = s1.frame_id AND f1.function = "
           "  coalesce(t.start_routine, CASE WHEN t.tid = t.pid AND "
           "  t.goid IS NULL THEN 'main' END) "
           "CROSS JOIN stack_frames s2 ON s2.stack_id = s1.stack_id "
           "  AND s2.idx = s1.idx + 1 "
           "CROSS JOIN frames f2 ON f2.id = s2.frame_id AND f2.function IS NULL "
           "  AND f2.module LIKE '%/libc.so%' "
           "LEFT JOIN stack_frames s3 ON s3.stack_id = s1.stack_id "
           "  AND s3.idx = s1.idx + 2 AND t.start_routine IS NOT NULL "
           "LEFT JOIN frames f3 ON f3.id = s3.frame_id "
           "  AND f3.function IS NULL AND f3.module = f2.module");
    char *pairs = edge_pairs_json(w);
    if (q)
        sqlite3_bind_text(q, 1, pairs, -1, SQLITE_STATIC);
    struct entry_pc *v = NULL;
    size_t n = 0, cap = 0;
    while (q && sqlite3_step(q) == SQLITE_ROW) {
        struct entry_pc e = {
            .entry = sqlite3_column_int64(q, 0),
            .clone = sqlite3_column_int64(q, 1),
            .has_clone = sqlite3_column_type(q, 1) != SQLITE_NULL,
        };
        snprintf(e.name, sizeof e.name, "%s",
                 (const char *)sqlite3_column_text(q, 2));
        GCT_PUSH(v, n, cap, e);
    }
    sqlite3_finalize(q);
    free(pairs);
    if (n == 0) {
        free(v);
        return;
    }
    /* An entry pc takes the name of its first pair; a clone pc is named
     * only if no entry named it. */
    sqlite3_stmt *up = prepare(w, "UPDATE frames SET function = ?1 WHERE "
                                  "function IS NULL AND pc = ?2");
    for (size_t i = 0; up && i < n; i++) {
        sqlite3_bind_text(up, 1, v[i].name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(up, 2, v[i].entry);
        if (sqlite3_step(up) != SQLITE_DONE && !gct_tw_failed(w))
            gct_tw_fail(w, "cannot write the trace: %s",
                        sqlite3_errmsg(w->db));
        sqlite3_reset(up);
    }
    for (size_t i = 0; up && i < n; i++) {
        if (!v[i].has_clone)
            continue;
        sqlite3_bind_text(up, 1, "clone3", -1, SQLITE_STATIC);
        sqlite3_bind_int64(up, 2, v[i].clone);
        if (sqlite3_step(up) != SQLITE_DONE && !gct_tw_failed(w))
            gct_tw_fail(w, "cannot write the trace: %s",
                        sqlite3_errmsg(w->db));
        sqlite3_reset(up);
    }
    sqlite3_finalize(up);
    free(v);
}

/* The modules the frames are in, with their build-ids: an offset
 * (frames.offset) means something only in the file it was taken from,
 * which the build-id identifies wherever the trace is read. */
void
gct_tw_modules(struct gct_trace_writer *w, const struct gct_model *m)
{
    sqlite3_stmt *q = NULL, *ins = NULL;
    if (m->sym == NULL ||
        sqlite3_prepare_v2(w->db, "SELECT DISTINCT module FROM frames WHERE "
                                  "module IS NOT NULL", -1, &q,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(w->db, "INSERT OR IGNORE INTO modules(path, "
                                  "build_id) VALUES(?, ?)", -1, &ins,
                           NULL) != SQLITE_OK) {
        sqlite3_finalize(q);
        return;
    }
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *path = (const char *)sqlite3_column_text(q, 0);
        char id[129];
        const char *bid = gct_symbolizer_build_id(m->sym, path, id, sizeof id);
        sqlite3_bind_text(ins, 1, path, -1, SQLITE_TRANSIENT);
        if (bid)
            sqlite3_bind_text(ins, 2, bid, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(ins, 2);
        sqlite3_step(ins);
        sqlite3_reset(ins);
    }
    sqlite3_finalize(q);
    sqlite3_finalize(ins);
}

void
gct_tw_meta(struct gct_trace_writer *w, const struct gct_model *m,
            const struct gct_finish_opts *opts)
{
    const struct gct_log_header *hdr = m->log->hdr;
    sqlite3_stmt *st = prepare(w, "INSERT INTO meta VALUES(?,?)");
    if (st == NULL)
        return;
    char buf[64];
#define META(k, fmt, v)                                                    \
    do {                                                                   \
        snprintf(buf, sizeof buf, fmt, v);                                 \
        run(w, st, "ss", k, buf);                                          \
    } while (0)
    META("format_version", "%d", GCT_FORMAT_VERSION);
    run(w, st, "ss", "producer", "gctrace");
    META("record_mode", "%s",
         hdr->record_mode == GCT_RECORD_ALL        ? "all"
         : hdr->record_mode == GCT_RECORD_COUNTERS ? "counters"
                                                   : "blocking");
    META("start_real_ns", "%lld", (long long)hdr->start_real_ns);
    META("duration_ns", "%lld", (long long)m->last_ts);
    META("root_pid", "%d", hdr->root_pid);
    META("records", "%zu", m->log->nrefs);
    META("dropped", "%llu", (unsigned long long)hdr->dropped);
    META("clean_exit", "%d", hdr->state == GCT_LOG_EXITED);
    META("complete", "%d", opts == NULL || !opts->snapshot);
#undef META
    if (hdr->state == GCT_LOG_SNAPSHOT)
        run(w, st, "ss", "snapshot", "1");
    if (m->options)
        run(w, st, "ss", "options", m->options);
    sqlite3_finalize(st);

    if (gct_vocab_write(w->db) != SQLITE_OK)
        gct_tw_fail(w, "cannot write the trace: %s", sqlite3_errmsg(w->db));
}

/*
 * A trace of fewer records gets no indexes: building them was a large
 * part of finishing a small or middling trace, while scanning such
 * tables takes milliseconds, and the viewer's first screen came up as
 * fast without them (docs/bench-shim.md, "Figures behind the code").  Larger traces are the ones the viewer pages
 * through.
 */
#define INDEX_MIN_RECORDS 100000

bool
gct_tw_indexes(struct gct_trace_writer *w, size_t records)
{
    /* the replay's statements are done with */
    finalize_all(w);
    if (gct_tw_failed(w) || w->indexes == NULL ||
        records < INDEX_MIN_RECORDS)
        return !gct_tw_failed(w);
    return exec(w, w->indexes);
}

bool
gct_tw_commit(struct gct_trace_writer *w, const char *tmp)
{
    finalize_all(w);
    if (gct_tw_failed(w) || !exec(w, "COMMIT;"))
        return false;
    int rc = sqlite3_close(w->db);
    w->db = NULL;
    if (rc != SQLITE_OK) {
        gct_tw_fail(w, "%s: cannot close the trace", tmp);
        return false;
    }
    return true;
}
