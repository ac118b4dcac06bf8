/*
 * leak_at_exit.c - threads left behind when main returns at once, and the
 * threads that are not leaks.  One mode per run:
 *
 *   thread       BUG: a thread whose first act is to lock a mutex that
 *                main holds; main returns as soon as pthread_create has.
 *                Whether the thread ran before the end is up to the
 *                scheduler: it is a leak either way.
 *   thread_ok    its twin: main lets go of the mutex and joins the thread.
 *   goroutine    BUG: a goroutine whose first act is a send on an
 *                unbuffered channel that nobody receives from; main
 *                returns as soon as goc_go has.
 *   goroutine_ok its twin: main receives the value (and waits for the
 *                goroutine's end before it frees the channel).
 *   timed        a thread in a condvar wait with a timeout (an hour): it
 *                ends by itself, it is not blocked forever.
 *   running      a thread that computes until the process ends: still
 *                running, not blocked (ThreadSanitizer's rule).
 *   exit_thread  a thread in a condvar wait forever calls exit(3) from a
 *                signal handler: the thread that called exit is the
 *                process ending, not a leak.
 *   asleep       a thread asleep in read(2) on a pipe nobody writes to,
 *                where the recorder does not see it wait: nothing to
 *                report, and nothing for the exit grace to wait for.
 */
#include <goc.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static pthread_cond_t ready_c = PTHREAD_COND_INITIALIZER;
static int ready;

static void
die(const char *what, int e)
{
    fprintf(stderr, "%s: %s\n", what, strerror(e));
    exit(1);
}

static void
spawn(pthread_t *th, void *(*fn)(void *))
{
    int e = pthread_create(th, NULL, fn, NULL);
    if (e)
        die("pthread_create", e);
}

static void *
lock_held(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m); /* main holds it to the end */
    pthread_mutex_unlock(&m);
    return NULL;
}

static void
sender(void *arg)
{
    int v = 7;
    goc_chan_send(arg, &v); /* nobody receives */
}

/* Waits on c until the process ends: forever, or for an hour. */
static void *
waiter(void *timed)
{
    pthread_mutex_lock(&m);
    ready = 1;
    pthread_cond_signal(&ready_c);
    if (timed) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 3600;
        while (pthread_cond_timedwait(&c, &m, &ts) == 0)
            ;
    } else {
        for (;;)
            pthread_cond_wait(&c, &m);
    }
    pthread_mutex_unlock(&m);
    return NULL;
}

/* Starts waiter and returns once it waits on c (it let go of m there). */
static pthread_t
spawn_waiter(int timed)
{
    pthread_t th;
    pthread_mutex_lock(&m);
    int e = pthread_create(&th, NULL, waiter, timed ? &th : NULL);
    if (e)
        die("pthread_create", e);
    while (!ready)
        pthread_cond_wait(&ready_c, &m);
    pthread_mutex_unlock(&m);
    return th;
}

static void *
spin(void *arg)
{
    volatile unsigned long n = 0;
    (void)arg;
    for (;;)
        n++;
    return NULL;
}

static int pipefd[2];

static void *
read_pipe(void *arg)
{
    char b;
    (void)arg;
    ssize_t r = read(pipefd[0], &b, 1);
    (void)r;
    return NULL;
}

static void
on_usr1(int sig)
{
    (void)sig;
    exit(3);
}

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    pthread_t th;

    if (strcmp(mode, "thread") == 0 || strcmp(mode, "thread_ok") == 0) {
        pthread_mutex_lock(&m);
        spawn(&th, lock_held);
        if (strcmp(mode, "thread") == 0)
            return 0; /* BUG: the thread waits for m forever */
        pthread_mutex_unlock(&m);
        pthread_join(th, NULL);
    } else if (strcmp(mode, "goroutine") == 0 ||
               strcmp(mode, "goroutine_ok") == 0) {
        goc_chan *ch;
        goc_waitgroup wg = GOC_WAITGROUP_INIT;
        int v;
        if (goc_chan_make(&ch, sizeof(int), 0) < 0)
            return 1;
        if (strcmp(mode, "goroutine") == 0) /* BUG: nobody will receive */
            return goc_go_named("sender", sender, ch) < 0;
        if (goc_wg_go(&wg, sender, ch) < 0)
            return 1;
        goc_chan_recv(ch, &v, NULL);
        goc_wg_wait(&wg);
        goc_chan_free(ch);
    } else if (strcmp(mode, "timed") == 0) {
        spawn_waiter(1);
    } else if (strcmp(mode, "running") == 0) {
        spawn(&th, spin);
    } else if (strcmp(mode, "exit_thread") == 0) {
        signal(SIGUSR1, on_usr1);
        th = spawn_waiter(0);
        pthread_kill(th, SIGUSR1);
        pthread_join(th, NULL); /* the handler's exit ends the process */
    } else if (strcmp(mode, "asleep") == 0) {
        if (pipe(pipefd) != 0)
            return 1;
        spawn(&th, read_pipe);
    } else {
        fprintf(stderr, "usage: leak_at_exit MODE\n");
        return 2;
    }
    return 0;
}
