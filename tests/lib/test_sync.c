/*
 * test_sync.c - Mutex, RWMutex and Cond (lib/sync.c).
 *
 * "Is holding" and "is blocked" are made observable, never assumed after a
 * sleep: a goroutine that holds a lock says so through an atomic the test
 * waits on (bounded), and a cond waiter that bumped a counter under the
 * mutex is inside goc_cond_wait once the test holds that mutex again.
 * Waiters use goc_cond_wait_until with a generous deadline, so a missed
 * wake-up fails the test instead of hanging it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "goc.h"

#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---------------------------------------------------------------- helpers */

/* Bounded poll until *v >= want. */
static bool
wait_at_least(_Atomic int *v, int want, goc_duration limit)
{
    goc_time deadline = goc_deadline_after(limit);

    while (atomic_load(v) < want) {
        if (goc_now() >= deadline)
            return false;
        goc_sleep(100 * GOC_MICROSECOND);
    }
    return true;
}

#define LONG_WAIT (10 * GOC_SECOND) /* what a missed wake-up runs into */

/* ---------------------------------------------------------------- mutex */

#define INCREMENTERS 4
#define INCREMENTS 100000

struct counter {
    goc_mutex mu;
    long value; /* guarded by mu */
    goc_waitgroup wg;
};

static void
increment_many(void *p)
{
    struct counter *c = p;

    for (int i = 0; i < INCREMENTS; i++) {
        goc_mutex_lock(&c->mu);
        c->value++;
        goc_mutex_unlock(&c->mu);
    }
}

static void
test_mutex_counter(void **state)
{
    struct counter c = {.mu = GOC_MUTEX_INIT, .wg = GOC_WAITGROUP_INIT};

    (void)state;
    for (int i = 0; i < INCREMENTERS; i++)
        assert_int_equal(goc_wg_go(&c.wg, increment_many, &c), 0);
    goc_wg_wait(&c.wg);
    assert_int_equal(c.value, (long)INCREMENTERS * INCREMENTS);
}

struct holder {
    goc_mutex *mu;
    _Atomic int holding; /* 1 once locked, 2 once unlocked */
    _Atomic int release;
    goc_waitgroup wg;
};

static void
hold_mutex(void *p)
{
    struct holder *h = p;

    goc_mutex_lock(h->mu);
    atomic_store(&h->holding, 1);
    wait_at_least(&h->release, 1, LONG_WAIT);
    goc_mutex_unlock(h->mu);
    atomic_store(&h->holding, 2);
}

static void
test_mutex_try_lock(void **state)
{
    goc_mutex mu;
    struct holder h = {.mu = &mu, .wg = GOC_WAITGROUP_INIT};

    (void)state;
    memset(&mu, 0, sizeof mu); /* a zero-filled mutex is unlocked */
    assert_true(goc_mutex_try_lock(&mu));
    goc_mutex_unlock(&mu);

    assert_int_equal(goc_wg_go(&h.wg, hold_mutex, &h), 0);
    assert_true(wait_at_least(&h.holding, 1, 5 * GOC_SECOND));
    assert_false(goc_mutex_try_lock(&mu)); /* held by the goroutine */
    atomic_store(&h.release, 1);
    goc_wg_wait(&h.wg);
    assert_int_equal(atomic_load(&h.holding), 2);
    assert_true(goc_mutex_try_lock(&mu));
    goc_mutex_unlock(&mu);
}

/* ---------------------------------------------------------------- rwmutex */

struct readers {
    goc_rwmutex rw;
    _Atomic int inside;  /* readers holding the read lock */
    _Atomic int met;     /* readers that saw both inside at once */
    _Atomic int release;
    goc_waitgroup wg;
};

/* Takes the read lock, then waits (bounded) for the other reader to hold
 * it too: a barrier both can pass only if the lock admits two readers. */
static void
read_and_meet(void *p)
{
    struct readers *r = p;

    goc_rwmutex_rlock(&r->rw);
    atomic_fetch_add(&r->inside, 1);
    if (wait_at_least(&r->inside, 2, 5 * GOC_SECOND))
        atomic_fetch_add(&r->met, 1);
    wait_at_least(&r->release, 1, LONG_WAIT);
    atomic_fetch_sub(&r->inside, 1);
    goc_rwmutex_runlock(&r->rw);
}

