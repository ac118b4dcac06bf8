/*
 * test_ratelimit.c - the token-bucket rate limiter (lib/ratelimit.c).
 *
 * Timing bounds are generous upwards (the machine may be loaded) and exact
 * downwards: a token is never early.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "goc_impl.h"

#include <math.h>

#define MS GOC_MILLISECOND

static void
test_limiter_args(void **state)
{
    (void)state;
    goc_limiter *l;

    assert_int_equal(goc_limiter_make(NULL, 1, 1), GOC_EINVAL);
    assert_int_equal(goc_limiter_make(&l, 0, 1), GOC_EINVAL);
    assert_int_equal(goc_limiter_make(&l, -1, 1), GOC_EINVAL);
    assert_int_equal(goc_limiter_make(&l, NAN, 1), GOC_EINVAL);
    assert_int_equal(goc_limiter_make(&l, 1, 0), GOC_EINVAL);
    assert_false(goc_limiter_allow(NULL));
    assert_int_equal(goc_limiter_wait(NULL, NULL), GOC_EINVAL);
    goc_limiter_free(NULL);

    atomic_store(&goc__alloc_fail_countdown, 1);
    assert_int_equal(goc_limiter_make(&l, 1, 1), GOC_ENOMEM);
    atomic_store(&goc__alloc_fail_countdown, 0);
}

static void
test_limiter_burst_then_deny(void **state)
{
    (void)state;
    goc_limiter *l;

    /* One token a minute: nothing refills during the test. */
    assert_int_equal(goc_limiter_make(&l, 1.0 / 60, 5), 0);
    for (int i = 0; i < 5; i++)
        assert_true(goc_limiter_allow(l));
    assert_false(goc_limiter_allow(l));
    assert_false(goc_limiter_allow(l));
    goc_limiter_free(l);
}

static void
test_limiter_allow_rate(void **state)
{
    (void)state;
    goc_limiter *l;
    int allowed = 0;

    /* 50/s with a burst of 2, polled for 0.3 s: 2 + 15 tokens, less
     * those a loaded machine's slow polling lets overflow the bucket. */
    assert_int_equal(goc_limiter_make(&l, 50, 2), 0);
    goc_time start = goc_now();
    goc_time end = start + 300 * MS;
    while (goc_now() < end) {
        if (goc_limiter_allow(l))
            allowed++;
        goc_sleep(GOC_MILLISECOND / 2);
    }
    goc_time elapsed = goc_now() - start;
    int most = 2 + (int)(elapsed * 50 / GOC_SECOND) + 1;
    assert_true(allowed <= most);
    assert_true(allowed >= 8);
    goc_limiter_free(l);
}

static void
test_limiter_wait_rate(void **state)
{
    (void)state;
    goc_limiter *l;

    /* 20/s, burst 1: the first wait is free, the next six take 50 ms
     * each, so seven waits take at least 0.3 s. */
    assert_int_equal(goc_limiter_make(&l, 20, 1), 0);
    goc_time start = goc_now();
    for (int i = 0; i < 7; i++)
        assert_int_equal(goc_limiter_wait(l, NULL), 0);
    goc_time elapsed = goc_now() - start;
    assert_true(elapsed >= 299 * MS);
    assert_true(elapsed < 2 * GOC_SECOND);
    goc_limiter_free(l);
}

static void
test_limiter_wait_available_is_immediate(void **state)
{
    (void)state;
    goc_limiter *l;
    goc_ctx *ctx;

    assert_int_equal(goc_limiter_make(&l, 1.0 / 60, 2), 0);
    assert_int_equal(goc_ctx_with_timeout(&ctx, goc_ctx_background(),
                                          GOC_SECOND), 0);
    goc_time start = goc_now();
    assert_int_equal(goc_limiter_wait(l, ctx), 0);
    assert_int_equal(goc_limiter_wait(l, goc_ctx_background()), 0);
    assert_true(goc_now() - start < GOC_SECOND / 2);
    assert_false(goc_limiter_allow(l));
    goc_ctx_cancel(ctx);
    goc_ctx_free(ctx);
    goc_limiter_free(l);
}

