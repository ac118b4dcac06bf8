/*
 * finish.c - turning the raw log into the sqlite trace.
 *
 * Three steps: read every published record of every chunk (rawlog.h says
 * how a reader tells written from unwritten); sort them by time, keeping
 * each thread's own order; replay them into a model of processes,
 * threads, objects, waits and lock-order edges, which is written out in
 * one transaction.  Stacks are symbolised here, once per distinct address.
 *
 * The file is written under a temporary name and renamed into place, so
 * that a reader never opens half a trace, and a crash of this step leaves
 * the raw log for the next try.
 */
#include "trace.h"

#include "event.h"
#include "map.h"
#include "rawlog.h"
#include "safe_file.h"
#include "schema.h"
#include "symbolize.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ model */

/* Who wrote a run of records: a chunk's first owner, or the thread a
 * GCT_REC_OWNER record handed the rest of the chunk to. */
struct chunk_info {
    int pid, tid;
    uint32_t seq;
};

struct ref {
    int64_t ts;
    uint32_t chunk;
    uint32_t off;
    uint32_t owner; /* index into the owners */
    uint32_t src;   /* the offset of the record that holds its contents:
                       off, or for a repeat the compact record repeated */
};

#define MAX_OPEN_WAITS 4

struct thread {
    int pid, tid;
    uint64_t handle;
    char *name;
    uint64_t start_fn; /* the function pthread_create ran; 0 unknown */
    int64_t goid, parent, start, end;
    uint32_t create_stack;
    int detached;
    int64_t joined_by;
    int64_t locks_at_exit;
    bool merged; /* its creator's record, folded into the row that the
                    thread's earlier records made (adopt_created) */
    int64_t done_chan; /* a context's done channel just made, for the
                          context whose make follows (GCT_CTX_DONE_NAME) */
    int64_t open_waits[MAX_OPEN_WAITS]; /* wait ids, innermost last */
    int nopen;
    /* select cases announced before the select's wait */
    uint64_t *cases;
    int *case_ops;
    size_t ncases, capcases, capops;
};

struct object {
    int pid;
    uint64_t addr;
    const char *kind;
    char *name;
    int64_t flags, created, destroyed, closed, parent;
    uint32_t create_stack;
    int64_t elem, cap;
    const char *ctx_kind;
    int64_t cancel_ns, cancel_cause;
    char *cancel_how;
    int64_t acq, contended, wait_total, wait_max;
    bool inited; /* made by an init call (has a lock class) */
    uint64_t cond_mutex; /* a condvar: the mutex of its current waits */
    int64_t cond_waits;  /* ... and how many there are */
};

struct wait {
    int64_t thread, object, reason, begin, end, result, holder;
    uint32_t stack;
    int timed;
    int shared; /* on a process-shared object */
};

/* Waits at one object, for one reason, from one call path, by one
 * thread: those counted by the shim (GCT_REC_WAITS) and those written one
 * by one that ended (common/rawlog.h). */
struct wait_site {
    int64_t thread, object, reason;
    uint32_t stack;
    int64_t waits, counted, total, max;
    int64_t hist[GCT_WAIT_HIST];
};

struct pending_name {
    int pid;
    uint64_t handle;
    char *name;
};

/* A process that was still running as its records were read, and its
 * program then. */
struct live_process {
    int pid;
    char *exe; /* NULL: it was not running */
};

struct finisher {
    struct live_process *live; /* each pid of the log, as collect() met it */
    size_t nlive, caplive;
    struct pending_name *pending_names;
    size_t npending, cappending;
    struct pending_name *pending_detach; /* detaches before the start */
    size_t npdetach, cappdetach;
    const uint8_t *base;
    size_t size;
    int fd; /* the raw log, while collect() reads it */
    const struct gct_log_header *hdr;
    struct chunk_info *chunks; /* the owners of runs of records */
    size_t nowners, capowners;
    size_t nchunks;
    struct ref *refs;
    size_t nrefs, caprefs;

    struct thread *threads;
    size_t nthreads, capthreads;
    struct object *objects;
    size_t nobjects, capobjects;
    struct wait *waits;
    size_t nwaits, capwaits;
    struct wait_site *sites;
    size_t nsites, capsites;
    struct gct_map site_by_key;      /* (thread << 8 | reason,
                                        object << 32 | stack) -> index + 1 */
    struct gct_map thread_by_tid;    /* (pid, tid) -> thread id */
    struct gct_map thread_by_handle; /* (pid, pthread_t) -> thread id */
    struct gct_map object_by_addr;   /* (pid, addr) -> object id */
    struct gct_map destroyed_at;     /* (pid, addr) -> the object id last
                                        destroyed there */
    struct gct_map stack_seen;       /* (stack id, 0) -> 1 */
    struct gct_map frame_by_pc;      /* (pc, 0) -> first frame id */
    struct gct_map pid_seen;         /* (pid, 0) -> its images so far */
    struct gct_map thread_by_serial; /* (image_key, creation serial) ->
                                        thread id */
    char *options;                   /* the root's GCTRACE_OPTIONS */
    struct gct_map place_ids;        /* (hash of a pc's frames' functions,
                                        files and lines, their count)
                                        -> the first frame id there */
    struct gct_map class_by_places;  /* (hash of a stack's places, depth)
                                        -> the lock class: a stack id */
    struct gct_map signals;          /* (pid, 0) -> 1 when known, (pid, 1)
                                        -> its signals with a handler */

    struct gct_symbolizer *sym;
    int64_t next_frame;
    int64_t t0;
    int64_t last_ts;

    sqlite3 *db;
    sqlite3_stmt *ins_event, *ins_wait_case, *ins_edge, *ins_stack,
        *ins_frame, *ins_stack_frame, *ins_process, *upd_process_exit;
    char *err;
    size_t errlen;
};

static void
fail(struct finisher *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->err, f->errlen, fmt, ap);
    va_end(ap);
}

/* Wrapping arithmetic: a corrupt log's times are garbage, but never
 * undefined behaviour. */
static int64_t
rel(struct finisher *f, int64_t ts)
{
    return (int64_t)((uint64_t)ts - (uint64_t)f->t0);
}

/* ------------------------------------------------------------ reading */

/* The record ref points at.  A compact one is expanded into *buf (its
 * time is the one collect() computed into the ref). */
static const struct gct_rec *
rec_at(struct finisher *f, const struct ref *ref, struct gct_rec *buf)
{
    const uint8_t *p = f->base + GCT_LOG_HEADER_SIZE +
                       (size_t)ref->chunk * GCT_LOG_CHUNK_SIZE + ref->src;
    const struct gct_rec_compact *c = (const void *)p;

    if (!(c->kind & GCT_REC_COMPACT))
        return (const struct gct_rec *)p;
    uint64_t arg = 0;
    if (c->words == 3)
        memcpy(&arg, c + 1, sizeof arg);
    *buf = (struct gct_rec){
        .words = sizeof *buf / 8,
        .kind = c->kind & ~GCT_REC_COMPACT,
        .ts = ref->ts,
        .obj = c->obj,
        .a = (int64_t)(arg >> GCT_REC_COMPACT_B_BITS),
        .b = (int64_t)(arg & ((1ull << GCT_REC_COMPACT_B_BITS) - 1)),
    };
    return buf;
}

/* The length of the record at p in bytes, and its time; 0 when what is
 * there is not a record (the end of the chunk's records). */
static uint32_t
rec_size(const uint8_t *p, uint32_t room, int64_t base, int64_t *ts)
{
    const struct gct_rec_compact *c = (const void *)p;

    *ts = 0;
    /* A chunk full to its end leaves no room: p is then past it, and
     * past the file if the chunk is the last. */
    if (room < sizeof(struct gct_rec_repeat))
        return 0;
    if (c->words == 1) {
        if (c->kind != 0 && (c->kind & ~GCT_REC_REPEAT_OFF_MASK) !=
                                GCT_REC_COMPACT)
            return 0;
        *ts = (int64_t)((uint64_t)base + c->dts);
        return sizeof(struct gct_rec_repeat);
    }
    if (room < sizeof *c)
        return 0;
    uint32_t bytes = (uint32_t)c->words * 8;
    if (bytes < sizeof *c || bytes > room)
        return 0;
    if (c->kind & GCT_REC_COMPACT) {
        if (c->words != 2 && c->words != 3)
            return 0;
        *ts = (int64_t)((uint64_t)base + c->dts);
        return bytes;
    }
    if (c->kind == 0)
        return bytes; /* unpublished, of either size: skipped */
    if (bytes < sizeof(struct gct_rec))
        return 0;
    *ts = ((const struct gct_rec *)p)->ts;
    return bytes;
}

/* Whether chunk c's first page is a hole: a chunk whose blocks could not
 * be allocated (a full disk), or one never started.  Through the mapping,
 * reading a hole of a file on a full tmpfs needs a page the file system
 * cannot give: SIGBUS.  (A started chunk was allocated whole, so its
 * first page tells; later pages of it that were never written may still
 * count as holes on file systems that report unwritten blocks so.) */
static bool
chunk_missing(const struct finisher *f, uint64_t c)
{
    off_t off = GCT_LOG_HEADER_SIZE + (off_t)c * GCT_LOG_CHUNK_SIZE;
    off_t data = lseek(f->fd, off, SEEK_DATA);

    if (data < 0)
        return errno == ENXIO; /* nothing but holes from off to the end */
    return data > off;
}

/* Notes whether process pid still runs, before its records are read: a
 * process that does (a daemon that outlives the program) may add more
 * after, so what it was doing is no end.  Its program is kept, so that a
 * pid another program took since does not count. */
static void
note_process(struct finisher *f, int pid)
{
    char link[64], exe[PATH_MAX];

    for (size_t i = 0; i < f->nlive; i++)
        if (f->live[i].pid == pid)
            return;
    snprintf(link, sizeof link, "/proc/%d/exe", pid);
    ssize_t n = readlink(link, exe, sizeof exe - 1);
    if (n > 0)
        exe[n] = '\0';
    struct live_process p = {pid, n > 0 ? gct_xstrdup(exe) : NULL};
    GCT_PUSH(f->live, f->nlive, f->caplive, p);
}

