/*
 * timer.c - the timer service, and the public timers, tickers and goc_after
 * built on it.
 *
 * One library thread ("goc-timer") runs every timer's callback at its time.
 * Pending timers sit in a binary min-heap ordered by (when, seq); the thread
 * sleeps on a futex word until the earliest deadline or until someone
 * changes the head of the heap.  The thread exists only while the heap is
 * not empty: when it finds the heap empty it marks itself gone and exits,
 * and the next goc__timer_start starts a new one.  Both happen under
 * svc.lock, so there is never a pending timer without a thread to serve it
 * (the exiting thread touches nothing after its last unlock).
 *
 * Why one thread and a heap rather than a thread or a POSIX timer per
 * timer: ten thousand contexts with deadlines must not cost ten thousand
 * threads, and timer_create(SIGEV_THREAD) starts a thread per expiry.
 *
 * svc.lock (a goc__lock: see goc_impl.h for why not a pthread mutex)
 * protects the heap, svc.running, svc.current, svc.cancel_waiters and
 * every goc__timer's state, index, when, cancel_requested and orphaned
 * fields.  fn, arg and period are immutable after start.  Callbacks run
 * without svc.lock, one at a time, on the service thread.
 *
 * A goc__timer is owned by whoever started it until it is disposed of
 * exactly once: goc__timer_cancel frees it when it returns true (the
 * callback will never run); otherwise (it ran, or runs now) the owner
 * disposes of it with goc__timer_release, which never blocks and leaves the
 * freeing to the service thread when the callback is still running.
 *
 * Public objects each have their own goc__lock (see their structs), always
 * taken before svc.lock and never held by a callback, so a stop that waits
 * for a running callback cannot deadlock with it.
 */
#include "goc_impl.h"

#include <limits.h>
#include <signal.h>
#include <string.h>

/* The service thread's stack: callbacks are short (a try_send, a context
 * cancellation that may reach the tracer's hook), so a small stack is
 * plenty; sanitizers make frames bigger, hence not the bare minimum. */
#define SERVICE_STACK_SIZE ((size_t)256 * 1024)

#define HEAP_MIN_CAP 16

enum timer_state {
    T_PENDING, /* in the heap */
    T_RUNNING, /* its callback runs now on the service thread */
    T_DONE,    /* ran (or was cancelled while running); not in the heap */
};

struct goc__timer {
    goc_time when;          /* svc.lock: when the callback is due */
    uint64_t seq;           /* svc.lock: start order, to break ties */
    void (*fn)(void *);     /* immutable */
    void *arg;              /* immutable */
    goc_duration period;    /* immutable; > 0: re-armed after each run */
    size_t index;           /* svc.lock: position in the heap if pending */
    enum timer_state state; /* svc.lock */
    bool cancel_requested;  /* svc.lock: cancelled while running: do not
                               re-arm a periodic timer */
    bool orphaned;          /* svc.lock: released while running: the
                               service frees it once the callback returns */
};

static struct {
    goc__lock lock;
    goc__timer **heap;      /* lock: min-heap of pending timers */
    size_t len, cap;        /* lock */
    uint64_t next_seq;      /* lock */
    bool running;           /* lock: a service thread serves the heap */
    goc__timer *current;    /* lock: the timer whose callback runs now */
    size_t cancel_waiters;  /* lock: cancels waiting for a callback */
    /* Bumped (under lock) when the head of the heap changes, so that the
     * sleeping service re-reads its deadline. */
    _Atomic uint32_t wake_seq;
    /* Bumped (under lock) after a callback returns while a cancel waits. */
    _Atomic uint32_t run_seq;
} svc;

/* Set on the service thread only: cancels made from a callback must not
 * wait for the callback that is making them. */
static _Thread_local bool on_service_thread;

/* ---------------------------------------------------------------------
 * The heap (all under svc.lock)
 * ------------------------------------------------------------------- */

static bool
earlier(const goc__timer *a, const goc__timer *b)
{
    return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void
heap_set(size_t i, goc__timer *t)
{
    svc.heap[i] = t;
    t->index = i;
}

static void
sift_up(size_t i)
{
    goc__timer *t = svc.heap[i];

    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!earlier(t, svc.heap[parent]))
            break;
        heap_set(i, svc.heap[parent]);
        i = parent;
    }
    heap_set(i, t);
}

static void
sift_down(size_t i)
{
    goc__timer *t = svc.heap[i];

    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= svc.len)
            break;
        if (child + 1 < svc.len && earlier(svc.heap[child + 1],
                                           svc.heap[child]))
            child++;
        if (!earlier(svc.heap[child], t))
            break;
        heap_set(i, svc.heap[child]);
        i = child;
    }
    heap_set(i, t);
}

