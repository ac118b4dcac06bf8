/*
 * rawlog_read.c - reading a raw log for the finishing step (rawlog_read.h):
 * the chunks, the records in each (rawlog.h says how a reader tells
 * written from unwritten), and their order.
 *
 * Nothing here knows what a record means: that is the model's
 * (finish_model.c).
 */
#include "rawlog_read.h"

#include "map.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static void
fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

const struct gct_rec *
gct_rawlog_rec(const struct gct_rawlog *log, const struct gct_rec_ref *ref,
               struct gct_rec *buf)
{
    const uint8_t *p = log->base + GCT_LOG_HEADER_SIZE +
                       (size_t)ref->chunk * GCT_LOG_CHUNK_SIZE + ref->src;
    const struct gct_rec_compact *c = (const void *)p;

    if (!(c->kind & GCT_REC_COMPACT))
        return (const struct gct_rec *)p;
    /* its time is the one collect() computed into the ref */
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
 * count as holes on file systems that report unwritten blocks so.)  A
 * log in a buffer has no holes. */
static bool
chunk_missing(const struct gct_rawlog *log, uint64_t c)
{
    if (log->fd < 0)
        return false;
    off_t off = GCT_LOG_HEADER_SIZE + (off_t)c * GCT_LOG_CHUNK_SIZE;
    off_t data = lseek(log->fd, off, SEEK_DATA);

    if (data < 0)
        return errno == ENXIO; /* nothing but holes from off to the end */
    return data > off;
}

/* Notes whether process pid still runs, before its records are read: a
 * process that does (a daemon that outlives the program) may add more
 * after, so what it was doing is no end.  Its program is kept, so that a
 * pid another program took since does not count. */
static void
note_process(struct gct_rawlog *log, int pid)
{
    char link[64], exe[PATH_MAX];

    for (size_t i = 0; i < log->nlive; i++)
        if (log->live[i].pid == pid)
            return;
    snprintf(link, sizeof link, "/proc/%d/exe", pid);
    ssize_t n = readlink(link, exe, sizeof exe - 1);
    if (n > 0)
        exe[n] = '\0';
    struct gct_live_process p = {pid, n > 0 ? gct_xstrdup(exe) : NULL};
    GCT_PUSH(log->live, log->nlive, log->caplive, p);
}

/* Every published record of every chunk, in the chunks' order. */
static void
collect(struct gct_rawlog *log)
{
    uint64_t n = log->hdr->next_chunk;
    uint64_t fit = (log->size - GCT_LOG_HEADER_SIZE) / GCT_LOG_CHUNK_SIZE;
    if (n > fit)
        n = fit; /* chunks handed out but never allocated (disk full) */
    log->nchunks = n;
    for (uint64_t c = 0; c < n; c++) {
        const uint8_t *p = log->base + GCT_LOG_HEADER_SIZE +
                           (size_t)c * GCT_LOG_CHUNK_SIZE;
        const struct gct_chunk_head *h = (const void *)p;
        if (chunk_missing(log, c) || h->magic != GCT_CHUNK_MAGIC)
            continue;
        struct gct_chunk_owner owner = {h->pid, h->tid, h->seq};
        GCT_PUSH(log->owners, log->nowners, log->capowners, owner);
        note_process(log, h->pid);
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
                owner = (struct gct_chunk_owner){(int)r->a, (int)r->b,
                                                 (uint32_t)r->obj};
                GCT_PUSH(log->owners, log->nowners, log->capowners, owner);
                note_process(log, owner.pid);
            } else if (r->kind != 0 && src != 0) {
                struct gct_rec_ref ref = {ts, (uint32_t)c, off,
                                          (uint32_t)(log->nowners - 1), src};
                GCT_PUSH(log->refs, log->nrefs, log->caprefs, ref);
            }
            off += bytes;
        }
    }
}

/* By time, then by writer and place, so that records of one time keep
 * each thread's order. */
static int
cmp_ref(const void *x, const void *y, void *arg)
{
    const struct gct_rec_ref *a = x, *b = y;
    const struct gct_chunk_owner *owners = arg;
    if (a->ts != b->ts)
        return a->ts < b->ts ? -1 : 1;
    const struct gct_chunk_owner *ca = &owners[a->owner];
    const struct gct_chunk_owner *cb = &owners[b->owner];
    if (ca->pid != cb->pid)
        return ca->pid < cb->pid ? -1 : 1;
    if (ca->tid != cb->tid)
        return ca->tid < cb->tid ? -1 : 1;
    if (ca->seq != cb->seq)
        return ca->seq < cb->seq ? -1 : 1;
    return a->off < b->off ? -1 : a->off > b->off;
}

int
gct_rawlog_read(struct gct_rawlog *log, int fd, const void *buf, size_t size,
                const char *name, char *err, size_t errlen)
{
    struct stat st;

    *log = (struct gct_rawlog){.fd = fd};
    if (fd >= 0) {
        if (fstat(fd, &st) != 0 || st.st_size < GCT_LOG_HEADER_SIZE) {
            fail(err, errlen, "%s: not a gctrace raw log (too short)", name);
            return -1;
        }
        size = (size_t)st.st_size;
        void *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) {
            fail(err, errlen, "%s: %s", name, strerror(errno));
            return -1;
        }
        log->base = p;
        log->mapped = true;
    } else {
        if (size < GCT_LOG_HEADER_SIZE) {
            fail(err, errlen, "%s: not a gctrace raw log (too short)", name);
            return -1;
        }
        log->base = buf;
    }
    log->size = size;
    log->hdr = (const void *)log->base;
    if (memcmp(log->hdr->magic, GCT_LOG_MAGIC, 8) != 0 ||
        log->hdr->version != GCT_LOG_VERSION ||
        log->hdr->chunk_size != GCT_LOG_CHUNK_SIZE) {
        fail(err, errlen, "%s: not a gctrace raw log of this version", name);
        return -1;
    }
    collect(log);
    log->fd = -1; /* the caller's, and needed no more */
    if (log->nrefs > 1)
        qsort_r(log->refs, log->nrefs, sizeof *log->refs, cmp_ref,
                log->owners);
    return 0;
}

void
gct_rawlog_free(struct gct_rawlog *log)
{
    for (size_t i = 0; i < log->nlive; i++)
        free(log->live[i].exe);
    free(log->live);
    free(log->refs);
    free(log->owners);
    if (log->mapped)
        munmap((void *)log->base, log->size);
    *log = (struct gct_rawlog){.fd = -1};
}

bool
gct_rawlog_was_running(const struct gct_rawlog *log, int64_t pid,
                       const char *exe)
{
    for (size_t i = 0; i < log->nlive; i++)
        if (log->live[i].pid == pid)
            return log->live[i].exe && exe &&
                   strcmp(log->live[i].exe, exe) == 0;
    return false;
}

size_t
gct_rec_payload_len(const struct gct_rec *r)
{
    return (size_t)r->words * 8 - sizeof *r;
}

char *
gct_rec_payload_str(const struct gct_rec *r)
{
    size_t n = gct_rec_payload_len(r);
    if (n == 0)
        return NULL;
    const char *p = (const char *)(r + 1);
    size_t len = strnlen(p, n);
    char *s = gct_xmalloc(len + 1);
    memcpy(s, p, len);
    s[len] = '\0';
    return s;
}
