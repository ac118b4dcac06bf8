/*
 * test_signal_ctx.c - tests for lib/signal_ctx.c: a signal cancels the
 * context and goc_ctx_signal names it; the previous dispositions come back
 * at free (a custom handler runs again); several signal contexts at once,
 * sharing signals; the parent's cancellation; bad arguments; the watcher
 * thread is gone once the last signal context is.
 *
 * The handlers installed here only count, so that a signal reaching the
 * wrong place shows up as a count instead of killing the test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "context_impl.h"
#include "util.h"

static atomic_int hits[NSIG];

static void
counting_handler(int signo)
{
    atomic_fetch_add(&hits[signo], 1);
}

/* Installs counting_handler for signo. */
static void
install_counter(int signo)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = counting_handler;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(signo, &sa, NULL), 0);
    atomic_store(&hits[signo], 0);
}

static bool
handler_is_counter(int signo)
{
    struct sigaction sa;

    assert_int_equal(sigaction(signo, NULL, &sa), 0);
    return sa.sa_handler == counting_handler;
}

static goc_ctx *
with_signals(goc_ctx *parent, const int *sigs, size_t n)
{
    goc_ctx *c = NULL;

    assert_int_equal(goc_ctx_with_signals(&c, parent, sigs, n), 0);
    assert_non_null(c);
    return c;
}

/* Threads of this process named like the watcher. */
static int
watcher_threads(void)
{
    return threads_named("goc-signal");
}

static int
wait_done(goc_ctx *c)
{
    return goc_ctx_wait(c, goc_deadline_after(5 * GOC_SECOND));
}

/* ------------------------------------------------------------ tests */

static void *
signal_soon(void *arg)
{
    (void)arg;
    goc_sleep(20 * GOC_MILLISECOND); /* either order must work */
    kill(getpid(), SIGUSR2);
    return NULL;
}

/* A wait without a deadline ends when the signal comes (under
 * ThreadSanitizer too, which delays signals: lib/futex.c). */
static void
test_wait_forever(void **state)
{
    (void)state;
    int sig = SIGUSR2;
    goc_ctx *c = with_signals(goc_ctx_background(), &sig, 1);
    pthread_t t;

    alarm(20); /* a regression fails the run instead of hanging it */
    assert_int_equal(pthread_create(&t, NULL, signal_soon, NULL), 0);
    assert_int_equal(goc_ctx_wait(c, GOC_FOREVER), GOC_ECANCELED);
    assert_int_equal(goc_ctx_signal(c), SIGUSR2);
    pthread_join(t, NULL);
    alarm(0);
    goc_ctx_free(c);
}

static void
test_raise_cancels(void **state)
{
    (void)state;
    int sigs[] = {SIGUSR1};

    install_counter(SIGUSR1);
    goc_ctx *c = with_signals(goc_ctx_background(), sigs, 1);
    assert_false(handler_is_counter(SIGUSR1));
    assert_int_equal(goc_ctx_err(c), 0);
    assert_int_equal(goc_ctx_signal(c), 0);
    assert_non_null(goc_ctx_done(c));

    assert_int_equal(raise(SIGUSR1), 0);
    assert_int_equal(wait_done(c), GOC_ECANCELED);
    assert_int_equal(goc_ctx_cause(c), GOC_ECANCELED);
    assert_int_equal(goc_ctx_signal(c), SIGUSR1);
    assert_int_equal(atomic_load(&hits[SIGUSR1]), 0); /* replaced */
    /* A second signal changes nothing. */
    assert_int_equal(raise(SIGUSR1), 0);
    assert_int_equal(goc_ctx_signal(c), SIGUSR1);
    goc_ctx_cancel(c);
    goc_ctx_free(c);

    /* The previous handler is back and runs again. */
    assert_true(handler_is_counter(SIGUSR1));
    assert_int_equal(raise(SIGUSR1), 0);
    assert_int_equal(atomic_load(&hits[SIGUSR1]), 1);
    assert_no_threads_named("goc-signal");
}

static void
test_kill_sigterm_with_sigint(void **state)
{
    (void)state;
    int sigs[] = {SIGINT, SIGTERM};

    install_counter(SIGINT);
    install_counter(SIGTERM);
    goc_ctx *c = with_signals(goc_ctx_background(), sigs, 2);
    assert_int_equal(watcher_threads(), 1);
    assert_int_equal(kill(getpid(), SIGTERM), 0);
    assert_int_equal(wait_done(c), GOC_ECANCELED);
    assert_int_equal(goc_ctx_signal(c), SIGTERM);
    goc_ctx_cancel(c);
    goc_ctx_free(c);
    assert_true(handler_is_counter(SIGINT));
    assert_true(handler_is_counter(SIGTERM));
    assert_int_equal(kill(getpid(), SIGINT), 0);
    assert_int_equal(raise(SIGTERM), 0);
    /* kill may be delivered to another thread; there is none left but
     * this one, so both handlers have run by now. */
    assert_int_equal(atomic_load(&hits[SIGINT]), 1);
    assert_int_equal(atomic_load(&hits[SIGTERM]), 1);
}

