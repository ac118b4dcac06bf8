/*
 * test_race.c - libgoc gives ThreadSanitizer the happens-before edges of
 * Go's memory model, which Go's race detector sees: data handed over
 * through a channel (unbuffered, buffered, closed, in both directions of
 * an unbuffered one, through select), a WaitGroup, a Once, a context's
 * cancellation, an errgroup or a semaphore is not reported; a racy twin of each, which touches the
 * data on the wrong side of the same hand-off, is.
 *
 * Each scenario runs in a child process (this program again, with the
 * scenario's name as argument), so that its report, on stderr, can be
 * read.  Built with -fsanitize=thread (make test-tsan), a clean scenario
 * must exit 0 with no ThreadSanitizer report, a racy one with TSan's exit
 * status (66) and a data race report that names the racy function.  In
 * other builds the scenarios only have to run (exit 0): nothing reports.
 *
 * Every scenario makes both of its accesses happen, whatever the
 * interleaving (the racy side is never skipped), and TSan reports two
 * accesses not ordered by happens-before whichever comes first: the
 * result does not depend on timing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "goc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_THREAD__)
#define TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TSAN 1
#endif
#endif

/* The handed-over data: a plain variable, which only the hand-off
 * orders.  Volatile, so that no access is optimised away: a read whose
 * result is unused would otherwise go, and with it the race. */
static volatile long data;
static bool racy;

/* Accesses out of line, so that TSan's report names them. */
static __attribute__((noinline)) void
write_data(long v)
{
    data = v;
}

static __attribute__((noinline)) void
write_late(long v) /* the racy twin's write, after the hand-off */
{
    data = v;
}

static __attribute__((noinline)) long
read_data(void)
{
    return data;
}

static __attribute__((noinline)) long
read_early(void) /* the racy twin's read, before the hand-off */
{
    return data;
}

/* The producer's side: write before the release, or after it. */
#define PRODUCE(release)                                                    \
    do {                                                                    \
        if (!racy)                                                          \
            write_data(42);                                                 \
        release;                                                            \
        if (racy)                                                           \
            write_late(42);                                                 \
    } while (0)

static int
check(bool ok, const char *what)
{
    if (!ok)
        fprintf(stderr, "scenario check failed: %s\n", what);
    return ok ? 0 : 1;
}

/* The scenario's threads: plain pthreads, started with pthread_create
 * and joined at the end, which order nothing else.  (Goroutines started
 * by goc_wg_go would: its Add reads the counter that an earlier
 * goroutine's Done wrote, so a goroutine that ended before the next one
 * was started would be ordered before everything after that start.) */
struct job {
    goc_fn fn;
    void *arg;
    pthread_t t;
};
static struct job jobs[4];
static int njobs;

static void *
run_job(void *p)
{
    struct job *j = p;

    j->fn(j->arg);
    return NULL;
}

static void
go(goc_fn fn, void *arg)
{
    struct job *j = &jobs[njobs++];

    j->fn = fn;
    j->arg = arg;
    if (pthread_create(&j->t, NULL, run_job, j) != 0)
        abort();
}

static void
join_all(void)
{
    while (njobs > 0)
        pthread_join(jobs[--njobs].t, NULL);
}

/* ------------------------------------------------------------ channels */

static goc_chan *ch;

static void
send_one(void *arg)
{
    int v = 1;

    (void)arg;
    PRODUCE(goc_chan_send(ch, &v));
}

static void
close_it(void *arg)
{
    (void)arg;
    PRODUCE(goc_chan_close(ch));
}

/* Receive, then read: the send (or close) happens before the receive
 * completes. */
static int
chan_handoff(size_t cap, void (*producer)(void *))
{
    int v = 0, fails = 0;
    long got;

    goc_chan_make(&ch, sizeof v, cap);
    go(producer, NULL);
    goc_chan_recv(ch, &v, NULL);
    got = read_data();
    join_all();
    fails += check(racy || got == 42, "the data arrived");
    goc_chan_free(ch);
    return fails;
}

