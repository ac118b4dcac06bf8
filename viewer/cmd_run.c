/*
 * cmd_run.c - `gctrace run [-o TRACE] [--] PROG [ARGS...]`.
 *
 * Runs PROG with libgctrace.so preloaded (found beside this binary, in
 * ../lib, in the build tree and after installation alike), waits for it,
 * finishes the trace and reports.  The runner survives the program's
 * crash, so finishing here is what makes a crashed run's trace complete.
 * Programs the dynamic linker will not preload into (static, setuid), and
 * a trace path that cannot be written, are refused with the reason before
 * the program starts, rather than giving a silent empty trace.
 *
 * The runner stands in for the program as timeout(1) and strace(1) do:
 * the signals that ask a program to end reach it, and the program does
 * not outlive a runner that dies.
 */
#include "cli.h"

#include "phase_time.h"
#include "rawlog.h"
#include "safe_file.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void
usage(FILE *out)
{
    fputs("usage: gctrace run [-o TRACE] [--suppressions FILE] [--] PROG "
          "[ARGS...]\n"
          "Runs PROG under the recorder, writes the trace (default\n"
          "gctrace.PROG.db) and reports findings on stderr.\n"
          "  -o, --output TRACE     where to write the trace\n"
          "  --suppressions FILE    findings to ignore (docs/suppressions.md)\n"
          "  -q, --quiet            no report, just the trace\n"
          "GCTRACE_OPTIONS (docs/options.md) is passed on to the recorder.\n"
          "exit status: PROG's own (128+N when killed by signal N), or the\n"
          "exitcode option (default 66) when something was found; 2 on a\n"
          "usage error, a program that cannot be traced or a trace that\n"
          "cannot be written.  SIGINT, SIGTERM, SIGHUP and SIGQUIT are\n"
          "passed on to PROG; PROG ends (SIGKILL) if the runner dies.\n",
          out);
}

/* PROG as execvp would find it. */
static bool
find_program(const char *prog, char *out, size_t n)
{
    if (strchr(prog, '/')) {
        snprintf(out, n, "%s", prog);
        return access(out, F_OK) == 0;
    }
    const char *path = getenv("PATH");
    if (path == NULL)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = path; *p;) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        snprintf(out, n, "%.*s/%s", (int)len, len ? p : ".", prog);
        if (access(out, X_OK) == 0)
            return true;
        p += len;
        if (*p == ':')
            p++;
    }
    return false;
}

/* Whether the ELF program open on fd (header eh) names a dynamic linker
 * (PT_INTERP); its path into interp ("" when unreadable). */
static bool
elf_interp(int fd, const Elf64_Ehdr *eh, char *interp, size_t size)
{
    interp[0] = '\0';
    for (int i = 0; i < eh->e_phnum; i++) {
        Elf64_Phdr ph;
        if (pread(fd, &ph, sizeof ph,
                  (off_t)(eh->e_phoff + (size_t)i * eh->e_phentsize)) !=
            (ssize_t)sizeof ph)
            break;
        if (ph.p_type != PT_INTERP)
            continue;
        size_t n = ph.p_filesz < size ? (size_t)ph.p_filesz : size - 1;
        ssize_t got = pread(fd, interp, n, (off_t)ph.p_offset);
        interp[got > 0 ? (size_t)got : 0] = '\0';
        return true;
    }
    return false;
}

/* Why the recorder cannot be preloaded into path, or NULL if it can. */
static const char *
untraceable(const char *path)
{
    struct stat st;
    Elf64_Ehdr eh;
    static char why[256];

    if (stat(path, &st) != 0)
        return strerror(errno);
    if (S_ISDIR(st.st_mode))
        return "is a directory";
    if (access(path, X_OK) != 0)
        return "is not executable";
    if (st.st_mode & (S_ISUID | S_ISGID))
        return "is setuid or setgid: the dynamic linker ignores LD_PRELOAD "
               "for it";
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return strerror(errno);
    ssize_t n = pread(fd, &eh, sizeof eh, 0);
    if (n >= 2 && memcmp(&eh, "#!", 2) == 0) {
        close(fd);
        return NULL; /* a script: its interpreter is traced */
    }
    if (n != (ssize_t)sizeof eh || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
        eh.e_ident[EI_CLASS] != ELFCLASS64) {
        close(fd);
        return "is not a 64-bit ELF program or a script";
    }
    char interp[PATH_MAX];
    bool dynamic = elf_interp(fd, &eh, interp, sizeof interp);
    close(fd);
    if (!dynamic) {
        snprintf(why, sizeof why, "is statically linked: there is no "
                                  "dynamic linker to preload the recorder");
        return why;
    }
    const char *base = strrchr(interp, '/');
    if (strncmp(base ? base + 1 : interp, "ld-musl", 7) == 0) {
        snprintf(why, sizeof why, "is linked with musl libc (its dynamic "
                 "linker is %.160s): the recorder is made for glibc", interp);
        return why;
    }
    return NULL;
}

