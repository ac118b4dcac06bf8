/*
 * chan_cycle.c MODE - goroutines left blocked on each other through a
 * lock and a channel, a select or a WaitGroup, as Go code ported to
 * libgoc deadlocks; and the twins without the cycle.
 *
 *   lock_chan   consumer holds mu and waits to receive from ch; producer,
 *               ch's only sender, waits for mu before its next send (bug)
 *   lock_fixed  the same program, consumer releasing mu before it receives
 *   select      consumer holds mu in a select on ch1 and ch2; each has one
 *               sender, and both senders wait for mu (bug)
 *   select_open the same, but the select also receives from quit, which
 *               no goroutine ever sent on: main could have, so the select
 *               is not blocked by the cycle alone (leaks, no deadlock)
 *   sleeper     lock_chan with another goroutine asleep (a timed wait)
 *               that might yet send on ch: no deadlock is claimed
 *   wg          coordinator holds mu and waits for a WaitGroup whose
 *               worker (goc_wg_go) waits for mu before it returns (bug)
 *   wg_fixed    the coordinator releases mu before the Wait
 *   join        a thread holds mu and joins a thread that waits for mu
 *               (bug; pthreads, the same graph)
 *   join_fixed  the joiner releases mu before it joins
 *   hang        lock_chan with main waiting for both goroutines: the
 *               program hangs (for the watchdog)
 *
 * main orders every step with channels and waits until the goroutines
 * that must block sleep in the kernel in their last call (sleeping.h);
 * then it returns.
 */
#include <goc.h>

#include "sleeping.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static goc_mutex mu = GOC_MUTEX_INIT;
static goc_chan *ch1, *ch2, *quit, *held, *gate;
static atomic_int tids[4];
static int fixed;      /* the consumers release mu before blocking */
static int main_waits; /* main waits for the goroutines before it returns */

/* Called just before the call that must block: from then on the thread
 * sleeps in the kernel only in that call. */
static void
arm(int slot)
{
    atomic_store(&tids[slot], (int)syscall(SYS_gettid));
}

/* Sends once freely, then, let through the gate, takes mu before its
 * second send. */
static void
producer(void *arg)
{
    goc_chan *ch = arg;
    int v = 0;
    goc_chan_send(ch, &v);
    goc_chan_recv(gate, NULL, NULL);
    arm(ch == ch1 ? 1 : 2);
    goc_mutex_lock(&mu);
    goc_mutex_unlock(&mu);
    v = 1;
    goc_chan_send(ch, &v);
}

static void
consumer(void *arg)
{
    int v, one = 1;
    (void)arg;
    goc_chan_recv(ch1, &v, NULL);
    goc_mutex_lock(&mu);
    goc_chan_send(held, &one); /* tell main: mu is held */
    if (fixed)
        goc_mutex_unlock(&mu);
    arm(0);
    goc_chan_recv(ch1, &v, NULL);
    if (!fixed)
        goc_mutex_unlock(&mu);
}

static void
selecting(void *arg)
{
    int v, one = 1;
    goc_case cases[3] = {GOC_RECV(ch1, &v), GOC_RECV(ch2, &v),
                         GOC_RECV(quit, &v)};
    (void)arg;
    goc_chan_recv(ch1, &v, NULL);
    goc_chan_recv(ch2, &v, NULL);
    goc_mutex_lock(&mu);
    goc_chan_send(held, &one);
    arm(0);
    goc_select(cases, quit ? 3 : 2, GOC_FOREVER);
    goc_mutex_unlock(&mu);
}

static void
napper(void *arg)
{
    (void)arg;
    arm(3);
    goc_sleep(3600 * GOC_SECOND);
    int v = 2;
    goc_chan_send(ch1, &v);
}

static goc_waitgroup wg = GOC_WAITGROUP_INIT;

static void
worker(void *arg)
{
    (void)arg;
    arm(1);
    goc_mutex_lock(&mu);
    goc_mutex_unlock(&mu);
}

static void
coordinator(void *arg)
{
    int one = 1;
    (void)arg;
    goc_mutex_lock(&mu);
    goc_wg_go(&wg, worker, NULL);
    goc_chan_send(held, &one);
    if (fixed)
        goc_mutex_unlock(&mu);
    arm(0);
    goc_wg_wait(&wg);
    if (!fixed)
        goc_mutex_unlock(&mu);
}

static void *
joined(void *arg)
{
    (void)arg;
    arm(1);
    goc_mutex_lock(&mu);
    goc_mutex_unlock(&mu);
    return NULL;
}

static void *
joiner(void *arg)
{
    pthread_t t;
    (void)arg;
    goc_mutex_lock(&mu);
    pthread_create(&t, NULL, joined, NULL);
    if (fixed)
        goc_mutex_unlock(&mu);
    arm(0);
    pthread_join(t, NULL);
    if (!fixed)
        goc_mutex_unlock(&mu);
    return NULL;
}

static void
wait_tid(int slot)
{
    while (atomic_load(&tids[slot]) == 0)
        usleep(100);
    wait_sleeping(atomic_load(&tids[slot]));
}

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "lock_chan";
    goc_waitgroup all = GOC_WAITGROUP_INIT;
    int v;

    fixed = strstr(mode, "fixed") != NULL;
    goc_chan_make_named(&ch1, sizeof(int), 0, "ch1");
    goc_chan_make_named(&ch2, sizeof(int), 0, "ch2");
    goc_chan_make_named(&held, sizeof(int), 0, "held");
    goc_chan_make_named(&gate, 0, 0, "gate");
    if (!strncmp(mode, "join", 4)) {
        pthread_t t;
        pthread_create(&t, NULL, joiner, NULL);
        if (fixed) {
            pthread_join(t, NULL);
            puts("done");
            return 0;
        }
        wait_tid(0);
        wait_tid(1);
        puts("leaving");
        return 0;
    }
    if (!strncmp(mode, "wg", 2)) {
        goc_wg_go(&all, coordinator, NULL);
        goc_chan_recv(held, &v, NULL);
        if (fixed) {
            goc_wg_wait(&all);
            puts("done");
            return 0;
        }
        wait_tid(0);
        wait_tid(1);
        puts("leaving");
        return 0;
    }
    if (!strcmp(mode, "select_open"))
        goc_chan_make_named(&quit, sizeof(int), 0, "quit");
    bool sel = !strncmp(mode, "select", 6);
    main_waits = fixed || !strcmp(mode, "hang");
    goc_wg_go(&all, sel ? selecting : consumer, NULL);
    goc_wg_go(&all, producer, ch1);
    if (sel)
        goc_wg_go(&all, producer, ch2);
    if (!strcmp(mode, "sleeper"))
        goc_go(napper, NULL);
    goc_chan_recv(held, &v, NULL);
    goc_chan_close(gate); /* let the producers go for mu */
    if (main_waits) {
        goc_wg_wait(&all);
        puts("done");
        return 0;
    }
    wait_tid(0);
    wait_tid(1);
    if (sel)
        wait_tid(2);
    if (!strcmp(mode, "sleeper"))
        wait_tid(3);
    puts("leaving");
    return 0;
}
