/*
 * crash.c - locks and unlocks one mutex N times, prints "ready", then
 * dies in the way named by its mode (kill|segv|abort|hang), so the e2e
 * tests can check that the recorder's raw log survives abrupt deaths.
 * The only lock is `mu`, which protects nothing: it exists to be recorded.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

int
main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: crash kill|segv|abort|hang N\n");
        return 2;
    }
    long n = strtol(argv[2], NULL, 10);
    for (long i = 0; i < n; i++) {
        pthread_mutex_lock(&mu);
        pthread_mutex_unlock(&mu);
    }
    fputs("ready\n", stdout);
    fflush(stdout);
    if (!strcmp(argv[1], "kill"))
        raise(SIGKILL);
    else if (!strcmp(argv[1], "segv"))
        *(volatile int *)0 = 0;
    else if (!strcmp(argv[1], "abort"))
        abort();
    else if (!strcmp(argv[1], "hang"))
        for (;;)
            pause();
    fprintf(stderr, "crash: unknown mode %s\n", argv[1]);
    return 2;
}