/* Whether a file can be made beside trace: the recorder makes its raw log
 * there, and without this check a missing or read-only directory only
 * shows as a program run untraced.  Tried for real (a temporary file,
 * removed at once), since access(2) ignores read-only mounts and ACLs. */
static bool
trace_dir_writable(const char *trace, int *err)
{
    char tmp[PATH_MAX + 16];
    int fd = gct_create_temp(trace, tmp, sizeof tmp);
    if (fd < 0) {
        *err = errno;
        return false;
    }
    close(fd);
    unlink(tmp);
    return true;
}

/* The signals that ask a program to end.  The runner passes them on. */
static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define N_FORWARDED (sizeof forwarded / sizeof forwarded[0])

static volatile pid_t child_pid;

static void
forward_signal(int sig, siginfo_t *info, void *ctx)
{
    (void)ctx;
    int saved = errno;
    /* A terminal's Ctrl-C or Ctrl-\ (sent by the kernel) already went to
     * the whole foreground process group: the program has it, unless it
     * moved to a group of its own. */
    if (info && info->si_code == SI_KERNEL && child_pid > 0 &&
        getpgid(child_pid) == getpgrp()) {
        errno = saved;
        return;
    }
    if (child_pid > 0)
        kill(child_pid, sig);
    errno = saved;
}

/* Installs forward_signal for the forwarded signals, even those the
 * runner was started ignoring (a shell's `&` ignores SIGINT): a signal
 * sent to the runner on purpose is for the program, which inherits the
 * old dispositions and decides.  The previous dispositions go into old. */
static void
forward_signals(struct sigaction old[N_FORWARDED])
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = forward_signal;
    sa.sa_flags = SA_SIGINFO; /* no SA_RESTART: waitpid sees EINTR */
    sigfillset(&sa.sa_mask);
    for (size_t i = 0; i < N_FORWARDED; i++)
        sigaction(forwarded[i], &sa, &old[i]);
}

/* The runner's own signal handlers and mask back, as forward_signals
 * found them (in the program before its exec, and in the runner once
 * the program is gone or could not start). */
static void
restore_signals(const struct sigaction old[N_FORWARDED],
                const sigset_t *oldmask)
{
    for (size_t i = 0; i < N_FORWARDED; i++)
        sigaction(forwarded[i], &old[i], NULL);
    sigprocmask(SIG_SETMASK, oldmask, NULL);
}

/* In the child, before exec: the program ends with a runner that dies
 * (SIGKILL: a hung program ignores politer signals; the raw log keeps what
 * was recorded, and the next gctrace command finishes it). */
static void
die_with_parent(pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) /* it died before prctl took effect */
        _exit(127);
}

/* The program's environment: the runner's, with the recorder's three
 * variables set (ours replace any the user set).  One block: the array,
 * then our three strings; free() it. */
static char **
child_env(const char *preload, const char *opts, const char *trace)
{
    static const char *const names[] = {"LD_PRELOAD=", "GCTRACE_OPTIONS=",
                                        "GCTRACE_OUT="};
    const char *values[] = {preload, opts, trace};
    size_t n = 0;
    while (environ[n])
        n++;
    size_t array = (n + 4) * sizeof(char *);
    char **env = malloc(array + strlen(preload) + strlen(opts) +
                        strlen(trace) + 64);
    if (!env)
        return NULL;
    char *ours = (char *)env + array;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        bool replaced = false;
        for (size_t j = 0; j < 3 && !replaced; j++)
            replaced = strncmp(environ[i], names[j], strlen(names[j])) == 0;
        if (!replaced)
            env[k++] = environ[i];
    }
    for (size_t j = 0; j < 3; j++) {
        env[k++] = ours;
        ours += sprintf(ours, "%s%s", names[j], values[j]) + 1;
    }
    env[k] = NULL;
    return env;
}

