/*
 * fuzz_util.h - what the fuzzing harnesses share: an assertion that
 * survives NDEBUG, and a fresh temporary directory per input (on tmpfs
 * when there is one: every input writes and reads files).
 */
#ifndef GCT_FUZZ_UTIL_H
#define GCT_FUZZ_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline void
check(int ok)
{
    if (!ok)
        abort();
}

/* Where temporary files go: /dev/shm when writable, else /tmp. */
static inline const char *
fuzz_tmp_base(void)
{
    return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}

/* Makes BASE/gct-fuzz-NAME.XXXXXX into dir (libFuzzer leaves by _Exit,
 * so each input cleans up after itself rather than at exit). */
static inline void
fuzz_make_dir(char *dir, size_t cap, const char *name)
{
    snprintf(dir, cap, "%s/gct-fuzz-%s.XXXXXX", fuzz_tmp_base(), name);
    check(mkdtemp(dir) != NULL);
}

/* /dev/null, opened at first use: for the writers whose output only has
 * to be produced without a crash. */
static inline FILE *
fuzz_devnull(void)
{
    static FILE *f;
    if (f == NULL) {
        f = fopen("/dev/null", "w");
        check(f != NULL);
    }
    return f;
}

/* A fresh directory for one input (fuzz_make_dir) and the path of a
 * trace in it, DIR/t.db. */
static inline void
fuzz_make_trace_dir(char *dir, size_t dir_cap, char *trace, size_t trace_cap,
                    const char *name)
{
    fuzz_make_dir(dir, dir_cap, name);
    snprintf(trace, trace_cap, "%s/t.db", dir);
}

/* Whether the file at path holds exactly data[0..size). */
static inline bool
fuzz_file_is(const char *path, const uint8_t *data, size_t size)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return false;
    uint8_t *back = malloc(size + 1);
    check(back != NULL);
    size_t got = fread(back, 1, size + 1, fp);
    fclose(fp);
    bool same = got == size && memcmp(back, data, size) == 0;
    free(back);
    return same;
}

#endif
