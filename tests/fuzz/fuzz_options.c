/*
 * fuzz_options.c - libFuzzer harness for the GCTRACE_OPTIONS parser
 * (common/options.c) on arbitrary text.
 *
 * Besides crashes, it checks the parser's contract from options.h: each
 * problem is reported once through warn, as one bounded line, and every
 * field stays in its documented range whatever the text says.
 */
#include "options.h"
#include "rawlog.h"
#include "fuzz_util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct warnings {
    int n;
};

static void
on_warn(void *ctx, const char *msg)
{
    struct warnings *w = ctx;
    size_t len = strlen(msg);

    w->n++;
    check(len > 0 && len < 160);
    /* options.h: "a complete sentence without a newline"; nothing of the
     * input that could move the cursor or colour the terminal either. */
    for (size_t i = 0; i < len; i++)
        check((unsigned char)msg[i] >= 0x20 && (unsigned char)msg[i] < 0x7f);
}

static bool
terminated(const char *s, size_t cap)
{
    return memchr(s, '\0', cap) != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The environment hands the parser a C string: cut at the first NUL. */
    char *text = malloc(size + 1);
    struct gct_options o;
    struct warnings w = {0};

    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    gct_options_default(&o);
    int problems = gct_options_parse(&o, text, on_warn, &w);
    check(problems == w.n);
    check(terminated(o.out, sizeof o.out));
    check(terminated(o.suppressions, sizeof o.suppressions));
    check(o.record >= GCT_RECORD_COUNTERS && o.record <= GCT_RECORD_ALL);
    check(o.exitcode >= 0 && o.exitcode <= 255);
    check(o.watchdog_ms >= 0 && o.watchdog_ms <= 86400000);
    check(o.exit_grace_ms >= 0 && o.exit_grace_ms <= 60000);
    check(o.wait_threshold_us >= 0 && o.wait_threshold_us <= 3600000000L);
    check(o.long_waits_per_site >= 0 && o.long_waits_per_site <= 1L << 30);
    check(o.max_size_mb >= 1 && o.max_size_mb <= (1 << 20));
    check(o.verbosity >= 0 && o.verbosity <= 3);

    /* Without a callback the count must be the same. */
    struct gct_options o2;
    gct_options_default(&o2);
    check(gct_options_parse(&o2, text, NULL, NULL) == problems);
    check(memcmp(&o, &o2, sizeof o) == 0);

    free(text);
    return 0;
}
