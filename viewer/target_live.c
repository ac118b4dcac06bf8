/*
 * target_live.c - a live process, stopped for as long as it is read
 * (target.h).
 *
 * Why PTRACE_SEIZE and PTRACE_INTERRUPT rather than PTRACE_ATTACH: the
 * latter stops a thread with SIGSTOP, which the process could see (a
 * stopped job, a SIGCHLD to its parent, a wait that returns EINTR where
 * SA_RESTART is not set).  An interrupt is a ptrace trap of its own: a
 * thread asleep in a system call leaves it with a restart code, and when
 * it goes on the kernel restarts the call, so a futex wait waits again
 * (a wake-up that came meanwhile changed the futex word, and the
 * restarted wait returns at once, as glibc's protocols expect).  A
 * tracer that dies lets every seized thread go on: the kernel detaches
 * them, and nothing here needs a signal handler to be safe.
 */
#include "target.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "map.h"
#include "rawlog.h"

/* The kernel's restart codes (not in the uapi headers): a system call
 * interrupted by our stop returns one of them, and is restarted. */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516

/* One thread met: the signal it was about to take when it stopped,
 * handed back on release (0: none; -1: not seized, a zombie). */
struct seized {
    int tid;
    int sig;
};

/* Whether thread tid of process pid is a zombie: a main thread that
 * called pthread_exit while others run, which ptrace cannot seize. */
static bool
zombie(int pid, int tid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/task/%d/stat", pid, tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    return p && (p[2] == 'Z' || p[2] == 'X');
}

struct live {
    struct seized *v;
    size_t n, cap;
    int mem_fd; /* /proc/PID/mem, where process_vm_readv is refused */
    /* A live thread to read the process through: the pid, unless the
     * main thread is a zombie, whose memory and maps are gone. */
    int reader;
};

static int
read_live(struct gct_target *t, uint64_t addr, void *buf, size_t n)
{
    struct live *l = t->priv;
    struct iovec local = {buf, n}, remote = {(void *)(uintptr_t)addr, n};

    if (process_vm_readv(l->reader, &local, 1, &remote, 1, 0) == (ssize_t)n)
        return 0;
    if (l->mem_fd >= 0 && pread(l->mem_fd, buf, n, (off_t)addr) == (ssize_t)n)
        return 0;
    return -1;
}

static bool
is_seized(const struct live *l, int tid)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].tid == tid)
            return true;
    return false;
}

/* Waits until tid reports its stop.  Returns the signal it stopped to
 * take (0 for the interrupt's own stop or a group stop), or -1 when the
 * thread is gone. */
static int
wait_stop(int tid)
{
    for (;;) {
        int status;
        pid_t r = waitpid(tid, &status, __WALL);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 || WIFEXITED(status) || WIFSIGNALED(status))
            return -1;
        if (!WIFSTOPPED(status))
            continue;
        if (status >> 16 == PTRACE_EVENT_STOP)
            return 0;
        /* A signal on its way to the thread: it stops for us here,
         * and gets the signal back on release. */
        return WSTOPSIG(status);
    }
}

static void
perm_message(struct gct_target_err *err, int pid, int e)
{
    char buf[64];
    FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "r");
    int scope = -1;
    if (f) {
        if (fgets(buf, sizeof buf, f))
            scope = atoi(buf);
        fclose(f);
    }
    err->permission = true;
    if (scope > 0)
        snprintf(err->msg, sizeof err->msg,
                 "attach: not allowed to trace process %d (%s; "
                 "kernel.yama.ptrace_scope is %d): run gctrace as root, or "
                 "as the process's user with ptrace_scope 0",
                 pid, strerror(e), scope);
    else
        snprintf(err->msg, sizeof err->msg,
                 "attach: not allowed to trace process %d (%s): run gctrace "
                 "as the process's user, or as root",
                 pid, strerror(e));
}

/* The process's tracer, when it has one (a debugger): 0 when none. */
static int
tracer_of(int pid)
{
    char path[64], line[256];
    int tracer = 0;
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "TracerPid: %d", &tracer) == 1)
            break;
    if (f)
        fclose(f);
    return tracer;
}

/* Seizes every thread of the process, again until a listing of its
 * threads names none that is not stopped: a thread running while the
 * others stop may start new ones, a stopped one cannot. */
