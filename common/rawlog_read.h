/*
 * rawlog_read.h - reading a raw log (rawlog.h) for the finishing step:
 * every published record of every chunk, as references sorted by time.
 *
 * The log is read where it lies (a mapping of the file, or a buffer the
 * caller holds) and never written.  Invariants of a read log: every ref
 * names a published record, or a repeat whose compact record was met
 * before it in the same chunk; refs are sorted by time, and records of
 * the same time by their writer (pid, tid, chunk sequence) and offset,
 * so that each thread's own order is kept.  A damaged log yields fewer
 * records, never a read outside it.
 */
#ifndef GCT_RAWLOG_READ_H
#define GCT_RAWLOG_READ_H

#include "rawlog.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Who wrote a run of records: a chunk's first owner, or the thread a
 * GCT_REC_OWNER record handed the rest of the chunk to. */
struct gct_chunk_owner {
    int pid, tid;
    uint32_t seq;
};

/* One record of the log. */
struct gct_rec_ref {
    int64_t ts;     /* its time (a compact record's, computed) */
    uint32_t chunk;
    uint32_t off;
    uint32_t owner; /* index into the owners */
    uint32_t src;   /* the offset of the record that holds its contents:
                       off, or for a repeat the compact record repeated */
};

/* A process that was still running as its records were read, and its
 * program then. */
struct gct_live_process {
    int pid;
    char *exe; /* NULL: it was not running */
};

struct gct_rawlog {
    const uint8_t *base;
    size_t size;
    bool mapped; /* base is a mapping of ours, unmapped by gct_rawlog_free */
    int fd;      /* the file, while the chunks are read; -1: a buffer */
    const struct gct_log_header *hdr;
    struct gct_chunk_owner *owners;
    size_t nowners, capowners;
    size_t nchunks;
    struct gct_rec_ref *refs;
    size_t nrefs, caprefs;
    struct gct_live_process *live; /* each pid met, in order */
    size_t nlive, caplive;
};

/*
 * Reads the raw log in fd (name: for messages), or, when fd < 0, the
 * size bytes at buf, which must stay until gct_rawlog_free.  Returns 0,
 * or -1 with a one-line message in err; either way gct_rawlog_free frees
 * what was read.  fd is the caller's to close.
 */
int gct_rawlog_read(struct gct_rawlog *log, int fd, const void *buf,
                    size_t size, const char *name, char *err, size_t errlen);
void gct_rawlog_free(struct gct_rawlog *log);

/* The record ref points at.  A compact one is expanded into *buf. */
const struct gct_rec *gct_rawlog_rec(const struct gct_rawlog *log,
                                     const struct gct_rec_ref *ref,
                                     struct gct_rec *buf);

/* Whether process pid, whose program was exe, was running as its records
 * were read. */
bool gct_rawlog_was_running(const struct gct_rawlog *log, int64_t pid,
                            const char *exe);

/* A record's payload: its length in bytes, and a NUL-terminated copy of
 * it as a string (NULL when there is none). */
size_t gct_rec_payload_len(const struct gct_rec *r);
char *gct_rec_payload_str(const struct gct_rec *r);

#endif
