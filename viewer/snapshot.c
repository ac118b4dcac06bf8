/*
 * snapshot.c - what every thread of a target is blocked on, written as
 * a raw log (snapshot.h).
 *
 * A thread stopped inside a futex wait is blocked on a pthread object
 * when glibc's function for that object is on its stack: the function
 * says the kind, the futex address minus glibc's offset for the kind
 * (glibc_layout.h) says the object.  A mutex names its owner, a join
 * the thread it waits for (the futex is that thread's tid field).  Any
 * other wait (a read, a poll, a futex of the program's own) is not
 * guessed at: the thread counts as running, which can only make the
 * analyses say less, never cry wolf.
 *
 * The records are those the shim writes for the same moment: the
 * process, its modules and signal handlers, each thread's start, the
 * mutexes held by their owners, and each wait with its stack.  Their
 * times rise one nanosecond per record from the moment of the snapshot,
 * in that order, so that the finishing step replays them so.
 */
#include "snapshot.h"

#include "event.h"
#include "glibc_layout.h"
#include "libgoc_waits.h"
#include "map.h"
#include "rawlog.h"
#include "rawlog_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* What a thread is blocked on. */
struct blocked {
    int reason; /* gct_wait, GCT_WAIT_NONE: not a wait we know */
    bool timed;
    uint64_t obj;
    int64_t holder; /* the lock's owner, or the joined thread's tid */
};

/* glibc's functions that block on a pthread object, by their name
 * without leading underscores.  Innermost first wins: a condition wait
 * that sleeps again to take its mutex back is a mutex wait. */
static const struct {
    const char *name;
    int reason;
    bool timed;
} blockers[] = {
    {"lll_lock_wait", GCT_WAIT_MUTEX, false},
    {"pthread_mutex_cond_lock", GCT_WAIT_MUTEX, false},
    {"pthread_mutex_lock", GCT_WAIT_MUTEX, false},
    {"pthread_mutex_lock_full", GCT_WAIT_MUTEX, false},
    {"pthread_mutex_timedlock", GCT_WAIT_MUTEX, true},
    {"pthread_mutex_clocklock", GCT_WAIT_MUTEX, true},
    {"pthread_mutex_clocklock_common", GCT_WAIT_MUTEX, true},
    {"pthread_cond_wait", GCT_WAIT_COND, false},
    {"pthread_cond_timedwait", GCT_WAIT_COND, true},
    {"pthread_cond_clockwait", GCT_WAIT_COND, true},
    {"pthread_join", GCT_WAIT_JOIN, false},
    {"pthread_clockjoin_ex", GCT_WAIT_JOIN, false},
    {"pthread_timedjoin_np", GCT_WAIT_JOIN, true},
    {"pthread_clockjoin_np", GCT_WAIT_JOIN, true},
    {"sem_wait", GCT_WAIT_SEM, false},
    {"new_sem_wait", GCT_WAIT_SEM, false},
    {"new_sem_wait_slow", GCT_WAIT_SEM, false},
    {"sem_timedwait", GCT_WAIT_SEM, true},
    {"sem_clockwait", GCT_WAIT_SEM, true},
    {"pthread_rwlock_rdlock", GCT_WAIT_RWLOCK_RD, false},
    {"pthread_rwlock_timedrdlock", GCT_WAIT_RWLOCK_RD, true},
    {"pthread_rwlock_clockrdlock", GCT_WAIT_RWLOCK_RD, true},
    {"pthread_rwlock_wrlock", GCT_WAIT_RWLOCK_WR, false},
    {"pthread_rwlock_timedwrlock", GCT_WAIT_RWLOCK_WR, true},
    {"pthread_rwlock_clockwrlock", GCT_WAIT_RWLOCK_WR, true},
    {"pthread_barrier_wait", GCT_WAIT_BARRIER, false},
};

/* The name without leading underscores and without a version suffix
 * ("pthread_cond_wait@@GLIBC_2.3.2"), in buf. */
static const char *
bare(const char *name, char *buf, size_t n)
{
    while (*name == '_')
        name++;
    snprintf(buf, n, "%s", name);
    char *at = strchr(buf, '@');
    if (at)
        *at = '\0';
    return buf;
}

static int32_t
read_i32(struct gct_target *t, uint64_t addr)
{
    int32_t v = 0;
    if (t->read(t, addr, &v, sizeof v) != 0)
        return 0;
    return v;
}

