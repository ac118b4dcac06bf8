/*
 * finish_model.c - the model of a raw log (finish_model.h): its lookups
 * (threads by tid, objects by address), the dispatch of each record to
 * the handler of its kind, and the replay's order.
 *
 * What each record kind means is said once, by its handler in the file
 * of its family; this file knows only which kinds are events (below
 * GCT_REC_STACK: they have a thread and become events rows) and which are
 * records of the log's own (stacks, modules, processes, counters).
 */
#include "finish_model.h"

#include "symbolize.h"
#include "trace_write.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ lookups */

int64_t
gct_thread_of(struct gct_model *m, int pid, int tid, int64_t ts)
{
    int64_t id = (int64_t)gct_map_get(&m->thread_by_tid, (uint64_t)pid,
                                      (uint64_t)tid, 0);
    if (id)
        return id;
    struct thread t = {.pid = pid, .tid = tid, .start = ts, .end = -1};
    GCT_PUSH(m->threads, m->nthreads, m->capthreads, t);
    id = (int64_t)m->nthreads;
    gct_map_put(&m->thread_by_tid, (uint64_t)pid, (uint64_t)tid,
                (uint64_t)id);
    return id;
}

struct thread *
gct_T(struct gct_model *m, int64_t id)
{
    return &m->threads[id - 1];
}

/* Object id (1-based).  Id 0, no object (a damaged record's address 0),
 * gives a scratch object that is never written out, so no handler has
 * to check for it. */
struct object *
gct_O(struct gct_model *m, int64_t id)
{
    static struct object none;
    if (id <= 0 || (size_t)id > m->nobjects) {
        memset(&none, 0, sizeof none);
        return &none;
    }
    return &m->objects[id - 1];
}

int64_t
gct_new_object(struct gct_model *m, int pid, uint64_t addr, enum gct_obj kind,
               int64_t ts)
{
    struct object o = {.pid = pid, .addr = addr, .kind = kind,
                       .created = ts, .destroyed = -1, .closed = -1,
                       .parent = 0, .cancel_ns = -1};
    GCT_PUSH(m->objects, m->nobjects, m->capobjects, o);
    int64_t id = (int64_t)m->nobjects;
    gct_map_put(&m->object_by_addr, (uint64_t)pid, addr, (uint64_t)id);
    return id;
}

/* The live object at addr, made when first seen.  A weaker kind guess
 * (GCT_OBJ_NONE; a mutex for a bare lock address) gives way to what a
 * later event says. */
int64_t
gct_object_of(struct gct_model *m, int pid, uint64_t addr, enum gct_obj kind,
              int64_t ts)
{
    if (addr == 0)
        return 0;
    int64_t id = (int64_t)gct_map_get(&m->object_by_addr, (uint64_t)pid,
                                      addr, 0);
    if (id == 0)
        return gct_new_object(m, pid, addr, kind, ts);
    struct object *o = gct_O(m, id);
    if (kind != GCT_OBJ_NONE &&
        (o->kind == GCT_OBJ_NONE ||
         (o->kind == GCT_OBJ_MUTEX &&
          (kind == GCT_OBJ_RWLOCK || kind == GCT_OBJ_SPIN))))
        o->kind = kind;
    return id;
}

/* Ends object id (1-based) at ts: the address names none now. */
void
gct_end_object(struct gct_model *m, int pid, uint64_t id, int64_t ts)
{
    gct_O(m, (int64_t)id)->destroyed = ts;
    gct_map_put(&m->object_by_addr, (uint64_t)pid,
                gct_O(m, (int64_t)id)->addr, 0);
}

/*
 * Whether something outside the process's threads may end wait w: the
 * object is process-shared (another process), or it is a semaphore
 * wait in a process that had, at its end, a handler for a signal that
 * may arrive while every thread sleeps (the handler may post it).  The
 * set at the end: a handler installed after the wait began may still
 * end it.
 */
bool
gct_model_wait_external(const struct gct_model *m, const struct wait *w)
{
    if (w->shared)
        return true;
    if (w->reason != GCT_WAIT_SEM)
        return false;
    uint64_t mask = gct_map_get(&m->signals,
                                (uint64_t)m->threads[w->thread - 1].pid, 1,
                                0);
    return GCT_SIGNALS_CAN_WAKE(mask);
}

/* ------------------------------------------------------------ dispatch */

void
gct_model_init(struct gct_model *m, const struct gct_rawlog *log,
               struct gct_trace_writer *w, struct gct_symbolizer *sym)
{
    static const struct gct_replay_entry *const families[] = {
        gct_replay_threads, gct_replay_locks, gct_replay_objects,
        gct_replay_stacks};

