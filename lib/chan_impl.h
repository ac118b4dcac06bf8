/*
 * chan_impl.h - the channel structure and the wait-queue machinery shared by
 * lib/chan.c and lib/select.c, and nothing else.
 *
 * The model is Go's runtime (chan.go, select.go): a channel is a lock, a
 * ring buffer and two FIFO queues of waiter records ("sudogs") for blocked
 * senders and receivers.  A waiter lives on the blocked thread's stack (or
 * in its select's scratch block) and belongs to one wait: a plain send or
 * receive has one waiter, a select has one per usable case, and all waiters
 * of one wait share a goc__wait.  Exactly one party may complete a wait:
 * whoever moves the wait's state from GOC__WAIT_PENDING with a CAS (a peer
 * completing the operation, a closer, or the waiting thread itself when its
 * deadline passes).  A waiter dequeued by a peer whose CAS fails belongs to
 * a wait that already completed elsewhere: the peer drops it and looks at
 * the next one.
 *
 * Memory of a waiter stays valid until its thread has been woken (the
 * thread waits for its wake-up before returning, even after a lost race) and
 * has removed its other waiters from their queues under their channel
 * locks.  So a peer that won the CAS may touch the waiter until it calls
 * goc__waiter_wake, which is its last access.
 */
#ifndef GOC_CHAN_IMPL_H
#define GOC_CHAN_IMPL_H

#include "goc_impl.h"

#include <sched.h>
#include <stdalign.h>
#include <string.h>

/* goc__wait.state while nobody has completed the wait. */
#define GOC__WAIT_PENDING (-1)
/* goc__wait.state once the waiting thread gave up at its deadline. */
#define GOC__WAIT_TIMEDOUT (-2)

/* goc__wait.word: how far the waiting thread got, and whether it was woken.
 * Unlike goc__parker's 0/1 word, it tells the waker whether the sleeper
 * is in the kernel, so that a hand-off to a thread still spinning costs no
 * futex syscall (ping-pong between two threads is the common case). */
#define GOC__PARK_SPINNING 0u
#define GOC__PARK_SLEEPING 1u
#define GOC__PARK_WOKEN 2u

/* What one blocked thread waits on: shared by all waiters of one wait. */
typedef struct goc__wait {
    _Atomic uint32_t word; /* GOC__PARK_*; the futex word */
    /* GOC__WAIT_PENDING, GOC__WAIT_TIMEDOUT, or the case index of the
     * waiter that completed the wait.  Changed only by CAS from PENDING. */
    _Atomic int state;
} goc__wait;

static inline void
goc__wait_init(goc__wait *wt)
{
    atomic_init(&wt->word, GOC__PARK_SPINNING);
    atomic_init(&wt->state, GOC__WAIT_PENDING);
}

typedef struct goc__waiter goc__waiter;
struct goc__waiter {
    goc__waiter *next, *prev; /* queue links; under the channel lock */
    goc__waiter *wake_next;   /* close's list of waiters to wake */
    goc__wait *wait;          /* shared per blocked thread; never NULL */
    void *elem;       /* send: the value to copy out; recv: where to copy
                         the value in (NULL: discard) */
    int index;        /* the case index (0 for plain send/recv) */
    bool queued;      /* linked in its channel's queue; under the lock */
    bool registered;  /* counted in its queue's `registered` (buffered) */
    bool success;     /* unbuffered channels: set by the completing peer
                         before the wake, true when a value moved, false
                         when the channel closed.  Buffered channels do not
                         use it: their woken waiters poll again. */
};

typedef struct goc__waitq {
    goc__waiter *first, *last; /* under the channel lock */
    /* Buffered channels: threads registered to block on this side, whose
     * waiters peers must look for (see below).  Read without the lock. */
    _Atomic uint32_t registered;
} goc__waitq;

/*
 * An unbuffered channel works as Go's: a sender and a receiver meet under
 * the lock, and a blocked party gets its value copied straight to or from
 * its waiter.  Invariants (under lock): a live (still pending) waiter sits
 * in at most one queue kind at a time; stale waiters (whose wait completed
 * elsewhere) may sit in either queue until their owner or a peer removes
 * them; once closed, both queues hold only stale waiters.
 *
 * A buffered channel keeps its values in a lock-free ring (chan_ring.h), so
 * that a send into room or a receive of a waiting value takes no lock.  The
 * lock and the queues serve only threads that must block: such a thread
 * registers itself (its queue's `registered` count, under the lock),
 * polls the ring once more and only then queues a waiter and parks.  Every
 * peer that claims a slot of the ring reads the opposite count before it
 * publishes the slot; when it is non-zero the peer claims one queued
 * waiter and wakes it (goc__after), and the woken thread polls the ring
 * again ("retry"; a value is never handed over in a waiter; a select polls
 * the case it was woken for first, so the wake-up is not wasted).  The
 * counts and the ring positions are seq_cst, so of a registering thread
 * and a peer at least one sees the other: no wake-up is lost.  A
 * registration ends once: the peer that claims the waiter ends it (so
 * that a woken thread that has not run yet sends nobody to the lock), else
 * the thread itself when it leaves without being claimed.
 */
