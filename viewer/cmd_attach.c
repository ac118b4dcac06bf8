/*
 * cmd_attach.c - `gctrace attach PID` and `gctrace core COREFILE [EXE]`:
 * a snapshot of a process that was never started under gctrace.
 *
 * The process (or the core) is read from outside (target.h), what each
 * thread is blocked on is written as a raw log (snapshot.h), and that
 * log is finished into an ordinary trace, so that check, report, view
 * and export read it as any other.  A live process is stopped only while
 * it is read: the finishing and the analyses run after it goes on.
 */
#include "cli.h"

#include "analysis.h"
#include "glibc_layout.h"
#include "rawlog.h"
#include "snapshot.h"
#include "trace.h"

#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
usage(FILE *out, bool core)
{
    if (core)
        fputs("usage: gctrace core [-o TRACE] [-q] COREFILE [EXE]\n"
              "Reads a core dump (EXE: the program, when the core's own\n"
              "record of it is not enough), writes what every thread was\n"
              "blocked on as a trace (default gctrace.core.db) and prints\n"
              "the threads and the findings (deadlocks) on stdout.\n",
              out);
    else
        fputs("usage: gctrace attach [-o TRACE] [-q] PID\n"
              "Stops process PID for a moment (ptrace; no signal, nothing\n"
              "loaded into it), reads what every thread is blocked on and\n"
              "who holds it, lets it go on exactly as it was, writes the\n"
              "snapshot as a trace (default gctrace.PID.db) and prints the\n"
              "threads and the findings (deadlocks) on stdout.\n",
              out);
    fputs("  -o TRACE  where to write the trace\n"
          "  -q        the findings only, not a line per thread\n",
          out);
    fputs(core ? "exit status: 0 clean, 1 findings, 2 usage error or "
                 "unreadable core\n"
               : "exit status: 0 clean, 1 findings, 2 usage error or no "
                 "such process,\n3 not permitted to trace the process\n",
          out);
}

/* Finishes the raw log (size bytes at log) into trace and prints its
 * findings on stdout. */
static int
finish_and_print(const char *trace, const void *log, size_t size)
{
    char err[512];

    if (gct_finish_memory(trace, log, size) < 0)
        return GCT_EXIT_USAGE;
    sqlite3 *db = gct_trace_open(trace, err, sizeof err);
    if (db == NULL) {
        gct_say("%s", err);
        return GCT_EXIT_USAGE;
    }
    struct gct_findings found;
    int rc = gct_findings_for(db, NULL, &found);
    sqlite3_close(db);
    if (rc != 0)
        return GCT_EXIT_USAGE;
    if (found.n == 0)
        printf("gctrace: no findings in %s\n", trace);
    else
        gct_findings_text(stdout, &found, true);
    size_t n = gct_findings_counted(&found);
    gct_findings_free(&found);
    fflush(stdout);
    return n ? GCT_EXIT_FINDINGS : GCT_EXIT_OK;
}

/* The snapshot of t as trace: its raw log, in memory, then the trace.
 * threads: the lines per thread, printed first. */
static int
write_trace(struct gct_target *t, const char *trace, int state, bool quiet,
            bool release)
{
    char err[512];
    char *lines = NULL;
    size_t nlines = 0;
    FILE *mem = quiet ? NULL : open_memstream(&lines, &nlines);
    struct gct_snapshot_opts o = {.state = state, .threads_out = mem};
    char history[PATH_MAX];
    if (release && gct_target_raw_log(t, history, sizeof history))
        o.history = history;

    size_t size = 0;
    void *log = gct_snapshot_take(t, &o, &size, err, sizeof err);
    if (release)
        gct_target_release(t);
    /* from the modules' files, once the process goes on */
    bool layout_known = gct_snapshot_same_libc(t);
    if (mem)
        fclose(mem);
    if (log == NULL) {
        free(lines);
        gct_say("%s", err);
        return GCT_EXIT_USAGE;
    }
    if (!layout_known)
        gct_say("the process does not run the C library gctrace runs with "
                "(the same libc.so): glibc's object layouts are assumed, "
                "not checked");
    else if (!gct_glibc_layout()->checked)
        gct_say("%s", gct_glibc_layout()->why);
    if (lines) {
        printf("process %d (%s), %zu thread%s:\n", t->pid, t->exe,
               t->nthreads, t->nthreads == 1 ? "" : "s");
        if (o.history)
            printf("recorded by gctrace into %s: its history is in the "
                   "snapshot\n", o.history);
        fwrite(lines, 1, nlines, stdout);
        free(lines);
    }
    int rc = finish_and_print(trace, log, size);
    free(log);
    return rc;
}

