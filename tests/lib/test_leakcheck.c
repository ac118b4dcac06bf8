/*
 * test_leakcheck.c - the goleak-style API of include/gctrace.h, as a test
 * suite uses it: a goroutine left blocked is reported, and once it can
 * finish the same check passes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "goc.h"
#include "gctrace.h"

static void
quick(void *arg)
{
    (void)arg;
}

static void
blocked_receiver(void *arg)
{
    goc_chan_recv(arg, NULL, NULL); /* until the channel is closed */
}

static void
test_leak_is_reported_then_gone(void **state)
{
    (void)state;
    gctrace_leaks cp;
    goc_chan *ch;
    char buf[512] = "";

    /* One goroutine first, so that threads a runtime starts along with
     * the first thread (ThreadSanitizer's background thread) already exist
     * at the checkpoint: the check is about the code under test. */
    goc_waitgroup warm = GOC_WAITGROUP_INIT;
    assert_int_equal(goc_wg_go(&warm, quick, NULL), 0);
    goc_wg_wait(&warm);

    assert_int_equal(gctrace_leaks_checkpoint(&cp), 0);
    assert_int_equal(goc_chan_make(&ch, 0, 0), 0);
    assert_int_equal(goc_go_named("stuck-recv", blocked_receiver, ch), 0);

    FILE *report = fmemopen(buf, sizeof buf - 1, "w");
    assert_non_null(report);
    assert_int_equal(gctrace_leaks_verify(&cp, 100, report), 1);
    fclose(report);
    assert_non_null(strstr(buf, "leaked thread"));
    assert_non_null(strstr(buf, "stuck-recv"));

    /* Closing lets the goroutine return: within the grace period the
     * check passes. */
    assert_int_equal(goc_chan_close(ch), 0);
    assert_int_equal(gctrace_leaks_verify(&cp, 5000, stderr), 0);
    goc_chan_free(ch);
}

static void
test_clean_code_passes(void **state)
{
    (void)state;
    gctrace_leaks cp;
    goc_waitgroup wg = GOC_WAITGROUP_INIT;

    assert_int_equal(gctrace_leaks_checkpoint(&cp), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(goc_wg_go(&wg, quick, NULL), 0);
    goc_wg_wait(&wg);
    assert_int_equal(gctrace_leaks_verify(&cp, 5000, stderr), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leak_is_reported_then_gone),
        cmocka_unit_test(test_clean_code_passes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
