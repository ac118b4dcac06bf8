/*
 * finish.c - turning the raw log into the sqlite trace (gct_finish).
 *
 * Only the order of the steps is here: read the raw log
 * (rawlog_read.c: every published record of every chunk, sorted by time,
 * keeping each thread's own order); replay the records into a model of
 * processes, threads, objects, waits and lock-order edges
 * (finish_model.c and its handlers, replay_*.c), symbolising each
 * distinct address once; write the model out (trace_write.c) in one
 * transaction, which the caller may add to (before_commit) before it
 * commits.  The raw log comes from TRACE.raw (gct_finish), or from a
 * descriptor or memory (gct_finish_log: a snapshot made outside the
 * shim never needs a file).
 *
 * The file is written under a temporary name and renamed into place, so
 * that a reader never opens half a trace, and a crash of this step leaves
 * the raw log for the next try.
 */
#include "trace.h"

#include "finish_model.h"
#include "rawlog.h"
#include "rawlog_read.h"
#include "safe_file.h"
#include "symbolize.h"
#include "trace_write.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * The phases' times, printed on stderr when GCTRACE_FINISH_TIMES is set
 * (bench/README.md): what finishing a large trace spends where.
 */
struct phases {
    bool on;
    int64_t start, last;
    char line[512];
    size_t len;
};

static int64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void
phases_begin(struct phases *p)
{
    const char *env = getenv("GCTRACE_FINISH_TIMES");
    p->on = env && *env && strcmp(env, "0") != 0;
    p->start = p->last = p->on ? now_ns() : 0;
    p->len = 0;
}

/* The phase that ends now. */
static void
phase(struct phases *p, const char *name)
{
    if (!p->on)
        return;
    int64_t t = now_ns();
    int n = snprintf(p->line + p->len, sizeof p->line - p->len, " %s %.1f",
                     name, (double)(t - p->last) / 1e6);
    if (n > 0 && (size_t)n < sizeof p->line - p->len)
        p->len += (size_t)n;
    p->last = t;
}

static void
phases_print(const struct phases *p, size_t records)
{
    if (!p->on)
        return;
    double s = (double)(p->last - p->start) / 1e9;
    fprintf(stderr, "gctrace: finish times (ms):%s; total %.1f, %zu records, "
            "%.2f M records/s\n", p->line, s * 1e3, records,
            s > 0 ? (double)records / s / 1e6 : 0.0);
}

/* gct_finish_log, with name naming the raw log in messages. */
static int
finish_log(const char *trace, const char *name, int fd, const void *buf,
           size_t size, const struct gct_finish_opts *opts, char *err,
           size_t errlen)
{
    struct gct_rawlog log;
    struct gct_model m;
    struct gct_trace_writer w = {.err = err, .errlen = errlen};
    char tmp[4096] = "";
    int rc = -1;

    struct phases t;

    err[0] = '\0';
    phases_begin(&t);
    if (gct_rawlog_read(&log, fd, buf, size, name, err, errlen) != 0) {
        gct_rawlog_free(&log);
        return -1;
    }
    phase(&t, "read");
    gct_model_init(&m, &log, &w, gct_symbolizer_new());

    if (!gct_tw_open(&w, trace, tmp, sizeof tmp, err, errlen))
        goto out;
    phase(&t, "open");
    gct_model_replay(&m);
    gct_model_run_end(&m, opts ? opts->end_mono_ns : 0);
    phase(&t, "replay");
    /* Each step writes nothing once one failed (gct_tw_failed). */
    if (!gct_tw_failed(&w))
        gct_tw_model(&w, &m, opts);
    if (!gct_tw_failed(&w))
        gct_tw_thread_entry(&w);
    if (!gct_tw_failed(&w))
        gct_tw_modules(&w, &m);
    if (!gct_tw_failed(&w))
        gct_tw_meta(&w, &m, opts);
    phase(&t, "model");
    if (!gct_tw_indexes(&w, log.nrefs))
        goto out;
    phase(&t, "indexes");
    if (opts && opts->before_commit &&
        opts->before_commit(w.db, opts->arg) != 0) {
        gct_tw_fail(&w, "%s: cannot complete the trace", trace);
        goto out;
    }
    phase(&t, "analyses");
    if (!gct_tw_commit(&w, tmp))
        goto out;
    phase(&t, "commit");
    phases_print(&t, log.nrefs);
    const char *why;
    if (!gct_may_replace(trace, &why)) {
        gct_tw_fail(&w, "%s %s: not replaced", trace, why);
        goto out;
    }
    if (rename(tmp, trace) != 0) {
        gct_tw_fail(&w, "%s: %s", trace, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    gct_tw_close(&w);
    if (rc != 0 && tmp[0])
        unlink(tmp);
    gct_symbolizer_free(m.sym);
    gct_model_free(&m);
    gct_rawlog_free(&log);
    return rc;
}

int
gct_finish_log(const char *trace, int fd, const void *log, size_t size,
               const struct gct_finish_opts *opts, char *err, size_t errlen)
{
    char name[4096];
    if (fd >= 0)
        snprintf(name, sizeof name, "%s%s", trace, GCT_LOG_SUFFIX);
    else
        snprintf(name, sizeof name, "%s's raw log", trace);
    return finish_log(trace, name, fd, log, size, opts, err, errlen);
}

int
gct_finish(const char *trace, const struct gct_finish_opts *opts, char *err,
           size_t errlen)
{
    char raw[4096];

    snprintf(raw, sizeof raw, "%s%s", trace, GCT_LOG_SUFFIX);
    int fd = open(raw, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", raw, strerror(errno));
        return -1;
    }
    int rc = finish_log(trace, raw, fd, NULL, 0, opts, err, errlen);
    close(fd);
    /* consumed, unless a writer goes on with it */
    if (rc == 0 && !(opts && opts->keep_raw))
        unlink(raw);
    return rc;
}
