/*
 * hostile_deep.c - a lock wait 1,000 frames deep: a thread recurses DEPTH
 * times, then blocks on a mutex main holds.  Main lets go only once the
 * thread has announced it is about to lock and the kernel shows it
 * sleeping, so the wait really blocks (and is recorded with a stack).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static _Atomic int about_to_lock;
static _Atomic int worker_tid;

/* noinline and the addition after the call keep every level a real
 * frame (no tail call, no inlining at -O1). */
__attribute__((noinline)) static int
recurse_then_wait(int depth)
{
    if (depth == 0) {
        atomic_store(&about_to_lock, 1);
        pthread_mutex_lock(&mu);
        pthread_mutex_unlock(&mu);
        return 0;
    }
    return recurse_then_wait(depth - 1) + 1;
}

static void *
worker(void *arg)
{
    atomic_store(&worker_tid, (int)syscall(SYS_gettid));
    long depth = (long)arg;
    return (void *)(long)recurse_then_wait((int)depth - 1);
}

/* 1 when the thread's state in /proc is S (sleeping in the futex). */
static int
sleeping(int tid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    return p != NULL && p[1] == ' ' && p[2] == 'S';
}

int
main(int argc, char **argv)
{
    long depth = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
    pthread_t th;
    void *res;

    pthread_mutex_lock(&mu);
    pthread_create(&th, NULL, worker, (void *)depth);
    /* bounded polling for an observable state: at most 10 s */
    struct timespec ms = {0, 1000000};
    int i;
    for (i = 0; i < 10000; i++) {
        int tid = atomic_load(&worker_tid);
        if (atomic_load(&about_to_lock) && tid && sleeping(tid))
            break;
        nanosleep(&ms, NULL);
    }
    pthread_mutex_unlock(&mu);
    pthread_join(th, &res);
    printf("depth %ld returned %ld blocked %s\n", depth, (long)res,
           i < 10000 ? "yes" : "timeout");
    return 0;
}
