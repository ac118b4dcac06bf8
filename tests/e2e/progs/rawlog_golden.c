/*
 * rawlog_golden.c - writes, with the raw-log writer (common/rawlog_writer.h),
 * the raw log of a small made-up program, for the golden test
 * (test_rawlog_golden.sh).  `rawlog_golden SCENARIO TRACE`, SCENARIO one of:
 *   deadlock: main holds A and waits for B, its thread holds B and waits
 *       for A, and the process was killed so (deadlock/locks);
 *   ordered: both take A then B, one after the other, release them, and
 *       the process exits 0 (the twin: no finding);
 *   lockorder: main takes A then B, later its thread takes B then A, one
 *       after the other; both exit cleanly (lock_order_cycle, no deadlock);
 *   leak: the thread is left blocked in a condvar wait without a timeout
 *       when main exits the process (leaked_thread);
 *   condmutex: two threads wait on one condvar at once with different
 *       mutexes, then are woken, and everything ends cleanly (misuse
 *       cond_wait_with_two_mutexes, which the finishing step finds);
 *   semgone: a semaphore is initialised and destroyed, then the thread
 *       waits on it, is woken, and everything ends cleanly (misuse
 *       wait_on_destroyed_semaphore, found by the finishing step too).
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
#define COND 0x5080ull
#define SEM 0x50c0ull
#define START 1000000000ll
#define MS 1000000ll

static struct gct_rawlog_writer *w;
static int failed;

static void
emit_payload(int tid, int kind, uint32_t stack, int64_t ms, uint64_t obj,
             int64_t a, int64_t b, const void *payload, size_t len)
{
    if (gct_rawlog_emit(w, PID, tid, kind, stack, START + ms * MS, obj, a, b,
                        payload, len) != 0)
        failed = 1;
}

static void
emit(int tid, int kind, uint32_t stack, int64_t ms, uint64_t obj, int64_t a,
     int64_t b)
{
    emit_payload(tid, kind, stack, ms, obj, a, b, NULL, 0);
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

static void
unlock(int tid, int64_t ms, uint64_t l)
{
    emit(tid, GCT_EV_LOCK_RELEASE, 0, ms, l, 0, 0);
}

/* to taken while from was held (taken at site from_site): the edge the
 * shim records, with no other lock held. */
static void
edge(int tid, int64_t ms, uint64_t from, uint64_t from_site, uint64_t to,
     uint64_t site)
{
    uint64_t payload[2] = {0, 0}; /* both plain mutexes; no gates */
    emit_payload(tid, GCT_EV_LOCK_EDGE, stack(tid, ms, site), ms, to,
                 (int64_t)from, (int64_t)(0x401000 + from_site * 16),
                 payload, sizeof payload);
}

/* tid waits (without a timeout) on obj for reason, b its detail. */
static void
wait_begin(int tid, int64_t ms, uint64_t obj, int reason, int64_t b,
           uint64_t site)
{
    emit(tid, GCT_EV_WAIT_BEGIN, stack(tid, ms, site), ms, obj, reason, b);
}

/* Main and its thread, started; main made it at 1 ms. */
static void
two_threads(void)
{
    static const char proc[] = "/nonexistent/golden\0golden";
    if (gct_rawlog_emit(w, PID, PID, GCT_REC_PROC, 0, START, 0, PID, 1, proc,
                        sizeof proc) != 0)
        failed = 1;
    emit(PID, GCT_EV_THREAD_START, 0, 0, HANDLE_MAIN, 0, 0);
    uint64_t fn = 0x401800;
    emit_payload(PID, GCT_EV_THREAD_CREATE, stack(PID, 1, 1), 1,
                 HANDLE_WORKER, 1, 0, &fn, sizeof fn);
    emit(WORKER, GCT_EV_THREAD_START, 0, 1, HANDLE_WORKER, PID,
         1 << GCT_THREAD_SERIAL_SHIFT);
}

/* The thread ends at ms, main joins it and exits the process. */
static void
clean_end(int64_t ms)
{
    emit(WORKER, GCT_EV_THREAD_EXIT, 0, ms, HANDLE_WORKER, 0, 0);
    emit(PID, GCT_EV_THREAD_JOIN, 0, ms + 1, HANDLE_WORKER, 0, 0);
    emit(PID, GCT_EV_PROC_EXIT, 0, ms + 2, 0, 0, 0);
}

