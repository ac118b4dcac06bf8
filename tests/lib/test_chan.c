/*
 * test_chan.c - tests for lib/chan.c: make/free, send, receive, close,
 * len/cap, deadlines, try operations, reference counts and many threads.
 *
 * Threads are plain pthreads so that these tests do not depend on go.c.
 * "X is blocked" is observed by counting the waiters queued on the channel
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

/* ------------------------------------------------------------ make/free */

static void
test_make_and_accessors(void **state)
{
    (void)state;
    goc_chan *ch = make(sizeof(int), 4);

    assert_int_equal(goc_chan_cap(ch), 4);
    assert_int_equal(goc_chan_len(ch), 0);
    assert_false(goc_chan_closed(ch));
    for (int i = 0; i < 3; i++)
        assert_int_equal(goc_chan_send(ch, &i), 0);
    assert_int_equal(goc_chan_len(ch), 3);
    assert_int_equal(goc_chan_cap(ch), 4);
    goc_chan_free(ch);

    ch = make(sizeof(int), 0);
    assert_int_equal(goc_chan_cap(ch), 0);
    assert_int_equal(goc_chan_len(ch), 0);
    goc_chan_free(ch);
}

static void
test_make_named_copies_name(void **state)
{
    (void)state;
    char name[] = "jobs";
    goc_chan *ch = NULL;

    assert_int_equal(goc_chan_make_named(&ch, 8, 2, name), 0);
    name[0] = 'X';
    assert_string_equal(ch->name, "jobs");
    goc_chan_free(ch);

    assert_int_equal(goc_chan_make_named(&ch, 8, 2, NULL), 0);
    assert_null(ch->name);
    goc_chan_free(ch);
}

static void
test_null_arguments(void **state)
{
    (void)state;
    int v = 7;
    bool ok = true;

    assert_int_equal(goc_chan_make(NULL, 4, 1), GOC_EINVAL);
    assert_int_equal(goc_chan_make_named(NULL, 4, 1, "x"), GOC_EINVAL);
    assert_int_equal(goc_chan_send(NULL, &v), GOC_EINVAL);
    assert_int_equal(goc_chan_try_send(NULL, &v), GOC_EINVAL);
    assert_int_equal(goc_chan_send_until(NULL, &v, GOC_NOW), GOC_EINVAL);
    assert_int_equal(goc_chan_recv(NULL, &v, &ok), GOC_EINVAL);
    assert_false(ok);
    assert_int_equal(goc_chan_try_recv(NULL, &v, NULL), GOC_EINVAL);
    assert_int_equal(goc_chan_recv_until(NULL, &v, NULL, GOC_NOW),
                     GOC_EINVAL);
    assert_int_equal(goc_chan_close(NULL), GOC_EINVAL);
    assert_int_equal(goc_chan_len(NULL), 0);
    assert_int_equal(goc_chan_cap(NULL), 0);
    assert_false(goc_chan_closed(NULL));
    goc_chan_free(NULL);

    /* A NULL value is only valid for elem_size 0; receive may discard. */
    goc_chan *ch = make(sizeof(int), 1);
    assert_int_equal(goc_chan_send(ch, NULL), GOC_EINVAL);
    assert_int_equal(goc_chan_len(ch), 0);
    assert_int_equal(goc_chan_send(ch, &v), 0);
    assert_int_equal(goc_chan_recv(ch, NULL, &ok), 0);
    assert_true(ok);
    assert_int_equal(goc_chan_len(ch), 0);
    goc_chan_free(ch);
}

static void
test_make_out_of_memory(void **state)
{
    (void)state;
    goc_chan *ch = (goc_chan *)&ch; /* must be reset to NULL */

    atomic_store(&goc__alloc_fail_countdown, 1);
    assert_int_equal(goc_chan_make(&ch, sizeof(int), 16), GOC_ENOMEM);
    assert_null(ch);
    assert_int_equal(atomic_load(&goc__alloc_fail_countdown), 0);

    atomic_store(&goc__alloc_fail_countdown, 1);
    assert_int_equal(goc_chan_make_named(&ch, 1, 0, "n"), GOC_ENOMEM);
    assert_null(ch);

    /* A buffer whose size overflows size_t cannot be allocated. */
    assert_int_equal(goc_chan_make(&ch, SIZE_MAX / 2, 4), GOC_ENOMEM);
    assert_null(ch);

    /* The failure was one-shot. */
    ch = make(sizeof(int), 16);
    goc_chan_free(ch);
}

