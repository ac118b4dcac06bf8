/*
 * replay_locks.c - the replay of locks and waits (finish_model.h): lock
 * objects from their init or first use to their destroy or the memory
 * they lay in going away; lock-order edges; waits, one by one or counted
 * by the shim, into wait sites and lock statistics; the misuses the
 * finishing step finds itself (a condvar with two mutexes, a wait on a
 * destroyed semaphore).
 *
 * Invariants: a thread's open waits nest (innermost last, at most
 * MAX_OPEN_WAITS kept); a condvar's cond_waits counts its waits under
 * way, so cond_mutex is meaningful only while it is above 0; counts and
 * sums wrap instead of overflowing, since a corrupt log may hold any.
 */
#include "finish_model.h"

#include "trace_write.h"

#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------ locks */

/* The kind of a lock by its mode flags. */
static enum gct_obj
lock_kind(uint64_t flags)
{
    return gct_lock_obj(flags);
}

static void
on_lock_init(struct gct_model *m, struct gct_replay *e)
{
    enum gct_obj k = gct_obj_name(e->r->a) ? (enum gct_obj)e->r->a
                                           : GCT_OBJ_MUTEX;
    e->obj = gct_new_object(m, e->pid, e->r->obj, k, e->ts);
    struct object *o = gct_O(m, e->obj);
    o->inited = true;
    o->flags = e->r->b;
    o->create_stack = e->r->stack;
}

static void
on_lock_first_use(struct gct_model *m, struct gct_replay *e)
{
    e->obj = gct_object_of(m, e->pid, e->r->obj, GCT_OBJ_MUTEX, e->ts);
    if (gct_O(m, e->obj)->create_stack == 0)
        gct_O(m, e->obj)->create_stack = e->r->stack;
}

static void
on_lock_destroy(struct gct_model *m, struct gct_replay *e)
{
    e->obj = gct_object_of(m, e->pid, e->r->obj, GCT_OBJ_MUTEX, e->ts);
    if (e->r->a != 0) /* refused (EBUSY: held): the lock lives on */
        return;
    gct_O(m, e->obj)->destroyed = e->ts;
    gct_map_put(&m->object_by_addr, (uint64_t)e->pid, e->r->obj, 0);
    gct_map_put(&m->destroyed_at, (uint64_t)e->pid, e->r->obj,
                (uint64_t)e->obj);
}

/* A range looked up address by address (pthread objects are 8-byte
 * aligned), not by a scan of every object: a program that frees many
 * blocks holding locks writes a record for each. */
#define END_EACH_MAX 4096

/* The memory [obj, obj + a) went away (munmap, dlclose, free): every
 * object there ended, and whatever is seen at its addresses later is a
 * new object, as after a destroy. */
static void
on_mem_gone(struct gct_model *m, struct gct_replay *e)
{
    int pid = e->pid;
    uint64_t lo = e->r->obj, len = (uint64_t)e->r->a;
    if (len <= END_EACH_MAX) {
        for (uint64_t a = (lo + 7) & ~(uint64_t)7; a - lo < len; a += 8) {
            uint64_t id = gct_map_get(&m->object_by_addr, (uint64_t)pid, a,
                                      0);
            if (id)
                gct_end_object(m, pid, id, e->ts);
        }
        return;
    }
    for (size_t i = 0; i < m->nobjects; i++) {
        struct object *o = &m->objects[i];
        if (o->pid == pid && o->addr >= lo && o->addr - lo < len &&
            gct_map_get(&m->object_by_addr, (uint64_t)pid, o->addr, 0) ==
                (uint64_t)i + 1)
            gct_end_object(m, pid, i + 1, e->ts);
    }
}

static void
on_lock_acquire(struct gct_model *m, struct gct_replay *e)
{
    e->obj = gct_object_of(m, e->pid, e->r->obj, lock_kind((uint64_t)e->r->a),
                           e->ts);
}

static void
on_lock_release(struct gct_model *m, struct gct_replay *e)
{
    e->obj = gct_object_of(m, e->pid, e->r->obj, GCT_OBJ_MUTEX, e->ts);
}

/* b: the pc where it was taken, written as a frame id */
static void
on_lock_held(struct gct_model *m, struct gct_replay *e)
{
    e->obj = gct_object_of(m, e->pid, e->r->obj, lock_kind((uint64_t)e->r->a),
                           e->ts);
    e->b = e->r->b ? gct_frame_of(m, (uint64_t)e->r->b) : 0;
}

