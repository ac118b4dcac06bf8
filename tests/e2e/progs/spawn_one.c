/*
 * spawn_one.c - main starts one thread and joins it: the smallest program
 * whose trace has a stack through the program's own code (the creation
 * site in main), for the tests of where its file:line come from.
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
    pthread_join(t, NULL);
    puts("joined");
    return 0;
}
