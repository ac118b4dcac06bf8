/*
 * aliases.c - two locks and two functions, each known by two names of
 * one rank (global aliases at one address).  A trace names each by the
 * first of its names in strcmp's order, whichever the symbol table lists
 * first: each pair is defined in both orders, the alias after its target
 * for one and before it (by name) for the other.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>

pthread_mutex_t zulu_lock = PTHREAD_MUTEX_INITIALIZER;
extern pthread_mutex_t alpha_lock __attribute__((alias("zulu_lock")));
pthread_mutex_t bravo_lock = PTHREAD_MUTEX_INITIALIZER;
extern pthread_mutex_t yankee_lock __attribute__((alias("bravo_lock")));

__attribute__((noinline)) pthread_mutex_t *
zulu_make(void)
{
    pthread_mutex_t *m = malloc(sizeof *m);
    if (m == NULL || pthread_mutex_init(m, NULL) != 0)
        exit(1);
    return m;
}
extern pthread_mutex_t *alpha_make(void) __attribute__((alias("zulu_make")));

__attribute__((noinline)) pthread_mutex_t *
bravo_make(void)
{
    pthread_mutex_t *m = malloc(sizeof *m);
    if (m == NULL || pthread_mutex_init(m, NULL) != 0)
        exit(1);
    return m;
}
extern pthread_mutex_t *yankee_make(void) __attribute__((alias("bravo_make")));

static void
use(pthread_mutex_t *m)
{
    pthread_mutex_lock(m);
    pthread_mutex_unlock(m);
}

int
main(void)
{
    use(&zulu_lock);
    use(&bravo_lock);
    use(zulu_make());
    use(bravo_make());
    return 0;
}
