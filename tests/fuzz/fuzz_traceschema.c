/*
 * fuzz_traceschema.c - libFuzzer harness for traces whose schema someone
 * changed (docs/security.md): the input is SQL, run on a copy of a real
 * trace before gctrace opens it.  It adds views, triggers, tables and
 * generated columns, recreates tables with other column types, and fills
 * them with values of any type and size.
 *
 * Checked beyond crashes, leaks and UB: a trace whose schema holds
 * anything gctrace's own does not (compared here in one SQL query, apart
 * from trace_read.c's loop) is refused, with a message; reading never
 * modifies the file.
 *
 * The base trace is FUZZ_TRACE_BASE, or the bug_lock_order seed of
 * fuzz_tracedb, relative to the source tree (make fuzz runs there).
 */
#include "analysis.h"
#include "schema.h"
#include "trace.h"
#include "fuzz_util.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static uint8_t *base;
static size_t base_size;
static char dir[64], trace[128];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *path = getenv("FUZZ_TRACE_BASE");
    if (path == NULL)
        path = "tests/fuzz/corpus/fuzz_tracedb/bug_lock_order";
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        fprintf(stderr, "fuzz_traceschema: no base trace at %s\n", path);
        exit(1);
    }
    base = malloc(1 << 20);
    check(base != NULL);
    base_size = fread(base, 1, 1 << 20, fp);
    fclose(fp);
    return 0;
}

/* SQL that could reach files other than the trace (ATTACH, VACUUM INTO)
 * is not the fuzzer's to run. */
static bool
reaches_out(const char *sql)
{
    static const char *const words[] = {"attach", "vacuum", "load_ext"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        for (const char *p = sql; *p; p++)
            if (strncasecmp(p, words[i], strlen(words[i])) == 0)
                return true;
    return false;
}

/* Runs sql on the trace file as its own author could. */
static void
mutate(const char *sql)
{
    sqlite3 *db = NULL;
    if (sqlite3_open(trace, &db) == SQLITE_OK) {
        sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 32 << 20);
        sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
        /* At most 64 MiB of file (the seeds' pages are 512 bytes): a
         * big blob in every row is a test of reading, not of the disk. */
        sqlite3_exec(db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                         "PRAGMA max_page_count = 131072;",
                     NULL, NULL, NULL);
        sqlite3_exec(db, sql, NULL, NULL, NULL);
    }
    sqlite3_close(db);
}

/* Whether the trace's schema has an object gctrace's does not. */
static bool
foreign_schema(void)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    char uri[192];
    bool foreign = true;

    snprintf(uri, sizeof uri, "file:%s?mode=ro&immutable=1", trace);
    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE |
                        SQLITE_OPEN_URI, NULL) != SQLITE_OK ||
        sqlite3_exec(db, gct_schema_sql, NULL, NULL, NULL) != SQLITE_OK)
        abort();
    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 1);
    char *attach = sqlite3_mprintf("ATTACH %Q AS t", uri);
    if (sqlite3_exec(db, attach, NULL, NULL, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT count(*) FROM (SELECT type, name, sql "
                               "FROM t.sqlite_schema EXCEPT SELECT type, "
                               "name, sql FROM main.sqlite_schema)",
                           -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        foreign = sqlite3_column_int(q, 0) != 0;
    sqlite3_free(attach);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return foreign;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512] = "";
    char *sql = strndup((const char *)data, size);
    check(sql != NULL);
    if (reaches_out(sql)) {
        free(sql);
        return 0;
    }
    fuzz_make_trace_dir(dir, sizeof dir, trace, sizeof trace, "schema");
    FILE *fp = fopen(trace, "wb");
    check(fp != NULL && fwrite(base, 1, base_size, fp) == base_size);
    check(fclose(fp) == 0);
    mutate(sql);
    free(sql);

    /* The file as the mutation left it, to check that reading keeps it. */
    fp = fopen(trace, "rb");
    check(fp != NULL);
    fseek(fp, 0, SEEK_END);
    size_t n = (size_t)ftell(fp);
    rewind(fp);
    uint8_t *before = malloc(n + 1);
    check(before != NULL && fread(before, 1, n, fp) == n);
    fclose(fp);
    bool foreign = foreign_schema();

    sqlite3 *db = gct_trace_open(trace, err, sizeof err);
    if (db == NULL) {
        check(err[0] != '\0');
    } else {
        check(!foreign);
        struct gct_findings fs;
        err[0] = '\0';
        if (gct_analyze(db, &fs, err, sizeof err) == 0) {
            gct_findings_json(fuzz_devnull(), &fs, trace);
            gct_findings_sarif(fuzz_devnull(), &fs, NULL);
            gct_findings_free(&fs);
        } else {
            check(err[0] != '\0');
        }
        sqlite3_close(db);
    }
    check(fuzz_file_is(trace, before, n));
    free(before);
    unlink(trace);
    rmdir(dir);
    return 0;
}
