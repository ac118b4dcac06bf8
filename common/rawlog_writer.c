/*
 * rawlog_writer.c - a raw log built in memory and written out at once
 * (rawlog_writer.h says who needs one and why).
 */
#include "rawlog_writer.h"

#include "rawlog.h"
#include "safe_file.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A thread's count of runs so far: its next run's chunk number. */
struct run_count {
    int pid, tid;
    uint32_t runs;
};

struct gct_rawlog_writer {
    struct gct_rawlog_info info;
    uint8_t *chunks;     /* nchunks * GCT_LOG_CHUNK_SIZE, zeroed */
    size_t nchunks;
    uint32_t off;        /* the next free byte of the last chunk */
    int cur_pid, cur_tid; /* whose run the last chunk is in */
    struct run_count *counts;
    size_t ncounts, capcounts;
    uint32_t next_stack;
};

struct gct_rawlog_writer *
gct_rawlog_writer_new(const struct gct_rawlog_info *info)
{
    struct gct_rawlog_writer *w = calloc(1, sizeof *w);
    if (w)
        w->info = *info;
    return w;
}

void
gct_rawlog_writer_free(struct gct_rawlog_writer *w)
{
    if (w == NULL)
        return;
    free(w->chunks);
    free(w->counts);
    free(w);
}

/* Thread (pid, tid)'s next chunk number; UINT32_MAX when out of memory. */
static uint32_t
next_run(struct gct_rawlog_writer *w, int pid, int tid)
{
    for (size_t i = 0; i < w->ncounts; i++)
        if (w->counts[i].pid == pid && w->counts[i].tid == tid)
            return w->counts[i].runs++;
    if (w->ncounts == w->capcounts) {
        size_t cap = w->capcounts ? w->capcounts * 2 : 64;
        struct run_count *c = realloc(w->counts, cap * sizeof *c);
        if (c == NULL)
            return UINT32_MAX;
        w->counts = c;
        w->capcounts = cap;
    }
    w->counts[w->ncounts++] = (struct run_count){pid, tid, 1};
    return 0;
}

int
gct_rawlog_import(struct gct_rawlog_writer *w, const void *log, size_t size,
                  void (*owner)(void *arg, int pid, int tid), void *arg)
{
    const struct gct_log_header *h = log;
    if (w->nchunks != 0 || size < GCT_LOG_HEADER_SIZE ||
        memcmp(h->magic, GCT_LOG_MAGIC, 8) != 0 ||
        h->version != GCT_LOG_VERSION || h->chunk_size != GCT_LOG_CHUNK_SIZE)
        return -1;
    uint64_t n = h->next_chunk;
    if (n > (size - GCT_LOG_HEADER_SIZE) / GCT_LOG_CHUNK_SIZE)
        n = (size - GCT_LOG_HEADER_SIZE) / GCT_LOG_CHUNK_SIZE;
    uint8_t *c = malloc(n ? n * GCT_LOG_CHUNK_SIZE : 1);
    if (c == NULL)
        return -1;
    memcpy(c, (const uint8_t *)log + GCT_LOG_HEADER_SIZE,
           n * GCT_LOG_CHUNK_SIZE);
    /* Every record, whatever its kind, begins with its length in words:
     * enough to find the owner records. */
    for (uint64_t i = 0; i < n; i++) {
        const uint8_t *p = c + i * GCT_LOG_CHUNK_SIZE;
        struct gct_chunk_head ch;
        memcpy(&ch, p, sizeof ch);
        if (ch.magic != GCT_CHUNK_MAGIC)
            continue;
        owner(arg, ch.pid, ch.tid);
        for (size_t off = sizeof ch; off + sizeof(uint32_t) <=
                                     GCT_LOG_CHUNK_SIZE;) {
            uint16_t words, kind;
            memcpy(&words, p + off, sizeof words);
            memcpy(&kind, p + off + 2, sizeof kind);
            if (words == 0 || off + words * 8u > GCT_LOG_CHUNK_SIZE)
                break;
            if (kind == GCT_REC_OWNER && words * 8u >= sizeof(struct gct_rec)) {
                struct gct_rec r;
                memcpy(&r, p + off, sizeof r);
                owner(arg, (int)r.a, (int)r.b);
            }
            off += words * 8u;
        }
    }
    free(w->chunks);
    w->chunks = c;
    w->nchunks = n;
    w->off = GCT_LOG_CHUNK_SIZE; /* the writer's records: new chunks */
    w->next_stack = h->next_stack;
    w->info.start_mono_ns = h->start_mono_ns;
    w->info.start_real_ns = h->start_real_ns;
    w->info.record_mode = h->record_mode;
    return 0;
}