/* Makes room for one more timer.  False on allocation failure. */
static bool
heap_reserve(void)
{
    if (svc.len < svc.cap)
        return true;
    size_t cap = svc.cap ? svc.cap * 2 : HEAP_MIN_CAP;
    goc__timer **heap = goc__malloc(cap * sizeof *heap);
    if (heap == NULL)
        return false;
    if (svc.len)
        memcpy(heap, svc.heap, svc.len * sizeof *heap);
    goc__free(svc.heap);
    svc.heap = heap;
    svc.cap = cap;
    return true;
}

/* Inserts t (room reserved).  Returns true when t became the head. */
static bool
heap_push(goc__timer *t)
{
    t->seq = svc.next_seq++;
    t->state = T_PENDING;
    svc.heap[svc.len] = t;
    sift_up(svc.len++);
    return t->index == 0;
}

/* Removes the pending timer t.  Returns true when it was the head. */
static bool
heap_remove(goc__timer *t)
{
    size_t i = t->index;
    goc__timer *last = svc.heap[--svc.len];

    goc__assert(i <= svc.len && svc.heap[i] == t);
    if (i < svc.len) {
        heap_set(i, last);
        sift_up(i);
        sift_down(last->index);
    }
    return i == 0;
}

/* Tells the sleeping service that the head changed.  Under svc.lock; the
 * caller wakes the futex after unlocking. */
static void
bump_wake_seq(void)
{
    atomic_fetch_add_explicit(&svc.wake_seq, 1, memory_order_release);
}

/* ---------------------------------------------------------------------
 * The service thread
 * ------------------------------------------------------------------- */

/* The next time a periodic timer is due: one period after the last due
 * time, skipping the ticks that have already been missed (as Go does). */
static goc_time
next_due(goc_time when, goc_duration period, goc_time now)
{
    if (when > GOC_FOREVER - period)
        return GOC_FOREVER;
    goc_time next = when + period;
    if (next <= now) {
        goc_duration behind = now - when;
        goc_duration skip = (behind / period + 1) * period;
        next = when > GOC_FOREVER - skip ? GOC_FOREVER : when + skip;
    }
    return next;
}

static void *
service_main(void *unused)
{
    (void)unused;
    on_service_thread = true;

    goc__lock_acquire(&svc.lock);
    for (;;) {
        if (svc.len == 0) {
            /* Exit under the lock: a start that comes after our unlock
             * sees running false and starts a new thread. */
            svc.running = false;
            goc__free(svc.heap);
            svc.heap = NULL;
            svc.cap = 0;
            goc__lock_release(&svc.lock);
            return NULL;
        }
        goc__timer *t = svc.heap[0];
        goc_time now = goc_now();
        if (t->when > now) {
            uint32_t seq = atomic_load_explicit(&svc.wake_seq,
                                                memory_order_acquire);
            goc_time when = t->when;
            goc__lock_release(&svc.lock);
            goc__futex_wait(&svc.wake_seq, seq, when);
            goc__lock_acquire(&svc.lock);
            continue;
        }

        heap_remove(t);
        t->state = T_RUNNING;
        svc.current = t;
        goc__lock_release(&svc.lock);

        t->fn(t->arg);

        goc__lock_acquire(&svc.lock);
        svc.current = NULL;
        if (t->orphaned) {
            goc__free(t);
        } else if (t->period > 0 && !t->cancel_requested &&
                   heap_reserve()) {
            /* If the heap cannot grow, the ticker stops ticking: there is
             * nobody to report ENOMEM to, and dropping ticks is what a
             * ticker does under pressure anyway. */
            t->when = next_due(t->when, t->period, goc_now());
            heap_push(t);
        } else {
            t->state = T_DONE;
        }
        if (svc.cancel_waiters > 0) {
            atomic_fetch_add_explicit(&svc.run_seq, 1, memory_order_release);
            goc__lock_release(&svc.lock);
            goc__futex_wake(&svc.run_seq, INT_MAX);
            goc__lock_acquire(&svc.lock);
        }
    }
}

/* Starts the service thread, under svc.lock.  False when the system
 * refuses. */