static void
test_rwmutex_two_readers_exclude_writer(void **state)
{
    struct readers r = {.rw = GOC_RWMUTEX_INIT, .wg = GOC_WAITGROUP_INIT};

    (void)state;
    assert_int_equal(goc_wg_go(&r.wg, read_and_meet, &r), 0);
    assert_int_equal(goc_wg_go(&r.wg, read_and_meet, &r), 0);
    assert_true(wait_at_least(&r.met, 2, 5 * GOC_SECOND));
    /* Both hold the read lock: a writer is excluded, a third reader not. */
    assert_false(goc_rwmutex_try_lock(&r.rw));
    assert_true(goc_rwmutex_try_rlock(&r.rw));
    goc_rwmutex_runlock(&r.rw);
    atomic_store(&r.release, 1);
    goc_wg_wait(&r.wg);
    assert_int_equal(atomic_load(&r.inside), 0);

    /* Released: a writer gets in, and then readers are excluded. */
    assert_true(goc_rwmutex_try_lock(&r.rw));
    assert_false(goc_rwmutex_try_lock(&r.rw));
    goc_rwmutex_unlock(&r.rw);
}

struct writer {
    goc_rwmutex rw;
    _Atomic int holding;
    _Atomic int release;
    _Atomic int reader_got_in;
    goc_waitgroup wg;
};

static void
hold_write(void *p)
{
    struct writer *w = p;

    goc_rwmutex_lock(&w->rw);
    atomic_store(&w->holding, 1);
    wait_at_least(&w->release, 1, LONG_WAIT);
    goc_rwmutex_unlock(&w->rw);
}

static void
try_read(void *p)
{
    struct writer *w = p;

    if (goc_rwmutex_try_rlock(&w->rw)) {
        atomic_store(&w->reader_got_in, 1);
        goc_rwmutex_runlock(&w->rw);
    }
}

static void
test_rwmutex_writer_excludes_readers(void **state)
{
    struct writer w = {.rw = GOC_RWMUTEX_INIT, .wg = GOC_WAITGROUP_INIT};
    goc_waitgroup readers = GOC_WAITGROUP_INIT;

    (void)state;
    assert_int_equal(goc_wg_go(&w.wg, hold_write, &w), 0);
    assert_true(wait_at_least(&w.holding, 1, 5 * GOC_SECOND));
    assert_int_equal(goc_wg_go(&readers, try_read, &w), 0);
    goc_wg_wait(&readers);
    assert_int_equal(atomic_load(&w.reader_got_in), 0);
    assert_false(goc_rwmutex_try_lock(&w.rw));
    atomic_store(&w.release, 1);
    goc_wg_wait(&w.wg);

    /* Blocking rlock and lock work once it is free. */
    goc_rwmutex_rlock(&w.rw);
    goc_rwmutex_runlock(&w.rw);
    goc_rwmutex_lock(&w.rw);
    goc_rwmutex_unlock(&w.rw);
}

/* ------------------------------------------------- rwmutex: writers first */

/* Whether thread tid sleeps in futex(2) now (/proc/self/task/TID). */
static bool
asleep_in_futex(int tid)
{
    char path[64], buf[512], state = '?';
    long nr = -1;
    FILE *f;

    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    if ((f = fopen(path, "r")) == NULL)
        return false;
    if (fgets(buf, sizeof buf, f) != NULL) {
        const char *p = strrchr(buf, ')');
        if (p && p[1])
            state = p[2];
    }
    fclose(f);
    snprintf(path, sizeof path, "/proc/self/task/%d/syscall", tid);
    if ((f = fopen(path, "r")) == NULL)
        return false;
    if (fscanf(f, "%ld", &nr) != 1)
        nr = -1;
    fclose(f);
    return state == 'S' && nr == SYS_futex;
}

/* Bounded poll until the thread whose tid is published in *tid sleeps in
 * futex(2). */
static bool
wait_asleep(_Atomic int *tid)
{
    goc_time deadline = goc_deadline_after(10 * GOC_SECOND);

    while (atomic_load(tid) == 0 || !asleep_in_futex(atomic_load(tid))) {
        if (goc_now() >= deadline)
            return false;
        goc_sleep(100 * GOC_MICROSECOND);
    }
    return true;
}

/* Bounded poll until try_rlock fails (it never does while only readers
 * hold or want the lock). */
static bool
rlock_refused(goc_rwmutex *rw)
{
    goc_time deadline = goc_deadline_after(10 * GOC_SECOND);

    while (goc_rwmutex_try_rlock(rw)) {
        goc_rwmutex_runlock(rw);
        if (goc_now() >= deadline)
            return false;
        goc_sleep(100 * GOC_MICROSECOND);
    }
    return true;
}

struct queue {
    goc_rwmutex *rw;
    _Atomic int writer_tid, reader_tid;
    _Atomic int order;      /* bumped by each goroutine as it gets in */
    _Atomic int writer_at;  /* the writer's place in that order (1-based) */
    _Atomic int reader_at;
    goc_waitgroup wg;
};

static void
queued_writer(void *p)
{
    struct queue *q = p;

    atomic_store(&q->writer_tid, (int)syscall(SYS_gettid));
    goc_rwmutex_lock(q->rw);
    atomic_store(&q->writer_at, atomic_fetch_add(&q->order, 1) + 1);
    goc_rwmutex_unlock(q->rw);
}

