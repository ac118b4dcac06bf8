/*
 * init.c - starting and stopping the recorder: options, the process
 * record, fork and exec, exit.
 *
 * At exit the root process has the finishing step (finisher.c) write the
 * sqlite trace, run the analyses and print the report; its status says
 * whether anything was found.  Under `gctrace run` (finish=0) the runner
 * does that instead, after the program has ended.
 */
#include "shim.h"

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <time.h>
#include <unistd.h>

static int exit_status = -1;     /* what the program exits with, if known */
static _Atomic int finished;     /* the at-exit work ran */

static void exit_last(void);

static void
say(const char *msg)
{
    char line[512];
    int n = snprintf(line, sizeof line, "gctrace: %s\n", msg);
    if (n > 0) {
        ssize_t r = write(2, line, (size_t)n < sizeof line ? (size_t)n
                                                           : sizeof line - 1);
        (void)r;
    }
}

static void
warn_option(void *ctx, const char *msg)
{
    (void)ctx;
    say(msg);
}

/* path (a buffer of PATH_MAX) made absolute, so that chdir does not move
 * it; false when it cannot be. */
static bool
absolute(char *path)
{
    char cwd[PATH_MAX], tmp[PATH_MAX];

    if (path[0] == '/' || path[0] == '\0')
        return true;
    if (getcwd(cwd, sizeof cwd) == NULL)
        return false;
    int n = snprintf(tmp, sizeof tmp, "%s/%s", cwd, path);
    if (n <= 0 || (size_t)n >= sizeof tmp)
        return false;
    strcpy(path, tmp);
    return true;
}

/* The trace path, and the suppressions file's, made absolute: the
 * finishing step may run in another directory (the helper waits in the
 * one the program started in). */
static bool
resolve_paths(void)
{
    char *out = gct_recorder.opt.out;
    const char *env = getenv("GCTRACE_OUT");

    if (env && *env) {
        if (strlen(env) >= sizeof gct_recorder.opt.out)
            return false;
        strcpy(out, env);
    }
    if (out[0] == '\0')
        snprintf(out, sizeof gct_recorder.opt.out, "gctrace.%d.db", (int)getpid());
    (void)absolute(gct_recorder.opt.suppressions); /* else as given */
    return absolute(out);
}

/* exe and argv, from /proc (no allocation, works before main). */
static void
emit_process(struct gct_thread *t)
{
    char buf[4096];
    size_t len = 0;

    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n > 0)
        len = (size_t)n;
    buf[len++] = '\0';
    int fd = gct_recorder.opt.record_argv
                 ? open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        n = read(fd, buf + len, sizeof buf - len - 1);
        if (n > 0)
            len += (size_t)n;
        close(fd);
    }
    gct_emit(t, GCT_REC_PROC, 0, 0, getpid(), getppid(), buf, len);
}

/* The options as given, for the analyses: those that decide what counts
 * as a finding (docs/options.md) apply when the trace is checked later
 * too. */
static void
emit_options(struct gct_thread *t)
{
    const char *o = getenv("GCTRACE_OPTIONS");
    if (o && *o)
        gct_emit(t, GCT_REC_OPTIONS, 0, 0, 0, 0, o, strnlen(o, 4095) + 1);
}

/* The loaded segment that holds an address: range[0] is the address on
 * the way in, [range[0], range[1]) the segment on the way out. */
static int
find_segment(struct dl_phdr_info *info, size_t size, void *data)
{
    uintptr_t *range = data, addr = range[0];
    (void)size;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && addr >= lo && addr < lo + ph->p_memsz) {
            range[0] = lo;
            range[1] = lo + ph->p_memsz;
            return 1;
        }
    }
    return 0;
}

static void
text_of(const void *addr, uintptr_t range[2])
{
    range[0] = (uintptr_t)addr;
    range[1] = 0;
    if (!dl_iterate_phdr(find_segment, range))
        range[0] = range[1] = 0;
}

