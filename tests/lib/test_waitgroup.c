/*
 * test_waitgroup.c - goc_waitgroup (lib/waitgroup.c): wait after N dones,
 * immediate wait at zero, negative counters refused, many waiters, wg_go,
 * reuse across generations, and freeing the WaitGroup as soon as Wait
 * returns (a smoke test: a late access by the last Done would show under
 * AddressSanitizer, but only if the timing hit a window of nanoseconds).
 *
 * "The waiters are blocked" is observed through wg.waiters, which a Wait
 * increments before it sleeps; a bounded poll waits for it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "goc_impl.h"

#include <string.h>

/* ---------------------------------------------------------------- helpers */

static bool
wait_u32(_Atomic uint32_t *v, uint32_t want, goc_duration limit)
{
    goc_time deadline = goc_deadline_after(limit);

    while (atomic_load(v) != want) {
        if (goc_now() >= deadline)
            return false;
        goc_sleep(100 * GOC_MICROSECOND);
    }
    return true;
}

static bool
wait_goroutines_gone(goc_duration limit)
{
    goc_time deadline = goc_deadline_after(limit);

    while (goc_count() != 0) {
        if (goc_now() >= deadline)
            return false;
        goc_sleep(100 * GOC_MICROSECOND);
    }
    return true;
}

static int
teardown(void **state)
{
    (void)state;
    return wait_goroutines_gone(10 * GOC_SECOND) ? 0 : -1;
}

/* ---------------------------------------------------------------- tests */

#define WORKERS 16

struct work {
    goc_waitgroup *wg;
    _Atomic int done[WORKERS];
    _Atomic int next;
    _Atomic int bad_done; /* Done calls that failed (asserted on main) */
};

/* Marks its slot, then calls Done itself (the classic Go pattern). */
static void
work_then_done(void *p)
{
    struct work *w = p;
    int i = atomic_fetch_add(&w->next, 1);

    goc_sleep((goc_duration)(i % 4) * GOC_MILLISECOND);
    atomic_store(&w->done[i], 1);
    if (goc_wg_done(w->wg) != 0)
        atomic_fetch_add(&w->bad_done, 1);
}

static void
test_wait_after_n_dones(void **state)
{
    goc_waitgroup wg = GOC_WAITGROUP_INIT;
    struct work w = {.wg = &wg};

    (void)state;
    assert_int_equal(goc_wg_add(&wg, WORKERS), 0);
    for (int i = 0; i < WORKERS; i++)
        assert_int_equal(goc_go(work_then_done, &w), 0);
    goc_wg_wait(&wg);
    for (int i = 0; i < WORKERS; i++)
        assert_int_equal(atomic_load(&w.done[i]), 1);
    assert_int_equal(atomic_load(&w.bad_done), 0);
    assert_int_equal(atomic_load(&wg.count), 0);
}

static void
test_wait_at_zero(void **state)
{
    goc_waitgroup a = GOC_WAITGROUP_INIT, b;

    (void)state;
    memset(&b, 0, sizeof b); /* zero-filled is ready */
    goc_wg_wait(&a);
    goc_wg_wait(&b);
    assert_int_equal(goc_wg_add(&a, 0), 0); /* add(0) changes nothing */
    goc_wg_wait(&a);
    assert_int_equal(atomic_load(&a.waiters), 0);
    goc_wg_wait(NULL); /* ignored */
}

static void
test_negative(void **state)
{
    goc_waitgroup wg = GOC_WAITGROUP_INIT;

    (void)state;
    assert_int_equal(goc_wg_done(&wg), GOC_EMISUSE);
    assert_int_equal(atomic_load(&wg.count), 0);
    assert_int_equal(goc_wg_add(&wg, 2), 0);
    assert_int_equal(goc_wg_add(&wg, -3), GOC_EMISUSE);
    assert_int_equal(atomic_load(&wg.count), 2);
    assert_int_equal(goc_wg_add(&wg, INT64_MIN), GOC_EMISUSE);
    assert_int_equal(atomic_load(&wg.count), 2);
    /* Overflow is refused too. */
    assert_int_equal(goc_wg_add(&wg, INT64_MAX), GOC_EINVAL);
    assert_int_equal(atomic_load(&wg.count), 2);
    assert_int_equal(goc_wg_add(&wg, -2), 0);
    assert_int_equal(atomic_load(&wg.count), 0);
    goc_wg_wait(&wg);
    assert_int_equal(goc_wg_add(NULL, 1), GOC_EINVAL);
    assert_int_equal(goc_wg_done(NULL), GOC_EINVAL);
}

#define WAITERS 4

struct waiters {
    goc_waitgroup wg;       /* the one being waited on */
    goc_waitgroup finished; /* the waiters themselves */
    _Atomic int released;
};

static void
wait_on_it(void *p)
{
    struct waiters *w = p;

    goc_wg_wait(&w->wg);
    atomic_fetch_add(&w->released, 1);
}