static int on_free_calls;

static void
on_free(void *arg)
{
    on_free_calls++;
    assert_ptr_equal(arg, &on_free_calls);
}

static void
test_refcount_and_on_free(void **state)
{
    (void)state;
    goc_chan *ch = make(sizeof(int), 1);
    int v = 5, got = 0;

    on_free_calls = 0;
    goc__chan_set_on_free(ch, on_free, &on_free_calls);
    goc__chan_ref(ch);
    goc_chan_free(ch);
    assert_int_equal(on_free_calls, 1);
    /* The library's reference keeps the channel alive and working. */
    assert_int_equal(goc_chan_send(ch, &v), 0);
    assert_int_equal(goc_chan_recv(ch, &got, NULL), 0);
    assert_int_equal(got, 5);
    goc__chan_unref(ch); /* the last reference: freed (ASan checks) */
    assert_int_equal(on_free_calls, 1);

    /* Without a hook, free just drops the reference. */
    ch = make(0, 0);
    goc_chan_free(ch);
}

/* ------------------------------------------------------------ buffered */

static void
test_buffered_fifo_and_wraparound(void **state)
{
    (void)state;
    goc_chan *ch = make(sizeof(int), 4);
    int next_in = 0, next_out = 0, v;

    /* Many partial fills and drains move the ring indices around. */
    for (int round = 0; round < 50; round++) {
        int fill = 1 + round % 4;
        for (int i = 0; i < fill; i++) {
            assert_int_equal(goc_chan_try_send(ch, &next_in), 0);
            next_in++;
        }
        assert_int_equal(goc_chan_len(ch), (size_t)fill);
        int drain = fill - (round % 2);
        for (int i = 0; i < drain; i++) {
            assert_int_equal(goc_chan_try_recv(ch, &v, NULL), 0);
            assert_int_equal(v, next_out);
            next_out++;
        }
        while (goc_chan_try_recv(ch, &v, NULL) == 0) {
            assert_int_equal(v, next_out);
            next_out++;
        }
    }
    assert_int_equal(next_in, next_out);

    /* Full: try_send would block. */
    for (int i = 0; i < 4; i++)
        assert_int_equal(goc_chan_try_send(ch, &i), 0);
    v = 99;
    assert_int_equal(goc_chan_try_send(ch, &v), GOC_EAGAIN);
    assert_int_equal(goc_chan_len(ch), 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(goc_chan_recv(ch, &v, NULL), 0);
        assert_int_equal(v, i);
    }
    bool ok = true;
    assert_int_equal(goc_chan_try_recv(ch, &v, &ok), GOC_EAGAIN);
    assert_false(ok);
    goc_chan_free(ch);
}

struct item {
    int producer;
    int seq;
};

struct producer_arg {
    goc_chan *ch;
    int id;
    int n;
};

static void *
producer(void *p)
{
    struct producer_arg *a = p;

    for (int i = 0; i < a->n; i++) {
        struct item it = {a->id, i};
        CHECK(goc_chan_send(a->ch, &it) == 0);
    }
    return NULL;
}

/* Each producer's values come out in the order it sent them, including
 * values that went through the blocked-sender path of a full buffer. */
