/*
 * main.c - gctrace-finish: `gctrace finish` alone, linked statically, for
 * the recorder to run at a traced program's exit, which waits for it.
 *
 *   gctrace-finish [finish's options] [--] TRACE
 *
 * A static executable starts without the dynamic loader's work: mapping
 * and relocating libc, ncurses and the compression libraries, and
 * resolving each function at its first call: a tenth to a fifth of a
 * short trace's finish (docs/bench-shim.md, "Figures behind the code").
 *
 * Its glibc cannot load shared libraries (nodl.c), and libdw loads its
 * debuginfod client when DEBUGINFOD_URLS names servers: then the helper
 * hands over to `gctrace finish`, beside it in ../bin, or finishes the
 * trace itself without debuginfod when that cannot run.
 *
 * Where libdw's archive does not link (Makefile, scripts/libdw-link.sh),
 * the helper is a dynamic program that could load the client itself; it
 * hands over all the same, so that both builds behave alike.
 */
#include "../cli.h"

#include <limits.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Runs `gctrace finish` with our arguments; returns only on failure. */
static void
hand_over(int argc, char **argv)
{
    char self[PATH_MAX], bin[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash == NULL)
        return;
    *slash = '\0';
    if (snprintf(bin, sizeof bin, "%s/../bin/gctrace", self) >=
        (int)sizeof bin)
        return;
    char **args = calloc((size_t)argc + 2, sizeof *args);
    if (args == NULL)
        return;
    args[0] = bin;
    args[1] = "finish";
    for (int i = 1; i < argc; i++)
        args[i + 1] = argv[i];
    execv(bin, args);
    free(args);
}

#define HUGE_PAGE (2u << 20)

/* sqlite's page cache in one huge page.  The first touch of each 4 KiB
 * page costs a fault, dear on a paravirtualised guest; one 2 MiB page
 * costs one, which took a tenth or more off a short trace's finish
 * (docs/bench-shim.md, "Figures behind the code").  Where transparent
 * huge pages are off, the buffer fills
 * page by page as malloc's memory would; once its slots are used up,
 * sqlite takes pages from malloc. */
static void
page_cache_in_huge_page(void)
{
    char *map = mmap(NULL, 2 * HUGE_PAGE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (map == MAP_FAILED)
        return;
    char *buf = (char *)(((uintptr_t)map + HUGE_PAGE - 1) &
                         ~(uintptr_t)(HUGE_PAGE - 1));
    (void)madvise(buf, HUGE_PAGE, MADV_HUGEPAGE);
    int hdr = 0;
    if (sqlite3_config(SQLITE_CONFIG_PCACHE_HDRSZ, &hdr) != SQLITE_OK)
        return;
    int slot = 4096 + ((hdr + 7) & ~7);
    (void)sqlite3_config(SQLITE_CONFIG_PAGECACHE, buf, slot,
                         (int)(HUGE_PAGE / (unsigned)slot));
}

int
main(int argc, char **argv)
{
    page_cache_in_huge_page();
    const char *urls = getenv("DEBUGINFOD_URLS");
    if (urls && *urls) {
        hand_over(argc, argv);
        gct_say("finish: no gctrace beside gctrace-finish to ask the "
                "DEBUGINFOD_URLS servers; finishing without them");
        /* What makes that true in a dynamic build, whose libdw would
         * load the client (common/symbolize.c reads the variable). */
        unsetenv("DEBUGINFOD_URLS");
    }
    return cmd_finish(argc, argv);
}