__attribute__((constructor(101))) static void
gct_init(void)
{
    uintptr_t range[2] = {0, 0};

    gct_real_resolve();
    /* A program that runs with more rights than its caller (setuid,
     * setgid, file capabilities) is not recorded: the caller's options
     * would choose files that the program writes with its rights. */
    if (getauxval(AT_SECURE))
        return;
    gct_options_default(&gct_recorder.opt);
    gct_options_parse(&gct_recorder.opt, getenv("GCTRACE_OPTIONS"), warn_option,
                      NULL);
    gct_recorder.signal_slow = gct_recorder.opt.record == GCT_RECORD_ALL ||
                          gct_recorder.opt.check_signal_mutex;
    if (!resolve_paths() || !gct_log_open()) {
        char msg[PATH_MAX + 96];
        if (gct_log_refused)
            snprintf(msg, sizeof msg, "%s %s: not replaced; running "
                     "without a trace", gct_recorder.raw_path, gct_log_refused);
        else
            snprintf(msg, sizeof msg, "cannot create the trace; running "
                     "without it");
        say(msg);
        return;
    }
    /* Our own text, to cut our frames from stacks; libunwind's, whose
     * locks we must not record by unwinding (stack.c). */
    uintptr_t unw[2];
    text_of((const void *)&find_segment, range);
    text_of((const void *)&unw_backtrace, unw);
    gct_stack_init(range[0], range[1], unw[0], unw[1]);
    const char *slow = gct_mutex_fast_init(gettid());
    if (gct_recorder.opt.verbosity >= 1) {
        char msg[160];
        snprintf(msg, sizeof msg, "default mutexes: %s%s",
                 slow ? "through glibc: " : "taken in place",
                 slow ? slow : "");
        say(msg);
    }
    gct_threads_make_key();
    gct_here_init();
    gct_recorder.pid = getpid();
    /* fork's and daemon's children take the state over at once (a child
     * made otherwise does on its first call: gct_here). */
    pthread_atfork(NULL, NULL, gct_process_new);
    gct_recorder.on = true;
    exit_last();
    struct gct_thread *t = gct_self();
    if (t) {
        struct gct_enter en = gct_enter(t);
        emit_process(t);
        emit_options(t);
        gct_log_modules(t);
        gct_leave(&en);
    }
}

/* ------------------------------------------------------------ exit */

/* Whether the recorder's state is the calling process's.  A child that
 * the recorder has not met yet takes it over here; a child of vfork,
 * which runs on its parent's memory until it execs or exits, is not the
 * state's process: its exit must not end its parent's trace. */
static bool
this_process(void)
{
    if (!gct_here[0] && gct_recorder.on)
        gct_process_new();
    return getpid() == gct_recorder.pid;
}

static void
record_exit(int status)
{
    if (!this_process())
        return;
    struct gct_thread *t = gct_self();
    if (t == NULL || exit_status != -1)
        return;
    exit_status = status;
    struct gct_enter en = gct_enter(t);
    if (t->nheld > 0)
        gct_process_ends_holding(t);
    gct_emit(t, GCT_EV_PROC_EXIT, 0, 0, status, 0, NULL, 0);
    gct_leave(&en);
}

/* Whether the kernel has thread tid of this process on a CPU or about
 * to be ('R', also a thread just woken from its wait; 'D' soon is
 * again).  A thread asleep, stopped or gone records nothing until
 * something wakes it. */
static bool
kernel_running(int tid)
{
    char path[64], buf[160];

    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    const char *state = gct_proc_stat(path, buf, sizeof buf);
    return state && (*state == 'R' || *state == 'D'); /* NULL: it ended */
}

/* A thread that runs on through this much CPU time during the grace is
 * taken to compute rather than to be on its way to a wait or to its end
 * (from a wait's end or a thread's start to the next wait takes
 * microseconds): libomp's workers spin for 200 ms before they sleep,
 * and made every short program pay the whole grace. */
