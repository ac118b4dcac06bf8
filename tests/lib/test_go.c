/*
 * test_go.c - goroutines (lib/go.c): start, arguments, names, the live
 * count, ten thousand at once, stack sizes and every error.
 *
 * Goroutines here synchronise with the test through small futex gates and
 * counters of their own rather than WaitGroups, so that this program tests
 * go.c alone.  Waiting for goc_count() to drop is a bounded poll: a
 * goroutine leaves the count after its function has returned, and nothing
 * else signals that moment.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "goc_impl.h"

#include <limits.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------- helpers */

/* A gate goroutines wait at until the test opens it.  These helpers hand
 * data between threads through atomics and futexes, as libgoc does, so
 * they tell Helgrind the same way (GOC_HB_*, goc_impl.h). */
typedef struct gate {
    _Atomic uint32_t open;
} gate;

static void
gate_wait(gate *g)
{
    while (atomic_load(&g->open) == 0)
        goc__futex_wait(&g->open, 0, GOC_FOREVER);
    GOC_HB_AFTER(&g->open);
}

static void
gate_open(gate *g)
{
    GOC_HB_BEFORE(&g->open);
    atomic_store(&g->open, 1);
    goc__futex_wake(&g->open, INT32_MAX);
}

/* A counter the test can wait on: goroutines tick it, the test waits until
 * it reaches a value or a deadline passes. */
static void
tick(_Atomic uint32_t *n)
{
    GOC_HB_BEFORE(n);
    atomic_fetch_add(n, 1);
    goc__futex_wake(n, INT32_MAX);
}

static bool
wait_ticks(_Atomic uint32_t *n, uint32_t want, goc_duration limit)
{
    goc_time deadline = goc_deadline_after(limit);
    uint32_t v;

    while ((v = atomic_load(n)) < want)
        if (goc__futex_wait(n, v, deadline) == GOC_ETIMEDOUT &&
            atomic_load(n) < want)
            return false;
    GOC_HB_AFTER(n);
    return true;
}

/* Bounded poll until goc_count() == want. */
static bool
wait_count(size_t want, goc_duration limit)
{
    goc_time deadline = goc_deadline_after(limit);

    while (goc_count() != want) {
        if (goc_now() >= deadline)
            return false;
        goc_sleep(GOC_MILLISECOND);
    }
    return true;
}

/* Every test leaves no goroutine behind. */
static int
teardown(void **state)
{
    (void)state;
    return wait_count(0, 10 * GOC_SECOND) ? 0 : -1;
}

/* ---------------------------------------------------------------- tests */

struct arg_box {
    int in;
    _Atomic int out;
    _Atomic uint32_t done;
};

static void
double_it(void *p)
{
    struct arg_box *b = p;

    atomic_store(&b->out, b->in * 2);
    tick(&b->done);
}

