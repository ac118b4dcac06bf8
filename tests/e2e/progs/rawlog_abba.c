/*
 * rawlog_abba.c - writes, with the raw-log writer (common/rawlog_writer.h),
 * the raw log of a two-thread program, for the golden test
 * (test_rawlog_golden.sh):
 *   rawlog_abba deadlock TRACE: main holds A and waits for B, its thread
 *       holds B and waits for A, and the process was killed so;
 *   rawlog_abba ordered TRACE: both take A then B, one after the other,
 *       release them, and the process exits 0 (the twin: no finding).
 * Everything is fixed (pids, addresses, times) so that the findings are
 * the same on every machine.  The pid is above Linux's PID_MAX_LIMIT, so
 * that it never names a live process.
 */
#include "event.h"
#include "rawlog.h"
#include "rawlog_writer.h"

#include <stdio.h>
#include <string.h>

#define PID 4194305
#define WORKER (PID + 1)
#define HANDLE_MAIN 0x7f0000001000ull
#define HANDLE_WORKER 0x7f0000002000ull
#define LOCK_A 0x5000ull
#define LOCK_B 0x5040ull
#define START 1000000000ll
#define MS 1000000ll

static struct gct_rawlog_writer *w;
static int failed;

static void
emit(int tid, int kind, uint32_t stack, int64_t ms, uint64_t obj, int64_t a,
     int64_t b)
{
    if (gct_rawlog_emit(w, PID, tid, kind, stack, START + ms * MS, obj, a, b,
                        NULL, 0) != 0)
        failed = 1;
}

/* A stack of two made-up return addresses, distinct per call site. */
static uint32_t
stack(int tid, int64_t ms, uint64_t site)
{
    uint64_t pcs[2] = {0x401000 + site * 16, 0x402000};
    return gct_rawlog_stack(w, PID, tid, START + ms * MS, pcs, 2);
}

static void
lock(int tid, int64_t ms, uint64_t l, uint64_t site)
{
    emit(tid, GCT_EV_LOCK_ACQUIRE, stack(tid, ms, site), ms, l, 0, 0);
}

int
main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "deadlock") && strcmp(argv[1],
                                                           "ordered"))) {
        fprintf(stderr, "usage: rawlog_abba deadlock|ordered TRACE\n");
        return 2;
    }
    bool deadlock = strcmp(argv[1], "deadlock") == 0;
    struct gct_rawlog_info info = {.root_pid = PID,
                                   .record_mode = GCT_RECORD_BLOCKING,
                                   .start_mono_ns = START,
                                   .start_real_ns = 1700000000000000000ll};
    w = gct_rawlog_writer_new(&info);
    if (w == NULL)
        return 1;
    static const char proc[] = "/nonexistent/abba\0abba";
    if (gct_rawlog_emit(w, PID, PID, GCT_REC_PROC, 0, START, 0, PID, 1, proc,
                        sizeof proc) != 0)
        failed = 1;
    emit(PID, GCT_EV_THREAD_START, 0, 0, HANDLE_MAIN, 0, 0);
    uint64_t fn = 0x401800;
    if (gct_rawlog_emit(w, PID, PID, GCT_EV_THREAD_CREATE, stack(PID, 1, 1),
                        START + MS, HANDLE_WORKER, 1, 0, &fn, sizeof fn) != 0)
        failed = 1;
    emit(WORKER, GCT_EV_THREAD_START, 0, 1, HANDLE_WORKER, PID,
         1 << GCT_THREAD_SERIAL_SHIFT);
    if (deadlock) {
        lock(PID, 2, LOCK_A, 2);
        lock(WORKER, 3, LOCK_B, 3);
        emit(PID, GCT_EV_WAIT_BEGIN, stack(PID, 4, 4), 4, LOCK_B,
             GCT_WAIT_MUTEX, WORKER);
        emit(WORKER, GCT_EV_WAIT_BEGIN, stack(WORKER, 5, 5), 5, LOCK_A,
             GCT_WAIT_MUTEX, PID);
    } else {
        for (int i = 0; i < 2; i++) {
            int tid = i ? WORKER : PID;
            int64_t t = 10 + 10 * i;
            lock(tid, t, LOCK_A, 2);
            lock(tid, t + 1, LOCK_B, 4);
            emit(tid, GCT_EV_LOCK_RELEASE, 0, t + 2, LOCK_B, 0, 0);
            emit(tid, GCT_EV_LOCK_RELEASE, 0, t + 3, LOCK_A, 0, 0);
        }
        emit(WORKER, GCT_EV_THREAD_EXIT, 0, 30, HANDLE_WORKER, 0, 0);
        emit(PID, GCT_EV_THREAD_JOIN, 0, 31, HANDLE_WORKER, 0, 0);
        emit(PID, GCT_EV_PROC_EXIT, 0, 32, 0, 0, 0);
    }
    char raw[4096];
    snprintf(raw, sizeof raw, "%s%s", argv[2], GCT_LOG_SUFFIX);
    if (failed ||
        gct_rawlog_write(w, raw, deadlock ? GCT_LOG_RUNNING : GCT_LOG_EXITED,
                         0) != 0) {
        perror(raw);
        return 1;
    }
    gct_rawlog_writer_free(w);
    return 0;
}