static void
test_fifo_per_producer(void **state)
{
    (void)state;
    enum { PRODUCERS = 4, N = 5000 };
    goc_chan *ch = make(sizeof(struct item), 8);
    struct producer_arg args[PRODUCERS];
    pthread_t t[PRODUCERS];
    int next[PRODUCERS] = {0};

    for (int i = 0; i < PRODUCERS; i++) {
        args[i] = (struct producer_arg){ch, i, N};
        t[i] = spawn(producer, &args[i]);
    }
    for (int i = 0; i < PRODUCERS * N; i++) {
        struct item it;
        assert_int_equal(goc_chan_recv(ch, &it, NULL), 0);
        assert_true(it.producer >= 0 && it.producer < PRODUCERS);
        assert_int_equal(it.seq, next[it.producer]);
        next[it.producer]++;
    }
    for (int i = 0; i < PRODUCERS; i++) {
        join(t[i]);
        assert_int_equal(next[i], N);
    }
    assert_int_equal(goc_chan_len(ch), 0);
    goc_chan_free(ch);
}

/* A sender blocked on a full buffer is released by a receive, and its
 * value lands behind the buffered ones. */
static void
test_blocked_sender_on_full_buffer(void **state)
{
    (void)state;
    static struct producer_arg a;
    goc_chan *ch = make(sizeof(struct item), 2);
    struct item it;

    a = (struct producer_arg){ch, 0, 3};
    pthread_t t = spawn(producer, &a);
    assert_true(wait_queued(ch, true, 1)); /* items 0, 1 buffered */
    assert_int_equal(goc_chan_len(ch), 2);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(goc_chan_recv(ch, &it, NULL), 0);
        assert_int_equal(it.seq, i);
    }
    join(t);
    assert_int_equal(goc_chan_len(ch), 0);
    goc_chan_free(ch);
}

/* ------------------------------------------------------------ unbuffered */

struct rendezvous {
    goc_chan *ch;
    int value;
    int result;
    atomic_int done;
};

static void *
rendezvous_sender(void *p)
{
    struct rendezvous *r = p;

    r->result = goc_chan_send(r->ch, &r->value);
    atomic_store(&r->done, 1);
    return NULL;
}

static void *
rendezvous_receiver(void *p)
{
    struct rendezvous *r = p;

    r->result = goc_chan_recv(r->ch, &r->value, NULL);
    atomic_store(&r->done, 1);
    return NULL;
}

static void
test_unbuffered_rendezvous(void **state)
{
    (void)state;
    struct rendezvous r = {.ch = make(sizeof(int), 0), .value = 42};
    int v = 0;

    /* The sender blocks until we receive: it is queued and has not
     * returned, although it started before us. */
    pthread_t t = spawn(rendezvous_sender, &r);
    assert_true(wait_queued(r.ch, true, 1));
    assert_int_equal(atomic_load(&r.done), 0);
    assert_int_equal(goc_chan_len(r.ch), 0);
    assert_int_equal(goc_chan_recv(r.ch, &v, NULL), 0);
    assert_int_equal(v, 42);
    join(t);
    assert_int_equal(atomic_load(&r.done), 1);
    assert_int_equal(r.result, 0);

    /* The other way round: a blocked receiver gets the value directly. */
    r.value = 0;
    atomic_store(&r.done, 0);
    t = spawn(rendezvous_receiver, &r);
    assert_true(wait_queued(r.ch, false, 1));
    assert_int_equal(atomic_load(&r.done), 0);
    v = 43;
    assert_int_equal(goc_chan_send(r.ch, &v), 0);
    join(t);
    assert_int_equal(r.result, 0);
    assert_int_equal(r.value, 43);

    /* No partner: try ops would block. */
    assert_int_equal(goc_chan_try_send(r.ch, &v), GOC_EAGAIN);
    assert_int_equal(goc_chan_try_recv(r.ch, &v, NULL), GOC_EAGAIN);
    goc_chan_free(r.ch);
}

static void
test_try_ops_with_blocked_partner(void **state)
{
    (void)state;
    struct rendezvous r = {.ch = make(sizeof(int), 0), .value = 11};
    int v = 0;
    bool ok = false;

    pthread_t t = spawn(rendezvous_sender, &r);
    assert_true(wait_queued(r.ch, true, 1));
    assert_int_equal(goc_chan_try_recv(r.ch, &v, &ok), 0);
    assert_true(ok);
    assert_int_equal(v, 11);
    join(t);
    assert_int_equal(r.result, 0);

    r.value = 0;
    t = spawn(rendezvous_receiver, &r);
    assert_true(wait_queued(r.ch, false, 1));
    v = 12;
    assert_int_equal(goc_chan_try_send(r.ch, &v), 0);
    join(t);
    assert_int_equal(r.value, 12);
    goc_chan_free(r.ch);
}

