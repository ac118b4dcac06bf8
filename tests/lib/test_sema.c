/*
 * test_sema.c - the weighted semaphore (lib/sema.c).
 *
 * "X is blocked in acquire" is observed with goc__sema_waiters, polled with
 * a 5 s limit, never with a sleep.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "sema_impl.h"

#include <pthread.h>

#define MS GOC_MILLISECOND

/* Polls until s has want waiters, for up to 5 s. */
static void
wait_waiters(goc_sema *s, size_t want)
{
    goc_time limit = goc_now() + 5 * GOC_SECOND;

    while (goc__sema_waiters(s) != want && goc_now() < limit)
        goc_sleep(MS / 2);
    assert_int_equal(goc__sema_waiters(s), want);
}

/* An acquire on another thread. */
struct acq {
    goc_sema *s;
    goc_ctx *ctx;
    int64_t n;
    int result;
    _Atomic int done;
    pthread_t th;
};

static void *
acq_main(void *arg)
{
    struct acq *a = arg;

    a->result = goc_sema_acquire(a->s, a->ctx, a->n);
    atomic_store(&a->done, 1);
    return NULL;
}

static void
acq_start(struct acq *a, goc_sema *s, goc_ctx *ctx, int64_t n)
{
    a->s = s;
    a->ctx = ctx;
    a->n = n;
    a->result = 1;
    atomic_store(&a->done, 0);
    assert_int_equal(pthread_create(&a->th, NULL, acq_main, a), 0);
}

static int
acq_join(struct acq *a)
{
    pthread_join(a->th, NULL);
    return a->result;
}

static void
test_sema_weights(void **state)
{
    (void)state;
    goc_sema *s;

    assert_int_equal(goc_sema_make(&s, 10), 0);
    assert_int_equal(goc_sema_acquire(s, NULL, 7), 0);
    assert_false(goc_sema_try_acquire(s, 4));
    assert_true(goc_sema_try_acquire(s, 3));
    assert_false(goc_sema_try_acquire(s, 1));
    assert_true(goc_sema_try_acquire(s, 0));
    assert_int_equal(goc_sema_release(s, 10), 0);
    assert_true(goc_sema_try_acquire(s, 10));
    assert_int_equal(goc_sema_release(s, 4), 0);
    assert_int_equal(goc_sema_release(s, 6), 0);
    goc_sema_free(s);
}

static void
test_sema_args(void **state)
{
    (void)state;
    goc_sema *s;

    assert_int_equal(goc_sema_make(NULL, 1), GOC_EINVAL);
    assert_int_equal(goc_sema_make(&s, -1), GOC_EINVAL);
    assert_int_equal(goc_sema_make(&s, 3), 0);
    assert_int_equal(goc_sema_acquire(s, NULL, 4), GOC_EINVAL);
    assert_int_equal(goc_sema_acquire(s, NULL, -1), GOC_EINVAL);
    assert_int_equal(goc_sema_acquire(NULL, NULL, 1), GOC_EINVAL);
    assert_false(goc_sema_try_acquire(s, 4));
    assert_false(goc_sema_try_acquire(s, -1));
    assert_false(goc_sema_try_acquire(NULL, 1));
    assert_int_equal(goc_sema_release(s, -1), GOC_EINVAL);
    assert_int_equal(goc_sema_release(NULL, 1), GOC_EINVAL);
    /* Nothing was taken by the failures. */
    assert_true(goc_sema_try_acquire(s, 3));
    assert_int_equal(goc_sema_release(s, 3), 0);
    goc_sema_free(s);
    goc_sema_free(NULL);

    atomic_store(&goc__alloc_fail_countdown, 1);
    assert_int_equal(goc_sema_make(&s, 1), GOC_ENOMEM);
    atomic_store(&goc__alloc_fail_countdown, 0);
}