/* GCT_REC_COUNT: acquisitions the shim counted instead of writing. */
static void
on_count(struct gct_model *m, struct gct_replay *e)
{
    int64_t o = gct_object_of(m, e->pid, e->r->obj, GCT_OBJ_MUTEX, e->ts);
    if (o)
        gct_O(m, o)->acq += e->r->a;
}

/* obj acquired while a was held: the payload has both locks' flags
 * (a's low 16 bits, obj's the next), the gate locks' count and
 * addresses; b the pc where a was taken. */
static void
on_lock_edge(struct gct_model *m, struct gct_replay *e)
{
    const struct gct_rec *r = e->r;
    int pid = e->pid;
    const uint64_t *p = (const uint64_t *)(r + 1);
    size_t np = gct_rec_payload_len(r) / 8;
    uint64_t flags = np > 0 ? p[0] : 0;
    uint64_t ngates = np > 1 ? p[1] : 0;
    if (ngates > np - 2)
        ngates = np >= 2 ? np - 2 : 0;
    int64_t from = gct_object_of(m, pid, (uint64_t)r->a, lock_kind(flags),
                                 e->ts);
    int64_t to = gct_object_of(m, pid, r->obj, lock_kind(flags >> 16), e->ts);
    char gates[8 * 24] = "";
    size_t len = 0;
    for (uint64_t i = 0; i < ngates; i++) {
        int64_t g = gct_object_of(m, pid, p[2 + i], GCT_OBJ_MUTEX, e->ts);
        int n = snprintf(gates + len, sizeof gates - len, "%s%lld",
                         len ? "," : "", (long long)g);
        if (n < 0 || (size_t)n >= sizeof gates - len)
            break;
        len += (size_t)n;
    }
    int64_t site = r->b ? gct_frame_of(m, (uint64_t)r->b) : 0;
    gct_tw_edge(m->w, from, to, e->th, e->ts, (int64_t)(flags & 0xffff),
                (int64_t)(flags >> 16), (int64_t)r->stack, site,
                len ? gates : NULL);
    e->obj = gct_object_of(m, pid, r->obj, GCT_OBJ_NONE, e->ts);
}

/* ------------------------------------------------------------ waits */

/*
 * POSIX leaves undefined a condvar waited on with two mutexes at once:
 * while a wait is under way, the condvar is bound to its mutex.  glibc
 * does not check (it keeps no mutex in the condvar), so the finishing
 * step does, from the waits as it replays them, and writes the misuse as
 * an event of the waiting thread, with the wait's stack and the other
 * mutex as its detail.  Waits that follow one another may use different
 * mutexes.
 */
static void
cond_wait_begins(struct gct_model *m, int64_t th, int64_t cond,
                 uint64_t mutex, uint32_t stack, int64_t ts)
{
    struct object *o = gct_O(m, cond);
    if (cond == 0)
        return;
    if (o->cond_waits > 0 && o->cond_mutex != mutex)
        gct_tw_event(m->w, ts, th, GCT_EV_MISUSE, cond,
                     GCT_MISUSE_COND_TWO_MUTEXES, (int64_t)mutex,
                     (int64_t)stack, NULL);
    if (o->cond_waits++ == 0)
        o->cond_mutex = mutex;
}

void
gct_cond_wait_ends(struct gct_model *m, const struct wait *w)
{
    if (w->reason == GCT_WAIT_COND && w->object &&
        gct_O(m, w->object)->cond_waits > 0)
        gct_O(m, w->object)->cond_waits--;
}

/*
 * A semaphore wait made object obj at ts: no init (sem_init is recorded)
 * nor any other record named a live semaphore at its address.  When the
 * last semaphore there was destroyed, this waits on a destroyed one:
 * glibc's destroy changes nothing, so the wait works as before, but the
 * program broke the contract.  Written as a misuse event of the waiting
 * thread, naming the destroyed semaphore.  (Only waits that block are
 * recorded: one that finds a count left takes it unseen.)
 */
static void
sem_wait_made(struct gct_model *m, const struct gct_replay *e, int64_t obj)
{
    int64_t gone = (int64_t)gct_map_get(&m->destroyed_at, (uint64_t)e->pid,
                                        e->r->obj, 0);
    if (gone == 0 || gone == obj || gct_O(m, gone)->kind != GCT_OBJ_SEM)
        return;
    gct_tw_event(m->w, e->ts, e->th, GCT_EV_MISUSE, gone,
                 GCT_MISUSE_SEM_DESTROYED, 0, (int64_t)e->r->stack, NULL);
}

