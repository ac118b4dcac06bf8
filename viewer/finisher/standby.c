/*
 * standby.c - gctrace-finish --standby: started by the recorder with the
 * traced program (preload/finisher.c), it gets ready, then waits on its
 * socket (GCT_STANDBY_FD) for the program's exit.
 *
 * Getting ready is what a finish started at exit spends on being a new
 * process: sqlite's parser and code generator paged in, memory touched
 * for the first time (one fault a page, 17-29 us each on a paravirtualised
 * guest), libdw's set-up.  Each step is skipped once the program has
 * exited, so that a short program waits about as long as for a helper
 * started at its exit.
 *
 * The messages are in common/standby.h.  End of file instead of one: the
 * program ended otherwise (killed, or exec'd); the raw log stays for the
 * next gctrace command, or the new program.
 */
#include "../cli.h"
#include "finisher.h"
#include "standby.h"
#include "schema.h"
#include "symbolize.h"

#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define WARM_HEAP (256 << 10)

/* Whether the program has spoken (or gone). */
static bool
program_exited(void)
{
    struct pollfd p = {GCT_STANDBY_FD, POLLIN, 0};
    return poll(&p, 1, 0) > 0;
}

/* The buffer main.c gave sqlite for its page cache, or NULL. */
static char *page_cache;

/* The page cache's huge page: one fault for all of it. */
static void
warm_page_cache(void)
{
    if (page_cache)
        page_cache[0] = 0;
}

/* sqlite's parser and code generator, on the schema in memory. */
static void
warm_sqlite(void)
{
    sqlite3 *db = NULL;
    if (sqlite3_open(":memory:", &db) == SQLITE_OK)
        sqlite3_exec(db, gct_schema_sql, NULL, NULL, NULL);
    sqlite3_close(db);
}

/* Heap pages, touched once and kept by malloc for the finish: freed
 * memory is not given back, and blocks of a few MiB come from the heap
 * too, not from mappings of their own. */
static void
warm_heap(void)
{
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
    volatile char *p = malloc(WARM_HEAP);
    if (p == NULL)
        return;
    for (size_t i = 0; i < WARM_HEAP; i += 4096)
        p[i] = 0;
    free((void *)p);
}

static void
warm_symbolizer(void)
{
    gct_symbolizer_free(gct_symbolizer_new());
}

/* Waits for the recorder's message; installs the standard error it
 * hands over.  false: the program ended without one. */
static bool
wait_for_exit(void)
{
    struct gct_standby_msg m;
    gct_standby_msg_init(&m, 0);
    gct_standby_msg_room(&m);
    ssize_t n;
    do
        n = recvmsg(GCT_STANDBY_FD, &m.msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n != 1)
        return false;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m.msg); c;
         c = CMSG_NXTHDR(&m.msg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int fd;
            memcpy(&fd, CMSG_DATA(c), sizeof fd);
            dup2(fd, 2);
            close(fd);
        }
    return true;
}

int
finish_standby(int argc, char **argv, char *cache)
{
    static void (*const warm_ups[])(void) = {warm_page_cache, warm_sqlite,
                                              warm_heap, warm_symbolizer};
    /* The recorder blocked every signal for our start (its handlers must
     * not run in the child before exec). */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    page_cache = cache;
    for (size_t i = 0; i < sizeof warm_ups / sizeof warm_ups[0]; i++)
        if (!program_exited())
            warm_ups[i]();
    if (!wait_for_exit())
        return 0;
    int r = cmd_finish(argc, argv);
    unsigned char status = (unsigned char)r;
    (void)!send(GCT_STANDBY_FD, &status, 1, MSG_NOSIGNAL);
    return r;
}