static void
collect(struct finisher *f)
{
    uint64_t n = f->hdr->next_chunk;
    uint64_t fit = (f->size - GCT_LOG_HEADER_SIZE) / GCT_LOG_CHUNK_SIZE;
    if (n > fit)
        n = fit; /* chunks handed out but never allocated (disk full) */
    f->nchunks = n;
    for (uint64_t c = 0; c < n; c++) {
        const uint8_t *p = f->base + GCT_LOG_HEADER_SIZE +
                           (size_t)c * GCT_LOG_CHUNK_SIZE;
        const struct gct_chunk_head *h = (const void *)p;
        if (chunk_missing(f, c) || h->magic != GCT_CHUNK_MAGIC)
            continue;
        struct chunk_info owner = {h->pid, h->tid, h->seq};
        GCT_PUSH(f->chunks, f->nowners, f->capowners, owner);
        note_process(f, h->pid);
        /* The published compact records met so far in the chunk, by
         * offset / 8: those a repeat record may name. */
        uint64_t compact_at[GCT_LOG_CHUNK_SIZE / 8 / 64] = {0};
        uint32_t off = sizeof *h, bytes;
        int64_t ts;
        while ((bytes = rec_size(p + off, GCT_LOG_CHUNK_SIZE - off,
                                 h->base_ts, &ts)) != 0) {
            const struct gct_rec *r = (const void *)(p + off);
            uint32_t src = off;
            if (r->kind != 0 && r->words == 1) {
                src = (r->kind & GCT_REC_REPEAT_OFF_MASK) * 8u;
                if (!(compact_at[src / 8 / 64] >> (src / 8 % 64) & 1))
                    src = 0; /* names no compact record: corrupt */
            } else if (r->kind & GCT_REC_COMPACT) {
                compact_at[off / 8 / 64] |= 1ull << (off / 8 % 64);
            }
            if (r->kind == GCT_REC_OWNER) {
                owner = (struct chunk_info){(int)r->a, (int)r->b,
                                            (uint32_t)r->obj};
                GCT_PUSH(f->chunks, f->nowners, f->capowners, owner);
                note_process(f, owner.pid);
            } else if (r->kind != 0 && src != 0) {
                struct ref ref = {ts, (uint32_t)c, off,
                                  (uint32_t)(f->nowners - 1), src};
                GCT_PUSH(f->refs, f->nrefs, f->caprefs, ref);
            }
            off += bytes;
        }
    }
}

/*
 * A trace of fewer records gets no indexes: building them was a large
 * part of finishing a small or middling trace, while scanning such
 * tables takes milliseconds.  CPU per finish, with the indexes and
 * without, medians of 5, the analyses included: zstd -T2's trace (1,560
 * events) 11.2 and 9.9 ms, cond_bench's of 5,000 events 20.2 and 14.5
 * ms, of 38,700 events 113 and 66 ms; on the last, the viewer's first
 * screen came up in about 90 ms either way.  Larger traces are the ones
 * the viewer pages through.
 */
#define INDEX_MIN_RECORDS 100000

static struct finisher *sort_ctx;

static int
cmp_ref(const void *x, const void *y)
{
    const struct ref *a = x, *b = y;
    if (a->ts != b->ts)
        return a->ts < b->ts ? -1 : 1;
    const struct chunk_info *ca = &sort_ctx->chunks[a->owner];
    const struct chunk_info *cb = &sort_ctx->chunks[b->owner];
    if (ca->pid != cb->pid)
        return ca->pid < cb->pid ? -1 : 1;
    if (ca->tid != cb->tid)
        return ca->tid < cb->tid ? -1 : 1;
    if (ca->seq != cb->seq)
        return ca->seq < cb->seq ? -1 : 1;
    return a->off < b->off ? -1 : a->off > b->off;
}

static size_t
payload_len(const struct gct_rec *r)
{
    return (size_t)r->words * 8 - sizeof *r;
}

/* A NUL-terminated copy of a string payload (NULL when there is none). */
static char *
payload_str(const struct gct_rec *r)
{
    size_t n = payload_len(r);
    if (n == 0)
        return NULL;
    const char *p = (const char *)(r + 1);
    size_t len = strnlen(p, n);
    char *s = gct_xmalloc(len + 1);
    memcpy(s, p, len);
    s[len] = '\0';
    return s;
}

/* ------------------------------------------------------------ model */

static int64_t
thread_of(struct finisher *f, int pid, int tid, int64_t ts)
{
    int64_t id = (int64_t)gct_map_get(&f->thread_by_tid, (uint64_t)pid,
                                      (uint64_t)tid, 0);
    if (id)
        return id;
    struct thread t = {.pid = pid, .tid = tid, .start = ts, .end = -1};
    GCT_PUSH(f->threads, f->nthreads, f->capthreads, t);
    id = (int64_t)f->nthreads;
    gct_map_put(&f->thread_by_tid, (uint64_t)pid, (uint64_t)tid,
                (uint64_t)id);
    return id;
}

static struct thread *
T(struct finisher *f, int64_t id)
{
    return &f->threads[id - 1];
}

/* Object id (1-based).  Id 0, no object (a damaged record's address 0),
 * gives a scratch object that is never written out, so no case has to
 * check for it. */
static struct object *
O(struct finisher *f, int64_t id)
{
    static struct object none;
    if (id <= 0 || (size_t)id > f->nobjects) {
        memset(&none, 0, sizeof none);
        return &none;
    }
    return &f->objects[id - 1];
}

static int64_t
new_object(struct finisher *f, int pid, uint64_t addr, const char *kind,
           int64_t ts)
{
    struct object o = {.pid = pid, .addr = addr, .kind = kind,
                       .created = ts, .destroyed = -1, .closed = -1,
                       .parent = 0, .cancel_ns = -1};
    GCT_PUSH(f->objects, f->nobjects, f->capobjects, o);
    int64_t id = (int64_t)f->nobjects;
    gct_map_put(&f->object_by_addr, (uint64_t)pid, addr, (uint64_t)id);
    return id;
}

/* The live object at addr, made when first seen.  A weaker kind guess
 * ("mutex" for a bare lock address) gives way to what a later event says. */
static int64_t
object_of(struct finisher *f, int pid, uint64_t addr, const char *kind,
          int64_t ts)
{
    if (addr == 0)
        return 0;
    int64_t id = (int64_t)gct_map_get(&f->object_by_addr, (uint64_t)pid,
                                      addr, 0);
    if (id == 0)
        return new_object(f, pid, addr, kind, ts);
    if (kind && (O(f, id)->kind == NULL ||
                 (strcmp(O(f, id)->kind, "mutex") == 0 &&
                  strcmp(kind, "rwlock") == 0)))
        O(f, id)->kind = kind;
    return id;
}

static const char *
obj_kind_name(int64_t type)
{
    switch (type) {
    case GCT_OBJ_MUTEX: return "mutex";
    case GCT_OBJ_RWLOCK: return "rwlock";
    case GCT_OBJ_COND: return "cond";
    case GCT_OBJ_SEM: return "sem";
    case GCT_OBJ_BARRIER: return "barrier";
    case GCT_OBJ_CHAN: return "chan";
    case GCT_OBJ_CTX: return "ctx";
    case GCT_OBJ_WAITGROUP: return "waitgroup";
    case GCT_OBJ_THREAD: return "thread";
    case GCT_OBJ_SPIN: return "spinlock";
    }
    return NULL;
}

/* What a wait with this reason waits on. */
static const char *
reason_object_kind(int64_t reason)
{
    switch (reason) {
    case GCT_WAIT_MUTEX: return "mutex";
    case GCT_WAIT_SPIN: return "spinlock";
    case GCT_WAIT_RWLOCK_RD:
    case GCT_WAIT_RWLOCK_WR: return "rwlock";
    case GCT_WAIT_COND: return "cond";
    case GCT_WAIT_JOIN: return "thread";
    case GCT_WAIT_SEM: return "sem";
    case GCT_WAIT_BARRIER: return "barrier";
    case GCT_WAIT_CHAN_SEND:
    case GCT_WAIT_CHAN_RECV: return "chan";
    case GCT_WAIT_WAITGROUP: return "waitgroup";
    case GCT_WAIT_ONCE: return "once";
    case GCT_WAIT_CTX: return "ctx";
    case GCT_WAIT_WSEMA: return "semaphore";
    case GCT_WAIT_ERRGROUP:
    case GCT_WAIT_ERRGROUP_LIMIT: return "errgroup";
    case GCT_WAIT_LIMITER: return "limiter";
    }
    return NULL; /* sleep, select: no single object */
}

static const char *
ctx_kind_name(int64_t k)
{
    switch (k) {
    case GCT_CTX_CANCEL: return "cancel";
    case GCT_CTX_DEADLINE: return "deadline";
    case GCT_CTX_VALUE: return "value";
    case GCT_CTX_SIGNAL: return "signal";
    case GCT_CTX_GROUP: return "group";
    }
    return "unknown";
}

/* ------------------------------------------------------------ sqlite */

static bool
exec(struct finisher *f, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(f->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fail(f, "cannot write the trace: %s", msg ? msg : "?");
        sqlite3_free(msg);
        return false;
    }
    return true;
}

static sqlite3_stmt *
prepare(struct finisher *f, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(f->db, sql, -1, &st, NULL) != SQLITE_OK) {
        fail(f, "cannot write the trace: %s", sqlite3_errmsg(f->db));
        return NULL;
    }
    return st;
}

/* Binds values from a format: i = int64 (NULL when < 0 and upper-case I
 * is used... kept simple: 'i' int64, 'n' int64 or NULL when 0, 'N' int64
 * or NULL when < 0, 's' string or NULL), then steps and resets. */
static void
run(struct finisher *f, sqlite3_stmt *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (int i = 1; *fmt; fmt++, i++) {
        if (*fmt == 's') {
            const char *s = va_arg(ap, const char *);
            if (s)
                sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
            else
                sqlite3_bind_null(st, i);
            continue;
        }
        int64_t v = va_arg(ap, int64_t);
        if ((*fmt == 'n' && v == 0) || (*fmt == 'N' && v < 0))
            sqlite3_bind_null(st, i);
        else
            sqlite3_bind_int64(st, i, v);
    }
    va_end(ap);
    if (sqlite3_step(st) != SQLITE_DONE && f->err[0] == '\0')
        fail(f, "cannot write the trace: %s", sqlite3_errmsg(f->db));
    sqlite3_reset(st);
}

/* ------------------------------------------------------------ stacks */

/* Frames for pc (a return address): symbolised once, inlined chain
 * included; returns the id of the innermost frame. */
