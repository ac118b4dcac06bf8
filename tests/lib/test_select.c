/*
 * test_select.c - tests for lib/select.c: fairness, default, timeout, nil
 * cases, closed channels, send cases, duplicate channels, wake-ups of
 * blocked selects, and concurrent selects over shared channels.
 *
 * Threads are plain pthreads so that these tests do not depend on go.c.
 * "X is blocked" is observed by counting the waiters queued on a channel
 * (through the private chan_impl.h), never by sleeping.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include "chan_impl.h"

/* ------------------------------------------------------------ helpers */

#include "util.h"

/* ------------------------------------------------------------ arguments */

static void
test_invalid_arguments(void **state)
{
    (void)state;
    goc_chan *ch = make(sizeof(int), 1);
    goc_case c[2];

    assert_int_equal(goc_select(NULL, 1, GOC_NOW), GOC_EINVAL);
    c[0] = GOC_RECV(ch, NULL);
    c[0].op = 0;
    assert_int_equal(goc_select(c, 1, GOC_NOW), GOC_EINVAL);
    c[0].op = 3;
    assert_int_equal(goc_select(c, 1, GOC_NOW), GOC_EINVAL);
    /* A bad op counts even on a nil channel. */
    c[0] = GOC_RECV(NULL, NULL);
    c[0].op = 7;
    assert_int_equal(goc_select(c, 1, GOC_NOW), GOC_EINVAL);
    /* A send needs a value unless the elements have no size. */
    c[0] = GOC_SEND(ch, NULL);
    assert_int_equal(goc_select(c, 1, GOC_NOW), GOC_EINVAL);
    assert_int_equal(goc_chan_len(ch), 0);
    goc_chan_free(ch);
}

/* ------------------------------------------------------------ ready cases */

static void
test_fairness(void **state)
{
    (void)state;
    enum { N = 10000 };
    goc_chan *a = make(sizeof(int), 1), *b = make(sizeof(int), 1);
    int va = 1, vb = 2, got = 0, hits[2] = {0, 0};

    assert_int_equal(goc_chan_send(a, &va), 0);
    assert_int_equal(goc_chan_send(b, &vb), 0);
    for (int i = 0; i < N; i++) {
        goc_case c[2] = {GOC_RECV(a, &got), GOC_RECV(b, &got)};
        int r = goc_select(c, 2, GOC_FOREVER);
        assert_true(r == 0 || r == 1);
        assert_true(c[r].ok);
        assert_false(c[1 - r].ok);
        assert_int_equal(got, r == 0 ? 1 : 2);
        hits[r]++;
        /* Refill: both stay ready. */
        assert_int_equal(goc_chan_send(r == 0 ? a : b, r == 0 ? &va : &vb),
                         0);
    }
    assert_true(hits[0] >= N * 4 / 10 && hits[0] <= N * 6 / 10);
    assert_true(hits[1] >= N * 4 / 10 && hits[1] <= N * 6 / 10);
    goc_chan_free(a);
    goc_chan_free(b);
}

/* Fairness holds for more cases than fit the on-stack arrays. */
static void
test_fairness_many_cases(void **state)
{
    (void)state;
    enum { CASES = 12, N = 12000 };
    goc_chan *ch[CASES];
    goc_case c[CASES];
    int hits[CASES] = {0}, v = 0;

    for (int i = 0; i < CASES; i++) {
        ch[i] = make(sizeof(int), 1);
        assert_int_equal(goc_chan_send(ch[i], &i), 0);
    }
    for (int n = 0; n < N; n++) {
        for (int i = 0; i < CASES; i++)
            c[i] = GOC_RECV(ch[i], &v);
        int r = goc_select(c, CASES, GOC_NOW);
        assert_true(r >= 0 && r < CASES);
        assert_int_equal(v, r);
        hits[r]++;
        assert_int_equal(goc_chan_send(ch[r], &r), 0);
    }
    for (int i = 0; i < CASES; i++) {
        /* expected 1000 each */
        assert_true(hits[i] > 700 && hits[i] < 1300);
        goc_chan_free(ch[i]);
    }
}

