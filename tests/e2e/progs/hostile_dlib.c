/*
 * hostile_dlib.c - a shared library (loaded with dlopen by hostile_dlopen)
 * that starts a thread which blocks on a lock the library's caller holds,
 * so the recorder has a wait whose stack lies inside this library.
 */
#include <pthread.h>
#include <stdatomic.h>

static pthread_mutex_t lib_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_t lib_thread;
static _Atomic int lib_about_to_lock;

__attribute__((noinline)) static void *
lib_thread_body(void *arg)
{
    atomic_store(&lib_about_to_lock, 1);
    pthread_mutex_lock(&lib_mu);
    pthread_mutex_unlock(&lib_mu);
    return arg;
}

/* Takes the library's lock, then starts the thread that will wait on it. */
int
dlib_start(void)
{
    pthread_mutex_lock(&lib_mu);
    return pthread_create(&lib_thread, NULL, lib_thread_body, NULL);
}

int
dlib_about_to_lock(void)
{
    return atomic_load(&lib_about_to_lock);
}

int
dlib_finish(void)
{
    pthread_mutex_unlock(&lib_mu);
    return pthread_join(lib_thread, NULL);
}
