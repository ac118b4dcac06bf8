/*
 * test_context.c - tests for lib/context.c: background, cancel and cause,
 * propagation down the tree (through value nodes), deadlines and timeouts,
 * values, goc_ctx_wait, free in any order, out-of-memory, and concurrent
 * cancellation.
 *
 * Orderings are forced with joins and channels; the one timing test checks
 * a 50 ms timeout against generous bounds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>

#include "context_impl.h"

/* ------------------------------------------------------------ helpers */

#include "util.h"

/* true when ctx's done channel fires in a select that only polls. */
static bool
done_fires(goc_ctx *ctx)
{
    goc_case c = GOC_RECV(goc_ctx_done(ctx), NULL);
    int r = goc_select(&c, 1, GOC_NOW);

    if (r == GOC_EAGAIN)
        return false;
    assert_int_equal(r, 0);
    assert_false(c.ok); /* a closed channel, not a value */
    return true;
}

static goc_ctx *
with_cancel(goc_ctx *parent)
{
    goc_ctx *c = NULL;

    assert_int_equal(goc_ctx_with_cancel(&c, parent), 0);
    assert_non_null(c);
    return c;
}

static goc_ctx *
with_value(goc_ctx *parent, const void *key, void *val)
{
    goc_ctx *c = NULL;

    assert_int_equal(goc_ctx_with_value(&c, parent, key, val), 0);
    assert_non_null(c);
    return c;
}

/* ------------------------------------------------------------ tests */

static void
test_background(void **state)
{
    (void)state;
    goc_ctx *bg = goc_ctx_background();
    goc_time d;

    assert_non_null(bg);
    assert_ptr_equal(bg, goc_ctx_background());
    assert_null(goc_ctx_done(bg));
    assert_int_equal(goc_ctx_err(bg), 0);
    assert_int_equal(goc_ctx_cause(bg), 0);
    assert_false(goc_ctx_deadline(bg, &d));
    assert_null(goc_ctx_value(bg, &d));
    goc_ctx_cancel(bg); /* no-ops */
    goc_ctx_free(bg);
    goc_ctx_free(NULL);
    goc_ctx_cancel(NULL);
    assert_int_equal(goc_ctx_err(bg), 0);
    /* Waiting on something that can never be done times out. */
    assert_int_equal(goc_ctx_wait(bg, goc_deadline_after(GOC_MILLISECOND)),
                     0);
}

static void
test_invalid(void **state)
{
    (void)state;
    goc_ctx *c = (goc_ctx *)1;
    int key;

    assert_int_equal(goc_ctx_with_cancel(NULL, goc_ctx_background()),
                     GOC_EINVAL);
    assert_int_equal(goc_ctx_with_cancel(&c, NULL), GOC_EINVAL);
    assert_null(c);
    assert_int_equal(goc_ctx_with_timeout(&c, NULL, GOC_SECOND), GOC_EINVAL);
    assert_int_equal(goc_ctx_with_deadline(&c, NULL, GOC_FOREVER),
                     GOC_EINVAL);
    assert_int_equal(goc_ctx_with_value(&c, NULL, &key, NULL), GOC_EINVAL);
    assert_int_equal(goc_ctx_with_value(&c, goc_ctx_background(), NULL, NULL),
                     GOC_EINVAL);
    assert_int_equal(goc_ctx_with_value(NULL, goc_ctx_background(), &key,
                                        NULL),
                     GOC_EINVAL);
    assert_int_equal(goc_ctx_wait(NULL, GOC_NOW), GOC_EINVAL);
    assert_null(goc_ctx_done(NULL));
    assert_int_equal(goc_ctx_err(NULL), 0);
}

static void
test_cancel_closes_done(void **state)
{
    (void)state;
    goc_ctx *c = with_cancel(goc_ctx_background());

    assert_non_null(goc_ctx_done(c));
    assert_false(done_fires(c));
    assert_int_equal(goc_ctx_err(c), 0);
    assert_int_equal(goc_ctx_cause(c), 0);
    assert_int_equal(goc_ctx_wait(c, GOC_NOW), 0);

    goc_ctx_cancel(c);
    assert_true(done_fires(c));
    assert_true(goc_chan_closed(goc_ctx_done(c)));
    assert_int_equal(goc_ctx_err(c), GOC_ECANCELED);
    assert_int_equal(goc_ctx_cause(c), GOC_ECANCELED);
    assert_int_equal(goc_ctx_wait(c, GOC_FOREVER), GOC_ECANCELED);
    goc_ctx_free(c);
}

