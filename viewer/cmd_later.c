/*
 * cmd_later.c - commands announced by the design whose implementation has
 * not landed yet (the terminal viewer and the Chrome export).  They say so
 * plainly and exit 2, rather than pretending.
 */
#include "cli.h"

#include <string.h>

static int
not_yet(const char *name, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    gct_say("%s: not implemented in this version; use 'gctrace report' or "
            "'gctrace check', or open the trace with sqlite3",
            name);
    return GCT_EXIT_USAGE;
}

int
cmd_view(int argc, char **argv)
{
    return not_yet("view", argc, argv);
}

int
cmd_export(int argc, char **argv)
{
    return not_yet("export", argc, argv);
}