/* a: the reason, | GCT_WAIT_TIMED | GCT_WAIT_SHARED; b: a lock's holder,
 * or a condvar wait's mutex.  A select's cases came just before. */
static void
on_wait_begin(struct gct_model *m, struct gct_replay *e)
{
    const struct gct_rec *r = e->r;
    int pid = e->pid;
    struct thread *t = gct_T(m, e->th);
    int64_t reason = r->a & ~(int64_t)(GCT_WAIT_TIMED | GCT_WAIT_SHARED);
    enum gct_obj kind = gct_wait_object((int)reason);
    bool seen = gct_map_get(&m->object_by_addr, (uint64_t)pid, r->obj, 0);
    int64_t obj = kind != GCT_OBJ_NONE
                      ? gct_object_of(m, pid, r->obj, kind, e->ts)
                      : 0;
    if (reason == GCT_WAIT_SEM && obj && !seen)
        sem_wait_made(m, e, obj);
    struct wait w = {e->th, obj, reason, e->ts, -1, 0, 0, r->stack,
                     (r->a & GCT_WAIT_TIMED) != 0,
                     (r->a & GCT_WAIT_SHARED) != 0};
    if (gct_wait_is_lock(reason))
        w.holder = r->b;
    if (reason == GCT_WAIT_COND && r->b) {
        gct_object_of(m, pid, (uint64_t)r->b, GCT_OBJ_MUTEX, e->ts);
        cond_wait_begins(m, e->th, obj, (uint64_t)r->b, r->stack, e->ts);
    }
    GCT_PUSH(m->waits, m->nwaits, m->capwaits, w);
    int64_t wid = (int64_t)m->nwaits;
    if (reason == GCT_WAIT_SELECT) {
        for (size_t i = 0; i < t->ncases; i++) {
            int64_t o = gct_object_of(m, pid, t->cases[i], GCT_OBJ_CHAN, e->ts);
            gct_tw_select_case(m->w, wid, o,
                               t->case_ops[i] == 1 ? "send" : "recv");
        }
    }
    t->ncases = 0;
    if (t->nopen < MAX_OPEN_WAITS)
        t->open_waits[t->nopen++] = wid;
    e->obj = obj;
}

/* The site of waits by thread at object for reason from stack. */
static struct wait_site *
site_of(struct gct_model *m, int64_t thread, int64_t object, int64_t reason,
        uint32_t stack)
{
    uint64_t k1 = (uint64_t)thread << 8 | ((uint64_t)reason & 0xff);
    uint64_t k2 = (uint64_t)object << 32 | stack;
    uint64_t i = gct_map_get(&m->site_by_key, k1, k2, 0);
    if (i == 0) {
        struct wait_site s = {thread, object, reason, stack, 0, 0, 0, 0, {0}};
        GCT_PUSH(m->sites, m->nsites, m->capsites, s);
        i = m->nsites;
        gct_map_put(&m->site_by_key, k1, k2, i);
    }
    return &m->sites[i - 1];
}

/* n waits at object o (a lock), d ns in all, the longest max. */
static void
lock_waited(struct object *o, int64_t n, int64_t d, int64_t max)
{
    o->contended = (int64_t)((uint64_t)o->contended + (uint64_t)n);
    o->wait_total = (int64_t)((uint64_t)o->wait_total + (uint64_t)d);
    if (max > o->wait_max)
        o->wait_max = max;
}

/* The innermost open wait of the thread ends; a = its result. */
static void
on_wait_end(struct gct_model *m, struct gct_replay *e)
{
    struct thread *t = gct_T(m, e->th);
    if (t->nopen == 0)
        return;
    struct wait *w = &m->waits[t->open_waits[--t->nopen] - 1];
    w->end = e->ts;
    w->result = e->r->a;
    gct_cond_wait_ends(m, w);
    bool lock = gct_wait_is_lock(w->reason);
    if (w->object && gct_wait_ends_holding(w->reason)) {
        int64_t d = (int64_t)((uint64_t)e->ts - (uint64_t)w->begin);
        struct wait_site *s =
            site_of(m, w->thread, w->object, w->reason, w->stack);
        s->waits++;
        s->total = (int64_t)((uint64_t)s->total + (uint64_t)d);
        if (d > s->max)
            s->max = d;
        s->hist[gct_wait_bucket(d)]++;
        if (lock)
            lock_waited(gct_O(m, w->object), 1, d, d);
    }
}

/* GCT_REC_WAITS: short waits the shim counted, by the chunk's thread or
 * the one the record names. */