/* Writes the scenario's records; returns the log's state. */
static int
scenario(const char *name)
{
    two_threads();
    if (strcmp(name, "deadlock") == 0) {
        lock(PID, 2, LOCK_A, 2);
        lock(WORKER, 3, LOCK_B, 3);
        wait_begin(PID, 4, LOCK_B, GCT_WAIT_MUTEX, WORKER, 4);
        wait_begin(WORKER, 5, LOCK_A, GCT_WAIT_MUTEX, PID, 5);
        return GCT_LOG_RUNNING; /* killed there */
    }
    if (strcmp(name, "ordered") == 0) {
        for (int i = 0; i < 2; i++) {
            int tid = i ? WORKER : PID;
            int64_t t = 10 + 10 * i;
            lock(tid, t, LOCK_A, 2);
            lock(tid, t + 1, LOCK_B, 4);
            unlock(tid, t + 2, LOCK_B);
            unlock(tid, t + 3, LOCK_A);
        }
        clean_end(30);
        return GCT_LOG_EXITED;
    }
    if (strcmp(name, "lockorder") == 0) {
        lock(PID, 10, LOCK_A, 2);
        edge(PID, 11, LOCK_A, 2, LOCK_B, 4);
        lock(PID, 11, LOCK_B, 4);
        unlock(PID, 12, LOCK_B);
        unlock(PID, 13, LOCK_A);
        lock(WORKER, 20, LOCK_B, 6);
        edge(WORKER, 21, LOCK_B, 6, LOCK_A, 8);
        lock(WORKER, 21, LOCK_A, 8);
        unlock(WORKER, 22, LOCK_A);
        unlock(WORKER, 23, LOCK_B);
        clean_end(30);
        return GCT_LOG_EXITED;
    }
    if (strcmp(name, "leak") == 0) {
        lock(WORKER, 10, LOCK_A, 2);
        wait_begin(WORKER, 11, COND, GCT_WAIT_COND, (int64_t)LOCK_A, 3);
        emit(PID, GCT_EV_PROC_EXIT, 0, 20, 0, 0, 0);
        return GCT_LOG_EXITED;
    }
    if (strcmp(name, "condmutex") == 0) {
        lock(PID, 10, LOCK_A, 2);
        wait_begin(PID, 11, COND, GCT_WAIT_COND, (int64_t)LOCK_A, 3);
        lock(WORKER, 12, LOCK_B, 4);
        wait_begin(WORKER, 13, COND, GCT_WAIT_COND, (int64_t)LOCK_B, 5);
        emit(WORKER, GCT_EV_WAIT_END, 0, 14, 0, 0, 0);
        unlock(WORKER, 15, LOCK_B);
        emit(PID, GCT_EV_WAIT_END, 0, 16, 0, 0, 0);
        unlock(PID, 17, LOCK_A);
        clean_end(30);
        return GCT_LOG_EXITED;
    }
    if (strcmp(name, "semgone") == 0) {
        emit(PID, GCT_EV_LOCK_INIT, stack(PID, 10, 2), 10, SEM, GCT_OBJ_SEM,
             0);
        emit(PID, GCT_EV_LOCK_DESTROY, 0, 11, SEM, 0, 0);
        wait_begin(WORKER, 12, SEM, GCT_WAIT_SEM, 0, 3);
        emit(PID, GCT_EV_SEM_POST, 0, 13, SEM, 0, 0);
        emit(WORKER, GCT_EV_WAIT_END, 0, 14, 0, 0, 0);
        clean_end(30);
        return GCT_LOG_EXITED;
    }
    return -1;
}

int
main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: rawlog_golden deadlock|ordered|lockorder|"
                        "leak|condmutex|semgone TRACE\n");
        return 2;
    }
    struct gct_rawlog_info info = {.root_pid = PID,
                                   .record_mode = GCT_RECORD_BLOCKING,
                                   .start_mono_ns = START,
                                   .start_real_ns = 1700000000000000000ll};
    w = gct_rawlog_writer_new(&info);
    if (w == NULL)
        return 1;
    int state = scenario(argv[1]);
    if (state < 0) {
        fprintf(stderr, "rawlog_golden: no scenario %s\n", argv[1]);
        return 2;
    }
    char raw[4096];
    snprintf(raw, sizeof raw, "%s%s", argv[2], GCT_LOG_SUFFIX);
    if (failed || gct_rawlog_write(w, raw, state, 0) != 0) {
        perror(raw);
        return 1;
    }
    gct_rawlog_writer_free(w);
    return 0;
}