/* Of the two futex words at off and off + 4 in an 8-byte aligned
 * object, the object that holds the one at addr. */
static uint64_t
object_of_pair(uint64_t addr, size_t off)
{
    return (addr - off) % 8 == 0 ? addr - off : addr - off - 4;
}

/* libgoc's own wait of a thread that sleeps in a futex wait now, as its
 * registry lists it.  A listed wait of a thread that is not asleep is
 * over, or not begun: the thread runs. */
static struct blocked
libgoc_wait(const struct gct_target_thread *th, const struct gct_goc_wait *g)
{
    struct blocked b = {0};
    if (g->reason == GCT_WAIT_NONE || !th->in_syscall ||
        th->regs.orig_rax != SYS_futex)
        return b;
    b.reason = g->reason;
    b.obj = g->obj;
    b.timed = g->deadline != INT64_MAX;
    return b;
}

static struct blocked
classify(struct gct_target *t, const struct gct_target_thread *th,
         const struct gct_glibc_layout *lay)
{
    struct blocked b = {0};
    if (!th->in_syscall || th->regs.orig_rax != SYS_futex)
        return b;
    uint64_t addr = th->regs.rdi;
    int op = (int)(th->regs.rsi & FUTEX_CMD_MASK);
    if (op != FUTEX_WAIT && op != FUTEX_WAIT_BITSET && op != FUTEX_LOCK_PI &&
        op != FUTEX_LOCK_PI2 && op != FUTEX_WAIT_REQUEUE_PI)
        return b;
    char buf[128];
    for (int i = 0; i < th->npcs && b.reason == GCT_WAIT_NONE; i++) {
        const char *fn = gct_target_function(t, th->pcs[i] - 1);
        if (fn == NULL)
            continue;
        bare(fn, buf, sizeof buf);
        for (size_t k = 0; k < sizeof blockers / sizeof blockers[0]; k++)
            if (strcmp(buf, blockers[k].name) == 0) {
                b.reason = blockers[k].reason;
                b.timed = blockers[k].timed;
                break;
            }
    }
    switch (b.reason) {
    case GCT_WAIT_MUTEX:
        b.obj = addr - lay->mutex_futex;
        b.holder = read_i32(t, b.obj + lay->mutex_owner);
        break;
    case GCT_WAIT_COND:
        b.obj = object_of_pair(addr, lay->cond_futex);
        break;
    case GCT_WAIT_JOIN:
        b.obj = addr - lay->join_futex;
        b.holder = read_i32(t, addr);
        break;
    case GCT_WAIT_SEM:
        b.obj = addr; /* the value is the first word */
        break;
    case GCT_WAIT_RWLOCK_RD:
    case GCT_WAIT_RWLOCK_WR:
        b.obj = addr - ((addr - lay->rw_wrphase) % 8 == 0 ? lay->rw_wrphase
                                                          : lay->rw_writers);
        b.holder = read_i32(t, b.obj + lay->rw_writer);
        break;
    case GCT_WAIT_BARRIER:
        b.obj = addr & ~(uint64_t)7;
        break;
    }
    /* A wait with a timeout ends by itself, whichever function asked
     * for it: FUTEX_WAIT's timeout is its fourth argument. */
    if (b.reason && th->regs.r10 != 0)
        b.timed = true;
    return b;
}

/* The function the thread was started with: the frame just inside
 * glibc's start_thread (0 for the main thread, or when unknown). */
static uint64_t
start_routine(struct gct_target *t, const struct gct_target_thread *th)
{
    char buf[64];
    for (int i = 1; i < th->npcs; i++) {
        const char *fn = gct_target_function(t, th->pcs[i] - 1);
        if (fn && strcmp(bare(fn, buf, sizeof buf), "start_thread") == 0)
            return th->pcs[i - 1] - 1;
    }
    return 0;
}

/* Whether th is one of the shim's own threads (its watchdog, ...), which
 * the program does not have: started in libgctrace.so. */
static bool
shim_thread(struct gct_target *t, const struct gct_target_thread *th)
{
    uint64_t fn = start_routine(t, th);
    Dwfl_Module *m = fn ? dwfl_addrmodule(t->dwfl, fn) : NULL;
    const char *name = m ? dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL,
                                            NULL, NULL)
                         : NULL;
    const char *base = name ? strrchr(name, '/') : NULL;
    return base && strcmp(base, "/libgctrace.so") == 0;
}

