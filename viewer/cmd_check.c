/*
 * cmd_check.c - `gctrace check`: the CI gate.  Analyses a trace and exits
 * 1 when a finding counts (information about system libraries' threads
 * does not), 0 when clean, 2 when the trace cannot be read.
 */
#include "cli.h"

#include "analysis.h"
#include "rules.h"
#include "trace.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void
usage(FILE *out)
{
    fputs("usage: gctrace check [--format text|json|sarif] "
          "[--suppressions FILE]\n"
          "                     [--source-root DIR] TRACE\n"
          "       gctrace check --rules\n"
          "Analyses TRACE and prints its findings on stdout.\n"
          "  --source-root DIR  SARIF: where file paths are relative to\n"
          "                     (default: the git work tree around the\n"
          "                     current directory, else the directory)\n"
          "  --rules            every kind of finding, what it means and\n"
          "                     how to fix it, as markdown\n"
          "exit status: 0 clean, 1 findings, 2 usage error or unreadable "
          "trace\n",
          out);
}

/* docs/findings.md, from the table SARIF's rules come from. */
static void
print_rules(void)
{
    size_t n;
    const struct gct_rule *r = gct_rules(&n);
    printf("# Findings\n\n"
           "What each kind of finding means and how to fix it.  This page "
           "is made by\n`gctrace check --rules` from common/rules.c, "
           "where SARIF's rules come\nfrom too; each heading is a rule "
           "id (`kind/subkind`).\n");
    for (size_t i = 0; i < n; i++)
        printf("\n## %s\n\n**%s.** %s\n\n%s\n", r[i].id, r[i].name,
               r[i].what, r[i].why);
}

int
cmd_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"suppressions", required_argument, NULL, 's'},
        {"source-root", required_argument, NULL, 'r'},
        {"rules", no_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *format = "text", *supp = NULL, *srcroot = NULL;
    char err[512];
    int c;

    optind = 1;
    opterr = 0; /* one line of our own instead of getopt's */
    while ((c = getopt_long(argc, argv, "f:s:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': format = optarg; break;
        case 's': supp = optarg; break;
        case 'r': srcroot = optarg; break;
        case 'R': print_rules(); return GCT_EXIT_OK;
        case 'h': usage(stdout); return GCT_EXIT_OK;
        default:
            gct_say("check: unknown option '%s' (see 'gctrace check --help')",
                    argv[optind - 1]);
            return GCT_EXIT_USAGE;
        }
    }
    if (strcmp(format, "text") && strcmp(format, "json") &&
        strcmp(format, "sarif")) {
        gct_say("check: unknown format '%s' (text, json or sarif)", format);
        return GCT_EXIT_USAGE;
    }
    if (optind != argc - 1) {
        gct_say("check: expected one TRACE (see 'gctrace check --help')");
        return GCT_EXIT_USAGE;
    }
    sqlite3 *db = gct_trace_open(argv[optind], err, sizeof err);
    if (db == NULL) {
        gct_say("%s", err);
        return GCT_EXIT_USAGE;
    }
    struct gct_findings found;
    int rc = gct_findings_for(db, supp, &found);
    sqlite3_close(db);
    if (rc != 0)
        return GCT_EXIT_USAGE;
    if (!strcmp(format, "json"))
        gct_findings_json(stdout, &found, argv[optind]);
    else if (!strcmp(format, "sarif"))
        gct_findings_sarif(stdout, &found, srcroot);
    else if (found.n == 0)
        printf("gctrace: no findings in %s\n", argv[optind]);
    else
        gct_findings_text(stdout, &found, true);
    size_t n = gct_findings_counted(&found);
    gct_findings_free(&found);
    if (fflush(stdout) != 0) {
        gct_say("check: cannot write the report");
        return GCT_EXIT_USAGE;
    }
    return n ? GCT_EXIT_FINDINGS : GCT_EXIT_OK;
}