struct goc_chan {
    goc__lock lock;       /* guards every field below marked "lock" */
    bool closed;          /* lock (a buffered channel: also the ring's bit) */
    goc__waitq recvq;     /* lock: blocked receivers */
    goc__waitq sendq;     /* lock: blocked senders */
    void (*on_free)(void *); /* lock: hook for goc_chan_free */
    void *on_free_arg;       /* lock */
    _Atomic size_t refs;  /* references; memory goes at zero */
    size_t elem_size;     /* immutable */
    size_t cap;           /* immutable */
    const char *name;     /* immutable; NULL or points into this block */
    /* Buffered channels only: the ring of cap slots, each a sequence word
     * followed by the value, slot_size bytes apart (see chan_ring.h). */
    unsigned char *slots; /* immutable pointer */
    size_t slot_size;     /* immutable */
    size_t mask;          /* immutable: cap - 1 if cap is a power of two */
    /* Ring positions, each on its own cache line: senders and receivers
     * of a busy channel run on different cores. */
    alignas(64) _Atomic uint64_t sendpos; /* next slot to fill; top bit:
                                             closed */
    alignas(64) _Atomic uint64_t recvpos; /* next slot to empty */
    alignas(64) char end_[];
};

static inline void
goc__waitq_push(goc__waitq *q, goc__waiter *w)
{
    w->next = NULL;
    w->prev = q->last;
    if (q->last)
        q->last->next = w;
    else
        q->first = w;
    q->last = w;
    w->queued = true;
}

/* Unlinks w, which must be queued on q. */
static inline void
goc__waitq_remove(goc__waitq *q, goc__waiter *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else
        q->first = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        q->last = w->prev;
    w->next = w->prev = NULL;
    w->queued = false;
}

/*
 * Pops waiters off q until one whose wait this call completes: returns it
 * (claimed; the caller must finish the operation, set success and, after
 * unlocking, goc__waiter_wake it) or NULL when q has no live waiter.  Stale
 * waiters are dropped.  Claiming a registered waiter ends its registration.
 */
static inline goc__waiter *
goc__waitq_claim(goc__waitq *q)
{
    goc__waiter *w;

    while ((w = q->first) != NULL) {
        goc__waitq_remove(q, w);
        int expected = GOC__WAIT_PENDING;
        if (atomic_compare_exchange_strong_explicit(
                &w->wait->state, &expected, w->index, memory_order_acq_rel,
                memory_order_acquire)) {
            if (w->registered)
                atomic_fetch_sub(&q->registered, 1);
            return w;
        }
    }
    return NULL;
}

/* Releases a claimed waiter's thread: the last access to w (the futex
 * wake only uses the address, and a stale one costs a spurious wake-up
 * that every sleeper tolerates). */
static inline void
goc__waiter_wake(goc__waiter *w)
{
    _Atomic uint32_t *word = &w->wait->word;

    GOC_HB_BEFORE(word); /* the value moved, success, the queue unlinked */
    if (atomic_exchange_explicit(word, GOC__PARK_WOKEN,
                                 memory_order_release) == GOC__PARK_SLEEPING)
        goc__futex_wake(word, 1);
}

/* Spins this many times on the wait word before sleeping in the kernel.
 * A futex sleep plus wake-up costs more than a ping-pong partner usually
 * takes to answer, so spinning for about as long as a sleep would take
 * makes unbuffered ping-pong many times faster (docs/bench-shim.md,
 * "libgoc's tuning constants").  The price is at most that much CPU per
 * wait that does end up sleeping. */
#define GOC__SPIN_BEFORE_PARK 1000

/* For goc__wait_park once it saw GOC__PARK_WOKEN: what the waker did
 * happened before.  The wait is over and its word (on the stack) will be
 * reused, so the edges recorded on it go. */
#define GOC__WAIT_WOKEN(wt)                                                 \
    do {                                                                    \
        GOC_HB_AFTER(&(wt)->word);                                          \
        GOC_HB_FORGET(&(wt)->word);                                         \
    } while (0)

/* Tells the tracer about a wait (instrumented build): goc__wait_park
 * calls it once the spin is over and the thread is about to sleep. */
typedef void (*goc__report_fn)(void *arg);

/*
 * Waits until a peer completes wt or the deadline passes.  Returns 0 when
 * a peer completed it (wt->state names the waiter; its success field is
 * visible), GOC_ETIMEDOUT when this thread claimed the wait for itself at
 * the deadline: then no peer will touch its waiters except to drop them as
 * stale, and the caller must unlink those still queued, under their locks.
 *
 * report(arg) runs when the spin did not end the wait, before sleeping,
 * and so before any GOC_ETIMEDOUT: the tracer records waits that block,
 * as the recorder does for pthread locks (trylock first), and a partner
 * that answers within the spin costs no record (unbuffered ping-pong
 * answers within it nearly always, and recording each of those waits
 * slowed it markedly under the recorder).
 */