static void
note_owner(void *arg, int pid, int tid)
{
    gct_map_put(arg, (uint64_t)pid, (uint64_t)tid, 1);
}

/* Takes the shim's raw log at path ahead of the snapshot (the threads
 * it has records of in described).  Returns whether it could. */
static bool
import_history(struct gct_rawlog_writer *w, const char *path,
               struct gct_map *described)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < GCT_LOG_HEADER_SIZE) {
        if (fd >= 0)
            close(fd);
        return false;
    }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return false;
    bool ok = gct_rawlog_import(w, p, (size_t)st.st_size, note_owner,
                                described) == 0;
    munmap(p, (size_t)st.st_size);
    return ok;
}

struct module_arg {
    struct gct_rawlog_writer *w;
    int pid;
    int64_t *ts;
    int failed;
};

static int
module_cb(Dwfl_Module *mod, void **user, const char *name, Dwarf_Addr start,
          void *arg)
{
    struct module_arg *m = arg;
    Dwarf_Addr lo, hi, bias;
    const char *file = NULL;
    (void)user;
    (void)start;
    if (dwfl_module_getelf(mod, &bias) == NULL)
        return DWARF_CB_OK;
    dwfl_module_info(mod, NULL, &lo, &hi, NULL, NULL, &file, NULL);
    const char *path = name && name[0] == '/' ? name : file;
    if (path == NULL || path[0] != '/')
        return DWARF_CB_OK; /* the vDSO: no file to read symbols from */
    if (gct_rawlog_emit(m->w, m->pid, m->pid, GCT_REC_MODULE, 0, (*m->ts)++,
                        bias, (int64_t)lo, (int64_t)hi, path,
                        strlen(path) + 1) != 0)
        m->failed = 1;
    return DWARF_CB_OK;
}

static const char *
reason_text(int reason)
{
    const char *s = gct_wait_name(reason);
    return s ? s : "?";
}

/* The system calls a thread waits in most, by their x86-64 numbers. */
static const char *
syscall_name(uint64_t nr)
{
    switch (nr) {
    case 0: return "read";
    case 1: return "write";
    case 7: return "poll";
    case 23: return "select";
    case 35: return "nanosleep";
    case 43: return "accept";
    case 45: return "recvfrom";
    case 47: return "recvmsg";
    case 61: return "wait4";
    case 202: return "futex";
    case 230: return "clock_nanosleep";
    case 232: return "epoll_wait";
    case 247: return "waitid";
    case 270: return "pselect6";
    case 271: return "ppoll";
    case 281: return "epoll_pwait";
    case 288: return "accept4";
    }
    return NULL;
}

/* Where thread th is, for a person: the first frame in the program's own
 * code (a module outside the system's directories) as "function
 * (file:line)", else the innermost function. */
static void
print_where(FILE *out, struct gct_target *t,
            const struct gct_target_thread *th)
{
    for (int i = 0; i < th->npcs; i++) {
        uint64_t pc = th->pcs[i] - 1;
        Dwfl_Module *m = dwfl_addrmodule(t->dwfl, pc);
        const char *path = m ? dwfl_module_info(m, NULL, NULL, NULL, NULL,
                                                NULL, NULL, NULL)
                             : NULL;
        if (path == NULL || path[0] != '/' || strncmp(path, "/usr/", 5) == 0 ||
            strncmp(path, "/lib", 4) == 0)
            continue;
        const char *fn = gct_target_function(t, pc);
        Dwfl_Line *line = dwfl_module_getsrc(m, pc);
        int lineno = 0;
        const char *file = line ? dwfl_lineinfo(line, NULL, &lineno, NULL,
                                                NULL, NULL)
                                : NULL;
        const char *base = file && strrchr(file, '/') ? strrchr(file, '/') + 1
                                                      : file;
        if (base)
            fprintf(out, " at %s (%s:%d)\n", fn ? fn : "??", base, lineno);
        else
            fprintf(out, " at %s\n", fn ? fn : "??");
        return;
    }
    const char *fn = th->npcs ? gct_target_function(t, th->pcs[0] - 1)
                              : NULL;
    fprintf(out, " in %s\n", fn ? fn : "??");
}