static void
test_default(void **state)
{
    (void)state;
    goc_chan *a = make(sizeof(int), 0), *b = make(sizeof(int), 1);
    int v = 5, w = 0;

    /* Nothing ready: Go's default. */
    goc_case c[2] = {GOC_RECV(a, &w), GOC_RECV(b, &w)};
    assert_int_equal(goc_select(c, 2, GOC_NOW), GOC_EAGAIN);
    assert_int_equal(queued(a, false), 0);
    assert_int_equal(queued(b, false), 0);

    /* Something ready: taken even with GOC_NOW. */
    assert_int_equal(goc_chan_send(b, &v), 0);
    c[0] = GOC_RECV(a, &w);
    c[1] = GOC_RECV(b, &w);
    assert_int_equal(goc_select(c, 2, GOC_NOW), 1);
    assert_true(c[1].ok);
    assert_int_equal(w, 5);

    /* No cases at all. */
    assert_int_equal(goc_select(NULL, 0, GOC_NOW), GOC_EAGAIN);
    assert_int_equal(goc_select(c, 0, GOC_NOW), GOC_EAGAIN);
    goc_chan_free(a);
    goc_chan_free(b);
}

static void
test_timeout(void **state)
{
    (void)state;
    goc_chan *a = make(sizeof(int), 0), *b = make(sizeof(int), 1);
    int v = 0, one = 1;
    goc_time start;

    assert_int_equal(goc_chan_send(b, &one), 0); /* b is full */
    goc_case c[2] = {GOC_RECV(a, &v), GOC_SEND(b, &one)};
    start = goc_now();
    assert_int_equal(goc_select(c, 2, start + 50 * GOC_MILLISECOND),
                     GOC_ETIMEDOUT);
    assert_took(start, 50 * GOC_MILLISECOND);
    assert_false(c[0].ok);
    assert_false(c[1].ok);
    /* The waiters of the timed-out select left every queue. */
    assert_int_equal(queued(a, false), 0);
    assert_int_equal(queued(b, true), 0);
    assert_int_equal(goc_chan_len(b), 1);

    /* A passed deadline that is not GOC_NOW reports a timeout at once. */
    start = goc_now();
    assert_int_equal(goc_select(c, 2, goc_deadline_after(-1)),
                     GOC_ETIMEDOUT);
    assert_true(goc_now() - start < GOC_SECOND);

    /* No usable case: wait for the deadline. */
    goc_case nil[2] = {GOC_RECV(NULL, &v), GOC_SEND(NULL, &one)};
    start = goc_now();
    assert_int_equal(goc_select(nil, 2, start + 50 * GOC_MILLISECOND),
                     GOC_ETIMEDOUT);
    assert_took(start, 50 * GOC_MILLISECOND);
    start = goc_now();
    assert_int_equal(goc_select(NULL, 0, start + 50 * GOC_MILLISECOND),
                     GOC_ETIMEDOUT);
    assert_took(start, 50 * GOC_MILLISECOND);
    assert_int_equal(goc_select(nil, 2, GOC_NOW), GOC_EAGAIN);
    start = goc_now();
    assert_int_equal(goc_select(nil, 2, goc_deadline_after(-1)),
                     GOC_ETIMEDOUT);
    assert_true(goc_now() - start < GOC_SECOND);
    goc_chan_free(a);
    goc_chan_free(b);
}

static void
test_nil_cases_never_chosen(void **state)
{
    (void)state;
    goc_chan *ch = make(sizeof(int), 1);
    int v = 3, got = 0;

    for (int i = 0; i < 200; i++) {
        assert_int_equal(goc_chan_send(ch, &v), 0);
        goc_case c[4] = {GOC_RECV(NULL, &got), GOC_SEND(NULL, &v),
                         GOC_RECV(ch, &got), GOC_RECV(NULL, &got)};
        assert_int_equal(goc_select(c, 4, GOC_FOREVER), 2);
        assert_true(c[2].ok);
        assert_int_equal(got, 3);
    }
    goc_chan_free(ch);
}

