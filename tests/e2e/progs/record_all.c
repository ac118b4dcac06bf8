/*
 * record_all.c - what record=all must keep of each lock operation: its
 * lock, its mode flags, its call site and its time.
 *
 *   record_all GAP_MS
 *
 * One thread, no contention (the flags must not pick up "contended"):
 *   1. 1000 lock/unlock pairs of mutex m at one call site;
 *   2. one trylock of m, one read lock and one write lock of rwlock rw;
 *   3. sleeps GAP_MS, then 1000 more pairs of m, so that a gap longer
 *      than a compact record's 32-bit time delta (4.29 s) is crossed;
 *   4. one contended acquisition: main holds m while a second thread
 *      asks for it, and lets go once that thread sleeps in the kernel
 *      (its /proc state turns to S): the recorder's record prepared for
 *      the thread's first attempt must stay unpublished, and the
 *      acquisition after the wait be recorded once, as contended.
 * Prints, in decimal, the addresses the test compares with the trace:
 *   m=... rw=... fn=...
 * fn is lock_unlock's address: the sites of phases 1 and 3 lie in it.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sleeping.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;

/* noinline: one call site for all of phase 1 and 3's lock calls, whose
 * return address the shim records as the site. */
static __attribute__((noinline)) void
lock_unlock(void)
{
    pthread_mutex_lock(&m);
    __asm__ volatile("" ::: "memory");
    pthread_mutex_unlock(&m);
}

static _Atomic int contender_tid;

static void *
contend(void *arg)
{
    (void)arg;
    contender_tid = (int)syscall(SYS_gettid);
    pthread_mutex_lock(&m);
    pthread_mutex_unlock(&m);
    return NULL;
}

int
main(int argc, char **argv)
{
    long gap_ms = argc > 1 ? atol(argv[1]) : 0;

    for (int i = 0; i < 1000; i++)
        lock_unlock();
    if (pthread_mutex_trylock(&m) != 0)
        return 1;
    pthread_mutex_unlock(&m);
    pthread_rwlock_rdlock(&rw);
    pthread_rwlock_unlock(&rw);
    pthread_rwlock_wrlock(&rw);
    pthread_rwlock_unlock(&rw);
    struct timespec ts = {gap_ms / 1000, gap_ms % 1000 * 1000000};
    nanosleep(&ts, NULL);
    for (int i = 0; i < 1000; i++)
        lock_unlock();
    pthread_t th;
    pthread_mutex_lock(&m);
    if (pthread_create(&th, NULL, contend, NULL) != 0)
        return 1;
    while (contender_tid == 0)
        sched_yield();
    wait_sleeping(contender_tid);
    pthread_mutex_unlock(&m);
    pthread_join(th, NULL);
    printf("m=%lu rw=%lu fn=%lu\n", (unsigned long)(uintptr_t)&m,
           (unsigned long)(uintptr_t)&rw,
           (unsigned long)(uintptr_t)&lock_unlock);
    return 0;
}
