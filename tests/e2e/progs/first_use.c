/*
 * first_use.c [N] - one thread takes N (40 unless given, at most 20,000)
 * statically initialised mutexes, each for the first time, from the same
 * call path, then each once more: N first-use records with the same
 * stack, and 2N acquisitions.  The recorder captures a thread's first
 * stacks one way and later ones another (preload/stack.c); both must give
 * the same addresses, or this one stack is interned twice.  Thousands of
 * locks fill every level of the recorder's set of locks seen
 * (preload/intern.c): each must still be seen first once.
 */
#include <pthread.h>
#include <stdlib.h>

#define MAX 20000

static pthread_mutex_t locks[MAX];

__attribute__((noinline)) static void
take(int i)
{
    pthread_mutex_lock(&locks[i]);
    pthread_mutex_unlock(&locks[i]);
}

int
main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 40;
    if (n < 1 || n > MAX)
        return 2;
    for (int i = 0; i < n; i++)
        take(i);
    for (int i = 0; i < n; i++)
        take(i);
    return 0;
}