static void
test_cancel_cause_idempotent(void **state)
{
    (void)state;
    goc_ctx *c = with_cancel(goc_ctx_background());
    goc_chan *done = goc_ctx_done(c);

    goc_ctx_cancel_cause(c, 42);
    assert_int_equal(goc_ctx_err(c), GOC_ECANCELED);
    assert_int_equal(goc_ctx_cause(c), 42);
    /* Only the first cancellation counts; the channel is closed once. */
    goc_ctx_cancel_cause(c, 43);
    goc_ctx_cancel(c);
    assert_int_equal(goc_ctx_cause(c), 42);
    assert_ptr_equal(goc_ctx_done(c), done);
    assert_true(done_fires(c));
    goc_ctx_free(c);

    /* Cause 0 would read as "not done": it becomes GOC_ECANCELED. */
    c = with_cancel(goc_ctx_background());
    goc_ctx_cancel_cause(c, 0);
    assert_int_equal(goc_ctx_cause(c), GOC_ECANCELED);
    goc_ctx_free(c);
}

static void
test_parent_cancels_grandchildren(void **state)
{
    (void)state;
    int key;
    goc_ctx *p = with_cancel(goc_ctx_background());
    goc_ctx *c = with_cancel(p);
    goc_ctx *v = with_value(c, &key, NULL);
    goc_ctx *g1 = with_cancel(v);  /* under a value node */
    goc_ctx *g2 = with_cancel(c);
    goc_ctx *gg = with_cancel(g2);

    goc_ctx_cancel_cause(p, 7);
    goc_ctx *all[] = {p, c, v, g1, g2, gg};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        assert_int_equal(goc_ctx_err(all[i]), GOC_ECANCELED);
        assert_int_equal(goc_ctx_cause(all[i]), 7);
        assert_true(done_fires(all[i]));
    }
    /* A value node has its canceller's done channel. */
    assert_ptr_equal(goc_ctx_done(v), goc_ctx_done(c));
    for (size_t i = sizeof all / sizeof *all; i-- > 0;)
        goc_ctx_free(all[i]);
}

static void
test_child_cancel_is_local(void **state)
{
    (void)state;
    goc_ctx *p = with_cancel(goc_ctx_background());
    goc_ctx *a = with_cancel(p);
    goc_ctx *b = with_cancel(p);
    goc_ctx *a1 = with_cancel(a);
    goc_ctx *b1 = with_cancel(b);

    goc_ctx_cancel(a);
    assert_int_equal(goc_ctx_err(a), GOC_ECANCELED);
    assert_int_equal(goc_ctx_err(a1), GOC_ECANCELED);
    assert_int_equal(goc_ctx_err(p), 0);
    assert_int_equal(goc_ctx_err(b), 0);
    assert_int_equal(goc_ctx_err(b1), 0);
    assert_false(done_fires(p));
    assert_false(done_fires(b));
    assert_false(done_fires(b1));

    /* The parent still cancels the remaining child afterwards. */
    goc_ctx_cancel_cause(p, 9);
    assert_int_equal(goc_ctx_cause(b1), 9);
    assert_int_equal(goc_ctx_cause(a1), GOC_ECANCELED); /* first wins */
    goc_ctx_free(a1);
    goc_ctx_free(b1);
    goc_ctx_free(a);
    goc_ctx_free(b);
    goc_ctx_free(p);
}

static void
test_child_of_done_parent(void **state)
{
    (void)state;
    int key;
    goc_ctx *p = with_cancel(goc_ctx_background());

    goc_ctx_cancel_cause(p, 5);
    goc_ctx *c = with_cancel(p);
    goc_ctx *v = with_value(p, &key, NULL);
    goc_ctx *vc = with_cancel(v);
    goc_ctx *d = NULL;
    assert_int_equal(goc_ctx_with_timeout(&d, p, GOC_SECOND), 0);
    goc_ctx *all[] = {c, v, vc, d};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        assert_int_equal(goc_ctx_err(all[i]), GOC_ECANCELED);
        assert_int_equal(goc_ctx_cause(all[i]), 5);
        assert_true(done_fires(all[i]));
        goc_ctx_free(all[i]);
    }
    goc_ctx_free(p);
}

