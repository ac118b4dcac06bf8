/*
 * misuse.c - one API misuse per mode, each beside a twin that does the
 * same work correctly.  Every mode runs to completion; the misuse modes'
 * expected finding is misuse/<subkind> (common/event.h).
 *
 *   unlock_unlocked / ok_unlock       unlock of a mutex nobody holds
 *   unlock_foreign / ok_foreign       unlock of a mutex another thread holds
 *   destroy_held / ok_destroy         destroy of a locked mutex
 *   exit_holding / ok_exit            a thread ends holding a mutex
 *   cond_no_mutex / ok_cond           condvar wait without its mutex held
 *   double_close / ok_close           libgoc: close a channel twice
 *   send_closed / ok_send             libgoc: send on a closed channel
 *   negative_wg / ok_wg               libgoc: WaitGroup below zero
 *   recursive_once / ok_once          libgoc: Once.Do from inside its fn
 *   sema_over / ok_sema               libgoc: release more than acquired
 *   close_nil / ok_close_nil          libgoc: close of a NULL channel
 *   group_limit / ok_group_limit      libgoc: errgroup set_limit while a
 *                                     task runs
 */
#define _GNU_SOURCE /* pthread_barrier_t */
#include <goc.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t b;

static void *
hold_then_wait(void *arg)
{
    pthread_mutex_lock(&m);
    pthread_barrier_wait(&b); /* main may now act on m */
    pthread_barrier_wait(&b); /* main is done */
    if (arg == NULL)
        pthread_mutex_unlock(&m);
    return NULL;
}

static void *
lock_and_leave(void *arg)
{
    pthread_mutex_lock(&m);
    if (arg == NULL)
        pthread_mutex_unlock(&m);
    return NULL;
}

static goc_once once = GOC_ONCE_INIT;
static bool nested;

static int
init_once(void *arg)
{
    (void)arg;
    if (nested)
        printf("nested Do: %s\n", goc_strerror(goc_once_do(&once, init_once,
                                                          NULL)));
    return 0;
}

static int
wait_on(void *arg)
{
    goc_chan_recv(arg, NULL, NULL); /* until main closes it */
    return 0;
}

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    pthread_t t;

    if (!strcmp(mode, "unlock_unlocked")) {
        pthread_mutex_unlock(&m);
    } else if (!strcmp(mode, "ok_unlock")) {
        pthread_mutex_lock(&m);
        pthread_mutex_unlock(&m);
    } else if (!strcmp(mode, "unlock_foreign") || !strcmp(mode, "ok_foreign")) {
        bool bad = !strcmp(mode, "unlock_foreign");
        pthread_barrier_init(&b, NULL, 2);
        pthread_create(&t, NULL, hold_then_wait, bad ? (void *)1 : NULL);
        pthread_barrier_wait(&b);
        if (bad)
            pthread_mutex_unlock(&m); /* held by the other thread */
        pthread_barrier_wait(&b);
        pthread_join(t, NULL);
    } else if (!strcmp(mode, "destroy_held")) {
        pthread_mutex_t d;
        pthread_mutex_init(&d, NULL);
        pthread_mutex_lock(&d);
        pthread_mutex_destroy(&d);
    } else if (!strcmp(mode, "ok_destroy")) {
        pthread_mutex_t d;
        pthread_mutex_init(&d, NULL);
        pthread_mutex_lock(&d);
        pthread_mutex_unlock(&d);
        pthread_mutex_destroy(&d);
    } else if (!strcmp(mode, "exit_holding") || !strcmp(mode, "ok_exit")) {
        pthread_create(&t, NULL, lock_and_leave,
                       !strcmp(mode, "exit_holding") ? (void *)1 : NULL);
        pthread_join(t, NULL);
    } else if (!strcmp(mode, "cond_no_mutex") || !strcmp(mode, "ok_cond")) {
        pthread_cond_t c = PTHREAD_COND_INITIALIZER;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 1000000;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        bool bad = !strcmp(mode, "cond_no_mutex");
        if (!bad)
            pthread_mutex_lock(&m);
        pthread_cond_timedwait(&c, &m, &ts);
        pthread_mutex_unlock(&m);
    } else if (!strcmp(mode, "double_close") || !strcmp(mode, "ok_close")) {
        goc_chan *ch;
        goc_chan_make(&ch, sizeof(int), 1);
        goc_chan_close(ch);
        if (!strcmp(mode, "double_close"))
            printf("second close: %s\n", goc_strerror(goc_chan_close(ch)));
        goc_chan_free(ch);
    } else if (!strcmp(mode, "send_closed") || !strcmp(mode, "ok_send")) {
        goc_chan *ch;
        int v = 1;
        goc_chan_make(&ch, sizeof(int), 1);
        if (!strcmp(mode, "ok_send"))
            goc_chan_send(ch, &v);
        goc_chan_close(ch);
        if (!strcmp(mode, "send_closed"))
            printf("send: %s\n", goc_strerror(goc_chan_send(ch, &v)));
        goc_chan_free(ch);
    } else if (!strcmp(mode, "negative_wg") || !strcmp(mode, "ok_wg")) {
        goc_waitgroup wg = GOC_WAITGROUP_INIT;
        goc_wg_add(&wg, 1);
        goc_wg_done(&wg);
        if (!strcmp(mode, "negative_wg"))
            printf("done again: %s\n", goc_strerror(goc_wg_done(&wg)));
        goc_wg_wait(&wg);
    } else if (!strcmp(mode, "recursive_once") || !strcmp(mode, "ok_once")) {
        nested = !strcmp(mode, "recursive_once");
        goc_once_do(&once, init_once, NULL);
    } else if (!strcmp(mode, "sema_over") || !strcmp(mode, "ok_sema")) {
        goc_sema *s;
        goc_sema_make(&s, 4);
        goc_sema_acquire(s, NULL, 2);
        printf("release: %s\n",
               goc_strerror(goc_sema_release(s, !strcmp(mode, "sema_over")
                                                    ? 3
                                                    : 2)));
        goc_sema_free(s);
    } else if (!strcmp(mode, "close_nil") || !strcmp(mode, "ok_close_nil")) {
        goc_chan *ch = NULL;
        if (!strcmp(mode, "ok_close_nil"))
            goc_chan_make(&ch, 0, 0);
        printf("close: %s\n", goc_strerror(goc_chan_close(ch)));
        goc_chan_free(ch);
    } else if (!strcmp(mode, "group_limit") ||
               !strcmp(mode, "ok_group_limit")) {
        bool bad = !strcmp(mode, "group_limit");
        goc_group *g;
        goc_chan *release;
        goc_chan_make(&release, 0, 0);
        goc_group_make(&g, NULL, NULL);
        if (!bad)
            goc_group_set_limit(g, 2);
        goc_group_go(g, wait_on, release);
        if (bad)
            printf("set_limit: %s\n",
                   goc_strerror(goc_group_set_limit(g, 2)));
        goc_chan_close(release);
        goc_group_wait(g);
        goc_group_free(g);
        goc_chan_free(release);
    } else {
        fprintf(stderr, "unknown mode %s\n", mode);
        return 2;
    }
    printf("%s: done\n", mode);
    return 0;
}