static bool
service_spawn(void)
{
    pthread_attr_t attr;
    pthread_t tid;
    sigset_t all, old;
    size_t stack = SERVICE_STACK_SIZE;
    int r;

    if (stack < (size_t)PTHREAD_STACK_MIN)
        stack = (size_t)PTHREAD_STACK_MIN;
    if (pthread_attr_init(&attr) != 0)
        return false;
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, stack);
    /* The thread inherits our signal mask: block everything so that the
     * program's signals go to its own threads, never to ours. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    r = pthread_create(&tid, &attr, service_main, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (r != 0)
        return false;
    /* Named by its creator, so that the name is there before the thread
     * first runs (tests look for it).  tid is still valid: the thread
     * cannot exit before we release svc.lock, the heap being non-empty. */
    pthread_setname_np(tid, "goc-timer");
    svc.running = true;
    return true;
}

/* After fork() the child has no service thread, whatever svc.running says,
 * and a callback that was running in the parent never finishes in the
 * child.  The handlers hold svc.lock across fork() so that the child's copy
 * of the heap is consistent, then give the child a thread of its own for
 * the pending timers it inherited. */
static void
fork_prepare(void)
{
    goc__lock_acquire(&svc.lock);
}

static void
fork_parent(void)
{
    goc__lock_release(&svc.lock);
}

static void
fork_child(void)
{
    goc__timer *t = svc.current;

    svc.running = false;
    svc.cancel_waiters = 0; /* only the forking thread exists here */
    svc.current = NULL;
    if (t != NULL) {
        if (t->orphaned)
            goc__free(t);
        else
            t->state = T_DONE;
    }
    if (svc.len > 0)
        service_spawn(); /* on failure, the next start tries again */
    goc__lock_release(&svc.lock);
}

static void
register_atfork(void)
{
    pthread_atfork(fork_prepare, fork_parent, fork_child);
}

static goc__timer *
timer_start(goc_time when, goc_duration period, void (*fn)(void *),
            void *arg)
{
    static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
    bool wake = false;

    pthread_once(&atfork_once, register_atfork);
    goc__timer *t = goc__calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->when = when;
    t->fn = fn;
    t->arg = arg;
    t->period = period;

    goc__lock_acquire(&svc.lock);
    if (!heap_reserve())
        goto fail;
    bool head = heap_push(t);
    if (!svc.running) {
        if (!service_spawn()) {
            heap_remove(t);
            goto fail;
        }
    } else if (head) {
        bump_wake_seq();
        wake = true;
    }
    goc__lock_release(&svc.lock);
    if (wake)
        goc__futex_wake(&svc.wake_seq, 1);
    return t;

fail:
    goc__lock_release(&svc.lock);
    goc__free(t);
    return NULL;
}

goc__timer *
goc__timer_start(goc_time when, void (*fn)(void *), void *arg)
{
    return timer_start(when, 0, fn, arg);
}

bool
goc__timer_cancel(goc__timer *t)
{
    bool wake = false;

    if (t == NULL)
        return false;
    goc__lock_acquire(&svc.lock);
    if (t->state == T_PENDING) {
        /* Waking the service when the head goes matters: with an empty
         * heap it must exit now, not at the removed timer's deadline. */
        if (heap_remove(t)) {
            bump_wake_seq();
            wake = true;
        }
        goc__lock_release(&svc.lock);
        if (wake)
            goc__futex_wake(&svc.wake_seq, 1);
        goc__free(t);
        return true;
    }
    if (t->state == T_RUNNING) {
        t->cancel_requested = true;
        if (!on_service_thread) {
            svc.cancel_waiters++;
            while (t->state == T_RUNNING) {
                uint32_t seq = atomic_load_explicit(&svc.run_seq,
                                                    memory_order_acquire);
                goc__lock_release(&svc.lock);
                goc__futex_wait(&svc.run_seq, seq, GOC_FOREVER);
                goc__lock_acquire(&svc.lock);
            }
            svc.cancel_waiters--;
        }
    }
    goc__lock_release(&svc.lock);
    return false;
}

void
goc__timer_release(goc__timer *t)
{
    if (t == NULL)
        return;
    goc__lock_acquire(&svc.lock);
    if (t->state == T_RUNNING) {
        t->orphaned = true;
        goc__lock_release(&svc.lock);
        return;
    }
    goc__lock_release(&svc.lock);
    /* Still pending is a caller's slip; cancelling then is the only safe
     * way to let go of it. */
    if (!goc__timer_cancel(t))
        goc__free(t);
}

/* ---------------------------------------------------------------------
 * Public one-shot timers
 * ------------------------------------------------------------------- */

struct goc_timer {
    goc__lock lock;       /* serialises stop/reset/free of this timer */
    goc__timer *pending;  /* lock: the armed timer, NULL when stopped; may
                             have fired already (then only released) */
    goc_chan *ch;         /* immutable; owned by the timer */
};

