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

/* The deadlocks the watchdog already reported in this run, by finding
 * id: the snapshot it wrote at TRACE, and printed, holds them. */
struct already {
    char start[32]; /* meta start_real_ns: the run */
    char (*ids)[17];
    size_t n;
};

/* What the finish step adds to the trace it writes: the findings. */
struct findings_step {
    const char *suppressions;
    struct gct_findings found;
    bool ok;
    char start[32]; /* the new trace's start_real_ns */
};

/* The deadlock findings of the snapshot at trace, if one of a run still
 * in progress is there (meta complete = 0): the watchdog's. */
static void
already_reported(const char *trace, struct already *out)
{
    char err[512];
    sqlite3_stmt *q = NULL;
    memset(out, 0, sizeof *out);
    sqlite3 *db = gct_trace_open_as_is(trace, err, sizeof err);
    if (db == NULL)
        return; /* none: the usual case */
    if (sqlite3_prepare_v2(db, "SELECT (SELECT value FROM meta WHERE key = "
                               "'start_real_ns'), json_extract(f.json, "
                               "'$.id') FROM findings f WHERE f.kind = "
                               "'deadlock' AND (SELECT value FROM meta WHERE "
                               "key = 'complete') = '0'",
                           -1, &q, NULL) == SQLITE_OK) {
        size_t cap = 0;
        while (sqlite3_step(q) == SQLITE_ROW) {
            const char *start = (const char *)sqlite3_column_text(q, 0);
            const char *id = (const char *)sqlite3_column_text(q, 1);
            if (start == NULL || id == NULL || strlen(id) != 16)
                continue;
            snprintf(out->start, sizeof out->start, "%s", start);
            if (out->n == cap) {
                cap = cap ? cap * 2 : 4;
                out->ids = realloc(out->ids, cap * sizeof *out->ids);
                if (out->ids == NULL) {
                    out->n = 0;
                    break;
                }
            }
            memcpy(out->ids[out->n++], id, 17);
        }
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
}

/* Prints found, less the findings the watchdog already printed in this
 * run (a deadlock that lasted until the end is the same deadlock). */
static void
report_new(const struct findings_step *st, const struct already *seen)
{
    struct gct_findings shown = {0};
    size_t again = 0;
    shown.v = calloc(st->found.n ? st->found.n : 1, sizeof *shown.v);
    if (shown.v == NULL)
        return;
    bool same_run = seen->n > 0 && strcmp(seen->start, st->start) == 0;
    for (size_t i = 0; i < st->found.n; i++) {
        char id[17];
        bool seen_before = false;
        gct_finding_fingerprint(&st->found.v[i], id);
        for (size_t k = 0; same_run && k < seen->n && !seen_before; k++)
            seen_before = strcmp(seen->ids[k], id) == 0 &&
                          strcmp(st->found.v[i].kind, "deadlock") == 0;
        if (seen_before)
            again++;
        else
            shown.v[shown.n++] = st->found.v[i];
    }
    gct_findings_text(stderr, &shown, false);
    if (again)
        gct_say("%zu deadlock%s reported by the watchdog above, still there "
                "at the end: not repeated (the trace has %s)",
                again, again == 1 ? "" : "s", again == 1 ? "it" : "them");
    free(shown.v); /* the findings themselves are st->found's */
}

/* before_commit of gct_finish.  A failed analysis or store is said on
 * stderr but keeps the trace (the raw log is consumed either way). */
static int
add_findings(sqlite3 *db, void *arg)
{
    struct findings_step *st = arg;

    st->ok = gct_findings_for(db, st->suppressions, &st->found) == 0;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = "
                               "'start_real_ns'", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
        snprintf(st->start, sizeof st->start, "%s",
                 (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    if (st->ok && gct_findings_store(db, &st->found) != 0)
        gct_say("cannot store the findings: %s", sqlite3_errmsg(db));
    return 0;
}

/* Finishes trace from TRACE.raw, or from the raw log in memory when log
 * is not NULL, with the findings added before the commit. */
static int
finish_and_report(const char *trace, const void *log, size_t size,
                  struct gct_finish_opts o, const char *suppressions,
                  bool report)
{
    char err[512];
    struct findings_step st = {.suppressions = suppressions};
    o.before_commit = add_findings;
    o.arg = &st;
    struct already seen = {0};
    /* The trace at TRACE is the watchdog's snapshot only when it spoke
     * in this run; otherwise it is an earlier run's, and opening it cost
     * each report about 1 ms (the default trace of a program is
     * replaced by its next run). */
    if (report && !o.snapshot && gct_raw_watchdog_spoke(trace))
        already_reported(trace, &seen);

    int rc = log ? gct_finish_log(trace, -1, log, size, &o, err, sizeof err)
                 : gct_finish(trace, &o, err, sizeof err);
    if (rc != 0) {
        free(seen.ids);
        if (st.ok)
            gct_findings_free(&st.found);
        gct_say("%s", err);
        return -1;
    }
    if (!st.ok) {
        free(seen.ids);
        return -1;
    }
    if (report)
        report_new(&st, &seen);
    free(seen.ids);
    int n = (int)gct_findings_counted(&st.found);
    gct_findings_free(&st.found);
    return n;
}

int
gct_finish_and_report(const char *trace, int exit_status, int term_signal,
                      const char *suppressions, bool report, bool snapshot)
{
    struct gct_finish_opts o = {.exit_status = exit_status,
                                .term_signal = term_signal,
                                .keep_raw = snapshot,
                                .snapshot = snapshot};
    return finish_and_report(trace, NULL, 0, o, suppressions, report);
}

int
gct_finish_ended(const char *trace, int exit_status, int term_signal,
                 int64_t end_mono_ns, const char *suppressions, bool report)
{
    struct gct_finish_opts o = {.exit_status = exit_status,
                                .term_signal = term_signal,
                                .end_mono_ns = end_mono_ns};
    return finish_and_report(trace, NULL, 0, o, suppressions, report);
}

int
gct_finish_memory(const char *trace, const void *log, size_t size)
{
    struct gct_finish_opts o = {.exit_status = -1, .term_signal = -1};
    return finish_and_report(trace, log, size, o, NULL, false);
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
