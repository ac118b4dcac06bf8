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
#include "phase_time.h"
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

/* With GCTRACE_TIMINGS set, the phases' times and the rate on stderr
 * (phase_time.h, bench/README.md): what finishing spends where. */
static void
print_rate(int64_t start, size_t records)
{
    double s = (double)(gct_phase_now_ns() - start) / 1e9;
    fprintf(stderr, "gctrace: timing: finishing %zu records: %.2f M/s\n",
            records, s > 0 ? (double)records / s / 1e6 : 0.0);
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

    int64_t start = gct_phase_on() ? gct_phase_now_ns() : 0;

    err[0] = '\0';
    gct_phase("finish start");
    if (gct_rawlog_read(&log, fd, buf, size, name, err, errlen) != 0) {
        gct_rawlog_free(&log);
        return -1;
    }
    gct_phase("read raw log");
    gct_model_init(&m, &log, &w, gct_symbolizer_new());

    if (!gct_tw_open(&w, trace, tmp, sizeof tmp, err, errlen))
        goto out;
    gct_phase("open trace");
    gct_model_replay(&m);
    gct_model_run_end(&m, opts ? opts->end_mono_ns : 0);
    gct_tw_flush(&w);
    gct_phase("replay");
    gct_phase_total("symbolising", m.sym_ns, m.sym_n);
    /* Each step writes nothing once one failed (gct_tw_failed). */
    if (!gct_tw_failed(&w))
        gct_tw_model(&w, &m, opts);
    if (!gct_tw_failed(&w))
        gct_tw_thread_entry(&w);
    if (!gct_tw_failed(&w))
        gct_tw_modules(&w, &m);
    if (!gct_tw_failed(&w))
        gct_tw_meta(&w, &m, opts);
    gct_phase("write model");
    if (!gct_tw_indexes(&w, log.nrefs))
        goto out;
    gct_phase("indexes");
    if (opts && opts->before_commit &&
        opts->before_commit(w.db, opts->arg) != 0) {
        gct_tw_fail(&w, "%s: cannot complete the trace", trace);
        goto out;
    }
    gct_phase("analyses");
    if (!gct_tw_commit(&w, tmp))
        goto out;
    gct_phase("commit");
    if (start)
        print_rate(start, log.nrefs);
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