/* Runs on the service thread: hand over the time, dropping it if the
 * channel still holds an unreceived one. */
static void
send_now(void *arg)
{
    goc_time now = goc_now();

    goc_chan_try_send((goc_chan *)arg, &now);
}

/* The one-shot timers' callback (goc_timer, goc_after): the time, and
 * for gctrace the end of the timer's pending (a timer still pending at
 * exit is a leak: gctrace's timer_leak). */
static void
send_once(void *arg)
{
    send_now(arg);
    GOC_HOOK(GCT_EV_TIMER_DISARM, arg, GCT_TIMER_FIRED, 0, NULL);
}

/* Disarms t->pending (under t->lock).  Returns true when it had not
 * fired. */
static bool
timer_disarm(goc_timer *t)
{
    goc__timer *p = t->pending;

    t->pending = NULL;
    if (p == NULL)
        return false;
    if (goc__timer_cancel(p)) {
        GOC_HOOK(GCT_EV_TIMER_DISARM, t->ch, GCT_TIMER_STOPPED, 0, NULL);
        return true;
    }
    goc__timer_release(p);
    return false;
}

int
goc_timer_make(goc_timer **out, goc_duration d)
{
    if (out == NULL)
        return GOC_EINVAL;
    goc_timer *t = goc__calloc(1, sizeof *t);
    if (t == NULL)
        return GOC_ENOMEM;
    int r = goc_chan_make_named(&t->ch, sizeof(goc_time), 1,
                                GCT_CHAN_OWN_PREFIX "timer");
    if (r != 0)
        goto fail_chan;
    /* Armed before it starts: it may fire at once. */
    GOC_HOOK(GCT_EV_TIMER_ARM, t->ch, GCT_TIMER_ONESHOT, 0, NULL);
    t->pending = goc__timer_start(goc_deadline_after(d), send_once, t->ch);
    if (t->pending == NULL) {
        GOC_HOOK(GCT_EV_TIMER_DISARM, t->ch, GCT_TIMER_STOPPED, 0, NULL);
        r = GOC_ENOMEM;
        goto fail_timer;
    }
    *out = t;
    return 0;

fail_timer:
    goc_chan_free(t->ch);
fail_chan:
    goc__free(t);
    return r;
}

goc_chan *
goc_timer_chan(goc_timer *t)
{
    return t ? t->ch : NULL;
}

bool
goc_timer_stop(goc_timer *t)
{
    if (t == NULL)
        return false;
    goc__lock_acquire(&t->lock);
    bool stopped = timer_disarm(t);
    goc__lock_release(&t->lock);
    return stopped;
}

bool
goc_timer_reset(goc_timer *t, goc_duration d)
{
    if (t == NULL)
        return false;
    goc__lock_acquire(&t->lock);
    bool stopped = timer_disarm(t);
    /* The callback can no longer run, so a value in the channel is from
     * the earlier firing: drop it, so the next receive sees the new one. */
    goc_chan_try_recv(t->ch, NULL, NULL);
    GOC_HOOK(GCT_EV_TIMER_ARM, t->ch, GCT_TIMER_ONESHOT, 0, NULL);
    t->pending = goc__timer_start(goc_deadline_after(d), send_once, t->ch);
    /* On allocation failure the timer stays stopped: the bool result has
     * no room for GOC_ENOMEM, and a stopped timer is a safe state. */
    if (t->pending == NULL)
        GOC_HOOK(GCT_EV_TIMER_DISARM, t->ch, GCT_TIMER_STOPPED, 0, NULL);
    goc__lock_release(&t->lock);
    return stopped;
}

void
goc_timer_free(goc_timer *t)
{
    if (t == NULL)
        return;
    timer_disarm(t);
    goc_chan_free(t->ch);
    goc__free(t);
}

/* ---------------------------------------------------------------------
 * goc_after
 * ------------------------------------------------------------------- */

/* The timer behind a goc_after channel.  The timer holds a reference to the
 * channel so that a callback running while the user frees it still sends
 * into valid memory; the channel's on_free hook cancels the timer (waiting
 * for a running callback) and drops that reference. */
struct after {
    goc_chan *ch;
    goc__timer *timer; /* set before the hook is installed; immutable */
};

static void
after_on_free(void *arg)
{
    struct after *a = arg;

    if (goc__timer_cancel(a->timer))
        GOC_HOOK(GCT_EV_TIMER_DISARM, a->ch, GCT_TIMER_STOPPED, 0, NULL);
    else
        goc__timer_release(a->timer);
    goc__chan_unref(a->ch);
    goc__free(a);
}