static void
test_timeout_fires(void **state)
{
    (void)state;
    goc_ctx *c = NULL;
    goc_time t0 = goc_now(), dl;

    assert_int_equal(goc_ctx_with_timeout(&c, goc_ctx_background(),
                                          50 * GOC_MILLISECOND),
                     0);
    assert_true(goc_ctx_deadline(c, &dl));
    assert_true(dl >= t0 + 50 * GOC_MILLISECOND);
    assert_int_equal(goc_ctx_err(c), 0);
    assert_int_equal(goc_ctx_wait(c, GOC_FOREVER), GOC_EDEADLINE);
    goc_time elapsed = goc_now() - t0;
    assert_true(elapsed >= 50 * GOC_MILLISECOND);
    assert_true(elapsed < 50 * GOC_MILLISECOND + GOC_SECOND);
    assert_int_equal(goc_ctx_err(c), GOC_EDEADLINE);
    assert_int_equal(goc_ctx_cause(c), GOC_EDEADLINE);
    assert_true(done_fires(c));
    /* Cancelling after the deadline changes nothing. */
    goc_ctx_cancel(c);
    assert_int_equal(goc_ctx_err(c), GOC_EDEADLINE);
    goc_ctx_free(c);

    /* A select on the done channel wakes when the deadline passes. */
    assert_int_equal(goc_ctx_with_timeout(&c, goc_ctx_background(),
                                          20 * GOC_MILLISECOND),
                     0);
    goc_case cs = GOC_RECV(goc_ctx_done(c), NULL);
    assert_int_equal(goc_select(&cs, 1, goc_deadline_after(5 * GOC_SECOND)),
                     0);
    assert_int_equal(goc_ctx_err(c), GOC_EDEADLINE);
    goc_ctx_free(c);
}

static void
test_deadline_passed(void **state)
{
    (void)state;
    goc_ctx *c = NULL;

    assert_int_equal(goc_ctx_with_deadline(&c, goc_ctx_background(),
                                           GOC_NOW),
                     0);
    assert_int_equal(goc_ctx_err(c), GOC_EDEADLINE);
    assert_int_equal(goc_ctx_cause(c), GOC_EDEADLINE);
    assert_true(done_fires(c));
    goc_ctx_free(c);

    assert_int_equal(goc_ctx_with_timeout(&c, goc_ctx_background(), 0), 0);
    assert_int_equal(goc_ctx_err(c), GOC_EDEADLINE);
    goc_ctx_free(c);
    assert_int_equal(goc_ctx_with_timeout(&c, goc_ctx_background(),
                                          -GOC_SECOND),
                     0);
    assert_int_equal(goc_ctx_err(c), GOC_EDEADLINE);
    goc_ctx_free(c);
}

static void
test_deadline_inherited(void **state)
{
    (void)state;
    int key;
    goc_ctx *p = NULL, *late = NULL, *early = NULL, *plain, *v, *vc = NULL;
    goc_time pd, d;

    /* No deadline anywhere: none reported. */
    plain = with_cancel(goc_ctx_background());
    assert_false(goc_ctx_deadline(plain, &d));
    goc_ctx_free(plain);

    assert_int_equal(goc_ctx_with_timeout(&p, goc_ctx_background(),
                                          80 * GOC_MILLISECOND),
                     0);
    assert_true(goc_ctx_deadline(p, &pd));
    /* A later own deadline: the parent's, earlier, is the one. */
    assert_int_equal(goc_ctx_with_timeout(&late, p, 60 * GOC_SECOND), 0);
    assert_true(goc_ctx_deadline(late, &d));
    assert_true(d <= pd);
    /* An earlier own deadline: its own. */
    goc_time mine = pd - GOC_MILLISECOND;
    assert_int_equal(goc_ctx_with_deadline(&early, p, mine), 0);
    assert_true(goc_ctx_deadline(early, &d));
    assert_true(d == mine);
    /* Cancel and value nodes inherit it. */
    plain = with_cancel(p);
    v = with_value(plain, &key, NULL);
    assert_true(goc_ctx_deadline(plain, &d));
    assert_true(d == pd);
    assert_true(goc_ctx_deadline(v, &d));
    assert_true(d == pd);
    assert_int_equal(goc_ctx_with_timeout(&vc, v, 60 * GOC_SECOND), 0);
    assert_true(goc_ctx_deadline(vc, &d));
    assert_true(d <= pd);

    /* The parent's deadline cancels every descendant with its err. */
    assert_int_equal(goc_ctx_wait(vc, goc_deadline_after(5 * GOC_SECOND)),
                     GOC_EDEADLINE);
    goc_ctx *all[] = {p, late, early, plain, v, vc};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        assert_int_equal(goc_ctx_err(all[i]), GOC_EDEADLINE);
        assert_int_equal(goc_ctx_cause(all[i]), GOC_EDEADLINE);
    }
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        goc_ctx_free(all[i]);
}