/* ------------------------------------------------------------ close */

enum { BLOCKED = 8 };

struct closer_arg {
    goc_chan *ch;
    int value;
    bool ok;
    int result;
};

static void *
blocked_receiver(void *p)
{
    struct closer_arg *a = p;

    a->result = goc_chan_recv(a->ch, &a->value, &a->ok);
    return NULL;
}

static void *
blocked_sender(void *p)
{
    struct closer_arg *a = p;

    a->result = goc_chan_send(a->ch, &a->value);
    return NULL;
}

static void
close_wakes_receivers(size_t cap)
{
    goc_chan *ch = make(sizeof(int), cap);
    struct closer_arg a[BLOCKED];
    pthread_t t[BLOCKED];

    for (int i = 0; i < BLOCKED; i++) {
        a[i] = (struct closer_arg){.ch = ch, .value = 0x5a5a, .ok = true};
        t[i] = spawn(blocked_receiver, &a[i]);
    }
    assert_true(wait_queued(ch, false, BLOCKED));
    assert_int_equal(goc_chan_close(ch), 0);
    for (int i = 0; i < BLOCKED; i++) {
        join(t[i]);
        assert_int_equal(a[i].result, GOC_ECLOSED);
        assert_false(a[i].ok);
        assert_int_equal(a[i].value, 0); /* zero-filled */
    }
    assert_int_equal(queued(ch, false), 0);
    goc_chan_free(ch);
}

static void
test_close_wakes_every_receiver(void **state)
{
    (void)state;
    close_wakes_receivers(0);
    close_wakes_receivers(3);
}

static void
test_close_wakes_every_sender(void **state)
{
    (void)state;
    goc_chan *ch = make(sizeof(int), 0);
    struct closer_arg a[BLOCKED];
    pthread_t t[BLOCKED];

    for (int i = 0; i < BLOCKED; i++) {
        a[i] = (struct closer_arg){.ch = ch, .value = i};
        t[i] = spawn(blocked_sender, &a[i]);
    }
    assert_true(wait_queued(ch, true, BLOCKED));
    assert_int_equal(goc_chan_close(ch), 0);
    for (int i = 0; i < BLOCKED; i++) {
        join(t[i]);
        assert_int_equal(a[i].result, GOC_ECLOSED);
    }
    int v;
    assert_int_equal(goc_chan_try_recv(ch, &v, NULL), GOC_ECLOSED);
    goc_chan_free(ch);
}

static void
test_recv_after_close_drains(void **state)
{
    (void)state;
    goc_chan *ch = make(sizeof(int), 3);
    int v;
    bool ok;

    for (int i = 1; i <= 3; i++)
        assert_int_equal(goc_chan_send(ch, &i), 0);
    assert_int_equal(goc_chan_close(ch), 0);
    assert_true(goc_chan_closed(ch));
    assert_int_equal(goc_chan_len(ch), 3);
    for (int i = 1; i <= 3; i++) {
        ok = false;
        assert_int_equal(goc_chan_recv(ch, &v, &ok), 0);
        assert_true(ok);
        assert_int_equal(v, i);
    }
    /* Drained: every kind of receive reports the close, at once. */
    v = -1;
    ok = true;
    assert_int_equal(goc_chan_recv(ch, &v, &ok), GOC_ECLOSED);
    assert_false(ok);
    assert_int_equal(v, 0);
    v = -1;
    assert_int_equal(goc_chan_try_recv(ch, &v, &ok), GOC_ECLOSED);
    assert_int_equal(v, 0);
    assert_int_equal(goc_chan_recv_until(ch, &v, &ok, GOC_FOREVER),
                     GOC_ECLOSED);
    assert_int_equal(goc_chan_recv(ch, NULL, NULL), GOC_ECLOSED);

    /* The range idiom ends. */
    int n = 0;
    while (goc_chan_recv(ch, &v, NULL) == 0)
        n++;
    assert_int_equal(n, 0);
    goc_chan_free(ch);
}