static void
select_send(void *arg)
{
    int v = 1;
    goc_case c[1] = {GOC_SEND(ch, &v)};

    (void)arg;
    PRODUCE(goc_select(c, 1, GOC_FOREVER));
}

static int
select_handoff(void)
{
    int v = 0;
    goc_chan *never;
    long got;

    goc_chan_make(&ch, sizeof v, 0);
    goc_chan_make(&never, sizeof v, 0);
    go(select_send, NULL);
    goc_case c[2] = {GOC_RECV(never, &v), GOC_RECV(ch, &v)};
    int r = goc_select(c, 2, GOC_FOREVER);
    got = read_data();
    join_all();
    goc_chan_free(never);
    goc_chan_free(ch);
    return check(r == 1, "select chose the ready case") +
           check(racy || got == 42, "the data arrived");
}

/* An unbuffered channel the other way round (Go: "a receive from an
 * unbuffered channel is synchronized before the completion of the
 * corresponding send"): what the receiver wrote before receiving is
 * visible to the sender once its send returns. */
static void
receive_one(void *arg)
{
    int v;

    (void)arg;
    PRODUCE(goc_chan_recv(ch, &v, NULL));
}

static int
unbuffered_back(void)
{
    int v = 1;
    long got;

    goc_chan_make(&ch, sizeof v, 0);
    go(receive_one, NULL);
    goc_chan_send(ch, &v);
    got = read_data();
    join_all();
    goc_chan_free(ch);
    return check(racy || got == 42, "the data arrived");
}

/* ------------------------------------------------------------ WaitGroup */

static void
done_one(void *arg)
{
    goc_waitgroup *g = arg;

    PRODUCE(goc_wg_done(g));
}

/* Done only once every other Done is in (a relaxed load, which orders
 * nothing), so that the Done of the goroutine that writes is never the
 * last one: the edge to Wait must come from every Done. */
static void
last_done(void *arg)
{
    goc_waitgroup *g = arg;

    while (atomic_load_explicit(&g->count, memory_order_relaxed) != 1)
        sched_yield();
    goc_wg_done(g);
}

static int
waitgroup_handoff(void)
{
    goc_waitgroup g = GOC_WAITGROUP_INIT;
    long got;

    goc_wg_add(&g, 2);
    go(done_one, &g);
    go(last_done, &g);
    goc_wg_wait(&g);
    got = read_data();
    join_all();
    return check(racy || got == 42, "the data arrived");
}

/* ------------------------------------------------------------ Once */

static goc_once once = GOC_ONCE_INIT;
static _Thread_local bool ran_fn;

static int
init_data(void *arg)
{
    (void)arg;
    ran_fn = true;
    if (!racy)
        write_data(42);
    return 7;
}

/* Two goroutines race to the Once; the one that ran fn writes late in the
 * racy twin, the other reads after its goc_once_do returned. */
static void
use_once(void *arg)
{
    _Atomic int *fails = arg;
    int r = goc_once_do(&once, init_data, NULL);

    if (r != 7)
        atomic_fetch_add(fails, 1);
    if (ran_fn) {
        if (racy)
            write_late(42);
    } else if (!racy && read_data() != 42) {
        atomic_fetch_add(fails, 1);
    } else if (racy) {
        read_data();
    }
}

static int
once_handoff(void)
{
    _Atomic int fails = 0;

    go(use_once, &fails);
    go(use_once, &fails);
    join_all();
    return check(atomic_load(&fails) == 0, "once_do returned fn's result");
}

/* ------------------------------------------------------------ context */

static goc_ctx *ctx;

static void
cancel_it(void *arg)
{
    (void)arg;
    PRODUCE(goc_ctx_cancel(ctx));
}