static void
test_sema_over_release(void **state)
{
    (void)state;
    goc_sema *s;

    assert_int_equal(goc_sema_make(&s, 5), 0);
    assert_int_equal(goc_sema_release(s, 1), GOC_EMISUSE);
    assert_int_equal(goc_sema_acquire(s, NULL, 2), 0);
    assert_int_equal(goc_sema_release(s, 3), GOC_EMISUSE);
    /* Nothing changed: 2 are still held. */
    assert_false(goc_sema_try_acquire(s, 4));
    assert_int_equal(goc_sema_release(s, 2), 0);
    assert_int_equal(goc_sema_release(s, 1), GOC_EMISUSE);
    assert_true(goc_sema_try_acquire(s, 5));
    assert_int_equal(goc_sema_release(s, 5), 0);
    goc_sema_free(s);
}

static void
test_sema_blocks_until_release(void **state)
{
    (void)state;
    goc_sema *s;
    struct acq a;

    assert_int_equal(goc_sema_make(&s, 3), 0);
    assert_int_equal(goc_sema_acquire(s, NULL, 3), 0);
    acq_start(&a, s, NULL, 2);
    wait_waiters(s, 1);
    assert_int_equal(atomic_load(&a.done), 0);
    assert_int_equal(goc_sema_release(s, 1), 0); /* 1 free: not enough */
    assert_int_equal(goc__sema_waiters(s), 1);
    assert_int_equal(goc_sema_release(s, 1), 0); /* 2 free */
    assert_int_equal(acq_join(&a), 0);
    assert_false(goc_sema_try_acquire(s, 1)); /* 1 + 2 held */
    assert_int_equal(goc_sema_release(s, 3), 0);
    goc_sema_free(s);
}

static void
test_sema_fifo_big_blocks_small(void **state)
{
    (void)state;
    goc_sema *s;
    struct acq big, small;

    assert_int_equal(goc_sema_make(&s, 10), 0);
    assert_int_equal(goc_sema_acquire(s, NULL, 8), 0);
    acq_start(&big, s, NULL, 10);
    wait_waiters(s, 1);
    /* 2 units are free, but a waiter is first in line. */
    assert_false(goc_sema_try_acquire(s, 1));
    acq_start(&small, s, NULL, 1);
    wait_waiters(s, 2);
    assert_int_equal(atomic_load(&small.done), 0);

    assert_int_equal(goc_sema_release(s, 8), 0);
    assert_int_equal(acq_join(&big), 0);
    /* The small one is still queued: big holds all 10. */
    assert_int_equal(goc__sema_waiters(s), 1);
    assert_int_equal(atomic_load(&small.done), 0);
    assert_int_equal(goc_sema_release(s, 10), 0);
    assert_int_equal(acq_join(&small), 0);
    assert_int_equal(goc_sema_release(s, 1), 0);
    goc_sema_free(s);
}

