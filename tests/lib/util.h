/*
 * util.h - helpers shared by libgoc's cmocka tests.
 *
 * cmocka's asserts may only fail on the test's own thread: other threads
 * CHECK, which counts failures, and join() asserts there were none.
 * Include after <cmocka.h>.
 */
#ifndef GOC_TEST_UTIL_H
#define GOC_TEST_UTIL_H

#include <pthread.h>
#include <stdatomic.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "goc.h"

static atomic_int thread_failures;

#define CHECK(x)                                                            \
    do {                                                                    \
        if (!(x)) {                                                         \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,          \
                    __LINE__, #x);                                          \
            atomic_fetch_add(&thread_failures, 1);                          \
        }                                                                   \
    } while (0)

static inline pthread_t
spawn(void *(*fn)(void *), void *arg)
{
    pthread_t t;

    assert_int_equal(pthread_create(&t, NULL, fn, arg), 0);
    return t;
}

static inline void
join(pthread_t t)
{
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(atomic_load(&thread_failures), 0);
}

/* A timed call took at least min, and not absurdly long (a loaded machine
 * gets two seconds of slack). */
static inline void
assert_took(goc_time start, goc_duration min)
{
    goc_duration took = goc_now() - start;

    assert_true(took >= min);
    assert_true(took < 2 * GOC_SECOND);
}

/* Threads of this process whose name starts with prefix (libgoc's own
 * service threads), read from /proc. */
static inline int
threads_named(const char *prefix)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char path[300], comm[64] = "";
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue; /* the thread exited while we looked */
        if (fgets(comm, sizeof comm, f) != NULL &&
            strncmp(comm, prefix, strlen(prefix)) == 0)
            n++;
        fclose(f);
    }
    closedir(d);
    return n;
}

/* Waits up to 2 s for the service threads named prefix to be gone.  A
 * thread that libgoc has joined is past its exit, but the kernel lists
 * it in /proc a moment longer: this waits for what the join guarantees,
 * not for luck. */
static inline void
assert_no_threads_named(const char *prefix)
{
    goc_time limit = goc_now() + 2 * GOC_SECOND;

    while (threads_named(prefix) != 0 && goc_now() < limit)
        goc_sleep(GOC_MILLISECOND);
    assert_int_equal(threads_named(prefix), 0);
}

#ifdef GOC_CHAN_IMPL_H
/* Waiters queued on ch (senders or receivers), stale ones included: how
 * a test sees "X is blocked" without sleeping. */
static inline size_t
queued(goc_chan *ch, bool senders)
{
    size_t n = 0;

    goc__lock_acquire(&ch->lock);
    for (goc__waiter *w = senders ? ch->sendq.first : ch->recvq.first;
         w != NULL; w = w->next)
        n++;
    goc__lock_release(&ch->lock);
    return n;
}

/* Polls until n waiters are queued, for at most 5 s. */
static inline bool
wait_queued(goc_chan *ch, bool senders, size_t n)
{
    goc_time limit = goc_deadline_after(5 * GOC_SECOND);

    while (queued(ch, senders) != n) {
        if (goc_now() > limit)
            return false;
        goc_sleep(GOC_MILLISECOND);
    }
    return true;
}

static inline goc_chan *
make(size_t elem_size, size_t cap)
{
    goc_chan *ch = NULL;

    assert_int_equal(goc_chan_make(&ch, elem_size, cap), 0);
    assert_non_null(ch);
    return ch;
}
#endif

#endif
