/*
 * rawlog_writer.h - writing a raw log (rawlog.h) from outside the shim.
 *
 * The shim writes its log as the program runs, into a shared mapping.
 * Everything else that makes a raw log (`gctrace attach` and `gctrace
 * core`, which describe a process they read from outside; tests that
 * need a log of a given shape) writes it with this: records are kept in
 * memory in the log's own layout and written to the file at the end, so
 * that the finishing step (common/rawlog_read.c) reads them as it reads the
 * shim's.
 *
 * Records are full records (struct gct_rec), or the compact and repeat
 * records record=all writes, for tests of their shapes.  Consecutive records of
 * one thread share a run of a chunk; a record of another thread starts a
 * new run with a GCT_REC_OWNER record, so a thousand threads that each
 * write a few records fill a few chunks, not a thousand.  A thread's
 * records keep their order: each run is the thread's next chunk number.
 *
 * Needs only libc and safe_file.c, so that tests and fuzzers can compile
 * it alone.
 */
#ifndef GCT_RAWLOG_WRITER_H
#define GCT_RAWLOG_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gct_rawlog_writer;

/* The log's header fields that describe the run. */
struct gct_rawlog_info {
    int root_pid;
    int record_mode;       /* gct_record_mode */
    int64_t start_mono_ns; /* the run's start: record times count from it */
    int64_t start_real_ns;
};

/* A writer with no records yet; NULL when out of memory. */
struct gct_rawlog_writer *gct_rawlog_writer_new(
    const struct gct_rawlog_info *info);

/* Takes the chunks of the raw log at log (size bytes, header included,
 * as the shim writes it) ahead of the writer's own records, with its
 * run's start, record mode and stack ids, so that both read as one run:
 * for a snapshot of a process that the shim records (gctrace attach).
 * Calls owner(arg, pid, tid) for each run of records found, so that the
 * caller knows which threads the log describes.  Only before the first
 * record.  Returns 0, or -1 when log is not a raw log of this version. */
int gct_rawlog_import(struct gct_rawlog_writer *w, const void *log,
                      size_t size, void (*owner)(void *arg, int pid, int tid),
                      void *arg);

/* Appends one record of thread tid of process pid.  payload (len bytes,
 * padded to 8 with zeros) may be NULL when len is 0.  Returns 0, or -1
 * when the record cannot fit a chunk or memory is exhausted. */
int gct_rawlog_emit(struct gct_rawlog_writer *w, int pid, int tid, int kind,
                    uint32_t stack, int64_t ts, uint64_t obj, int64_t a,
                    int64_t b, const void *payload, size_t len);

/* Appends a compact record (rawlog.h), as the shim writes record=all's
 * lock operations: no stack, no payload, the time at most 2^32-1 ns
 * after the run's start; with_arg adds the argument word, a (0-255) in
 * its top 8 bits and b in the low 56.  Returns the record's offset in its
 * chunk, for gct_rawlog_repeat, or 0 when it cannot be written. */
uint32_t gct_rawlog_compact(struct gct_rawlog_writer *w, int pid, int tid,
                            int kind, int64_t ts, uint64_t obj, int64_t a,
                            int64_t b, bool with_arg);

/* Appends a repeat record (rawlog.h) of the compact record at offset off
 * (gct_rawlog_compact's), at time ts.  Only in the same chunk and run as
 * that record: -1 when this thread's run moved on (another thread wrote
 * since) or the chunk is full; 0 when written. */
int gct_rawlog_repeat(struct gct_rawlog_writer *w, int pid, int tid,
                      uint32_t off, int64_t ts);

/* Appends a GCT_REC_STACK record of the n return addresses pcs
 * (innermost first) and returns its new stack id (0 when n is 0 or on
 * failure). */
uint32_t gct_rawlog_stack(struct gct_rawlog_writer *w, int pid, int tid,
                          int64_t ts, const uint64_t *pcs, int n);

/* Writes the log to path with the header in state (gct_log_state) and,
 * for GCT_LOG_EXITED, the exit status: whole under a temporary name,
 * mode 0600, then renamed onto path, which is replaced only when it is a
 * regular file of ours (safe_file.h).  Returns 0, or -1 with errno set
 * (EEXIST: path is something else). */
int gct_rawlog_write(struct gct_rawlog_writer *w, const char *path,
                     int state, int exit_status);

/* The same log in memory: a malloc'd image of *size bytes, as the file
 * would hold it, for gct_finish_log; NULL when out of memory. */
void *gct_rawlog_image(struct gct_rawlog_writer *w, int state,
                       int exit_status, size_t *size);

void gct_rawlog_writer_free(struct gct_rawlog_writer *w);

#endif
