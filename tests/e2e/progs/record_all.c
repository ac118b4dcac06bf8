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
 *      acquisition after the wait be recorded once, as contended;
 *   5. two acquisitions of mutex paced, 300 us apart by the clock, each
 *      between two clock readings: a lock record's time within 1 ms of
 *      its thread's last clock reading is derived from the time-stamp
 *      counter (preload/log.c), and the distance between the two must
 *      agree with the clock's;
 *   6. 300 signals of condvar cv (nobody waits), 2 broadcasts of it and
 *      3 posts of semaphore sem, each kept with its object.
 * Prints, in decimal, the addresses the test compares with the trace and
 * phase 5's bounds on the distance (ns):
 *   m=... rw=... fn=... paced=... lo=... hi=... cv=... semaphore=...
 * fn is lock_unlock's address: the sites of phases 1 and 3 lie in it.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sleeping.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t paced = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static sem_t sem;

/* noinline: one call site for all of phase 1 and 3's lock calls, whose
 * return address the shim records as the site. */
static __attribute__((noinline)) void
lock_unlock(void)
{
    pthread_mutex_lock(&m);
    __asm__ volatile("" ::: "memory");
    pthread_mutex_unlock(&m);
}

static int64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
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
    int64_t a0 = now_ns();
    pthread_mutex_lock(&paced);
    int64_t a1 = now_ns();
    pthread_mutex_unlock(&paced);
    while (now_ns() < a1 + 300000)
        ;
    int64_t b0 = now_ns();
    pthread_mutex_lock(&paced);
    int64_t b1 = now_ns();
    pthread_mutex_unlock(&paced);
    if (sem_init(&sem, 0, 0) != 0)
        return 1;
    for (int i = 0; i < 300; i++)
        pthread_cond_signal(&cv);
    pthread_cond_broadcast(&cv);
    pthread_cond_broadcast(&cv);
    for (int i = 0; i < 3; i++)
        sem_post(&sem);
    printf("m=%lu rw=%lu fn=%lu paced=%lu lo=%ld hi=%ld cv=%lu semaphore=%lu\n",
           (unsigned long)(uintptr_t)&m, (unsigned long)(uintptr_t)&rw,
           (unsigned long)(uintptr_t)&lock_unlock,
           (unsigned long)(uintptr_t)&paced, (long)(b0 - a1),
           (long)(b1 - a0), (unsigned long)(uintptr_t)&cv,
           (unsigned long)(uintptr_t)&sem);
    return 0;
}
