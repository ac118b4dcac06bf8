/*
 * attach_threads.c - a process of N threads for bench/attach.sh: half
 * wait for a mutex main holds, half on a condition variable, and one
 * ticker measures how long the process stood still (the longest gap
 * between its 200 us naps).  It prints "ready" once every waiter sleeps,
 * and after a line on stdin, "stopped_ms=..." and exits.
 *
 * Usage: attach_threads N
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t cm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static _Atomic int done, started;
static _Atomic long long max_gap_ns;

static long long
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void *
on_mutex(void *arg)
{
    (void)arg;
    started++;
    pthread_mutex_lock(&m);
    pthread_mutex_unlock(&m);
    return NULL;
}

static void *
on_cond(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&cm);
    started++;
    while (!done)
        pthread_cond_wait(&c, &cm);
    pthread_mutex_unlock(&cm);
    return NULL;
}

static void *
ticker(void *arg)
{
    struct timespec nap = {0, 200000};
    long long last = now_ns();
    (void)arg;
    while (!done) {
        nanosleep(&nap, NULL);
        long long t = now_ns();
        if (t - last > max_gap_ns)
            max_gap_ns = t - last;
        last = t;
    }
    return NULL;
}

/* Whether at least n threads of the process sleep (the waiters; main
 * and the ticker do not count towards n). */
static int
all_asleep(int n)
{
    char path[300], buf[256];
    int asleep = 0;
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/self/task/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        size_t k = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[k] = '\0';
        const char *p = strrchr(buf, ')');
        if (p && p[2] == 'S')
            asleep++;
    }
    if (d)
        closedir(d);
    return asleep >= n;
}

int
main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    pthread_attr_t attr;
    pthread_t *t = calloc((size_t)n + 1, sizeof *t);
    char line[16];

    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    pthread_mutex_lock(&m);
    for (int i = 0; i < n; i++)
        if (pthread_create(&t[i], &attr, i % 2 ? on_cond : on_mutex, NULL)) {
            perror("pthread_create");
            return 1;
        }
    while (started < n || !all_asleep(n))
        usleep(1000);
    pthread_create(&t[n], &attr, ticker, NULL);
    printf("ready\n");
    fflush(stdout);
    if (fgets(line, sizeof line, stdin) == NULL)
        return 1;
    pthread_mutex_lock(&cm);
    done = 1;
    pthread_cond_broadcast(&c);
    pthread_mutex_unlock(&cm);
    pthread_mutex_unlock(&m);
    for (int i = 0; i <= n; i++)
        pthread_join(t[i], NULL);
    printf("stopped_ms=%.1f\n", max_gap_ns / 1e6);
    return 0;
}