/* One line for thread th: its tid, name, what it does and where. */
static void
print_thread(FILE *out, struct gct_target *t,
             const struct gct_target_thread *th, const struct blocked *b)
{
    fprintf(out, "  %-8d %-16s ", th->tid, th->comm[0] ? th->comm : "-");
    if (b->reason)
        fprintf(out, "blocked: %s 0x%llx%s", reason_text(b->reason),
                (unsigned long long)b->obj, b->timed ? " (timed)" : "");
    else if (th->in_syscall && syscall_name(th->regs.orig_rax))
        fprintf(out, "in system call %s", syscall_name(th->regs.orig_rax));
    else if (th->in_syscall)
        fprintf(out, "in system call %llu",
                (unsigned long long)th->regs.orig_rax);
    else
        fprintf(out, "running");
    if (b->holder > 0)
        fprintf(out, ", %s thread %lld",
                b->reason == GCT_WAIT_JOIN ? "for" : "held by",
                (long long)b->holder);
    print_where(out, t, th);
}

/* The build id of the C library among dwfl's modules (0: none). */
struct libc_id {
    const unsigned char *bits;
    int len;
};

static int
libc_cb(Dwfl_Module *mod, void **user, const char *name, Dwarf_Addr start,
        void *arg)
{
    struct libc_id *id = arg;
    GElf_Addr vaddr, bias;
    (void)user;
    (void)start;
    /* a path for a live process, a soname for a core */
    const char *base = name && strrchr(name, '/') ? strrchr(name, '/') + 1
                                                  : name;
    if (base == NULL || strncmp(base, "libc.so", 7) != 0)
        return DWARF_CB_OK;
    dwfl_module_getelf(mod, &bias); /* the build id is read with it */
    id->len = dwfl_module_build_id(mod, &id->bits, &vaddr);
    return DWARF_CB_ABORT;
}

bool
gct_snapshot_same_libc(struct gct_target *t)
{
    static const Dwfl_Callbacks cb = {
        .find_elf = dwfl_linux_proc_find_elf,
        .find_debuginfo = dwfl_standard_find_debuginfo,
    };
    struct libc_id theirs = {0}, ours = {0};
    Dwfl *self = dwfl_begin(&cb);
    bool same = false;
    if (self && dwfl_linux_proc_report(self, getpid()) == 0 &&
        dwfl_report_end(self, NULL, NULL) == 0) {
        dwfl_getmodules(t->dwfl, libc_cb, &theirs, 0);
        dwfl_getmodules(self, libc_cb, &ours, 0);
        same = theirs.len > 0 && theirs.len == ours.len &&
               memcmp(theirs.bits, ours.bits, (size_t)ours.len) == 0;
    }
    if (self)
        dwfl_end(self);
    return same;
}

