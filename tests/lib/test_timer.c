/*
 * test_timer.c - the timer service (goc__timer_*), goc_timer_*, goc_after
 * and goc_ticker_*.
 *
 * "The service thread is gone" is observed by scanning /proc/self/task for
 * a thread named goc-timer, polled for up to 2 s: the thread exits on its
 * own once the heap is empty, a little after the last timer goes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "goc_impl.h"

#include <dirent.h>
#include <pthread.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "util.h"

#define MS GOC_MILLISECOND

#if defined(__SANITIZE_THREAD__)
#define TSAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TSAN_BUILD 1
#endif
#endif
#ifndef TSAN_BUILD
#define TSAN_BUILD 0
#endif

/* ---------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------- */

/* Threads of this process named goc-timer. */
static int
timer_threads(void)
{
    return threads_named("goc-timer");
}

/* Waits up to 2 s for the timer thread to go. */
static void
assert_no_timer_thread(void)
{
    assert_no_threads_named("goc-timer");
}

/* Polls *flag until it reaches want, for up to 5 s.  Callbacks that
 * publish data through a flag say so to Helgrind with GOC_HB_BEFORE
 * (goc_impl.h), as libgoc does at its own atomic hand-offs. */
static void
wait_for(_Atomic int *flag, int want)
{
    goc_time limit = goc_now() + 5 * GOC_SECOND;

    while (atomic_load(flag) < want && goc_now() < limit)
        goc_sleep(MS / 2);
    assert_true(atomic_load(flag) >= want);
    GOC_HB_AFTER(flag);
}

/* ---------------------------------------------------------------------
 * The service
 * ------------------------------------------------------------------- */

struct order {
    _Atomic int n;
    int ids[8];
};

struct order_arg {
    struct order *o;
    int id;
    goc_time when;
    goc_time ran_at;
};

static void
record_order(void *arg)
{
    struct order_arg *a = arg;

    a->ran_at = goc_now();
    /* Callbacks run one at a time on one thread: no race on ids. */
    a->o->ids[atomic_load(&a->o->n)] = a->id;
    GOC_HB_BEFORE(&a->o->n);
    atomic_fetch_add(&a->o->n, 1);
}

static void
test_service_deadline_order(void **state)
{
    (void)state;
    struct order o = {0};
    goc_time now = goc_now();
    struct order_arg a[3] = {
        {&o, 0, now + 60 * MS, 0},
        {&o, 1, now + 20 * MS, 0},
        {&o, 2, now + 40 * MS, 0},
    };
    goc__timer *t[3];

    for (int i = 0; i < 3; i++) {
        t[i] = goc__timer_start(a[i].when, record_order, &a[i]);
        assert_non_null(t[i]);
    }
    wait_for(&o.n, 3);
    assert_int_equal(o.ids[0], 1);
    assert_int_equal(o.ids[1], 2);
    assert_int_equal(o.ids[2], 0);
    for (int i = 0; i < 3; i++) {
        assert_true(a[i].ran_at >= a[i].when);
        assert_false(goc__timer_cancel(t[i])); /* it has run */
        goc__timer_release(t[i]);
    }
    assert_no_timer_thread();
}

static void
count_call(void *arg)
{
    GOC_HB_BEFORE((_Atomic int *)arg);
    atomic_fetch_add((_Atomic int *)arg, 1);
}

static void
test_service_cancel_before_firing(void **state)
{
    (void)state;
    _Atomic int calls = 0;

    goc__timer *t = goc__timer_start(goc_now() + 10 * GOC_SECOND,
                                     count_call, &calls);
    assert_non_null(t);
    assert_int_equal(timer_threads(), 1);
    assert_true(goc__timer_cancel(t)); /* and freed */
    /* The thread must not linger until the cancelled deadline. */
    assert_no_timer_thread();
    assert_int_equal(atomic_load(&calls), 0);
}