static int
seize_all(struct gct_target *t, struct live *l, struct gct_target_err *err)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", t->pid);
    for (;;) {
        DIR *d = opendir(path);
        if (d == NULL) {
            snprintf(err->msg, sizeof err->msg, "attach: no process %d",
                     t->pid);
            return -1;
        }
        bool fresh = false;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            int tid = atoi(e->d_name);
            if (tid <= 0 || is_seized(l, tid))
                continue;
            fresh = true;
            if (zombie(t->pid, tid)) {
                GCT_PUSH(l->v, l->n, l->cap, ((struct seized){tid, -1}));
                continue;
            }
            if (ptrace(PTRACE_SEIZE, tid, 0, 0) != 0) {
                int en = errno;
                if (en == ESRCH)
                    continue; /* it ended meanwhile */
                closedir(d);
                if (en == EPERM && tracer_of(t->pid) > 0) {
                    snprintf(err->msg, sizeof err->msg,
                             "attach: process %d is already traced by "
                             "process %d (a debugger?): detach that first",
                             t->pid, tracer_of(t->pid));
                    err->permission = true;
                } else if (en == EPERM) {
                    perm_message(err, t->pid, en);
                } else {
                    snprintf(err->msg, sizeof err->msg,
                             "attach: cannot trace thread %d of process %d: "
                             "%s", tid, t->pid, strerror(en));
                }
                return -1;
            }
            if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) != 0) {
                ptrace(PTRACE_DETACH, tid, 0, 0);
                continue;
            }
            int sig = wait_stop(tid);
            if (sig < 0)
                continue;
            GCT_PUSH(l->v, l->n, l->cap, ((struct seized){tid, sig}));
        }
        closedir(d);
        if (!fresh)
            return 0;
    }
}

bool
gct_target_raw_log(struct gct_target *t, char *path, size_t n)
{
    struct live *l = t->priv;
    char maps[64], line[4096 + 128];
    snprintf(maps, sizeof maps, "/proc/%d/maps", l->reader);
    FILE *f = fopen(maps, "r");
    bool found = false;
    while (f && !found && fgets(line, sizeof line, f)) {
        char perms[8];
        int at = 0;
        line[strcspn(line, "\n")] = '\0';
        if (sscanf(line, "%*s %7s %*s %*s %*s %n", perms, &at) != 1 ||
            at == 0 || perms[3] != 's' || line[at] != '/')
            continue;
        const char *file = line + at;
        size_t len = strlen(file), sl = strlen(GCT_LOG_SUFFIX);
        if (len <= sl || strcmp(file + len - sl, GCT_LOG_SUFFIX) != 0)
            continue;
        char magic[8];
        int fd = open(file, O_RDONLY | O_CLOEXEC);
        found = fd >= 0 && read(fd, magic, sizeof magic) == sizeof magic &&
                memcmp(magic, GCT_LOG_MAGIC, sizeof magic) == 0;
        if (fd >= 0)
            close(fd);
        if (found)
            snprintf(path, n, "%s", file);
    }
    if (f)
        fclose(f);
    return found;
}

void
gct_target_release(struct gct_target *t)
{
    struct live *l = t->priv;
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].sig >= 0)
            ptrace(PTRACE_DETACH, l->v[i].tid, 0,
                   (void *)(intptr_t)l->v[i].sig);
    l->n = 0;
}

static void
read_file(const char *path, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    size_t cap = 0;
    for (;;) {
        if (*len + 4096 > cap) {
            cap = cap ? cap * 2 : 8192;
            *out = gct_xrealloc(*out, cap);
        }
        ssize_t n = read(fd, *out + *len, cap - *len - 1);
        if (n <= 0)
            break;
        *len += (size_t)n;
    }
    close(fd);
    if (*out)
        (*out)[*len] = '\0';
}

/* When the process or thread whose /proc stat file is path started, in
 * CLOCK_MONOTONIC ns (0: unknown): stat's 22nd field, in clock ticks
 * after boot. */
static int64_t
started(const char *path)
{
    char *s;
    size_t n;
    int64_t at = 0;
    read_file(path, &s, &n);
    char *p = s ? strrchr(s, ')') : NULL;
    unsigned long long ticks = 0;
    for (int field = 2; p && *p && field < 22; p++)
        if (*p == ' ')
            field++;
    if (p && sscanf(p, "%llu", &ticks) == 1) {
        struct timespec now, boot;
        clock_gettime(CLOCK_MONOTONIC, &now);
        clock_gettime(CLOCK_BOOTTIME, &boot);
        int64_t since_boot = (int64_t)(ticks * 1000000000ull /
                                       (unsigned long long)sysconf(
                                           _SC_CLK_TCK));
        /* boot time runs ahead of monotonic time by the time suspended */
        int64_t ahead = (boot.tv_sec - now.tv_sec) * 1000000000ll +
                        (boot.tv_nsec - now.tv_nsec);
        at = since_boot - ahead;
    }
    free(s);
    return at;
}

/* What /proc says of the process: its program, arguments, parent,
 * signal handlers and start. */
