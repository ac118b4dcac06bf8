/*
 * short_bench.c - the shape of one test in a suite of short processes:
 * main starts one thread, joins it and exits.  bench/wholerun.sh runs it
 * 50 times under one `gctrace run` and under one each, where what the
 * recorder costs is its fixed cost per process.
 */
#include <pthread.h>
#include <stdio.h>

static void *
worker(void *arg)
{
    return arg;
}

int
main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0)
        return 1;
    return pthread_join(t, NULL) != 0;
}