static void
test_service_cancel_soon_never_runs(void **state)
{
    (void)state;
    _Atomic int calls = 0;

    goc__timer *t = goc__timer_start(goc_now() + 100 * MS, count_call,
                                     &calls);
    assert_non_null(t);
    assert_true(goc__timer_cancel(t));
    goc_sleep(150 * MS); /* past the deadline: nothing may run */
    assert_int_equal(atomic_load(&calls), 0);
    assert_no_timer_thread();
}

static void
test_service_cancel_after_firing(void **state)
{
    (void)state;
    _Atomic int calls = 0;

    goc__timer *t = goc__timer_start(GOC_NOW, count_call, &calls);
    assert_non_null(t);
    wait_for(&calls, 1);
    assert_false(goc__timer_cancel(t));
    assert_false(goc__timer_cancel(t)); /* still false, still valid */
    goc__timer_release(t);
    assert_int_equal(atomic_load(&calls), 1);
    assert_no_timer_thread();
}

static void
test_service_release_after_firing(void **state)
{
    (void)state;
    _Atomic int calls = 0;

    goc__timer *t = goc__timer_start(GOC_NOW, count_call, &calls);
    assert_non_null(t);
    wait_for(&calls, 1);
    goc__timer_release(t); /* without cancel first */
    goc__timer_release(NULL);
    assert_false(goc__timer_cancel(NULL));
    assert_no_timer_thread();
}

/* A callback that holds the service until released, to test what happens
 * to a timer whose callback is running. */
struct slow {
    _Atomic int entered;
    _Atomic int go_on;
    _Atomic int finished;
    _Atomic(goc__timer *) self;
    _Atomic int self_cancel; /* result of cancelling itself, + 1 */
};

static void
slow_call(void *arg)
{
    struct slow *s = arg;
    goc_time limit = goc_now() + 5 * GOC_SECOND;

    GOC_HB_BEFORE(&s->entered);
    atomic_store(&s->entered, 1);
    while (!atomic_load(&s->go_on) && goc_now() < limit)
        goc_sleep(MS / 2);
    GOC_HB_BEFORE(&s->finished);
    atomic_store(&s->finished, 1);
}

struct canceller {
    goc__timer *t;
    struct slow *s;
    bool result;
    int finished_at_return;
    _Atomic int returned;
};

static void *
cancel_thread(void *arg)
{
    struct canceller *c = arg;

    c->result = goc__timer_cancel(c->t);
    c->finished_at_return = atomic_load(&c->s->finished);
    atomic_store(&c->returned, 1);
    return NULL;
}

static void
test_service_cancel_waits_for_running_callback(void **state)
{
    (void)state;
    struct slow s = {0};
    pthread_t th;

    goc__timer *t = goc__timer_start(GOC_NOW, slow_call, &s);
    assert_non_null(t);
    wait_for(&s.entered, 1);

    struct canceller c = {.t = t, .s = &s};
    assert_int_equal(pthread_create(&th, NULL, cancel_thread, &c), 0);
    goc_sleep(20 * MS);
    /* The callback is held, so the cancel cannot have returned. */
    assert_int_equal(atomic_load(&c.returned), 0);
    atomic_store(&s.go_on, 1);
    pthread_join(th, NULL);
    assert_false(c.result);
    assert_int_equal(c.finished_at_return, 1);
    goc__timer_release(t);
    assert_no_timer_thread();
}

static void
test_service_release_while_running(void **state)
{
    (void)state;
    struct slow s = {0};

    goc__timer *t = goc__timer_start(GOC_NOW, slow_call, &s);
    assert_non_null(t);
    wait_for(&s.entered, 1);
    goc__timer_release(t); /* returns at once; the service frees it */
    assert_int_equal(atomic_load(&s.finished), 0);
    atomic_store(&s.go_on, 1);
    wait_for(&s.finished, 1);
    assert_no_timer_thread(); /* ASan: no leak, no use after free */
}