static void
test_send_after_close_and_double_close(void **state)
{
    (void)state;
    goc_chan *ch = make(sizeof(int), 2);
    int v = 1;

    assert_int_equal(goc_chan_send(ch, &v), 0);
    assert_int_equal(goc_chan_close(ch), 0);
    v = 2;
    assert_int_equal(goc_chan_send(ch, &v), GOC_ECLOSED);
    assert_int_equal(goc_chan_try_send(ch, &v), GOC_ECLOSED);
    assert_int_equal(goc_chan_send_until(ch, &v, goc_deadline_after(
                                                     GOC_SECOND)),
                     GOC_ECLOSED);
    assert_int_equal(goc_chan_len(ch), 1);
    assert_int_equal(goc_chan_close(ch), GOC_ECLOSED);
    assert_true(goc_chan_closed(ch));
    assert_int_equal(goc_chan_len(ch), 1);
    assert_int_equal(goc_chan_recv(ch, &v, NULL), 0);
    assert_int_equal(v, 1);
    assert_int_equal(goc_chan_recv(ch, &v, NULL), GOC_ECLOSED);
    goc_chan_free(ch);
}

/* ------------------------------------------------------------ elements */

static void
test_zero_size_elements(void **state)
{
    (void)state;
    goc_chan *ch = make(0, 3);
    bool ok;

    for (int i = 0; i < 3; i++)
        assert_int_equal(goc_chan_send(ch, NULL), 0);
    assert_int_equal(goc_chan_try_send(ch, NULL), GOC_EAGAIN);
    assert_int_equal(goc_chan_len(ch), 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(goc_chan_recv(ch, NULL, &ok), 0);
        assert_true(ok);
    }
    assert_int_equal(goc_chan_try_recv(ch, NULL, NULL), GOC_EAGAIN);
    goc_chan_free(ch);

    /* Unbuffered signalling. */
    struct closer_arg a = {.ch = make(0, 0)};
    pthread_t t = spawn(blocked_receiver, &a);
    assert_true(wait_queued(a.ch, false, 1));
    assert_int_equal(goc_chan_send(a.ch, NULL), 0);
    join(t);
    assert_int_equal(a.result, 0);
    assert_true(a.ok);
    goc_chan_close(a.ch);
    assert_int_equal(goc_chan_recv(a.ch, NULL, &ok), GOC_ECLOSED);
    goc_chan_free(a.ch);
}

struct big {
    unsigned char bytes[256];
};

static void
fill_big(struct big *b, int seed)
{
    for (int i = 0; i < 256; i++)
        b->bytes[i] = (unsigned char)(seed * 31 + i);
}

struct big_arg {
    goc_chan *ch;
    int n;
};

static void *
big_sender(void *p)
{
    struct big_arg *a = p;
    struct big b;

    for (int i = 0; i < a->n; i++) {
        fill_big(&b, i);
        CHECK(goc_chan_send(a->ch, &b) == 0);
    }
    return NULL;
}

static void
test_large_elements(void **state)
{
    (void)state;
    for (size_t cap = 0; cap <= 5; cap += 5) {
        struct big_arg a = {make(sizeof(struct big), cap), 200};
        pthread_t t = spawn(big_sender, &a);
        for (int i = 0; i < a.n; i++) {
            struct big got, want;
            fill_big(&want, i);
            assert_int_equal(goc_chan_recv(a.ch, &got, NULL), 0);
            assert_memory_equal(got.bytes, want.bytes, sizeof want.bytes);
        }
        join(t);
        goc_chan_free(a.ch);
    }
}

/* ------------------------------------------------------------ deadlines */

