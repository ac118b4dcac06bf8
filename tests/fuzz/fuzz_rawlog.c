/*
 * fuzz_rawlog.c - libFuzzer harness for finishing raw logs
 * (common/finish.c), then reading and analysing the result
 * (trace_read.c, analysis.c, findings_out.c).
 *
 * Input layout.  A real raw log is a 4 KiB header page and 64 KiB chunks
 * that are mostly zeros (a thread's records fill a chunk from its start).
 * Feeding files that size would make every mutation land in zeros, so the
 * input is a compact form that the harness expands:
 *
 *     struct gct_log_header            (sizeof, 88 bytes; a short input
 *                                       keeps the rest of a real header)
 *     slice 0, slice 1, ...            (SLICE bytes each)
 *
 * Slice i becomes the first SLICE bytes of chunk i; the rest of the chunk
 * reads as zeros, which the format defines as "nothing written".  A short
 * last slice ends the file right after it, as a truncated log would.
 * When bit 0 of the header's reserved1 is set (never in a real log), a
 * whole slice fills its chunk to the last byte instead, as a thread that
 * kept recording leaves it: the chunk head (the slice's first bytes),
 * then the rest of the slice over and over, the last copy cut short.
 * tests/fuzz/corpus/fuzz_rawlog holds real logs in this form (docs/fuzzing.md
 * says how they were made).
 *
 * The raw log's mapping has an inaccessible page after it (mmap below),
 * so that a read past the end of its last chunk faults.
 *
 * Checked beyond crashes, leaks and UB: gct_finish fails with a message or
 * produces a trace that gct_trace_open accepts; the JSON writer's output
 * is well-formed JSON.
 */
#include "analysis.h"
#include "rawlog.h"
#include "trace.h"
#include "fuzz_util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SLICE 4096

static char dir[64], trace[128], raw[160];

/* The raw log being finished, by device and inode (0: none). */
static dev_t raw_dev;
static ino_t raw_ino;

/* gct_finish maps the raw log whole.  A read past the end of its last
 * chunk lands past the end of the file, in whatever the process mapped
 * next, and goes unnoticed (one did, until make test-asan happened on
 * an unmapped page there).  This mmap, which the harness's executable
 * puts in front of libc's, leaves the page after the raw log's mapping
 * inaccessible, so that such a read faults.  The guard page outlives
 * the mapping: address space only, a page per input. */
void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    struct stat st;

    if (raw_ino != 0 && fd >= 0 && addr == NULL && fstat(fd, &st) == 0 &&
        st.st_dev == raw_dev && st.st_ino == raw_ino) {
        size_t page = (size_t)sysconf(_SC_PAGESIZE);
        size_t span = (len + page - 1) / page * page;
        void *p = (void *)syscall(SYS_mmap, NULL, span + page, PROT_NONE,
                                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return p;
        return (void *)syscall(SYS_mmap, p, len, prot, flags | MAP_FIXED, fd,
                               off);
    }
    return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

static void
cleanup(void)
{
    unlink(raw);
    unlink(trace);
    rmdir(dir);
}

/* ------------------------------------------------------------ JSON */

/* A strict recursive-descent JSON checker: returns the end of one value
 * starting at p (after white space), or NULL when it is not one. */
static const char *value(const char *p, int depth);

static const char *
ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
        p++;
    return p;
}

static const char *
string(const char *p)
{
    if (*p++ != '"')
        return NULL;
    for (;;) {
        unsigned char c = (unsigned char)*p++;
        if (c == '"')
            return p;
        if (c < 0x20)
            return NULL; /* includes the terminating NUL */
        if (c == '\\') {
            c = (unsigned char)*p++;
            if (c == 'u') {
                for (int i = 0; i < 4; i++, p++)
                    if (!((*p >= '0' && *p <= '9') ||
                          (*p >= 'a' && *p <= 'f') ||
                          (*p >= 'A' && *p <= 'F')))
                        return NULL;
            } else if (!strchr("\"\\/bfnrt", c) || c == '\0') {
                return NULL;
            }
        }
    }
}

static const char *
number(const char *p)
{
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (*p >= '0' && *p <= '9')
            p++;
    else
        return NULL;
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9'))
            return NULL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return NULL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return p;
}

static const char *
value(const char *p, int depth)
{
    p = ws(p);
    if (depth > 64)
        return NULL;
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        bool object = *p == '{';
        p = ws(p + 1);
        if (*p == close)
            return p + 1;
        for (;;) {
            if (object) {
                p = string(ws(p));
                if (p == NULL || *(p = ws(p)) != ':')
                    return NULL;
                p++;
            }
            p = value(p, depth + 1);
            if (p == NULL)
                return NULL;
            p = ws(p);
            if (*p == close)
                return p + 1;
            if (*p++ != ',')
                return NULL;
        }
    }
    if (*p == '"')
        return string(p);
    if (!strncmp(p, "true", 4))
        return p + 4;
    if (!strncmp(p, "false", 5))
        return p + 5;
    if (!strncmp(p, "null", 4))
        return p + 4;
    return number(p);
}

