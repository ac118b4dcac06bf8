/*
 * detach.c - thread lifetimes: 200 threads detached right after creation
 * (the detach often reaches the recorder before the thread's start, and
 * glibc reuses their handles), one joined, one never joined nor detached.
 * Exactly the last is an unjoined_thread.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

/* Threads of this process still alive, from /proc. */
static int
alive(void)
{
    DIR *d = opendir("/proc/self/task");
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static void *
quick(void *arg)
{
    return arg;
}

static void *
forgotten(void *arg)
{
    return arg;
}

int
main(void)
{
    pthread_t t;

    for (int i = 0; i < 200; i++) {
        pthread_create(&t, NULL, quick, NULL);
        pthread_detach(t);
    }
    pthread_create(&t, NULL, quick, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, forgotten, NULL); /* never joined */
    /* Wait until every other thread has really ended (5 s at most), so
     * that the forgotten one is seen exited, not on its way out. */
    struct timespec ms = {0, 1000000};
    for (int i = 0; i < 5000 && alive() > 1; i++)
        nanosleep(&ms, NULL);
    printf("done\n");
    return 0;
}