static void
test_many_waiters(void **state)
{
    struct waiters w = {.wg = GOC_WAITGROUP_INIT,
                        .finished = GOC_WAITGROUP_INIT};

    (void)state;
    assert_int_equal(goc_wg_add(&w.wg, 1), 0);
    for (int i = 0; i < WAITERS; i++)
        assert_int_equal(goc_wg_go(&w.finished, wait_on_it, &w), 0);
    /* All four registered and, with the counter at 1, none can leave. */
    assert_true(wait_u32(&w.wg.waiters, WAITERS, 5 * GOC_SECOND));
    assert_int_equal(atomic_load(&w.released), 0);
    uint32_t seq = atomic_load(&w.wg.seq);
    assert_int_equal(goc_wg_done(&w.wg), 0);
    assert_int_equal(atomic_load(&w.wg.seq), seq + 1);
    goc_wg_wait(&w.finished);
    assert_int_equal(atomic_load(&w.released), WAITERS);
    assert_int_equal(atomic_load(&w.wg.waiters), 0);
}

static void
mark(void *p)
{
    atomic_store((_Atomic int *)p, 1);
}

static void
test_wg_go(void **state)
{
    goc_waitgroup wg = GOC_WAITGROUP_INIT;
    _Atomic int flags[WORKERS] = {0};

    (void)state;
    for (int i = 0; i < WORKERS; i++)
        assert_int_equal(goc_wg_go(&wg, mark, (void *)&flags[i]), 0);
    goc_wg_wait(&wg);
    for (int i = 0; i < WORKERS; i++)
        assert_int_equal(atomic_load(&flags[i]), 1);
    /* wg_go calls Done after the goroutine has left goc_count(). */
    assert_int_equal(goc_count(), 0);
}

static void
test_wg_go_errors(void **state)
{
    goc_waitgroup wg = GOC_WAITGROUP_INIT;
    _Atomic int ran = 0;

    (void)state;
    assert_int_equal(goc_wg_go(NULL, mark, (void *)&ran), GOC_EINVAL);
    assert_int_equal(goc_wg_go(&wg, NULL, NULL), GOC_EINVAL);
    assert_int_equal(atomic_load(&wg.count), 0);

    atomic_store(&goc__alloc_fail_countdown, 1);
    assert_int_equal(goc_wg_go(&wg, mark, (void *)&ran), GOC_ENOMEM);
    assert_int_equal(atomic_load(&wg.count), 0); /* the add was undone */
    assert_int_equal(goc_count(), 0);
    goc_wg_wait(&wg);
    assert_int_equal(atomic_load(&ran), 0);
}

struct slot {
    goc_waitgroup *wg;
    _Atomic int flag;
};

static void
mark_done(void *p)
{
    struct slot *sl = p;

    atomic_store(&sl->flag, 1);
    goc_wg_done(sl->wg);
}

static void
test_reuse_generations(void **state)
{
    goc_waitgroup wg = GOC_WAITGROUP_INIT;
    struct slot slots[WORKERS];
    uint32_t seq0 = atomic_load(&wg.seq);

    (void)state;
    for (int gen = 1; gen <= 50; gen++) {
        int n = gen % WORKERS + 1;

        /* Add first, so the counter reaches zero once per generation. */
        assert_int_equal(goc_wg_add(&wg, n), 0);
        for (int i = 0; i < n; i++) {
            slots[i].wg = &wg;
            atomic_init(&slots[i].flag, 0);
            assert_int_equal(goc_go(mark_done, &slots[i]), 0);
        }
        goc_wg_wait(&wg);
        for (int i = 0; i < n; i++)
            assert_int_equal(atomic_load(&slots[i].flag), 1);
        assert_int_equal(atomic_load(&wg.count), 0);
        assert_int_equal(atomic_load(&wg.seq), seq0 + (uint32_t)gen);
    }
}

/* The WaitGroup is freed as soon as Wait returns, with the last Done
 * racing that return; the Done must not touch it afterwards. */
static void
test_free_after_wait(void **state)
{
    _Atomic int sink = 0;

    (void)state;
    for (int i = 0; i < 300; i++) {
        goc_waitgroup *wg = malloc(sizeof *wg);

        assert_non_null(wg);
        memset(wg, 0, sizeof *wg);
        assert_int_equal(goc_wg_go(wg, mark, (void *)&sink), 0);
        /* Vary who comes first: Wait sleeping before the Done, Wait
         * arriving after it, or Wait watching the counter on the other
         * core so that it returns the instant the counter shows zero. */
        if (i % 3 == 1)
            goc_sleep(50 * GOC_MICROSECOND);
        else if (i % 3 == 2)
            while (atomic_load(&wg->count) != 0)
                ;
        goc_wg_wait(wg);
        free(wg);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_wait_after_n_dones, teardown),
        cmocka_unit_test_teardown(test_wait_at_zero, teardown),
        cmocka_unit_test_teardown(test_negative, teardown),
        cmocka_unit_test_teardown(test_many_waiters, teardown),
        cmocka_unit_test_teardown(test_wg_go, teardown),
        cmocka_unit_test_teardown(test_wg_go_errors, teardown),
        cmocka_unit_test_teardown(test_reuse_generations, teardown),
        cmocka_unit_test_teardown(test_free_after_wait, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