static void
test_cancel_stops_deadline(void **state)
{
    (void)state;
    goc_ctx *c = NULL;

    /* An hour-long timeout cancelled early: err is the cancel's, and
     * free leaves no pending timer behind (ASan would see its memory). */
    assert_int_equal(goc_ctx_with_timeout(&c, goc_ctx_background(),
                                          3600 * GOC_SECOND),
                     0);
    goc_ctx_cancel_cause(c, 3);
    assert_int_equal(goc_ctx_err(c), GOC_ECANCELED);
    assert_int_equal(goc_ctx_cause(c), 3);
    goc_ctx_free(c);

    /* Freed without cancel: free cancels it (and the timer). */
    assert_int_equal(goc_ctx_with_timeout(&c, goc_ctx_background(),
                                          3600 * GOC_SECOND),
                     0);
    goc_ctx *child = with_cancel(c);
    goc_ctx_free(c);
    assert_int_equal(goc_ctx_err(child), GOC_ECANCELED);
    goc_ctx_free(child);
}

static void
test_values(void **state)
{
    (void)state;
    int k1, k2, k3;
    int a = 1, b = 2, c = 3;
    goc_ctx *v1 = with_value(goc_ctx_background(), &k1, &a);
    goc_ctx *cc = with_cancel(v1);
    goc_ctx *v2 = with_value(cc, &k2, &b);
    goc_ctx *v3 = with_value(v2, &k1, &c); /* shadows k1 */

    assert_ptr_equal(goc_ctx_value(v1, &k1), &a);
    assert_null(goc_ctx_value(v1, &k2));
    assert_ptr_equal(goc_ctx_value(cc, &k1), &a);
    assert_ptr_equal(goc_ctx_value(v2, &k1), &a);
    assert_ptr_equal(goc_ctx_value(v2, &k2), &b);
    assert_ptr_equal(goc_ctx_value(v3, &k1), &c);
    assert_ptr_equal(goc_ctx_value(v3, &k2), &b);
    assert_null(goc_ctx_value(v3, &k3));
    assert_null(goc_ctx_value(NULL, &k1));

    /* A value chain up to background can never be done. */
    assert_null(goc_ctx_done(v1));
    assert_int_equal(goc_ctx_err(v1), 0);
    goc_ctx_cancel(v1); /* not cancellable: no-op */
    assert_int_equal(goc_ctx_err(v1), 0);
    assert_ptr_equal(goc_ctx_done(v3), goc_ctx_done(cc));

    goc_ctx_free(v1); /* parents first: children keep them alive */
    goc_ctx_free(cc);
    assert_ptr_equal(goc_ctx_value(v3, &k1), &c);
    assert_ptr_equal(goc_ctx_value(v3, &k2), &b);
    goc_ctx_free(v3);
    assert_ptr_equal(goc_ctx_value(v2, &k1), &a);
    goc_ctx_free(v2);
}

