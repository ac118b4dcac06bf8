/*
 * unwinds.c - a program that walks its own stack with libunwind from two
 * threads, as crash reporters, profilers and sanitizers do.  libunwind
 * takes pthread locks of its own while it works; the recorder, which
 * unwinds with libunwind too, must not record those locks by unwinding
 * again from inside libunwind (that waited forever on libunwind's lock).
 * Prints how many frames the last walk of each thread saw (at least 2)
 * and "done".
 */
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <pthread.h>
#include <stdio.h>

#define WALKS 2000

static int
walk(void)
{
    void *pcs[64];
    int n = 0;

    for (int i = 0; i < WALKS; i++)
        n = unw_backtrace(pcs, 64);
    return n;
}

static void *
worker(void *arg)
{
    *(int *)arg = walk();
    return NULL;
}

int
main(void)
{
    int a = 0, b = 0;
    pthread_t t;

    if (pthread_create(&t, NULL, worker, &a) != 0)
        return 1;
    b = walk();
    pthread_join(t, NULL);
    printf("frames>=2: %d %d\ndone\n", a >= 2, b >= 2);
    return 0;
}
