/*
 * watchdog.c - noticing a deadlock while the program is stuck.
 *
 * A deadlocked program never reaches exit, so a report written at exit
 * never comes.  The watchdog is a thread of the shim's own, started the
 * first time any thread blocks, that looks every quarter of the delay
 * (GCTRACE_OPTIONS watchdog_ms, 3 s by default) at what every thread of
 * the process waits on, as the threads publish it in their state
 * (locks.c):
 *
 *  - a thread blocked on a mutex (or a write-locked rwlock) whose owner,
 *    which glibc keeps in the lock, is blocked in turn, and so on back to
 *    the first: threads blocked on each other; an owner that is the
 *    waiter itself is the chain of one;
 *  - the same through joins (a thread joining one that is blocked);
 *  - every thread of the process blocked, none of them with a timeout of
 *    its own ("all goroutines are asleep").  A thread blocked somewhere the
 *    shim does not see (a read(2), libgoc's timer thread) counts as
 *    running, so a program that may still be woken is left alone; so does
 *    a wait that another process may end (on a process-shared object),
 *    and a semaphore wait while the program has a handler for a signal
 *    that may arrive (the handler may post it).
 *
 * Each wait must have lasted the whole delay, but for one that is certain
 * never to end, reported as soon as it begins (gct_watchdog_certain: a
 * thread waiting for a NORMAL mutex or a libgoc lock it holds itself,
 * which Go's runtime reports at once too, or to write an rwlock it
 * reads).  On a deadlock the watchdog
 * prints a line, has `gctrace finish --snapshot` write the trace so far
 * and report on it (the analyses find the same deadlock in the trace's
 * open waits), then lets the program hang, or aborts it when
 * abort_on_deadlock=1.  It reports each deadlock once.
 *
 * The watchdog never calls an interposed function and has no thread
 * state, so it never appears in the trace.
 *
 * Its thread is the shim's one background thread: it also brings the log
 * windows of threads that keep recording into memory (prefault.c), and
 * is started for that alone when the watchdog is off (watchdog_ms=0).
 * One thread for both, because a process whose main called pthread_exit
 * must end when its last thread does, and the background thread has to
 * notice that it is the only one left.
 */
#include "shim.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static _Atomic int started;    /* 0 no, 2 starting, 1 running */
static int watchdog_pid;
/* Bumped to wake the thread (gct_background_wake), which sleeps on it. */
static _Atomic uint32_t wake_word;

/* Main called pthread_exit: glibc ends the process when the last thread
 * ends, and the watchdog must not be that last thread. */
static _Atomic int main_left;

/* A thread began a wait that cannot end (gct_watchdog_certain). */
static _Atomic int certain;

#define MAX_CHAIN 16


/* A live thread of this process, by tid or by pthread handle. */
static struct gct_thread *
find(int pid, int tid, uint64_t handle)
{
    for (struct gct_thread *t = atomic_load(&gct_threads); t; t = t->next) {
        if (atomic_load(&t->dead) || t->pid != pid)
            continue;
        if ((tid && t->tid == tid) || (handle && t->handle == handle))
            return t;
    }
    return NULL;
}

/* Blocked for at least the delay, as of now. */
static bool
stuck(struct gct_thread *t, int64_t now, int64_t delay)
{
    int reason = atomic_load_explicit(&t->wait_reason, memory_order_acquire);
    return reason != 0 &&
           now - atomic_load_explicit(&t->wait_since,
                                      memory_order_relaxed) >= delay;
}

/* Whom t waits for: the owner of its lock or the thread it joins.  NULL
 * when that is not a thread we know, or nobody. */
static struct gct_thread *
waits_for(struct gct_thread *t, int pid)
{
    int reason = atomic_load(&t->wait_reason);
    uintptr_t obj = atomic_load(&t->wait_obj);

    if (obj == 0)
        return NULL;
    if (reason == GCT_WAIT_RWLOCK_WR && atomic_load(&t->wait_self))
        return t; /* it reads the rwlock it waits to write (locks.c) */
    if (gct_wait_is_lock(reason)) {
        int owner = gct_holder((const void *)obj, gct_wait_object(reason));
        return owner > 0 ? find(pid, owner, 0) : NULL;
    }
    if (reason == GCT_WAIT_JOIN)
        return find(pid, 0, obj);
    return NULL;
}