static void
self_cancel_call(void *arg)
{
    struct slow *s = arg;
    goc_time limit = goc_now() + 5 * GOC_SECOND;
    goc__timer *t;

    while ((t = atomic_load(&s->self)) == NULL && goc_now() < limit)
        goc_sleep(MS / 2);
    /* Must not wait for itself (that would deadlock the service). */
    atomic_store(&s->self_cancel, goc__timer_cancel(t) ? 2 : 1);
    GOC_HB_BEFORE(&s->finished);
    atomic_store(&s->finished, 1);
}

static void
test_service_cancel_from_own_callback(void **state)
{
    (void)state;
    struct slow s = {0};

    goc__timer *t = goc__timer_start(GOC_NOW, self_cancel_call, &s);
    assert_non_null(t);
    atomic_store(&s.self, t);
    wait_for(&s.finished, 1);
    assert_int_equal(atomic_load(&s.self_cancel), 1); /* false */
    goc__timer_release(t);
    assert_no_timer_thread();
}

/* Callback that releases its own timer (as an owner might). */
static void
self_release_call(void *arg)
{
    struct slow *s = arg;
    goc_time limit = goc_now() + 5 * GOC_SECOND;
    goc__timer *t;

    while ((t = atomic_load(&s->self)) == NULL && goc_now() < limit)
        goc_sleep(MS / 2);
    goc__timer_release(t);
    GOC_HB_BEFORE(&s->finished);
    atomic_store(&s->finished, 1);
}

static void
test_service_release_from_own_callback(void **state)
{
    (void)state;
    struct slow s = {0};

    goc__timer *t = goc__timer_start(GOC_NOW, self_release_call, &s);
    assert_non_null(t);
    atomic_store(&s.self, t);
    wait_for(&s.finished, 1);
    assert_no_timer_thread();
}

/* A callback that starts another timer: the service must accept new
 * timers from its own thread. */
struct chain {
    _Atomic int calls;
    goc__timer *second;
};

static void
chain_call(void *arg)
{
    struct chain *c = arg;

    GOC_HB_BEFORE(&c->calls);
    if (atomic_fetch_add(&c->calls, 1) == 0)
        c->second = goc__timer_start(goc_now() + 5 * MS, chain_call, c);
}

static void
test_service_start_from_callback(void **state)
{
    (void)state;
    struct chain c = {0};

    goc__timer *t = goc__timer_start(GOC_NOW, chain_call, &c);
    assert_non_null(t);
    wait_for(&c.calls, 2);
    assert_non_null(c.second);
    goc__timer_release(t);
    goc__timer_release(c.second);
    assert_no_timer_thread();
}

#define MANY 1000

struct many {
    _Atomic int calls;
    goc_time last_when; /* only touched by callbacks (one thread) */
    _Atomic int out_of_order;
    _Atomic int early;
};

struct many_arg {
    struct many *m;
    goc_time when;
};

static void
many_call(void *arg)
{
    struct many_arg *a = arg;

    if (a->when < a->m->last_when)
        atomic_fetch_add(&a->m->out_of_order, 1);
    if (goc_now() < a->when)
        atomic_fetch_add(&a->m->early, 1);
    a->m->last_when = a->when;
    GOC_HB_BEFORE(&a->m->calls);
    atomic_fetch_add(&a->m->calls, 1);
}

