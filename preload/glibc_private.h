/*
 * glibc_private.h - every read (and the in-place mutex path's writes) of
 * glibc's private fields in the shim's pthread objects, behind small
 * inline accessors.  No other file of preload/ names a __data field.
 *
 * Checked against glibc 2.36 (Debian 12) and 2.41 (Debian 13), 64-bit
 * layouts: nptl's struct __pthread_mutex_s (__lock, __count, __owner,
 * __nusers, __kind), struct __pthread_rwlock_arch_t (__readers,
 * __cur_writer, __shared, __flags), struct __pthread_cond_s (__wrefs),
 * internaltypes.h's struct new_sem (value and waiters in one 64-bit word,
 * then private) and struct pthread_barrier (in, current_round, count,
 * shared, out), and pthread_spin_lock's lock word.  The kind bits are
 * pthreadP.h's PTHREAD_MUTEX_*_NP, private to glibc.  A glibc that
 * changes any of these breaks the reads here only: the in-place mutex
 * path is checked against glibc at start-up (mutex_fast.c) and can be
 * turned off (option mutex_fast=0).
 *
 * Each object is read as what it is: a caller that holds an address of
 * unknown kind dispatches on its gct_obj type first (gct_lock_obj).
 */
#ifndef GCT_GLIBC_PRIVATE_H
#define GCT_GLIBC_PRIVATE_H

#include "../common/event.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdint.h>

/* ---------------------------------------------------------------- mutex */

/* __kind bits (pthreadP.h): robust 16, priority-inherit 32,
 * priority-protect 64, process-shared 128; the type in the low bits. */
#define GCT_MUTEX_KIND_ROBUST 0x10
#define GCT_MUTEX_KIND_NO_OWNER 0x70 /* robust, PI, PP: owner unreadable */
#define GCT_MUTEX_KIND_PSHARED 0x80

static inline int
gct_mutex_kind(const pthread_mutex_t *m)
{
    return __atomic_load_n(&m->__data.__kind, __ATOMIC_RELAXED);
}

/* The __owner field as it is (this thread's tid for a plain mutex it
 * holds, whatever the kind). */
static inline int
gct_mutex_owner_field(const pthread_mutex_t *m)
{
    return __atomic_load_n(&m->__data.__owner, __ATOMIC_RELAXED);
}

/* The owner tid glibc records, or -1 when this kind of mutex keeps none
 * we can read (robust, priority-inheritance, priority-protect). */
static inline int
gct_mutex_owner(const pthread_mutex_t *m)
{
    if (gct_mutex_kind(m) & GCT_MUTEX_KIND_NO_OWNER)
        return -1;
    return gct_mutex_owner_field(m);
}

static inline bool
gct_mutex_robust(const pthread_mutex_t *m)
{
    return gct_mutex_kind(m) & GCT_MUTEX_KIND_ROBUST;
}

/* glibc's destroy stores the invalid kind -1 (pthread_mutex_destroy.c). */
static inline bool
gct_mutex_destroyed(const pthread_mutex_t *m)
{
    return gct_mutex_kind(m) == -1;
}

static inline bool
gct_mutex_pshared(const pthread_mutex_t *m)
{
    return gct_mutex_kind(m) & GCT_MUTEX_KIND_PSHARED;
}

/* A NORMAL mutex: no robust, PI or PP bits, nor the error-checking or
 * recursive type (which answer a relock with EDEADLK or take it again). */
static inline bool
gct_mutex_normal(const pthread_mutex_t *m)
{
    return (gct_mutex_kind(m) & 0x7f) == 0;
}

/* Whether the lock word says held (a robust mutex's first check). */
static inline bool
gct_mutex_word_held(const pthread_mutex_t *m)
{
    return __atomic_load_n(&m->__data.__lock, __ATOMIC_RELAXED) != 0;
}

/* Whether a default mutex has the fields it has when free (lock 0, tid
 * 0) or held once by tid (lock 1): mutex_fast.c's start-up check. */
static inline bool
gct_mutex_looks(const pthread_mutex_t *m, int lock, int tid)
{
    return m->__data.__lock == lock && m->__data.__owner == tid &&
           m->__data.__nusers == (unsigned)(lock != 0) &&
           m->__data.__kind == 0 && m->__data.__count == 0;
}

/* pthread_mutex_trylock of m by tid for a default mutex, done as glibc's
 * own fast path does: 0 (taken) or EBUSY; -1 when m is not a default
 * mutex (then nothing changed).  The lock word is glibc's plain int: the
 * __atomic builtins, not stdatomic.h. */
