/*
 * fuzz_suppressions.c - libFuzzer harness for suppression files
 * (common/suppress.c): gct_suppressions_parse on arbitrary text, the same
 * bytes through gct_suppressions_load from a file, then the rules against
 * fixed findings with gct_suppressed and gct_suppress.
 *
 * Checked beyond crashes and leaks: parse fails with a message naming a
 * line; load agrees with parse (and refuses a file holding a NUL byte);
 * gct_suppress drops exactly the findings gct_suppressed matches.
 */
#include "analysis.h"
#include "map.h"
#include "fuzz_util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char base_path[64], path[64];

static void
cleanup(void)
{
    unlink(path);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(base_path, sizeof base_path, "%s/gct-fuzz-supp.XXXXXX",
             fuzz_tmp_base());
    return 0;
}

/* A stack of frames (function, file) pairs; file may be NULL. */
static struct gct_stack
stack(const char *label, const char *const *fns, const char *const *files,
      size_t n)
{
    struct gct_stack s = {.label = gct_xstrdup(label), .nframes = n};
    s.frames = gct_xcalloc(n, sizeof *s.frames);
    for (size_t i = 0; i < n; i++) {
        s.frames[i].function = gct_xstrdup(fns[i]);
        s.frames[i].file = files[i] ? gct_xstrdup(files[i]) : NULL;
        s.frames[i].line = (int)i + 10;
    }
    return s;
}

/* Findings shaped like the analyses' (a leak, a cycle, one without
 * stacks), made afresh for each input since gct_suppress frees some. */
static void
make_findings(struct gct_findings *out)
{
    static const char *const fns1[] = {"worker", "start_thread", "clone3"};
    static const char *const files1[] = {"/src/app/worker.c", NULL,
                                         "../sysdeps/clone3.S"};
    static const char *const fns2[] = {"transfer", "main"};
    static const char *const files2[] = {"third_party/bank/transfer.c",
                                         "main.c"};
    static const char *const kinds[] = {"leaked_thread", "lock_order_cycle",
                                        "misuse"};

    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < 3; i++) {
        struct gct_finding f = {.kind = gct_xstrdup(kinds[i]),
                                .severity = 2,
                                .message = gct_xstrdup("a finding")};
        size_t cap = 0;
        if (i == 0) {
            GCT_PUSH(f.stacks, f.nstacks, cap,
                     stack("blocked at", fns1, files1, 3));
        } else if (i == 1) {
            GCT_PUSH(f.stacks, f.nstacks, cap,
                     stack("acquired at", fns2, files2, 2));
            GCT_PUSH(f.stacks, f.nstacks, cap,
                     stack("held since", fns1, files1, 1));
        }
        GCT_PUSH(out->v, out->n, out->cap, f);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = gct_xmalloc(size + 1);
    char err[400];

    memcpy(text, data, size);
    text[size] = '\0';

    err[0] = '\0';
    struct gct_suppressions *s = gct_suppressions_parse(text, err,
                                                        sizeof err);
    if (s == NULL)
        check(strncmp(err, "suppressions line ", 18) == 0);

    /* The same bytes from a file: a NUL byte makes it not a text file,
     * otherwise load and parse must agree. */
    /* a fresh file per input, removed after it (libFuzzer leaves by
     * _Exit, so nothing left for exit time would be cleaned up) */
    memcpy(path, base_path, sizeof path);
    int fd = mkstemp(path);
    check(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    check(fp != NULL);
    check(fwrite(data, 1, size, fp) == size);
    check(fclose(fp) == 0);
    err[0] = '\0';
    struct gct_suppressions *l = gct_suppressions_load(path, err, sizeof err);
    if (memchr(data, '\0', size) != NULL)
        check(l == NULL && err[0] != '\0');
    else
        check((l == NULL) == (s == NULL));
    gct_suppressions_free(l);
    cleanup();

    struct gct_findings fs;
    make_findings(&fs);
    size_t expect = 0;
    for (size_t i = 0; i < fs.n; i++)
        expect += gct_suppressed(s, &fs.v[i]);
    size_t before = fs.n;
    size_t dropped = gct_suppress(s, &fs);
    check(dropped == expect && fs.n == before - dropped);
    gct_findings_free(&fs);

    gct_suppressions_free(s);
    free(text);
    return 0;
}