static int
ctx_handoff(const char *how)
{
    long got;
    int err = 0;

    goc_ctx_with_cancel(&ctx, goc_ctx_background());
    go(cancel_it, NULL);
    if (!strcmp(how, "done")) { /* <-ctx.Done() */
        goc_chan_recv(goc_ctx_done(ctx), NULL, NULL);
        err = goc_ctx_err(ctx);
    } else if (!strcmp(how, "wait")) {
        err = goc_ctx_wait(ctx, GOC_FOREVER);
    } else { /* for ctx.Err() == nil {} */
        while ((err = goc_ctx_err(ctx)) == 0)
            goc_sleep(GOC_MICROSECOND);
    }
    got = read_data();
    join_all();
    goc_ctx_free(ctx);
    return check(err == GOC_ECANCELED, "the context was cancelled") +
           check(racy || got == 42, "the data arrived");
}

/* ------------------------------------------------------------ errgroup */

static int
task_writes(void *arg)
{
    (void)arg;
    write_data(42);
    return 0;
}

/* A task's work happens before goc_group_wait returns; the racy twin
 * reads before the wait instead (a task cannot act after its own end). */
static int
errgroup_handoff(void)
{
    goc_group *g;
    long got = 0;
    int r;

    goc_group_make(&g, NULL, NULL);
    goc_group_go(g, task_writes, NULL);
    if (racy)
        (void)read_early();
    r = goc_group_wait(g);
    if (!racy)
        got = read_data();
    goc_group_free(g);
    return check(r == 0, "the group succeeded") +
           check(racy || got == 42, "the data arrived");
}

/* ------------------------------------------------------------ semaphore */

static goc_sema *sema;
static long sema_got;

static void
acquire_then_read(void *arg)
{
    (void)arg;
    goc_sema_acquire(sema, NULL, 1);
    sema_got = read_data();
    goc_sema_release(sema, 1);
}

/* A release happens before the acquire that takes its units. */
static int
sema_handoff(void)
{
    goc_sema_make(&sema, 1);
    goc_sema_acquire(sema, NULL, 1);
    go(acquire_then_read, NULL);
    PRODUCE(goc_sema_release(sema, 1));
    join_all();
    goc_sema_free(sema);
    return check(racy || sema_got == 42, "the data arrived");
}

/* ------------------------------------------------------------ scenarios */

static int
run_scenario(const char *name)
{
    if (!strncmp(name, "racy_", 5)) {
        racy = true;
        name += 5;
    }
    if (!strcmp(name, "chan_unbuffered"))
        return chan_handoff(0, send_one);
    if (!strcmp(name, "chan_buffered"))
        return chan_handoff(4, send_one);
    if (!strcmp(name, "chan_close"))
        return chan_handoff(0, close_it);
    if (!strcmp(name, "chan_back"))
        return unbuffered_back();
    if (!strcmp(name, "select"))
        return select_handoff();
    if (!strcmp(name, "waitgroup"))
        return waitgroup_handoff();
    if (!strcmp(name, "once"))
        return once_handoff();
    if (!strcmp(name, "errgroup"))
        return errgroup_handoff();
    if (!strcmp(name, "sema"))
        return sema_handoff();
    if (!strncmp(name, "ctx_", 4))
        return ctx_handoff(name + 4);
    if (!strcmp(name, "control")) {
        /* The negative control: a read before the receive that the
         * write comes before is unordered even in the "clean" build. */
        int v;
        goc_chan_make(&ch, sizeof v, 0);
        go(send_one, NULL);
        (void)read_early();
        goc_chan_recv(ch, &v, NULL);
        join_all();
        goc_chan_free(ch);
        return 0;
    }
    fprintf(stderr, "no scenario %s\n", name);
    return 2;
}

/* This program's file.  Read before any fork, with readlink rather than
 * exec'd as /proc/self/exe: under Valgrind (make test-helgrind) that
 * names Valgrind's tool, and readlink is what Valgrind answers for. */
static char self_path[4096] = "/proc/self/exe";

/* Runs this program with the scenario; its exit status, its stderr in
 * err (NUL-terminated, cut at size). */
