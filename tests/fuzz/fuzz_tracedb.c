/*
 * fuzz_tracedb.c - libFuzzer harness for opening and analysing sqlite
 * files that claim to be traces (common/trace_read.c, analysis.c,
 * findings_out.c): corrupt traces, foreign sqlite databases, traces whose
 * tables hold values the finisher never writes.
 *
 * The input is the whole file.  Seeds are real traces re-paged to 512-byte
 * pages (docs/fuzzing.md), so that they stay small and mutations reach
 * table contents rather than only the file header.
 *
 * Checked beyond crashes, leaks and UB: a refusal comes with a message;
 * reading never modifies the file nor leaves anything beside it (the
 * issue's "a trace is never modified by reading it").
 */
#include "analysis.h"
#include "trace.h"
#include "fuzz_util.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64], trace[128];

static void
cleanup(void)
{
    unlink(trace);
    rmdir(dir);
}

/* Whether the file still holds exactly data, and nothing else is in dir. */
static bool
unchanged(const uint8_t *data, size_t size)
{
    bool same = fuzz_file_is(trace, data, size);

    DIR *d = opendir(dir);
    check(d != NULL);
    int entries = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            entries++;
    closedir(d);
    return same && entries == 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512] = "";

    fuzz_make_trace_dir(dir, sizeof dir, trace, sizeof trace, "db");
    FILE *fp = fopen(trace, "w");
    check(fp != NULL);
    bool ok = fwrite(data, 1, size, fp) == size;
    check(fclose(fp) == 0 && ok);

    sqlite3 *db = gct_trace_open(trace, err, sizeof err);
    if (db == NULL) {
        check(err[0] != '\0');
    } else {
        struct gct_findings fs;
        err[0] = '\0';
        if (gct_analyze(db, &fs, err, sizeof err) == 0) {
            gct_findings_json(fuzz_devnull(), &fs, trace);
            gct_findings_text(fuzz_devnull(), &fs, true);
            gct_findings_sarif(fuzz_devnull(), &fs, NULL);
            gct_findings_free(&fs);
        } else {
            check(err[0] != '\0');
        }
        sqlite3_close(db);
    }
    check(unchanged(data, size));
    cleanup();
    return 0;
}