/*
 * Starts the program, as the runner's child that shares its memory until
 * the exec (vfork): a fork would copy the runner's page tables and make
 * each page it writes afterwards a copy-on-write fault, which one short
 * traced process pays on every run.  Between vfork and exec the child
 * makes system calls only, and on a failed exec leaves its errno in
 * exec_errno for the runner to report.  old and oldmask: the runner's
 * own signal handlers and mask, which the program inherits.  Returns the
 * pid, or -1 with errno set (the vfork's, or the exec's).
 */
static pid_t
start_program(const char *prog, char *const argv[], char *const envp[],
              const struct sigaction old[N_FORWARDED],
              const sigset_t *oldmask, pid_t parent)
{
    static volatile int exec_errno;
    exec_errno = 0;
    pid_t pid = vfork();
    if (pid == 0) {
        restore_signals(old, oldmask);
        die_with_parent(parent);
        execve(prog, argv, envp);
        exec_errno = errno;
        _exit(127);
    }
    if (pid > 0 && exec_errno != 0) {
        waitpid(pid, NULL, 0);
        errno = exec_errno;
        return -1;
    }
    return pid;
}

static bool
shim_path(char *out, size_t n)
{
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0)
        return false;
    self[len] = '\0';
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    int len2 = snprintf(out, n, "%s/../lib/libgctrace.so", self);
    if (len2 < 0 || (size_t)len2 >= n || access(out, R_OK) != 0)
        return false;
    char *real = realpath(out, NULL);
    if (real) {
        snprintf(out, n, "%s", real);
        free(real);
    }
    return true;
}