/* A cycle of lock and join waits through t, all stuck; its length or 0. */
static int
cycle_from(struct gct_thread *t, int pid, int64_t now, int64_t delay)
{
    struct gct_thread *cur = t;
    for (int n = 1; n <= MAX_CHAIN; n++) {
        int reason = atomic_load(&cur->wait_reason);
        if (!stuck(cur, now, delay) || !gct_wait_has_owner(reason))
            return 0;
        cur = waits_for(cur, pid);
        if (cur == NULL)
            return 0;
        if (cur == t)
            return n;
    }
    return 0;
}

/* Every thread we know blocked for the delay, none in a wait that ends
 * by itself or that something outside the process's threads may end: a
 * timed wait, a wait on a process-shared object (another process), a
 * semaphore wait while a signal handler may run (intercept_signal.c). */
static int
all_asleep(int pid, int64_t now, int64_t delay)
{
    bool handlers = GCT_SIGNALS_CAN_WAKE(atomic_load(&gct_signal_handlers));
    int n = 0;
    for (struct gct_thread *t = atomic_load(&gct_threads); t; t = t->next) {
        if (atomic_load(&t->dead) || t->pid != pid)
            continue;
        if (!stuck(t, now, delay) || atomic_load(&t->wait_timed) ||
            (handlers && atomic_load(&t->wait_reason) == GCT_WAIT_SEM))
            return 0;
        n++;
    }
    return n;
}

static void
say(const char *msg)
{
    ssize_t r = write(2, msg, __builtin_strlen(msg));
    (void)r;
}

/* The deadlock's identity, so that it is reported once: the sum of its
 * threads' wait start times. */
static int64_t reported;

static void
verdict(const char *what, int64_t key, bool at_once)
{
    char line[256];

    if (key == reported)
        return;
    reported = key;
    atomic_fetch_add(&gct_recorder.hdr->watchdog_findings, 1);
    if (at_once)
        snprintf(line, sizeof line, "gctrace: watchdog: %s, which never "
                 "ends; the trace so far follows\n", what);
    else
        snprintf(line, sizeof line, "gctrace: watchdog: %s for %ld ms; the "
                 "trace so far follows\n", what, gct_recorder.opt.watchdog_ms);
    say(line);
    gct_take_snapshot();
    if (gct_recorder.opt.abort_on_deadlock) {
        say("gctrace: watchdog: aborting the program (abort_on_deadlock=1)\n");
        abort();
    }
}

static void
check(int pid, int64_t delay)
{
    int64_t now = gct_now();

    for (struct gct_thread *t = atomic_load(&gct_threads); t; t = t->next) {
        if (atomic_load(&t->dead) || t->pid != pid)
            continue;
        int n = cycle_from(t, pid, now, delay);
        if (n == 0)
            continue;
        int64_t key = 0;
        struct gct_thread *cur = t;
        for (int i = 0; i < n && cur; i++, cur = waits_for(cur, pid))
            key += atomic_load(&cur->wait_since) + cur->tid;
        verdict(n == 1 ? "a thread waits for a lock it holds itself"
                       : "threads are blocked on each other",
                key, false);
        return;
    }
    if (all_asleep(pid, now, delay) > 0) {
        int64_t key = 0;
        for (struct gct_thread *t = atomic_load(&gct_threads); t; t = t->next)
            if (!atomic_load(&t->dead) && t->pid == pid)
                key += atomic_load(&t->wait_since) + t->tid;
        verdict("every thread is blocked and nothing can wake them", key,
                false);
    }
}

/* The waits that cannot end, reported as soon as they begin: a thread
 * waiting for a lock it holds itself, as Go's runtime reports. */
static void
check_certain(int pid)
{
    int64_t now = gct_now();
    for (struct gct_thread *t = atomic_load(&gct_threads); t; t = t->next)
        if (!atomic_load(&t->dead) && t->pid == pid &&
            cycle_from(t, pid, now, 0) == 1) {
            verdict("a thread waits for a lock it holds itself",
                    atomic_load(&t->wait_since) + t->tid, true);
            return;
        }
}

void
gct_watchdog_certain(struct gct_thread *t)
{
    (void)t;
    atomic_store(&certain, 1);
    gct_background_wake();
}

/* Whether every thread but the caller has ended (zombies count as
 * ended: main stays one after pthread_exit). */
static bool
alone(void)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    bool others = false;
    int me = (int)syscall(SYS_gettid);

    if (d == NULL)
        return false;
    while (!others && (e = readdir(d)) != NULL) {
        int tid = atoi(e->d_name);
        if (tid <= 0 || tid == me)
            continue;
        char path[64], buf[256];
        snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        buf[n > 0 ? n : 0] = '\0';
        const char *paren = strrchr(buf, ')');
        others = paren && paren[1] && paren[2] != 'Z' && paren[2] != 'X';
    }
    closedir(d);
    return !others;
}