static int64_t
frame_of(struct finisher *f, uint64_t pc)
{
    int64_t id = (int64_t)gct_map_get(&f->frame_by_pc, pc, 0, 0);
    if (id)
        return id;
    struct gct_sym_frame fr[16];
    int n = f->sym ? gct_symbolize(f->sym, pc - 1, fr, 16) : 0;
    if (n == 0) {
        memset(fr, 0, sizeof fr[0]);
        fr[0].bias = -1;
        n = 1;
    }
    id = f->next_frame + 1;
    for (int i = 0; i < n; i++)
        run(f, f->ins_frame, "iisssiiN", f->next_frame + 1 + i, (int64_t)pc,
            fr[i].module, fr[i].function, fr[i].file, (int64_t)fr[i].line,
            (int64_t)fr[i].inlined,
            fr[i].bias < 0 ? (int64_t)-1 : (int64_t)(pc - (uint64_t)fr[i].bias));
    f->next_frame += n;
    gct_map_put(&f->frame_by_pc, pc, 0, (uint64_t)id);
    /* remember how many frames the chain has, and whether it is the
     * recorder's own code (main's trampoline), which stacks leave out */
    gct_map_put(&f->frame_by_pc, pc, 1, (uint64_t)n);
    const char *mod = fr[0].module ? strrchr(fr[0].module, '/') : NULL;
    if (mod && strcmp(mod, "/libgctrace.so") == 0)
        gct_map_put(&f->frame_by_pc, pc, 2, 1);
    /* The source places of the pc's frames, the inlined ones with it,
     * one id for every copy of them (inlined code has one pc per copy):
     * what lock classes are made of.  A pc without a source line is a
     * place of its own: code without line tables would otherwise make
     * every such frame one place. */
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < n; i++) {
        for (const char *s = fr[i].function ? fr[i].function : ""; *s; s++)
            h = (h ^ (unsigned char)*s) * 1099511628211ull;
        for (const char *s = fr[i].file ? fr[i].file : ""; *s; s++)
            h = (h ^ (unsigned char)*s) * 1099511628211ull;
        h = (h ^ (uint64_t)(unsigned)fr[i].line) * 1099511628211ull;
    }
    uint64_t place = fr[0].line > 0
                         ? gct_map_get(&f->place_ids, h, (uint64_t)n, 0)
                         : (uint64_t)id;
    if (place == 0) {
        place = (uint64_t)id;
        gct_map_put(&f->place_ids, h, (uint64_t)n, place);
    }
    gct_map_put(&f->frame_by_pc, pc, 4, place);
    return id;
}

/*
 * The lock class of a creation stack: the first stack written with the
 * same source places, frame by frame, so that the copies of one call
 * path (inlined code, a stack recorded twice when the recorder's table
 * was full) make one class.  The whole stack and not its innermost
 * frame: every lock made through one helper (a lock_init() function, a
 * C++ mutex class, g_mutex_init) has the helper's frame on top, and a
 * class of all of them read a consistent order between unrelated locks
 * as a cycle.  Locks made in a loop, or by one constructor called from
 * one place, still share a class.
 */
static uint64_t
class_of_places(struct finisher *f, uint64_t places, int64_t depth,
                uint64_t stack)
{
    uint64_t cls = gct_map_get(&f->class_by_places, places, (uint64_t)depth,
                               0);
    if (cls == 0) {
        cls = stack;
        gct_map_put(&f->class_by_places, places, (uint64_t)depth, cls);
    }
    return cls;
}

static void
write_stack(struct finisher *f, const struct gct_rec *r)
{
    if (gct_map_get(&f->stack_seen, r->obj, 0, 0))
        return;
    gct_map_put(&f->stack_seen, r->obj, 0, UINT64_MAX);
    const uint64_t *pcs = (const uint64_t *)(r + 1);
    int64_t n = r->a;
    /* Compared by division: a corrupt count times 8 can wrap around. */
    if (n < 0 || (uint64_t)n > payload_len(r) / 8)
        n = (int64_t)(payload_len(r) / 8);
    int64_t idx = 0;
    uint64_t places = 0x9e3779b97f4a7c15ull;
    for (int64_t i = 0; i < n; i++) {
        int64_t first = frame_of(f, pcs[i]);
        if (gct_map_get(&f->frame_by_pc, pcs[i], 2, 0))
            continue;
        int64_t count = (int64_t)gct_map_get(&f->frame_by_pc, pcs[i], 1, 1);
        places = (places ^ gct_map_get(&f->frame_by_pc, pcs[i], 4, 0)) *
                 0xff51afd7ed558ccdull;
        for (int64_t k = 0; k < count; k++)
            run(f, f->ins_stack_frame, "iii", (int64_t)r->obj, idx++,
                first + k);
    }
    run(f, f->ins_stack, "ii", (int64_t)r->obj, idx);
    if (idx > 0)
        gct_map_put(&f->stack_seen, r->obj, 0,
                    class_of_places(f, places, idx, r->obj));
}

/* ------------------------------------------------------------ replay */

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
cond_wait_begins(struct finisher *f, int64_t th, int64_t cond,
                 uint64_t mutex, uint32_t stack, int64_t ts)
{
    struct object *o = O(f, cond);
    if (cond == 0)
        return;
    if (o->cond_waits > 0 && o->cond_mutex != mutex)
        run(f, f->ins_event, "iiinIIns", ts, th, (int64_t)GCT_EV_MISUSE,
            cond, (int64_t)GCT_MISUSE_COND_TWO_MUTEXES, (int64_t)mutex,
            (int64_t)stack, NULL);
    if (o->cond_waits++ == 0)
        o->cond_mutex = mutex;
}

/* A condvar wait ended, or its thread did in the middle of it (a
 * cancelled wait). */
