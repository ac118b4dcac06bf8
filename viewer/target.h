/*
 * target.h - a process read from outside, for `gctrace attach` (a live
 * process, stopped for the moment it is read: target_live.c) and
 * `gctrace core` (a core dump: target_core.c).  Both give the same
 * thing, which snapshot.c turns into a raw log: every thread's
 * registers and stack, and a way to read the process's memory.
 *
 * x86-64 only: the registers are x86-64's, and so is the rule that a
 * thread's pthread_t is its fs base.
 */
#ifndef GCT_TARGET_H
#define GCT_TARGET_H

#include "map.h"

#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/user.h>

#define GCT_TARGET_MAX_FRAMES 64

struct gct_target_thread {
    int tid;
    struct user_regs_struct regs;
    /* The thread was stopped inside a system call (regs.orig_rax), which
     * it will restart; its arguments are in the registers. */
    bool in_syscall;
    char comm[16];
    int64_t start_mono_ns; /* when it started (0: unknown) */
    uint64_t pcs[GCT_TARGET_MAX_FRAMES]; /* innermost first: the pc,
                                            then return addresses */
    int npcs;
};

struct gct_target {
    int pid, ppid;
    char exe[4096];
    char *cmdline; /* argv, NUL-separated; ncmdline bytes */
    size_t ncmdline;
    uint64_t sigcaught; /* signals with a handler, bit n - 1 for n */
    int64_t start_mono_ns; /* when the process started (0: unknown) */
    struct gct_target_thread *threads; /* the main thread first */
    size_t nthreads;
    Dwfl *dwfl; /* its modules, for stacks and symbols */
    /* pc -> its function's name + 1 (libdwfl's, valid while dwfl is):
     * a lookup scans a module's symbols, and a thousand threads share
     * a few dozen pcs */
    struct gct_map functions;
    /* Reads n bytes at addr of the process; 0, or -1. */
    int (*read)(struct gct_target *t, uint64_t addr, void *buf, size_t n);
    void *priv;
};

/* Thread i's pthread_t, as glibc on x86-64 makes it: the thread's fs
 * base is its struct pthread. */
static inline uint64_t
gct_target_handle(const struct gct_target_thread *t)
{
    return t->regs.fs_base;
}

/* Why attaching or reading failed: a message, and whether it was for
 * want of permission (`attach` exits 3 then, docs/cli.md). */
struct gct_target_err {
    char msg[512];
    bool permission;
};

/*
 * Stops every thread of process pid with ptrace (PTRACE_SEIZE and
 * PTRACE_INTERRUPT: no signal is sent, and a system call a thread was in
 * restarts when it goes on), reads their registers and stacks.  The
 * process stays stopped until gct_target_release; if gctrace dies
 * before, the kernel lets every thread go on.  Returns 0, or -1 with
 * err filled (every thread already stopped released again).
 */
int gct_target_attach(struct gct_target *t, int pid,
                      struct gct_target_err *err);
/* The raw log that the shim, preloaded into the attached process, writes
 * (a file it maps shared, named *.raw, that begins as a raw log does):
 * its path in path, or false when the process is not recorded. */
bool gct_target_raw_log(struct gct_target *t, char *path, size_t n);

/* Lets every thread of an attached process go on, as it was. */
void gct_target_release(struct gct_target *t);

/* Reads core dump core (of exe, NULL: the program the core names).
 * Returns 0, or -1 with err filled. */
int gct_target_core(struct gct_target *t, const char *core, const char *exe,
                    struct gct_target_err *err);

/* Frees what attach or core made (after release, for a live one). */
void gct_target_free(struct gct_target *t);
/* gct_target_free's part for a core (nothing for a live target). */
void gct_target_core_free(struct gct_target *t);

/* The name of the function at pc in the target (NULL when unknown). */
const char *gct_target_function(struct gct_target *t, uint64_t pc);

/* Fills t->threads[i].pcs by unwinding, with t->dwfl attached. */
void gct_target_unwind(struct gct_target *t);

#endif