static void
test_service_many_timers(void **state)
{
    (void)state;
    static struct many_arg args[MANY];
    static goc__timer *t[MANY];
    struct many m = {0};
    goc_time base = goc_now() + 500 * MS; /* time to cancel first */
    int cancelled = 0;

    /* Scrambled deadlines over 100 ms, some equal. */
    for (int i = 0; i < MANY; i++) {
        args[i].m = &m;
        args[i].when = base + (goc_time)((i * 7919) % 500) * 200 * 1000;
        t[i] = goc__timer_start(args[i].when, many_call, &args[i]);
        assert_non_null(t[i]);
    }
    /* Cancel every third one, well before they are due. */
    for (int i = 0; i < MANY; i += 3) {
        if (goc__timer_cancel(t[i])) {
            t[i] = NULL;
            cancelled++;
        }
    }
    assert_int_equal(cancelled, (MANY + 2) / 3);
    wait_for(&m.calls, MANY - cancelled);
    goc_sleep(10 * MS);
    assert_int_equal(atomic_load(&m.calls), MANY - cancelled);
    assert_int_equal(atomic_load(&m.out_of_order), 0);
    assert_int_equal(atomic_load(&m.early), 0);
    for (int i = 0; i < MANY; i++)
        goc__timer_release(t[i]);
    assert_no_timer_thread();
}

/* Concurrent starts and cancels from several threads. */
static _Atomic int churn_failures;

static void *
churn_thread(void *arg)
{
    _Atomic int *calls = arg;

    /* No cmocka asserts off the main thread: count failures instead. */
    for (int i = 0; i < 300; i++) {
        goc__timer *t = goc__timer_start(goc_now() + (i % 3) * 100 * 1000,
                                         count_call, calls);
        if (t == NULL) {
            atomic_fetch_add(&churn_failures, 1);
            continue;
        }
        if (i % 2)
            goc_sleep(100 * 1000);
        if (!goc__timer_cancel(t))
            goc__timer_release(t);
    }
    return NULL;
}

static void
test_service_concurrent_churn(void **state)
{
    (void)state;
    _Atomic int calls = 0;
    pthread_t th[4];

    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, churn_thread, &calls),
                         0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(atomic_load(&churn_failures), 0);
    assert_no_timer_thread();
}

/* The thread exits when idle and a later timer starts a new one. */
static void
test_service_restarts_after_exit(void **state)
{
    (void)state;
    for (int round = 0; round < 3; round++) {
        _Atomic int calls = 0;
        goc__timer *t = goc__timer_start(goc_now() + MS, count_call, &calls);
        assert_non_null(t);
        wait_for(&calls, 1);
        goc__timer_release(t);
        assert_no_timer_thread();
    }
}

/* A pending timer inherited by a forked child fires in the child too, and
 * the child can start timers of its own. */