static void
on_counted_waits(struct gct_model *m, struct gct_replay *e)
{
    const struct gct_rec *r = e->r;
    struct gct_wait_sum sum;
    size_t n = gct_rec_payload_len(r);
    memset(&sum, 0, sizeof sum);
    memcpy(&sum, r + 1, n < sizeof sum ? n : sizeof sum);
    int64_t reason = r->a;
    enum gct_obj kind = gct_wait_object((int)reason);
    if (kind == GCT_OBJ_NONE || r->b <= 0 ||
        !gct_wait_ends_holding((int)reason))
        return;
    int tid = e->tid;
    if (sum.tid > 0 && sum.tid <= INT32_MAX)
        tid = (int)sum.tid;
    int64_t th = gct_thread_of(m, e->pid, tid, e->ts);
    int64_t obj = gct_object_of(m, e->pid, r->obj, kind, e->ts);
    if (obj == 0)
        return;
    struct wait_site *s = site_of(m, th, obj, reason, r->stack);
    s->counted = (int64_t)((uint64_t)s->counted + (uint64_t)r->b);
    s->total = (int64_t)((uint64_t)s->total + (uint64_t)sum.total_ns);
    if (sum.max_ns > s->max)
        s->max = sum.max_ns;
    for (int i = 0; i < GCT_WAIT_HIST; i++)
        s->hist[i] = (int64_t)((uint64_t)s->hist[i] + sum.hist[i]);
    if (gct_wait_is_lock(reason))
        lock_waited(gct_O(m, obj), r->b, sum.total_ns, sum.max_ns);
}

/* ------------------------------------------------------------ wake-ups */

/* b: the pc of the call, written as a frame id */
static void
on_cond_wake(struct gct_model *m, struct gct_replay *e)
{
    e->obj = gct_object_of(m, e->pid, e->r->obj, GCT_OBJ_COND, e->ts);
    e->b = e->r->b ? gct_frame_of(m, (uint64_t)e->r->b) : 0;
}

static void
on_sem_post(struct gct_model *m, struct gct_replay *e)
{
    e->obj = gct_object_of(m, e->pid, e->r->obj, GCT_OBJ_SEM, e->ts);
    e->b = e->r->b ? gct_frame_of(m, (uint64_t)e->r->b) : 0;
}

/* ------------------------------------------------------------ misuse */

static void
on_misuse(struct gct_model *m, struct gct_replay *e)
{
    const struct gct_rec *r = e->r;
    int pid = e->pid;
    /* The use of a destroyed lock names the lock destroyed, unless a
     * new one was seen at its address since. */
    if (r->a == GCT_MISUSE_DESTROYED_LOCK &&
        gct_map_get(&m->object_by_addr, (uint64_t)pid, r->obj, 0) == 0 &&
        (e->obj = (int64_t)gct_map_get(&m->destroyed_at, (uint64_t)pid,
                                       r->obj, 0)) != 0)
        return;
    /* A misuse may be the lock's first record (its first, uncontended,
     * acquisition records nothing but its first use, which does not know
     * the kind): the kind when it tells. */
    e->obj = gct_object_of(m, pid, r->obj,
                           gct_misuse_object(r->a, r->b), e->ts);
}

const struct gct_replay_entry gct_replay_locks[] = {
    {.kind = GCT_EV_LOCK_INIT, .fn = on_lock_init},
    {.kind = GCT_EV_LOCK_FIRST_USE, .fn = on_lock_first_use},
    {.kind = GCT_EV_LOCK_DESTROY, .fn = on_lock_destroy},
    {.kind = GCT_EV_MEM_GONE, .fn = on_mem_gone},
    {.kind = GCT_EV_LOCK_ACQUIRE, .fn = on_lock_acquire},
    {.kind = GCT_EV_LOCK_RELEASE, .fn = on_lock_release},
    {.kind = GCT_EV_LOCK_HELD, .fn = on_lock_held},
    {.kind = GCT_EV_LOCK_EDGE, .fn = on_lock_edge},
    {.kind = GCT_REC_COUNT, .fn = on_count},
    {.kind = GCT_EV_WAIT_BEGIN, .fn = on_wait_begin},
    {.kind = GCT_EV_WAIT_END, .fn = on_wait_end},
    {.kind = GCT_REC_WAITS, .fn = on_counted_waits},
    {.kind = GCT_EV_COND_SIGNAL, .fn = on_cond_wake},
    {.kind = GCT_EV_COND_BROADCAST, .fn = on_cond_wake},
    {.kind = GCT_EV_SEM_POST, .fn = on_sem_post},
    {.kind = GCT_EV_MISUSE, .fn = on_misuse},
    {0},
};
