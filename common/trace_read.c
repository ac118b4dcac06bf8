/*
 * trace_read.c - opening a trace for reading, whatever the recorder left.
 *
 * Cases, in order: a raw log whose writer is gone (the run was killed, or
 * the shim could not finish it) is finished now; a raw log that a live
 * process still writes is finished into a snapshot while the raw log stays;
 * then the sqlite file is opened read-only and checked to be ours and of a
 * format we know.
 */
#include "trace.h"

#include "rawlog.h"
#include "schema.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* TRACE.raw's header into *h: 1 read, 0 no raw log, -1 one that is not
 * a raw log (too short, another magic). */
static int
raw_header(const char *trace, struct gct_log_header *h)
{
    char raw[4096];

    snprintf(raw, sizeof raw, "%s%s", trace, GCT_LOG_SUFFIX);
    int fd = open(raw, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = pread(fd, h, sizeof *h, 0);
    close(fd);
    if (n != (ssize_t)sizeof *h || memcmp(h->magic, GCT_LOG_MAGIC, 8) != 0)
        return -1;
    return 1;
}

enum gct_raw_state
gct_raw_state(const char *trace)
{
    struct gct_log_header h;

    int r = raw_header(trace, &h);
    if (r == 0)
        return GCT_RAW_NONE;
    if (r < 0)
        return GCT_RAW_DONE; /* let finishing say what is wrong */
    if (h.state == GCT_LOG_RUNNING && h.root_pid > 0 &&
        (kill(h.root_pid, 0) == 0 || errno == EPERM))
        return GCT_RAW_LIVE;
    return GCT_RAW_DONE;
}

bool
gct_raw_watchdog_spoke(const char *trace)
{
    struct gct_log_header h;

    return raw_header(trace, &h) != 1 ||
           atomic_load(&h.watchdog_findings) > 0;
}

/* sqlite's settings for a file that may come from anyone: a trace is a
 * CI artifact that travels between machines, and a sqlite file carries
 * code (views, triggers, generated columns) as well as data. */
static void
distrust(sqlite3 *db)
{
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
    /* No value gctrace writes comes near this; a larger one is refused
     * when read instead of being allocated. */
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 16 << 20);
}

/* Whether every table, index, view and trigger of db is one that
 * gctrace's own schema makes, word for word (a trace may lack the
 * indexes: small ones are written without).  Else why names the first
 * stranger. */
static bool
schema_is_ours(sqlite3 *db, char *why, size_t whylen)
{
    sqlite3 *ref = NULL;
    sqlite3_stmt *q = NULL, *r = NULL;
    int rc = SQLITE_ERROR;

    snprintf(why, whylen, "its schema cannot be read");
    if (sqlite3_open_v2(":memory:", &ref, SQLITE_OPEN_READWRITE |
                                              SQLITE_OPEN_CREATE, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(ref, gct_schema_sql, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(ref, "SELECT 1 FROM sqlite_schema WHERE type = ?1 "
                                "AND name = ?2 AND sql IS ?3",
                           -1, &r, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT type, name, sql FROM sqlite_schema",
                           -1, &q, NULL) != SQLITE_OK)
        goto out;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        for (int i = 0; i < 3; i++)
            sqlite3_bind_value(r, i + 1, sqlite3_column_value(q, i));
        bool known = sqlite3_step(r) == SQLITE_ROW;
        sqlite3_reset(r);
        if (!known) {
            const char *type = (const char *)sqlite3_column_text(q, 0);
            const char *name = (const char *)sqlite3_column_text(q, 1);
            snprintf(why, whylen, "%s '%.64s' is not gctrace's",
                     type ? type : "object", name ? name : "?");
            rc = SQLITE_ERROR;
            break;
        }
    }
out:
    sqlite3_finalize(q);
    sqlite3_finalize(r);
    sqlite3_close(ref);
    return rc == SQLITE_DONE;
}

static sqlite3 *
open_checked(const char *trace, char *err, size_t errlen)
{
    struct stat st;
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    char uri[4200];

    if (stat(trace, &st) != 0) {
        snprintf(err, errlen, "%s: %s", trace, strerror(errno));
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: is a directory, not a trace", trace);
        return NULL;
    }
    if (access(trace, R_OK) != 0) {
        snprintf(err, errlen, "%s: %s", trace, strerror(errno));
        return NULL;
    }
    if (st.st_size == 0) {
        snprintf(err, errlen, "%s: empty file, not a gctrace trace", trace);
        return NULL;
    }
    /* immutable=1: read without taking locks or creating journal files,
     * so that reading never modifies the trace or its directory. */
    snprintf(uri, sizeof uri, "file:%s?mode=ro&immutable=1", trace);
    if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
                        NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot open: %s", trace,
                 db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    distrust(db);
    int rc = sqlite3_prepare_v2(db,
                                "SELECT (SELECT value FROM meta WHERE key = "
                                "'producer'), (SELECT value FROM meta WHERE "
                                "key = 'format_version')",
                                -1, &q, NULL);
    if (rc != SQLITE_OK) {
        bool notdb = rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT;
        snprintf(err, errlen, "%s: %s", trace,
                 notdb ? "not a gctrace trace (not a sqlite database)"
                 : strstr(sqlite3_errmsg(db), "no such table")
                     ? "not a gctrace trace (a sqlite database of "
                       "something else)"
                     : sqlite3_errmsg(db));
        sqlite3_close(db);
        return NULL;
    }
    rc = sqlite3_step(q);
    const char *producer = rc == SQLITE_ROW
                               ? (const char *)sqlite3_column_text(q, 0)
                               : NULL;
    int version = rc == SQLITE_ROW ? sqlite3_column_int(q, 1) : 0;
    if (rc != SQLITE_ROW) {
        snprintf(err, errlen, "%s: damaged trace: %s", trace,
                 sqlite3_errmsg(db));
    } else if (producer == NULL || strcmp(producer, "gctrace") != 0) {
        snprintf(err, errlen, "%s: not a gctrace trace", trace);
        rc = -1;
    } else if (version != GCT_FORMAT_VERSION) {
        /* One schema per version, checked word for word below. */
        snprintf(err, errlen,
                 "%s: trace format version %d, this gctrace reads version %d",
                 trace, version, GCT_FORMAT_VERSION);
        rc = -1;
    }
    sqlite3_finalize(q);
    char why[160];
    if (rc == SQLITE_ROW && !schema_is_ours(db, why, sizeof why)) {
        snprintf(err, errlen, "%s: refused: %s (a trace from elsewhere "
                 "may carry code; docs/security.md)", trace, why);
        rc = -1;
    }
    if (rc != SQLITE_ROW) {
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

sqlite3 *
gct_trace_open_as_is(const char *trace, char *err, size_t errlen)
{
    return open_checked(trace, err, errlen);
}

sqlite3 *
gct_trace_open(const char *trace, char *err, size_t errlen)
{
    enum gct_raw_state rs = gct_raw_state(trace);

    if (rs != GCT_RAW_NONE) {
        struct gct_finish_opts o = {.exit_status = -1,
                                    .keep_raw = rs == GCT_RAW_LIVE,
                                    .snapshot = rs == GCT_RAW_LIVE};
        if (gct_finish(trace, &o, err, errlen) != 0)
            return NULL;
    }
    return open_checked(trace, err, errlen);
}
