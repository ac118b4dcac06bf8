/*
 * killed_waiting.c - a thread blocks on a mutex that main holds, then the
 * process is killed with SIGKILL:
 *
 *   killed_waiting waiting   while the thread still waits for the mutex
 *   killed_waiting holding   once the thread got the mutex (main let it
 *                            go) and holds it
 *
 * A wait on a lock has its end record reserved with its begin and
 * published when it ends (preload/locks.c).  The trace must show the
 * first wait unfinished and the second finished, after its begin.
 * The thread's blocking is forced (/proc state), never timed.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sleeping.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static _Atomic int taker_tid;
static int acquired[2]; /* pipe: the taker holds mu */

static void *
taker(void *arg)
{
    (void)arg;
    taker_tid = (int)syscall(SYS_gettid);
    pthread_mutex_lock(&mu);
    if (write(acquired[1], "x", 1) != 1)
        return NULL;
    for (;;)
        pause(); /* holds mu until the end */
}

int
main(int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "waiting") != 0 &&
                      strcmp(argv[1], "holding") != 0)) {
        fprintf(stderr, "usage: killed_waiting waiting|holding\n");
        return 2;
    }
    pthread_t t;
    char c;
    if (pipe(acquired) != 0)
        return 1;
    pthread_mutex_lock(&mu);
    if (pthread_create(&t, NULL, taker, NULL) != 0)
        return 1;
    int tid;
    while ((tid = taker_tid) == 0)
        usleep(100);
    wait_sleeping(tid); /* blocked on mu */
    if (strcmp(argv[1], "holding") == 0) {
        pthread_mutex_unlock(&mu);
        if (read(acquired[0], &c, 1) != 1)
            return 1;
    }
    puts("killing");
    fflush(stdout);
    raise(SIGKILL);
    return 1;
}