static void
test_timeouts(void **state)
{
    (void)state;
    goc_chan *unbuf = make(sizeof(int), 0);
    goc_chan *full = make(sizeof(int), 1);
    int v = 1;
    bool ok = true;
    goc_time start;

    assert_int_equal(goc_chan_send(full, &v), 0);

    start = goc_now();
    assert_int_equal(goc_chan_recv_until(unbuf, &v, &ok,
                                         start + 50 * GOC_MILLISECOND),
                     GOC_ETIMEDOUT);
    assert_took(start, 50 * GOC_MILLISECOND);
    assert_false(ok);
    assert_int_equal(v, 1); /* untouched on timeout */

    start = goc_now();
    assert_int_equal(goc_chan_send_until(unbuf, &v,
                                         start + 50 * GOC_MILLISECOND),
                     GOC_ETIMEDOUT);
    assert_took(start, 50 * GOC_MILLISECOND);

    start = goc_now();
    assert_int_equal(goc_chan_send_until(full, &v,
                                         start + 50 * GOC_MILLISECOND),
                     GOC_ETIMEDOUT);
    assert_took(start, 50 * GOC_MILLISECOND);
    assert_int_equal(goc_chan_len(full), 1);

    /* The timed-out waiters left the queues. */
    assert_int_equal(queued(unbuf, false), 0);
    assert_int_equal(queued(unbuf, true), 0);
    assert_int_equal(queued(full, true), 0);

    /* A deadline already passed only polls: ETIMEDOUT, GOC_NOW: EAGAIN. */
    start = goc_now();
    assert_int_equal(goc_chan_recv_until(unbuf, &v, NULL,
                                         goc_deadline_after(-1)),
                     GOC_ETIMEDOUT);
    assert_int_equal(goc_chan_send_until(full, &v, goc_deadline_after(0)),
                     GOC_ETIMEDOUT);
    assert_int_equal(goc_chan_recv_until(unbuf, &v, NULL, GOC_NOW),
                     GOC_EAGAIN);
    assert_int_equal(goc_chan_send_until(full, &v, GOC_NOW), GOC_EAGAIN);
    assert_true(goc_now() - start < GOC_SECOND);

    /* A value that is there is taken even with a passed deadline. */
    assert_int_equal(goc_chan_recv_until(full, &v, &ok, GOC_NOW), 0);
    assert_true(ok);
    goc_chan_free(unbuf);
    goc_chan_free(full);
}

/* A deadline that is not reached does not fire. */
static void
test_deadline_not_reached(void **state)
{
    (void)state;
    struct rendezvous r = {.ch = make(sizeof(int), 0), .value = 77};
    int v = 0;

    pthread_t t = spawn(rendezvous_sender, &r);
    assert_int_equal(goc_chan_recv_until(r.ch, &v, NULL,
                                         goc_deadline_after(10 * GOC_SECOND)),
                     0);
    assert_int_equal(v, 77);
    join(t);
    goc_chan_free(r.ch);
}

struct timed_recv {
    goc_chan *ch;
    goc_time deadline;
    int value;
    int result;
    atomic_int done;
};

static void *
timed_receiver(void *p)
{
    struct timed_recv *a = p;

    a->result = goc_chan_recv_until(a->ch, &a->value, NULL, a->deadline);
    atomic_store(&a->done, 1);
    return NULL;
}

/* Blocked receivers are served in FIFO order, and one that times out in
 * the middle of the queue leaves it without disturbing the others. */
static void
test_timeout_in_middle_of_queue(void **state)
{
    (void)state;
    goc_chan *ch = make(sizeof(int), 0);
    struct timed_recv r[3];
    pthread_t t[3];

    for (int i = 0; i < 3; i++) {
        r[i] = (struct timed_recv){
            .ch = ch,
            .deadline = i == 1 ? goc_deadline_after(50 * GOC_MILLISECOND)
                               : GOC_FOREVER,
        };
        t[i] = spawn(timed_receiver, &r[i]);
        assert_true(wait_queued(ch, false, (size_t)i + 1)); /* in order */
    }
    join(t[1]);
    assert_int_equal(r[1].result, GOC_ETIMEDOUT);
    assert_int_equal(queued(ch, false), 2);
    for (int v = 10; v <= 11; v++)
        assert_int_equal(goc_chan_send(ch, &v), 0);
    join(t[0]);
    join(t[2]);
    assert_int_equal(r[0].result, 0);
    assert_int_equal(r[0].value, 10);
    assert_int_equal(r[2].result, 0);
    assert_int_equal(r[2].value, 11);
    goc_chan_free(ch);
}

