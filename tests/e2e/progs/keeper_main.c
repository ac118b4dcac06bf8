/*
 * keeper_main.c - a program using keeper_lib.c's threads (see there);
 * MODE is keep, callback or holding.  In callback, the program's own
 * function blocks for good on a thread the library started for it.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

int keeper_start(void);
int keeper_run(void (*fn)(void));
int keeper_holding(void);

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;

static void
wait_for_held(void)
{
    pthread_mutex_lock(&held); /* main holds it to the end */
}

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";

    if (strcmp(mode, "keep") == 0)
        return keeper_start();
    if (strcmp(mode, "callback") == 0) {
        pthread_mutex_lock(&held);
        return keeper_run(wait_for_held);
    }
    if (strcmp(mode, "holding") == 0)
        return keeper_holding();
    fprintf(stderr, "usage: keeper_main keep|callback|holding\n");
    return 2;
}