static void
queued_reader(void *p)
{
    struct queue *q = p;

    atomic_store(&q->reader_tid, (int)syscall(SYS_gettid));
    goc_rwmutex_rlock(q->rw);
    atomic_store(&q->reader_at, atomic_fetch_add(&q->order, 1) + 1);
    goc_rwmutex_runlock(q->rw);
}

/* The test holds a read lock; a writer comes and waits (seen asleep in
 * futex(2)); then a reader comes.  Go's RWMutex makes that reader wait
 * behind the writer; a read-preferring lock lets it in at once, beside
 * the test's read lock.  The order in which the two get in says which. */
static void
writer_goes_first(goc_rwmutex *rw)
{
    struct queue q = {.rw = rw, .wg = GOC_WAITGROUP_INIT};

    goc_rwmutex_rlock(rw);
    assert_int_equal(goc_wg_go(&q.wg, queued_writer, &q), 0);
    assert_true(wait_asleep(&q.writer_tid));
    /* A waiting writer keeps new readers out, try_rlock included.  (The
     * loop: under a sanitizer the writer may first sleep on a lock of
     * the runtime's own, before it has reached the rwlock.) */
    assert_true(rlock_refused(rw));
    assert_int_equal(goc_wg_go(&q.wg, queued_reader, &q), 0);
    assert_true(wait_asleep(&q.reader_tid));
    assert_int_equal(atomic_load(&q.order), 0); /* neither is in yet */
    goc_rwmutex_runlock(rw);
    goc_wg_wait(&q.wg);
    assert_int_equal(atomic_load(&q.writer_at), 1);
    assert_int_equal(atomic_load(&q.reader_at), 2);
}

/* The locks of these two tests are static: goc_rwmutex has no destroy,
 * and Helgrind would take a mutex made later at the same stack address
 * for this rwlock. */
static void
test_rwmutex_prefers_writers(void **state)
{
    static goc_rwmutex rw = GOC_RWMUTEX_INIT;

    (void)state;
    writer_goes_first(&rw);
}

static void
test_rwmutex_zero_filled_prefers_writers(void **state)
{
    static goc_rwmutex rw;

    (void)state;
    memset(&rw, 0, sizeof rw);
    writer_goes_first(&rw);
}

/* What sync.c's writer_preferring() relies on: a zero-filled glibc rwlock
 * with the writer-preferring kind in __flags is exactly what the static
 * initialiser and pthread_rwlock_init with that kind make. */
static void
test_rwmutex_kind_is_only_the_flags(void **state)
{
    pthread_rwlock_t by_init = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
    pthread_rwlock_t by_attr, by_flags;
    pthread_rwlockattr_t attr;
    goc_rwmutex goc = GOC_RWMUTEX_INIT;

    (void)state;
    memset(&by_attr, 0, sizeof by_attr);
    assert_int_equal(pthread_rwlockattr_init(&attr), 0);
    assert_int_equal(pthread_rwlockattr_setkind_np(
                         &attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP),
                     0);
    assert_int_equal(pthread_rwlock_init(&by_attr, &attr), 0);
    pthread_rwlockattr_destroy(&attr);
    memset(&by_flags, 0, sizeof by_flags);
    by_flags.__data.__flags = PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP;
    assert_memory_equal(&by_init, &by_attr, sizeof by_init);
    assert_memory_equal(&by_init, &by_flags, sizeof by_init);
    assert_memory_equal(&by_init, &goc.rw, sizeof by_init);
    pthread_rwlock_destroy(&by_attr);
}

/* ---------------------------------------------------------------- cond */

#define WAITERS 8

struct condtest {
    goc_mutex mu;
    goc_cond cv;
    int waiting;  /* guarded by mu: waiters inside their wait loop */
    int tokens;   /* guarded by mu: signal test, one per waiter to wake */
    bool go;      /* guarded by mu: broadcast test */
    _Atomic int woken;
    _Atomic int timed_out;
    goc_waitgroup wg;
};

static void
take_token(void *p)
{
    struct condtest *t = p;
    goc_time deadline = goc_deadline_after(LONG_WAIT);

    goc_mutex_lock(&t->mu);
    t->waiting++;
    while (t->tokens == 0) {
        if (goc_cond_wait_until(&t->cv, &t->mu, deadline) == GOC_ETIMEDOUT &&
            t->tokens == 0) {
            atomic_fetch_add(&t->timed_out, 1);
            goc_mutex_unlock(&t->mu);
            return;
        }
    }
    t->tokens--;
    atomic_fetch_add(&t->woken, 1);
    goc_mutex_unlock(&t->mu);
}

/* Holding mu with waiting == n means all n waiters are in cond_wait: each
 * releases mu only inside it. */