    *m = (struct gct_model){.log = log, .w = w, .sym = sym,
                            .t0 = log->hdr->start_mono_ns};
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        for (const struct gct_replay_entry *e = families[i]; e->kind; e++)
            if (e->kind >= 0 && e->kind < GCT_REPLAY_KINDS)
                m->by_kind[e->kind] = e;
}

static void
replay_one(struct gct_model *m, const struct gct_rec_ref *ref)
{
    struct gct_rec buf;
    const struct gct_rec *r = gct_rawlog_rec(m->log, ref, &buf);
    const struct gct_chunk_owner *c = &m->log->owners[ref->owner];
    int kind = r->kind;
    /* wrapping: a corrupt log's times are garbage, but never undefined
     * behaviour */
    struct gct_replay e = {
        .r = r, .pid = c->pid, .tid = c->tid,
        .ts = (int64_t)((uint64_t)r->ts - (uint64_t)m->t0), .b = r->b};
    const struct gct_replay_entry *h =
        kind < GCT_REPLAY_KINDS ? m->by_kind[kind] : NULL;

    if (e.ts > m->last_ts)
        m->last_ts = e.ts;
    if (kind >= GCT_REC_STACK && h) {
        h->fn(m, &e);
        return;
    }
    /* An event, or a record of a kind this version does not know: its
     * writer is a thread. */
    if (!(h && h->own_thread))
        e.th = gct_thread_of(m, e.pid, e.tid, e.ts);
    if (h)
        h->fn(m, &e);
    if (kind < GCT_REC_STACK) {
        char *text = h && h->text ? gct_rec_payload_str(r) : NULL;
        gct_tw_event(m->w, e.ts, e.th, kind, e.obj, r->a, e.b,
                     (int64_t)r->stack, text);
        free(text);
    }
}

/* Modules first: every stack needs them before it is symbolised. */
void
gct_model_replay(struct gct_model *m)
{
    const struct gct_rawlog *log = m->log;
    struct gct_rec buf;

    for (size_t i = 0; i < log->nrefs; i++)
        if (gct_rawlog_rec(log, &log->refs[i], &buf)->kind == GCT_REC_MODULE)
            replay_one(m, &log->refs[i]);
    for (size_t i = 0; i < log->nrefs && !gct_tw_failed(m->w); i++)
        if (gct_rawlog_rec(log, &log->refs[i], &buf)->kind != GCT_REC_MODULE)
            replay_one(m, &log->refs[i]);
}

/* The end of a run that did not exit (killed, crashed, or still running
 * at a snapshot): when the runner saw it end (end_mono_ns > 0), else at
 * least when the recorder last saw it alive, not its last record, which
 * is the start of whatever wait it hung in.  The end bounds the process
 * and every wait still open (duration_ns). */
void
gct_model_run_end(struct gct_model *m, int64_t end_mono_ns)
{
    const struct gct_log_header *hdr = m->log->hdr;
    if (hdr->state == GCT_LOG_EXITED)
        return;
    int64_t alive = (int64_t)atomic_load(&hdr->alive_ms) * 1000000;
    if (alive > m->last_ts)
        m->last_ts = alive;
    if (end_mono_ns > 0 && end_mono_ns - hdr->start_mono_ns > m->last_ts)
        m->last_ts = end_mono_ns - hdr->start_mono_ns;
}

void
gct_model_free(struct gct_model *m)
{
    for (size_t i = 0; i < m->nthreads; i++) {
        free(m->threads[i].name);
        free(m->threads[i].cases);
        free(m->threads[i].case_ops);
    }
    for (size_t i = 0; i < m->nobjects; i++) {
        free(m->objects[i].name);
        free(m->objects[i].cancel_how);
    }
    for (size_t i = 0; i < m->npending; i++)
        free(m->pending_names[i].name);
    free(m->pending_names);
    free(m->pending_detach);
    free(m->threads);
    free(m->objects);
    free(m->waits);
    free(m->sites);
    free(m->options);
    struct gct_map *maps[] = {
        &m->site_by_key, &m->thread_by_tid, &m->thread_by_handle,
        &m->object_by_addr, &m->destroyed_at, &m->stack_seen,
        &m->frame_by_pc, &m->pid_seen, &m->thread_by_serial, &m->place_ids,
        &m->class_by_places, &m->signals};
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
        gct_map_free(maps[i]);
}
