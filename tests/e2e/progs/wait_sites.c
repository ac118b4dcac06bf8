/*
 * wait_sites.c - waits on a mutex, each forced to block, for the
 * counting of short waits (preload/wait_sites.c):
 *
 *   wait_sites turns N HOLD_US   a worker waits N times for the mutex that
 *                                main holds; main lets it go HOLD_US after
 *                                the worker sleeps in the wait (so that
 *                                each wait lasts at least that long)
 *   wait_sites stuck             the worker blocks on a mutex that main
 *                                never lets go, and main returns
 *
 * The worker holds a second mutex, outer, through each of its waits, so
 * that each wait's begin says what the thread held (lock_held).
 *
 * A wait is forced, never timed: main takes its turn only once the
 * mutex's word says a waiter is there (glibc's 2) and the worker sleeps
 * in the kernel (sleeping.h), where nothing but the futex wait is left.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sleeping.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t outer = PTHREAD_MUTEX_INITIALIZER;
static _Atomic int worker_tid;
static int go[2], got[2]; /* pipes: main -> worker, worker -> main */
static long turns;

static void
say_or_die(int fd)
{
    if (write(fd, "x", 1) != 1)
        exit(1);
}

static void
hear_or_die(int fd)
{
    char c;
    if (read(fd, &c, 1) != 1)
        exit(1);
}

/* Returns once the worker waits for mu in the kernel. */
static void
until_worker_waits(void)
{
    int tid;
    while ((tid = worker_tid) == 0)
        usleep(100);
    while (__atomic_load_n(&mu.__data.__lock, __ATOMIC_ACQUIRE) != 2)
        usleep(100);
    wait_sleeping(tid);
}

static void *
take_turns(void *arg)
{
    (void)arg;
    worker_tid = (int)syscall(SYS_gettid);
    for (long i = 0; i < turns; i++) {
        hear_or_die(go[0]);
        pthread_mutex_lock(&outer);
        pthread_mutex_lock(&mu); /* main holds it: blocks */
        pthread_mutex_unlock(&mu);
        pthread_mutex_unlock(&outer);
        say_or_die(got[1]);
    }
    return NULL;
}

static void *
block_for_good(void *arg)
{
    (void)arg;
    worker_tid = (int)syscall(SYS_gettid);
    pthread_mutex_lock(&outer);
    pthread_mutex_lock(&mu); /* main never lets it go */
    return NULL;
}

int
main(int argc, char **argv)
{
    pthread_t t;
    if (pipe(go) != 0 || pipe(got) != 0)
        return 1;
    if (argc == 2 && strcmp(argv[1], "stuck") == 0) {
        pthread_mutex_lock(&mu);
        if (pthread_create(&t, NULL, block_for_good, NULL) != 0)
            return 1;
        until_worker_waits();
        puts("stuck");
        return 0;
    }
    if (argc != 4 || strcmp(argv[1], "turns") != 0) {
        fprintf(stderr, "usage: wait_sites turns N HOLD_US | stuck\n");
        return 2;
    }
    turns = atol(argv[2]);
    long hold_us = atol(argv[3]);
    if (pthread_create(&t, NULL, take_turns, NULL) != 0)
        return 1;
    for (long i = 0; i < turns; i++) {
        pthread_mutex_lock(&mu);
        say_or_die(go[1]);
        until_worker_waits();
        if (hold_us > 0)
            usleep((useconds_t)hold_us); /* the wait lasts at least this */
        pthread_mutex_unlock(&mu);
        hear_or_die(got[0]);
    }
    pthread_join(t, NULL);
    printf("turns %ld\n", turns);
    return 0;
}