static void
lock_when_all_waiting(struct condtest *t, int n)
{
    goc_time deadline = goc_deadline_after(5 * GOC_SECOND);

    for (;;) {
        goc_mutex_lock(&t->mu);
        if (t->waiting == n)
            return;
        goc_mutex_unlock(&t->mu);
        assert_true(goc_now() < deadline);
        goc_sleep(100 * GOC_MICROSECOND);
    }
}

static void
test_cond_signal(void **state)
{
    struct condtest t = {.mu = GOC_MUTEX_INIT, .cv = GOC_COND_INIT,
                         .wg = GOC_WAITGROUP_INIT};

    (void)state;
    for (int i = 0; i < 3; i++)
        assert_int_equal(goc_wg_go(&t.wg, take_token, &t), 0);
    lock_when_all_waiting(&t, 3);
    goc_mutex_unlock(&t.mu);
    /* One token and one signal per waiter: each signal must wake one. */
    for (int i = 0; i < 3; i++) {
        goc_mutex_lock(&t.mu);
        t.tokens++;
        goc_cond_signal(&t.cv);
        goc_mutex_unlock(&t.mu);
    }
    goc_wg_wait(&t.wg);
    assert_int_equal(atomic_load(&t.woken), 3);
    assert_int_equal(atomic_load(&t.timed_out), 0);
    assert_int_equal(t.tokens, 0);
}

static void
wait_for_go(void *p)
{
    struct condtest *t = p;
    goc_time deadline = goc_deadline_after(LONG_WAIT);

    goc_mutex_lock(&t->mu);
    t->waiting++;
    while (!t->go) {
        if (goc_cond_wait_until(&t->cv, &t->mu, deadline) == GOC_ETIMEDOUT &&
            !t->go) {
            atomic_fetch_add(&t->timed_out, 1);
            goc_mutex_unlock(&t->mu);
            return;
        }
    }
    atomic_fetch_add(&t->woken, 1);
    goc_mutex_unlock(&t->mu);
}

static void
test_cond_broadcast(void **state)
{
    struct condtest t = {.mu = GOC_MUTEX_INIT, .cv = GOC_COND_INIT,
                         .wg = GOC_WAITGROUP_INIT};
    goc_time start;

    (void)state;
    for (int i = 0; i < WAITERS; i++)
        assert_int_equal(goc_wg_go(&t.wg, wait_for_go, &t), 0);
    lock_when_all_waiting(&t, WAITERS);
    start = goc_now();
    t.go = true;
    goc_cond_broadcast(&t.cv); /* one broadcast must wake all of them */
    goc_mutex_unlock(&t.mu);
    goc_wg_wait(&t.wg);
    assert_int_equal(atomic_load(&t.woken), WAITERS);
    assert_int_equal(atomic_load(&t.timed_out), 0);
    assert_true(goc_now() - start < LONG_WAIT);
}

static void
test_cond_wait_until_times_out(void **state)
{
    goc_mutex mu = GOC_MUTEX_INIT;
    goc_cond cv;
    goc_time start, deadline;
    int r;

    (void)state;
    memset(&cv, 0, sizeof cv); /* a zero-filled cond works */
    goc_mutex_lock(&mu);
    start = goc_now();
    deadline = start + 50 * GOC_MILLISECOND;
    while ((r = goc_cond_wait_until(&cv, &mu, deadline)) == 0)
        ; /* spurious wake-ups are allowed */
    assert_int_equal(r, GOC_ETIMEDOUT);
    assert_true(goc_now() >= deadline);
    assert_true(goc_now() - start < 2 * GOC_SECOND);

    /* A deadline already passed only polls; GOC_NOW and negative too. */
    assert_int_equal(goc_cond_wait_until(&cv, &mu, goc_now() - 1),
                     GOC_ETIMEDOUT);
    assert_int_equal(goc_cond_wait_until(&cv, &mu, GOC_NOW), GOC_ETIMEDOUT);
    assert_int_equal(goc_cond_wait_until(&cv, &mu, -5), GOC_ETIMEDOUT);
    /* The mutex is held again after each return. */
    assert_false(goc_mutex_try_lock(&mu));
    goc_mutex_unlock(&mu);
    assert_true(goc_mutex_try_lock(&mu));
    goc_mutex_unlock(&mu);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutex_counter),
        cmocka_unit_test(test_mutex_try_lock),
        cmocka_unit_test(test_rwmutex_two_readers_exclude_writer),
        cmocka_unit_test(test_rwmutex_writer_excludes_readers),
        cmocka_unit_test(test_rwmutex_prefers_writers),
        cmocka_unit_test(test_rwmutex_zero_filled_prefers_writers),
        cmocka_unit_test(test_rwmutex_kind_is_only_the_flags),
        cmocka_unit_test(test_cond_signal),
        cmocka_unit_test(test_cond_broadcast),
        cmocka_unit_test(test_cond_wait_until_times_out),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