static void
read_proc(struct gct_target *t, int reader)
{
    char path[64], *s;
    size_t n;

    snprintf(path, sizeof path, "/proc/%d/exe", reader);
    ssize_t k = readlink(path, t->exe, sizeof t->exe - 1);
    t->exe[k > 0 ? k : 0] = '\0';
    snprintf(path, sizeof path, "/proc/%d/cmdline", reader);
    read_file(path, &t->cmdline, &t->ncmdline);
    snprintf(path, sizeof path, "/proc/%d/status", reader);
    read_file(path, &s, &n);
    for (char *p = s; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1
                                                  : NULL) {
        unsigned long long v;
        int ppid;
        if (sscanf(p, "SigCgt: %llx", &v) == 1)
            t->sigcaught = v;
        else if (sscanf(p, "PPid: %d", &ppid) == 1)
            t->ppid = ppid;
    }
    free(s);
    snprintf(path, sizeof path, "/proc/%d/stat", t->pid);
    t->start_mono_ns = started(path);
}

static void
read_comm(struct gct_target *t, struct gct_target_thread *th)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task/%d/stat", t->pid, th->tid);
    th->start_mono_ns = started(path);
    snprintf(path, sizeof path, "/proc/%d/task/%d/comm", t->pid, th->tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, th->comm, sizeof th->comm - 1) : 0;
    if (fd >= 0)
        close(fd);
    th->comm[n > 0 ? n : 0] = '\0';
    char *nl = strchr(th->comm, '\n');
    if (nl)
        *nl = '\0';
}

static const Dwfl_Callbacks proc_callbacks = {
    .find_elf = dwfl_linux_proc_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
};

int
gct_target_attach(struct gct_target *t, int pid, struct gct_target_err *err)
{
    struct live *l = gct_xcalloc(1, sizeof *l);
    char path[64];

    memset(err, 0, sizeof *err);
    t->pid = pid;
    t->priv = l;
    t->read = read_live;
    l->mem_fd = -1;
    if (kill(pid, 0) != 0 && errno == ESRCH) {
        snprintf(err->msg, sizeof err->msg, "attach: no process %d", pid);
        return -1;
    }
    if (seize_all(t, l, err) != 0) {
        gct_target_release(t);
        return -1;
    }
    l->reader = pid;
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].tid == pid && l->v[i].sig < 0) /* a zombie main */
            for (size_t k = 0; k < l->n; k++)
                if (l->v[k].sig >= 0) {
                    l->reader = l->v[k].tid;
                    break;
                }
    snprintf(path, sizeof path, "/proc/%d/mem", l->reader);
    l->mem_fd = open(path, O_RDONLY | O_CLOEXEC);
    read_proc(t, l->reader);
    /* the main thread first: its tid is the pid */
    t->threads = gct_xcalloc(l->n ? l->n : 1, sizeof *t->threads);
    for (size_t i = 0; i < l->n; i++) {
        struct gct_target_thread th = {.tid = l->v[i].tid};
        if (l->v[i].sig < 0 ||
            ptrace(PTRACE_GETREGS, th.tid, 0, &th.regs) != 0)
            continue;
        long rc = (long)th.regs.rax;
        th.in_syscall = (long)th.regs.orig_rax >= 0 &&
                        (rc == -ERESTARTSYS || rc == -ERESTARTNOINTR ||
                         rc == -ERESTARTNOHAND ||
                         rc == -ERESTART_RESTARTBLOCK);
        read_comm(t, &th);
        if (th.tid == pid && t->nthreads > 0) {
            t->threads[t->nthreads] = t->threads[0];
            t->threads[0] = th;
        } else {
            t->threads[t->nthreads] = th;
        }
        t->nthreads++;
    }
    t->dwfl = dwfl_begin(&proc_callbacks);
    if (t->dwfl == NULL || dwfl_linux_proc_report(t->dwfl, l->reader) != 0 ||
        dwfl_report_end(t->dwfl, NULL, NULL) != 0) {
        snprintf(err->msg, sizeof err->msg,
                 "attach: cannot read the modules of process %d: %s", pid,
                 dwfl_errmsg(-1));
        gct_target_release(t);
        return -1;
    }
    /* true: the threads are stopped already, by us */
    if (dwfl_linux_proc_attach(t->dwfl, l->reader, true) == 0)
        gct_target_unwind(t);
    return 0;
}

void
gct_target_free(struct gct_target *t)
{
    struct live *l = t->priv;
    if (t->dwfl)
        dwfl_end(t->dwfl);
    gct_target_core_free(t);
    if (l && t->read == read_live) {
        if (l->mem_fd >= 0)
            close(l->mem_fd);
        free(l->v);
        free(l);
    }
    free(t->threads);
    free(t->cmdline);
    gct_map_free(&t->functions);
    memset(t, 0, sizeof *t);
}
