/*
 * once.c - sync.Once with a result (sync.OnceValue): fn runs once, every
 * caller gets what it returned.
 *
 * goc_once.state moves 0 (new) -> 1 (running) -> 2 (done), never back.
 * The caller whose compare-and-swap takes it from 0 to 1 runs fn, stores
 * result and then publishes state 2 with release order; anyone who loads 2
 * with acquire order may read result.  Callers that find 1 sleep on the
 * state word as a futex.  There is no lock.
 *
 * The futex word: state is an _Atomic int, goc__futex_wait takes an
 * _Atomic uint32_t *.  Both are 32-bit words with the same alignment (the
 * static assertion below checks), and goc__futex_wait never reads through
 * the pointer in C: only the kernel compares the word.  So we cast rather
 * than keep a side table of futex words keyed by address, which would need
 * a lock and could not be freed with the goc_once.
 *
 * The finisher wakes unconditionally: a second state for "running with
 * waiters" would save one futex_wake syscall per goc_once over its whole
 * life, and the header documents three states.
 */
#include "goc_impl.h"


_Static_assert(sizeof(_Atomic int) == sizeof(_Atomic uint32_t) &&
                   _Alignof(_Atomic int) == _Alignof(_Atomic uint32_t),
               "goc_once.state must be usable as a futex word");

enum { NEW = 0, RUNNING = 1, DONE = 2 };

/* The onces whose fn this thread is running, innermost first: a call that
 * finds one of them still running is a recursive call and would wait for
 * itself.  Frames live on the runner's stack. */
struct running {
    goc_once *once;
    struct running *next;
    int result; /* fn's result; GOC_ECANCELED if fn left by pthread_exit */
};
static _Thread_local struct running *running_here;

static _Atomic uint32_t *
state_word(goc_once *once)
{
    return (_Atomic uint32_t *)(void *)&once->state;
}

static bool
running_on_this_thread(const goc_once *once)
{
    for (const struct running *r = running_here; r != NULL; r = r->next)
        if (r->once == once)
            return true;
    return false;
}

/* Publishes the result.  Also runs if fn leaves by pthread_exit, so that
 * the other callers are not left waiting forever (Go likewise treats a
 * panicking f as having returned). */
static void
finish(void *p)
{
    struct running *self = p;
    goc_once *once = self->once;

    running_here = self->next;
    once->result = self->result;
    GOC_HB_BEFORE(&once->state); /* result and fn's work */
    atomic_store_explicit(&once->state, DONE, memory_order_release);
    goc__futex_wake(state_word(once), INT32_MAX);
}

int
goc_once_do(goc_once *once, int (*fn)(void *arg), void *arg)
{
    int s;

    if (once == NULL || fn == NULL)
        return GOC_EINVAL;
    s = atomic_load_explicit(&once->state, memory_order_acquire);
    if (GOC_LIKELY(s == DONE)) {
        GOC_HB_AFTER(&once->state);
        return once->result;
    }

    if (s == NEW &&
        atomic_compare_exchange_strong_explicit(&once->state, &s, RUNNING,
                                                memory_order_acquire,
                                                memory_order_acquire)) {
        struct running self = {
            .once = once, .next = running_here, .result = GOC_ECANCELED};

        running_here = &self;
        pthread_cleanup_push(finish, &self);
        self.result = fn(arg);
        pthread_cleanup_pop(1);
        return self.result;
    }

    /* s is RUNNING or DONE now. */
    if (s == RUNNING) {
        if (running_on_this_thread(once)) {
            GOC_MISUSE(GCT_MISUSE_RECURSIVE_ONCE, once, 0);
            return GOC_EMISUSE;
        }
        GOC_WAIT_BEGIN(GCT_WAIT_ONCE, once);
        while (atomic_load_explicit(&once->state, memory_order_acquire) ==
               RUNNING)
            goc__futex_wait(state_word(once), RUNNING, GOC_FOREVER);
        GOC_WAIT_END(once, 0);
    }
    GOC_HB_AFTER(&once->state); /* s is DONE now */
    return once->result;
}
