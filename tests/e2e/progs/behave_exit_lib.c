/*
 * behave_exit_lib.c - a library that keeps a worker thread, as libomp
 * does: started by the program's first call (pool_start, which returns
 * once the worker waits for work), stopped and joined by the library's
 * destructor, which also writes the file DIR/pool.txt (a library that
 * flushes its state at exit).  With nojoin, the destructor leaves the
 * worker waiting: the buggy twin.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static bool stop, started, ready, join_at_end;
static pthread_t worker;
static char path[4096];

static void *
work(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    ready = true;
    pthread_cond_broadcast(&cv);
    while (!stop)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    return NULL;
}

void
pool_start(const char *dir, bool join)
{
    snprintf(path, sizeof path, "%s/pool.txt", dir);
    join_at_end = join;
    started = pthread_create(&worker, NULL, work, NULL) == 0;
    pthread_mutex_lock(&mu); /* returns once the worker waits */
    while (started && !ready)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
}

__attribute__((destructor)) static void
pool_end(void)
{
    if (!started)
        return;
    if (join_at_end) {
        pthread_mutex_lock(&mu);
        stop = true;
        pthread_cond_signal(&cv);
        pthread_mutex_unlock(&mu);
        pthread_join(worker, NULL);
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        const char *msg = join_at_end ? "pool joined\n" : "pool left\n";
        ssize_t n = write(fd, msg, strlen(msg));
        (void)n;
        close(fd);
    }
}
