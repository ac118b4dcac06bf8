/*
 * lockloop.c - "lockloop N": two threads each lock and unlock one shared
 * mutex N times, so a record=all trace holds 4 N lock events (an acquire
 * and a release per iteration per thread).  Prints the final count, the
 * same with and without the recorder.  Used by test_issue_sizes.sh for
 * issue 7's "10 million lock events".
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long count;              /* guarded by mu */
static long rounds;

static void *
loop(void *arg)
{
    (void)arg;
    for (long i = 0; i < rounds; i++) {
        pthread_mutex_lock(&mu);
        count++;
        pthread_mutex_unlock(&mu);
    }
    return NULL;
}

int
main(int argc, char **argv)
{
    pthread_t t[2];

    if (argc != 2) {
        fprintf(stderr, "usage: lockloop N\n");
        return 2;
    }
    rounds = strtol(argv[1], NULL, 10);
    for (int i = 0; i < 2; i++)
        if (pthread_create(&t[i], NULL, loop, NULL) != 0)
            return 1;
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    printf("count %ld\n", count);
    return 0;
}
