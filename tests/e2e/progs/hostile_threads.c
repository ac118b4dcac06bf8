/*
 * hostile_threads.c - many threads: "alive N" keeps N threads alive at
 * once (each takes a lock, then all meet at a barrier before any ends);
 * "churn TOTAL BATCH" creates TOTAL threads over the run, BATCH at a time,
 * joining each batch before the next.  Prints the number of threads that
 * ran, which must be the same with and without the recorder.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t all_alive;
static long ran;            /* guarded by mu */
static int use_barrier;

static void *
worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    ran++;
    pthread_mutex_unlock(&mu);
    if (use_barrier)
        pthread_barrier_wait(&all_alive);
    return NULL;
}

/* Starts n threads with small stacks (10,000 default 8 MiB stacks would
 * test the address space, not the recorder) and joins them. */
static int
batch(pthread_t *tids, long n)
{
    pthread_attr_t attr;

    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    for (long i = 0; i < n; i++) {
        int r = pthread_create(&tids[i], &attr, worker, NULL);
        if (r != 0) {
            fprintf(stderr, "pthread_create %ld: %s\n", i, strerror(r));
            return 1;
        }
    }
    pthread_attr_destroy(&attr);
    for (long i = 0; i < n; i++)
        pthread_join(tids[i], NULL);
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: hostile_threads alive N | churn TOTAL BATCH\n");
        return 2;
    }
    long n = strtol(argv[2], NULL, 10);
    long per = argc > 3 ? strtol(argv[3], NULL, 10) : n;
    pthread_t *tids = calloc((size_t)per, sizeof *tids);
    if (tids == NULL)
        return 1;
    if (strcmp(argv[1], "alive") == 0) {
        use_barrier = 1;
        /* the workers plus main, which waits too: no worker can end
         * before every one of them has started */
        pthread_barrier_init(&all_alive, NULL, (unsigned)n + 1);
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, 64 * 1024);
        for (long i = 0; i < n; i++) {
            int r = pthread_create(&tids[i], &attr, worker, NULL);
            if (r != 0) {
                fprintf(stderr, "pthread_create %ld: %s\n", i, strerror(r));
                return 1;
            }
        }
        pthread_barrier_wait(&all_alive);
        for (long i = 0; i < n; i++)
            pthread_join(tids[i], NULL);
    } else {
        for (long done = 0; done < n; done += per)
            if (batch(tids, per < n - done ? per : n - done) != 0)
                return 1;
    }
    printf("ran %ld threads\n", ran);
    free(tids);
    return 0;
}
