/*
 * finisher.c - running the finishing step for the recorder: at the root
 * process's exit, and for the watchdog's snapshots.
 *
 * The step is gctrace-finish, the static helper (viewer/finisher/main.c),
 * or `gctrace finish` where there is none (sanitizer builds).  It turns
 * the raw log into the sqlite trace, runs the analyses, prints the report
 * and says by its exit status whether anything was found.
 *
 * Started at exit, most of its time went on being a new process: exec,
 * relocation, sqlite's first statements, the first touch of each page of
 * memory (17-29 us each on a paravirtualised guest).  So the root process
 * starts the helper with the program (option standby, on by default): it
 * warms up beside the program and waits on a socket.  At exit the recorder
 * sends "go" with the program's standard error, and reads back the status
 * the helper would have exited with.
 *
 * The waiting helper must not change how the program runs:
 *  - it is not the program's child but init's (started through a child
 *    that leaves at once, without an exit signal): wait(2) never reports
 *    it, and no SIGCHLD reaches the program (a program that would adopt
 *    it, as init of its namespace or a subreaper, gets no helper);
 *  - it keeps none of the program's descriptors: its standard input and
 *    output are /dev/null until "go", so a reader of the program's output
 *    sees its end when the program closes it;
 *  - when the socket closes without "go" (the program was killed or
 *    exec'd, or closed our descriptor), it exits and leaves the raw log as
 *    it is; at exit the recorder then starts the step as before.
 */
#include "shim.h"

#include "../common/standby.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Our end of the socket to the waiting helper, at a high number, and
 * what it is: the program may close it, and the number may then name one
 * of its own files. */
static int standby_fd = -1;
static dev_t standby_dev;
static ino_t standby_ino;

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
    argv[a++] = gct_rec.opt.report ? "--report" : "--quiet";
    if (snapshot)
        argv[a++] = "--snapshot";
    if (gct_rec.opt.suppressions[0]) {
        argv[a++] = "--suppressions";
        argv[a++] = gct_rec.opt.suppressions;
    }
    argv[a++] = "--";
    argv[a++] = gct_rec.opt.out;
    argv[a] = NULL;
    return a;
}

int
gct_spawn_finisher(bool snapshot)
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

/* ------------------------------------------------------------ standby */

struct helper_start {
    const char *bin;
    char **argv, **env;
    int fd; /* the helper's end of the socket, here */
};

/* Stacks for the two clone children below, which run one at a time while
 * the program waits. */
static char stack_a[16384] __attribute__((aligned(16)));
static char stack_b[16384] __attribute__((aligned(16)));

/* The helper, on the program's memory until execve (CLONE_VFORK holds
 * the others meanwhile): only system calls on its own copy of the
 * descriptor table, and glibc's _exit, not ours (which would finish the
 * program's trace).  The socket goes to GCT_STANDBY_FD, /dev/null to 0-2,
 * and every other descriptor is closed. */
static int
exec_helper(void *arg)
{
    const struct helper_start *h = arg;

    if (h->fd == GCT_STANDBY_FD ? fcntl(GCT_STANDBY_FD, F_SETFD, 0) != 0
                                : dup2(h->fd, GCT_STANDBY_FD) != GCT_STANDBY_FD)
        gct_real._exit(127);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0)
        gct_real._exit(127);
    for (int fd = 0; fd <= 2; fd++)
        if (fd == null ? fcntl(fd, F_SETFD, 0) != 0 : dup2(null, fd) != fd)
            gct_real._exit(127);
    close_range(GCT_STANDBY_FD + 1, ~0u, 0); /* else CLOEXEC covers ours */
    execve(h->bin, h->argv, h->env);
    gct_real._exit(127);
    return 127;
}

/* The program's child, which starts the helper and leaves at once, so
 * that the helper's parent is init and not the program: execve makes a
 * child one that wait(2) reports, whatever its clone flags.  This one
 * never execs, and has no exit signal.  Exits 0 when the helper runs. */
static int
start_helper(void *arg)
{
    int st;
    pid_t pid = clone(exec_helper, stack_b + sizeof stack_b,
                      CLONE_VM | CLONE_VFORK | SIGCHLD, arg);
    gct_real._exit(pid > 0 && waitpid(pid, &st, WNOHANG) == 0 ? 0 : 1);
    return 1;
}

void
gct_standby_start(void)
{
    char bin[PATH_MAX];
    bool helper;
    int sv[2];

    /* With DEBUGINFOD_URLS the helper hands the finish over to gctrace,
     * which a waiting helper could not (viewer/finisher/main.c).  A
     * program that is its namespace's init, or a subreaper, would adopt
     * the helper as its own child. */
    const char *urls = getenv("DEBUGINFOD_URLS");
    int subreaper = 0;
    if (!gct_rec.opt.standby || !gct_rec.opt.finish || !gct_rec.root ||
        (urls && *urls) || getpid() == 1 ||
        prctl(PR_GET_CHILD_SUBREAPER, &subreaper) != 0 || subreaper ||
        !finisher_path(bin, sizeof bin, &helper) || !helper)
        return;
    int saved = errno;
    char **env = env_without_preload();
    if (env == NULL ||
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        free(env);
        errno = saved;
        return;
    }
    char *argv[12] = {bin, "--standby"};
    step_argv(argv, 2, true, false);
    struct helper_start h = {bin, argv, env, sv[1]};

    /* Signals stay blocked in the children, whose handlers would run on
     * the program's memory; the helper unblocks them after exec. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = clone(start_helper, stack_a + sizeof stack_a,
                      CLONE_VM | CLONE_VFORK, &h);
    int st = -1;
    if (pid > 0)
        while (waitpid(pid, &st, __WCLONE) < 0 && errno == EINTR)
            ;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    free(env);
    close(sv[1]);
    struct stat sb;
    int fd = gct_raise_fd(sv[0]);
    if (st != 0 || fstat(fd, &sb) != 0) {
        close(fd);
        errno = saved;
        return;
    }
    standby_fd = fd;
    standby_dev = sb.st_dev;
    standby_ino = sb.st_ino;
    errno = saved;
}

/* Our end of the socket, if the program left it alone; -1 otherwise. */
static int
standby_socket(void)
{
    struct stat sb;

    if (standby_fd < 0 || fstat(standby_fd, &sb) != 0 ||
        sb.st_dev != standby_dev || sb.st_ino != standby_ino)
        return -1;
    return standby_fd;
}

void
gct_standby_after_fork(void)
{
    int fd = standby_socket();
    if (fd >= 0)
        close(fd);
    standby_fd = -1;
}

/* Asks the waiting helper to finish the trace, handing it our standard
 * error for the report.  Its status, or -2 when there is no helper to
 * ask (or it went away). */
static int
standby_finish(void)
{
    int fd = standby_socket();
    standby_fd = -1;
    if (fd < 0)
        return -2;
    struct gct_standby_msg m;
    gct_standby_msg_init(&m, 'g');
    gct_standby_msg_attach(&m, 2);
    ssize_t n = sendmsg(fd, &m.msg, MSG_NOSIGNAL);
    if (n < 0 && errno == EBADF) { /* no standard error: none to hand */
        gct_standby_msg_init(&m, 'n');
        n = sendmsg(fd, &m.msg, MSG_NOSIGNAL);
    }
    unsigned char status = 0;
    if (n == 1)
        do
            n = recv(fd, &status, 1, 0);
        while (n < 0 && errno == EINTR);
    close(fd);
    return n == 1 ? status : -2;
}

int
gct_finish_at_exit(void)
{
    int r = standby_finish();
    return r != -2 ? r : gct_spawn_finisher(false);
}