static void
test_free_order(void **state)
{
    (void)state;
    int key;

    /* Parent freed first: the child still answers (cancelled by the
     * free), and its memory, with the parent's, goes with it. */
    goc_ctx *p = with_cancel(goc_ctx_background());
    goc_ctx *v = with_value(p, &key, &key);
    goc_ctx *c = with_cancel(v);
    goc_ctx_free(p);
    goc_ctx_free(v);
    assert_int_equal(goc_ctx_err(c), GOC_ECANCELED);
    assert_ptr_equal(goc_ctx_value(c, &key), &key);
    assert_true(done_fires(c));
    goc_ctx_free(c);

    /* Child freed first: the parent forgets it, and cancelling the parent
     * later does not touch it. */
    p = with_cancel(goc_ctx_background());
    c = with_cancel(p);
    goc_ctx_free(c);
    assert_null(p->children);
    goc_ctx_cancel(p);
    goc_ctx_free(p);

    /* A long chain freed top-down and bottom-up: no recursion. */
    enum { DEPTH = 20000 };
    goc_ctx **chain = malloc(DEPTH * sizeof *chain);
    assert_non_null(chain);
    for (int order = 0; order < 2; order++) {
        goc_ctx *prev = goc_ctx_background();
        for (int i = 0; i < DEPTH; i++)
            prev = chain[i] = i % 3 == 1 ? with_value(prev, &key, NULL)
                                         : with_cancel(prev);
        goc_ctx_cancel(chain[0]);
        assert_int_equal(goc_ctx_err(chain[DEPTH - 1]), GOC_ECANCELED);
        for (int i = 0; i < DEPTH; i++)
            goc_ctx_free(chain[order == 0 ? i : DEPTH - 1 - i]);
    }
    free(chain);
}

static void
test_thousand_children(void **state)
{
    (void)state;
    enum { N = 1000 };
    goc_ctx *p = with_cancel(goc_ctx_background());
    goc_ctx **kids = malloc(N * sizeof *kids);

    assert_non_null(kids);
    for (int i = 0; i < N; i++)
        kids[i] = with_cancel(p);
    for (int i = 0; i < N; i++)
        assert_false(done_fires(kids[i]));
    goc_ctx_cancel_cause(p, 11);
    assert_null(p->children);
    for (int i = 0; i < N; i++) {
        assert_int_equal(goc_ctx_cause(kids[i]), 11);
        assert_true(done_fires(kids[i]));
    }
    goc_ctx_free(p); /* before its children */
    for (int i = 0; i < N; i++)
        goc_ctx_free(kids[i]);
    free(kids);
}

struct waiter_arg {
    goc_ctx *ctx;
    goc_chan *result; /* int, cap 1 */
    atomic_int started;
};

static void
wait_goroutine(void *p)
{
    struct waiter_arg *w = p;

    atomic_store(&w->started, 1);
    int r = goc_ctx_wait(w->ctx, GOC_FOREVER);
    CHECK(goc_chan_send(w->result, &r) == 0);
}

static void
test_wait_released_by_cancel(void **state)
{
    (void)state;
    struct waiter_arg w = {.ctx = with_cancel(goc_ctx_background())};
    int key, r = 0;
    goc_ctx *v = with_value(w.ctx, &key, NULL);

    assert_int_equal(goc_chan_make(&w.result, sizeof(int), 1), 0);
    assert_int_equal(goc_go(wait_goroutine, &w), 0);
    goc_time limit = goc_deadline_after(5 * GOC_SECOND);
    while (!atomic_load(&w.started) && goc_now() < limit)
        goc_sleep(GOC_MILLISECOND);
    assert_true(atomic_load(&w.started));
    /* Still waiting: nothing has been sent. */
    assert_int_equal(goc_chan_recv_until(w.result, &r, NULL,
                                         goc_deadline_after(
                                             20 * GOC_MILLISECOND)),
                     GOC_ETIMEDOUT);
    goc_ctx_cancel_cause(w.ctx, 77);
    assert_int_equal(goc_chan_recv_until(w.result, &r, NULL,
                                         goc_deadline_after(5 * GOC_SECOND)),
                     0);
    assert_int_equal(r, GOC_ECANCELED);
    /* Through a value node too, and a timed wait times out with 0. */
    assert_int_equal(goc_ctx_wait(v, GOC_NOW), GOC_ECANCELED);
    goc_ctx *other = with_cancel(goc_ctx_background());
    goc_time t0 = goc_now();
    assert_int_equal(goc_ctx_wait(other, goc_deadline_after(
                                             20 * GOC_MILLISECOND)),
                     0);
    assert_true(goc_now() - t0 >= 20 * GOC_MILLISECOND);
    goc_ctx_free(other);
    goc_ctx_free(v);
    goc_ctx_free(w.ctx);
    goc_chan_free(w.result);
}

