/*
 * fuzz_util.h - what the fuzzing harnesses share: an assertion that
 * survives NDEBUG, and a fresh temporary directory per input (on tmpfs
 * when there is one: every input writes and reads files).
 */
#ifndef GCT_FUZZ_UTIL_H
#define GCT_FUZZ_UTIL_H

#include <stdio.h>
#include <stdlib.h>
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

#endif
