/*
 * main.c - the gctrace command: dispatch to a subcommand.
 */
#include "cli.h"
#include "version.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} commands[] = {
    {"run", cmd_run, "run a program under the recorder and report"},
    {"check", cmd_check, "analyse a trace; exit 1 on findings (for CI)"},
    {"report", cmd_report, "a readable summary of a trace"},
    {"view", cmd_view, "browse a trace in the terminal"},
    {"export", cmd_export, "write a trace as a Chrome/Perfetto timeline"},
    {"finish", cmd_finish, "turn a raw log left by the recorder into a trace"},
    {"attach", cmd_attach, "snapshot a running process: what blocks each thread"},
    {"core", cmd_core, "the same snapshot from a core dump"},
};

static void
usage(FILE *out)
{
    fputs("usage: gctrace COMMAND [OPTIONS] ...\n\n"
          "Finds leaked threads, lock-order cycles, deadlocks and unclosed\n"
          "channels, and records what every thread did into a trace.\n\n"
          "commands:\n",
          out);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].help);
    fputs("\n'gctrace COMMAND --help' describes each command.\n"
          "exit status: 0 clean, 1 findings, 2 usage error or unreadable "
          "trace,\n3 attach not permitted to trace the process\n",
          out);
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return GCT_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        usage(stdout);
        return GCT_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        puts("gctrace " GCT_VERSION);
        return GCT_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    gct_say("unknown command '%s' (try 'gctrace --help')", argv[1]);
    return GCT_EXIT_USAGE;
}