static void
test_service_fork(void **state)
{
    (void)state;
    _Atomic int calls = 0;

    if (TSAN_BUILD)
        skip(); /* TSan cannot start threads after a multi-threaded fork */
    goc__timer *t = goc__timer_start(goc_now() + 50 * MS, count_call, &calls);
    assert_non_null(t);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        _Atomic int more = 0;
        goc_time limit = goc_now() + 2 * GOC_SECOND;
        goc__timer *t2 = goc__timer_start(goc_now() + MS, count_call, &more);
        while ((atomic_load(&calls) == 0 || atomic_load(&more) == 0) &&
               goc_now() < limit)
            goc_sleep(MS);
        _exit(t2 != NULL && atomic_load(&calls) == 1 &&
                      atomic_load(&more) == 1
                  ? 0
                  : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    wait_for(&calls, 1);
    goc__timer_release(t);
    assert_no_timer_thread();
}

static void
test_service_oom(void **state)
{
    (void)state;
    _Atomic int calls = 0;

    atomic_store(&goc__alloc_fail_countdown, 1);
    assert_null(goc__timer_start(goc_now() + GOC_SECOND, count_call, &calls));
    atomic_store(&goc__alloc_fail_countdown, 0);
    assert_no_timer_thread();
    /* An empty heap's array is the second allocation. */
    atomic_store(&goc__alloc_fail_countdown, 2);
    assert_null(goc__timer_start(goc_now() + GOC_SECOND, count_call, &calls));
    atomic_store(&goc__alloc_fail_countdown, 0);
    assert_no_timer_thread();
    assert_int_equal(atomic_load(&calls), 0);
}

/* ---------------------------------------------------------------------
 * goc_timer
 * ------------------------------------------------------------------- */

static void
test_timer_fires_after_d(void **state)
{
    (void)state;
    goc_timer *t;
    goc_time v = 0, start = goc_now();

    assert_int_equal(goc_timer_make(&t, 50 * MS), 0);
    goc_chan *ch = goc_timer_chan(t);
    assert_non_null(ch);
    assert_int_equal(goc_chan_cap(ch), 1);
    assert_int_equal(goc_chan_recv_until(ch, &v, NULL,
                                         goc_now() + 5 * GOC_SECOND), 0);
    goc_time elapsed = goc_now() - start;
    assert_true(elapsed >= 50 * MS);
    assert_true(elapsed < 2 * GOC_SECOND);
    assert_true(v >= start + 50 * MS);
    assert_false(goc_timer_stop(t)); /* fired */
    goc_timer_free(t);
    assert_no_timer_thread();
}

static void
test_timer_stop_prevents_firing(void **state)
{
    (void)state;
    goc_timer *t;

    assert_int_equal(goc_timer_make(&t, 100 * MS), 0);
    goc_time start = goc_now();
    assert_true(goc_timer_stop(t));
    assert_false(goc_timer_stop(t)); /* already stopped */
    assert_no_timer_thread();
    assert_int_equal(goc_chan_recv_until(goc_timer_chan(t), NULL, NULL,
                                         start + 200 * MS),
                     GOC_ETIMEDOUT);
    goc_timer_free(t);
}

static void
test_timer_reset_rearms(void **state)
{
    (void)state;
    goc_timer *t;
    goc_time v;

    /* Reset of a pending timer. */
    assert_int_equal(goc_timer_make(&t, 10 * GOC_SECOND), 0);
    goc_time start = goc_now();
    assert_true(goc_timer_reset(t, 20 * MS));
    assert_int_equal(goc_chan_recv_until(goc_timer_chan(t), &v, NULL,
                                         goc_now() + 5 * GOC_SECOND), 0);
    assert_true(v >= start + 20 * MS);
    assert_true(goc_now() - start < 2 * GOC_SECOND);

    /* Reset of a fired timer whose value nobody received: the stale value
     * is drained, and the new one comes after the new duration. */
    assert_false(goc_timer_reset(t, 0));
    goc_time limit = goc_now() + 5 * GOC_SECOND;
    while (goc_chan_len(goc_timer_chan(t)) == 0 && goc_now() < limit)
        goc_sleep(MS / 2);
    assert_int_equal(goc_chan_len(goc_timer_chan(t)), 1);
    start = goc_now();
    assert_false(goc_timer_reset(t, 30 * MS));
    assert_int_equal(goc_chan_len(goc_timer_chan(t)), 0);
    assert_int_equal(goc_chan_recv_until(goc_timer_chan(t), &v, NULL,
                                         goc_now() + 5 * GOC_SECOND), 0);
    assert_true(v >= start + 30 * MS);

    /* Reset of a stopped timer. */
    assert_false(goc_timer_stop(t));
    assert_false(goc_timer_reset(t, MS));
    assert_int_equal(goc_chan_recv_until(goc_timer_chan(t), &v, NULL,
                                         goc_now() + 5 * GOC_SECOND), 0);
    goc_timer_free(t);
    assert_no_timer_thread();
}

static void
test_timer_free_pending(void **state)
{
    (void)state;
    goc_timer *t;

    assert_int_equal(goc_timer_make(&t, 10 * GOC_SECOND), 0);
    goc_timer_free(t);
    goc_timer_free(NULL);
    assert_no_timer_thread();
}

static void
test_timer_args(void **state)
{
    (void)state;
    assert_int_equal(goc_timer_make(NULL, MS), GOC_EINVAL);
    assert_null(goc_timer_chan(NULL));
    assert_false(goc_timer_stop(NULL));
    assert_false(goc_timer_reset(NULL, MS));
}

static void
test_timer_oom(void **state)
{
    (void)state;
    int r = GOC_ENOMEM;

    /* Fail each allocation in turn until make succeeds: nothing leaks. */
    for (long n = 1; r == GOC_ENOMEM; n++) {
        goc_timer *t = NULL;
        atomic_store(&goc__alloc_fail_countdown, n);
        r = goc_timer_make(&t, 10 * GOC_SECOND);
        atomic_store(&goc__alloc_fail_countdown, 0);
        if (r == 0)
            goc_timer_free(t);
        assert_true(r == 0 || r == GOC_ENOMEM);
        assert_true(n < 100);
    }
    assert_no_timer_thread();
}

/* ---------------------------------------------------------------------
 * goc_after
 * ------------------------------------------------------------------- */

static void
test_after_delivers(void **state)
{
    (void)state;
    goc_chan *ch;
    goc_time v = 0, start = goc_now();

    assert_int_equal(goc_after(&ch, 30 * MS), 0);
    assert_int_equal(goc_chan_cap(ch), 1);
    assert_int_equal(goc_chan_recv_until(ch, &v, NULL,
                                         goc_now() + 5 * GOC_SECOND), 0);
    assert_true(v >= start + 30 * MS);
    assert_true(goc_now() - start < 2 * GOC_SECOND);
    /* Only once. */
    assert_int_equal(goc_chan_recv_until(ch, NULL, NULL, goc_now() + 50 * MS),
                     GOC_ETIMEDOUT);
    goc_chan_free(ch);
    assert_no_timer_thread();
}

static void
test_after_in_select(void **state)
{
    (void)state;
    goc_chan *never, *timeout;
    goc_time v;

    assert_int_equal(goc_chan_make(&never, sizeof(int), 0), 0);
    assert_int_equal(goc_after(&timeout, 20 * MS), 0);
    goc_case cases[2] = {GOC_RECV(never, NULL), GOC_RECV(timeout, &v)};
    assert_int_equal(goc_select(cases, 2, goc_now() + 5 * GOC_SECOND), 1);
    goc_chan_free(timeout);
    goc_chan_free(never);
    assert_no_timer_thread();
}

static void
test_after_freed_early(void **state)
{
    (void)state;
    goc_chan *ch;

    assert_int_equal(goc_after(&ch, 10 * GOC_SECOND), 0);
    assert_int_equal(timer_threads(), 1);
    goc_chan_free(ch); /* cancels the timer, frees everything (ASan) */
    assert_no_timer_thread();
}

static void
test_after_freed_unreceived(void **state)
{
    (void)state;
    goc_chan *ch;

    assert_int_equal(goc_after(&ch, 0), 0);
    goc_time limit = goc_now() + 5 * GOC_SECOND;
    while (goc_chan_len(ch) == 0 && goc_now() < limit)
        goc_sleep(MS / 2);
    assert_int_equal(goc_chan_len(ch), 1);
    goc_chan_free(ch);
    assert_no_timer_thread();
}

/* Frees racing with the firing callback (TSan and ASan watch). */
static void
test_after_free_races_fire(void **state)
{
    (void)state;
    for (int i = 0; i < 300; i++) {
        goc_chan *ch;
        assert_int_equal(goc_after(&ch, (i % 5) * 20 * GOC_MICROSECOND), 0);
        if (i % 3 == 0)
            goc_sleep((i % 7) * 10 * GOC_MICROSECOND);
        goc_chan_free(ch);
    }
    assert_no_timer_thread();
}

static void
test_after_oom(void **state)
{
    (void)state;
    int r = GOC_ENOMEM;

    assert_int_equal(goc_after(NULL, MS), GOC_EINVAL);
    for (long n = 1; r == GOC_ENOMEM; n++) {
        goc_chan *ch = NULL;
        atomic_store(&goc__alloc_fail_countdown, n);
        r = goc_after(&ch, 10 * GOC_SECOND);
        atomic_store(&goc__alloc_fail_countdown, 0);
        if (r == 0)
            goc_chan_free(ch);
        assert_true(r == 0 || r == GOC_ENOMEM);
        assert_true(n < 100);
    }
    assert_no_timer_thread();
}

/* ---------------------------------------------------------------------
 * Tickers
 * ------------------------------------------------------------------- */

static void
test_ticker_ticks(void **state)
{
    (void)state;
    goc_ticker *tk;
    goc_time prev, v, start = goc_now();

    assert_int_equal(goc_ticker_make(&tk, 20 * MS), 0);
    goc_chan *ch = goc_ticker_chan(tk);
    assert_non_null(ch);
    prev = start;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(goc_chan_recv_until(ch, &v, NULL,
                                             goc_now() + 5 * GOC_SECOND), 0);
        assert_true(v > prev);
        prev = v;
    }
    goc_time elapsed = goc_now() - start;
    assert_true(elapsed >= 100 * MS); /* five periods */
    assert_true(elapsed < 3 * GOC_SECOND);
    goc_ticker_free(tk);
    assert_no_timer_thread();
}