static uint8_t *
last_chunk(struct gct_rawlog_writer *w)
{
    return w->chunks + (w->nchunks - 1) * GCT_LOG_CHUNK_SIZE;
}

/* A new chunk whose first run is (pid, tid)'s. */
static int
new_chunk(struct gct_rawlog_writer *w, int pid, int tid)
{
    uint32_t seq = next_run(w, pid, tid);
    uint8_t *c = realloc(w->chunks, (w->nchunks + 1) * GCT_LOG_CHUNK_SIZE);
    if (seq == UINT32_MAX || c == NULL) {
        if (c)
            w->chunks = c;
        return -1;
    }
    w->chunks = c;
    w->nchunks++;
    memset(last_chunk(w), 0, GCT_LOG_CHUNK_SIZE);
    struct gct_chunk_head h = {.magic = GCT_CHUNK_MAGIC, .pid = pid,
                               .tid = tid, .seq = seq,
                               .base_ts = w->info.start_mono_ns};
    memcpy(last_chunk(w), &h, sizeof h);
    w->off = sizeof h;
    w->cur_pid = pid;
    w->cur_tid = tid;
    return 0;
}

/* Places a record of bytes at the end of the last chunk, in (pid, tid)'s
 * run: a new chunk when it does not fit, an owner record first when the
 * run is another thread's.  Returns where the record goes, or NULL. */
static uint8_t *
reserve(struct gct_rawlog_writer *w, int pid, int tid, size_t bytes)
{
    const size_t owner = sizeof(struct gct_rec);

    if (bytes > GCT_LOG_CHUNK_SIZE - sizeof(struct gct_chunk_head))
        return NULL;
    int other = w->nchunks == 0 || w->cur_pid != pid || w->cur_tid != tid;
    if (w->nchunks == 0 ||
        GCT_LOG_CHUNK_SIZE - w->off < bytes + (other ? owner : 0)) {
        /* a new chunk names its thread in its head */
        if (new_chunk(w, pid, tid) != 0)
            return NULL;
        other = 0;
    }
    if (other) {
        uint32_t seq = next_run(w, pid, tid);
        if (seq == UINT32_MAX)
            return NULL;
        struct gct_rec o = {.words = owner / 8, .kind = GCT_REC_OWNER,
                            .obj = seq, .a = pid, .b = tid};
        memcpy(last_chunk(w) + w->off, &o, sizeof o);
        w->off += owner;
        w->cur_pid = pid;
        w->cur_tid = tid;
    }
    uint8_t *p = last_chunk(w) + w->off;
    w->off += (uint32_t)bytes;
    return p;
}

int
gct_rawlog_emit(struct gct_rawlog_writer *w, int pid, int tid, int kind,
                uint32_t stack, int64_t ts, uint64_t obj, int64_t a,
                int64_t b, const void *payload, size_t len)
{
    size_t bytes = sizeof(struct gct_rec) + ((len + 7) & ~(size_t)7);
    if (kind <= 0 || kind >= GCT_REC_COMPACT || bytes / 8 > UINT16_MAX)
        return -1;
    uint8_t *p = reserve(w, pid, tid, bytes);
    if (p == NULL)
        return -1;
    struct gct_rec r = {.words = (uint16_t)(bytes / 8), .kind = (uint16_t)kind,
                        .stack = stack, .ts = ts, .obj = obj, .a = a, .b = b};
    memcpy(p, &r, sizeof r);
    if (len)
        memcpy(p + sizeof r, payload, len); /* the padding is zero */
    return 0;
}

uint32_t
gct_rawlog_compact(struct gct_rawlog_writer *w, int pid, int tid, int kind,
                   int64_t ts, uint64_t obj, int64_t a, int64_t b,
                   bool with_arg)
{
    int64_t dts = ts - w->info.start_mono_ns; /* every chunk's base time */
    uint64_t bmax = (1ull << GCT_REC_COMPACT_B_BITS) - 1;
    if (kind <= 0 || kind >= GCT_REC_COMPACT || dts < 0 ||
        dts > (int64_t)UINT32_MAX || a < 0 || a > 0xff || b < 0 ||
        (uint64_t)b > bmax || (!with_arg && (a || b)))
        return 0;
    size_t bytes = sizeof(struct gct_rec_compact) + (with_arg ? 8 : 0);
    uint8_t *p = reserve(w, pid, tid, bytes);
    if (p == NULL)
        return 0;
    struct gct_rec_compact c = {.words = (uint16_t)(bytes / 8),
                                .kind = (uint16_t)(kind | GCT_REC_COMPACT),
                                .dts = (uint32_t)dts, .obj = obj};
    memcpy(p, &c, sizeof c);
    if (with_arg) {
        uint64_t arg = (uint64_t)a << GCT_REC_COMPACT_B_BITS | (uint64_t)b;
        memcpy(p + sizeof c, &arg, sizeof arg);
    }
    return (uint32_t)(p - last_chunk(w));
}