void
gct_watchdog_main_left(void)
{
    atomic_store(&main_left, 1);
    gct_background_wake();
}

void
gct_background_wake(void)
{
    atomic_fetch_add_explicit(&wake_word, 1, memory_order_release);
    syscall(SYS_futex, &wake_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Sleeps until woken or for *timeout (NULL: until woken), unless woken
 * since the thread read w from wake_word. */
static void
sleep_on(uint32_t w, const struct timespec *timeout)
{
    syscall(SYS_futex, &wake_word, FUTEX_WAIT_PRIVATE, w, timeout, NULL, 0);
}

/* Notes in the log's header that the root process is alive now: a run
 * killed while it hangs ended then or later, not at its last record
 * (what the trace's end and its open waits would otherwise say). */
static void
stamp_alive(void)
{
    struct gct_log_header *h = gct_recorder.hdr;
    if (h == NULL || watchdog_pid != h->root_pid)
        return;
    int64_t ms = (gct_now() - h->start_mono_ns) / 1000000;
    if (ms > 0 && ms < UINT32_MAX)
        atomic_store_explicit(&h->alive_ms, (uint32_t)ms,
                              memory_order_relaxed);
}
/* 1 once the background thread has its name (gct_background_start). */
static _Atomic uint32_t named;

static void *
watchdog_main(void *arg)
{
    (void)arg;
    prctl(PR_SET_NAME, "gctrace-watch");
    atomic_store_explicit(&named, 1, memory_order_release);
    syscall(SYS_futex, &named, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    gct_thread_hide();
    int64_t delay = (int64_t)gct_recorder.opt.watchdog_ms * 1000000;
    int64_t period = delay / 4, next_check = gct_now() + period;
    struct timespec soon = {0, 10 * 1000000};
    for (;;) {
        uint32_t w = atomic_load_explicit(&wake_word, memory_order_acquire);
        gct_prefault_work();
        bool ending = atomic_load(&main_left);
        int64_t left = next_check - gct_now();
        struct timespec until = {(time_t)(left / 1000000000),
                                 (long)(left % 1000000000)};
        if (ending)
            sleep_on(w, &soon);
        else if (delay > 0 && atomic_load(&certain))
            ; /* set before this thread first looked: no sleep */
        else if (delay <= 0)
            sleep_on(w, NULL);
        else if (left > 0)
            sleep_on(w, &until);
        if (!gct_recorder.on || getpid() != watchdog_pid)
            return NULL;
        /* What glibc does when the last thread of a process whose main
         * left ends: exit(0).  Without this the background thread would
         * keep the process alive forever. */
        if (ending && alone())
            exit(0);
        if (delay > 0 && atomic_exchange(&certain, 0))
            check_certain(watchdog_pid);
        if (delay > 0 && gct_now() >= next_check) {
            stamp_alive();
            check(watchdog_pid, delay);
            next_check = gct_now() + period;
        }
    }
}

bool
gct_background_start(struct gct_thread *t)
{
    int zero = 0;
    pthread_attr_t attr;
    pthread_t th;
    sigset_t all, old;

    if (atomic_load_explicit(&started, memory_order_acquire) == 1)
        return true;
    if (!atomic_compare_exchange_strong(&started, &zero, 2))
        return atomic_load(&started) == 1;
    struct gct_enter en = gct_enter(t);
    watchdog_pid = getpid();
    /* The thread starts with every signal blocked: the program's signals
     * are the program's business. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    atomic_store_explicit(&named, 0, memory_order_relaxed);
    bool ok = gct_real.pthread_create(&th, &attr, watchdog_main, NULL) == 0;
    /* A name, so that leak checks (include/gctrace.h) leave it out: the
     * thread gives it itself (prctl) before this thread goes on.  Given
     * from here (pthread_setname_np writes /proc/self/task/TID/comm),
     * the name cost about a millisecond per process: the /proc entries
     * that the write made are torn down when the process is reaped, and
     * a test suite of short processes paid that in each. */
    while (ok && atomic_load_explicit(&named, memory_order_acquire) == 0)
        syscall(SYS_futex, &named, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    atomic_store(&started, ok ? 1 : 0);
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    gct_leave(&en);
    return ok;
}

void
gct_watchdog_start(struct gct_thread *t)
{
    if (gct_recorder.opt.watchdog_ms > 0 &&
        atomic_load_explicit(&started, memory_order_relaxed) != 1)
        gct_background_start(t);
}

void
gct_watchdog_after_fork(void)
{
    atomic_store(&started, 0);
    reported = 0;
    gct_prefault_after_fork();
}
