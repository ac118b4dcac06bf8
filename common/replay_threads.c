/*
 * replay_threads.c - the replay of processes and threads
 * (finish_model.h): a process's images (exec), its signal handlers and
 * its end; each thread from its creation or its first record to its
 * exit, join or detach, with its name and start routine.
 *
 * Invariants: (pid, tid) names the live row of a thread (a reused tid
 * gets a new row); a pthread_t names one thread until that thread was
 * joined or ended detached (glibc reuses it only then); a creation
 * serial names one thread within one image of a process, whichever of
 * its creator's record and its own start comes first.
 */
#include "finish_model.h"

#include "trace_write.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ signals */

static void
set_signals(struct gct_model *m, int pid, uint64_t mask)
{
    gct_map_put(&m->signals, (uint64_t)pid, 0, 1);
    gct_map_put(&m->signals, (uint64_t)pid, 1, mask);
}

/* A fork's child has its parent's handlers, until it records its own
 * (its records may come before the parent's of the fork). */
static void
inherit_signals(struct gct_model *m, int parent, int child)
{
    if (!gct_map_get(&m->signals, (uint64_t)child, 0, 0))
        set_signals(m, child,
                    gct_map_get(&m->signals, (uint64_t)parent, 1, 0));
}

static void
on_signals(struct gct_model *m, struct gct_replay *e)
{
    set_signals(m, e->pid, (uint64_t)e->r->a);
}

static void
on_fork(struct gct_model *m, struct gct_replay *e)
{
    inherit_signals(m, e->pid, (int)e->r->a);
}

/* ------------------------------------------------------------ processes */

/* A process record for a pid already seen: the process exec'd.  The old
 * image's threads (and their waits) ended there; the new image's threads
 * start afresh, even on the same tid. */
static void
end_image(struct gct_model *m, int pid, int tid, int64_t ts)
{
    /* The new image's first thread announced itself just before: keep it. */
    int64_t current = (int64_t)gct_map_get(&m->thread_by_tid, (uint64_t)pid,
                                           (uint64_t)tid, 0);
    set_signals(m, pid, 0); /* exec resets every handler */
    for (size_t i = 0; i < m->nthreads; i++) {
        struct thread *t = &m->threads[i];
        if (t->pid != pid || t->end >= 0 || (int64_t)i + 1 == current)
            continue;
        t->end = ts;
        while (t->nopen > 0)
            m->waits[t->open_waits[--t->nopen] - 1].end = ts;
        if ((int64_t)gct_map_get(&m->thread_by_tid, (uint64_t)pid,
                                 (uint64_t)t->tid, 0) == (int64_t)i + 1)
            gct_map_put(&m->thread_by_tid, (uint64_t)pid, (uint64_t)t->tid,
                        0);
    }
}

/* GCT_REC_PROC: a process (image) begins; a = pid, b = ppid, the payload
 * its program and arguments. */
static void
on_proc(struct gct_model *m, struct gct_replay *e)
{
    const struct gct_rec *r = e->r;
    uint64_t images = gct_map_get(&m->pid_seen, (uint64_t)e->pid, 0, 0);
    if (images)
        end_image(m, e->pid, e->tid, e->ts);
    gct_map_put(&m->pid_seen, (uint64_t)e->pid, 0, images + 1);
    const char *p = (const char *)(r + 1);
    size_t n = gct_rec_payload_len(r);
    size_t exe_len = strnlen(p, n);
    char *exe = gct_xmalloc(exe_len + 1);
    memcpy(exe, p, exe_len);
    exe[exe_len] = '\0';
    char *argv = gct_xcalloc(n + 1, 1);
    size_t k = 0;
    for (size_t i = exe_len + 1; i < n; i++)
        argv[k++] = p[i] ? p[i] : ' ';
    while (k > 0 && argv[k - 1] == ' ')
        k--;
    argv[k] = '\0';
    gct_tw_process(m->w, r->a, r->b, exe, argv, e->ts);
    free(exe);
    free(argv);
}

/* GCT_REC_OPTIONS: the root process's are the run's. */
static void
on_options(struct gct_model *m, struct gct_replay *e)
{
    if (m->options == NULL || e->pid == m->log->hdr->root_pid) {
        free(m->options);
        m->options = gct_rec_payload_str(e->r);
    }
}

static void
on_proc_exit(struct gct_model *m, struct gct_replay *e)
{
    gct_tw_process_exit(m->w, e->ts, e->r->a, (int64_t)e->pid);
}

/* ------------------------------------------------------------ threads */

/* Where thread_by_serial keeps process pid's current image's serials
 * (they start again at each exec). */
static uint64_t
image_key(struct gct_model *m, int pid)
{
    return gct_map_get(&m->pid_seen, (uint64_t)pid, 0, 0) << 32 |
           (uint32_t)pid;
}

static uint64_t
start_serial(const struct gct_rec *r)
{
    return (uint64_t)r->b >> GCT_THREAD_SERIAL_SHIFT;
}

