/*
 * memgone_lib.c - a shared library with a static lock (memgone.c loads
 * it, unloads it and loads another build of it, which the loader puts at
 * the same address).
 */
#include <pthread.h>

static pthread_mutex_t lib_lock = PTHREAD_MUTEX_INITIALIZER;

pthread_mutex_t *
memgone_lock(void)
{
    return &lib_lock;
}