static void
test_several_contexts(void **state)
{
    (void)state;
    int s1[] = {SIGUSR1}, s12[] = {SIGUSR2, SIGUSR1}, s2[] = {SIGUSR2};

    install_counter(SIGUSR1);
    install_counter(SIGUSR2);
    goc_ctx *a = with_signals(goc_ctx_background(), s1, 1);
    goc_ctx *b = with_signals(goc_ctx_background(), s12, 2);
    goc_ctx *c = with_signals(goc_ctx_background(), s2, 1);
    assert_int_equal(watcher_threads(), 1); /* one serves them all */

    assert_int_equal(raise(SIGUSR2), 0);
    assert_int_equal(wait_done(b), GOC_ECANCELED);
    assert_int_equal(wait_done(c), GOC_ECANCELED);
    assert_int_equal(goc_ctx_signal(b), SIGUSR2);
    assert_int_equal(goc_ctx_signal(c), SIGUSR2);
    /* One pass cancelled b and c: a, listening elsewhere, is untouched. */
    assert_int_equal(goc_ctx_err(a), 0);

    /* Freeing b and c: SIGUSR2 goes back to the counter, SIGUSR1 stays
     * with a. */
    goc_ctx_free(b);
    goc_ctx_free(c);
    assert_true(handler_is_counter(SIGUSR2));
    assert_false(handler_is_counter(SIGUSR1));
    assert_int_equal(raise(SIGUSR2), 0);
    assert_int_equal(atomic_load(&hits[SIGUSR2]), 1);
    assert_int_equal(goc_ctx_err(a), 0);

    assert_int_equal(raise(SIGUSR1), 0);
    assert_int_equal(wait_done(a), GOC_ECANCELED);
    assert_int_equal(goc_ctx_signal(a), SIGUSR1);
    goc_ctx_free(a);
    assert_true(handler_is_counter(SIGUSR1));
    assert_int_equal(atomic_load(&hits[SIGUSR1]), 0);
    assert_no_threads_named("goc-signal");
}

static void
test_parent_and_free(void **state)
{
    (void)state;
    int sigs[] = {SIGUSR1};
    goc_ctx *p = NULL;

    install_counter(SIGUSR1);
    assert_int_equal(goc_ctx_with_cancel(&p, goc_ctx_background()), 0);
    goc_ctx *c = with_signals(p, sigs, 1);
    goc_ctx *child = NULL;
    assert_int_equal(goc_ctx_with_cancel(&child, c), 0);

    /* The parent's cancel reaches it and its children; no signal. */
    goc_ctx_cancel_cause(p, 12);
    assert_int_equal(goc_ctx_err(c), GOC_ECANCELED);
    assert_int_equal(goc_ctx_cause(c), 12);
    assert_int_equal(goc_ctx_cause(child), 12);
    assert_int_equal(goc_ctx_signal(c), 0);
    /* A signal after that is absorbed and does not rewrite it. */
    assert_int_equal(raise(SIGUSR1), 0);
    assert_int_equal(goc_ctx_signal(c), 0);
    assert_int_equal(atomic_load(&hits[SIGUSR1]), 0);
    goc_ctx_free(c); /* before its child and parent */
    goc_ctx_free(p);
    assert_int_equal(goc_ctx_err(child), GOC_ECANCELED);
    goc_ctx_free(child);
    assert_true(handler_is_counter(SIGUSR1));

    /* Freed without any signal: cancelled by free, handler restored. */
    c = with_signals(goc_ctx_background(), sigs, 1);
    goc_ctx_free(c);
    assert_true(handler_is_counter(SIGUSR1));
    assert_no_threads_named("goc-signal");

    /* Other contexts answer 0. */
    assert_int_equal(goc_ctx_signal(goc_ctx_background()), 0);
    assert_int_equal(goc_ctx_signal(NULL), 0);
}

static void
test_invalid(void **state)
{
    (void)state;
    goc_ctx *c = (goc_ctx *)1;
    int ok[] = {SIGUSR1};
    int bad[][2] = {{SIGUSR1, SIGKILL}, {SIGSTOP, SIGUSR1}, {0, SIGUSR1},
                    {SIGUSR1, 65}, {-1, SIGUSR1}};

    install_counter(SIGUSR1);
    assert_int_equal(goc_ctx_with_signals(NULL, goc_ctx_background(), ok, 1),
                     GOC_EINVAL);
    assert_int_equal(goc_ctx_with_signals(&c, NULL, ok, 1), GOC_EINVAL);
    assert_null(c);
    assert_int_equal(goc_ctx_with_signals(&c, goc_ctx_background(), NULL, 1),
                     GOC_EINVAL);
    assert_int_equal(goc_ctx_with_signals(&c, goc_ctx_background(), ok, 0),
                     GOC_EINVAL);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(goc_ctx_with_signals(&c, goc_ctx_background(),
                                              bad[i], 2),
                         GOC_EINVAL);
    /* Nothing was left installed by the failures. */
    assert_true(handler_is_counter(SIGUSR1));
    assert_no_threads_named("goc-signal");

    /* Out of memory at each allocation in turn. */
    bool made = false;
    for (long n = 1; n < 20 && !made; n++) {
        c = NULL;
        atomic_store(&goc__alloc_fail_countdown, n);
        int r = goc_ctx_with_signals(&c, goc_ctx_background(), ok, 1);
        atomic_store(&goc__alloc_fail_countdown, 0);
        if (r == 0) {
            made = true;
            goc_ctx_free(c);
        } else {
            assert_int_equal(r, GOC_ENOMEM);
            assert_null(c);
            assert_true(handler_is_counter(SIGUSR1));
        }
    }
    assert_true(made);
    assert_true(handler_is_counter(SIGUSR1));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_raise_cancels),
        cmocka_unit_test(test_wait_forever),
        cmocka_unit_test(test_kill_sigterm_with_sigint),
        cmocka_unit_test(test_several_contexts),
        cmocka_unit_test(test_parent_and_free),
        cmocka_unit_test(test_invalid),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
