/*
 * test_errgroup.c - tests for lib/errgroup.c: wait, first error wins and
 * cancels the group's context, the concurrency limit (reached exactly,
 * try_go at the limit, set_limit while running), the parent's
 * cancellation, start failures and out-of-memory.
 *
 * Overlap is forced, never hoped for: tasks block on a gate channel that
 * the test feeds one token at a time, after it has seen, by a bounded poll
 * of an atomic counter, that the expected number of tasks are running.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>

#include "context_impl.h"

#include "util.h"

/* Polls until *v == want, for at most 5 s. */
static bool
poll_eq(atomic_int *v, int want)
{
    goc_time limit = goc_deadline_after(5 * GOC_SECOND);

    while (atomic_load(v) != want) {
        if (goc_now() > limit)
            return false;
        goc_sleep(100 * GOC_MICROSECOND);
    }
    return true;
}

static goc_group *
make_group(goc_ctx *parent, goc_ctx **ctx_out)
{
    goc_group *g = NULL;

    assert_int_equal(goc_group_make(&g, parent, ctx_out), 0);
    assert_non_null(g);
    return g;
}

/* ------------------------------------------------------------ tasks */

static atomic_int ran;

static int
count_task(void *arg)
{
    (void)arg;
    atomic_fetch_add(&ran, 1);
    return 0;
}

static int
fail_task(void *arg)
{
    return (int)(intptr_t)arg;
}

/* Waits until the group's context is done, then fails with another error
 * (which must not win: the first one was recorded before the cancel). */
static int
wait_ctx_task(void *arg)
{
    goc_ctx *ctx = arg;

    CHECK(goc_ctx_wait(ctx, goc_deadline_after(5 * GOC_SECOND)) ==
          GOC_ECANCELED);
    atomic_fetch_add(&ran, 1);
    return -200;
}

/* Tasks that block on a gate and measure how many run at once. */
struct gated {
    goc_chan *gate; /* unbuffered int */
    atomic_int running;
    atomic_int max;
};

static int
gated_task(void *arg)
{
    struct gated *s = arg;
    int n = atomic_fetch_add(&s->running, 1) + 1;
    int m = atomic_load(&s->max);

    while (n > m && !atomic_compare_exchange_weak(&s->max, &m, n))
        ;
    CHECK(goc_chan_recv(s->gate, NULL, NULL) == 0);
    atomic_fetch_sub(&s->running, 1);
    return 0;
}

/* Starts 20 gated tasks (blocking at the limit), then says so. */
struct spawner {
    goc_group *g;
    struct gated *s;
    goc_chan *finished; /* elem 0, cap 1 */
};

static void
spawn_all(void *p)
{
    struct spawner *sp = p;

    for (int i = 0; i < 20; i++)
        CHECK(goc_group_go(sp->g, gated_task, sp->s) == 0);
    CHECK(goc_chan_send(sp->finished, NULL) == 0);
}

/* ------------------------------------------------------------ tests */

static void
test_wait_all_succeed(void **state)
{
    (void)state;
    goc_ctx *ctx = NULL;
    goc_group *g = make_group(NULL, &ctx);

    assert_non_null(ctx);
    assert_int_equal(goc_ctx_err(ctx), 0);
    atomic_store(&ran, 0);
    for (int i = 0; i < 100; i++)
        assert_int_equal(goc_group_go(g, count_task, NULL), 0);
    assert_int_equal(goc_group_wait(g), 0);
    assert_int_equal(atomic_load(&ran), 100);
    /* wait cancels the context, cause GOC_ECANCELED when all succeeded. */
    assert_int_equal(goc_ctx_err(ctx), GOC_ECANCELED);
    assert_int_equal(goc_ctx_cause(ctx), GOC_ECANCELED);
    /* A second wait, with nothing running, says the same. */
    assert_int_equal(goc_group_wait(g), 0);
    goc_group_free(g);

    /* An empty group, and one without a context. */
    g = make_group(NULL, NULL);
    assert_int_equal(goc_group_wait(g), 0);
    goc_group_free(g);
    goc_group_free(NULL);
}

