/*
 * finisher.c - running the finishing step for the recorder: at the root
 * process's exit, and for the watchdog's snapshots.
 *
 * The step is gctrace-finish, the static helper (viewer/finisher/main.c),
 * or `gctrace finish` where there is none (sanitizer builds).  It turns
 * the raw log into the sqlite trace, runs the analyses, prints the report
 * and says by its exit status whether anything was found.
 *
 * It starts at exit.  A helper started with the program and waiting for
 * its exit (option standby, removed) saved a single program a few ms at
 * exit, but the program waited for its exec at start and its warm-up
 * took a core, which cost a suite of short processes more than it saved
 * (docs/bench-shim.md, "Figures behind the code").
 */
#include "shim.h"

#include <dlfcn.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Where the step's program is, beside our lib/ directory; *helper tells
 * gctrace-finish from gctrace.  false when neither is there. */
static bool
finisher_path(char *bin, size_t size, bool *helper)
{
    Dl_info info;

    if (!dladdr((void *)&finisher_path, &info) || !info.dli_fname)
        return false;
    const char *slash = strrchr(info.dli_fname, '/');
    int dir = slash ? (int)(slash - info.dli_fname) : 0;
    snprintf(bin, size, "%.*s/../libexec/gctrace-finish", dir,
             info.dli_fname);
    *helper = access(bin, X_OK) == 0;
    if (*helper)
        return true;
    snprintf(bin, size, "%.*s/../bin/gctrace", dir, info.dli_fname);
    return access(bin, X_OK) == 0;
}

/* Our environment without LD_PRELOAD (the step must not trace itself), in
 * a calloc'd array of environ's strings. */
static char **
env_without_preload(void)
{
    size_t n = 0;
    while (environ && environ[n])
        n++;
    char **env = calloc(n + 1, sizeof *env);
    if (env == NULL)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0)
            env[k++] = environ[i];
    return env;
}

/* Fills argv (room for 10) after what the caller put in its first a
 * slots: the step's options and the trace.  Returns the count. */
static int
step_argv(char **argv, int a, bool helper, bool snapshot)
{
    if (!helper)
        argv[a++] = "finish";
    argv[a++] = gct_recorder.opt.report ? "--report" : "--quiet";
    if (snapshot)
        argv[a++] = "--snapshot";
    if (gct_recorder.opt.suppressions[0]) {
        argv[a++] = "--suppressions";
        argv[a++] = gct_recorder.opt.suppressions;
    }
    argv[a++] = "--";
    argv[a++] = gct_recorder.opt.out;
    argv[a] = NULL;
    return a;
}

/* Runs the step and waits for it: its exit status, or -1. */
static int
run_step(bool snapshot)
{
    char bin[PATH_MAX];
    bool helper;

    if (!finisher_path(bin, sizeof bin, &helper))
        return -1;
    char **env = env_without_preload();
    if (env == NULL)
        return -1;
    char *argv[12] = {bin};
    step_argv(argv, 1, helper, snapshot);
    pid_t pid;
    int r = posix_spawn(&pid, bin, NULL, NULL, argv, env);
    free(env);
    if (r != 0)
        return -1;
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The watchdog's snapshots in progress, and EXITING once the process
 * has begun to exit (gct_snapshots_end).  The exit's step consumes the raw log and renames
 * the final trace into place: a snapshot running beside it would find
 * its log gone (an error line in the program's output) or rename an
 * incomplete trace over the final one.  A snapshot's step that outlives
 * its process does the same when another finishes the trace: the root
 * process, of a snapshot taken in a child, or `gctrace run`.  So every
 * process's exit waits for its snapshots in progress, and no snapshot
 * starts after it. */
static _Atomic int steps;
#define EXITING (1 << 30)
/* How long the exit waits for a snapshot in progress, in ms: a bound,
 * so that a step that hangs cannot hang the program's exit. */
#define SNAPSHOT_WAIT_MS 10000

int
gct_take_snapshot(void)
{
    if (atomic_fetch_add(&steps, 1) & EXITING) {
        atomic_fetch_sub(&steps, 1);
        return -1;
    }
    int r = run_step(true);
    atomic_fetch_sub(&steps, 1);
    return r;
}

void
gct_snapshots_end(void)
{
    struct timespec ms = {0, 1000000};

    atomic_fetch_or(&steps, EXITING);
    for (int i = 0; i < SNAPSHOT_WAIT_MS && (atomic_load(&steps) & ~EXITING);
         i++)
        nanosleep(&ms, NULL);
}

int
gct_finish_at_exit(void)
{
    return run_step(false);
}

void
gct_finisher_after_fork(void)
{
    /* the snapshots were the parent's watchdog's */
    atomic_store(&steps, 0);
}
