/*
 * test_once.c - goc_once_do (lib/once.c): one run however many callers
 * race, everyone gets fn's result (failures included) and only after fn
 * has finished, and a recursive call is refused instead of deadlocking.
 *
 * Racers are plain pthreads released together by a pthread barrier and
 * joined, so the test controls their start and end exactly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "goc.h"

#include <string.h>

#define RACERS 32

struct race {
    goc_once once;
    int value;                /* what fn returns */
    _Atomic int calls;        /* times fn ran */
    _Atomic int finished;     /* fn has returned */
    _Atomic int early;        /* callers that returned before fn finished */
    pthread_barrier_t start;
    int results[RACERS];
};

struct racer {
    struct race *race;
    int index;
};

static int
slow_init(void *p)
{
    struct race *r = p;

    atomic_fetch_add(&r->calls, 1);
    /* Linger so that the other racers find the once running and wait;
     * correctness never depends on it. */
    goc_sleep(20 * GOC_MILLISECOND);
    atomic_store(&r->finished, 1);
    return r->value;
}

static void *
race_once(void *p)
{
    struct racer *me = p;
    struct race *r = me->race;

    pthread_barrier_wait(&r->start);
    me->race->results[me->index] = goc_once_do(&r->once, slow_init, r);
    if (!atomic_load(&r->finished))
        atomic_fetch_add(&r->early, 1);
    return NULL;
}

static void
run_race(struct race *r)
{
    pthread_t threads[RACERS];
    struct racer racers[RACERS];

    assert_int_equal(pthread_barrier_init(&r->start, NULL, RACERS), 0);
    for (int i = 0; i < RACERS; i++) {
        racers[i] = (struct racer){.race = r, .index = i};
        assert_int_equal(
            pthread_create(&threads[i], NULL, race_once, &racers[i]), 0);
    }
    for (int i = 0; i < RACERS; i++)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    pthread_barrier_destroy(&r->start);
}

static void
test_race_runs_once(void **state)
{
    struct race r = {.once = GOC_ONCE_INIT, .value = 7};

    (void)state;
    run_race(&r);
    assert_int_equal(atomic_load(&r.calls), 1);
    assert_int_equal(atomic_load(&r.early), 0);
    for (int i = 0; i < RACERS; i++)
        assert_int_equal(r.results[i], 7);
    /* Later calls return the result without running fn. */
    assert_int_equal(goc_once_do(&r.once, slow_init, &r), 7);
    assert_int_equal(atomic_load(&r.calls), 1);
}

static void
test_race_failing_result(void **state)
{
    struct race r;

    (void)state;
    memset(&r, 0, sizeof r); /* a zero-filled once is new */
    r.value = -42;
    run_race(&r);
    assert_int_equal(atomic_load(&r.calls), 1);
    assert_int_equal(atomic_load(&r.early), 0);
    for (int i = 0; i < RACERS; i++)
        assert_int_equal(r.results[i], -42);
    assert_int_equal(goc_once_do(&r.once, slow_init, &r), -42);
    assert_int_equal(atomic_load(&r.calls), 1);
}

struct nest {
    goc_once outer, inner;
    int recursive_result;
    int inner_result;
};

static int
return_five(void *p)
{
    (void)p;
    return 5;
}

static int
call_self(void *p)
{
    struct nest *n = p;

    /* The same once from inside its own fn: refused. */
    n->recursive_result = goc_once_do(&n->outer, call_self, n);
    /* A different once from inside fn: fine. */
    n->inner_result = goc_once_do(&n->inner, return_five, NULL);
    return 3;
}

static void
test_recursive_call(void **state)
{
    struct nest n = {.outer = GOC_ONCE_INIT, .inner = GOC_ONCE_INIT};

    (void)state;
    assert_int_equal(goc_once_do(&n.outer, call_self, &n), 3);
    assert_int_equal(n.recursive_result, GOC_EMISUSE);
    assert_int_equal(n.inner_result, 5);
    assert_int_equal(goc_once_do(&n.outer, call_self, &n), 3);
    assert_int_equal(goc_once_do(&n.inner, return_five, NULL), 5);
}

static int
exit_thread(void *p)
{
    (void)p;
    pthread_exit(NULL);
}

static void *
run_exiting_once(void *p)
{
    goc_once_do(p, exit_thread, NULL);
    return (void *)1; /* never reached */
}

static void
test_fn_exits_thread(void **state)
{
    goc_once once = GOC_ONCE_INIT;
    pthread_t t;
    void *ret;

    (void)state;
    assert_int_equal(pthread_create(&t, NULL, run_exiting_once, &once), 0);
    assert_int_equal(pthread_join(t, &ret), 0);
    assert_null(ret);
    /* Treated as returned (as Go treats a panicking f): nobody hangs. */
    assert_int_equal(goc_once_do(&once, return_five, NULL), GOC_ECANCELED);
}

static void
test_invalid(void **state)
{
    goc_once once = GOC_ONCE_INIT;

    (void)state;
    assert_int_equal(goc_once_do(NULL, return_five, NULL), GOC_EINVAL);
    assert_int_equal(goc_once_do(&once, NULL, NULL), GOC_EINVAL);
    /* Nothing was consumed by the invalid call. */
    assert_int_equal(goc_once_do(&once, return_five, NULL), 5);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_race_runs_once),
        cmocka_unit_test(test_race_failing_result),
        cmocka_unit_test(test_recursive_call),
        cmocka_unit_test(test_fn_exits_thread),
        cmocka_unit_test(test_invalid),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
