/*
 * rawlog.h - the crash-safe event log that the shim writes and `gctrace`
 * turns into a sqlite trace.
 *
 * Why a raw log and not sqlite in the program: a writer inside the traced
 * process dies with it.  The shim maps a file MAP_SHARED and stores records
 * into it with plain memory writes; the kernel owns those pages, so every
 * record stored before a SIGKILL, a SIGSEGV or an abort() is in the file.
 * Converting to sqlite ("finishing") happens outside the program's fate:
 * in `gctrace run` after the program ends, in a `gctrace finish` the shim
 * spawns at exit, or in whichever gctrace command next opens the trace.
 *
 * Layout: a header page, then fixed-size chunks.  Each thread takes a whole
 * chunk (one atomic fetch_add on the header) and fills it alone, so the hot
 * path takes no lock.  A chunk starts with a gct_chunk_head naming its
 * process and thread; records follow, 8-byte aligned.  A GCT_REC_OWNER
 * record passes the rest of a chunk to another thread.
 *
 * A record is published in two steps: `words` (its length) is stored first,
 * `kind` last with release order.  A reader stops at words == 0 (the rest of
 * the chunk is unwritten, as new file pages read as zeros) and skips a
 * record whose kind is still 0 (one interrupted by a crash, or the end of
 * a wait on a lock, reserved with the wait's begin, when the wait never
 * ended).  Space is reserved before a record is filled, so a signal
 * handler that records while its thread was mid-record cannot overwrite
 * it; records so need not lie in time order within a chunk.
 */
#ifndef GCT_RAWLOG_H
#define GCT_RAWLOG_H

#include <stdatomic.h>
#include <stdint.h>

#define GCT_LOG_MAGIC "GCTLOG\0\1"
#define GCT_LOG_VERSION 3
#define GCT_LOG_HEADER_SIZE 4096
#define GCT_LOG_CHUNK_SIZE (64 * 1024)
/* The suffix of the raw log beside the trace: trace.db -> trace.db.raw */
#define GCT_LOG_SUFFIX ".raw"

/* Header states. */
enum gct_log_state {
    GCT_LOG_RUNNING = 1, /* a process is (or was, if it died) writing */
    GCT_LOG_EXITED = 2,  /* the root process exited through exit/return */
    GCT_LOG_SNAPSHOT = 3, /* written from outside (gctrace attach): every
                             thread of the root process was seen stopped
                             at one moment, which the records describe;
                             the process went on afterwards */
};

/* Record modes (GCTRACE_OPTIONS record=...). */
enum gct_record_mode {
    GCT_RECORD_COUNTERS = 0, /* thread lifetimes, edges, counters */
    GCT_RECORD_BLOCKING = 1, /* + every wait that blocks (default) */
    GCT_RECORD_ALL = 2,      /* + every operation */
};

struct gct_log_header {
    char magic[8];
    uint32_t version;
    uint32_t chunk_size;
    uint64_t max_chunks;          /* the file never grows beyond this */
    _Atomic uint64_t next_chunk;  /* chunks handed out so far */
    _Atomic uint64_t dropped;     /* records lost for want of space */
    _Atomic uint32_t state;       /* gct_log_state */
    _Atomic uint32_t next_stack;  /* stack ids handed out */
    int32_t root_pid;             /* the process that created the log */
    int32_t record_mode;          /* gct_record_mode */
    int64_t start_mono_ns;        /* CLOCK_MONOTONIC at creation */
    int64_t start_real_ns;        /* CLOCK_REALTIME at creation */
    int32_t exit_status;          /* valid when state == EXITED */
    /* ms after start_mono_ns when the root process was last seen alive
     * by the recorder's background thread (every quarter of the
     * watchdog's delay): a killed run ended no earlier.  0: never. */
    _Atomic uint32_t alive_ms;
    _Atomic uint32_t watchdog_findings; /* deadlocks the watchdog saw */
    uint32_t reserved1;
};

struct gct_chunk_head {
    uint32_t magic;   /* GCT_CHUNK_MAGIC */
    int32_t pid;
    int32_t tid;
    uint32_t seq;     /* the thread's n-th chunk, from 0 */
    int64_t base_ts;  /* CLOCK_MONOTONIC ns when the chunk was started:
                         compact records' times count from it */
};
#define GCT_CHUNK_MAGIC 0x6b6e6863u /* "chnk" */

/*
 * One record.  Most events fit the fixed part exactly (40 bytes); records
 * that carry a string or a stack add a payload after it, padded to 8 bytes.
 */
struct gct_rec {
    uint16_t words;           /* total length in 8-byte words; 0: end */
    _Atomic uint16_t kind;    /* gct_ev or gct_rec_kind; 0: unpublished */
    uint32_t stack;           /* stack id, 0 for none */
    int64_t ts;               /* CLOCK_MONOTONIC ns */
    uint64_t obj;
    int64_t a;
    int64_t b;
    /* payload follows */
};