static void
test_recv_on_closed(void **state)
{
    (void)state;
    goc_chan *a = make(sizeof(int), 0), *b = make(sizeof(int), 2);
    int v = 9, got = -1;

    assert_int_equal(goc_chan_send(b, &v), 0);
    assert_int_equal(goc_chan_close(b), 0);

    /* The buffered value first, with ok true. */
    goc_case c[2] = {GOC_RECV(a, &got), GOC_RECV(b, &got)};
    assert_int_equal(goc_select(c, 2, GOC_FOREVER), 1);
    assert_true(c[1].ok);
    assert_int_equal(got, 9);

    /* Then the close, ready for ever, with ok false and a zero value. */
    for (int i = 0; i < 3; i++) {
        got = -1;
        c[0] = GOC_RECV(a, &got);
        c[1] = GOC_RECV(b, &got);
        c[1].ok = true;
        assert_int_equal(goc_select(c, 2, GOC_FOREVER), 1);
        assert_false(c[1].ok);
        assert_int_equal(got, 0);
    }
    goc_chan_free(a);
    goc_chan_free(b);
}

static void
test_send_cases(void **state)
{
    (void)state;
    goc_chan *full = make(sizeof(int), 1), *room = make(sizeof(int), 2);
    int v = 1, w = 2, got;

    assert_int_equal(goc_chan_send(full, &v), 0);
    goc_case c[2] = {GOC_SEND(full, &w), GOC_SEND(room, &w)};
    assert_int_equal(goc_select(c, 2, GOC_NOW), 1);
    assert_true(c[1].ok);
    assert_int_equal(goc_chan_len(room), 1);
    assert_int_equal(goc_chan_recv(room, &got, NULL), 0);
    assert_int_equal(got, 2);

    /* Mixed: the only ready case is a receive. */
    goc_case m[2] = {GOC_SEND(full, &w), GOC_RECV(full, &got)};
    assert_int_equal(goc_select(m, 2, GOC_NOW), 1);
    assert_true(m[1].ok);
    assert_int_equal(got, 1);
    goc_chan_free(full);
    goc_chan_free(room);
}

static void
test_send_on_closed(void **state)
{
    (void)state;
    goc_chan *a = make(sizeof(int), 0), *b = make(sizeof(int), 4);
    int v = 1, got;

    assert_int_equal(goc_chan_close(b), 0);
    goc_case c[2] = {GOC_RECV(a, &got), GOC_SEND(b, &v)};
    c[1].ok = true;
    assert_int_equal(goc_select(c, 2, GOC_FOREVER), 1);
    assert_false(c[1].ok);
    assert_int_equal(goc_chan_len(b), 0);
    goc_chan_free(a);
    goc_chan_free(b);
}

/* The same channel in two cases: one case fires, one value moves. */
static void
test_same_channel_twice(void **state)
{
    (void)state;
    goc_chan *ch = make(sizeof(int), 4);
    int v = 5, x = 0, y = 0, hits[2] = {0, 0};

    for (int i = 0; i < 400; i++) {
        assert_int_equal(goc_chan_send(ch, &v), 0);
        x = y = 0;
        goc_case c[2] = {GOC_RECV(ch, &x), GOC_RECV(ch, &y)};
        int r = goc_select(c, 2, GOC_NOW);
        assert_true(r == 0 || r == 1);
        assert_int_equal(r == 0 ? x : y, 5);
        assert_int_equal(r == 0 ? y : x, 0);
        assert_int_equal(goc_chan_len(ch), 0);
        hits[r]++;
    }
    assert_true(hits[0] > 100 && hits[1] > 100);

    /* Send and receive on the same buffered channel: with room and no
     * value, only the send is ready. */
    goc_case m[2] = {GOC_RECV(ch, &x), GOC_SEND(ch, &v)};
    assert_int_equal(goc_select(m, 2, GOC_NOW), 1);
    assert_int_equal(goc_chan_len(ch), 1);
    goc_chan_free(ch);
}

/* ------------------------------------------------------------ blocking */

struct blocked_select {
    goc_case cases[3];
    size_t n;
    int result;
};

static void *
select_thread(void *p)
{
    struct blocked_select *s = p;

    s->result = goc_select(s->cases, s->n, GOC_FOREVER);
    return NULL;
}

/* A blocked select is completed by a sender on one of its channels, and
 * its waiters leave every other queue.  The nil case is ignored. */