static void
test_limiter_deadline_too_early(void **state)
{
    (void)state;
    goc_limiter *l;
    goc_ctx *ctx;

    /* 2/s, burst 1: after the first token the next is 500 ms away, later
     * than the context's 300 ms deadline. */
    assert_int_equal(goc_limiter_make(&l, 2, 1), 0);
    goc_time start = goc_now();
    assert_true(goc_limiter_allow(l));
    assert_int_equal(goc_ctx_with_timeout(&ctx, goc_ctx_background(),
                                          300 * MS), 0);
    goc_time t0 = goc_now();
    assert_int_equal(goc_limiter_wait(l, ctx), GOC_EDEADLINE);
    assert_true(goc_now() - t0 < 200 * MS); /* at once, not at 300 ms */
    goc_ctx_cancel(ctx);
    goc_ctx_free(ctx);
    /* Nothing was taken: the next token is still the one at 500 ms, not
     * one at 1 s. */
    assert_int_equal(goc_limiter_wait(l, NULL), 0);
    goc_time elapsed = goc_now() - start;
    assert_true(elapsed >= 499 * MS);
    assert_true(elapsed < 900 * MS);
    goc_limiter_free(l);
}

static void
test_limiter_ctx_done_before(void **state)
{
    (void)state;
    goc_limiter *l;
    goc_ctx *ctx;

    assert_int_equal(goc_limiter_make(&l, 1.0 / 60, 1), 0);
    assert_int_equal(goc_ctx_with_cancel(&ctx, goc_ctx_background()), 0);
    goc_ctx_cancel(ctx);
    assert_int_equal(goc_limiter_wait(l, ctx), GOC_ECANCELED);
    assert_true(goc_limiter_allow(l)); /* the token is still there */
    goc_ctx_free(ctx);
    goc_limiter_free(l);
}

static void
cancel_ctx(void *arg)
{
    goc_ctx_cancel(arg);
}

static void
test_limiter_cancel_returns_token(void **state)
{
    (void)state;
    goc_limiter *l;
    goc_ctx *ctx;

    /* 2/s, burst 1: the wait would end at 500 ms; it is cancelled at
     * 50 ms from the timer thread while it sleeps. */
    assert_int_equal(goc_limiter_make(&l, 2, 1), 0);
    goc_time start = goc_now();
    assert_true(goc_limiter_allow(l));
    assert_int_equal(goc_ctx_with_cancel(&ctx, goc_ctx_background()), 0);
    goc__timer *t = goc__timer_start(start + 50 * MS, cancel_ctx, ctx);
    assert_non_null(t);
    assert_int_equal(goc_limiter_wait(l, ctx), GOC_ECANCELED);
    goc_time elapsed = goc_now() - start;
    assert_true(elapsed >= 50 * MS);
    assert_true(elapsed < 490 * MS);
    if (!goc__timer_cancel(t))
        goc__timer_release(t);
    /* The reserved token came back: the next is due at 500 ms, not 1 s. */
    assert_int_equal(goc_limiter_wait(l, NULL), 0);
    elapsed = goc_now() - start;
    assert_true(elapsed >= 499 * MS);
    assert_true(elapsed < 900 * MS);
    goc_ctx_free(ctx);
    goc_limiter_free(l);
}

static void
test_limiter_infinite_rate(void **state)
{
    (void)state;
    goc_limiter *l;

    assert_int_equal(goc_limiter_make(&l, INFINITY, 1), 0);
    for (int i = 0; i < 1000; i++)
        assert_true(goc_limiter_allow(l));
    assert_int_equal(goc_limiter_wait(l, NULL), 0);
    goc_limiter_free(l);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limiter_args),
        cmocka_unit_test(test_limiter_burst_then_deny),
        cmocka_unit_test(test_limiter_allow_rate),
        cmocka_unit_test(test_limiter_wait_rate),
        cmocka_unit_test(test_limiter_wait_available_is_immediate),
        cmocka_unit_test(test_limiter_deadline_too_early),
        cmocka_unit_test(test_limiter_ctx_done_before),
        cmocka_unit_test(test_limiter_cancel_returns_token),
        cmocka_unit_test(test_limiter_infinite_rate),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