static void
test_sema_release_wakes_several(void **state)
{
    (void)state;
    goc_sema *s;
    struct acq a[3];

    assert_int_equal(goc_sema_make(&s, 6), 0);
    assert_int_equal(goc_sema_acquire(s, NULL, 6), 0);
    for (int i = 0; i < 3; i++) {
        acq_start(&a[i], s, NULL, 2);
        wait_waiters(s, (size_t)i + 1);
    }
    assert_int_equal(goc_sema_release(s, 6), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(acq_join(&a[i]), 0);
    assert_int_equal(goc__sema_waiters(s), 0);
    assert_int_equal(goc_sema_release(s, 6), 0);
    goc_sema_free(s);
}

static void
test_sema_ctx_cancel_unblocks(void **state)
{
    (void)state;
    goc_sema *s;
    goc_ctx *ctx;
    struct acq a;

    assert_int_equal(goc_sema_make(&s, 1), 0);
    assert_int_equal(goc_sema_acquire(s, NULL, 1), 0);
    assert_int_equal(goc_ctx_with_cancel(&ctx, goc_ctx_background()), 0);
    acq_start(&a, s, ctx, 1);
    wait_waiters(s, 1);
    goc_ctx_cancel(ctx);
    assert_int_equal(acq_join(&a), GOC_ECANCELED);
    assert_int_equal(goc__sema_waiters(s), 0);
    /* The cancelled waiter took nothing. */
    assert_int_equal(goc_sema_release(s, 1), 0);
    assert_true(goc_sema_try_acquire(s, 1));
    assert_int_equal(goc_sema_release(s, 1), 0);
    goc_ctx_free(ctx);
    goc_sema_free(s);
}

static void
test_sema_ctx_done_before(void **state)
{
    (void)state;
    goc_sema *s;
    goc_ctx *ctx;

    assert_int_equal(goc_sema_make(&s, 2), 0);
    assert_int_equal(goc_ctx_with_cancel(&ctx, goc_ctx_background()), 0);
    goc_ctx_cancel(ctx);
    /* Done wins even though units are free, and takes nothing. */
    assert_int_equal(goc_sema_acquire(s, ctx, 1), GOC_ECANCELED);
    assert_true(goc_sema_try_acquire(s, 2));
    assert_int_equal(goc_sema_release(s, 2), 0);
    goc_ctx_free(ctx);
    goc_sema_free(s);
}

static void
test_sema_ctx_deadline(void **state)
{
    (void)state;
    goc_sema *s;
    goc_ctx *ctx;

    assert_int_equal(goc_sema_make(&s, 1), 0);
    assert_int_equal(goc_sema_acquire(s, NULL, 1), 0);
    assert_int_equal(goc_ctx_with_timeout(&ctx, goc_ctx_background(),
                                          50 * MS), 0);
    goc_time deadline;
    assert_true(goc_ctx_deadline(ctx, &deadline));
    assert_int_equal(goc_sema_acquire(s, ctx, 1), GOC_EDEADLINE);
    goc_time now = goc_now();
    assert_true(now >= deadline);
    assert_true(now - deadline < 2 * GOC_SECOND);
    assert_int_equal(goc__sema_waiters(s), 0);
    goc_ctx_cancel(ctx);
    goc_ctx_free(ctx);
    assert_int_equal(goc_sema_release(s, 1), 0);
    goc_sema_free(s);
}

static void
test_sema_ctx_granted(void **state)
{
    (void)state;
    goc_sema *s;
    goc_ctx *ctx;
    struct acq a;

    /* A live context: the wait ends by a grant through the channel. */
    assert_int_equal(goc_sema_make(&s, 4), 0);
    assert_int_equal(goc_sema_acquire(s, NULL, 4), 0);
    assert_int_equal(goc_ctx_with_cancel(&ctx, goc_ctx_background()), 0);
    acq_start(&a, s, ctx, 3);
    wait_waiters(s, 1);
    assert_int_equal(goc_sema_release(s, 4), 0);
    assert_int_equal(acq_join(&a), 0);
    assert_false(goc_sema_try_acquire(s, 2));
    assert_int_equal(goc_sema_release(s, 3), 0);

    /* The background context never ends: the wait parks. */
    assert_int_equal(goc_sema_acquire(s, NULL, 4), 0);
    acq_start(&a, s, goc_ctx_background(), 1);
    wait_waiters(s, 1);
    assert_int_equal(goc_sema_release(s, 4), 0);
    assert_int_equal(acq_join(&a), 0);
    assert_int_equal(goc_sema_release(s, 1), 0);
    goc_ctx_cancel(ctx);
    goc_ctx_free(ctx);
    goc_sema_free(s);
}

static void
test_sema_cancelled_head_lets_others_pass(void **state)
{
    (void)state;
    goc_sema *s;
    goc_ctx *ctx;
    struct acq big, small;

    assert_int_equal(goc_sema_make(&s, 10), 0);
    assert_int_equal(goc_sema_acquire(s, NULL, 8), 0);
    assert_int_equal(goc_ctx_with_cancel(&ctx, goc_ctx_background()), 0);
    acq_start(&big, s, ctx, 10);
    wait_waiters(s, 1);
    acq_start(&small, s, NULL, 2);
    wait_waiters(s, 2);
    /* The head gives up: the 2 free units go to the next in line. */
    goc_ctx_cancel(ctx);
    assert_int_equal(acq_join(&big), GOC_ECANCELED);
    assert_int_equal(acq_join(&small), 0);
    assert_int_equal(goc_sema_release(s, 10), 0);
    goc_ctx_free(ctx);
    goc_sema_free(s);
}

static void
test_sema_ctx_oom(void **state)
{
    (void)state;
    goc_sema *s;
    goc_ctx *ctx;

    assert_int_equal(goc_sema_make(&s, 1), 0);
    assert_int_equal(goc_sema_acquire(s, NULL, 1), 0);
    assert_int_equal(goc_ctx_with_cancel(&ctx, goc_ctx_background()), 0);
    /* The waiter's channel cannot be made: ENOMEM, nothing queued. */
    atomic_store(&goc__alloc_fail_countdown, 1);
    assert_int_equal(goc_sema_acquire(s, ctx, 1), GOC_ENOMEM);
    atomic_store(&goc__alloc_fail_countdown, 0);
    assert_int_equal(goc__sema_waiters(s), 0);
    assert_int_equal(goc_sema_release(s, 1), 0);
    goc_ctx_cancel(ctx);
    goc_ctx_free(ctx);
    goc_sema_free(s);
}

/* Many threads, mixed weights, some with contexts cancelled under them:
 * the units held never exceed the size (and TSan watches). */
#define STRESS_SIZE 5

struct stress {
    goc_sema *s;
    goc_ctx *ctx; /* NULL or a context cancelled midway */
    _Atomic int64_t held;
    _Atomic int violations;
    _Atomic int errors;
};

struct stress_arg {
    struct stress *st;
    int id;
};

static void *
stress_main(void *arg)
{
    struct stress_arg *a = arg;
    struct stress *st = a->st;

    for (int i = 0; i < 300; i++) {
        int64_t n = 1 + (a->id + i) % 3;
        goc_ctx *ctx = (a->id % 2) ? st->ctx : NULL;
        int r = goc_sema_acquire(st->s, ctx, n);
        if (r == GOC_ECANCELED)
            continue;
        if (r != 0) {
            atomic_fetch_add(&st->errors, 1);
            continue;
        }
        if (atomic_fetch_add(&st->held, n) + n > STRESS_SIZE)
            atomic_fetch_add(&st->violations, 1);
        atomic_fetch_sub(&st->held, n);
        if (goc_sema_release(st->s, n) != 0)
            atomic_fetch_add(&st->errors, 1);
    }
    return NULL;
}

static void
test_sema_stress(void **state)
{
    (void)state;
    struct stress st = {0};
    struct stress_arg args[6];
    pthread_t th[6];

    assert_int_equal(goc_sema_make(&st.s, STRESS_SIZE), 0);
    assert_int_equal(goc_ctx_with_cancel(&st.ctx, goc_ctx_background()), 0);
    for (int i = 0; i < 6; i++) {
        args[i] = (struct stress_arg){&st, i};
        assert_int_equal(pthread_create(&th[i], NULL, stress_main, &args[i]),
                         0);
    }
    goc_sleep(5 * MS);
    goc_ctx_cancel(st.ctx);
    for (int i = 0; i < 6; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(atomic_load(&st.violations), 0);
    assert_int_equal(atomic_load(&st.errors), 0);
    assert_int_equal(goc__sema_waiters(st.s), 0);
    assert_true(goc_sema_try_acquire(st.s, STRESS_SIZE));
    assert_int_equal(goc_sema_release(st.s, STRESS_SIZE), 0);
    goc_ctx_free(st.ctx);
    goc_sema_free(st.s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sema_weights),
        cmocka_unit_test(test_sema_args),
        cmocka_unit_test(test_sema_over_release),
        cmocka_unit_test(test_sema_blocks_until_release),
        cmocka_unit_test(test_sema_fifo_big_blocks_small),
        cmocka_unit_test(test_sema_release_wakes_several),
        cmocka_unit_test(test_sema_ctx_cancel_unblocks),
        cmocka_unit_test(test_sema_ctx_done_before),
        cmocka_unit_test(test_sema_ctx_deadline),
        cmocka_unit_test(test_sema_ctx_granted),
        cmocka_unit_test(test_sema_cancelled_head_lets_others_pass),
        cmocka_unit_test(test_sema_ctx_oom),
        cmocka_unit_test(test_sema_stress),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