/* The race at a deadline: a peer claims the waiter (under the lock) just
 * before its deadline and wakes it only after.  The operation counts: the
 * receiver must wait for the wake-up and report success.  We play the
 * peer by hand with the private queue API. */
static void
test_claimed_before_deadline_counts(void **state)
{
    (void)state;
    goc_chan *ch = make(sizeof(int), 0);
    struct timed_recv r = {
        .ch = ch, .deadline = goc_deadline_after(20 * GOC_MILLISECOND)};

    pthread_t t = spawn(timed_receiver, &r);
    assert_true(wait_queued(ch, false, 1));
    goc__lock_acquire(&ch->lock);
    goc__waiter *w = goc__waitq_claim(&ch->recvq);
    assert_non_null(w);
    *(int *)w->elem = 99;
    w->success = true;
    goc__lock_release(&ch->lock);

    /* Let the deadline pass: the receiver must not return meanwhile. */
    goc_sleep_until(r.deadline + 30 * GOC_MILLISECOND);
    assert_int_equal(atomic_load(&r.done), 0);
    goc__waiter_wake(w);
    join(t);
    assert_int_equal(r.result, 0);
    assert_int_equal(r.value, 99);
    assert_int_equal(queued(ch, false), 0);
    goc_chan_free(ch);
}

/* Short deadlines racing with peers: a value reported sent is received
 * exactly once, a value reported timed out never. */
struct race_arg {
    goc_chan *ch;
    int n;
    long long sum;
    int count;
    atomic_int done;
};

static void *
race_sender(void *p)
{
    struct race_arg *a = p;

    for (int i = 1; i <= a->n; i++) {
        goc_time d = goc_deadline_after((goc_duration)(goc__rand() % 50) *
                                        GOC_MICROSECOND);
        int r = goc_chan_send_until(a->ch, &i, d);
        CHECK(r == 0 || r == GOC_ETIMEDOUT);
        if (r == 0) {
            a->sum += i;
            a->count++;
        }
    }
    atomic_store(&a->done, 1);
    return NULL;
}

static void
test_deadline_races(void **state)
{
    (void)state;
    for (size_t cap = 0; cap <= 1; cap++) {
        struct race_arg s = {.ch = make(sizeof(int), cap), .n = 3000};
        pthread_t t = spawn(race_sender, &s);
        long long sum = 0;
        int count = 0, v;

        for (;;) {
            goc_time d = goc_deadline_after(
                (goc_duration)(goc__rand() % 50) * GOC_MICROSECOND);
            int r = goc_chan_recv_until(s.ch, &v, NULL, d);
            if (r == 0) {
                sum += v;
                count++;
            } else {
                assert_int_equal(r, GOC_ETIMEDOUT);
                if (atomic_load(&s.done))
                    break;
            }
        }
        join(t);
        while (goc_chan_try_recv(s.ch, &v, NULL) == 0) {
            sum += v;
            count++;
        }
        assert_true(s.count > 0);
        assert_int_equal(count, s.count);
        assert_int_equal(sum, s.sum);
        assert_int_equal(queued(s.ch, true), 0);
        assert_int_equal(queued(s.ch, false), 0);
        goc_chan_free(s.ch);
    }
}

/* ------------------------------------------------------------ many */

enum { MANY_PRODUCERS = 4, MANY_CONSUMERS = 4 };

struct many {
    goc_chan *ch;
    int items;
    atomic_int next; /* the producers hand out 0..items-1 */
    atomic_llong sum;
    atomic_int received;
};

static void *
many_producer(void *p)
{
    struct many *m = p;

    for (;;) {
        int v = atomic_fetch_add(&m->next, 1);
        if (v >= m->items)
            return NULL;
        CHECK(goc_chan_send(m->ch, &v) == 0);
    }
}