static void
test_ticker_stop(void **state)
{
    (void)state;
    goc_ticker *tk;

    assert_int_equal(goc_ticker_make(&tk, 10 * MS), 0);
    goc_chan *ch = goc_ticker_chan(tk);
    assert_int_equal(goc_chan_recv_until(ch, NULL, NULL,
                                         goc_now() + 5 * GOC_SECOND), 0);
    goc_ticker_stop(tk);
    assert_no_timer_thread();
    goc_chan_try_recv(ch, NULL, NULL); /* a tick from before the stop */
    assert_int_equal(goc_chan_recv_until(ch, NULL, NULL, goc_now() + 80 * MS),
                     GOC_ETIMEDOUT);
    goc_ticker_stop(tk); /* again: no-op */

    /* Reset restarts a stopped ticker. */
    assert_int_equal(goc_ticker_reset(tk, 5 * MS), 0);
    assert_int_equal(goc_chan_recv_until(ch, NULL, NULL,
                                         goc_now() + 5 * GOC_SECOND), 0);
    goc_ticker_free(tk);
    assert_no_timer_thread();
}

static void
test_ticker_drops_ticks(void **state)
{
    (void)state;
    goc_ticker *tk;
    goc_chan *after;

    assert_int_equal(goc_ticker_make(&tk, MS), 0);
    goc_chan *ch = goc_ticker_chan(tk);
    goc_time limit = goc_now() + 5 * GOC_SECOND;
    while (goc_chan_len(ch) == 0 && goc_now() < limit)
        goc_sleep(MS / 2);
    goc_sleep(20 * MS); /* ~20 more ticks, into a full buffer of 1 */
    assert_int_equal(goc_chan_len(ch), 1);
    /* The full channel does not hold up the service... */
    assert_int_equal(goc_after(&after, MS), 0);
    assert_int_equal(goc_chan_recv_until(after, NULL, NULL,
                                         goc_now() + 5 * GOC_SECOND), 0);
    goc_chan_free(after);
    /* ...nor the ticker, once there is room again. */
    assert_int_equal(goc_chan_try_recv(ch, NULL, NULL), 0);
    assert_int_equal(goc_chan_recv_until(ch, NULL, NULL,
                                         goc_now() + 5 * GOC_SECOND), 0);
    goc_ticker_free(tk);
    assert_no_timer_thread();
}