int
cmd_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"suppressions", required_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out = NULL, *supp = NULL;
    bool quiet = false;
    int c;

    optind = 1;
    opterr = 0; /* one line of our own instead of getopt's */
    while ((c = getopt_long(argc, argv, "+o:s:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 's': supp = optarg; break;
        case 'q': quiet = true; break;
        case 'h': usage(stdout); return GCT_EXIT_OK;
        default:
            gct_say("run: unknown option '%s' (see 'gctrace run --help')",
                    argv[optind - 1]);
            return GCT_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        gct_say("run: no program given (see 'gctrace run --help')");
        return GCT_EXIT_USAGE;
    }
    char prog[PATH_MAX], shim[PATH_MAX], trace[PATH_MAX], def[PATH_MAX];
    if (!find_program(argv[optind], prog, sizeof prog)) {
        gct_say("run: %s: program not found", argv[optind]);
        return GCT_EXIT_USAGE;
    }
    const char *why = untraceable(prog);
    if (why) {
        gct_say("run: cannot trace %s: it %s", prog, why);
        return GCT_EXIT_USAGE;
    }
    if (!shim_path(shim, sizeof shim)) {
        gct_say("run: cannot find libgctrace.so beside this gctrace "
                "(expected in ../lib)");
        return GCT_EXIT_USAGE;
    }
    if (out == NULL) {
        const char *base = strrchr(argv[optind], '/');
        snprintf(def, sizeof def, "gctrace.%s.db",
                 base ? base + 1 : argv[optind]);
        out = def;
    }
    if (out[0] == '/') {
        snprintf(trace, sizeof trace, "%s", out);
    } else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd)) {
            gct_say("run: cannot read the current directory");
            return GCT_EXIT_USAGE;
        }
        int len = snprintf(trace, sizeof trace, "%s/%s", cwd, out);
        if (len < 0 || (size_t)len >= sizeof trace) {
            gct_say("run: trace path too long");
            return GCT_EXIT_USAGE;
        }
    }

    /* Refused now rather than after the program ran (safe_file.h). */
    char raw[PATH_MAX + sizeof GCT_LOG_SUFFIX];
    snprintf(raw, sizeof raw, "%s%s", trace, GCT_LOG_SUFFIX);
    const char *paths[] = {trace, raw}, *unsafe;
    for (int i = 0; i < 2; i++)
        if (!gct_may_replace(paths[i], &unsafe)) {
            gct_say("run: %s %s: not replaced", paths[i], unsafe);
            return GCT_EXIT_USAGE;
        }
    int werr;
    if (!trace_dir_writable(trace, &werr)) {
        gct_say("run: %s: cannot write the trace there: %s", trace,
                strerror(werr));
        return GCT_EXIT_USAGE;
    }

    /* The recorder's settings: ours come last so that they win. */
    const char *user_opts = getenv("GCTRACE_OPTIONS");
    size_t olen = (user_opts ? strlen(user_opts) : 0) + 32;
    char *opts = malloc(olen);
    const char *preload = getenv("LD_PRELOAD");
    size_t plen = strlen(shim) + (preload ? strlen(preload) : 0) + 2;
    char *pre = malloc(plen);
    if (!opts || !pre) {
        gct_say("out of memory");
        return GCT_EXIT_USAGE;
    }
    snprintf(opts, olen, "%s%sfinish=0", user_opts ? user_opts : "",
             user_opts && *user_opts ? ":" : "");
    snprintf(pre, plen, "%s%s%s", shim, preload && *preload ? ":" : "",
             preload ? preload : "");
    char **envp = child_env(pre, opts, trace);
    if (!envp) {
        gct_say("out of memory");
        return GCT_EXIT_USAGE;
    }
    int exitcode = 66;
    if (user_opts) {
        const char *e = strstr(user_opts, "exitcode=");
        if (e)
            exitcode = atoi(e + 9);
    }

    /* The signals wait, blocked, until the child's pid is known. */
    sigset_t block, oldmask;
    sigemptyset(&block);
    for (size_t i = 0; i < N_FORWARDED; i++)
        sigaddset(&block, forwarded[i]);
    sigprocmask(SIG_BLOCK, &block, &oldmask);
    struct sigaction old[N_FORWARDED];
    forward_signals(old);
    pid_t parent = getpid();
    gct_phase(NULL);
    struct timespec started;
    clock_gettime(CLOCK_MONOTONIC, &started);
    int64_t started_ns = (int64_t)started.tv_sec * 1000000000 + started.tv_nsec;
    pid_t pid = start_program(prog, argv + optind, envp, old, &oldmask,
                              parent);
    int start_errno = errno;
    free(envp);
    free(opts);
    free(pre);
    if (pid < 0) {
        restore_signals(old, &oldmask);
        /* The program is there (checked above): what is missing is the
         * interpreter its #! line or its ELF header names. */
        if (start_errno == ENOENT)
            gct_say("run: %s: cannot be started: its interpreter was not "
                    "found", prog);
        else
            gct_say("run: %s: %s", prog, strerror(start_errno));
        return GCT_EXIT_USAGE;
    }
    child_pid = pid;
    sigprocmask(SIG_SETMASK, &oldmask, NULL);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) {
            gct_say("run: waitpid: %s", strerror(errno));
            return GCT_EXIT_USAGE;
        }
    /* The program is gone (its pid may be reused): signals from now on
     * are the runner's own, as before it started the program. */
    sigprocmask(SIG_BLOCK, &block, NULL);
    child_pid = 0;
    restore_signals(old, &oldmask);
    struct timespec ended;
    clock_gettime(CLOCK_MONOTONIC, &ended);
    int64_t end_ns = (int64_t)ended.tv_sec * 1000000000 + ended.tv_nsec;
    gct_phase("program");
    int status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    int sig = WIFSIGNALED(st) ? WTERMSIG(st) : -1;
    int n = gct_finish_ended(trace, status, sig, end_ns, supp, !quiet);
    if (n >= 0 && !quiet)
        gct_say("trace written to %s: %d finding%s", trace, n,
                n == 1 ? "" : "s");
    gct_phase("report");
    if (sig > 0 && !quiet)
        gct_say("the program was killed by signal %d after %.3f s (%s)", sig,
                (double)(end_ns - started_ns) / 1e9, strsignal(sig));
    if (n > 0 && exitcode != 0)
        return exitcode;
    return sig > 0 ? 128 + sig : status;
}