static void *
many_consumer(void *p)
{
    struct many *m = p;
    int v;
    long long sum = 0;
    int n = 0;

    while (goc_chan_recv(m->ch, &v, NULL) == 0) {
        sum += v;
        n++;
    }
    atomic_fetch_add(&m->sum, sum);
    atomic_fetch_add(&m->received, n);
    return NULL;
}

static void
many(size_t cap, int items)
{
    struct many m = {.ch = make(sizeof(int), cap), .items = items};
    pthread_t p[MANY_PRODUCERS], c[MANY_CONSUMERS];

    for (int i = 0; i < MANY_CONSUMERS; i++)
        c[i] = spawn(many_consumer, &m);
    for (int i = 0; i < MANY_PRODUCERS; i++)
        p[i] = spawn(many_producer, &m);
    for (int i = 0; i < MANY_PRODUCERS; i++)
        join(p[i]);
    assert_int_equal(goc_chan_close(m.ch), 0);
    for (int i = 0; i < MANY_CONSUMERS; i++)
        join(c[i]);
    assert_int_equal(atomic_load(&m.received), items);
    assert_int_equal(atomic_load(&m.sum), (long long)items * (items - 1) / 2);
    goc_chan_free(m.ch);
}

/* A thread that sends one value and returns: the receiver frees the
 * channel as soon as it has the value, as Go code drops its last
 * reference.  The sender may still be inside goc_chan_send, waking the
 * receiver; it must not touch the freed channel then (ASan and TSan
 * builds catch it when it does). */
static void *
send_one(void *p)
{
    int v = 7;

    CHECK(goc_chan_send(p, &v) == 0);
    return NULL;
}

/* The mirror: fills the channel, then sends once more and blocks until
 * the receiver takes a value; then frees the channel itself. */
static void *
send_two_then_free(void *p)
{
    int v = 1;

    CHECK(goc_chan_send(p, &v) == 0);
    CHECK(goc_chan_send(p, &v) == 0);
    goc_chan_free(p);
    return NULL;
}

static void
test_free_right_after_last_value(void **state)
{
    (void)state;
    for (int round = 0; round < 2000; round++) {
        goc_chan *ch = make(sizeof(int), 1);
        int v = 0;
        pthread_t t = spawn(send_one, ch);
        assert_int_equal(goc_chan_recv(ch, &v, NULL), 0);
        assert_int_equal(v, 7);
        goc_chan_free(ch);
        join(t);

        /* The sender frees it once its second send, which waits for
         * this receive, has returned; this thread touches it no more. */
        ch = make(sizeof(int), 1);
        t = spawn(send_two_then_free, ch);
        assert_int_equal(goc_chan_recv(ch, &v, NULL), 0);
        assert_int_equal(v, 1);
        join(t);
    }
}

static void
test_many_threads(void **state)
{
    (void)state;
    many(64, 100000);
    many(1, 20000);
    many(0, 20000);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_make_and_accessors),
        cmocka_unit_test(test_make_named_copies_name),
        cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_make_out_of_memory),
        cmocka_unit_test(test_refcount_and_on_free),
        cmocka_unit_test(test_buffered_fifo_and_wraparound),
        cmocka_unit_test(test_fifo_per_producer),
        cmocka_unit_test(test_blocked_sender_on_full_buffer),
        cmocka_unit_test(test_unbuffered_rendezvous),
        cmocka_unit_test(test_try_ops_with_blocked_partner),
        cmocka_unit_test(test_close_wakes_every_receiver),
        cmocka_unit_test(test_close_wakes_every_sender),
        cmocka_unit_test(test_recv_after_close_drains),
        cmocka_unit_test(test_send_after_close_and_double_close),
        cmocka_unit_test(test_zero_size_elements),
        cmocka_unit_test(test_large_elements),
        cmocka_unit_test(test_timeouts),
        cmocka_unit_test(test_deadline_not_reached),
        cmocka_unit_test(test_free_right_after_last_value),
        cmocka_unit_test(test_timeout_in_middle_of_queue),
        cmocka_unit_test(test_claimed_before_deadline_counts),
        cmocka_unit_test(test_deadline_races),
        cmocka_unit_test(test_many_threads),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