static void
test_arg_passing(void **state)
{
    struct arg_box boxes[8];

    (void)state;
    for (int i = 0; i < 8; i++) {
        boxes[i].in = i + 1;
        atomic_init(&boxes[i].out, 0);
        atomic_init(&boxes[i].done, 0);
        assert_int_equal(goc_go(double_it, &boxes[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        assert_true(wait_ticks(&boxes[i].done, 1, 5 * GOC_SECOND));
        assert_int_equal(atomic_load(&boxes[i].out), 2 * (i + 1));
    }
}

struct name_probe {
    gate go;                 /* read the names only after this opens */
    char name[64];           /* goc_name() inside, or "(null)" */
    char comm[32];           /* the thread's kernel name */
    _Atomic uint32_t done;
};

static void
probe_name(void *p)
{
    struct name_probe *np = p;
    const char *n;

    gate_wait(&np->go);
    n = goc_name();
    snprintf(np->name, sizeof np->name, "%s", n ? n : "(null)");
    pthread_getname_np(pthread_self(), np->comm, sizeof np->comm);
    tick(&np->done);
}

static void
test_names(void **state)
{
    struct name_probe a = {0}, b = {0}, c = {0};
    char longname[] = "a-rather-long-goroutine-name-42";
    char shortname[] = "worker-1";

    (void)state;
    assert_null(goc_name()); /* the main thread is not a goroutine */

    assert_int_equal(goc_go_named(shortname, probe_name, &a), 0);
    assert_int_equal(goc_go_attr_start(&(goc_go_attr){.name = longname},
                                       probe_name, &b), 0);
    assert_int_equal(goc_go(probe_name, &c), 0);
    /* The names were copied: overwrite ours before the goroutines look. */
    memset(shortname, 'x', sizeof shortname - 1);
    memset(longname, 'y', sizeof longname - 1);
    gate_open(&a.go);
    gate_open(&b.go);
    gate_open(&c.go);
    assert_true(wait_ticks(&a.done, 1, 5 * GOC_SECOND));
    assert_true(wait_ticks(&b.done, 1, 5 * GOC_SECOND));
    assert_true(wait_ticks(&c.done, 1, 5 * GOC_SECOND));

    assert_string_equal(a.name, "worker-1");
    assert_string_equal(a.comm, "worker-1");
    assert_string_equal(b.name, "a-rather-long-goroutine-name-42");
    assert_string_equal(b.comm, "a-rather-long-g"); /* 15 characters */
    assert_string_equal(c.name, "(null)");
}

struct blocker {
    gate release;
    _Atomic uint32_t started;
};

static void
block_until_released(void *p)
{
    struct blocker *bl = p;

    tick(&bl->started);
    gate_wait(&bl->release);
}

static void
test_count_up_down(void **state)
{
    struct blocker bl = {0};

    (void)state;
    assert_int_equal(goc_count(), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(goc_go(block_until_released, &bl), 0);
        /* Counted from the moment goc_go returns, running or not. */
        assert_int_equal(goc_count(), (size_t)i + 1);
    }
    assert_true(wait_ticks(&bl.started, 3, 5 * GOC_SECOND));
    assert_int_equal(goc_count(), 3);
    gate_open(&bl.release);
    assert_true(wait_count(0, 5 * GOC_SECOND));
}

/*
 * Ten thousand, as the header promises.  Under ThreadSanitizer the runtime
 * itself cannot: it maps about ten areas per thread, so vm.max_map_count
 * (65530 by default) runs out near 6,000 threads, and gcc 12's libtsan dies
 * at 8,128 live threads anyway; its pthread_create also waits for the child
 * to start, which takes seconds per thousand on a loaded machine.  There we
 * check the same protocol with a few hundred; the plain and
 * AddressSanitizer builds check the full number.
 */
#if defined(__SANITIZE_THREAD__)
#define MANY 256
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MANY 256
#endif
#endif
#ifndef MANY
#define MANY 10000
#endif

/* GOC_TEST_MANY=n sets another number: Valgrind cannot hold ten thousand
 * threads (tests/stress/test_helgrind.sh runs this test with fewer). */
static int
many_threads(void)
{
    const char *env = getenv("GOC_TEST_MANY");
    int n = env != NULL ? atoi(env) : 0;

    return n > 0 ? n : MANY;
}

static void
test_ten_thousand_alive(void **state)
{
    static struct blocker bl; /* outlives nothing, but keep it off the
                                 stack of a test that may fail early */
    long threads_max = 0;
    int many = many_threads();
    FILE *f = fopen("/proc/sys/kernel/threads-max", "r");

    (void)state;
    if (f != NULL) {
        if (fscanf(f, "%ld", &threads_max) != 1)
            threads_max = 0;
        fclose(f);
    }
    print_message("threads-max %ld, starting %d\n", threads_max, many);

    memset(&bl, 0, sizeof bl);
    for (int i = 0; i < many; i++) {
        int err = goc_go(block_until_released, &bl);
        if (err != 0) {
            print_error("goroutine %d: %s\n", i, goc_strerror(err));
            gate_open(&bl.release);
            fail();
        }
    }
    /* All of them running at once: each has ticked and is parked. */
    assert_true(wait_ticks(&bl.started, (uint32_t)many, 60 * GOC_SECOND));
    assert_int_equal(goc_count(), many);
    gate_open(&bl.release);
    assert_true(wait_count(0, 60 * GOC_SECOND));
}

struct stack_probe {
    size_t size;
    _Atomic uint32_t done;
};

static void
probe_stack(void *p)
{
    struct stack_probe *sp = p;
    pthread_attr_t attr;

    sp->size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        pthread_attr_getstacksize(&attr, &sp->size);
        pthread_attr_destroy(&attr);
    }
    tick(&sp->done);
}

static size_t
stack_of(const goc_go_attr *attr)
{
    struct stack_probe sp = {0};

    assert_int_equal(goc_go_attr_start(attr, probe_stack, &sp), 0);
    assert_true(wait_ticks(&sp.done, 1, 5 * GOC_SECOND));
    return sp.size;
}

static void
test_stack_size(void **state)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t min = (size_t)PTHREAD_STACK_MIN;
    size_t small, got;

    (void)state;
    /* The default is 64 KiB; 0 restores it. */
    assert_int_equal(goc_set_stack_size(0), 64 * 1024);
    got = stack_of(NULL);
    assert_true(got >= 64 * 1024);
    assert_true(got < 1024 * 1024);

    assert_int_equal(goc_set_stack_size(100000), 64 * 1024);
    /* Rounded up to a page. */
    assert_int_equal(goc_set_stack_size(1), (100000 + page - 1) / page * page);
    /* Rounded up to PTHREAD_STACK_MIN and a page. */
    small = goc_set_stack_size(256 * 1024);
    assert_true(small >= min);
    assert_int_equal(small % page, 0);
    assert_true(small < min + page);

    got = stack_of(NULL);
    assert_true(got >= 256 * 1024);
    /* attr.stack_size overrides the default for one goroutine. */
    got = stack_of(&(goc_go_attr){.stack_size = 512 * 1024});
    assert_true(got >= 512 * 1024);

    assert_int_equal(goc_set_stack_size(0), 256 * 1024);
    assert_int_equal(goc_set_stack_size(0), 64 * 1024);
}

static void
must_not_run(void *p)
{
    atomic_store((_Atomic int *)p, 1);
}

static void
test_null_fn(void **state)
{
    (void)state;
    assert_int_equal(goc_go(NULL, NULL), GOC_EINVAL);
    assert_int_equal(goc_go_named("x", NULL, NULL), GOC_EINVAL);
    assert_int_equal(goc_go_attr_start(NULL, NULL, NULL), GOC_EINVAL);
    assert_int_equal(goc_count(), 0);
}

static void
test_out_of_memory(void **state)
{
    _Atomic int ran = 0;

    (void)state;
    atomic_store(&goc__alloc_fail_countdown, 1);
    assert_int_equal(goc_go_named("oom", must_not_run, (void *)&ran),
                     GOC_ENOMEM);
    assert_int_equal(atomic_load(&goc__alloc_fail_countdown), 0);
    assert_int_equal(goc_count(), 0);
    assert_int_equal(atomic_load(&ran), 0);
}

static void
test_system_refuses(void **state)
{
    /* A stack larger than the whole 47-bit address space: no mmap can
     * succeed, whatever the overcommit policy. */
    goc_go_attr attr = {.name = "huge", .stack_size = (size_t)1 << 48};
    _Atomic int ran = 0;

    (void)state;
    assert_int_equal(goc_go_attr_start(&attr, must_not_run, (void *)&ran),
                     GOC_ESYSTEM);
    assert_int_equal(goc_count(), 0);
    assert_int_equal(atomic_load(&ran), 0);
}

static void
exit_early(void *p)
{
    tick(p);
    pthread_exit(NULL);
}

static void
test_pthread_exit_leaves_count(void **state)
{
    _Atomic uint32_t started = 0;

    (void)state;
    assert_int_equal(goc_go_named("quitter", exit_early, (void *)&started), 0);
    assert_true(wait_ticks(&started, 1, 5 * GOC_SECOND));
    assert_true(wait_count(0, 5 * GOC_SECOND));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_arg_passing, teardown),
        cmocka_unit_test_teardown(test_names, teardown),
        cmocka_unit_test_teardown(test_count_up_down, teardown),
        cmocka_unit_test_teardown(test_ten_thousand_alive, teardown),
        cmocka_unit_test_teardown(test_stack_size, teardown),
        cmocka_unit_test_teardown(test_null_fn, teardown),
        cmocka_unit_test_teardown(test_out_of_memory, teardown),
        cmocka_unit_test_teardown(test_system_refuses, teardown),
        cmocka_unit_test_teardown(test_pthread_exit_leaves_count, teardown),
    };
    /* GOC_TEST_SKIP: a pattern of tests to leave out, for runs under
     * Valgrind (tests/stress/test_helgrind.sh says which and why). */
    const char *skip = getenv("GOC_TEST_SKIP");

    if (skip != NULL && *skip != '\0')
        cmocka_set_skip_filter(skip);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