static inline int
goc__wait_park(goc__wait *wt, goc_time deadline, goc__report_fn report,
               void *arg)
{
    uint32_t c;

    for (int i = 0; i < GOC__SPIN_BEFORE_PARK; i++) {
        if (atomic_load_explicit(&wt->word, memory_order_acquire) ==
            GOC__PARK_WOKEN) {
            GOC__WAIT_WOKEN(wt);
            return 0;
        }
        __builtin_ia32_pause();
    }
    report(arg);
    c = GOC__PARK_SPINNING;
    if (!atomic_compare_exchange_strong_explicit(
            &wt->word, &c, GOC__PARK_SLEEPING, memory_order_acquire,
            memory_order_acquire)) {
        GOC__WAIT_WOKEN(wt); /* woken meanwhile */
        return 0;
    }
    for (;;) {
        int r = goc__futex_wait(&wt->word, GOC__PARK_SLEEPING, deadline);
        if (atomic_load_explicit(&wt->word, memory_order_acquire) ==
            GOC__PARK_WOKEN) {
            GOC__WAIT_WOKEN(wt);
            return 0;
        }
        if (r == GOC_ETIMEDOUT)
            break;
    }
    int expected = GOC__WAIT_PENDING;
    if (atomic_compare_exchange_strong_explicit(
            &wt->state, &expected, GOC__WAIT_TIMEDOUT, memory_order_acq_rel,
            memory_order_acquire))
        return GOC_ETIMEDOUT;
    /* A peer claimed the wait just before the deadline and is finishing
     * the operation, which therefore counts.  Wait for its wake-up, its
     * last access to our waiters, before they go out of scope. */
    while (atomic_load_explicit(&wt->word, memory_order_acquire) !=
           GOC__PARK_WOKEN)
        goc__futex_wait(&wt->word, GOC__PARK_SLEEPING, GOC_FOREVER);
    GOC__WAIT_WOKEN(wt);
    return 0;
}

/* A buffered operation that could not proceed polls the ring again
 * GOC__RING_SPIN times before it registers to block, with gaps that double
 * from 1 pause to 32 and then give the core away (sched_yield) for the
 * rest.  The growing gaps matter: a consumer that polls an empty ring at
 * once pulls the cache line the producer is writing, and the pair then
 * moves each value with two cache misses, while letting the producer run
 * ahead moves a line of values at a time.  Yielding instead of spinning
 * on lets a peer on the same core run: with more threads than cores, a
 * spinning waiter only delays the thread it waits for (docs/bench-shim.md,
 * "libgoc's tuning constants").  A parked thread spins on
 * its wait word without yielding (GOC__SPIN_BEFORE_PARK): there, yielding
 * made unbuffered ping-pong slower. */
#define GOC__RING_SPIN 21

static inline void
goc__spin_gap(int i)
{
    if (i >= 6) {
        sched_yield();
        return;
    }
    for (int n = 1 << i; n > 0; n--)
        __builtin_ia32_pause();
}

/* Whether an absolute deadline (not GOC_NOW) has passed. */
static inline bool
goc__deadline_passed(goc_time deadline)
{
    return deadline != GOC_FOREVER && deadline <= goc_now();
}

static inline void
goc__elem_copy(void *dst, const void *src, size_t n)
{
    /* memcpy with a NULL pointer is undefined even for n == 0. */
    if (n != 0 && dst != NULL)
        memcpy(dst, src, n);
}

/*
 * What a completed operation leaves to do once its thread holds no channel
 * lock: wake the unbuffered peer it completed, or (buffered) tell the other
 * side of the ring, for which it holds a reference to the channel.
 *
 * That reference is taken before the operation's value (or free slot)
 * becomes visible: the moment it does, the peer's operation may complete
 * and a thread may free the channel (a receiver that got the last value,
 * say, as Go's garbage-collected channels allow), so nothing may touch the
 * channel after it without one.
 */
typedef struct goc__after {
    goc__waiter *wake;  /* unbuffered: the claimed peer */
    goc_chan *notify;   /* buffered: the channel, with a reference held */
    bool sent;          /* notify: the operation was a send */
} goc__after;

GOC_HIDDEN void goc__after_run(const goc__after *after);

/*
 * The non-blocking halves of send and receive, shared with select.  They
 * never block and never unlock.  An unbuffered channel's must be called
 * with its lock held; a buffered channel's need no lock.  Each returns:
 *   0            the operation completed: the caller must goc__after_run
 *                *after once it holds no channel lock;
 *   GOC_ECLOSED  closed (send: misuse; recv: drained, *val zero-filled);
 *   GOC_EAGAIN   it would block.
 */
GOC_HIDDEN int goc__chan_send_poll(goc_chan *ch, const void *val,
                                   goc__after *after);
GOC_HIDDEN int goc__chan_recv_poll(goc_chan *ch, void *val,
                                   goc__after *after);

#endif /* GOC_CHAN_IMPL_H */