static void
test_first_error_cancels(void **state)
{
    (void)state;
    goc_ctx *ctx = NULL;
    goc_group *g = make_group(goc_ctx_background(), &ctx);

    atomic_store(&ran, 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(goc_group_go(g, wait_ctx_task, ctx), 0);
    assert_int_equal(goc_group_go(g, fail_task, (void *)(intptr_t)-100), 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(goc_group_go(g, wait_ctx_task, ctx), 0);
    assert_int_equal(goc_group_wait(g), -100);
    assert_int_equal(atomic_load(&ran), 10); /* all saw the cancel */
    assert_int_equal(atomic_load(&thread_failures), 0);
    assert_int_equal(goc_ctx_err(ctx), GOC_ECANCELED);
    assert_int_equal(goc_ctx_cause(ctx), -100); /* the task's result */
    goc_group_free(g);

    /* Without a context the first error still wins. */
    g = make_group(NULL, NULL);
    assert_int_equal(goc_group_go(g, fail_task, (void *)(intptr_t)7), 0);
    assert_int_equal(goc_group_wait(g), 7);
    goc_group_free(g);
}

static void
test_limit_reached_exactly(void **state)
{
    (void)state;
    enum { N = 20, LIMIT = 2 };
    struct gated s = {0};
    goc_group *g = make_group(NULL, NULL);

    assert_int_equal(goc_chan_make(&s.gate, 0, 0), 0);
    assert_int_equal(goc_group_set_limit(g, LIMIT), 0);

    /* The test thread cannot both start tasks (go blocks at the limit)
     * and feed the gate, so a goroutine starts them. */
    struct spawner sp = {g, &s, NULL};
    assert_int_equal(goc_chan_make(&sp.finished, 0, 1), 0);
    assert_int_equal(goc_go(spawn_all, &sp), 0);

    for (int left = N; left > 0; left--) {
        int expect = left < LIMIT ? left : LIMIT;

        /* The limit is reached (and not passed) before each token. */
        assert_true(poll_eq(&s.running, expect));
        assert_int_equal(goc_chan_send(s.gate, NULL), 0);
    }
    assert_int_equal(goc_chan_recv(sp.finished, NULL, NULL), 0);
    assert_int_equal(goc_group_wait(g), 0);
    assert_int_equal(atomic_load(&s.max), LIMIT);
    assert_int_equal(atomic_load(&thread_failures), 0);
    goc_group_free(g);
    goc_chan_free(sp.finished);
    goc_chan_free(s.gate);
}

static void
test_try_go_at_limit(void **state)
{
    (void)state;
    struct gated s = {0};
    goc_group *g = make_group(NULL, NULL);

    assert_int_equal(goc_chan_make(&s.gate, 0, 0), 0);
    assert_int_equal(goc_group_set_limit(g, 1), 0);
    assert_int_equal(goc_group_try_go(g, gated_task, &s), 0);
    assert_int_equal(goc_group_try_go(g, gated_task, &s), GOC_EAGAIN);
    assert_int_equal(goc_group_try_go(g, count_task, NULL), GOC_EAGAIN);
    assert_true(poll_eq(&s.running, 1));
    assert_int_equal(goc_chan_send(s.gate, NULL), 0);
    assert_int_equal(goc_group_wait(g), 0);
    /* A free slot again. */
    atomic_store(&ran, 0);
    assert_int_equal(goc_group_try_go(g, count_task, NULL), 0);
    assert_int_equal(goc_group_wait(g), 0);
    assert_int_equal(atomic_load(&ran), 1);
    /* Limit 0: nothing may start. */
    assert_int_equal(goc_group_set_limit(g, 0), 0);
    assert_int_equal(goc_group_try_go(g, count_task, NULL), GOC_EAGAIN);
    /* No limit. */
    assert_int_equal(goc_group_set_limit(g, -1), 0);
    for (int i = 0; i < 10; i++)
        assert_int_equal(goc_group_try_go(g, count_task, NULL), 0);
    assert_int_equal(goc_group_wait(g), 0);
    assert_int_equal(atomic_load(&ran), 11);
    goc_group_free(g);
    goc_chan_free(s.gate);
}

static void
test_set_limit_while_running(void **state)
{
    (void)state;
    struct gated s = {0};
    goc_group *g = make_group(NULL, NULL);

    assert_int_equal(goc_chan_make(&s.gate, 0, 0), 0);
    assert_int_equal(goc_group_go(g, gated_task, &s), 0);
    assert_int_equal(goc_group_set_limit(g, 3), GOC_EMISUSE);
    assert_int_equal(goc_chan_send(s.gate, NULL), 0);
    assert_int_equal(goc_group_wait(g), 0);
    assert_int_equal(goc_group_set_limit(g, 3), 0);
    goc_group_free(g);
    goc_chan_free(s.gate);
}

static void
test_parent_cancel(void **state)
{
    (void)state;
    goc_ctx *parent = NULL, *ctx = NULL;
    goc_group *g;

    assert_int_equal(goc_ctx_with_cancel(&parent, goc_ctx_background()), 0);
    g = make_group(parent, &ctx);
    atomic_store(&ran, 0);
    assert_int_equal(goc_group_go(g, wait_ctx_task, ctx), 0);
    goc_ctx_cancel(parent);
    /* The task saw the parent's cancel and failed: its error is the
     * group's. */
    assert_int_equal(goc_group_wait(g), -200);
    assert_int_equal(atomic_load(&ran), 1);
    assert_int_equal(goc_ctx_cause(ctx), GOC_ECANCELED);
    /* The group owns its context: freeing it here is ignored. */
    goc_ctx_free(ctx);
    assert_int_equal(goc_ctx_err(ctx), GOC_ECANCELED);
    goc_group_free(g);
    goc_ctx_free(parent);
}

static void
test_invalid_and_oom(void **state)
{
    (void)state;
    goc_group *g = NULL;
    goc_ctx *ctx = NULL;

    assert_int_equal(goc_group_make(NULL, NULL, NULL), GOC_EINVAL);
    g = make_group(NULL, NULL);
    assert_int_equal(goc_group_go(g, NULL, NULL), GOC_EINVAL);
    assert_int_equal(goc_group_go(NULL, count_task, NULL), GOC_EINVAL);
    assert_int_equal(goc_group_set_limit(NULL, 1), GOC_EINVAL);
    assert_int_equal(goc_group_wait(NULL), GOC_EINVAL);
    assert_int_equal(goc_group_wait(g), 0); /* the bad calls changed nothing */

    /* A task that cannot start: its error is returned and recorded. */
    atomic_store(&goc__alloc_fail_countdown, 1);
    assert_int_equal(goc_group_go(g, count_task, NULL), GOC_ENOMEM);
    atomic_store(&goc__alloc_fail_countdown, 0);
    assert_int_equal(goc_group_wait(g), GOC_ENOMEM);
    goc_group_free(g);

    /* The same with a context: it is cancelled with that cause. */
    g = make_group(NULL, &ctx);
    atomic_store(&goc__alloc_fail_countdown, 1);
    assert_int_equal(goc_group_try_go(g, count_task, NULL), GOC_ENOMEM);
    atomic_store(&goc__alloc_fail_countdown, 0);
    assert_int_equal(goc_ctx_cause(ctx), GOC_ENOMEM);
    assert_int_equal(goc_group_wait(g), GOC_ENOMEM);
    goc_group_free(g);

    /* make itself, failing at each allocation in turn. */
    bool made = false;
    for (long n = 1; n < 20 && !made; n++) {
        g = NULL;
        ctx = (goc_ctx *)1;
        atomic_store(&goc__alloc_fail_countdown, n);
        int r = goc_group_make(&g, NULL, &ctx);
        atomic_store(&goc__alloc_fail_countdown, 0);
        if (r == 0) {
            made = true;
            assert_non_null(ctx);
            goc_group_free(g);
        } else {
            assert_int_equal(r, GOC_ENOMEM);
            assert_null(g);
            assert_null(ctx);
        }
    }
    assert_true(made);
}

static void
test_free_without_wait(void **state)
{
    (void)state;
    struct gated s = {0};
    goc_group *g = make_group(NULL, NULL);

    /* The header asks for wait first; free waits anyway rather than pull
     * the group from under a running task. */
    assert_int_equal(goc_chan_make(&s.gate, 0, 1), 0);
    assert_int_equal(goc_group_go(g, gated_task, &s), 0);
    assert_int_equal(goc_chan_send(s.gate, NULL), 0); /* buffered */
    goc_group_free(g);
    assert_int_equal(atomic_load(&s.running), 0);
    goc_chan_free(s.gate);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wait_all_succeed),
        cmocka_unit_test(test_first_error_cancels),
        cmocka_unit_test(test_limit_reached_exactly),
        cmocka_unit_test(test_try_go_at_limit),
        cmocka_unit_test(test_set_limit_while_running),
        cmocka_unit_test(test_parent_cancel),
        cmocka_unit_test(test_invalid_and_oom),
        cmocka_unit_test(test_free_without_wait),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
