/*
 * log.c - the raw log: creating or attaching to it, handing out chunks,
 * writing records.  The format and why it is crash-safe: rawlog.h.
 *
 * Memory stays bounded: a thread maps only its current window of the log
 * (one 64 KiB chunk at first, up to WINDOW_MAX chunks for a thread that
 * keeps recording) and unmaps it when it moves on, so the shim's resident
 * log memory is at most one window per thread that records, whatever the
 * length of the run.
 */
#include "shim.h"

#include "../common/safe_file.h"

#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct gct_recorder gct_recorder = {.fd = -1};

/* The log's descriptor sits high, out of the way of programs that expect
 * small numbers, and is checked before each use: a program may close every
 * descriptor, and the number may then name one of its own files. */
#define LOG_FD_MIN 900

int64_t
gct_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int
gct_raise_fd(int fd)
{
    int hi = fcntl(fd, F_DUPFD_CLOEXEC, LOG_FD_MIN);
    if (hi >= 0) {
        close(fd);
        return hi;
    }
    return fd;
}

/* A descriptor for the log, reopened if the program closed ours. */
static int
log_fd(void)
{
    struct stat st;

    if (gct_recorder.fd >= 0 && fstat(gct_recorder.fd, &st) == 0 &&
        st.st_dev == gct_recorder.dev && st.st_ino == gct_recorder.ino)
        return gct_recorder.fd;
    int fd = open(gct_recorder.raw_path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) != 0 || st.st_dev != gct_recorder.dev ||
        st.st_ino != gct_recorder.ino) {
        close(fd);
        return -1;
    }
    gct_recorder.fd = gct_raise_fd(fd);
    return gct_recorder.fd;
}

const char *
gct_proc_stat(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    /* "pid (comm) state ...": comm may hold spaces and ')', the numbers
     * after it cannot */
    const char *p = strrchr(buf, ')');
    return p && p[1] == ' ' ? p + 2 : NULL;
}

/* The parent of pid, from /proc (0 when unknown). */
static int
parent_of(int pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    const char *fields = gct_proc_stat(path, buf, sizeof buf);
    int ppid = 0;
    if (fields == NULL || sscanf(fields, "%*c %d", &ppid) != 1)
        return 0;
    return ppid;
}

/* Whether root is this process or one of its ancestors. */
static bool
descends_from(int root)
{
    int pid = getpid();
    for (int depth = 0; pid > 1 && depth < 64; depth++) {
        if (pid == root)
            return true;
        pid = depth == 0 ? getppid() : parent_of(pid);
    }
    return false;
}

