/*
 * cmd_later.c - `gctrace view` and `gctrace export` dispatch.
 *
 * The terminal viewer (viewer/cmd_view.c) and the Chrome export
 * (viewer/cmd_export_chrome.c) are their own files; until a build has them,
 * the weak definitions here say so plainly and exit 2, rather than
 * pretending.
 */
#include "cli.h"

static int
not_yet(const char *name)
{
    gct_say("%s: not available in this build; use 'gctrace report' or "
            "'gctrace check', or open the trace with sqlite3",
            name);
    return GCT_EXIT_USAGE;
}

__attribute__((weak)) int
cmd_view_tui(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return not_yet("view");
}

__attribute__((weak)) int
cmd_export_chrome(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return not_yet("export");
}

int
cmd_view(int argc, char **argv)
{
    return cmd_view_tui(argc, argv);
}

int
cmd_export(int argc, char **argv)
{
    return cmd_export_chrome(argc, argv);
}