/*
 * A compact record: 16 bytes, or 24 with one argument word, for the
 * operations record=all writes by the million (lock acquisitions and
 * releases).  Half the bytes of a full record is half the page-cache
 * pages to allocate, zero and write back per operation, and those were
 * the larger part of record=all's cost.  `kind` has GCT_REC_COMPACT set;
 * the time is dts ns after the chunk's base_ts (a writer whose delta does
 * not fit writes a full record instead); stack is 0; with words == 3,
 * a = arg >> 56 and b = arg's low 56 bits (user-space addresses and
 * small flags), else a = b = 0.
 */
struct gct_rec_compact {
    uint16_t words;           /* 2 or 3 */
    _Atomic uint16_t kind;    /* gct_ev | GCT_REC_COMPACT; 0: unpublished */
    uint32_t dts;
    uint64_t obj;
    /* words == 3: uint64_t arg */
};
#define GCT_REC_COMPACT 0x8000
#define GCT_REC_COMPACT_B_BITS 56

/*
 * A repeat record: 8 bytes, for an operation that a compact record of
 * the same chunk already described (same kind, object and argument: a
 * lock taken again at the same call site) happening again at a new time.
 * A nested-lock loop under record=all wrote 80 bytes per iteration in
 * compact records and 32 in repeats; the pages those bytes fill were most
 * of record=all's cost.  words == 1; `kind` is GCT_REC_COMPACT | the
 * offset in the chunk of the compact record repeated, in 8-byte words.
 * That record comes earlier in the chunk and is published: a writer
 * repeats only records it has published, and only in their chunk.  The
 * time is dts ns after the chunk's base_ts, as for a compact record.
 */
struct gct_rec_repeat {
    uint16_t words;           /* 1 */
    _Atomic uint16_t kind;    /* GCT_REC_COMPACT | offset / 8;
                                 0: unpublished */
    uint32_t dts;
};
#define GCT_REC_REPEAT_OFF_MASK 0x1fff /* GCT_LOG_CHUNK_SIZE / 8 - 1 */

/* Record kinds that are not events (above every gct_ev value). */
enum gct_rec_kind {
    GCT_REC_STACK = 1000,   /* obj = stack id, a = frame count,
                               payload = uint64_t pcs[a], innermost first */
    GCT_REC_MODULE = 1001,  /* obj = load bias, a = lowest address,
                               b = highest address, payload = path */
    GCT_REC_PROC = 1002,    /* a = pid, b = ppid, payload = exe '\0'
                               argv[0] '\0' argv[1] '\0' ... */
    GCT_REC_COUNT = 1003,   /* obj = lock, a = acquisitions since the last
                               count record of this thread for obj */
    GCT_REC_FINDING = 1005, /* reserved */
    GCT_REC_OWNER = 1006,   /* the chunk changes hands: the records after
                               it are thread b's of process a, its chunk
                               number obj.  A thread that ends hands the
                               rest of its chunk to the next new thread,
                               so short-lived threads do not each take a
                               whole chunk. */
    GCT_REC_OPTIONS = 1007, /* payload = the process's GCTRACE_OPTIONS,
                               which the analyses read too */
    GCT_REC_WAITS = 1008,   /* waits counted, not written one by one:
                               stack = their stack, obj = the object,
                               a = the wait reason, b = how many since the
                               thread's last such record for the same
                               object, reason and stack; payload = struct
                               gct_wait_sum.  See below. */
};

/*
 * Short waits, counted.  A wait on a lock (mutex or rwlock) that ends within
 * the wait_threshold_us option's time is taken back out of the log (its
 * begin and end records, preload/locks.c) and counted in the thread's
 * table of wait sites, keyed by object, reason and stack; the table's
 * rows are written as GCT_REC_WAITS records when a row is evicted and
 * when the thread or the process ends.  So a contended loop writes a
 * record per distinct (thread, object, call path), not per wait.
 *
 * The histogram's buckets are powers of 4 from 1 us: bucket 0 holds waits
 * under 1 us, bucket i (1 <= i < GCT_WAIT_HIST - 1) those in
 * [4^(i-1), 4^i) us, the last one every longer wait.
 */
#define GCT_WAIT_HIST 10

struct gct_wait_sum {
    int64_t total_ns;
    int64_t max_ns;
    int64_t tid;                  /* the thread whose waits these are; 0:
                                     the chunk's (a process's end writes
                                     the tables of its other threads) */
    uint64_t hist[GCT_WAIT_HIST];
};

/* The histogram bucket of a wait of ns nanoseconds. */
static inline int
gct_wait_bucket(int64_t ns)
{
    int b = 0;
    for (int64_t lim = 1000; b < GCT_WAIT_HIST - 1 && ns >= lim; lim *= 4)
        b++;
    return b;
}

#endif /* GCT_RAWLOG_H */
