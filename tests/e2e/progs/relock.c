/*
 * relock.c MODE - a thread takes a libgoc lock that it already holds (or,
 * for read_twice, a read lock it holds while a writer waits), and main
 * proves that the thread is blocked for good and that the lock still
 * excludes others.  Then main exits, leaving the thread stuck.
 *
 *   mutex          goc_mutex_lock twice
 *   write_twice    goc_rwmutex_lock twice
 *   read_in_write  goc_rwmutex_lock, then goc_rwmutex_rlock
 *   write_in_read  goc_rwmutex_rlock, then goc_rwmutex_lock
 *   read_twice     goc_rwmutex_rlock; a writer starts waiting; rlock again
 *
 * "Blocked for good" is observed, never inferred from time: the thread's
 * /proc entry shows it asleep in futex(2) with no timeout, the statement
 * after its second lock call has not run, and after a signal has
 * interrupted that futex wait (its handler ran on the thread) the thread
 * is asleep in futex(2) again and still has not returned.  Prints one line
 * per step; exits 0 when every check held, 1 otherwise.
 */
#define _GNU_SOURCE
#include "goc.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static goc_mutex mu = GOC_MUTEX_INIT;
static goc_rwmutex rw = GOC_RWMUTEX_INIT;
static const char *mode;

static _Atomic int stage;      /* the relocker: 1 holds, 2 relock returned */
static _Atomic int relock_now; /* read_twice: main says "take it again" */
static _Atomic int relocker_tid, writer_tid, writer_done;
static _Atomic int handled;    /* SIGUSR1 handlers run */

static void
on_usr1(int sig)
{
    (void)sig;
    atomic_fetch_add(&handled, 1);
}

static void
pause_ms(int ms)
{
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

static void
fail(const char *what)
{
    printf("FAIL: %s\n", what);
    fflush(stdout);
    _exit(1);
}

/* Reads /proc/self/task/TID/syscall: true when the thread sleeps in
 * futex(2); *timeout gets the call's timeout argument (0: none). */
static bool
in_futex(int tid, unsigned long *timeout)
{
    char path[64], buf[512], state = '?';
    FILE *f;
    long nr = -1;
    unsigned long a[4] = {0};

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
    if (fscanf(f, "%ld %lx %lx %lx %lx", &nr, &a[0], &a[1], &a[2], &a[3]) < 5)
        nr = -1;
    fclose(f);
    *timeout = a[3];
    return state == 'S' && nr == SYS_futex;
}

/* Polls (up to 20 s: a loaded machine) until tid sleeps in futex(2). */
static void
await_futex_sleep(int tid, const char *who)
{
    unsigned long timeout = 1;
    char msg[128];

    for (int i = 0; i < 20000; i++) {
        if (atomic_load(&stage) == 2)
            fail("the second lock call returned");
        if (in_futex(tid, &timeout)) {
            if (timeout != 0) {
                snprintf(msg, sizeof msg, "%s sleeps with a timeout", who);
                fail(msg);
            }
            return;
        }
        pause_ms(1);
    }
    snprintf(msg, sizeof msg, "%s never went to sleep in futex(2)", who);
    fail(msg);
}

static void
await(_Atomic int *v, int want, const char *what)
{
    for (int i = 0; i < 20000 && atomic_load(v) < want; i++)
        pause_ms(1);
    if (atomic_load(v) < want)
        fail(what);
}

static void *
relocker(void *arg)
{
    (void)arg;
    atomic_store(&relocker_tid, (int)syscall(SYS_gettid));
    if (!strcmp(mode, "mutex")) {
        goc_mutex_lock(&mu);
        atomic_store(&stage, 1);
        goc_mutex_lock(&mu);
    } else if (!strcmp(mode, "write_twice")) {
        goc_rwmutex_lock(&rw);
        atomic_store(&stage, 1);
        goc_rwmutex_lock(&rw);
    } else if (!strcmp(mode, "read_in_write")) {
        goc_rwmutex_lock(&rw);
        atomic_store(&stage, 1);
        goc_rwmutex_rlock(&rw);
    } else if (!strcmp(mode, "write_in_read")) {
        goc_rwmutex_rlock(&rw);
        atomic_store(&stage, 1);
        goc_rwmutex_lock(&rw);
    } else { /* read_twice */
        goc_rwmutex_rlock(&rw);
        atomic_store(&stage, 1);
        await(&relock_now, 1, "main never said to relock");
        goc_rwmutex_rlock(&rw);
    }
    atomic_store(&stage, 2); /* must never run */
    return NULL;
}

static void *
writer(void *arg)
{
    (void)arg;
    atomic_store(&writer_tid, (int)syscall(SYS_gettid));
    goc_rwmutex_lock(&rw);
    atomic_store(&writer_done, 1); /* must never run either */
    goc_rwmutex_unlock(&rw);
    return NULL;
}

int
main(int argc, char **argv)
{
    struct sigaction sa;
    pthread_t t, w;

    if (argc != 2)
        return 2;
    mode = argv[1];
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1; /* no SA_RESTART: the futex wait is cut */
    sigaction(SIGUSR1, &sa, NULL);

    if (pthread_create(&t, NULL, relocker, NULL) != 0)
        fail("pthread_create");
    await(&stage, 1, "the relocker never took the lock");
    if (!strcmp(mode, "read_twice")) {
        if (pthread_create(&w, NULL, writer, NULL) != 0)
            fail("pthread_create");
        await(&writer_tid, 1, "the writer never started");
        await_futex_sleep(atomic_load(&writer_tid), "the writer");
        printf("writer waits\n");
        atomic_store(&relock_now, 1);
    }
    int tid = atomic_load(&relocker_tid);
    await_futex_sleep(tid, "the relocker");
    if (atomic_load(&stage) != 1)
        fail("the second lock call returned");
    printf("blocked\n");

    /* Cut the futex wait: the handler runs on the thread, which must
     * then wait again, not return. */
    if (syscall(SYS_tgkill, getpid(), tid, SIGUSR1) != 0)
        fail("tgkill");
    await(&handled, 1, "the signal handler never ran");
    await_futex_sleep(tid, "the relocker, after the signal,");
    if (atomic_load(&stage) != 1)
        fail("the second lock call returned after a signal");
    printf("blocked after a signal\n");

    /* Exclusion is kept: nobody else gets the lock. */
    if (!strcmp(mode, "mutex")) {
        if (goc_mutex_try_lock(&mu))
            fail("another thread took the mutex");
    } else {
        if (goc_rwmutex_try_lock(&rw))
            fail("another thread took the write lock");
        bool write_held = !strcmp(mode, "write_twice") ||
                          !strcmp(mode, "read_in_write");
        /* Held for writing, or held for reading with a writer waiting
         * (read_twice) or a writer waiting that is the holder itself
         * (write_in_read): no new reader either. */
        if (goc_rwmutex_try_rlock(&rw))
            fail(write_held ? "a reader got in under the writer"
                            : "a reader got in past the waiting writer");
        if (atomic_load(&writer_done))
            fail("the writer got the lock");
    }
    printf("excluded\n");
    fflush(stdout);
    return 0; /* the relocker stays blocked until the process ends */
}