static int
spawn_scenario(const char *name, char *err, size_t size)
{
    int fd[2], status;
    size_t n = 0;
    pid_t pid;

    assert_int_equal(pipe(fd), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fd[1], 2);
        close(fd[0]);
        close(fd[1]);
        execl(self_path, "test_race", name, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    for (;;) {
        ssize_t r = read(fd[0], err + n, size - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
        if (n == size - 1) { /* keep the start; drain the rest */
            char sink[4096];
            while (read(fd[0], sink, sizeof sink) > 0)
                ;
            break;
        }
    }
    err[n] = '\0';
    close(fd[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void
expect_clean(const char *name)
{
    static char err[1 << 16];
    int st = spawn_scenario(name, err, sizeof err);

    if (st != 0 || strstr(err, "ThreadSanitizer") != NULL)
        fprintf(stderr, "scenario %s: exit %d:\n%s\n", name, st, err);
    assert_int_equal(st, 0);
    assert_null(strstr(err, "ThreadSanitizer"));
}

/* racy_fn: the function of the racy access TSan must name. */
static void
expect_race(const char *name, const char *racy_fn)
{
    static char err[1 << 16];
    int st = spawn_scenario(name, err, sizeof err);

#ifdef TSAN
    if (st != 66 || strstr(err, "WARNING: ThreadSanitizer: data race") == NULL ||
        strstr(err, racy_fn) == NULL)
        fprintf(stderr, "scenario %s: exit %d, want 66 and a race in %s:\n%s\n",
                name, st, racy_fn, err);
    assert_int_equal(st, 66);
    assert_non_null(strstr(err, "WARNING: ThreadSanitizer: data race"));
    assert_non_null(strstr(err, racy_fn));
    /* Only the planted race: every report names it. */
    for (const char *p = strstr(err, "WARNING: ThreadSanitizer");
         p != NULL; p = strstr(p + 1, "WARNING: ThreadSanitizer")) {
        const char *next = strstr(p + 1, "WARNING: ThreadSanitizer");
        const char *hit = strstr(p, racy_fn);
        assert_true(hit != NULL && (next == NULL || hit < next));
    }
#else
    (void)racy_fn;
    if (st != 0)
        fprintf(stderr, "scenario %s: exit %d:\n%s\n", name, st, err);
    assert_int_equal(st, 0); /* nothing to report it without TSan */
#endif
}

#define PAIR(name)                                                          \
    static void test_##name(void **state)                                   \
    {                                                                       \
        (void)state;                                                        \
        expect_clean(#name);                                                \
        expect_race("racy_" #name, "write_late");                           \
    }

PAIR(chan_unbuffered)
PAIR(chan_buffered)
PAIR(chan_close)
PAIR(chan_back)
PAIR(select)
PAIR(waitgroup)
PAIR(once)
PAIR(ctx_done)
PAIR(ctx_wait)
PAIR(ctx_err)

PAIR(sema)

static void
test_errgroup(void **state)
{
    (void)state;
    expect_clean("errgroup");
    expect_race("racy_errgroup", "read_early");
}

/* That the checks can fail: a read that no hand-off orders is reported. */
static void
test_control(void **state)
{
    (void)state;
    expect_race("control", "read_early");
}

int
main(int argc, char **argv)
{
    if (argc > 1)
        return run_scenario(argv[1]);
    ssize_t n = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
    if (n > 0)
        self_path[n] = '\0';

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_control),
        cmocka_unit_test(test_chan_unbuffered),
        cmocka_unit_test(test_chan_buffered),
        cmocka_unit_test(test_chan_close),
        cmocka_unit_test(test_chan_back),
        cmocka_unit_test(test_select),
        cmocka_unit_test(test_waitgroup),
        cmocka_unit_test(test_once),
        cmocka_unit_test(test_ctx_done),
        cmocka_unit_test(test_ctx_wait),
        cmocka_unit_test(test_ctx_err),
        cmocka_unit_test(test_errgroup),
        cmocka_unit_test(test_sema),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