static void
test_blocked_select_woken_by_send(void **state)
{
    (void)state;
    goc_chan *a = make(sizeof(int), 0), *b = make(sizeof(int), 0);
    int got_a = 0, got_b = 0, v = 21;
    struct blocked_select s = {
        .cases = {GOC_RECV(a, &got_a), GOC_RECV(NULL, &got_a),
                  GOC_RECV(b, &got_b)},
        .n = 3};

    pthread_t t = spawn(select_thread, &s);
    assert_true(wait_queued(a, false, 1));
    assert_true(wait_queued(b, false, 1));
    assert_int_equal(goc_chan_send(b, &v), 0);
    join(t);
    assert_int_equal(s.result, 2);
    assert_true(s.cases[2].ok);
    assert_false(s.cases[0].ok);
    assert_false(s.cases[1].ok);
    assert_int_equal(got_b, 21);
    assert_int_equal(got_a, 0);
    assert_int_equal(queued(a, false), 0);
    assert_int_equal(queued(b, false), 0);
    /* Nobody receives from a any more. */
    assert_int_equal(goc_chan_try_send(a, &v), GOC_EAGAIN);
    goc_chan_free(a);
    goc_chan_free(b);
}

/* A blocked select's send case is completed by a receiver. */
static void
test_blocked_select_send_woken_by_recv(void **state)
{
    (void)state;
    goc_chan *a = make(sizeof(int), 0), *b = make(sizeof(int), 0);
    int v = 31, got = 0, unused = 0;
    struct blocked_select s = {
        .cases = {GOC_RECV(a, &unused), GOC_SEND(b, &v)}, .n = 2};

    pthread_t t = spawn(select_thread, &s);
    assert_true(wait_queued(b, true, 1));
    assert_int_equal(goc_chan_recv(b, &got, NULL), 0);
    join(t);
    assert_int_equal(s.result, 1);
    assert_true(s.cases[1].ok);
    assert_int_equal(got, 31);
    assert_int_equal(queued(a, false), 0);
    goc_chan_free(a);
    goc_chan_free(b);
}

/* Closing one channel of a blocked select fires that case with ok false;
 * for a receive the value is zero-filled, a send is misuse. */
static void
test_blocked_select_woken_by_close(void **state)
{
    (void)state;
    goc_chan *a = make(sizeof(int), 0), *b = make(sizeof(int), 0);
    int got = -1, v = 1;
    struct blocked_select s = {
        .cases = {GOC_RECV(a, &got), GOC_SEND(b, &v)}, .n = 2};

    pthread_t t = spawn(select_thread, &s);
    assert_true(wait_queued(a, false, 1));
    assert_int_equal(goc_chan_close(a), 0);
    join(t);
    assert_int_equal(s.result, 0);
    assert_false(s.cases[0].ok);
    assert_int_equal(got, 0);
    assert_int_equal(queued(b, true), 0);

    /* Now the send case, on b, while a is closed and therefore ready:
     * use a fresh receive channel instead. */
    goc_chan *c = make(sizeof(int), 0);
    s = (struct blocked_select){
        .cases = {GOC_RECV(c, &got), GOC_SEND(b, &v)}, .n = 2};
    s.cases[1].ok = true;
    t = spawn(select_thread, &s);
    assert_true(wait_queued(b, true, 1));
    assert_int_equal(goc_chan_close(b), 0);
    join(t);
    assert_int_equal(s.result, 1);
    assert_false(s.cases[1].ok);
    assert_int_equal(queued(c, false), 0);
    goc_chan_free(a);
    goc_chan_free(b);
    goc_chan_free(c);
}

/* A blocked select over one channel listed twice fires exactly once. */
static void
test_blocked_select_same_channel_twice(void **state)
{
    (void)state;
    goc_chan *ch = make(sizeof(int), 0);
    int x = 0, y = 0, v = 8;
    struct blocked_select s = {
        .cases = {GOC_RECV(ch, &x), GOC_RECV(ch, &y)}, .n = 2};

    pthread_t t = spawn(select_thread, &s);
    assert_true(wait_queued(ch, false, 2));
    assert_int_equal(goc_chan_send(ch, &v), 0);
    join(t);
    assert_true(s.result == 0 || s.result == 1);
    assert_int_equal(s.result == 0 ? x : y, 8);
    assert_int_equal(s.result == 0 ? y : x, 0);
    assert_int_equal(queued(ch, false), 0);
    assert_int_equal(goc_chan_try_send(ch, &v), GOC_EAGAIN);
    goc_chan_free(ch);
}

