/*
 * cmd_view.c - `gctrace view TRACE`: the terminal viewer (viewer/tui/).
 *
 * Everything that can fail with a message (arguments, opening the trace,
 * the analyses) happens before curses starts, so an error is one
 * "gctrace:" line on a terminal that was never switched to curses mode.
 */
#include "cli.h"

#include "analysis.h"
#include "trace.h"
#include "tui/tui.h"

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
usage(FILE *out)
{
    fputs("usage: gctrace view TRACE\n"
          "Browses a trace in the terminal: findings, threads, timeline,\n"
          "locks, channels and contexts, lock order, events.\n"
          "Press ? inside for the keys (docs/viewer.md lists them too).\n"
          "exit status: 0, or 2 when the trace cannot be read\n",
          out);
}

int
cmd_view(int argc, char **argv)
{
    char err[512];

    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return GCT_EXIT_OK;
    }
    if (argc == 2 && argv[1][0] == '-' && argv[1][1]) {
        gct_say("view: unknown option '%s' (see 'gctrace view --help')",
                argv[1]);
        return GCT_EXIT_USAGE;
    }
    if (argc != 2) {
        gct_say("view: expected one TRACE (see 'gctrace view --help')");
        return GCT_EXIT_USAGE;
    }
    sqlite3 *db = gct_trace_open(argv[1], err, sizeof err);
    if (db == NULL) {
        gct_say("%s", err);
        return GCT_EXIT_USAGE;
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        gct_say("view: needs a terminal; for a text summary use "
                "'gctrace report %s'", argv[1]);
        sqlite3_close(db);
        return GCT_EXIT_USAGE;
    }
    struct app a = {.db = db, .trace = argv[1]};
    if (gct_findings_for(db, NULL, &a.found) != 0) {
        sqlite3_close(db);
        return GCT_EXIT_USAGE;
    }
    a.incomplete = meta_int(&a, "complete", 1) == 0;
    a.killed = meta_int(&a, "clean_exit", 1) == 0;
    a.duration_ns = meta_int(&a, "duration_ns", 0);
    sqlite3_stmt *mode = NULL;
    if (sqlite3_prepare_v2(db, "SELECT value = 'all' FROM meta WHERE key = "
                               "'record_mode'", -1, &mode, NULL) == SQLITE_OK &&
        sqlite3_step(mode) == SQLITE_ROW)
        a.record_all = sqlite3_column_int(mode, 0) != 0;
    sqlite3_finalize(mode);
    if (a.duration_ns <= 0) {
        /* A snapshot of a live run has no duration yet: its last event
         * (through the ts index) ends the timeline. */
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, "SELECT max(ts) FROM events", -1, &st,
                               NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            a.duration_ns = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    if (a.duration_ns <= 0)
        a.duration_ns = 1;
    setlocale(LC_ALL, "");
    a.utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
    int rc = tui_run(&a);
    free(a.order);
    gct_findings_free(&a.found);
    sqlite3_close(db);
    if (rc != 0) {
        gct_say("view: cannot start the terminal interface (TERM=%s)",
                getenv("TERM") ? getenv("TERM") : "unset");
        return GCT_EXIT_USAGE;
    }
    return GCT_EXIT_OK;
}
