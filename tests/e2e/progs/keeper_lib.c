/*
 * keeper_lib.c - a library that starts threads of its own, built as a
 * shared library for test_system_threads.sh, which declares it a system
 * library (system_modules) or leaves it the program's own.
 *
 *   keeper_start    starts a thread that the library keeps, waiting for
 *                   work that never comes (as liblzma's or GLib's pools)
 *   keeper_run      starts a thread that runs the program's function
 *                   (as std::thread or g_thread_new)
 *   keeper_holding  runs a thread that ends holding a lock the library
 *                   took (as the JVM's VM thread), and joins it
 */
#define _GNU_SOURCE
#include <pthread.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t kept = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;
static int ready;

static void *
idle(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    ready = 1;
    pthread_cond_broadcast(&work);
    for (;;)
        pthread_cond_wait(&work, &m);
    return NULL;
}

/* Returns once the kept thread waits for work. */
int
keeper_start(void)
{
    pthread_t th;
    pthread_mutex_lock(&m);
    int e = pthread_create(&th, NULL, idle, NULL);
    if (e == 0) {
        pthread_setname_np(th, "keeper");
        while (!ready)
            pthread_cond_wait(&work, &m);
    }
    pthread_mutex_unlock(&m);
    return e;
}

static void *
call(void *fn)
{
    ((void (*)(void))fn)();
    return NULL;
}

int
keeper_run(void (*fn)(void))
{
    pthread_t th;
    return pthread_create(&th, NULL, call, (void *)fn);
}

static void *
hold(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "keeper-vm");
    pthread_mutex_lock(&kept);
    return NULL;
}

int
keeper_holding(void)
{
    pthread_t th;
    int e = pthread_create(&th, NULL, hold, NULL);
    return e == 0 ? pthread_join(th, NULL) : e;
}