enum { CASES = 20 };
static int big_select_result;

static void *
big_select_thread(void *p)
{
    big_select_result = goc_select(p, CASES, GOC_FOREVER);
    return NULL;
}

/* More usable cases than the on-stack arrays hold: scratch is malloced,
 * and a failed allocation is GOC_ENOMEM. */
static void
test_many_cases_and_out_of_memory(void **state)
{
    (void)state;
    goc_chan *ch[CASES];
    goc_case c[CASES];
    int got = 0, v = 4;

    for (int i = 0; i < CASES; i++)
        ch[i] = make(sizeof(int), 0);
    for (int i = 0; i < CASES; i++)
        c[i] = GOC_RECV(ch[i], &got);
    atomic_store(&goc__alloc_fail_countdown, 1);
    assert_int_equal(goc_select(c, CASES, GOC_FOREVER), GOC_ENOMEM);
    assert_int_equal(atomic_load(&goc__alloc_fail_countdown), 0);
    for (int i = 0; i < CASES; i++)
        assert_int_equal(queued(ch[i], false), 0);

    /* It blocks, times out and cleans up like a small one. */
    assert_int_equal(goc_select(c, CASES, goc_deadline_after(
                                              5 * GOC_MILLISECOND)),
                     GOC_ETIMEDOUT);
    for (int i = 0; i < CASES; i++)
        assert_int_equal(queued(ch[i], false), 0);

    /* It blocks and is woken by a send on one of its channels. */
    pthread_t t = spawn(big_select_thread, c);
    for (int i = 0; i < CASES; i++)
        assert_true(wait_queued(ch[i], false, 1));
    assert_int_equal(goc_chan_send(ch[CASES - 2], &v), 0);
    join(t);
    assert_int_equal(big_select_result, CASES - 2);
    assert_true(c[CASES - 2].ok);
    assert_int_equal(got, 4);
    for (int i = 0; i < CASES; i++)
        assert_int_equal(queued(ch[i], false), 0);
    for (int i = 0; i < CASES; i++)
        goc_chan_free(ch[i]);
}

/* ------------------------------------------------------------ stress */

enum { STRESS = 20000 };

struct pair {
    goc_chan *a, *b;
    long long sum;
    int count;
};

/* Sends 1..STRESS, each on whichever of a, b is ready first. */
static void *
send_ab(void *p)
{
    struct pair *s = p;

    for (int i = 1; i <= STRESS; i++) {
        goc_case c[2] = {GOC_SEND(s->a, &i), GOC_SEND(s->b, &i)};
        int r = goc_select(c, 2, GOC_FOREVER);
        CHECK(r == 0 || r == 1);
        CHECK(c[r].ok);
    }
    return NULL;
}

/* Receives STRESS values from b or a, listed in the opposite order. */
static void *
recv_ba(void *p)
{
    struct pair *s = p;
    int v;

    for (int i = 0; i < STRESS; i++) {
        goc_case c[2] = {GOC_RECV(s->b, &v), GOC_RECV(s->a, &v)};
        int r = goc_select(c, 2, GOC_FOREVER);
        CHECK(r == 0 || r == 1);
        CHECK(c[r].ok);
        s->sum += v;
        s->count++;
    }
    return NULL;
}

static void
test_stress_opposite_orders(void **state)
{
    (void)state;
    for (size_t cap = 0; cap <= 2; cap += 2) {
        struct pair s = {make(sizeof(int), cap), make(sizeof(int), cap), 0,
                         0};
        pthread_t t1 = spawn(send_ab, &s), t2 = spawn(recv_ba, &s);
        join(t1);
        join(t2);
        assert_int_equal(s.count, STRESS);
        assert_int_equal(s.sum, (long long)STRESS * (STRESS + 1) / 2);
        assert_int_equal(queued(s.a, false) + queued(s.a, true), 0);
        assert_int_equal(queued(s.b, false) + queued(s.b, true), 0);
        goc_chan_free(s.a);
        goc_chan_free(s.b);
    }
}

struct both {
    goc_chan *ch;
    int id;
    int sent, received, bad;
};

/* Each iteration either sends our id or receives the other's: a select
 * never pairs with itself, so both threads finish together. */
