/*
 * intercept_spin.c - pthread spinlocks.
 *
 * A spinlock is a lock like the others for lock order, the held stack
 * and who held what: its acquisition is acquire.h's, with a wait that
 * spins instead of sleeping (reason GCT_WAIT_SPIN) when its trylock
 * finds it held.  The uncontended lock is one trylock and the held-stack
 * bookkeeping, as for a mutex.
 *
 * glibc keeps no owner in a spinlock, only a lock word: who holds one is
 * known from the held stacks (gct_holder_of).  An unlock of a spinlock
 * the thread does not hold is misuse: of an unlocked one when the word
 * says free, of a foreign one when it says held.  glibc's unlock answers
 * 0 either way and frees it for whoever holds it.
 */
#include "acquire.h"

GCT_EXPORT int
pthread_spin_init(pthread_spinlock_t *s, int pshared)
{
    RESOLVED(pthread_spin_init);
    struct gct_thread *t = gct_self();
    int r = gct_real.pthread_spin_init(s, pshared);
    if (t && r == 0)
        gct_lock_init_note(t, (void *)s, GCT_OBJ_SPIN, GCT_LOCK_SPIN, SITE());
    return r;
}

GCT_EXPORT int
pthread_spin_destroy(pthread_spinlock_t *s)
{
    RESOLVED(pthread_spin_destroy);
    struct gct_thread *t = gct_self();
    int r = gct_real.pthread_spin_destroy(s);
    if (t)
        gct_lock_destroy_note(t, (void *)s, r, true);
    return r;
}

/* The contended way, out of line: the common one is a trylock. */
static __attribute__((noinline)) int
spin_lock_rest(struct gct_thread *t, pthread_spinlock_t *s, int tried,
               uintptr_t site)
{
    struct gct_lock_call c = {.obj = (void *)s};
    return gct_acquire(t, GCT_OP_SPIN_LOCK, &c, tried, site);
}

GCT_EXPORT int
pthread_spin_lock(pthread_spinlock_t *s)
{
    RESOLVED(pthread_spin_lock);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.pthread_spin_lock(s);
    if (GCT_UNLIKELY(gct_recorder.opt.record == GCT_RECORD_ALL))
        return spin_lock_rest(t, s, GCT_UNTRIED, SITE());
    int r = gct_real.pthread_spin_trylock(s);
    if (GCT_UNLIKELY(r != 0))
        return spin_lock_rest(t, s, r, SITE());
    gct_lock_acquired_unrecorded(t, (void *)s, GCT_LOCK_SPIN, SITE());
    return 0;
}

GCT_EXPORT int
pthread_spin_trylock(pthread_spinlock_t *s)
{
    RESOLVED(pthread_spin_trylock);
    struct gct_thread *t = gct_self();
    int r = gct_real.pthread_spin_trylock(s);
    if (t && r == 0)
        gct_lock_acquired(t, (void *)s, GCT_LOCK_SPIN | GCT_LOCK_TRY, SITE());
    return r;
}

/* An unlock of a spinlock this thread does not hold (held: its word
 * before the unlock).  Keeps errno. */
static __attribute__((noinline, cold)) void
spin_not_held(struct gct_thread *t, pthread_spinlock_t *s, bool held)
{
    gct_misuse(t, held ? GCT_MISUSE_UNLOCK_FOREIGN : GCT_MISUSE_UNLOCK_UNLOCKED,
               (void *)s, held ? gct_holder_of((uintptr_t)s) : 0);
}

GCT_EXPORT int
pthread_spin_unlock(pthread_spinlock_t *s)
{
    RESOLVED(pthread_spin_unlock);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.pthread_spin_unlock(s);
    /* Off the held stack before the lock is free: another thread may
     * take it at once, and must not find this one still holding it. */
    bool held = gct_spin_held(s);
    if (GCT_UNLIKELY(!gct_lock_released(t, (void *)s)))
        spin_not_held(t, s, held);
    return gct_real.pthread_spin_unlock(s);
}