static void
cond_wait_ends(struct finisher *f, const struct wait *w)
{
    if (w->reason == GCT_WAIT_COND && w->object &&
        O(f, w->object)->cond_waits > 0)
        O(f, w->object)->cond_waits--;
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
sem_wait_made(struct finisher *f, int64_t th, int pid,
              const struct gct_rec *r, int64_t obj, int64_t ts)
{
    int64_t gone = (int64_t)gct_map_get(&f->destroyed_at, (uint64_t)pid,
                                        r->obj, 0);
    if (gone == 0 || gone == obj || O(f, gone)->kind == NULL ||
        strcmp(O(f, gone)->kind, "sem") != 0)
        return;
    run(f, f->ins_event, "iiinIIns", ts, th, (int64_t)GCT_EV_MISUSE, gone,
        (int64_t)GCT_MISUSE_SEM_DESTROYED, (int64_t)0, (int64_t)r->stack,
        NULL);
}

static void
begin_wait(struct finisher *f, int64_t tid_id, const struct gct_rec *r,
           int pid, int64_t ts)
{
    struct thread *t = T(f, tid_id);
    int64_t reason = r->a & ~(int64_t)(GCT_WAIT_TIMED | GCT_WAIT_SHARED);
    const char *kind = reason_object_kind(reason);
    bool seen = gct_map_get(&f->object_by_addr, (uint64_t)pid, r->obj, 0);
    int64_t obj = kind ? object_of(f, pid, r->obj, kind, ts) : 0;
    if (reason == GCT_WAIT_SEM && obj && !seen)
        sem_wait_made(f, tid_id, pid, r, obj, ts);
    struct wait w = {tid_id, obj, reason, ts, -1, 0, 0, r->stack,
                     (r->a & GCT_WAIT_TIMED) != 0,
                     (r->a & GCT_WAIT_SHARED) != 0};
    if (gct_wait_is_lock(reason))
        w.holder = r->b;
    if (reason == GCT_WAIT_COND && r->b) {
        object_of(f, pid, (uint64_t)r->b, "mutex", ts);
        cond_wait_begins(f, tid_id, obj, (uint64_t)r->b, r->stack, ts);
    }
    GCT_PUSH(f->waits, f->nwaits, f->capwaits, w);
    int64_t wid = (int64_t)f->nwaits;
    if (reason == GCT_WAIT_SELECT) {
        for (size_t i = 0; i < t->ncases; i++) {
            int64_t o = object_of(f, pid, t->cases[i], "chan", ts);
            run(f, f->ins_wait_case, "iis", wid, o,
                t->case_ops[i] == 1 ? "send" : "recv");
        }
    }
    t->ncases = 0;
    if (t->nopen < MAX_OPEN_WAITS)
        t->open_waits[t->nopen++] = wid;
}

/* The site of waits by thread at object for reason from stack. */
static struct wait_site *
site_of(struct finisher *f, int64_t thread, int64_t object, int64_t reason,
        uint32_t stack)
{
    uint64_t k1 = (uint64_t)thread << 8 | ((uint64_t)reason & 0xff);
    uint64_t k2 = (uint64_t)object << 32 | stack;
    uint64_t i = gct_map_get(&f->site_by_key, k1, k2, 0);
    if (i == 0) {
        struct wait_site s = {thread, object, reason, stack, 0, 0, 0, 0, {0}};
        GCT_PUSH(f->sites, f->nsites, f->capsites, s);
        i = f->nsites;
        gct_map_put(&f->site_by_key, k1, k2, i);
    }
    return &f->sites[i - 1];
}

/* n waits at object o (a lock), d ns in all, the longest max. */
static void
lock_waited(struct object *o, int64_t n, int64_t d, int64_t max)
{
    /* wrapping, as rel(): a corrupt log may hold any counts and times */
    o->contended = (int64_t)((uint64_t)o->contended + (uint64_t)n);
    o->wait_total = (int64_t)((uint64_t)o->wait_total + (uint64_t)d);
    if (max > o->wait_max)
        o->wait_max = max;
}

/* Short waits the shim counted (GCT_REC_WAITS), by the chunk's thread or
 * the one the record names. */
static void
counted_waits(struct finisher *f, const struct gct_rec *r, int pid, int tid,
              int64_t ts)
{
    struct gct_wait_sum sum;
    size_t n = payload_len(r);
    memset(&sum, 0, sizeof sum);
    memcpy(&sum, r + 1, n < sizeof sum ? n : sizeof sum);
    int64_t reason = r->a;
    const char *kind = reason_object_kind(reason);
    if (kind == NULL || r->b <= 0 ||
        !(gct_wait_is_lock(reason) || reason == GCT_WAIT_COND))
        return;
    if (sum.tid > 0 && sum.tid <= INT32_MAX)
        tid = (int)sum.tid;
    int64_t th = thread_of(f, pid, tid, ts);
    int64_t obj = object_of(f, pid, r->obj, kind, ts);
    if (obj == 0)
        return;
    struct wait_site *s = site_of(f, th, obj, reason, r->stack);
    s->counted = (int64_t)((uint64_t)s->counted + (uint64_t)r->b);
    s->total = (int64_t)((uint64_t)s->total + (uint64_t)sum.total_ns);
    if (sum.max_ns > s->max)
        s->max = sum.max_ns;
    for (int i = 0; i < GCT_WAIT_HIST; i++)
        s->hist[i] = (int64_t)((uint64_t)s->hist[i] + sum.hist[i]);
    if (gct_wait_is_lock(reason))
        lock_waited(O(f, obj), r->b, sum.total_ns, sum.max_ns);
}

static void
end_wait(struct finisher *f, int64_t tid_id, const struct gct_rec *r,
         int64_t ts)
{
    struct thread *t = T(f, tid_id);
    if (t->nopen == 0)
        return;
    struct wait *w = &f->waits[t->open_waits[--t->nopen] - 1];
    w->end = ts;
    w->result = r->a;
    cond_wait_ends(f, w);
    bool lock = gct_wait_is_lock(w->reason);
    if (w->object && (lock || w->reason == GCT_WAIT_COND)) {
        /* wrapping, as rel(): a corrupt log may hold any times */
        int64_t d = (int64_t)((uint64_t)ts - (uint64_t)w->begin);
        struct wait_site *s =
            site_of(f, w->thread, w->object, w->reason, w->stack);
        s->waits++;
        s->total = (int64_t)((uint64_t)s->total + (uint64_t)d);
        if (d > s->max)
            s->max = d;
        s->hist[gct_wait_bucket(d)]++;
        if (lock)
            lock_waited(O(f, w->object), 1, d, d);
    }
}

static void
edge(struct finisher *f, int64_t tid_id, const struct gct_rec *r, int pid,
     int64_t ts)
{
    const uint64_t *p = (const uint64_t *)(r + 1);
    size_t np = payload_len(r) / 8;
    uint64_t flags = np > 0 ? p[0] : 0;
    uint64_t ngates = np > 1 ? p[1] : 0;
    if (ngates > np - 2)
        ngates = np >= 2 ? np - 2 : 0;
    int64_t from = object_of(f, pid, (uint64_t)r->a,
                             (flags & (GCT_LOCK_SHARED | GCT_LOCK_RW))
                                 ? "rwlock"
                                 : "mutex",
                             ts);
    int64_t to = object_of(f, pid, r->obj,
                           ((flags >> 16) & (GCT_LOCK_SHARED | GCT_LOCK_RW))
                               ? "rwlock"
                               : "mutex",
                           ts);
    char gates[8 * 24] = "";
    size_t len = 0;
    for (uint64_t i = 0; i < ngates; i++) {
        int64_t g = object_of(f, pid, p[2 + i], "mutex", ts);
        int n = snprintf(gates + len, sizeof gates - len, "%s%lld",
                         len ? "," : "", (long long)g);
        if (n < 0 || (size_t)n >= sizeof gates - len)
            break;
        len += (size_t)n;
    }
    int64_t site = r->b ? frame_of(f, (uint64_t)r->b) : 0;
    run(f, f->ins_edge, "iiiiiinns", from, to, tid_id, ts,
        (int64_t)(flags & 0xffff), (int64_t)(flags >> 16), (int64_t)r->stack,
        site, len ? gates : NULL);
}

/* ------------------------------------------------------------ signals */

static void
set_signals(struct finisher *f, int pid, uint64_t mask)
{
    gct_map_put(&f->signals, (uint64_t)pid, 0, 1);
    gct_map_put(&f->signals, (uint64_t)pid, 1, mask);
}

/* A fork's child has its parent's handlers, until it records its own
 * (its records may come before the parent's of the fork). */
static void
inherit_signals(struct finisher *f, int parent, int child)
{
    if (!gct_map_get(&f->signals, (uint64_t)child, 0, 0))
        set_signals(f, child,
                    gct_map_get(&f->signals, (uint64_t)parent, 1, 0));
}

/*
 * Whether something outside the process's threads may end wait w: the
 * object is process-shared (another process), or it is a semaphore
 * wait in a process that had, at its end, a handler for a signal that
 * may arrive while every thread sleeps (the handler may post it).  The
 * set at the end: a handler installed after the wait began may still
 * end it.
 */
static bool
wait_external(struct finisher *f, const struct wait *w)
{
    if (w->shared)
        return true;
    if (w->reason != GCT_WAIT_SEM)
        return false;
    uint64_t mask = gct_map_get(&f->signals, (uint64_t)T(f, w->thread)->pid,
                                1, 0);
    return GCT_SIGNALS_CAN_WAKE(mask);
}

/* A process record for a pid already seen: the process exec'd.  The old
 * image's threads (and their waits) ended there; the new image's threads
 * start afresh, even on the same tid. */
static void
end_image(struct finisher *f, int pid, int tid, int64_t ts)
{
    /* The new image's first thread announced itself just before: keep it. */
    int64_t current = (int64_t)gct_map_get(&f->thread_by_tid, (uint64_t)pid,
                                           (uint64_t)tid, 0);
    set_signals(f, pid, 0); /* exec resets every handler */
    for (size_t i = 0; i < f->nthreads; i++) {
        struct thread *t = &f->threads[i];
        if (t->pid != pid || t->end >= 0 || (int64_t)i + 1 == current)
            continue;
        t->end = ts;
        while (t->nopen > 0)
            f->waits[t->open_waits[--t->nopen] - 1].end = ts;
        if ((int64_t)gct_map_get(&f->thread_by_tid, (uint64_t)pid,
                                 (uint64_t)t->tid, 0) == (int64_t)i + 1)
            gct_map_put(&f->thread_by_tid, (uint64_t)pid, (uint64_t)t->tid,
                        0);
    }
}

/* Where thread_by_serial keeps process pid's current image's serials
 * (they start again at each exec). */
static uint64_t
image_key(struct finisher *f, int pid)
{
    return gct_map_get(&f->pid_seen, (uint64_t)pid, 0, 0) << 32 |
           (uint32_t)pid;
}

static uint64_t
start_serial(const struct gct_rec *r)
{
    return (uint64_t)r->b >> GCT_THREAD_SERIAL_SHIFT;
}

/* The creator's record of a new thread: the thread exists from there,
 * whether or not it ever ran.  Nothing to do when its start came first. */
static void
thread_created(struct finisher *f, int64_t creator, const struct gct_rec *r,
               int pid, int64_t ts)
{
    uint64_t key = image_key(f, pid);
    /* The start routine, in the payload since the recorder sends it; the
     * thread's own start may have made its row already. */
    uint64_t fn = 0;
    if (payload_len(r) >= sizeof fn)
        memcpy(&fn, r + 1, sizeof fn);

    if (r->a == 0)
        return;
    uint64_t known = gct_map_get(&f->thread_by_serial, key, (uint64_t)r->a, 0);
    if (known) {
        if (fn && T(f, (int64_t)known)->start_fn == 0)
            T(f, (int64_t)known)->start_fn = fn;
        return;
    }
    struct thread t = {.pid = pid, .handle = r->obj, .start = ts, .end = -1,
                       .parent = creator, .create_stack = r->stack,
                       .detached = (int)(r->b & 1), .start_fn = fn};
    GCT_PUSH(f->threads, f->nthreads, f->capthreads, t);
    uint64_t id = f->nthreads;
    gct_map_put(&f->thread_by_serial, key, (uint64_t)r->a, id);
    gct_map_put(&f->thread_by_handle, (uint64_t)pid, r->obj, id);
}

/* A thread's start, before it is replayed: when its creator recorded it
 * first, tid now names that thread.  Its handle is cleared for the start
 * to set again, so that the start does not take it for a reused tid. */
static void
adopt_created(struct finisher *f, int pid, int tid, const struct gct_rec *r)
{
    uint64_t serial = start_serial(r);
    if (serial == 0)
        return;
    int64_t id = (int64_t)gct_map_get(&f->thread_by_serial,
                                      image_key(f, pid), serial, 0);
    if (id == 0 || T(f, id)->tid != 0)
        return;
    /* The thread recorded something before its start (its start path
     * took a lock: a malloc of its own, say), which made its row then: a
     * live row of its tid can only be it.  The creator's record is folded
     * into that row, whose id its earlier events already carry. */
    int64_t early = (int64_t)gct_map_get(&f->thread_by_tid, (uint64_t)pid,
                                         (uint64_t)tid, 0);
    if (early && early != id && T(f, early)->end < 0) {
        struct thread *e = T(f, early), *c = T(f, id);
        e->parent = c->parent;
        e->create_stack = c->create_stack;
        if (e->start_fn == 0)
            e->start_fn = c->start_fn;
        e->start = c->start;
        e->detached |= c->detached;
        if (!e->joined_by)
            e->joined_by = c->joined_by;
        c->merged = true;
        gct_map_put(&f->thread_by_serial, image_key(f, pid), serial,
                    (uint64_t)early);
        if ((int64_t)gct_map_get(&f->thread_by_handle, (uint64_t)pid,
                                 c->handle, 0) == id)
            gct_map_put(&f->thread_by_handle, (uint64_t)pid, c->handle,
                        (uint64_t)early);
        return;
    }
    T(f, id)->tid = tid;
    T(f, id)->handle = 0;
    gct_map_put(&f->thread_by_tid, (uint64_t)pid, (uint64_t)tid,
                (uint64_t)id);
}

/* After a thread's start: its creator's record, if later, is no news. */
static void
note_serial(struct finisher *f, int pid, const struct gct_rec *r, int64_t th)
{
    if (start_serial(r))
        gct_map_put(&f->thread_by_serial, image_key(f, pid), start_serial(r),
                    (uint64_t)th);
}

/* Ends object id (1-based) at ts: the address names none now. */
static void
end_object(struct finisher *f, int pid, uint64_t id, int64_t ts)
{
    O(f, (int64_t)id)->destroyed = ts;
    gct_map_put(&f->object_by_addr, (uint64_t)pid, O(f, (int64_t)id)->addr,
                0);
}

/* A range looked up address by address (pthread objects are 8-byte
 * aligned), not by a scan of every object: a program that frees many
 * blocks holding locks writes a record for each. */
#define END_EACH_MAX 4096

/* The memory [lo, lo+len) of process pid went away (munmap, dlclose,
 * free): every object there ended, and whatever is seen at its
 * addresses later is a new object, as after a destroy. */
static void
end_objects_in(struct finisher *f, int pid, uint64_t lo, uint64_t len,
               int64_t ts)
{
    if (len <= END_EACH_MAX) {
        for (uint64_t a = (lo + 7) & ~(uint64_t)7; a - lo < len; a += 8) {
            uint64_t id = gct_map_get(&f->object_by_addr, (uint64_t)pid, a,
                                      0);
            if (id)
                end_object(f, pid, id, ts);
        }
        return;
    }
    for (size_t i = 0; i < f->nobjects; i++) {
        struct object *o = &f->objects[i];
        if (o->pid == pid && o->addr >= lo && o->addr - lo < len &&
            gct_map_get(&f->object_by_addr, (uint64_t)pid, o->addr, 0) ==
                (uint64_t)i + 1)
            end_object(f, pid, i + 1, ts);
    }
}

/* The handle no longer names thread id (joined, or ended detached). */
static void
forget_handle(struct finisher *f, int pid, uint64_t handle, int64_t id)
{
    if ((int64_t)gct_map_get(&f->thread_by_handle, (uint64_t)pid, handle,
                             0) == id)
        gct_map_put(&f->thread_by_handle, (uint64_t)pid, handle, 0);
}

static void
replay_one(struct finisher *f, const struct ref *ref)
{
    struct gct_rec buf;
    const struct gct_rec *r = rec_at(f, ref, &buf);
    const struct chunk_info *c = &f->chunks[ref->owner];
    int pid = c->pid;
    int64_t ts = rel(f, r->ts);
    int kind = r->kind;
    if (ts > f->last_ts)
        f->last_ts = ts;

    switch (kind) {
    case GCT_REC_STACK:
        write_stack(f, r);
        return;
    case GCT_REC_MODULE: {
        char *path = payload_str(r);
        if (path && f->sym)
            gct_symbolizer_add_module(f->sym, path, r->obj, (uint64_t)r->a,
                                      (uint64_t)r->b);
        free(path);
        return;
    }
    case GCT_REC_PROC: {
        uint64_t images = gct_map_get(&f->pid_seen, (uint64_t)pid, 0, 0);
        if (images)
            end_image(f, pid, c->tid, ts);
        gct_map_put(&f->pid_seen, (uint64_t)pid, 0, images + 1);
        const char *p = (const char *)(r + 1);
        size_t n = payload_len(r);
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
        run(f, f->ins_process, "iissi", r->a, r->b, exe, argv, ts);
        free(exe);
        free(argv);
        return;
    }
    case GCT_REC_WAITS:
        counted_waits(f, r, pid, c->tid, ts);
        return;
    case GCT_REC_COUNT: {
        int64_t o = object_of(f, pid, r->obj, "mutex", ts);
        if (o)
            O(f, o)->acq += r->a;
        return;
    }
    case GCT_REC_OPTIONS:
        if (f->options == NULL || pid == f->hdr->root_pid) {
            free(f->options);
            f->options = payload_str(r);
        }
        return;
    }

    if (kind == GCT_EV_THREAD_START)
        adopt_created(f, pid, c->tid, r);
    int64_t th = thread_of(f, pid, c->tid, ts);
    struct thread *t = T(f, th);
    int64_t obj_id = 0;
    char *text = NULL;
    int64_t b = r->b; /* the events row's b: a frame id for lock_held */

    switch (kind) {
    case GCT_EV_THREAD_START:
        /* A second start record of the same live thread completes the
         * first (preload/thread_state.c, gct_thread_begin). */
        if (t->nopen > 0 || t->end >= 0 ||
            (t->handle != 0 && t->handle != r->obj)) {
            /* the tid was reused by a new thread */
            gct_map_put(&f->thread_by_tid, (uint64_t)pid, (uint64_t)c->tid,
                        0);
            th = thread_of(f, pid, c->tid, ts);
            t = T(f, th);
        }
        t->start = ts;
        t->handle = r->obj;
        t->create_stack = r->stack;
        t->detached |= (int)(r->b & 1); /* or detached since its creation */
        if (t->start_fn == 0 && payload_len(r) >= sizeof t->start_fn)
            memcpy(&t->start_fn, r + 1, sizeof t->start_fn);
        note_serial(f, pid, r, th);
        if (r->a)
            t->parent = (int64_t)gct_map_get(&f->thread_by_tid, (uint64_t)pid,
                                             (uint64_t)r->a, 0);
        gct_map_put(&f->thread_by_handle, (uint64_t)pid, r->obj,
                    (uint64_t)th);
        for (size_t i = 0; i < f->npdetach; i++)
            if (f->pending_detach[i].pid == pid &&
                f->pending_detach[i].handle == r->obj) {
                t->detached = 1;
                f->pending_detach[i] = f->pending_detach[--f->npdetach];
                break;
            }
        for (size_t i = 0; i < f->npending; i++)
            if (f->pending_names[i].pid == pid &&
                f->pending_names[i].handle == r->obj &&
                f->pending_names[i].name) {
                free(t->name);
                t->name = f->pending_names[i].name;
                f->pending_names[i].name = NULL;
            }
        break;
    case GCT_EV_THREAD_CREATE:
        thread_created(f, th, r, pid, ts);
        break;
    case GCT_EV_THREAD_EXIT:
        t->end = ts;
        t->locks_at_exit = r->a;
        for (int i = 0; i < t->nopen; i++)
            cond_wait_ends(f, &f->waits[t->open_waits[i] - 1]);
        if (t->detached)
            forget_handle(f, pid, t->handle, th);
        break;
    case GCT_EV_THREAD_JOIN:
    case GCT_EV_THREAD_DETACH: {
        /* glibc reuses a pthread_t only once its thread was joined, or
         * ended detached, so the handle names one thread until then.  A
         * detach right after pthread_create can come before the new
         * thread's start record: it waits for it. */
        int64_t target = (int64_t)gct_map_get(&f->thread_by_handle,
                                              (uint64_t)pid, r->obj, 0);
        if (r->a == 0 && target == 0 && kind == GCT_EV_THREAD_DETACH)
            GCT_PUSH(f->pending_detach, f->npdetach, f->cappdetach,
                     ((struct pending_name){pid, r->obj, NULL}));
        if (target && r->a == 0) {
            struct thread *x = T(f, target);
            if (kind == GCT_EV_THREAD_JOIN)
                x->joined_by = th;
            else
                x->detached = 1;
            if (kind == GCT_EV_THREAD_JOIN || x->end >= 0)
                forget_handle(f, pid, r->obj, target);
        }
        obj_id = object_of(f, pid, r->obj, "thread", ts);
        break;
    }
    case GCT_EV_THREAD_NAME: {
        /* named by handle, often by its creator before it first ran */
        int64_t target = (int64_t)gct_map_get(&f->thread_by_handle,
                                              (uint64_t)pid, r->obj, 0);
        char *name = payload_str(r);
        if (target) {
            free(T(f, target)->name);
            T(f, target)->name = name;
        } else {
            GCT_PUSH(f->pending_names, f->npending, f->cappending,
                     ((struct pending_name){pid, r->obj, name}));
        }
        break;
    }
    case GCT_EV_GO_START:
        free(t->name);
        t->name = payload_str(r);
        t->goid = r->a;
        if (r->b) /* the WaitGroup it owes a Done */
            obj_id = object_of(f, pid, (uint64_t)r->b, "waitgroup", ts);
        break;
    case GCT_EV_GO_EXIT:
        /* The goroutine's function returned: what is left of its thread
         * is libc tearing it down, not a leak. */
        t->end = ts;
        break;
    case GCT_EV_LOCK_INIT: {
        const char *k = obj_kind_name(r->a);
        obj_id = new_object(f, pid, r->obj, k ? k : "mutex", ts);
        O(f, obj_id)->inited = true;
        O(f, obj_id)->flags = r->b;
        O(f, obj_id)->create_stack = r->stack;
        break;
    }
    case GCT_EV_LOCK_FIRST_USE:
        obj_id = object_of(f, pid, r->obj, "mutex", ts);
        if (O(f, obj_id)->create_stack == 0)
            O(f, obj_id)->create_stack = r->stack;
        break;
    case GCT_EV_LOCK_DESTROY:
        obj_id = object_of(f, pid, r->obj, "mutex", ts);
        if (r->a != 0) /* refused (EBUSY: held): the lock lives on */
            break;
        O(f, obj_id)->destroyed = ts;
        gct_map_put(&f->object_by_addr, (uint64_t)pid, r->obj, 0);
        gct_map_put(&f->destroyed_at, (uint64_t)pid, r->obj,
                    (uint64_t)obj_id);
        break;
    case GCT_EV_MEM_GONE:
        end_objects_in(f, pid, r->obj, (uint64_t)r->a, ts);
        break;
    case GCT_EV_LOCK_ACQUIRE:
        obj_id = object_of(f, pid, r->obj,
                           (r->a & (GCT_LOCK_SHARED | GCT_LOCK_RW))
                               ? "rwlock"
                               : "mutex",
                           ts);
        break;
    case GCT_EV_LOCK_RELEASE:
        obj_id = object_of(f, pid, r->obj, "mutex", ts);
        break;
    case GCT_EV_LOCK_HELD:
        obj_id = object_of(f, pid, r->obj,
                           (r->a & (GCT_LOCK_SHARED | GCT_LOCK_RW))
                               ? "rwlock"
                               : "mutex",
                           ts);
        b = r->b ? frame_of(f, (uint64_t)r->b) : 0;
        break;
    case GCT_EV_LOCK_EDGE:
        edge(f, th, r, pid, ts);
        obj_id = object_of(f, pid, r->obj, NULL, ts);
        break;
    case GCT_EV_WAIT_BEGIN:
        begin_wait(f, th, r, pid, ts);
        obj_id = f->waits[f->nwaits - 1].object;
        break;
    case GCT_EV_WAIT_END:
        end_wait(f, th, r, ts);
        break;
    case GCT_EV_CHAN_MAKE:
        obj_id = new_object(f, pid, r->obj, "chan", ts);
        O(f, obj_id)->elem = r->a;
        O(f, obj_id)->cap = r->b;
        O(f, obj_id)->name = payload_str(r);
        O(f, obj_id)->create_stack = r->stack;
        if (O(f, obj_id)->name &&
            strcmp(O(f, obj_id)->name, GCT_CTX_DONE_NAME) == 0)
            t->done_chan = obj_id;
        break;
    case GCT_EV_CHAN_CLOSE:
        obj_id = object_of(f, pid, r->obj, "chan", ts);
        if (r->a == 0 && O(f, obj_id)->closed < 0)
            O(f, obj_id)->closed = ts;
        break;
    case GCT_EV_CHAN_FREE:
    case GCT_EV_CTX_FREE:
        obj_id = object_of(f, pid, r->obj,
                           kind == GCT_EV_CHAN_FREE ? "chan" : "ctx", ts);
        O(f, obj_id)->destroyed = ts;
        gct_map_put(&f->object_by_addr, (uint64_t)pid, r->obj, 0);
        break;
    case GCT_EV_CHAN_SEND:
    case GCT_EV_CHAN_RECV:
    case GCT_EV_TIMER_ARM:
    case GCT_EV_TIMER_DISARM:
        obj_id = object_of(f, pid, r->obj, "chan", ts);
        break;
    case GCT_EV_COND_SIGNAL:
    case GCT_EV_COND_BROADCAST:
        obj_id = object_of(f, pid, r->obj, "cond", ts);
        b = r->b ? frame_of(f, (uint64_t)r->b) : 0;
        break;
    case GCT_EV_SEM_POST:
        obj_id = object_of(f, pid, r->obj, "sem", ts);
        b = r->b ? frame_of(f, (uint64_t)r->b) : 0;
        break;
    case GCT_EV_SELECT_CASE:
        if (t->ncases == t->capcases) {
            t->capcases = t->capcases ? t->capcases * 2 : 8;
            t->cases = gct_xrealloc(t->cases, t->capcases * sizeof *t->cases);
            t->case_ops = gct_xrealloc(t->case_ops,
                                       t->capcases * sizeof *t->case_ops);
        }
        t->case_ops[t->ncases] = (int)r->a;
        t->cases[t->ncases++] = r->obj;
        obj_id = object_of(f, pid, r->obj, "chan", ts);
        break;
    case GCT_EV_CTX_MAKE:
        obj_id = new_object(f, pid, r->obj, "ctx", ts);
        O(f, obj_id)->parent = r->a ? (int64_t)gct_map_get(
                                          &f->object_by_addr, (uint64_t)pid,
                                          (uint64_t)r->a, 0)
                                    : 0;
        O(f, obj_id)->ctx_kind = ctx_kind_name(r->b);
        O(f, obj_id)->create_stack = r->stack;
        if (t->done_chan) { /* its done channel: its parent_id names it */
            O(f, t->done_chan)->parent = obj_id;
            t->done_chan = 0;
        }
        break;
    case GCT_EV_CTX_CANCEL: {
        obj_id = object_of(f, pid, r->obj, "ctx", ts);
        struct object *o = O(f, obj_id);
        if (o->cancel_ns < 0) {
            o->cancel_ns = ts;
            o->cancel_cause = r->b;
        }
        if (o->cancel_how == NULL)
            o->cancel_how = payload_str(r);
        break;
    }
    case GCT_EV_WG_ADD:
        obj_id = object_of(f, pid, r->obj, "waitgroup", ts);
        break;
    case GCT_EV_MISUSE:
        /* The use of a destroyed lock names the lock destroyed, unless a
         * new one was seen at its address since. */
        if (r->a == GCT_MISUSE_DESTROYED_LOCK &&
            gct_map_get(&f->object_by_addr, (uint64_t)pid, r->obj, 0) == 0 &&
            (obj_id = (int64_t)gct_map_get(&f->destroyed_at, (uint64_t)pid,
                                           r->obj, 0)) != 0)
            break;
        /* A misuse may be the lock's first record (its first,
         * uncontended, acquisition records nothing but its first use,
         * which does not know the kind): the kind when it tells. */
        obj_id = object_of(f, pid, r->obj,
                           r->a == GCT_MISUSE_RECURSIVE_RLOCK ||
                                   r->a == GCT_MISUSE_RWLOCK_NOT_HELD
                               ? "rwlock"
                           : r->a == GCT_MISUSE_RELOCK ||
                                   r->a == GCT_MISUSE_BAD_DEADLINE ||
                                   r->a == GCT_MISUSE_BARRIER_ZERO ||
                                   r->a == GCT_MISUSE_DESTROY_BUSY ||
                                   r->a == GCT_MISUSE_REINIT_BUSY ||
                                   r->a == GCT_MISUSE_EXIT_HOLDING ||
                                   r->a == GCT_MISUSE_SIGNAL_NO_MUTEX
                               ? obj_kind_name(r->b)
                               : NULL,
                           ts);
        break;
    case GCT_EV_PROC_EXIT:
        run(f, f->upd_process_exit, "iii", ts, r->a, (int64_t)pid);
        break;
    case GCT_EV_SIGNALS:
        set_signals(f, pid, (uint64_t)r->a);
        break;
    case GCT_EV_FORK:
        inherit_signals(f, pid, (int)r->a);
        break;
    default:
        break;
    }
    if (kind < GCT_REC_STACK) {
        if (kind == GCT_EV_THREAD_NAME || kind == GCT_EV_GO_START ||
            kind == GCT_EV_CTX_CANCEL || kind == GCT_EV_CHAN_MAKE)
            text = payload_str(r);
        run(f, f->ins_event, "iiinIIns", ts, th, (int64_t)kind, obj_id, r->a,
            b, (int64_t)r->stack, text);
        free(text);
    }
}

/* Whether process pid, whose program was exe, was running as its records
 * were read (note_process). */
static bool
was_running(const struct finisher *f, int64_t pid, const char *exe)
{
    for (size_t i = 0; i < f->nlive; i++)
        if (f->live[i].pid == pid)
            return f->live[i].exe && exe && strcmp(f->live[i].exe, exe) == 0;
    return false;
}

/* Marks the processes without an end that were running as the trace was
 * finished: their threads were caught in the middle of their work, not
 * left over (the analyses treat them as a snapshot's). */
static void
mark_running(struct finisher *f)
{
    sqlite3_stmt *q = prepare(f, "SELECT pid, exe FROM processes WHERE "
                                 "end_ns IS NULL");
    sqlite3_stmt *up = prepare(f, "UPDATE processes SET running = 1 WHERE "
                                  "pid = ?");
    while (q && up && sqlite3_step(q) == SQLITE_ROW) {
        int64_t pid = sqlite3_column_int64(q, 0);
        if (was_running(f, pid, (const char *)sqlite3_column_text(q, 1)))
            run(f, up, "i", pid);
    }
    sqlite3_finalize(q);
    sqlite3_finalize(up);
    /* A snapshot's process (gctrace attach) did not end with it: it went
     * on running after the moment its records describe. */
    if (f->hdr->state == GCT_LOG_SNAPSHOT) {
        up = prepare(f, "UPDATE processes SET running = 1 WHERE pid = ?");
        if (up)
            run(f, up, "i", (int64_t)f->hdr->root_pid);
        sqlite3_finalize(up);
    }
}

/* ------------------------------------------------------------ output */

/* Names the frames of glibc's thread entry, which a libc without a
 * symbol table (Debian's) leaves as "??": the caller of a thread's start
 * routine is start_thread, and the caller of that is clone3 (a thread
 * made through clone instead is in __clone, which the dynamic symbols
 * name); the caller of main is __libc_start_call_main.  Found by the
 * frame of the start routine (main) in the stacks of the thread's waits
 * and lock edges and of the threads it created; a frame that has a name
 * keeps it. */
static void
name_thread_entry(struct finisher *f)
{
    exec(f, "CREATE TEMP TABLE thread_entry AS "
            "SELECT DISTINCT f2.pc AS entry, f3.pc AS clone, "
            "  CASE WHEN t.start_routine IS NULL THEN "
            "    '__libc_start_call_main' ELSE 'start_thread' END AS name "
            "FROM (SELECT thread_id, stack_id FROM waits UNION "
            "      SELECT thread_id, stack_id FROM lock_edges UNION "
            "      SELECT parent_id, create_stack FROM threads) ts "
            "JOIN threads t ON t.id = ts.thread_id "
            "JOIN stack_frames s1 ON s1.stack_id = ts.stack_id "
            "JOIN frames f1 ON f1.id = s1.frame_id AND f1.function = "
            "  coalesce(t.start_routine, CASE WHEN t.tid = t.pid AND "
            "  t.goid IS NULL THEN 'main' END) "
            "JOIN stack_frames s2 ON s2.stack_id = s1.stack_id "
            "  AND s2.idx = s1.idx + 1 "
            "JOIN frames f2 ON f2.id = s2.frame_id AND f2.function IS NULL "
            "  AND f2.module LIKE '%/libc.so%' "
            "LEFT JOIN stack_frames s3 ON s3.stack_id = s1.stack_id "
            "  AND s3.idx = s1.idx + 2 AND t.start_routine IS NOT NULL "
            "LEFT JOIN frames f3 ON f3.id = s3.frame_id "
            "  AND f3.function IS NULL AND f3.module = f2.module;"
            "UPDATE frames SET function = (SELECT name FROM thread_entry "
            "  WHERE entry = frames.pc LIMIT 1) WHERE function IS NULL "
            "  AND pc IN (SELECT entry FROM thread_entry);"
            "UPDATE frames SET function = 'clone3' WHERE function IS NULL "
            "  AND pc IN (SELECT clone FROM thread_entry);"
            "DROP TABLE thread_entry;");
}

/* The modules the frames are in, with their build-ids: an offset
 * (frames.offset) means something only in the file it was taken from,
 * which the build-id identifies wherever the trace is read. */
static void
write_modules(struct finisher *f)
{
    sqlite3_stmt *q = NULL, *ins = NULL;
    if (f->sym == NULL ||
        sqlite3_prepare_v2(f->db, "SELECT DISTINCT module FROM frames WHERE "
                                  "module IS NOT NULL", -1, &q,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(f->db, "INSERT OR IGNORE INTO modules(path, "
                                  "build_id) VALUES(?, ?)", -1, &ins,
                           NULL) != SQLITE_OK) {
        sqlite3_finalize(q);
        return;
    }
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *path = (const char *)sqlite3_column_text(q, 0);
        char id[129];
        const char *bid = gct_symbolizer_build_id(f->sym, path, id, sizeof id);
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

/* The name of the function a thread was started with, from the
 * module's symbols (NULL when unknown): what identifies a thread the
 * program gave no name. */
static const char *
start_routine(struct finisher *f, const struct thread *t)
{
    struct gct_sym_frame fr[16];
    if (t->start_fn == 0 || f->sym == NULL)
        return NULL;
    /* the address itself, not a return address: it is the function's
     * first instruction, and its outermost frame is the function */
    int n = gct_symbolize(f->sym, t->start_fn, fr, 16);
    return n > 0 ? fr[n - 1].function : NULL;
}

/* The variable an object lies in (objects.symbol), looked up once here
 * so that every reader of the trace names it alike.  Only memory that a
 * module maps has one: the heap and stacks do not.  Threads are objects
 * only as join targets, named otherwise. */
static const char *
object_symbol(struct finisher *f, const struct object *o, char *buf,
              size_t len)
{
    if (f->sym == NULL || o->addr == 0 ||
        (o->kind && strcmp(o->kind, "thread") == 0))
        return NULL;
    return gct_symbolize_data(f->sym, o->addr, buf, len);
}

static void
write_model(struct finisher *f, const struct gct_finish_opts *opts)
{
    char sym[512];
    sqlite3_stmt *st = prepare(
        f, "INSERT INTO threads(id,pid,tid,handle,name,goid,parent_id,"
           "create_stack,start_ns,end_ns,detached,joined_by,locks_at_exit,"
           "end_state,start_routine) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    for (size_t i = 0; st && i < f->nthreads; i++) {
        struct thread *t = &f->threads[i];
        if (t->merged)
            continue;
        const char *state = t->end >= 0 ? (t->joined_by ? "joined"
                                           : t->detached ? "detached"
                                                         : "exited")
                            : t->nopen    ? "blocked"
                            : t->tid == 0 ? "not_started"
                                          : "running";
        run(f, st, "iiiisnnniNiniss", (int64_t)i + 1, (int64_t)t->pid,
            (int64_t)t->tid, (int64_t)t->handle, t->name, t->goid, t->parent,
            (int64_t)t->create_stack, t->start, t->end, (int64_t)t->detached,
            t->joined_by, t->locks_at_exit, state, start_routine(f, t));
    }
    sqlite3_finalize(st);

    st = prepare(f, "INSERT INTO objects(id,kind,addr,pid,name,flags,"
                    "created_ns,destroyed_ns,create_stack,elem_size,capacity,"
                    "closed_ns,parent_id,ctx_kind,cancel_ns,cancel_how,"
                    "cancel_cause,class_id,symbol) "
                    "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    sqlite3_stmt *stats = prepare(
        f, "INSERT INTO lock_stats(object_id,acquisitions,contended,"
           "wait_ns_total,wait_ns_max) VALUES(?,?,?,?,?)");
    for (size_t i = 0; st && stats && i < f->nobjects; i++) {
        struct object *o = &f->objects[i];
        bool chan = o->kind && strcmp(o->kind, "chan") == 0;
        bool ctx = o->kind && strcmp(o->kind, "ctx") == 0;
        /* Classes come from init sites only: a lock with a static
         * initialiser is a class of its own, as in the kernel's lockdep;
         * its first use is a poor name for a class (two unrelated static
         * locks first used on the same line would share one). */
        bool lock = o->inited;
        uint64_t cls = gct_map_get(&f->stack_seen, o->create_stack, 0, 0);
        run(f, st, "isiisiNNnNNNnsNsNns", (int64_t)i + 1,
            o->kind ? o->kind : "unknown", (int64_t)o->addr, (int64_t)o->pid,
            o->name, o->flags, o->created, o->destroyed,
            (int64_t)o->create_stack, chan ? o->elem : -1,
            chan ? o->cap : -1, o->closed, o->parent,
            ctx ? o->ctx_kind : NULL, o->cancel_ns, o->cancel_how,
            ctx && o->cancel_ns >= 0 ? o->cancel_cause : -1,
            lock && cls != UINT64_MAX ? (int64_t)cls : 0,
            object_symbol(f, o, sym, sizeof sym));
        if (o->acq || o->contended)
            run(f, stats, "iiiii", (int64_t)i + 1, o->acq, o->contended,
                o->wait_total, o->wait_max);
    }
    sqlite3_finalize(st);
    sqlite3_finalize(stats);

    st = prepare(f, "INSERT INTO waits(id,thread_id,object_id,reason,"
                    "begin_ns,end_ns,result,stack_id,holder_tid,timed,"
                    "external) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
    for (size_t i = 0; st && i < f->nwaits; i++) {
        struct wait *w = &f->waits[i];
        run(f, st, "iiniiNinnii", (int64_t)i + 1, w->thread, w->object,
            w->reason, w->begin, w->end, w->result, (int64_t)w->stack,
            w->holder, (int64_t)w->timed, (int64_t)wait_external(f, w));
    }
    sqlite3_finalize(st);

    st = prepare(f, "INSERT INTO wait_sites(thread_id,object_id,reason,"
                    "stack_id,waits,counted,wait_ns_total,wait_ns_max,"
                    "hist) VALUES(?,?,?,?,?,?,?,?,?)");
    for (size_t i = 0; st && i < f->nsites; i++) {
        struct wait_site *s = &f->sites[i];
        char hist[GCT_WAIT_HIST * 21];
        size_t len = 0;
        for (int k = 0; k < GCT_WAIT_HIST; k++)
            len += (size_t)snprintf(hist + len, sizeof hist - len, "%s%lld",
                                    k ? "," : "", (long long)s->hist[k]);
        run(f, st, "iiiniiiis", s->thread, s->object, s->reason,
            (int64_t)s->stack, s->waits, s->counted, s->total, s->max, hist);
    }
    sqlite3_finalize(st);

    /* The root process's end, as the runner or the header knows it. */
    int root = f->hdr->root_pid;
    int status = opts && opts->exit_status >= 0 ? opts->exit_status
                 : f->hdr->state == GCT_LOG_EXITED ? f->hdr->exit_status
                                                   : -1;
    st = prepare(f, "UPDATE processes SET exit_status = coalesce(?, "
                    "exit_status), term_signal = ?, end_ns = coalesce(end_ns,"
                    " ?) WHERE pid = ?");
    if (st)
        run(f, st, "NNii", (int64_t)status,
            (int64_t)(opts && opts->term_signal > 0 ? opts->term_signal : -1),
            f->last_ts, (int64_t)root);
    sqlite3_finalize(st);
    mark_running(f);
}

static void
write_meta(struct finisher *f, const struct gct_finish_opts *opts)
{
    sqlite3_stmt *st = prepare(f, "INSERT INTO meta VALUES(?,?)");
    if (st == NULL)
        return;
    char buf[64];
#define META(k, fmt, v)                                                    \
    do {                                                                   \
        snprintf(buf, sizeof buf, fmt, v);                                 \
        run(f, st, "ss", k, buf);                                          \
    } while (0)
    META("format_version", "%d", GCT_FORMAT_VERSION);
    run(f, st, "ss", "producer", "gctrace");
    META("record_mode", "%s",
         f->hdr->record_mode == GCT_RECORD_ALL        ? "all"
         : f->hdr->record_mode == GCT_RECORD_COUNTERS ? "counters"
                                                      : "blocking");
    META("start_real_ns", "%lld", (long long)f->hdr->start_real_ns);
    META("duration_ns", "%lld", (long long)f->last_ts);
    META("root_pid", "%d", f->hdr->root_pid);
    META("records", "%zu", f->nrefs);
    META("dropped", "%llu", (unsigned long long)f->hdr->dropped);
    META("clean_exit", "%d", f->hdr->state == GCT_LOG_EXITED);
    META("complete", "%d", opts == NULL || !opts->keep_raw);
#undef META
    if (f->hdr->state == GCT_LOG_SNAPSHOT)
        run(f, st, "ss", "snapshot", "1");
    if (f->options)
        run(f, st, "ss", "options", f->options);
    sqlite3_finalize(st);

    st = prepare(f, "INSERT INTO wait_reasons VALUES(?,?)");
#define GCT_X_ROW(name, value, text) run(f, st, "is", (int64_t)value, text);
    if (st)
        GCT_WAIT_REASONS(GCT_X_ROW)
#undef GCT_X_ROW
    sqlite3_finalize(st);

    static const struct {
        int kind;
        const char *name;
    } kinds[] = {
        {GCT_EV_PROC_START, "proc_start"}, {GCT_EV_PROC_EXIT, "proc_exit"},
        {GCT_EV_FORK, "fork"}, {GCT_EV_SIGNALS, "signals"},
        {GCT_EV_THREAD_CREATE, "thread_create"},
        {GCT_EV_THREAD_START, "thread_start"},
        {GCT_EV_THREAD_EXIT, "thread_exit"},
        {GCT_EV_THREAD_JOIN, "thread_join"},
        {GCT_EV_THREAD_DETACH, "thread_detach"},
        {GCT_EV_THREAD_NAME, "thread_name"}, {GCT_EV_LOCK_INIT, "lock_init"},
        {GCT_EV_LOCK_ACQUIRE, "lock_acquire"},
        {GCT_EV_LOCK_RELEASE, "lock_release"},
        {GCT_EV_LOCK_DESTROY, "lock_destroy"},
        {GCT_EV_LOCK_EDGE, "lock_edge"},
        {GCT_EV_LOCK_FIRST_USE, "lock_first_use"},
        {GCT_EV_LOCK_HELD, "lock_held"},
        {GCT_EV_MEM_GONE, "mem_gone"}, {GCT_EV_WAIT_BEGIN, "wait_begin"},
        {GCT_EV_WAIT_END, "wait_end"}, {GCT_EV_COND_SIGNAL, "cond_signal"},
        {GCT_EV_COND_BROADCAST, "cond_broadcast"},
        {GCT_EV_SEM_POST, "sem_post"}, {GCT_EV_CHAN_MAKE, "chan_make"},
        {GCT_EV_CHAN_SEND, "chan_send"}, {GCT_EV_CHAN_RECV, "chan_recv"},
        {GCT_EV_CHAN_CLOSE, "chan_close"}, {GCT_EV_CHAN_FREE, "chan_free"},
        {GCT_EV_SELECT_CASE, "select_case"}, {GCT_EV_CTX_MAKE, "ctx_make"},
        {GCT_EV_CTX_CANCEL, "ctx_cancel"}, {GCT_EV_CTX_FREE, "ctx_free"},
        {GCT_EV_WG_ADD, "wg_add"}, {GCT_EV_GO_START, "go_start"},
        {GCT_EV_GO_EXIT, "go_exit"}, {GCT_EV_MISUSE, "misuse"},
        {GCT_EV_TIMER_ARM, "timer_arm"}, {GCT_EV_TIMER_DISARM, "timer_disarm"},
    };
    st = prepare(f, "INSERT INTO event_kinds VALUES(?,?)");
    for (size_t i = 0; st && i < sizeof kinds / sizeof kinds[0]; i++)
        run(f, st, "is", (int64_t)kinds[i].kind, kinds[i].name);
    sqlite3_finalize(st);
}

static bool
prepare_all(struct finisher *f)
{
    f->ins_event = prepare(f, "INSERT INTO events(ts,thread_id,kind,"
                              "object_id,a,b,stack_id,text) "
                              "VALUES(?,?,?,?,?,?,?,?)");
    f->ins_wait_case = prepare(f, "INSERT INTO select_cases VALUES(?,?,?)");
    f->ins_edge = prepare(f, "INSERT INTO lock_edges(from_id,to_id,"
                             "thread_id,ts,from_flags,to_flags,stack_id,"
                             "from_frame,gate_ids) VALUES(?,?,?,?,?,?,?,?,?)");
    f->ins_stack = prepare(f, "INSERT INTO stacks VALUES(?,?)");
    f->ins_frame = prepare(f, "INSERT INTO frames VALUES(?,?,?,?,?,?,?,?)");
    f->ins_stack_frame = prepare(f, "INSERT INTO stack_frames VALUES(?,?,?)");
    f->ins_process = prepare(f, "INSERT OR REPLACE INTO processes(pid,ppid,"
                                "exe,argv,start_ns) VALUES(?,?,?,?,?)");
    f->upd_process_exit = prepare(f, "UPDATE processes SET end_ns = ?, "
                                     "exit_status = ? WHERE pid = ?");
    return f->ins_event && f->ins_wait_case && f->ins_edge && f->ins_stack &&
           f->ins_frame && f->ins_stack_frame && f->ins_process &&
           f->upd_process_exit;
}

static void
finalize_all(struct finisher *f)
{
    sqlite3_stmt **all[] = {&f->ins_event, &f->ins_wait_case, &f->ins_edge,
                            &f->ins_stack, &f->ins_frame, &f->ins_stack_frame,
                            &f->ins_process, &f->upd_process_exit};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        sqlite3_finalize(*all[i]);
        *all[i] = NULL;
    }
}

static void
free_model(struct finisher *f)
{
    for (size_t i = 0; i < f->nthreads; i++) {
        free(f->threads[i].name);
        free(f->threads[i].cases);
        free(f->threads[i].case_ops);
    }
    for (size_t i = 0; i < f->nobjects; i++) {
        free(f->objects[i].name);
        free(f->objects[i].cancel_how);
    }
    for (size_t i = 0; i < f->nlive; i++)
        free(f->live[i].exe);
    free(f->live);
    for (size_t i = 0; i < f->npending; i++)
        free(f->pending_names[i].name);
    free(f->pending_names);
    free(f->pending_detach);
    free(f->threads);
    free(f->objects);
    free(f->waits);
    free(f->sites);
    gct_map_free(&f->site_by_key);
    free(f->refs);
    free(f->chunks);
    gct_map_free(&f->thread_by_tid);
    gct_map_free(&f->thread_by_handle);
    gct_map_free(&f->object_by_addr);
    gct_map_free(&f->destroyed_at);
    gct_map_free(&f->stack_seen);
    gct_map_free(&f->frame_by_pc);
    gct_map_free(&f->pid_seen);
    gct_map_free(&f->thread_by_serial);
    free(f->options);
    gct_map_free(&f->place_ids);
    gct_map_free(&f->class_by_places);
    gct_map_free(&f->signals);
    gct_symbolizer_free(f->sym);
}

/* Modules first: every stack needs them before it is symbolised. */
static void
replay(struct finisher *f)
{
    struct gct_rec buf;

    for (size_t i = 0; i < f->nrefs; i++)
        if (rec_at(f, &f->refs[i], &buf)->kind == GCT_REC_MODULE)
            replay_one(f, &f->refs[i]);
    for (size_t i = 0; i < f->nrefs && f->err[0] == '\0'; i++)
        if (rec_at(f, &f->refs[i], &buf)->kind != GCT_REC_MODULE)
            replay_one(f, &f->refs[i]);
}

/* The end of a run that did not exit (killed, crashed, or still running
 * at a snapshot): when the runner saw it end, else at least when the
 * recorder last saw it alive, not its last record, which is the start of
 * whatever wait it hung in.  The end bounds the process and every wait
 * still open (duration_ns). */
static void
run_end(struct finisher *f, const struct gct_finish_opts *opts)
{
    if (f->hdr->state == GCT_LOG_EXITED)
        return;
    int64_t alive = (int64_t)atomic_load(&f->hdr->alive_ms) * 1000000;
    if (alive > f->last_ts)
        f->last_ts = alive;
    if (opts && opts->end_mono_ns > 0 &&
        opts->end_mono_ns - f->hdr->start_mono_ns > f->last_ts)
        f->last_ts = opts->end_mono_ns - f->hdr->start_mono_ns;
}

/* The new trace, as a sqlite database in a file of our own that nobody
 * could have planted (safe_file.h); its name goes in tmp ("" when none
 * was made). */
static bool
open_temp_trace(struct finisher *f, const char *trace, char *tmp, size_t n)
{
    int fd = gct_create_temp(trace, tmp, n);
    if (fd < 0) {
        fail(f, "%s: cannot create a file beside it: %s", trace,
             strerror(errno));
        tmp[0] = '\0';
        return false;
    }
    /* NOFOLLOW: were the name swapped for a symlink since, sqlite refuses
     * it rather than write through it. */
    bool ok = sqlite3_open_v2(tmp, &f->db, SQLITE_OPEN_READWRITE |
                                               SQLITE_OPEN_NOFOLLOW |
                                               SQLITE_OPEN_NOMUTEX,
                              NULL) == SQLITE_OK;
    if (!ok)
        fail(f, "%s: cannot create: %s", tmp, sqlite3_errmsg(f->db));
    close(fd);
    return ok;
}

int
gct_finish(const char *trace, const struct gct_finish_opts *opts, char *err,
           size_t errlen)
{
    struct finisher f = {.err = err, .errlen = errlen, .fd = -1};
    char raw[4096], tmp[4096] = "";
    struct stat st;
    int rc = -1;

    err[0] = '\0';
    snprintf(raw, sizeof raw, "%s%s", trace, GCT_LOG_SUFFIX);
    int fd = open(raw, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fail(&f, "%s: %s", raw, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || st.st_size < GCT_LOG_HEADER_SIZE) {
        fail(&f, "%s: not a gctrace raw log (too short)", raw);
        close(fd);
        return -1;
    }
    f.size = (size_t)st.st_size;
    f.base = mmap(NULL, f.size, PROT_READ, MAP_SHARED, fd, 0);
    if (f.base == MAP_FAILED) {
        fail(&f, "%s: %s", raw, strerror(errno));
        close(fd);
        return -1;
    }
    f.fd = fd;
    f.hdr = (const void *)f.base;
    if (memcmp(f.hdr->magic, GCT_LOG_MAGIC, 8) != 0 ||
        f.hdr->version != GCT_LOG_VERSION ||
        f.hdr->chunk_size != GCT_LOG_CHUNK_SIZE) {
        fail(&f, "%s: not a gctrace raw log of this version", raw);
        goto out;
    }
    f.t0 = f.hdr->start_mono_ns;
    f.sym = gct_symbolizer_new();
    collect(&f);
    close(fd);
    f.fd = -1;
    sort_ctx = &f;
    if (f.nrefs > 1)
        qsort(f.refs, f.nrefs, sizeof *f.refs, cmp_ref);

    if (!open_temp_trace(&f, trace, tmp, sizeof tmp))
        goto out;
    /* The schema's tables first, its indexes once the rows are in. */
    const char *indexes = strstr(gct_schema_sql, "-- indexes");
    char *tables = strndup(gct_schema_sql, indexes ? (size_t)(indexes -
                                                      gct_schema_sql)
                                                   : strlen(gct_schema_sql));
    bool ok = tables && exec(&f, "PRAGMA journal_mode=OFF;"
                                 "PRAGMA synchronous=OFF;"
                                 "PRAGMA cache_size=-65536; BEGIN;") &&
              exec(&f, tables) && prepare_all(&f);
    free(tables);
    if (!ok)
        goto out;
    replay(&f);
    run_end(&f, opts);
    if (f.err[0] == '\0')
        write_model(&f, opts);
    if (f.err[0] == '\0')
        name_thread_entry(&f);
    if (f.err[0] == '\0')
        write_modules(&f);
    if (f.err[0] == '\0')
        write_meta(&f, opts);
    finalize_all(&f);
    if (f.err[0] == '\0' && indexes && f.nrefs >= INDEX_MIN_RECORDS &&
        !exec(&f, indexes))
        goto out;
    if (f.err[0] == '\0' && opts && opts->before_commit &&
        opts->before_commit(f.db, opts->arg) != 0) {
        fail(&f, "%s: cannot complete the trace", trace);
        goto out;
    }
    if (f.err[0] != '\0' || !exec(&f, "COMMIT;"))
        goto out;
    if (sqlite3_close(f.db) != SQLITE_OK) {
        fail(&f, "%s: cannot close the trace", tmp);
        f.db = NULL;
        goto out;
    }
    f.db = NULL;
    const char *why;
    if (!gct_may_replace(trace, &why)) {
        fail(&f, "%s %s: not replaced", trace, why);
        goto out;
    }
    if (rename(tmp, trace) != 0) {
        fail(&f, "%s: %s", trace, strerror(errno));
        goto out;
    }
    if (!(opts && opts->keep_raw))
        unlink(raw);
    rc = 0;
out:
    if (f.fd >= 0)
        close(f.fd);
    if (f.db) {
        finalize_all(&f);
        sqlite3_close(f.db);
    }
    if (rc != 0 && tmp[0])
        unlink(tmp);
    free_model(&f);
    munmap((void *)f.base, f.size);
    return rc;
}
