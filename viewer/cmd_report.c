/*
 * cmd_report.c - `gctrace report`: a readable summary of a trace: the
 * process, its threads and how they ended, the most contended locks, and
 * the findings.
 */
#include "cli.h"

#include "analysis.h"
#include "trace.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void
usage(FILE *out)
{
    fputs("usage: gctrace report TRACE\n"
          "Prints a summary: process, threads, contended locks, findings.\n"
          "exit status: 0, or 2 when the trace cannot be read\n",
          out);
}

static void
section(sqlite3 *db, const char *title, const char *sql, int cols)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return;
    printf("\n%s\n", title);
    int rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        printf(" ");
        for (int i = 0; i < cols; i++) {
            const char *v = (const char *)sqlite3_column_text(st, i);
            printf(" %s", v ? v : "-");
        }
        printf("\n");
        rows++;
    }
    if (rows == 0)
        printf("  (none)\n");
    sqlite3_finalize(st);
}

int
cmd_report(int argc, char **argv)
{
    char err[512];

    if (argc == 2 && !strcmp(argv[1], "--help")) {
        usage(stdout);
        return GCT_EXIT_OK;
    }
    if (argc == 2 && argv[1][0] == '-') {
        gct_say("report: unknown option '%s' (see 'gctrace report --help')",
                argv[1]);
        return GCT_EXIT_USAGE;
    }
    if (argc != 2) {
        gct_say("report: expected one TRACE (see 'gctrace report --help')");
        return GCT_EXIT_USAGE;
    }
    sqlite3 *db = gct_trace_open(argv[1], err, sizeof err);
    if (db == NULL) {
        gct_say("%s", err);
        return GCT_EXIT_USAGE;
    }
    struct gct_findings found;
    if (gct_findings_for(db, NULL, &found) != 0) {
        sqlite3_close(db);
        return GCT_EXIT_USAGE;
    }
    printf("trace %s\n", argv[1]);
    /* A process that recorded no exit was killed (or crashed without a
     * fatal signal the recorder saw): its end is when the runner saw it
     * end, or when the recorder last saw it alive (docs/trace-format.md),
     * and its open waits last until then. */
    section(db, "processes (pid, exit status, seconds, program):",
            "SELECT pid, coalesce(exit_status, 'killed by signal ' || "
            "term_signal || ', after', CASE WHEN running THEN "
            "'still running at' ELSE 'killed (no exit recorded), after' "
            "END), printf('%.3f', "
            "(coalesce(end_ns, 0) - start_ns) / 1e9), argv FROM processes",
            4);
    /* Waits are not recorded under record=counters: no contention is
     * then not "none". */
    sqlite3_stmt *mode = NULL;
    bool counters = sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE "
                                           "key = 'record_mode'", -1, &mode,
                                       NULL) == SQLITE_OK &&
                    sqlite3_step(mode) == SQLITE_ROW &&
                    sqlite3_column_text(mode, 0) &&
                    strcmp((const char *)sqlite3_column_text(mode, 0),
                           "counters") == 0;
    sqlite3_finalize(mode);
    if (counters)
        section(db, "threads (tid, name, end state; waits not recorded "
                    "(record=blocking)):",
                "SELECT t.tid, coalesce(nullif(" GCT_THREAD_NAME_SQL("t")
                ", ''), '-'), t.end_state FROM threads t ORDER BY t.id "
                "LIMIT 50",
                3);
    else
        section(db, "threads (tid, name, end state, waits, seconds blocked):",
            "SELECT t.tid, coalesce(nullif(" GCT_THREAD_NAME_SQL("t") ", ''), "
            "'-'), "
            "t.end_state, "
            "(SELECT count(*) FROM waits w WHERE w.thread_id = t.id), "
            "printf('%.3f', coalesce((SELECT sum(coalesce(w.end_ns, "
            "p.end_ns, (SELECT CAST(value AS INTEGER) FROM meta WHERE "
            "key = 'duration_ns')) - w.begin_ns) FROM waits w "
            "WHERE w.thread_id = t.id), 0) / 1e9) FROM threads t "
            "LEFT JOIN processes p ON p.pid = t.pid "
            "ORDER BY t.id LIMIT 50",
            5);
    /* a lock as the findings name it: its variable, its address in
     * parentheses */
    if (counters)
        printf("\nmost contended locks: not recorded (record=blocking)\n");
    else
        section(db, "most contended locks (kind, lock, acquisitions, "
                "contended, ms waited):",
            "SELECT c.kind, coalesce(o.symbol || ' (' || printf('0x%x', "
            "c.addr) || ')', printf('0x%x', c.addr)), c.acquisitions, "
            "c.contended, printf('%.3f', c.wait_ns_total / 1e6) FROM "
            "contended_locks c JOIN objects o ON o.id = c.id "
            "WHERE c.contended > 0 LIMIT 10",
            5);
    size_t counted = gct_findings_counted(&found);
    printf("\nfindings: %zu", counted);
    if (found.n > counted)
        printf(" (and %zu for information: system libraries')",
               found.n - counted);
    printf("\n");
    for (size_t i = 0; i < found.n; i++)
        printf("  %s%s%s%s: %s\n",
               found.v[i].severity == GCT_SEVERITY_INFO ? "[info] " : "",
               found.v[i].kind, found.v[i].subkind ? "/" : "",
               found.v[i].subkind ? found.v[i].subkind : "",
               found.v[i].message);
    gct_findings_free(&found);
    sqlite3_close(db);
    return GCT_EXIT_OK;
}