int
gct_rawlog_repeat(struct gct_rawlog_writer *w, int pid, int tid,
                  uint32_t off, int64_t ts)
{
    int64_t dts = ts - w->info.start_mono_ns;
    const size_t bytes = sizeof(struct gct_rec_repeat);
    /* in the same run of the same chunk as the record it repeats, which
     * comes before it there */
    if (w->nchunks == 0 || w->cur_pid != pid || w->cur_tid != tid ||
        GCT_LOG_CHUNK_SIZE - w->off < bytes || off == 0 || off % 8 ||
        off >= w->off || dts < 0 || dts > (int64_t)UINT32_MAX)
        return -1;
    struct gct_rec_compact c;
    memcpy(&c, last_chunk(w) + off, sizeof c);
    if (!(c.kind & GCT_REC_COMPACT) || (c.words != 2 && c.words != 3))
        return -1;
    uint8_t *p = reserve(w, pid, tid, bytes);
    if (p == NULL)
        return -1;
    struct gct_rec_repeat r = {.words = 1,
                               .kind = (uint16_t)(GCT_REC_COMPACT | off / 8),
                               .dts = (uint32_t)dts};
    memcpy(p, &r, sizeof r);
    return 0;
}

uint32_t
gct_rawlog_stack(struct gct_rawlog_writer *w, int pid, int tid, int64_t ts,
                 const uint64_t *pcs, int n)
{
    if (n <= 0)
        return 0;
    uint32_t id = ++w->next_stack;
    if (gct_rawlog_emit(w, pid, tid, GCT_REC_STACK, 0, ts, id, n, 0, pcs,
                        (size_t)n * sizeof *pcs) != 0)
        return 0;
    return id;
}

static int
write_all(int fd, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* The log's header page, in state (gct_log_state). */
static void
header_page(const struct gct_rawlog_writer *w, int state, int exit_status,
            uint8_t page[GCT_LOG_HEADER_SIZE])
{
    struct gct_log_header h = {0};

    memset(page, 0, GCT_LOG_HEADER_SIZE); /* the header page's rest */
    memcpy(h.magic, GCT_LOG_MAGIC, 8);
    h.version = GCT_LOG_VERSION;
    h.chunk_size = GCT_LOG_CHUNK_SIZE;
    h.max_chunks = w->nchunks;
    h.next_chunk = w->nchunks;
    h.state = (uint32_t)state;
    h.next_stack = w->next_stack;
    h.root_pid = w->info.root_pid;
    h.record_mode = w->info.record_mode;
    h.start_mono_ns = w->info.start_mono_ns;
    h.start_real_ns = w->info.start_real_ns;
    h.exit_status = exit_status;
    memcpy(page, &h, sizeof h);
}

void *
gct_rawlog_image(struct gct_rawlog_writer *w, int state, int exit_status,
                 size_t *size)
{
    size_t chunks = w->nchunks * GCT_LOG_CHUNK_SIZE;
    uint8_t *p = malloc(GCT_LOG_HEADER_SIZE + chunks);
    if (p == NULL)
        return NULL;
    header_page(w, state, exit_status, p);
    if (chunks)
        memcpy(p + GCT_LOG_HEADER_SIZE, w->chunks, chunks);
    *size = GCT_LOG_HEADER_SIZE + chunks;
    return p;
}

int
gct_rawlog_write(struct gct_rawlog_writer *w, const char *path, int state,
                 int exit_status)
{
    uint8_t page[GCT_LOG_HEADER_SIZE];

    header_page(w, state, exit_status, page);

    /* made whole under a name nobody could have planted, then renamed
     * into place (safe_file.h) */
    char tmp[4096];
    const char *why;
    int fd = gct_create_temp(path, tmp, sizeof tmp);
    if (fd < 0)
        return -1;
    errno = 0;
    bool ok = write_all(fd, page, sizeof page) == 0 &&
              write_all(fd, w->chunks, w->nchunks * GCT_LOG_CHUNK_SIZE) == 0;
    int e = errno ? errno : EIO;
    if (close(fd) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        unlink(tmp);
        errno = e;
        return -1;
    }
    if (!gct_may_replace(path, &why)) {
        unlink(tmp);
        errno = EEXIST;
        return -1;
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        errno = e;
        return -1;
    }
    return 0;
}
