/*
 * real.h - the interposed originals (real.c) and the few macros every
 * interposer starts with: export, branch hints, RESOLVED, SITE.
 */
#ifndef GCT_REAL_H
#define GCT_REAL_H

#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <threads.h>
#include <time.h>

#define GCT_EXPORT __attribute__((visibility("default")))
#define GCT_LIKELY(x) __builtin_expect(!!(x), 1)
#define GCT_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ------------------------------------------------------------------ real.c */

/* The originals, resolved once with dlsym(RTLD_NEXT) (dlvsym for condvars,
 * where the default lookup may bind the pre-2.3.2 ABI). */
struct gct_real {
    int (*pthread_create)(pthread_t *, const pthread_attr_t *,
                          void *(*)(void *), void *);
    int (*pthread_join)(pthread_t, void **);
    int (*pthread_tryjoin_np)(pthread_t, void **);
    int (*pthread_timedjoin_np)(pthread_t, void **, const struct timespec *);
    int (*pthread_detach)(pthread_t);
    void (*pthread_exit)(void *) __attribute__((noreturn));
    int (*pthread_setname_np)(pthread_t, const char *);

    int (*pthread_mutex_init)(pthread_mutex_t *, const pthread_mutexattr_t *);
    int (*pthread_mutex_destroy)(pthread_mutex_t *);
    int (*pthread_mutex_lock)(pthread_mutex_t *);
    int (*pthread_mutex_trylock)(pthread_mutex_t *);
    int (*pthread_mutex_timedlock)(pthread_mutex_t *, const struct timespec *);
    int (*pthread_mutex_clocklock)(pthread_mutex_t *, clockid_t,
                                   const struct timespec *);
    int (*pthread_mutex_unlock)(pthread_mutex_t *);

    int (*pthread_rwlock_init)(pthread_rwlock_t *,
                               const pthread_rwlockattr_t *);
    int (*pthread_rwlock_destroy)(pthread_rwlock_t *);
    int (*pthread_rwlock_rdlock)(pthread_rwlock_t *);
    int (*pthread_rwlock_tryrdlock)(pthread_rwlock_t *);
    int (*pthread_rwlock_timedrdlock)(pthread_rwlock_t *,
                                      const struct timespec *);
    int (*pthread_rwlock_wrlock)(pthread_rwlock_t *);
    int (*pthread_rwlock_trywrlock)(pthread_rwlock_t *);
    int (*pthread_rwlock_timedwrlock)(pthread_rwlock_t *,
                                      const struct timespec *);
    int (*pthread_rwlock_unlock)(pthread_rwlock_t *);

    int (*pthread_spin_init)(pthread_spinlock_t *, int);
    int (*pthread_spin_destroy)(pthread_spinlock_t *);
    int (*pthread_spin_lock)(pthread_spinlock_t *);
    int (*pthread_spin_trylock)(pthread_spinlock_t *);
    int (*pthread_spin_unlock)(pthread_spinlock_t *);

    int (*pthread_cond_init)(pthread_cond_t *, const pthread_condattr_t *);
    int (*pthread_cond_destroy)(pthread_cond_t *);
    int (*pthread_cond_wait)(pthread_cond_t *, pthread_mutex_t *);
    int (*pthread_cond_timedwait)(pthread_cond_t *, pthread_mutex_t *,
                                  const struct timespec *);
    int (*pthread_cond_clockwait)(pthread_cond_t *, pthread_mutex_t *,
                                  clockid_t, const struct timespec *);
    int (*pthread_cond_signal)(pthread_cond_t *);
    int (*pthread_cond_broadcast)(pthread_cond_t *);

    int (*sem_wait)(sem_t *);
    int (*sem_trywait)(sem_t *);
    int (*sem_timedwait)(sem_t *, const struct timespec *);
    int (*sem_post)(sem_t *);

    int (*pthread_barrier_wait)(pthread_barrier_t *);
    int (*pthread_barrier_init)(pthread_barrier_t *,
                                const pthread_barrierattr_t *, unsigned);
    int (*pthread_barrier_destroy)(pthread_barrier_t *);
    int (*sem_init)(sem_t *, int, unsigned);
    int (*sem_destroy)(sem_t *);

    int (*thrd_create)(thrd_t *, thrd_start_t, void *);
    int (*thrd_join)(thrd_t, int *);
    int (*thrd_detach)(thrd_t);
    int (*mtx_lock)(mtx_t *);
    int (*mtx_trylock)(mtx_t *);
    int (*mtx_timedlock)(mtx_t *, const struct timespec *);
    int (*mtx_unlock)(mtx_t *);
    int (*cnd_wait)(cnd_t *, mtx_t *);
    int (*cnd_timedwait)(cnd_t *, mtx_t *, const struct timespec *);

    pid_t (*fork)(void);
    void (*exit)(int) __attribute__((noreturn));
    void (*_exit)(int) __attribute__((noreturn));
    void *(*dlopen)(const char *, int);
    int (*dlclose)(void *);
    int (*munmap)(void *, size_t);
    int (*sigaction)(int, const struct sigaction *, struct sigaction *);
    sighandler_t (*signal)(int, sighandler_t);
    int (*__libc_start_main)(int (*)(int, char **, char **), int, char **,
                             void (*)(void), void (*)(void),
                             void (*)(void), void *);
};

extern struct gct_real gct_real;

/* Every interposed function starts with RESOLVED(itself): it can run
 * before our constructor, from another library's. */
#define RESOLVED(fn)                                                       \
    do {                                                                   \
        if (GCT_UNLIKELY(gct_real.fn == NULL))                             \
            gct_real_resolve();                                            \
    } while (0)

/* The caller's address: where a lock was taken. */
#define SITE() ((uintptr_t)__builtin_return_address(0))

/* Whether ts is a deadline glibc's timed waits accept.  Its rwlock and
 * semaphore waits check it before they try: a shim that tried first would
 * take a free lock where glibc answers EINVAL.  (NULL: not known valid;
 * the real call decides.) */
static inline bool
gct_deadline_valid(const struct timespec *ts)
{
    return ts != NULL && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000L;
}

/* Resolves every original; safe to call again (a no-op after the first).
 * Aborts with a message when a symbol the shim cannot do without is
 * missing (that is a broken libc, not a program we can trace). */
void gct_real_resolve(void);

#endif /* GCT_REAL_H */