static void
check_json(const struct gct_findings *fs)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    check(m != NULL);
    gct_findings_json(m, fs, NULL);
    check(fclose(m) == 0);
    check(strlen(buf) == len); /* no NUL inside */
    const char *end = value(buf, 0);
    check(end != NULL && *ws(end) == '\0');
    free(buf);
}

/* ------------------------------------------------------------ input */

/* A header as the shim writes it, for inputs too short to carry one. */
static void
default_header(struct gct_log_header *h)
{
    memset(h, 0, sizeof *h);
    memcpy(h->magic, GCT_LOG_MAGIC, 8);
    h->version = GCT_LOG_VERSION;
    h->chunk_size = GCT_LOG_CHUNK_SIZE;
    h->max_chunks = 16384;
    h->next_chunk = 1;
    h->state = GCT_LOG_EXITED;
    h->next_stack = 1;
    h->root_pid = 4242;
    h->record_mode = GCT_RECORD_ALL;
    h->start_mono_ns = 1000000000;
    h->start_real_ns = 1700000000000000000;
}

/* Writes the expanded raw log; false when the disk refused. */
static bool
write_raw(const uint8_t *data, size_t size)
{
    struct gct_log_header h;
    size_t hn = size < sizeof h ? size : sizeof h;
    default_header(&h);
    memcpy(&h, data, hn);
    data += hn;
    size -= hn;

    FILE *fp = fopen(raw, "w");
    if (fp == NULL)
        return false;
    bool ok = fwrite(&h, sizeof h, 1, fp) == 1;
    bool fill = h.reserved1 & 1;
    const size_t head = sizeof(struct gct_chunk_head);
    size_t off = GCT_LOG_HEADER_SIZE;
    for (size_t i = 0; ok && size > 0; i++) {
        size_t n = size < SLICE ? size : SLICE;
        off = GCT_LOG_HEADER_SIZE + i * GCT_LOG_CHUNK_SIZE;
        ok = fseek(fp, (long)off, SEEK_SET) == 0 &&
             fwrite(data, 1, n, fp) == n;
        for (size_t at = n; ok && fill && n == SLICE &&
                            at < GCT_LOG_CHUNK_SIZE;) {
            size_t k = SLICE - head;
            if (k > GCT_LOG_CHUNK_SIZE - at)
                k = GCT_LOG_CHUNK_SIZE - at;
            ok = fwrite(data + head, 1, k, fp) == k;
            at += k;
        }
        /* a whole slice stands for a whole chunk; a short one ends the
         * file there */
        off += n == SLICE ? GCT_LOG_CHUNK_SIZE : n;
        data += n;
        size -= n;
    }
    ok = ok && fflush(fp) == 0 && ftruncate(fileno(fp), (off_t)off) == 0;
    return fclose(fp) == 0 && ok;
}

/* What a finished trace must allow: opening, analysing, every writer. */
static void
read_back(void)
{
    char err[512] = "";
    sqlite3 *db = gct_trace_open(trace, err, sizeof err);
    if (db == NULL) {
        fprintf(stderr, "fuzz_rawlog: finished trace does not open: %s\n",
                err);
        abort();
    }
    struct gct_findings fs;
    if (gct_analyze(db, &fs, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz_rawlog: finished trace fails analysis: %s\n",
                err);
        abort();
    }
    gct_findings_json(fuzz_devnull(), &fs, trace);
    gct_findings_text(fuzz_devnull(), &fs, true);
    gct_findings_sarif(fuzz_devnull(), &fs, NULL);
    check_json(&fs);
    gct_findings_free(&fs);
    sqlite3_close(db);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512] = "";
    struct gct_finish_opts o = {.exit_status = -1};

    fuzz_make_trace_dir(dir, sizeof dir, trace, sizeof trace, "raw");
    snprintf(raw, sizeof raw, "%s%s", trace, GCT_LOG_SUFFIX);
    if (write_raw(data, size)) {
        struct stat st;
        check(stat(raw, &st) == 0);
        raw_dev = st.st_dev;
        raw_ino = st.st_ino;
        int r = gct_finish(trace, &o, err, sizeof err);
        raw_ino = 0;
        if (r == 0) {
            /* finished: the raw log is consumed */
            check(access(raw, F_OK) != 0);
            read_back();
        } else {
            check(err[0] != '\0');
        }
    }
    cleanup();
    return 0;
}