static void
test_out_of_memory(void **state)
{
    (void)state;
    int key;
    bool made;

    /* Each allocation along the way fails in turn: the error comes back,
     * nothing leaks (ASan), and eventually the call succeeds. */
    for (int kind = 0; kind < 4; kind++) {
        made = false;
        for (long n = 1; n < 50 && !made; n++) {
            goc_ctx *c = NULL;
            int r;

            if (kind != 3)
                atomic_store(&goc__alloc_fail_countdown, n);
            switch (kind) {
            case 0:
                r = goc_ctx_with_cancel(&c, goc_ctx_background());
                break;
            case 1:
                r = goc_ctx_with_timeout(&c, goc_ctx_background(),
                                         GOC_SECOND);
                break;
            case 2:
                r = goc_ctx_with_value(&c, goc_ctx_background(), &key, NULL);
                break;
            default: {
                goc_ctx *p = with_cancel(goc_ctx_background());
                atomic_store(&goc__alloc_fail_countdown, n);
                r = goc_ctx_with_timeout(&c, p, GOC_SECOND);
                goc_ctx_free(p);
                break;
            }
            }
            atomic_store(&goc__alloc_fail_countdown, 0);
            if (r == 0) {
                made = true;
                goc_ctx_free(c);
            } else {
                assert_int_equal(r, GOC_ENOMEM);
                assert_null(c);
            }
        }
        assert_true(made);
    }
}

/* Concurrency: threads keep making and cancelling children of one parent
 * while the parent is cancelled; everything ends cancelled, nothing leaks. */
struct churn_arg {
    goc_ctx *parent;
    atomic_int *go;
};

static void *
churn(void *p)
{
    struct churn_arg *a = p;

    while (!atomic_load(a->go))
        ;
    for (int i = 0; i < 300; i++) {
        goc_ctx *c = NULL, *g = NULL;

        CHECK(goc_ctx_with_cancel(&c, a->parent) == 0);
        CHECK(goc_ctx_with_timeout(&g, c, (i % 5) * GOC_MILLISECOND) == 0);
        if (i % 2)
            goc_ctx_cancel(g);
        if (i % 3)
            goc_ctx_cancel(c);
        if (goc_ctx_err(a->parent) != 0)
            CHECK(goc_ctx_err(g) != 0);
        goc_ctx_free(i % 4 ? c : g);
        goc_ctx_free(i % 4 ? g : c);
    }
    return NULL;
}

static void
test_concurrent_cancel(void **state)
{
    (void)state;
    enum { T = 4 };
    atomic_int go = 0;
    goc_ctx *p = with_cancel(goc_ctx_background());
    struct churn_arg a = {p, &go};
    pthread_t th[T];
    goc_ctx *held[50];

    for (int i = 0; i < 50; i++)
        held[i] = with_cancel(p);
    for (int i = 0; i < T; i++)
        th[i] = spawn(churn, &a);
    atomic_store(&go, 1);
    goc_ctx_cancel_cause(p, 21);
    for (int i = 0; i < 50; i++) {
        assert_int_equal(goc_ctx_cause(held[i]), 21);
        goc_ctx_free(held[i]);
    }
    for (int i = 0; i < T; i++)
        join(th[i]);
    goc_ctx_free(p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_background),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_cancel_closes_done),
        cmocka_unit_test(test_cancel_cause_idempotent),
        cmocka_unit_test(test_parent_cancels_grandchildren),
        cmocka_unit_test(test_child_cancel_is_local),
        cmocka_unit_test(test_child_of_done_parent),
        cmocka_unit_test(test_timeout_fires),
        cmocka_unit_test(test_deadline_passed),
        cmocka_unit_test(test_deadline_inherited),
        cmocka_unit_test(test_cancel_stops_deadline),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_free_order),
        cmocka_unit_test(test_thousand_children),
        cmocka_unit_test(test_wait_released_by_cancel),
        cmocka_unit_test(test_out_of_memory),
        cmocka_unit_test(test_concurrent_cancel),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
