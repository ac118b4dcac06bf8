/*
 * glibc_layout.c - glibc's pthread layouts, from its headers and checked
 * against the running glibc (glibc_layout.h says why).
 *
 * The check: a thread of ours blocks on a mutex we hold, another on a
 * condition variable, a third joins a thread that waits on a pipe.
 * Each sleeps in a futex wait whose address /proc/self/task/TID/syscall
 * shows; that address minus the object's is the offset.  The owner is
 * found by looking for our tid in a mutex we hold.  Nothing is timed:
 * each measurement waits until its thread sleeps in the kernel, with a
 * bound only so that a glibc that never sleeps on a futex (a different
 * design) cannot hang the command.
 */
#include "glibc_layout.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* struct pthread's tid on x86-64 from glibc 2.34 to 2.41: the only
 * offset no public header gives, used when it cannot be measured. */
#define JOIN_FUTEX_DEFAULT 0x2d0

static struct gct_glibc_layout layout;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* The futex address thread tid of this process sleeps on: 0 until it
 * sleeps in a futex wait.  Polled, for at most about two seconds. */
static uintptr_t
futex_of(pid_t tid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)tid);
    for (int i = 0; i < 20000; i++) {
        FILE *f = fopen(path, "r");
        size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        if (f)
            fclose(f);
        buf[n] = '\0';
        long nr;
        unsigned long addr;
        if (sscanf(buf, "%ld %lx", &nr, &addr) == 2 && nr == SYS_futex)
            return addr;
        usleep(100);
    }
    return 0;
}

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t cm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int cond_done;
static int pipefd[2];
static pthread_t sleeper;
static _Atomic pid_t waiter_tid;

static void *
lock_m(void *arg)
{
    (void)arg;
    waiter_tid = (pid_t)syscall(SYS_gettid);
    pthread_mutex_lock(&m);
    pthread_mutex_unlock(&m);
    return NULL;
}

static void *
wait_c(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&cm);
    waiter_tid = (pid_t)syscall(SYS_gettid);
    while (!cond_done)
        pthread_cond_wait(&c, &cm);
    pthread_mutex_unlock(&cm);
    return NULL;
}

static void *
read_pipe(void *arg)
{
    char b;
    (void)arg;
    while (read(pipefd[0], &b, 1) < 0)
        ;
    return NULL;
}

static void *
join_sleeper(void *arg)
{
    (void)arg;
    waiter_tid = (pid_t)syscall(SYS_gettid);
    pthread_join(sleeper, NULL);
    return NULL;
}

/* Starts fn on a thread and returns the futex address it sleeps on. */
static uintptr_t
measure(void *(*fn)(void *), pthread_t *th)
{
    waiter_tid = 0;
    if (pthread_create(th, NULL, fn, NULL) != 0)
        return 0;
    while (waiter_tid == 0)
        sched_yield();
    return futex_of(waiter_tid);
}

static void
measure_all(void)
{
    layout.mutex_futex = offsetof(pthread_mutex_t, __data.__lock);
    layout.mutex_owner = offsetof(pthread_mutex_t, __data.__owner);
    layout.cond_futex = offsetof(pthread_cond_t, __data.__g_signals);
    layout.join_futex = JOIN_FUTEX_DEFAULT;
    layout.rw_wrphase = offsetof(pthread_rwlock_t, __data.__wrphase_futex);
    layout.rw_writers = offsetof(pthread_rwlock_t, __data.__writers_futex);
    layout.rw_writer = offsetof(pthread_rwlock_t, __data.__cur_writer);

    pthread_t th;
    pid_t self = (pid_t)syscall(SYS_gettid);
    bool ok = true;

    /* the mutex: its owner field, then the word a locker sleeps on */
    pthread_mutex_lock(&m);
    size_t owner = sizeof m;
    for (size_t off = 0; off + sizeof self <= sizeof m; off += 4)
        if (memcmp((char *)&m + off, &self, sizeof self) == 0) {
            owner = off;
            break;
        }
    uintptr_t a = measure(lock_m, &th);
    pthread_mutex_unlock(&m);
    if (a)
        pthread_join(th, NULL);
    if (owner < sizeof m && a >= (uintptr_t)&m &&
        a < (uintptr_t)&m + sizeof m) {
        layout.mutex_owner = owner;
        layout.mutex_futex = a - (uintptr_t)&m;
    } else {
        ok = false;
    }

    /* the condition variable: a fresh one's first waiter is in group 0 */
    a = measure(wait_c, &th);
    pthread_mutex_lock(&cm);
    cond_done = 1;
    pthread_cond_broadcast(&c);
    pthread_mutex_unlock(&cm);
    if (a)
        pthread_join(th, NULL);
    if (a >= (uintptr_t)&c && a < (uintptr_t)&c + sizeof c)
        layout.cond_futex = a - (uintptr_t)&c;
    else
        ok = false;

    /* the join: the joined thread's pthread_t is its struct pthread */
    if (pipe(pipefd) == 0) {
        if (pthread_create(&sleeper, NULL, read_pipe, NULL) == 0) {
            a = measure(join_sleeper, &th);
            if (write(pipefd[1], "x", 1) != 1)
                ok = false;
            if (a)
                pthread_join(th, NULL);
            if (a > (uintptr_t)sleeper && a - (uintptr_t)sleeper < 4096)
                layout.join_futex = a - (uintptr_t)sleeper;
            else
                ok = false;
        } else {
            ok = false;
        }
        close(pipefd[0]);
        close(pipefd[1]);
    } else {
        ok = false;
    }
    layout.checked = ok;
    if (!ok)
        snprintf(layout.why, sizeof layout.why,
                 "glibc's pthread layouts could not be measured here: "
                 "those of its headers are assumed");
}

const struct gct_glibc_layout *
gct_glibc_layout(void)
{
    pthread_once(&once, measure_all);
    return &layout;
}
