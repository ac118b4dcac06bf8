/*
 * first_use.c - one thread takes 40 statically initialised mutexes, each
 * for the first time, from the same call path: 40 first-use records with
 * the same stack.  The recorder captures a thread's first stacks one way
 * and later ones another (preload/stack.c); both must give the same
 * addresses, or this one stack is interned twice.
 */
#include <pthread.h>

#define N 40

static pthread_mutex_t locks[N];

__attribute__((noinline)) static void
take(int i)
{
    pthread_mutex_lock(&locks[i]);
    pthread_mutex_unlock(&locks[i]);
}

int
main(void)
{
    for (int i = 0; i < N; i++)
        take(i);
    return 0;
}