static int
parse(int argc, char **argv, const char *cmd, const char **out, bool *quiet)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    optind = 1;
    opterr = 0; /* one line of our own instead of getopt's */
    while ((c = getopt_long(argc, argv, "+o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': *out = optarg; break;
        case 'q': *quiet = true; break;
        case 'h': usage(stdout, strcmp(cmd, "core") == 0); return 0;
        default:
            gct_say("%s: unknown option '%s' (see 'gctrace %s --help')", cmd,
                    argv[optind - 1], cmd);
            return -1;
        }
    }
    return 1;
}

int
cmd_attach(int argc, char **argv)
{
    const char *out = NULL;
    bool quiet = false;
    char def[64], *end;

    int p = parse(argc, argv, "attach", &out, &quiet);
    if (p <= 0)
        return p < 0 ? GCT_EXIT_USAGE : GCT_EXIT_OK;
    if (optind != argc - 1) {
        gct_say("attach: expected one PID (see 'gctrace attach --help')");
        return GCT_EXIT_USAGE;
    }
    long pid = strtol(argv[optind], &end, 10);
    if (*end || pid <= 0 || pid > INT_MAX) {
        gct_say("attach: '%s' is not a process id", argv[optind]);
        return GCT_EXIT_USAGE;
    }
    if (pid == getpid()) {
        gct_say("attach: process %ld is gctrace itself", pid);
        return GCT_EXIT_USAGE;
    }
    if (out == NULL) {
        snprintf(def, sizeof def, "gctrace.%ld.db", pid);
        out = def;
    }
    /* Before the process stops: measuring the layout takes threads of
     * our own a few milliseconds, and symbols are never fetched over
     * the network while it waits. */
    gct_glibc_layout();
    unsetenv("DEBUGINFOD_URLS");

    struct gct_target t = {0};
    struct gct_target_err err;
    if (gct_target_attach(&t, (int)pid, &err) != 0) {
        gct_say("%s", err.msg);
        gct_target_free(&t);
        return err.permission ? GCT_EXIT_NOACCESS : GCT_EXIT_USAGE;
    }
    /* For the test that gctrace killed while the process is stopped
     * leaves it going on (test_attach.sh): stop here until killed. */
    if (getenv("GCTRACE_TEST_ATTACH_STOP"))
        raise(SIGSTOP);
    int rc = write_trace(&t, out, GCT_LOG_SNAPSHOT, quiet, true);
    gct_target_free(&t);
    return rc;
}

int
cmd_core(int argc, char **argv)
{
    const char *out = "gctrace.core.db";
    bool quiet = false;

    int p = parse(argc, argv, "core", &out, &quiet);
    if (p <= 0)
        return p < 0 ? GCT_EXIT_USAGE : GCT_EXIT_OK;
    if (optind != argc - 1 && optind != argc - 2) {
        gct_say("core: expected COREFILE [EXE] (see 'gctrace core --help')");
        return GCT_EXIT_USAGE;
    }
    unsetenv("DEBUGINFOD_URLS");
    struct gct_target t = {0};
    struct gct_target_err err;
    if (gct_target_core(&t, argv[optind],
                        optind == argc - 2 ? argv[optind + 1] : NULL,
                        &err) != 0) {
        gct_say("%s", err.msg);
        gct_target_free(&t);
        return GCT_EXIT_USAGE;
    }
    /* A core is a process that was killed where it stood: the log of a
     * run that never exited, as the shim leaves one. */
    int rc = write_trace(&t, out, GCT_LOG_RUNNING, quiet, false);
    gct_target_free(&t);
    return rc;
}