static void *
send_or_recv(void *p)
{
    struct both *s = p;
    int v;

    for (int i = 0; i < STRESS / 2; i++) {
        goc_case c[2] = {GOC_SEND(s->ch, &s->id), GOC_RECV(s->ch, &v)};
        if (i % 2) {
            c[0] = GOC_RECV(s->ch, &v);
            c[1] = GOC_SEND(s->ch, &s->id);
        }
        int r = goc_select(c, 2, GOC_FOREVER);
        CHECK(r == 0 || r == 1);
        CHECK(c[r].ok);
        if (c[r].op == GOC_CASE_SEND) {
            s->sent++;
        } else {
            s->received++;
            if (v == s->id)
                s->bad++;
        }
    }
    return NULL;
}

static void
test_send_and_recv_same_unbuffered_channel(void **state)
{
    (void)state;
    goc_chan *ch = make(sizeof(int), 0);
    struct both x = {ch, 1, 0, 0, 0}, y = {ch, 2, 0, 0, 0};

    pthread_t t1 = spawn(send_or_recv, &x), t2 = spawn(send_or_recv, &y);
    join(t1);
    join(t2);
    assert_int_equal(x.bad + y.bad, 0);
    assert_int_equal(x.sent, y.received);
    assert_int_equal(y.sent, x.received);
    assert_int_equal(x.sent + x.received, STRESS / 2);
    assert_int_equal(queued(ch, false) + queued(ch, true), 0);
    goc_chan_free(ch);
}

/* Selects with short deadlines race with senders with short deadlines:
 * every value reported sent is received once, none reported lost is. */
struct race {
    goc_chan *a, *b;
    int n;
    long long sum;
    int count;
    atomic_int done;
};

static void *
race_sender(void *p)
{
    struct race *s = p;

    for (int i = 1; i <= s->n; i++) {
        goc_time d = goc_deadline_after((goc_duration)(goc__rand() % 50) *
                                        GOC_MICROSECOND);
        int r = goc_chan_send_until(i % 2 ? s->a : s->b, &i, d);
        CHECK(r == 0 || r == GOC_ETIMEDOUT);
        if (r == 0) {
            s->sum += i;
            s->count++;
        }
    }
    atomic_store(&s->done, 1);
    return NULL;
}

static void
test_deadline_races(void **state)
{
    (void)state;
    struct race s = {make(sizeof(int), 0), make(sizeof(int), 0), 4000, 0, 0,
                     0};
    long long sum = 0;
    int count = 0, v;

    pthread_t t = spawn(race_sender, &s);
    for (;;) {
        goc_case c[2] = {GOC_RECV(s.a, &v), GOC_RECV(s.b, &v)};
        goc_time d = goc_deadline_after((goc_duration)(goc__rand() % 50) *
                                        GOC_MICROSECOND);
        int r = goc_select(c, 2, d);
        if (r >= 0) {
            assert_true(c[r].ok);
            sum += v;
            count++;
        } else {
            assert_int_equal(r, GOC_ETIMEDOUT);
            if (atomic_load(&s.done))
                break;
        }
    }
    join(t);
    assert_true(s.count > 0);
    assert_int_equal(count, s.count);
    assert_int_equal(sum, s.sum);
    assert_int_equal(queued(s.a, false) + queued(s.b, false), 0);
    goc_chan_free(s.a);
    goc_chan_free(s.b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid_arguments),
        cmocka_unit_test(test_fairness),
        cmocka_unit_test(test_fairness_many_cases),
        cmocka_unit_test(test_default),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_nil_cases_never_chosen),
        cmocka_unit_test(test_recv_on_closed),
        cmocka_unit_test(test_send_cases),
        cmocka_unit_test(test_send_on_closed),
        cmocka_unit_test(test_same_channel_twice),
        cmocka_unit_test(test_blocked_select_woken_by_send),
        cmocka_unit_test(test_blocked_select_send_woken_by_recv),
        cmocka_unit_test(test_blocked_select_woken_by_close),
        cmocka_unit_test(test_blocked_select_same_channel_twice),
        cmocka_unit_test(test_many_cases_and_out_of_memory),
        cmocka_unit_test(test_stress_opposite_orders),
        cmocka_unit_test(test_send_and_recv_same_unbuffered_channel),
        cmocka_unit_test(test_deadline_races),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