static bool
attach(int fd)
{
    struct stat st;

    /* Only to a log of our own user: another user's file, whatever its
     * header says, must not receive our records. */
    if (fstat(fd, &st) != 0 || st.st_size < GCT_LOG_HEADER_SIZE ||
        !S_ISREG(st.st_mode) || st.st_uid != geteuid())
        return false;
    struct gct_log_header *h = mmap(NULL, GCT_LOG_HEADER_SIZE,
                                    PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (h == MAP_FAILED)
        return false;
    /* Attach only to the live log of our own process tree: the root after
     * an exec, or any descendant of it (make -> cc -> cc1).  Anything else
     * is a stale file from an earlier run, or another run's. */
    bool ok = memcmp(h->magic, GCT_LOG_MAGIC, 8) == 0 &&
              h->version == GCT_LOG_VERSION &&
              atomic_load(&h->state) == GCT_LOG_RUNNING &&
              descends_from(h->root_pid);
    if (!ok) {
        munmap(h, GCT_LOG_HEADER_SIZE);
        return false;
    }
    gct_recorder.hdr = h;
    gct_recorder.root = h->root_pid == getpid();
    gct_recorder.dev = st.st_dev;
    gct_recorder.ino = st.st_ino;
    return true;
}

/* Whether fd is a raw log that a live process tree still writes. */
static bool
live(int fd)
{
    struct gct_log_header h;
    if (pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h)
        return false;
    return memcmp(h.magic, GCT_LOG_MAGIC, 8) == 0 &&
           h.state == GCT_LOG_RUNNING && h.root_pid > 0 &&
           kill(h.root_pid, 0) == 0;
}

/* Switches to TRACE.<pid> (and its raw log). */
static bool
own_name(void)
{
    char out[sizeof gct_recorder.opt.out];
    int n = snprintf(out, sizeof out, "%s.%d", gct_recorder.opt.out, (int)getpid());
    if (n <= 0 || (size_t)n >= sizeof out)
        return false;
    memcpy(gct_recorder.opt.out, out, sizeof out);
    n = snprintf(gct_recorder.raw_path, sizeof gct_recorder.raw_path, "%s%s", out,
                 GCT_LOG_SUFFIX);
    return n > 0 && (size_t)n < sizeof gct_recorder.raw_path;
}

const char *gct_log_refused;

/* A new log, made under a temporary name and renamed into place, so that
 * no process ever sees it half made or truncated under its feet. */
static bool
create(void)
{
    struct stat st;
    struct timespec real;

    char tmp[sizeof gct_recorder.raw_path + 24];
    const char *why;
    if (!gct_may_replace(gct_recorder.raw_path, &why)) {
        gct_log_refused = why;
        return false;
    }
    int fd = gct_create_temp(gct_recorder.raw_path, tmp, sizeof tmp);
    if (fd < 0)
        return false;
    fd = gct_raise_fd(fd);
    if (ftruncate(fd, GCT_LOG_HEADER_SIZE) != 0 || fstat(fd, &st) != 0) {
        close(fd);
        unlink(tmp);
        return false;
    }
    struct gct_log_header *h = mmap(NULL, GCT_LOG_HEADER_SIZE,
                                    PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (h == MAP_FAILED) {
        close(fd);
        unlink(tmp);
        return false;
    }
    clock_gettime(CLOCK_REALTIME, &real);
    h->version = GCT_LOG_VERSION;
    h->chunk_size = GCT_LOG_CHUNK_SIZE;
    h->max_chunks = (uint64_t)gct_recorder.opt.max_size_mb * 1024 * 1024 /
                    GCT_LOG_CHUNK_SIZE;
    h->root_pid = getpid();
    h->record_mode = gct_recorder.opt.record;
    h->start_mono_ns = gct_now();
    h->start_real_ns = (int64_t)real.tv_sec * 1000000000 + real.tv_nsec;
    atomic_store(&h->state, GCT_LOG_RUNNING);
    /* The magic goes last: a reader never sees a half-made header. */
    atomic_thread_fence(memory_order_release);
    memcpy(h->magic, GCT_LOG_MAGIC, 8);
    if (rename(tmp, gct_recorder.raw_path) != 0) {
        munmap(h, GCT_LOG_HEADER_SIZE);
        close(fd);
        unlink(tmp);
        return false;
    }
    gct_recorder.hdr = h;
    gct_recorder.fd = fd;
    gct_recorder.root = 1;
    gct_recorder.dev = st.st_dev;
    gct_recorder.ino = st.st_ino;
    return true;
}

bool
gct_log_open(void)
{
    int n = snprintf(gct_recorder.raw_path, sizeof gct_recorder.raw_path, "%s%s",
                     gct_recorder.opt.out, GCT_LOG_SUFFIX);
    if (n <= 0 || (size_t)n >= sizeof gct_recorder.raw_path)
        return false;
    /* O_NOFOLLOW: a symlink planted at the log's name is never opened. */
    int fd = open(gct_recorder.raw_path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0) {
        if (attach(fd)) {
            gct_recorder.fd = gct_raise_fd(fd);
            return true;
        }
        bool busy = live(fd);
        close(fd);
        /* Another run is writing there: never take its file from under it;
         * this process gets a trace of its own beside it. */
        if (busy && !own_name())
            return false;
    }
    return create();
}

/* Chunks that ended threads left partly or wholly empty, for the next new
 * threads: a program that runs 100,000 short threads would otherwise take
 * 100,000 chunks.  A spin lock guards the list: it is held for a few
 * instructions, and the shim takes no pthread lock of its own. */
#define SPARE_MAX 256
static struct spare {
    char *map;      /* still mapped: the next thread needs no system call */
    uint64_t idx;
    uint32_t used;  /* 0: never started (no chunk head yet) */
} spares[SPARE_MAX];
static int nspares;
static atomic_flag spares_lock = ATOMIC_FLAG_INIT;

/* A thread maps the log in windows of consecutive chunks, growing from one
 * chunk (most threads record a few events) to WINDOW_MAX for threads that
 * keep recording: one mmap, one munmap and one fallocate per window
 * instead of per chunk.  munmap is the expensive one: in a process with
 * threads on several cores it flushes every core's TLB (docs/bench-shim.md, "Figures behind the code"). */
#define WINDOW_MAX 16

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

static void
spares_acquire(void)
{
    while (atomic_flag_test_and_set_explicit(&spares_lock,
                                             memory_order_acquire))
        __builtin_ia32_pause();
}

static void
spares_release(void)
{
    atomic_flag_clear_explicit(&spares_lock, memory_order_release);
}

/* Maps n chunks of the log from chunk idx on for t; NULL on failure. */
static char *
map_chunks(struct gct_thread *t, uint64_t idx, uint32_t n, bool populate)
{
    int fd = log_fd();
    if (fd < 0)
        return NULL;
    off_t off = GCT_LOG_HEADER_SIZE + (off_t)idx * GCT_LOG_CHUNK_SIZE;
    size_t len = (size_t)n * GCT_LOG_CHUNK_SIZE;
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
    if (p == MAP_FAILED)
        return NULL;
    /* Fault every page in, writable, in one system call: a write to a
     * fresh page of a shared file mapping faults even after MAP_POPULATE
     * (which maps shared pages read-only), and a fault per 4 KiB page cost
     * more than the records written into it.  Worth it for a thread that
     * keeps recording, not for one that may write a record or two; old
     * kernels refuse the advice, and the pages then fault one by one.
     * The background thread does it, and reads each page once, when it
     * can (prefault.c). */
    if (populate && !gct_prefault_post(t, p, len))
        madvise(p, len, MADV_POPULATE_WRITE);
    return p;
}

/* Unmaps len bytes of a thread's window from p. */
static void
unmap(char *p, size_t len)
{
    gct_prefault_cancel(p, len);
    munmap(p, len);
}

/* Unmaps the chunks [from, to) of the thread's window. */
static void
unmap_range(char *from, char *to)
{
    if (to > from)
        unmap(from, (size_t)(to - from));
}

/* Starts chunk idx, mapped at p, as the thread's current chunk. */
static void
start_chunk(struct gct_thread *t, char *p, uint64_t idx)
{
    struct gct_chunk_head *ch = (struct gct_chunk_head *)p;
    ch->pid = t->pid;
    ch->tid = t->tid;
    ch->seq = t->chunk_seq++;
    ch->base_ts = gct_monotonic(t, gct_now());
    t->chunk_base = ch->base_ts;
    atomic_thread_fence(memory_order_release);
    ch->magic = GCT_CHUNK_MAGIC;
    t->chunk = p;
    t->chunk_idx = idx;
    t->chunk_used = sizeof *ch;
}

/* Takes over a spare chunk, if there is one. */
static bool
adopt_spare(struct gct_thread *t)
{
    struct spare s;

    spares_acquire();
    bool have = nspares > 0;
    if (have)
        s = spares[--nspares];
    spares_release();
    if (!have)
        return false;
    t->map = s.map;
    t->map_chunks = 1;
    if (s.used == 0) {
        start_chunk(t, s.map, s.idx);
        return true;
    }
    t->chunk = s.map;
    t->chunk_idx = s.idx;
    t->chunk_used = s.used;
    t->chunk_base = ((struct gct_chunk_head *)s.map)->base_ts;
    gct_emit(t, GCT_REC_OWNER, 0, t->chunk_seq++, t->pid, t->tid, NULL, 0);
    return true;
}

/* Offers one chunk to later threads; false if the list is full. */
static bool
offer_spare(char *map, uint64_t idx, uint32_t used)
{
    bool kept = false;

    spares_acquire();
    if (nspares < SPARE_MAX) {
        spares[nspares++] = (struct spare){map, idx, used};
        kept = true;
    }
    spares_release();
    return kept;
}

void
gct_log_donate_chunk(struct gct_thread *t)
{
    char *c = t->chunk;

    if (c == NULL) {
        gct_log_release_chunk(t);
        return;
    }
    char *end = t->map + (size_t)t->map_chunks * GCT_LOG_CHUNK_SIZE;
    char *next = c + GCT_LOG_CHUNK_SIZE;
    uint64_t idx = t->chunk_idx + 1;

    /* munmap takes any page-aligned part of a mapping: the chunks used up
     * go, the current one stays if it has room for a new thread, and so
     * does each chunk of the window never started. */
    unmap_range(t->map, c);
    if (t->chunk_used + 1024 > GCT_LOG_CHUNK_SIZE ||
        !offer_spare(c, t->chunk_idx, t->chunk_used))
        unmap_range(c, next);
    while (next < end && offer_spare(next, idx, 0)) {
        next += GCT_LOG_CHUNK_SIZE;
        idx++;
    }
    unmap_range(next, end);
    t->map = t->chunk = NULL;
    t->map_chunks = 0;
}

void
gct_log_forget_spares(void)
{
    /* The child's copies of the mappings: the parent's threads write
     * through its own. */
    for (int i = 0; i < nspares; i++)
        munmap(spares[i].map, GCT_LOG_CHUNK_SIZE);
    nspares = 0;
    atomic_flag_clear(&spares_lock);
}

/* How many chunks the thread's next window gets. */
static uint32_t
window_size(const struct gct_thread *t)
{
    if (t->chunk_seq == 0)
        return 1;
    return t->chunk_seq < 4 ? 4 : WINDOW_MAX;
}

/* Moves the thread to a fresh chunk: the next one of its window, or a new
 * window.  false: the log is full or the disk is; the caller drops its
 * record. */
static bool
grab_chunk(struct gct_thread *t)
{
    struct gct_log_header *h = gct_recorder.hdr;

    if (t->chunk != NULL &&
        t->chunk + GCT_LOG_CHUNK_SIZE <
            t->map + (size_t)t->map_chunks * GCT_LOG_CHUNK_SIZE) {
        start_chunk(t, t->chunk + GCT_LOG_CHUNK_SIZE, t->chunk_idx + 1);
        return true;
    }
    gct_log_release_chunk(t);
    if (t->chunk_seq == 0 && adopt_spare(t))
        return true;
    uint32_t n = window_size(t);
    uint64_t idx = atomic_fetch_add(&h->next_chunk, n);
    if (idx >= h->max_chunks)
        return false;
    if (n > h->max_chunks - idx)
        n = (uint32_t)(h->max_chunks - idx);
    off_t off = GCT_LOG_HEADER_SIZE + (off_t)idx * GCT_LOG_CHUNK_SIZE;
    int fd = log_fd();
    /* Allocate the blocks now: touching a page of a sparse file on a full
     * disk would kill the program with SIGBUS.  A window that does not fit
     * any more may still leave room for one chunk. */
    if (fd < 0)
        return false;
    if (posix_fallocate(fd, off, (off_t)n * GCT_LOG_CHUNK_SIZE) != 0) {
        if (n == 1 || posix_fallocate(fd, off, GCT_LOG_CHUNK_SIZE) != 0)
            return false;
        n = 1;
    }
    char *p = map_chunks(t, idx, n, t->chunk_seq > 0);
    if (p == NULL)
        return false;
    t->map = p;
    t->map_chunks = n;
    start_chunk(t, p, idx);
    return true;
}

void
gct_log_release_chunk(struct gct_thread *t)
{
    /* A wait's reserved end record goes with the window: a signal handler
     * that records enough during the wait moves the thread on; the end is
     * then written afresh, and the reservation stays unpublished. */
    t->end_slot = NULL;
    t->prepared = NULL;
    if (t->map)
        unmap(t->map, (size_t)t->map_chunks * GCT_LOG_CHUNK_SIZE);
    t->map = t->chunk = NULL;
    t->map_chunks = 0;
}

/* Makes room for bytes more in the thread's chunk, taking a fresh chunk
 * when needed.  false: the log or the disk is full; the record is
 * dropped and counted.  Keeps errno. */
static inline bool
make_room(struct gct_thread *t, size_t bytes)
{
    /* A spare chunk adopted by a new thread may still be too full for
     * this record: the second try takes a fresh chunk, where it fits. */
    for (int tries = 0; GCT_UNLIKELY(t->chunk == NULL ||
                                     t->chunk_used + bytes >
                                         GCT_LOG_CHUNK_SIZE);
         tries++) {
        int saved = errno;
        bool ok = tries < 2 && grab_chunk(t);
        errno = saved;
        if (!ok) {
            atomic_fetch_add_explicit(&gct_recorder.hdr->dropped, 1,
                                      memory_order_relaxed);
            return false;
        }
    }
    return true;
}

/* Reserves bytes at the end of the thread's chunk (make_room first).
 * Reserve before filling: a signal handler that records on this thread
 * now writes after this record, not over it. */
static inline void *
reserve(struct gct_thread *t, size_t bytes)
{
    void *r = t->chunk + t->chunk_used;
    t->chunk_used += (uint32_t)bytes;
    atomic_signal_fence(memory_order_seq_cst);
    return r;
}

/* Writes one record: its time is *at, or NULL: the clock's, read once
 * the record's room is reserved.  Returns the time. */
static int64_t
write_rec(struct gct_thread *t, const int64_t *at, int kind, uint32_t stack,
          uint64_t obj, int64_t a, int64_t b, const void *payload, size_t len)
{
    size_t bytes = (sizeof(struct gct_rec) + len + 7) & ~(size_t)7;

    if (GCT_UNLIKELY(bytes > GCT_LOG_CHUNK_SIZE / 4)) {
        len = GCT_LOG_CHUNK_SIZE / 4 - sizeof(struct gct_rec);
        bytes = GCT_LOG_CHUNK_SIZE / 4;
    }
    if (!make_room(t, bytes))
        return at ? *at : gct_now();
    struct gct_rec *r = reserve(t, bytes);
    r->words = (uint16_t)(bytes / 8);
    r->stack = stack;
    int64_t ts = gct_monotonic(t, at ? *at : gct_now());
    r->ts = ts;
    r->obj = obj;
    r->a = a;
    r->b = b;
    if (len)
        memcpy(r + 1, payload, len);
    atomic_store_explicit(&r->kind, (uint16_t)kind, memory_order_release);
    return ts;
}

struct gct_rec *
gct_reserve_rec(struct gct_thread *t, uint64_t obj)
{
    if (!make_room(t, sizeof(struct gct_rec)))
        return NULL;
    struct gct_rec *r = reserve(t, sizeof(struct gct_rec));
    r->words = sizeof(struct gct_rec) / 8;
    r->stack = 0;
    r->obj = obj;
    r->a = 0;
    r->b = 0;
    return r;
}

/*
 * Takes back the records from r to the end of the thread's chunk, so that
 * the next record is written where r is.  At every moment the chunk reads
 * as it should, were the process killed: r is unpublished first (a reader
 * steps over it and over the reserved records after it, whose kinds are
 * 0), then its length is zeroed (a reader stops there, as at the end of
 * what was written), and the rest is zeroed before anything is written
 * over it (a shorter record there would otherwise lead a reader into the
 * old bytes).
 */
bool
gct_log_take_back(struct gct_thread *t, struct gct_rec *r)
{
    char *p = (char *)r;
    if (t->chunk == NULL || p <= t->chunk || p > t->chunk + t->chunk_used)
        return false;
    uint32_t off = (uint32_t)(p - t->chunk);
    atomic_store_explicit(&r->kind, 0, memory_order_release);
    __atomic_store_n(&r->words, 0, __ATOMIC_RELEASE);
    memset(p + sizeof r->words + sizeof r->kind, 0,
           t->chunk_used - off - sizeof r->words - sizeof r->kind);
    atomic_signal_fence(memory_order_seq_cst);
    t->chunk_used = off;
    return true;
}

void
gct_emit_at(struct gct_thread *t, int64_t ts, int kind, uint32_t stack,
            uint64_t obj, int64_t a, int64_t b)
{
    write_rec(t, &ts, kind, stack, obj, a, b, NULL, 0);
}

int64_t
gct_emit(struct gct_thread *t, int kind, uint32_t stack, uint64_t obj,
         int64_t a, int64_t b, const void *payload, size_t len)
{
    return write_rec(t, NULL, kind, stack, obj, a, b, payload, len);
}

/* The time for a record on the lock path: record=all writes one per lock
 * operation, and reading the clock (kvm-clock through the vDSO) was a
 * large part of a lock's cost under it; a wait's begin is written inside
 * the critical section of a condvar's mutex.  While the thread's last
 * clock reading is under 1 ms old the time is derived from it and the
 * counter, at under half the cost (tsc.c), else the clock is read again.
 * *tsc: the counter at that time. */
int64_t
gct_clock(struct gct_thread *t, uint64_t *tsc)
{
    int64_t ns;

    *tsc = gct_tsc_read();
    if (!gct_tsc_derive(t->clock_ns, t->clock_tsc, *tsc, &ns)) {
        ns = gct_now();
        t->clock_ns = ns;
        t->clock_tsc = *tsc = gct_tsc_pair(ns);
    }
    return ns;
}

static int64_t
record_time(struct gct_thread *t)
{
    uint64_t tsc;
    return gct_monotonic(t, gct_clock(t, &tsc));
}

/* The repeat cache's set (GCT_REPEAT_WAYS slots) for a compact record's
 * contents.  Two ways: a loop's lock and unlock records that hash to the
 * same set would otherwise evict each other at every turn and never be
 * repeated (a 1-in-50 chance per run with one way, decided by where
 * ASLR put the lock and the code). */
static inline struct gct_repeat_slot *
repeat_set(struct gct_thread *t, uint16_t kind, uint64_t obj, uint64_t arg)
{
    uint64_t h = ((obj >> 3) ^ (arg >> 2) ^ kind) * 0x9e3779b97f4a7c15ull;
    return &t->repeats[(h >> (64 - 5)) * GCT_REPEAT_WAYS];
}
_Static_assert(GCT_REPEAT_CACHE == GCT_REPEAT_WAYS << 5,
               "repeat_set's hash width");

/* The slot of set s that holds a compact record of these contents
 * published in the thread's current chunk, or NULL. */
static inline const struct gct_repeat_slot *
repeat_find(const struct gct_thread *t, const struct gct_repeat_slot *s,
            uint16_t kind, uint64_t obj, uint64_t arg)
{
    for (int i = 0; i < GCT_REPEAT_WAYS; i++, s++)
        if (s->chunk_seq == t->chunk_seq && s->kind == kind &&
            s->obj == obj && s->arg == arg)
            return s;
    return NULL;
}

static size_t
compact_size(uint64_t arg)
{
    return arg != 0 ? 24 : 16;
}

/* Reserves and fills the record of an operation, all but its kind, in
 * the room made for its compact form: a repeat record if the thread
 * published a compact record of the same contents in this chunk, else a
 * compact record.  *publish gets the kind that publishes it.  NULL when
 * its time does not fit: the thread started this chunk more than 4 s
 * ago; the slot then stays unpublished (readers skip it). */
static struct gct_rec_compact *
fill_op(struct gct_thread *t, int kind, uint64_t obj, uint64_t arg,
        uint16_t *publish)
{
    uint16_t k = (uint16_t)(kind | GCT_REC_COMPACT);
    const struct gct_repeat_slot *s =
        repeat_find(t, repeat_set(t, k, obj, arg), k, obj, arg);
    bool again = s != NULL;
    size_t bytes = again ? sizeof(struct gct_rec_repeat) : compact_size(arg);
    /* The base of the chunk that holds the slot, read with the
     * reservation: the time, taken after both, cannot be earlier (a
     * thread's times do not go back, and the base was one of them). */
    int64_t base = t->chunk_base;
    struct gct_rec_compact *r = reserve(t, bytes);
    r->words = (uint16_t)(bytes / 8);
    uint64_t dts = (uint64_t)(record_time(t) - base);
    if (GCT_UNLIKELY(dts > UINT32_MAX))
        return NULL;
    r->dts = (uint32_t)dts;
    if (again) {
        *publish = (uint16_t)(GCT_REC_COMPACT | s->off8);
        return r;
    }
    r->obj = obj;
    if (arg != 0)
        *(uint64_t *)(r + 1) = arg;
    *publish = k;
    return r;
}

/* Remembers the compact record r, just published as kind, for repeats,
 * if it lies in the thread's current chunk (a signal handler that
 * recorded between a prepared record's filling and its publishing may
 * have moved the thread on). */
void
gct_repeat_learn(struct gct_thread *t, const struct gct_rec_compact *r,
                 uint16_t kind)
{
    const char *p = (const char *)r;
    if (t->chunk == NULL || p < t->chunk || p >= t->chunk + t->chunk_used)
        return;
    uint64_t arg = r->words == 3 ? *(const uint64_t *)(r + 1) : 0;
    /* The newest in the set's first way, the one it displaces in the
     * second, unless it was the same contents from an older chunk: the
     * set keeps the two most recently published. */
    _Static_assert(GCT_REPEAT_WAYS == 2, "gct_repeat_learn's two ways");
    struct gct_repeat_slot *s = repeat_set(t, kind, r->obj, arg);
    if (s[0].kind != kind || s[0].obj != r->obj || s[0].arg != arg)
        s[1] = s[0];
    s[0] = (struct gct_repeat_slot){r->obj, arg, t->chunk_seq, kind,
                                    (uint16_t)((p - t->chunk) / 8)};
}

void
gct_emit_compact(struct gct_thread *t, int kind, uint64_t obj, uint8_t a,
                 uint64_t b)
{
    uint64_t arg = (uint64_t)a << GCT_REC_COMPACT_B_BITS | b;
    uint16_t publish;

    if (GCT_UNLIKELY(b >> GCT_REC_COMPACT_B_BITS)) {
        gct_emit(t, kind, 0, obj, a, (int64_t)b, NULL, 0);
        return;
    }
    if (!make_room(t, compact_size(arg)))
        return;
    struct gct_rec_compact *r = fill_op(t, kind, obj, arg, &publish);
    if (r != NULL)
        gct_publish_op(t, r, publish);
    else
        gct_emit(t, kind, 0, obj, a, (int64_t)b, NULL, 0);
}

struct gct_prepared
gct_prepare_compact(struct gct_thread *t, int kind, uint64_t obj, uint8_t a,
                    uint64_t b)
{
    uint64_t arg = (uint64_t)a << GCT_REC_COMPACT_B_BITS | b;
    struct gct_prepared p = {NULL, 0};

    struct gct_enter en = gct_enter(t);
    /* Only in the chunk at hand: moving to a new one makes system calls. */
    if (!(b >> GCT_REC_COMPACT_B_BITS) && t->chunk != NULL &&
        t->chunk_used + compact_size(arg) <= GCT_LOG_CHUNK_SIZE)
        p.rec = fill_op(t, kind, obj, arg, &p.kind);
    t->prepared = p.rec;
    gct_leave(&en);
    return p;
}

/* ------------------------------------------------------------ modules */

/* Only touched from dl_iterate_phdr callbacks, which glibc runs under
 * the loader's lock: no lock of our own is needed. */
bool
gct_module_span(const struct dl_phdr_info *info, uintptr_t *lo,
                uintptr_t *hi)
{
    *lo = UINTPTR_MAX;
    *hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        if (start < *lo)
            *lo = start;
        if (start + ph->p_memsz > *hi)
            *hi = start + ph->p_memsz;
    }
    return *hi != 0;
}

#define MAX_MODULES 512
static uintptr_t seen_modules[MAX_MODULES];
static int nseen;

static int
module_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    struct gct_thread *t = data;
    char exe[PATH_MAX];
    const char *path = info->dlpi_name;
    uintptr_t lo, hi;

    (void)size;
    if (!gct_module_span(info, &lo, &hi))
        return 0;
    for (int i = 0; i < nseen; i++)
        if (seen_modules[i] == lo)
            return 0;
    if (path == NULL || path[0] == '\0') {
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0)
            return 0;
        exe[n] = '\0';
        path = exe;
    }
    if (path[0] != '/')
        return 0; /* the vDSO: no file to read symbols from */
    if (nseen < MAX_MODULES)
        seen_modules[nseen++] = lo;
    gct_emit(t, GCT_REC_MODULE, 0, info->dlpi_addr, (int64_t)lo, (int64_t)hi,
             path, strlen(path) + 1);
    return 0;
}

void
gct_log_modules(struct gct_thread *t)
{
    dl_iterate_phdr(module_cb, t);
}
