/*
 * gctrace.h - "no goroutine leaked since the test began", for test suites
 * (the C counterpart of Go's goleak).
 *
 *     gctrace_leaks cp;
 *     gctrace_leaks_checkpoint(&cp);
 *     ... the code under test ...
 *     assert_int_equal(gctrace_leaks_verify(&cp, 500, stderr), 0);
 *
 * Header-only and self-contained: it reads the process's threads from
 * /proc, so it works the same with or without libgctrace.so preloaded, and
 * needs no library.  Threads that libgoc and gctrace run for themselves
 * (named "goc-..." and "gctrace-...") are not counted.
 *
 * Not thread-safe with respect to itself: one checkpoint per test.
 */
#ifndef GCTRACE_H
#define GCTRACE_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GCTRACE_LEAKS_MAX 4096

typedef struct gctrace_leaks {
    int n;                        /* threads alive at the checkpoint */
    int tids[GCTRACE_LEAKS_MAX];  /* their ids, sorted */
} gctrace_leaks;

static int
gctrace__cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The thread's name from /proc ("" when it is gone). */
static void
gctrace__comm(int tid, char *out, size_t n)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/comm", tid);
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    if (fgets(out, (int)n, f) != NULL)
        out[strcspn(out, "\n")] = '\0';
    fclose(f);
}

static int
gctrace__own_thread(int tid)
{
    char comm[32];
    gctrace__comm(tid, comm, sizeof comm);
    return strncmp(comm, "goc-", 4) == 0 || strncmp(comm, "gctrace-", 8) == 0;
}

/* Threads alive now, the library's own left out; -1 when /proc cannot be
 * read. */
static int
gctrace__threads(int *tids, int max)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int n = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL && n < max) {
        if (e->d_name[0] == '.')
            continue;
        int tid = atoi(e->d_name);
        if (!gctrace__own_thread(tid))
            tids[n++] = tid;
    }
    closedir(d);
    qsort(tids, (size_t)n, sizeof *tids, gctrace__cmp_int);
    return n;
}

/* Records the threads alive now.  Returns 0, or -1 when /proc is not
 * readable (then verify reports nothing). */
static inline int
gctrace_leaks_checkpoint(gctrace_leaks *cp)
{
    cp->n = gctrace__threads(cp->tids, GCTRACE_LEAKS_MAX);
    return cp->n < 0 ? -1 : 0;
}

/* Threads alive now that were not at the checkpoint; fills new_tids. */
static int
gctrace__new_threads(const gctrace_leaks *cp, int *new_tids)
{
    int now[GCTRACE_LEAKS_MAX];
    int n = gctrace__threads(now, GCTRACE_LEAKS_MAX), k = 0;
    for (int i = 0; i < n; i++)
        if (!bsearch(&now[i], cp->tids, (size_t)cp->n, sizeof(int),
                     gctrace__cmp_int))
            new_tids[k++] = now[i];
    return k;
}

/*
 * Waits up to grace_ms for every thread started since the checkpoint to
 * end, then returns how many are still alive (0: no leak).  When some are
 * and report is not NULL, names each on it: tid, name, and the state the
 * kernel gives (S sleeping, R running, ...).  A checkpoint that failed
 * verifies as 0.
 */
static inline int
gctrace_leaks_verify(const gctrace_leaks *cp, long grace_ms, FILE *report)
{
    static int left[GCTRACE_LEAKS_MAX];
    struct timespec ms = {0, 1000000};
    int n = 0;

    if (cp->n < 0)
        return 0;
    for (long waited = 0;; waited++) {
        n = gctrace__new_threads(cp, left);
        if (n == 0 || waited >= grace_ms)
            break;
        nanosleep(&ms, NULL);
    }
    for (int i = 0; report && i < n; i++) {
        char comm[32], path[64], stat[256] = "";
        gctrace__comm(left[i], comm, sizeof comm);
        snprintf(path, sizeof path, "/proc/self/task/%d/stat", left[i]);
        FILE *f = fopen(path, "r");
        if (f) {
            if (fgets(stat, sizeof stat, f) == NULL)
                stat[0] = '\0';
            fclose(f);
        }
        const char *paren = strrchr(stat, ')');
        fprintf(report,
                "gctrace: leaked thread %d '%s' (state %c) still alive %ld ms "
                "after the test\n",
                left[i], comm, paren && paren[1] ? paren[2] : '?', grace_ms);
    }
    return n;
}

#endif /* GCTRACE_H */
