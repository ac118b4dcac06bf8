/*
 * cli.h - the gctrace command's subcommands.
 *
 * Exit codes, the same for every subcommand (docs/cli.md):
 *   0  success, nothing found
 *   1  findings (check, finish)
 *   2  usage error, or a trace that cannot be read
 *   3  attach: not permitted to trace the process
 * `run` returns the program's own status (128 + signal when killed), or the
 * exitcode option (66 by default) when the analyses found something.
 */
#ifndef GCT_CLI_H
#define GCT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GCT_EXIT_OK 0
#define GCT_EXIT_FINDINGS 1
#define GCT_EXIT_USAGE 2
/* attach: not permitted to trace the process (ptrace_scope, another
 * user's process, a debugger already attached) */
#define GCT_EXIT_NOACCESS 3

int cmd_run(int argc, char **argv);
int cmd_finish(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_export(int argc, char **argv);   /* viewer/cmd_export_chrome.c */
int cmd_view(int argc, char **argv);     /* viewer/cmd_view.c */
int cmd_attach(int argc, char **argv);   /* viewer/cmd_attach.c */
int cmd_core(int argc, char **argv);     /* viewer/cmd_attach.c */

/* Prints "gctrace: <message>" on stderr. */
void gct_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Analyses db, drops suppressed findings (suppressions may be NULL),
 * stores nothing; the caller owns the result.  -1: message printed. */
struct gct_findings;
int gct_findings_for(void *db, const char *suppressions,
                     struct gct_findings *out);

/* Finishes TRACE (its raw log), analyses it, stores the findings in it
 * and, when report is set, prints them on stderr.  exit_status and
 * term_signal describe the program's end when the caller knows it (-1
 * otherwise).  Returns the number of findings, or -1 (message printed). */
int gct_finish_and_report(const char *trace, int exit_status,
                          int term_signal, const char *suppressions,
                          bool report, bool snapshot);
/* The same, for a program the caller saw end at end_mono_ns
 * (CLOCK_MONOTONIC; 0 unknown): a killed run ends then. */
int gct_finish_ended(const char *trace, int exit_status, int term_signal,
                     int64_t end_mono_ns, const char *suppressions,
                     bool report);
/* The same, quietly, for the raw log of size bytes at log (a snapshot
 * made outside the shim), which stays the caller's: no TRACE.raw is read
 * or made. */
int gct_finish_memory(const char *trace, const void *log, size_t size);

#endif