static inline int
gct_mutex_fast_trylock(pthread_mutex_t *m, int tid)
{
    int unlocked = 0;

    if (m->__data.__kind != 0)
        return -1;
    if (!__atomic_compare_exchange_n(&m->__data.__lock, &unlocked, 1, false,
                                     __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return EBUSY;
    m->__data.__owner = tid;
    m->__data.__nusers++;
    return 0;
}

/* Releases m, a default mutex its caller tid holds, if nobody waits for
 * it (lock word 1, not 2); false when someone does (then nothing changed
 * and glibc's unlock must wake them). */
static inline bool
gct_mutex_fast_unlock(pthread_mutex_t *m, int tid)
{
    int locked = 1;

    if (m->__data.__kind != 0 ||
        __atomic_load_n(&m->__data.__lock, __ATOMIC_RELAXED) != 1)
        return false;
    m->__data.__owner = 0;
    m->__data.__nusers--;
    if (__builtin_expect(__atomic_compare_exchange_n(
                             &m->__data.__lock, &locked, 0, false,
                             __ATOMIC_RELEASE, __ATOMIC_RELAXED),
                         1))
        return true;
    /* A waiter came meanwhile; the lock is still ours: put them back. */
    m->__data.__owner = tid;
    m->__data.__nusers++;
    return false;
}

/* --------------------------------------------------------------- rwlock */

/* The writer's tid, 0 when none. */
static inline int
gct_rwlock_writer(const pthread_rwlock_t *rw)
{
    return __atomic_load_n(&rw->__data.__cur_writer, __ATOMIC_RELAXED);
}

/* The readers glibc counts (from bit 3 of __readers). */
static inline unsigned
gct_rwlock_readers(const pthread_rwlock_t *rw)
{
    return __atomic_load_n(&rw->__data.__readers, __ATOMIC_RELAXED) >> 3;
}

static inline bool
gct_rwlock_pshared(const pthread_rwlock_t *rw)
{
    return rw->__data.__shared != 0;
}

/* Writer-preferring, where a second read lock of one reader may wait
 * behind a writer that waits for the first. */
static inline bool
gct_rwlock_prefers_writer(const pthread_rwlock_t *rw)
{
    return rw->__data.__flags == PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP;
}

/* ---------------------------------------------- condvar, sem, barrier */

static inline bool
gct_cond_pshared(const pthread_cond_t *c)
{
    return c->__data.__wrefs & 1;
}

/* Threads glibc counts waiting on s (the high half of its first word). */
static inline uint32_t
gct_sem_waiters(const sem_t *s)
{
    return (uint32_t)(((const uint64_t *)s)[0] >> 32);
}

/* Its futex flag (the third int): FUTEX_SHARED for a shared one. */
static inline bool
gct_sem_pshared(const sem_t *s)
{
    return ((const int *)s)[2] != 0;
}

/* A round is unfinished: the threads in it (in) are not a multiple of
 * the count. */
static inline bool
gct_barrier_round_open(const pthread_barrier_t *b)
{
    const unsigned *bar = (const unsigned *)b;
    return bar[2] != 0 && bar[0] % bar[2] != 0;
}

static inline bool
gct_barrier_pshared(const pthread_barrier_t *b)
{
    return ((const int *)b)[3] != 0;
}

/* ------------------------------------------------------------ spinlock */

/* Whether the spinlock's word says held.  x86-64's pthread_spin_* (in
 * assembly) count down from 1: 1 free, 0 or less held; the generic C
 * version uses 0 free, 1 held.  No owner is kept. */
static inline bool
gct_spin_held(const volatile pthread_spinlock_t *s)
{
    int v = __atomic_load_n((const volatile int *)s, __ATOMIC_RELAXED);
#if defined(__x86_64__)
    return v <= 0;
#else
    return v != 0;
#endif
}

/* ---------------------------------------------------------- lock kinds
 * What the shim knows of each kind of lock, in one place: a lock is
 * always read as what it is, never as a mutex by default.  A new kind of
 * lock adds its case here (and its operations to acquire.h). */

/* A held lock's kind comes from the flags it was taken with
 * (gct_lock_obj), a lock wait's from its reason (gct_wait_object): both
 * from common/event.h's tables, so only a mutex (pthread or C11, which
 * glibc makes a pthread mutex) is ever read as one. */

/* Whether glibc names the holder of this kind of lock (a mutex's owner,
 * an rwlock's writer); a spinlock keeps none. */
static inline bool
gct_lock_keeps_owner(int type)
{
    return type == GCT_OBJ_MUTEX || type == GCT_OBJ_RWLOCK;
}

/* The tid that holds lock, an object of gct_obj type, as glibc names
 * it: 0 when nobody (or readers only), -1 when not known (a mutex kind
 * that keeps no readable owner, a kind that keeps none). */
static inline int
gct_lock_holder(const void *lock, int type)
{
    switch (type) {
    case GCT_OBJ_MUTEX:
        return gct_mutex_owner(lock);
    case GCT_OBJ_RWLOCK:
        return gct_rwlock_writer(lock);
    }
    return -1;
}

/* Whether a thread that waits for a lock of this type that it holds
 * itself waits for good: a NORMAL mutex (the error-checking and
 * recursive kinds answer EDEADLK or take it again, as an rwlock's
 * writer gets EDEADLK), a spinlock (which spins on). */
static inline bool
gct_lock_relock_blocks(const void *lock, int type)
{
    switch (type) {
    case GCT_OBJ_MUTEX:
        return gct_mutex_normal(lock);
    case GCT_OBJ_SPIN:
        return true;
    }
    return false;
}

/* Whether thread tid still holds lock, which its held stack says it
 * took with flags, as glibc's fields tell: where glibc keeps the owner,
 * the owner decides (another thread may have unlocked it for it, a
 * misuse reported on its own).  A robust mutex does not count: ending
 * while holding one is what it is made for (the next owner is told,
 * with EOWNERDEAD). */
static inline bool
gct_lock_still_held(const void *lock, uint32_t flags, int tid)
{
    switch (gct_lock_obj(flags)) {
    case GCT_OBJ_RWLOCK:
        return (flags & GCT_LOCK_SHARED) || gct_rwlock_writer(lock) == tid;
    case GCT_OBJ_SPIN:
        return gct_spin_held(lock);
    default:
        if (gct_mutex_robust(lock))
            return false;
        return gct_mutex_owner(lock) < 0 || gct_mutex_owner(lock) == tid;
    }
}

#endif /* GCT_GLIBC_PRIVATE_H */