static void
test_ticker_reset_period(void **state)
{
    (void)state;
    goc_ticker *tk;
    goc_time a, b;

    assert_int_equal(goc_ticker_make(&tk, 10 * GOC_SECOND), 0);
    goc_time start = goc_now();
    assert_int_equal(goc_ticker_reset(tk, 15 * MS), 0);
    goc_chan *ch = goc_ticker_chan(tk);
    assert_int_equal(goc_chan_recv_until(ch, &a, NULL,
                                         goc_now() + 5 * GOC_SECOND), 0);
    assert_int_equal(goc_chan_recv_until(ch, &b, NULL,
                                         goc_now() + 5 * GOC_SECOND), 0);
    assert_true(a >= start + 15 * MS);
    assert_true(b >= start + 30 * MS);
    assert_true(goc_now() - start < 3 * GOC_SECOND);
    goc_ticker_free(tk);
    assert_no_timer_thread();
}

static void
test_ticker_args(void **state)
{
    (void)state;
    goc_ticker *tk;

    assert_int_equal(goc_ticker_make(&tk, 0), GOC_EINVAL);
    assert_int_equal(goc_ticker_make(&tk, -1), GOC_EINVAL);
    assert_int_equal(goc_ticker_make(NULL, MS), GOC_EINVAL);
    assert_int_equal(goc_ticker_make(&tk, 10 * GOC_SECOND), 0);
    assert_int_equal(goc_ticker_reset(tk, 0), GOC_EINVAL);
    assert_int_equal(goc_ticker_reset(NULL, MS), GOC_EINVAL);
    assert_null(goc_ticker_chan(NULL));
    goc_ticker_stop(NULL);
    goc_ticker_free(NULL);
    goc_ticker_free(tk);
    assert_no_timer_thread();
}