#define COMPUTING_CPU_NS 2000000

/* The CPU time thread tid of this process has used (the kernel's
 * per-thread clock, as pthread_getcpuclockid makes it, without a
 * pthread_t that may be stale); -1 when it has ended. */
static int64_t
thread_cpu_ns(int tid)
{
    clockid_t clock = (clockid_t)((~(unsigned)tid << 3) | 6);
    struct timespec ts;

    if (clock_gettime(clock, &ts) != 0)
        return -1;
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Whether thread t may still record what the trace needs at the end:
 *  - it is inside the recorder (its guard held), where it may sleep on a
 *    lock (libunwind's, the dynamic linker's) while capturing the stack
 *    of the wait it is about to begin;
 *  - the kernel has it running (released from its wait and not yet
 *    recording the wait's end, just started, or on its way out) and it
 *    has not been computing all through the grace.
 * t->grace_cpu keeps its CPU time when the grace first saw it, plus
 * one. */
static bool
in_motion(struct gct_thread *t)
{
    if (__atomic_load_n(&t->guard, __ATOMIC_RELAXED) > 0)
        return true;
    if (!kernel_running(t->tid))
        return false;
    int64_t cpu = thread_cpu_ns(t->tid);
    if (cpu < 0)
        return false;
    if (t->grace_cpu == 0)
        t->grace_cpu = cpu + 1;
    return cpu + 1 - t->grace_cpu < COMPUTING_CPU_NS;
}

/* Whether some other thread of this process is in motion, or created and
 * not yet registered. */
static bool
threads_in_motion(struct gct_thread *self)
{
    if (atomic_load(&gct_threads_starting) > 0)
        return true;
    int pid = getpid();
    for (struct gct_thread *t = atomic_load(&gct_threads); t; t = t->next) {
        if (t == self || atomic_load(&t->dead) || t->pid != pid || t->tid == 0)
            continue;
        if (in_motion(t))
            return true;
    }
    return false;
}

/* goleak's grace period: a thread created just before the end may not
 * have run yet, one released from its wait (a channel closed, a condvar
 * signalled) has not recorded the wait's end yet, and one just started
 * or just done with its work has not reached its next wait yet.  Waits
 * until none of them is in motion, so that the trace shows what they
 * ended up doing rather than where they happened to be; not at all when
 * none is, and at most exit_grace_ms. */
static void
settle(struct gct_thread *self)
{
    const struct timespec step = {0, 100000};
    int64_t start = gct_now(), now = start;
    int64_t end = start + gct_recorder.opt.exit_grace_ms * 1000000;

    while (threads_in_motion(self) && (now = gct_now()) < end)
        nanosleep(&step, NULL);
    if (gct_recorder.opt.verbosity >= 1) {
        char msg[80];
        snprintf(msg, sizeof msg, "exit grace: %.1f ms",
                 (double)(now - start) / 1e6);
        say(msg);
    }
}

/* The short waits counted by the process's other threads, still alive
 * (blocked, or computing): written through this thread's chunk, each
 * record naming its thread.  After the grace, none of them is on its way
 * to a wait's end that would count one more. */
static void
flush_others_waits(struct gct_thread *self)
{
    int pid = getpid();
    for (struct gct_thread *o = atomic_load(&gct_threads); o; o = o->next)
        if (o != self && !atomic_load(&o->dead) && o->pid == pid &&
            o->tid != 0)
            gct_wait_sites_flush(self, o);
}

/* The end of the process (normal exit, _exit): last records, then the
 * trace is finished.  May change the exit status when something was found
 * (returns the status to use, or -1 to keep the program's). */
static int
at_exit(void)
{
    int zero = 0;
    if (!gct_recorder.on || !this_process() ||
        !atomic_compare_exchange_strong(&finished, &zero, 1))
        return -1;
    struct gct_thread *t = gct_self_peek();
    if (t) {
        t->guard++;
        gct_flush_counts(t);
    }
    settle(t); /* in every process: a forked child's threads end too */
    if (t)
        flush_others_waits(t);
    gct_snapshots_end();
    if (!gct_recorder.root || getpid() != gct_recorder.hdr->root_pid)
        return -1;
    gct_recorder.hdr->exit_status = exit_status;
    atomic_store(&gct_recorder.hdr->state, GCT_LOG_EXITED);
    if (!gct_recorder.opt.finish)
        return -1;
    gct_recorder.on = false;
    int r = gct_finish_at_exit();
    if (r == 1 && gct_recorder.opt.exitcode != 0)
        return gct_recorder.opt.exitcode;
    return -1;
}

/* The recorder's end, the last of the exit handlers (exit_last).  The
 * status changes only here, when everything of the program has run. */
static void
gct_fini(void *unused)
{
    (void)unused;
    int code = at_exit();
    if (code >= 0) {
        /* What exit does after its last handler, then the findings'
         * status: glibc's fcloseall is that step (_IO_cleanup: every
         * stream flushed, without taking their locks, none closed). */
        fcloseall();
        gct_real._exit(code);
    }
}

/* Makes gct_fini run after every destructor and atexit handler of the
 * program, whatever the recorder reports: a library's destructor may still
 * join its threads (libomp) or write a file.  exit runs its handlers in the
 * reverse order of their registration, and the dynamic linker's, which
 * runs every library's destructors, is registered by __libc_start_main,
 * after the constructors of the preloaded libraries ran: a handler
 * registered here runs after it.  No DSO handle: one would have our own
 * destructor run it, early.  (Loaded later, by dlopen, the recorder ends
 * before what was registered before it; it is linked -z nodelete, so that
 * the handler always has its code.) */
static void
exit_last(void)
{
    extern int __cxa_atexit(void (*)(void *), void *, void *);
    if (__cxa_atexit(gct_fini, NULL, NULL) != 0)
        say("cannot register the end of the trace; it is finished by the "
            "next gctrace command");
}

GCT_EXPORT void
exit(int status)
{
    gct_real_resolve();
    record_exit(status);
    gct_real.exit(status);
}

GCT_EXPORT void
_exit(int status)
{
    gct_real_resolve();
    record_exit(status);
    int code = at_exit();
    gct_real._exit(code >= 0 ? code : status);
}

GCT_EXPORT void
_Exit(int status)
{
    _exit(status);
}

static int (*real_main)(int, char **, char **);

static int
main_trampoline(int argc, char **argv, char **envp)
{
    int r = real_main(argc, argv, envp);
    record_exit(r);
    return r;
}

/* Interposed so that the status main returns is recorded: glibc's own call
 * to exit after main does not go through our exit. */
GCT_EXPORT int
__libc_start_main(int (*main)(int, char **, char **), int argc, char **argv,
                  void (*init)(void), void (*fini)(void),
                  void (*rtld_fini)(void), void *stack_end)
{
    gct_real_resolve();
    real_main = main;
    return gct_real.__libc_start_main(main_trampoline, argc, argv, init, fini,
                                      rtld_fini, stack_end);
}

/* ------------------------------------------------------------ fork, dlopen */

GCT_EXPORT pid_t
fork(void)
{
    gct_real_resolve();
    struct gct_thread *t = gct_self();
    pid_t pid = gct_real.fork();
    /* The child's part ran in fork, from pthread_atfork's handler. */
    if (t == NULL || pid <= 0)
        return pid;
    struct gct_enter en = gct_enter(t);
    gct_emit(t, GCT_EV_FORK, 0, 0, pid, 0, NULL, 0);
    gct_leave(&en);
    return pid;
}

/* The child's part of a fork, however the child was made (shim.h,
 * gct_here).  It writes into the same log, in chunks of its own.  The
 * background thread's state first: releasing the parent's windows asks
 * it about them, and it did not come along. */
void
gct_process_new(void)
{
    int e = errno;
    struct gct_thread *t = gct_self_peek();

    gct_here[0] = 1;
    gct_recorder.pid = getpid();
    if (!gct_recorder.on)
        return; /* the parent had finished: nothing more is recorded */
    gct_watchdog_after_fork();
    gct_finisher_after_fork();
    gct_tsc_after_fork();
    gct_threads_after_fork(t);
    gct_recorder.root = 0;
    exit_status = -1;
    atomic_store(&finished, 0);
    bool started = t != NULL;
    if (t == NULL)
        t = gct_self(); /* makes the state: its start recorded */
    if (t) {
        struct gct_enter en = gct_enter(t);
        if (started)
            gct_emit(t, GCT_EV_THREAD_START, 0, (uint64_t)pthread_self(), 0,
                     0, NULL, 0);
        emit_process(t);
        gct_leave(&en);
    }
    errno = e;
}

GCT_EXPORT void *
dlopen(const char *file, int mode)
{
    gct_real_resolve();
    void *h = gct_real.dlopen(file, mode);
    struct gct_thread *t = gct_self();
    if (h && t) {
        struct gct_enter en = gct_enter(t);
        gct_log_modules(t);
        gct_leave(&en);
    }
    return h;
}

/* ------------------------------------------------------------ libgoc */

/* The seam libgoc's instrumented build calls (common/event.h). */
GCT_EXPORT void
gctrace_goc_hook(int kind, const void *obj, int64_t a, int64_t b,
                 const char *str)
{
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return;
    int e = errno;
    int mode = gct_recorder.opt.record;
    switch (kind) {
    case GCT_EV_WAIT_BEGIN:
        /* libgoc passes the wait's deadline (GOC_FOREVER is none), but for
         * a lock wait the holder's thread id, as the shim's own do (a
         * goc_mutex relocked by its holder: lib/sync.c). */
        gct_wait_begin(t, (int)a, obj, b,
                       !gct_wait_is_lock((int)a) && b != INT64_MAX && b != 0,
                       0);
        break;
    case GCT_EV_WAIT_END:
        gct_wait_end(t, obj, a);
        break;
    case GCT_EV_CHAN_SEND:
    case GCT_EV_CHAN_RECV:
        if (mode == GCT_RECORD_ALL) {
            /* One per transfer: a compact (or repeat) record when the
             * operation succeeded, a full one for a result to keep. */
            struct gct_enter en = gct_enter(t);
            if (a == 0 && b == 0)
                gct_emit_compact(t, kind, (uintptr_t)obj, 0, 0);
            else
                gct_emit(t, kind, 0, (uintptr_t)obj, a, b, NULL, 0);
            gct_leave(&en);
        } else if (mode == GCT_RECORD_BLOCKING) {
            gct_chan_side(t, kind, (uintptr_t)obj);
        }
        break;
    default: {
        if (kind == GCT_EV_CHAN_FREE) /* its address may name a new one */
            atomic_fetch_add_explicit(&gct_chan_generation, 1,
                                      memory_order_relaxed);
        /* Creation, close, cancel and misuse carry a stack: they are what
         * a finding points at. */
        bool with_stack = kind == GCT_EV_CHAN_MAKE || kind == GCT_EV_CTX_MAKE ||
                          kind == GCT_EV_TIMER_ARM ||
                          kind == GCT_EV_MISUSE || kind == GCT_EV_CHAN_CLOSE ||
                          (kind == GCT_EV_CTX_CANCEL && str &&
                           strcmp(str, "explicit") == 0);
        struct gct_enter en = gct_enter(t);
        uint32_t stack = with_stack ? gct_capture_stack(t) : 0;
        gct_emit(t, kind, stack, (uintptr_t)obj, a, b, str,
                 str ? strlen(str) + 1 : 0);
        gct_leave(&en);
        break;
    }
    }
    errno = e;
}
