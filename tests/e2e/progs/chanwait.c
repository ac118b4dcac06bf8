/*
 * chanwait.c - channel waits that sleep, for test_chanwait.sh: the
 * instrumented libgoc must report each with its reason, object and end,
 * now that it reports a wait only once the wait stops spinning.
 *
 * Each case starts a thread that blocks on a channel operation; the main
 * thread waits until that thread sleeps in the kernel (its state in
 * /proc turns to S; while spinning it is R), and only then lets the
 * operation complete.  No timing decides the outcome.
 *   1. a receive on an unbuffered channel, then a send from main;
 *   2. a send on an unbuffered channel, then a receive from main;
 *   3. a receive on an empty buffered channel (cap 1), then a send from
 *      main;
 *   4. a select over two receive cases, then a send on the second;
 *   5. a select with a 1 ms deadline that passes (GOC_ETIMEDOUT): no
 *      thread needed, main does it;
 *   6. a receive from a closed channel (GOC_ECLOSED), by main.
 * Exits 0 when every operation returned what it should.
 */
#define _GNU_SOURCE
#include "goc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sleeping.h"

static goc_chan *ch_a, *ch_b;
static _Atomic int waiter_tid;
static int failed;

static void
expect(int got, int want, const char *what)
{
    if (got != want) {
        fprintf(stderr, "chanwait: %s: got %d, want %d\n", what, got, want);
        failed = 1;
    }
}

/* Returns once the waiter thread of the current case sleeps. */
static void
waiter_sleeping(void)
{
    int tid;
    while ((tid = waiter_tid) == 0)
        sched_yield();
    wait_sleeping(tid);
}

static void *
recv_a(void *arg)
{
    int v = 0;
    waiter_tid = (int)syscall(SYS_gettid);
    expect(goc_chan_recv(ch_a, &v, NULL), 0, "recv");
    expect(v, (int)(intptr_t)arg, "received value");
    return NULL;
}

static void *
send_a(void *arg)
{
    int v = (int)(intptr_t)arg;
    waiter_tid = (int)syscall(SYS_gettid);
    expect(goc_chan_send(ch_a, &v), 0, "send");
    return NULL;
}

static void *
select_ab(void *arg)
{
    int va = 0, vb = 0;
    goc_case cases[2] = {GOC_RECV(ch_a, &va), GOC_RECV(ch_b, &vb)};
    (void)arg;
    waiter_tid = (int)syscall(SYS_gettid);
    expect(goc_select(cases, 2, GOC_FOREVER), 1, "select index");
    expect(vb, 4, "selected value");
    return NULL;
}

/* Runs fn on a thread until it sleeps, then completes its operation
 * with finish(ch_a or ch_b). */
static void
run_case(void *(*fn)(void *), intptr_t arg, int (*finish)(void))
{
    pthread_t th;
    waiter_tid = 0;
    if (pthread_create(&th, NULL, fn, (void *)arg) != 0)
        exit(2);
    waiter_sleeping();
    expect(finish(), 0, "completing operation");
    pthread_join(th, NULL);
}

static int send_a_1(void) { int v = 1; return goc_chan_send(ch_a, &v); }
static int recv_a_2(void)
{
    int v = 0;
    int r = goc_chan_recv(ch_a, &v, NULL);
    expect(v, 2, "value received from the blocked sender");
    return r;
}
static int send_a_3(void) { int v = 3; return goc_chan_send(ch_a, &v); }
static int send_b_4(void) { int v = 4; return goc_chan_send(ch_b, &v); }

int
main(void)
{
    if (goc_chan_make(&ch_a, sizeof(int), 0) != 0 ||
        goc_chan_make(&ch_b, sizeof(int), 0) != 0)
        return 2;
    run_case(recv_a, 1, send_a_1);
    run_case(send_a, 2, recv_a_2);
    goc_chan_free(ch_a);
    if (goc_chan_make(&ch_a, sizeof(int), 1) != 0)
        return 2;
    run_case(recv_a, 3, send_a_3);
    goc_chan_free(ch_a);
    if (goc_chan_make(&ch_a, sizeof(int), 0) != 0)
        return 2;
    run_case(select_ab, 0, send_b_4);
    int v;
    goc_case one[1] = {GOC_RECV(ch_a, &v)};
    expect(goc_select(one, 1, goc_deadline_after(1000000)), GOC_ETIMEDOUT,
           "select with a deadline");
    expect(goc_chan_close(ch_b), 0, "close");
    expect(goc_chan_recv(ch_b, &v, NULL), GOC_ECLOSED,
           "receive from a closed channel");
    goc_chan_free(ch_a);
    goc_chan_free(ch_b);
    return failed;
}