/* The handle no longer names thread id (joined, or ended detached). */
static void
forget_handle(struct gct_model *m, int pid, uint64_t handle, int64_t id)
{
    if ((int64_t)gct_map_get(&m->thread_by_handle, (uint64_t)pid, handle,
                             0) == id)
        gct_map_put(&m->thread_by_handle, (uint64_t)pid, handle, 0);
}

/* The creator's record of a new thread: the thread exists from there,
 * whether or not it ever ran.  Nothing to do when its start came first. */
static void
on_thread_create(struct gct_model *m, struct gct_replay *e)
{
    const struct gct_rec *r = e->r;
    uint64_t key = image_key(m, e->pid);
    /* The start routine, in the payload since the recorder sends it; the
     * thread's own start may have made its row already. */
    uint64_t fn = 0;
    if (gct_rec_payload_len(r) >= sizeof fn)
        memcpy(&fn, r + 1, sizeof fn);

    if (r->a == 0)
        return;
    uint64_t known = gct_map_get(&m->thread_by_serial, key, (uint64_t)r->a, 0);
    if (known) {
        if (fn && gct_T(m, (int64_t)known)->start_fn == 0)
            gct_T(m, (int64_t)known)->start_fn = fn;
        return;
    }
    struct thread t = {.pid = e->pid, .handle = r->obj, .start = e->ts,
                       .end = -1, .parent = e->th,
                       .create_stack = r->stack,
                       .detached = (int)(r->b & 1), .start_fn = fn};
    GCT_PUSH(m->threads, m->nthreads, m->capthreads, t);
    uint64_t id = m->nthreads;
    gct_map_put(&m->thread_by_serial, key, (uint64_t)r->a, id);
    gct_map_put(&m->thread_by_handle, (uint64_t)e->pid, r->obj, id);
}

/* A thread's start, before its row is looked up: when its creator
 * recorded it first, tid now names that thread.  Its handle is cleared
 * for the start to set again, so that the start does not take it for a
 * reused tid. */
static void
adopt_created(struct gct_model *m, int pid, int tid, const struct gct_rec *r)
{
    uint64_t serial = start_serial(r);
    if (serial == 0)
        return;
    int64_t id = (int64_t)gct_map_get(&m->thread_by_serial,
                                      image_key(m, pid), serial, 0);
    if (id == 0 || gct_T(m, id)->tid != 0)
        return;
    /* The thread recorded something before its start (its start path
     * took a lock: a malloc of its own, say), which made its row then: a
     * live row of its tid can only be it.  The creator's record is folded
     * into that row, whose id its earlier events already carry. */
    int64_t early = (int64_t)gct_map_get(&m->thread_by_tid, (uint64_t)pid,
                                         (uint64_t)tid, 0);
    if (early && early != id && gct_T(m, early)->end < 0) {
        struct thread *x = gct_T(m, early), *c = gct_T(m, id);
        x->parent = c->parent;
        x->create_stack = c->create_stack;
        if (x->start_fn == 0)
            x->start_fn = c->start_fn;
        x->start = c->start;
        x->detached |= c->detached;
        if (!x->joined_by)
            x->joined_by = c->joined_by;
        c->merged = true;
        gct_map_put(&m->thread_by_serial, image_key(m, pid), serial,
                    (uint64_t)early);
        if ((int64_t)gct_map_get(&m->thread_by_handle, (uint64_t)pid,
                                 c->handle, 0) == id)
            gct_map_put(&m->thread_by_handle, (uint64_t)pid, c->handle,
                        (uint64_t)early);
        return;
    }
    gct_T(m, id)->tid = tid;
    gct_T(m, id)->handle = 0;
    gct_map_put(&m->thread_by_tid, (uint64_t)pid, (uint64_t)tid,
                (uint64_t)id);
}

/* The thread's own start record: it finds its row itself (own_thread),
 * after adopting the one its creator's record made. */
static void
on_thread_start(struct gct_model *m, struct gct_replay *e)
{
    const struct gct_rec *r = e->r;
    int pid = e->pid;

    adopt_created(m, pid, e->tid, r);
    e->th = gct_thread_of(m, pid, e->tid, e->ts);
    struct thread *t = gct_T(m, e->th);
    /* A second start record of the same live thread completes the
     * first (preload/thread_state.c, gct_thread_begin). */
    if (t->nopen > 0 || t->end >= 0 ||
        (t->handle != 0 && t->handle != r->obj)) {
        /* the tid was reused by a new thread */
        gct_map_put(&m->thread_by_tid, (uint64_t)pid, (uint64_t)e->tid, 0);
        e->th = gct_thread_of(m, pid, e->tid, e->ts);
        t = gct_T(m, e->th);
    }
    t->start = e->ts;
    t->handle = r->obj;
    t->create_stack = r->stack;
    t->detached |= (int)(r->b & 1); /* or detached since its creation */
    if (t->start_fn == 0 && gct_rec_payload_len(r) >= sizeof t->start_fn)
        memcpy(&t->start_fn, r + 1, sizeof t->start_fn);
    /* its creator's record, if later, is no news */
    if (start_serial(r))
        gct_map_put(&m->thread_by_serial, image_key(m, pid), start_serial(r),
                    (uint64_t)e->th);
    if (r->a)
        t->parent = (int64_t)gct_map_get(&m->thread_by_tid, (uint64_t)pid,
                                         (uint64_t)r->a, 0);
    gct_map_put(&m->thread_by_handle, (uint64_t)pid, r->obj,
                (uint64_t)e->th);
    for (size_t i = 0; i < m->npdetach; i++)
        if (m->pending_detach[i].pid == pid &&
            m->pending_detach[i].handle == r->obj) {
            t->detached = 1;
            m->pending_detach[i] = m->pending_detach[--m->npdetach];
            break;
        }
    for (size_t i = 0; i < m->npending; i++)
        if (m->pending_names[i].pid == pid &&
            m->pending_names[i].handle == r->obj &&
            m->pending_names[i].name) {
            free(t->name);
            t->name = m->pending_names[i].name;
            m->pending_names[i].name = NULL;
        }
}

