/*
 * cmd_finish.c - `gctrace finish`: the step the shim runs at exit (and
 * `gctrace run` runs after the program ends) to turn the raw log into the
 * sqlite trace, analyse it and report.
 */
#include "cli.h"

#include "analysis.h"
#include "trace.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
gct_findings_for(void *db, const char *suppressions, struct gct_findings *out)
{
    char err[512];

    memset(out, 0, sizeof *out);
    if (gct_analyze(db, out, err, sizeof err) != 0) {
        gct_say("%s", err);
        return -1;
    }
    if (suppressions && *suppressions) {
        struct gct_suppressions *s = gct_suppressions_load(suppressions, err,
                                                           sizeof err);
        if (s == NULL) {
            gct_say("%s", err);
            gct_findings_free(out);
            return -1;
        }
        gct_suppress(s, out);
        gct_suppressions_free(s);
    }
    return 0;
}

/* What the finish step adds to the trace it writes: the findings. */
struct findings_step {
    const char *suppressions;
    struct gct_findings found;
    bool ok;
};

/* before_commit of gct_finish.  A failed analysis or store is said on
 * stderr but keeps the trace (the raw log is consumed either way). */
static int
add_findings(sqlite3 *db, void *arg)
{
    struct findings_step *st = arg;

    st->ok = gct_findings_for(db, st->suppressions, &st->found) == 0;
    if (st->ok && gct_findings_store(db, &st->found) != 0)
        gct_say("cannot store the findings: %s", sqlite3_errmsg(db));
    return 0;
}

static int
finish_and_report(const char *trace, int exit_status, int term_signal,
                  int64_t end_mono_ns, const char *suppressions, bool report,
                  bool snapshot)
{
    char err[512];
    struct findings_step st = {.suppressions = suppressions};
    struct gct_finish_opts o = {.exit_status = exit_status,
                                .term_signal = term_signal,
                                .keep_raw = snapshot,
                                .end_mono_ns = end_mono_ns,
                                .before_commit = add_findings,
                                .arg = &st};

    if (gct_finish(trace, &o, err, sizeof err) != 0) {
        if (st.ok)
            gct_findings_free(&st.found);
        gct_say("%s", err);
        return -1;
    }
    if (!st.ok)
        return -1;
    if (report)
        gct_findings_text(stderr, &st.found, false);
    int n = (int)gct_findings_counted(&st.found);
    gct_findings_free(&st.found);
    return n;
}

int
gct_finish_and_report(const char *trace, int exit_status, int term_signal,
                      const char *suppressions, bool report, bool snapshot)
{
    return finish_and_report(trace, exit_status, term_signal, 0,
                             suppressions, report, snapshot);
}

int
gct_finish_ended(const char *trace, int exit_status, int term_signal,
                 int64_t end_mono_ns, const char *suppressions, bool report)
{
    return finish_and_report(trace, exit_status, term_signal, end_mono_ns,
                             suppressions, report, false);
}

static void
usage(FILE *out)
{
    fputs("usage: gctrace finish [--report|--quiet] [--suppressions FILE]\n"
          "                      [--exit-status N] [--signal N] [--snapshot]\n"
          "                      [--] TRACE\n"
          "Turns TRACE.raw, the log the recorder writes, into the sqlite\n"
          "trace TRACE and analyses it.  The recorder runs this at exit;\n"
          "every other command runs it on a trace whose program was killed.\n"
          "--snapshot keeps the raw log: its program is still running.\n"
          "exit status: 0 clean, 1 findings, 2 error\n",
          out);
}

int
cmd_finish(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"report", no_argument, NULL, 'r'},
        {"quiet", no_argument, NULL, 'q'},
        {"suppressions", required_argument, NULL, 's'},
        {"exit-status", required_argument, NULL, 'e'},
        {"signal", required_argument, NULL, 'k'},
        {"snapshot", no_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool report = false, snapshot = false;
    const char *supp = NULL;
    int status = -1, sig = -1, c;

    optind = 1;
    opterr = 0; /* one line of our own instead of getopt's */
    while ((c = getopt_long(argc, argv, "+rqs:e:k:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'r': report = true; break;
        case 'q': report = false; break;
        case 's': supp = optarg; break;
        case 'e': status = atoi(optarg); break;
        case 'k': sig = atoi(optarg); break;
        case 'S': snapshot = true; break;
        case 'h': usage(stdout); return GCT_EXIT_OK;
        default:
            gct_say("finish: unknown option '%s' (see 'gctrace finish --help')",
                    argv[optind - 1]);
            return GCT_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return GCT_EXIT_USAGE;
    }
    int n = gct_finish_and_report(argv[optind], status, sig, supp, report,
                                  snapshot);
    if (n < 0)
        return GCT_EXIT_USAGE;
    return n > 0 ? GCT_EXIT_FINDINGS : GCT_EXIT_OK;
}