int
goc_after(goc_chan **out, goc_duration d)
{
    if (out == NULL)
        return GOC_EINVAL;
    struct after *a = goc__calloc(1, sizeof *a);
    if (a == NULL)
        return GOC_ENOMEM;
    int r = goc_chan_make_named(&a->ch, sizeof(goc_time), 1,
                                GCT_CHAN_OWN_PREFIX "after");
    if (r != 0)
        goto fail_chan;
    goc__chan_ref(a->ch);
    GOC_HOOK(GCT_EV_TIMER_ARM, a->ch, GCT_TIMER_AFTER, 0, NULL);
    a->timer = goc__timer_start(goc_deadline_after(d), send_once, a->ch);
    if (a->timer == NULL) {
        GOC_HOOK(GCT_EV_TIMER_DISARM, a->ch, GCT_TIMER_STOPPED, 0, NULL);
        r = GOC_ENOMEM;
        goto fail_timer;
    }
    /* Nobody else knows the channel yet, so no free can race this. */
    goc__chan_set_on_free(a->ch, after_on_free, a);
    *out = a->ch;
    return 0;

fail_timer:
    goc__chan_unref(a->ch);
    goc_chan_free(a->ch);
fail_chan:
    goc__free(a);
    return r;
}

/* ---------------------------------------------------------------------
 * Tickers: a periodic service timer, re-armed by the service itself after
 * each run, so a tick never needs an allocation.
 * ------------------------------------------------------------------- */

struct goc_ticker {
    goc__lock lock;       /* serialises stop/reset/free of this ticker */
    goc__timer *pending;  /* lock: the periodic timer, NULL when stopped */
    goc_chan *ch;         /* immutable; owned by the ticker */
};

/* Under tk->lock. */
static void
ticker_disarm(goc_ticker *tk)
{
    goc__timer *p = tk->pending;

    tk->pending = NULL;
    if (p == NULL)
        return;
    /* a periodic timer pends until stopped, whether or not it ran */
    if (!goc__timer_cancel(p))
        goc__timer_release(p);
    GOC_HOOK(GCT_EV_TIMER_DISARM, tk->ch, GCT_TIMER_STOPPED, 0, NULL);
}

/* Under tk->lock.  0 or GOC_ENOMEM (the ticker then stays stopped). */
static int
ticker_arm(goc_ticker *tk, goc_duration period)
{
    goc_time first = goc_deadline_after(period);

    GOC_HOOK(GCT_EV_TIMER_ARM, tk->ch, GCT_TIMER_TICKER, 0, NULL);
    tk->pending = timer_start(first, period, send_now, tk->ch);
    if (tk->pending == NULL) {
        GOC_HOOK(GCT_EV_TIMER_DISARM, tk->ch, GCT_TIMER_STOPPED, 0, NULL);
        return GOC_ENOMEM;
    }
    return 0;
}

int
goc_ticker_make(goc_ticker **out, goc_duration period)
{
    if (out == NULL || period <= 0)
        return GOC_EINVAL;
    goc_ticker *tk = goc__calloc(1, sizeof *tk);
    if (tk == NULL)
        return GOC_ENOMEM;
    int r = goc_chan_make_named(&tk->ch, sizeof(goc_time), 1,
                                GCT_CHAN_OWN_PREFIX "ticker");
    if (r != 0)
        goto fail_chan;
    r = ticker_arm(tk, period);
    if (r != 0)
        goto fail_timer;
    *out = tk;
    return 0;

fail_timer:
    goc_chan_free(tk->ch);
fail_chan:
    goc__free(tk);
    return r;
}

goc_chan *
goc_ticker_chan(goc_ticker *t)
{
    return t ? t->ch : NULL;
}

void
goc_ticker_stop(goc_ticker *t)
{
    if (t == NULL)
        return;
    goc__lock_acquire(&t->lock);
    ticker_disarm(t);
    goc__lock_release(&t->lock);
}

int
goc_ticker_reset(goc_ticker *t, goc_duration period)
{
    if (t == NULL || period <= 0)
        return GOC_EINVAL;
    goc__lock_acquire(&t->lock);
    ticker_disarm(t);
    int r = ticker_arm(t, period);
    goc__lock_release(&t->lock);
    return r;
}

void
goc_ticker_free(goc_ticker *t)
{
    if (t == NULL)
        return;
    ticker_disarm(t);
    goc_chan_free(t->ch);
    goc__free(t);
}