static void
on_thread_exit(struct gct_model *m, struct gct_replay *e)
{
    struct thread *t = gct_T(m, e->th);
    t->end = e->ts;
    t->locks_at_exit = e->r->a;
    for (int i = 0; i < t->nopen; i++)
        gct_cond_wait_ends(m, &m->waits[t->open_waits[i] - 1]);
    if (t->detached)
        forget_handle(m, e->pid, t->handle, e->th);
}

/* glibc reuses a pthread_t only once its thread was joined, or ended
 * detached, so the handle names one thread until then.  A detach right
 * after pthread_create can come before the new thread's start record: it
 * waits for it. */
static void
on_join_or_detach(struct gct_model *m, struct gct_replay *e)
{
    const struct gct_rec *r = e->r;
    bool join = r->kind == GCT_EV_THREAD_JOIN;
    int64_t target = (int64_t)gct_map_get(&m->thread_by_handle,
                                          (uint64_t)e->pid, r->obj, 0);
    if (r->a == 0 && target == 0 && !join)
        GCT_PUSH(m->pending_detach, m->npdetach, m->cappdetach,
                 ((struct pending_name){e->pid, r->obj, NULL}));
    if (target && r->a == 0) {
        struct thread *x = gct_T(m, target);
        if (join)
            x->joined_by = e->th;
        else
            x->detached = 1;
        if (join || x->end >= 0)
            forget_handle(m, e->pid, r->obj, target);
    }
    e->obj = gct_object_of(m, e->pid, r->obj, GCT_OBJ_THREAD, e->ts);
}

/* Named by handle, often by its creator before it first ran. */
static void
on_thread_name(struct gct_model *m, struct gct_replay *e)
{
    int64_t target = (int64_t)gct_map_get(&m->thread_by_handle,
                                          (uint64_t)e->pid, e->r->obj, 0);
    char *name = gct_rec_payload_str(e->r);
    if (target) {
        free(gct_T(m, target)->name);
        gct_T(m, target)->name = name;
    } else {
        GCT_PUSH(m->pending_names, m->npending, m->cappending,
                 ((struct pending_name){e->pid, e->r->obj, name}));
    }
}

static void
on_go_start(struct gct_model *m, struct gct_replay *e)
{
    struct thread *t = gct_T(m, e->th);
    free(t->name);
    t->name = gct_rec_payload_str(e->r);
    t->goid = e->r->a;
    if (e->r->b) /* the WaitGroup it owes a Done */
        e->obj = gct_object_of(m, e->pid, (uint64_t)e->r->b, GCT_OBJ_WAITGROUP,
                               e->ts);
}

/* The goroutine's function returned: what is left of its thread is libc
 * tearing it down, not a leak. */
static void
on_go_exit(struct gct_model *m, struct gct_replay *e)
{
    gct_T(m, e->th)->end = e->ts;
}

const struct gct_replay_entry gct_replay_threads[] = {
    {.kind = GCT_REC_PROC, .fn = on_proc},
    {.kind = GCT_REC_OPTIONS, .fn = on_options},
    {.kind = GCT_EV_PROC_EXIT, .fn = on_proc_exit},
    {.kind = GCT_EV_SIGNALS, .fn = on_signals},
    {.kind = GCT_EV_FORK, .fn = on_fork},
    {.kind = GCT_EV_THREAD_START, .fn = on_thread_start, .own_thread = true},
    {.kind = GCT_EV_THREAD_CREATE, .fn = on_thread_create},
    {.kind = GCT_EV_THREAD_EXIT, .fn = on_thread_exit},
    {.kind = GCT_EV_THREAD_JOIN, .fn = on_join_or_detach},
    {.kind = GCT_EV_THREAD_DETACH, .fn = on_join_or_detach},
    {.kind = GCT_EV_THREAD_NAME, .fn = on_thread_name, .text = true},
    {.kind = GCT_EV_GO_START, .fn = on_go_start, .text = true},
    {.kind = GCT_EV_GO_EXIT, .fn = on_go_exit},
    {0},
};