static void
test_ticker_oom(void **state)
{
    (void)state;
    int r = GOC_ENOMEM;

    for (long n = 1; r == GOC_ENOMEM; n++) {
        goc_ticker *tk = NULL;
        atomic_store(&goc__alloc_fail_countdown, n);
        r = goc_ticker_make(&tk, 10 * GOC_SECOND);
        atomic_store(&goc__alloc_fail_countdown, 0);
        if (r == 0)
            goc_ticker_free(tk);
        assert_true(r == 0 || r == GOC_ENOMEM);
        assert_true(n < 100);
    }
    assert_no_timer_thread();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_service_deadline_order),
        cmocka_unit_test(test_service_cancel_before_firing),
        cmocka_unit_test(test_service_cancel_soon_never_runs),
        cmocka_unit_test(test_service_cancel_after_firing),
        cmocka_unit_test(test_service_release_after_firing),
        cmocka_unit_test(test_service_cancel_waits_for_running_callback),
        cmocka_unit_test(test_service_release_while_running),
        cmocka_unit_test(test_service_cancel_from_own_callback),
        cmocka_unit_test(test_service_release_from_own_callback),
        cmocka_unit_test(test_service_start_from_callback),
        cmocka_unit_test(test_service_many_timers),
        cmocka_unit_test(test_service_concurrent_churn),
        cmocka_unit_test(test_service_restarts_after_exit),
        cmocka_unit_test(test_service_fork),
        cmocka_unit_test(test_service_oom),
        cmocka_unit_test(test_timer_fires_after_d),
        cmocka_unit_test(test_timer_stop_prevents_firing),
        cmocka_unit_test(test_timer_reset_rearms),
        cmocka_unit_test(test_timer_free_pending),
        cmocka_unit_test(test_timer_args),
        cmocka_unit_test(test_timer_oom),
        cmocka_unit_test(test_after_delivers),
        cmocka_unit_test(test_after_in_select),
        cmocka_unit_test(test_after_freed_early),
        cmocka_unit_test(test_after_freed_unreceived),
        cmocka_unit_test(test_after_free_races_fire),
        cmocka_unit_test(test_after_oom),
        cmocka_unit_test(test_ticker_ticks),
        cmocka_unit_test(test_ticker_stop),
        cmocka_unit_test(test_ticker_drops_ticks),
        cmocka_unit_test(test_ticker_reset_period),
        cmocka_unit_test(test_ticker_args),
        cmocka_unit_test(test_ticker_oom),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
