/*
 * real.c - the interposed originals, resolved once.
 *
 * Resolution is lazy and idempotent: an interposed function can be called
 * before our constructor runs (from another library's constructor), so
 * every entry point calls gct_real_resolve() first when needed.  dlsym
 * takes only the dynamic linker's internal lock, never one of ours, so it
 * cannot recurse into the shim.
 */
#include "shim.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct gct_real gct_real;
static _Atomic int resolved;

static void *
must(const char *name, void *p)
{
    if (p == NULL) {
        /* Not an assert: this check must survive NDEBUG. */
        static const char msg[] = "gctrace: cannot resolve the original of ";
        ssize_t r = write(2, msg, sizeof msg - 1);
        r = write(2, name, __builtin_strlen(name));
        r = write(2, "\n", 1);
        (void)r;
        abort();
    }
    return p;
}

#define NEED(name) \
    (*(void **)&gct_real.name = must(#name, dlsym(RTLD_NEXT, #name)))
#define MAY(name) (*(void **)&gct_real.name = dlsym(RTLD_NEXT, #name))

void
gct_real_resolve(void)
{
    if (atomic_load_explicit(&resolved, memory_order_acquire))
        return;
    NEED(pthread_create);
    NEED(pthread_join);
    MAY(pthread_tryjoin_np);
    MAY(pthread_timedjoin_np);
    NEED(pthread_detach);
    NEED(pthread_exit);
    NEED(pthread_setname_np);
    NEED(pthread_mutex_init);
    NEED(pthread_mutex_destroy);
    NEED(pthread_mutex_lock);
    NEED(pthread_mutex_trylock);
    NEED(pthread_mutex_timedlock);
    MAY(pthread_mutex_clocklock);
    NEED(pthread_mutex_unlock);
    NEED(pthread_rwlock_init);
    NEED(pthread_rwlock_destroy);
    NEED(pthread_rwlock_rdlock);
    NEED(pthread_rwlock_tryrdlock);
    NEED(pthread_rwlock_timedrdlock);
    NEED(pthread_rwlock_wrlock);
    NEED(pthread_rwlock_trywrlock);
    NEED(pthread_rwlock_timedwrlock);
    NEED(pthread_rwlock_unlock);
    NEED(pthread_spin_init);
    NEED(pthread_spin_destroy);
    NEED(pthread_spin_lock);
    NEED(pthread_spin_trylock);
    NEED(pthread_spin_unlock);
    /* The unversioned lookup of the condvar functions can bind the
     * pre-2.3.2 compatibility ABI, whose timed waits misbehave with modern
     * condvars (mutrace found this); pin the current version. */
#if defined(__x86_64__)
#define COND_VERSION "GLIBC_2.3.2"
#elif defined(__aarch64__)
#define COND_VERSION "GLIBC_2.17"
#endif
#ifdef COND_VERSION
#define COND(name)                                                        \
    (*(void **)&gct_real.name = dlvsym(RTLD_NEXT, #name, COND_VERSION),  \
     gct_real.name ? (void)0 : (void)NEED(name))
#else
#define COND(name) NEED(name)
#endif
    COND(pthread_cond_init);
    COND(pthread_cond_destroy);
    COND(pthread_cond_wait);
    COND(pthread_cond_timedwait);
    COND(pthread_cond_signal);
    COND(pthread_cond_broadcast);
    MAY(pthread_cond_clockwait);
    NEED(sem_wait);
    NEED(sem_trywait);
    NEED(sem_timedwait);
    NEED(sem_post);
    NEED(pthread_barrier_wait);
    NEED(pthread_barrier_init);
    NEED(pthread_barrier_destroy);
    NEED(sem_init);
    NEED(sem_destroy);
    MAY(thrd_create);
    MAY(thrd_join);
    MAY(thrd_detach);
    MAY(mtx_lock);
    MAY(mtx_trylock);
    MAY(mtx_timedlock);
    MAY(mtx_unlock);
    MAY(cnd_wait);
    MAY(cnd_timedwait);
    NEED(fork);
    NEED(exit);
    NEED(_exit);
    NEED(dlopen);
    NEED(dlclose);
    NEED(munmap);
    NEED(sigaction);
    NEED(signal);
    NEED(__libc_start_main);
    atomic_store_explicit(&resolved, 1, memory_order_release);
}