void *
gct_snapshot_take(struct gct_target *t, const struct gct_snapshot_opts *o,
                  size_t *size, char *err, size_t errlen)
{
    const struct gct_glibc_layout *lay = gct_glibc_layout();
    struct timespec now, real;
    clock_gettime(CLOCK_MONOTONIC, &now);
    clock_gettime(CLOCK_REALTIME, &real);
    int64_t ts = now.tv_sec * 1000000000ll + now.tv_nsec;
    int64_t start = t->start_mono_ns > 0 && t->start_mono_ns < ts
                        ? t->start_mono_ns
                        : ts;
    struct gct_rawlog_info info = {
        .root_pid = t->pid,
        .record_mode = GCT_RECORD_BLOCKING,
        .start_mono_ns = start,
        .start_real_ns = real.tv_sec * 1000000000ll + real.tv_nsec -
                         (ts - start),
    };
    struct gct_rawlog_writer *w = gct_rawlog_writer_new(&info);
    if (w == NULL || t->nthreads == 0) {
        snprintf(err, errlen, "%s", w ? "the process has no threads left"
                                      : strerror(ENOMEM));
        gct_rawlog_writer_free(w);
        return NULL;
    }
    int pid = t->pid, failed = 0;
    int main_tid = t->threads[0].tid;
    struct gct_map described = {0}; /* (pid, tid) the history has */
    bool history = o->history && import_history(w, o->history, &described);
#define EMIT(tid, kind, stack, obj, a, b, p, n)                            \
    failed |= gct_rawlog_emit(w, pid, tid, kind, stack, ts++, obj, a, b, p, n)

    /* the process: its program and arguments, as the shim records them
     * (and has, when its log is the history) */
    if (!history) {
        size_t exe_len = strlen(t->exe) + 1;
        char *proc = gct_xmalloc(exe_len + t->ncmdline + 1);
        memcpy(proc, t->exe, exe_len);
        if (t->ncmdline)
            memcpy(proc + exe_len, t->cmdline, t->ncmdline);
        /* at the process's start, where the trace's time begins */
        failed |= gct_rawlog_emit(w, pid, main_tid, GCT_REC_PROC, 0, start,
                                  0, pid, t->ppid, proc,
                                  exe_len + t->ncmdline);
        free(proc);
        struct module_arg m = {w, pid, &ts, 0};
        dwfl_getmodules(t->dwfl, module_cb, &m, 0);
        failed |= m.failed;
        EMIT(main_tid, GCT_EV_SIGNALS, 0, 0, (int64_t)t->sigcaught, 0, NULL,
             0);
    }

    struct blocked *bl = gct_xcalloc(t->nthreads, sizeof *bl);
    struct gct_goc_wait *goc = gct_xcalloc(t->nthreads, sizeof *goc);
    gct_libgoc_waits(t, goc);
    /* Threads the history describes keep its records, which hold what
     * the snapshot sees and more (where each lock was taken, by whom a
     * thread was made); the shim's own threads are not the program's. */
    bool *skip = gct_xcalloc(t->nthreads, sizeof *skip);
    for (size_t i = 0; i < t->nthreads; i++)
        skip[i] = (history && gct_map_get(&described, (uint64_t)pid,
                                          (uint64_t)t->threads[i].tid, 0)) ||
                  shim_thread(t, &t->threads[i]);
    for (size_t i = 0; i < t->nthreads; i++) {
        struct gct_target_thread *th = &t->threads[i];
        bl[i] = classify(t, th, lay);
        if (bl[i].reason == GCT_WAIT_NONE)
            bl[i] = libgoc_wait(th, &goc[i]);
        if (skip[i])
            continue;
        uint64_t fn = start_routine(t, th);
        /* at its start when /proc says, so that its lane in the
         * timeline begins there; all before the moment of the snapshot */
        int64_t began = th->start_mono_ns >= start && th->start_mono_ns < ts
                            ? th->start_mono_ns
                            : ts++;
        failed |= gct_rawlog_emit(w, pid, th->tid, GCT_EV_THREAD_START, 0,
                                  began, gct_target_handle(th), 0, 0,
                                  fn ? &fn : NULL, fn ? sizeof fn : 0);
        if (i > 0 && strcmp(th->comm, t->threads[0].comm) != 0)
            EMIT(th->tid, GCT_EV_THREAD_NAME, 0, gct_target_handle(th), 0, 0,
                 th->comm, strlen(th->comm) + 1);
    }
    free(goc);
    /* The locks that blocked threads wait for, held by their owners:
     * where it was taken is gone, but who holds it is known.  The holder
     * known is a mutex's owner or a rwlock's writer: it holds the lock
     * exclusively. */
    for (size_t i = 0; i < t->nthreads; i++) {
        if (!gct_wait_is_lock(bl[i].reason) || bl[i].holder <= 0)
            continue;
        for (size_t k = 0; k < t->nthreads; k++)
            if (!skip[i] && !skip[k] && t->threads[k].tid == bl[i].holder)
                EMIT(t->threads[k].tid, GCT_EV_LOCK_ACQUIRE, 0, bl[i].obj,
                     gct_wait_lock_mode(bl[i].reason) & GCT_LOCK_RW, 0,
                     NULL, 0);
    }
    for (size_t i = 0; i < t->nthreads; i++) {
        struct gct_target_thread *th = &t->threads[i];
        if (o->threads_out)
            print_thread(o->threads_out, t, th, &bl[i]);
        if (bl[i].reason == GCT_WAIT_NONE || skip[i])
            continue;
        uint32_t stack = gct_rawlog_stack(w, pid, th->tid, ts++, th->pcs,
                                          th->npcs);
        int64_t a = bl[i].reason | (bl[i].timed ? GCT_WAIT_TIMED : 0);
        EMIT(th->tid, GCT_EV_WAIT_BEGIN, stack, bl[i].obj, a,
             gct_wait_is_lock(bl[i].reason) ? bl[i].holder : 0, NULL, 0);
    }
#undef EMIT
    free(bl);
    free(skip);
    gct_map_free(&described);
    if (failed) {
        snprintf(err, errlen, "the snapshot does not fit a raw log");
        gct_rawlog_writer_free(w);
        return NULL;
    }
    void *log = gct_rawlog_image(w, o->state, 0, size);
    if (log == NULL)
        snprintf(err, errlen, "%s", strerror(ENOMEM));
    gct_rawlog_writer_free(w);
    return log;
}
