/*
 * goc.h - libgoc: Go-style concurrency for C11.
 *
 * This is the only public header of libgoc.  Anything not declared here is
 * not API.  Names: functions goc_*, types goc_*, constants GOC_*.
 *
 * Conventions that hold for every function below unless its block says
 * otherwise:
 *
 *  - Errors.  Functions that can fail return int: 0 (or a non-negative
 *    result such as a select index) on success, a negative GOC_E* code on
 *    failure.  goc_strerror() names every code.  libgoc never sets errno and
 *    never aborts: out-of-memory is GOC_ENOMEM.  Misuse that panics in Go
 *    (send on a closed channel, closing twice, a negative WaitGroup counter)
 *    returns GOC_ECLOSED or GOC_EMISUSE, changes nothing, and is reported to
 *    the tracer when the instrumented build runs under gctrace.
 *
 *  - Time.  goc_time is an absolute CLOCK_MONOTONIC time in nanoseconds;
 *    goc_duration is a span in nanoseconds.  Blocking calls take absolute
 *    deadlines so that retry loops never drift: GOC_FOREVER waits without
 *    limit, GOC_NOW (or any time already passed) only polls.
 *
 *  - Ownership.  Objects made by goc_*_make (channels, contexts, groups,
 *    timers, ...) are opaque heap objects owned by the caller, released by the
 *    matching goc_*_free; passing NULL to a free function does nothing.
 *    Mutex, RWMutex, Cond, Once and WaitGroup are plain values that may be
 *    embedded anywhere; a zero-filled one is ready to use (the *_INIT
 *    macros spell that out).
 *
 *  - Blocking.  Each block says whether a call blocks and under which wait
 *    reason the tracer shows it ("chan send", "chan receive", "select", ...).
 *
 *  - Building.  The header uses POSIX 2008 types (pthread_rwlock_t): with
 *    gcc's and clang's default (gnu11) nothing is needed; with -std=c11
 *    define _POSIX_C_SOURCE=200809L (goc.pc's Cflags do), or include goc.h
 *    first and it defines it.  Link -lgoc (or -lgoc_trace, the build that
 *    reports to gctrace) and -lpthread -ldl.
 */
#if !defined(_POSIX_C_SOURCE) && !defined(_XOPEN_SOURCE) &&                 \
    !defined(_GNU_SOURCE) && !defined(_DEFAULT_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#ifndef GOC_H
#define GOC_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GOC_VERSION_MAJOR 0
#define GOC_VERSION_MINOR 1
#define GOC_VERSION_PATCH 0
#define GOC_VERSION "0.1.0"

#if defined(__GNUC__)
#define GOC_API __attribute__((visibility("default")))
#else
#define GOC_API
#endif

/* ======================================================================
 * Errors
 * ==================================================================== */

/*
 * The one table of error codes.  X(name, value, message).  Values are stable:
 * they are stored in traces, so codes are only ever added.
 */
#define GOC_ERRORS(X)                                                       \
    X(GOC_OK,        0, "success")                                          \
    X(GOC_ENOMEM,   -1, "out of memory")                                    \
    X(GOC_EINVAL,   -2, "invalid argument")                                 \
    X(GOC_ECLOSED,  -3, "channel closed")                                   \
    X(GOC_ETIMEDOUT,-4, "deadline passed")                                  \
    X(GOC_EAGAIN,   -5, "operation would block")                            \
    X(GOC_ECANCELED,-6, "context canceled")                                 \
    X(GOC_EDEADLINE,-7, "context deadline exceeded")                        \
    X(GOC_EMISUSE,  -8, "API misuse")                                       \
    X(GOC_ESYSTEM,  -9, "system resource exhausted")

enum goc_error {
#define GOC_X_ENUM(name, value, msg) name = value,
    GOC_ERRORS(GOC_X_ENUM)
#undef GOC_X_ENUM
};

/* Returns a static, never-NULL message for a GOC_E* code ("unknown error"
 * for anything else).  Thread-safe. */
GOC_API const char *goc_strerror(int code);

/* ======================================================================
 * Time
 * ==================================================================== */

typedef int64_t goc_time;     /* absolute CLOCK_MONOTONIC, nanoseconds */
typedef int64_t goc_duration; /* nanoseconds */

#define GOC_NANOSECOND  ((goc_duration)1)
#define GOC_MICROSECOND ((goc_duration)1000)
#define GOC_MILLISECOND ((goc_duration)1000000)
#define GOC_SECOND      ((goc_duration)1000000000)

#define GOC_FOREVER ((goc_time)INT64_MAX) /* deadline: never */
#define GOC_NOW     ((goc_time)0)         /* deadline: already passed */

/* The current CLOCK_MONOTONIC time.  Thread-safe, async-signal-safe. */
GOC_API goc_time goc_now(void);

/* now + d, saturating at GOC_FOREVER; d <= 0 gives a time already passed. */
GOC_API goc_time goc_deadline_after(goc_duration d);

/* Sleeps until the deadline.  Blocks ("sleep"). */
GOC_API void goc_sleep_until(goc_time deadline);
GOC_API void goc_sleep(goc_duration d);

/* ======================================================================
 * Goroutines
 *
 * A goroutine is a detached POSIX thread with a small stack (64 KiB unless
 * changed), so that ten thousand of them fit in memory at once.  Nothing
 * joins it: wait for it with a WaitGroup, an errgroup or a channel, as in Go.
 * ==================================================================== */

typedef void (*goc_fn)(void *arg);

typedef struct goc_go_attr {
    const char *name;  /* shown by the tracer; copied; NULL: unnamed */
    size_t stack_size; /* bytes; 0: the default (goc_set_stack_size) */
} goc_go_attr;

/*
 * Starts fn(arg) on a new goroutine.  Returns 0, GOC_ENOMEM, GOC_EINVAL (fn
 * NULL) or GOC_ESYSTEM (the system refused another thread).  arg stays owned
 * by the caller.  Thread-safe.
 */
GOC_API int goc_go(goc_fn fn, void *arg);
GOC_API int goc_go_named(const char *name, goc_fn fn, void *arg);
GOC_API int goc_go_attr_start(const goc_go_attr *attr, goc_fn fn, void *arg);

/* The default goroutine stack size in bytes; rounded up to the page size and
 * to PTHREAD_STACK_MIN.  Returns the previous value.  Thread-safe. */
GOC_API size_t goc_set_stack_size(size_t bytes);

/* Goroutines started by goc_go* that have not yet returned.  Thread-safe. */
GOC_API size_t goc_count(void);

/* The calling goroutine's name, or NULL (threads not started by goc_go*). */
GOC_API const char *goc_name(void);

/* ======================================================================
 * Channels
 *
 * A channel carries values of elem_size bytes (copied in and out; 0 is
 * allowed for pure signalling).  cap 0 makes an unbuffered channel: a send
 * returns only once a receiver has taken the value.  cap > 0 makes a FIFO
 * buffer of cap values.
 *
 * Close is not free: goc_chan_close is a message to receivers ("no more
 * values"); goc_chan_free releases the memory, once nobody uses the channel.
 * ==================================================================== */

typedef struct goc_chan goc_chan;

/*
 * Makes a channel.  On success *out owns a new channel (free it with
 * goc_chan_free).  Errors: GOC_EINVAL (out NULL), GOC_ENOMEM.  name is
 * optional (copied), shown by the tracer.
 */
GOC_API int goc_chan_make(goc_chan **out, size_t elem_size, size_t cap);
GOC_API int goc_chan_make_named(goc_chan **out, size_t elem_size, size_t cap,
                                const char *name);

/*
 * Sends a copy of *val.  Blocks ("chan send") until a receiver takes it
 * (unbuffered) or there is room (buffered), or the deadline passes.
 * Returns 0, GOC_ECLOSED (the channel is or becomes closed: nothing was
 * sent; misuse, as a panic in Go), GOC_ETIMEDOUT (deadline; nothing sent),
 * GOC_EAGAIN (try_send: would block), GOC_EINVAL (ch NULL).
 */
GOC_API int goc_chan_send(goc_chan *ch, const void *val);
GOC_API int goc_chan_send_until(goc_chan *ch, const void *val,
                                goc_time deadline);
GOC_API int goc_chan_try_send(goc_chan *ch, const void *val);

/*
 * Receives a value into *val (val may be NULL to discard).  Blocks ("chan
 * receive") until a value is there or the channel is closed and drained.
 * Returns 0 with a value, GOC_ECLOSED when closed and drained (*val is then
 * zero-filled), GOC_ETIMEDOUT, GOC_EAGAIN (try_recv), GOC_EINVAL (ch NULL).
 * *ok, when ok is not NULL, is true exactly when a value was received
 * (Go's `v, ok := <-ch`).
 *
 * Range until closed, the C spelling of `for v := range ch`:
 *     int v;
 *     while (goc_chan_recv(ch, &v, NULL) == 0) { ... }
 */
GOC_API int goc_chan_recv(goc_chan *ch, void *val, bool *ok);
GOC_API int goc_chan_recv_until(goc_chan *ch, void *val, bool *ok,
                                goc_time deadline);
GOC_API int goc_chan_try_recv(goc_chan *ch, void *val, bool *ok);

/*
 * Closes the channel: blocked and future receivers drain the buffer, then
 * get GOC_ECLOSED; blocked and future senders get GOC_ECLOSED.  Returns 0,
 * GOC_ECLOSED (already closed: misuse, nothing changes), GOC_EINVAL.
 */
GOC_API int goc_chan_close(goc_chan *ch);

/* Values buffered now / the capacity.  0 for NULL.  Thread-safe. */
GOC_API size_t goc_chan_len(goc_chan *ch);
GOC_API size_t goc_chan_cap(goc_chan *ch);
GOC_API bool goc_chan_closed(goc_chan *ch);

/* Releases the caller's reference.  The memory goes when no timer or
 * context still refers to the channel.  Nobody may use ch afterwards.
 * NULL is a no-op. */
GOC_API void goc_chan_free(goc_chan *ch);

/* ======================================================================
 * Select
 * ==================================================================== */

enum goc_case_op { GOC_CASE_SEND = 1, GOC_CASE_RECV = 2 };

typedef struct goc_case {
    goc_chan *ch;       /* NULL: the case is never chosen (Go's nil chan) */
    int op;             /* GOC_CASE_SEND or GOC_CASE_RECV */
    const void *send;   /* SEND: the value to copy in */
    void *recv;         /* RECV: where to copy the value, or NULL */
    bool ok;            /* out: true when a value moved; false when the
                           chosen case found the channel closed */
} goc_case;

#define GOC_SEND(c, valp) \
    ((goc_case){.ch = (c), .op = GOC_CASE_SEND, .send = (valp)})
#define GOC_RECV(c, valp) \
    ((goc_case){.ch = (c), .op = GOC_CASE_RECV, .recv = (valp)})

/*
 * Waits until one of the n cases can proceed and performs exactly that one.
 * When several are ready, one is chosen uniformly at random.  Channels are
 * locked in address order, so any combination of channels in any number of
 * concurrent selects is free of lock-order problems.
 *
 * Returns the index of the case that fired (its .ok says whether a value
 * moved: a receive on a closed channel, or a send on a closed channel,
 * which is misuse, fires with ok false), GOC_EAGAIN when deadline is
 * GOC_NOW and nothing is ready (Go's `default:`), GOC_ETIMEDOUT when the
 * deadline passes, GOC_EINVAL (cases NULL with n > 0, bad op).  With no
 * usable case (n == 0 or all channels NULL) it waits for the deadline.
 * Blocks ("select").
 */
GOC_API int goc_select(goc_case *cases, size_t n, goc_time deadline);

/* ======================================================================
 * Mutex, RWMutex, Cond
 *
 * Thin wrappers over the pthread objects, so that gctrace's shim sees them
 * as it sees any pthread lock.  Zero-filled values are unlocked.
 *
 * As in Go, a lock is never taken twice: a thread that locks a goc_mutex
 * it holds, or write- or read-locks a goc_rwmutex it holds for writing, or
 * write-locks one it holds for reading, blocks for good (a self-deadlock,
 * which gctrace reports) rather than carry on without mutual exclusion.
 *
 * goc_rwmutex prefers writers, as Go's RWMutex does: once a writer waits,
 * new readers wait behind it, so readers cannot starve writers.  Hence,
 * as in Go, a read lock must not be taken recursively: a thread that
 * holds a read lock and asks for another while a writer waits deadlocks
 * with that writer; gctrace reports every recursive read lock of a
 * goc_rwmutex (misuse/recursive_read_lock), writer or not.  (glibc's PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP
 * kind: GOC_RWMUTEX_INIT makes it, and a zero-filled goc_rwmutex becomes
 * one at its first use.)
 * ==================================================================== */

typedef struct goc_mutex { pthread_mutex_t m; } goc_mutex;
typedef struct goc_rwmutex { pthread_rwlock_t rw; } goc_rwmutex;
typedef struct goc_cond { pthread_cond_t c; } goc_cond;

#define GOC_MUTEX_INIT   { PTHREAD_MUTEX_INITIALIZER }
#ifdef PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP
#define GOC_RWMUTEX_INIT { PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP }
#else /* not a _GNU_SOURCE build: made writer-preferring at first use */
#define GOC_RWMUTEX_INIT { PTHREAD_RWLOCK_INITIALIZER }
#endif
#define GOC_COND_INIT    { PTHREAD_COND_INITIALIZER }

/* Lock blocks ("sync.Mutex.Lock"), for good when the caller holds m
 * already; try_lock returns true when acquired (false when m is held, by
 * the caller too).  Unlock of an unlocked mutex, or of one locked by
 * another thread, is undefined, as for pthread (Go allows the latter:
 * see "Semantics" below). */
GOC_API void goc_mutex_lock(goc_mutex *m);
GOC_API bool goc_mutex_try_lock(goc_mutex *m);
GOC_API void goc_mutex_unlock(goc_mutex *m);

/* lock blocks ("rwlock write lock") while any reader or writer holds rw,
 * and for good when the caller does; rlock blocks ("rwlock read lock")
 * while a writer holds rw or waits for it, and for good when the caller
 * holds the write lock.  try_lock and try_rlock return true when acquired
 * and never block (try_rlock fails while a writer waits).  unlock releases
 * the write lock, runlock a read lock, on the thread that took it; other
 * unlocks are undefined. */
GOC_API void goc_rwmutex_lock(goc_rwmutex *rw);
GOC_API void goc_rwmutex_unlock(goc_rwmutex *rw);
GOC_API void goc_rwmutex_rlock(goc_rwmutex *rw);
GOC_API void goc_rwmutex_runlock(goc_rwmutex *rw);
GOC_API bool goc_rwmutex_try_lock(goc_rwmutex *rw);
GOC_API bool goc_rwmutex_try_rlock(goc_rwmutex *rw);

/* Wait atomically unlocks m, blocks ("sync.Cond.Wait") until signalled and
 * relocks m; spurious wake-ups happen, so wait in a loop.  wait_until
 * returns 0 or GOC_ETIMEDOUT. */
GOC_API void goc_cond_wait(goc_cond *c, goc_mutex *m);
GOC_API int goc_cond_wait_until(goc_cond *c, goc_mutex *m, goc_time deadline);
GOC_API void goc_cond_signal(goc_cond *c);
GOC_API void goc_cond_broadcast(goc_cond *c);

/* ======================================================================
 * Once
 * ==================================================================== */

typedef struct goc_once {
    _Atomic int state; /* 0 new, 1 running, 2 done */
    int result;        /* fn's result, valid once state is 2 */
} goc_once;

#define GOC_ONCE_INIT { 0, 0 }

/*
 * Runs fn(arg) exactly once per goc_once, however many threads call at the
 * same time; every caller returns only after fn has finished, and returns
 * what fn returned (so a failed initialisation is seen by all, as with
 * sync.OnceValue).  Blocks ("sync.Once.Do") while another caller runs fn.
 * A recursive call from inside fn returns GOC_EMISUSE instead of deadlocking.
 */
GOC_API int goc_once_do(goc_once *once, int (*fn)(void *arg), void *arg);

/* ======================================================================
 * WaitGroup
 * ==================================================================== */

typedef struct goc_waitgroup {
    _Atomic int64_t count;  /* outstanding goroutines */
    _Atomic uint32_t seq;   /* bumped each time count reaches zero (futex) */
    _Atomic uint32_t waiters;
} goc_waitgroup;

#define GOC_WAITGROUP_INIT { 0, 0, 0 }

/*
 * add changes the counter by delta; when it reaches zero every waiter wakes.
 * A delta that would make it negative returns GOC_EMISUSE and changes
 * nothing (a panic in Go).  done is add(-1).  wait blocks ("sync.WaitGroup.
 * Wait") until the counter is zero.  go is add(1) plus goc_go of a wrapper
 * that calls done when fn returns; it returns goc_go's errors (and undoes
 * the add on failure).
 */
GOC_API int goc_wg_add(goc_waitgroup *wg, int64_t delta);
GOC_API int goc_wg_done(goc_waitgroup *wg);
GOC_API void goc_wg_wait(goc_waitgroup *wg);
GOC_API int goc_wg_go(goc_waitgroup *wg, goc_fn fn, void *arg);

/* ======================================================================
 * Context
 *
 * A tree of cancellation scopes.  Cancelling a context cancels all of its
 * descendants.  Every context made with a cancel, deadline or timeout must
 * be cancelled (goc_ctx_cancel, idempotent) and freed (goc_ctx_free) by the
 * code that made it: gctrace reports one never cancelled as context_leak.
 * ==================================================================== */

typedef struct goc_ctx goc_ctx;

/* The root context: never cancelled, no deadline, no values.  A static
 * object; freeing it does nothing. */
GOC_API goc_ctx *goc_ctx_background(void);

/* Each makes a child of parent into *out (owned by the caller: cancel it,
 * then free it).  Errors: GOC_EINVAL, GOC_ENOMEM.  When parent is already
 * done, the child starts done with the parent's err and cause. */
GOC_API int goc_ctx_with_cancel(goc_ctx **out, goc_ctx *parent);
GOC_API int goc_ctx_with_deadline(goc_ctx **out, goc_ctx *parent,
                                  goc_time deadline);
GOC_API int goc_ctx_with_timeout(goc_ctx **out, goc_ctx *parent,
                                 goc_duration timeout);
/* key is compared by address.  val stays owned by the caller. */
GOC_API int goc_ctx_with_value(goc_ctx **out, goc_ctx *parent,
                               const void *key, void *val);

/* Cancels ctx and its descendants with err GOC_ECANCELED and the given
 * cause (goc_ctx_cancel: cause GOC_ECANCELED).  Idempotent: only the first
 * cancellation counts.  Thread-safe; never blocks. */
GOC_API void goc_ctx_cancel(goc_ctx *ctx);
GOC_API void goc_ctx_cancel_cause(goc_ctx *ctx, int cause);

/* A channel that is closed when ctx is done, for use in select; NULL for a
 * context that can never be done (Go's nil Done channel, which select never
 * chooses).  Owned by ctx. */
GOC_API goc_chan *goc_ctx_done(goc_ctx *ctx);

/* 0 while not done, else GOC_ECANCELED or GOC_EDEADLINE. */
GOC_API int goc_ctx_err(goc_ctx *ctx);
/* The cause given to cancel (GOC_EDEADLINE for a deadline); 0 if not done. */
GOC_API int goc_ctx_cause(goc_ctx *ctx);
/* true and *deadline set when ctx or an ancestor has a deadline. */
GOC_API bool goc_ctx_deadline(goc_ctx *ctx, goc_time *deadline);
/* The value for key from the nearest context that has it, or NULL. */
GOC_API void *goc_ctx_value(goc_ctx *ctx, const void *key);

/* Blocks ("context done") until ctx is done or the deadline; returns
 * goc_ctx_err (0 on timeout). */
GOC_API int goc_ctx_wait(goc_ctx *ctx, goc_time deadline);

/* Releases the context (cancelling it first if nobody did).  Children made
 * from it keep working; memory goes with the last of them.  NULL and the
 * background context are no-ops. */
GOC_API void goc_ctx_free(goc_ctx *ctx);

/*
 * Graceful shutdown: a child of parent that is cancelled, with cause
 * GOC_ECANCELED, when one of the n signals arrives (Go's
 * signal.NotifyContext).  The previous dispositions come back when the
 * context is freed.  Errors: GOC_EINVAL, GOC_ENOMEM, GOC_ESYSTEM.
 */
GOC_API int goc_ctx_with_signals(goc_ctx **out, goc_ctx *parent,
                                 const int *signals, size_t n);
/* The signal that cancelled a context made by goc_ctx_with_signals, or 0. */
GOC_API int goc_ctx_signal(goc_ctx *ctx);

/* ======================================================================
 * errgroup
 * ==================================================================== */

typedef struct goc_group goc_group;
typedef int (*goc_task)(void *arg); /* returns 0 or an error (non-zero) */

/*
 * Makes a group.  When ctx_out is not NULL, *ctx_out receives a child of
 * parent (background when NULL) that is cancelled by the first task to fail
 * or when wait returns; it is owned by the group (do not free it).
 */
GOC_API int goc_group_make(goc_group **out, goc_ctx *parent,
                           goc_ctx **ctx_out);

/* At most n tasks run at once (n < 0: no limit).  Returns GOC_EMISUSE when
 * tasks are running, as Go panics. */
GOC_API int goc_group_set_limit(goc_group *g, int n);

/* Starts fn(arg) on a goroutine, blocking ("errgroup limit") while the limit
 * is reached.  try_go returns GOC_EAGAIN instead of blocking.  Errors from
 * goc_go are returned and recorded as the group's error. */
GOC_API int goc_group_go(goc_group *g, goc_task fn, void *arg);
GOC_API int goc_group_try_go(goc_group *g, goc_task fn, void *arg);

/* Blocks ("errgroup wait") until every task has returned; returns the first
 * non-zero result (0 if none) and cancels the group's context. */
GOC_API int goc_group_wait(goc_group *g);

/* Frees the group (and its context).  Call after wait. NULL ok. */
GOC_API void goc_group_free(goc_group *g);

/* ======================================================================
 * Weighted semaphore (golang.org/x/sync/semaphore)
 * ==================================================================== */

typedef struct goc_sema goc_sema;

GOC_API int goc_sema_make(goc_sema **out, int64_t size);
/* Blocks ("semaphore acquire") until n units are free, FIFO, or ctx is done
 * (returns goc_ctx_err; ctx NULL: never).  n > size: GOC_EINVAL. */
GOC_API int goc_sema_acquire(goc_sema *s, goc_ctx *ctx, int64_t n);
GOC_API bool goc_sema_try_acquire(goc_sema *s, int64_t n);
/* Releasing more than is held returns GOC_EMISUSE and changes nothing. */
GOC_API int goc_sema_release(goc_sema *s, int64_t n);
GOC_API void goc_sema_free(goc_sema *s);

/* ======================================================================
 * Timers and tickers
 *
 * One library thread serves every timer; it exists only while some timer is
 * pending, so a program whose timers are all stopped or fired has no timer
 * thread and holds no timer memory.
 * ==================================================================== */

typedef struct goc_timer goc_timer;
typedef struct goc_ticker goc_ticker;

/*
 * goc_after: *out receives a channel (elem goc_time, cap 1) that gets the
 * time once, after d.  Free it with goc_chan_free whenever you like; a
 * pending timer behind a freed channel is cancelled.
 */
GOC_API int goc_after(goc_chan **out, goc_duration d);

/* A one-shot timer whose channel (elem goc_time, cap 1) gets the time when
 * it fires. */
GOC_API int goc_timer_make(goc_timer **out, goc_duration d);
GOC_API goc_chan *goc_timer_chan(goc_timer *t);
/* true when the call stopped a pending timer (false: fired or stopped). */
GOC_API bool goc_timer_stop(goc_timer *t);
/* Stops and re-arms for d; returns what stop returned.  A value from the
 * earlier firing still in the channel is drained first (Go 1.23). */
GOC_API bool goc_timer_reset(goc_timer *t, goc_duration d);
GOC_API void goc_timer_free(goc_timer *t);

/* A ticker's channel gets the time every period; ticks that find the
 * channel full are dropped, as in Go.  period <= 0: GOC_EINVAL. */
GOC_API int goc_ticker_make(goc_ticker **out, goc_duration period);
GOC_API goc_chan *goc_ticker_chan(goc_ticker *t);
GOC_API void goc_ticker_stop(goc_ticker *t);
GOC_API int goc_ticker_reset(goc_ticker *t, goc_duration period);
GOC_API void goc_ticker_free(goc_ticker *t);

/* ======================================================================
 * Token-bucket rate limiter (golang.org/x/time/rate)
 * ==================================================================== */

typedef struct goc_limiter goc_limiter;

/* rate tokens per second (> 0), bucket of burst tokens (>= 1), full at
 * start. */
GOC_API int goc_limiter_make(goc_limiter **out, double rate, int burst);
/* Takes a token if one is there now. */
GOC_API bool goc_limiter_allow(goc_limiter *l);
/* Blocks ("rate limiter wait") until a token is there or ctx is done
 * (returns goc_ctx_err; ctx NULL: never; GOC_EDEADLINE at once when ctx's
 * deadline comes before the token would). */
GOC_API int goc_limiter_wait(goc_limiter *l, goc_ctx *ctx);
GOC_API void goc_limiter_free(goc_limiter *l);

/* ======================================================================
 * Semantics: where libgoc differs from Go
 *
 * libgoc keeps Go's semantics wherever ported Go code relies on them:
 * what blocks, what wakes whom, what a select chooses, and the memory
 * model's happens-before edges (a send before the matching receive
 * completes, an unbuffered receive before the send completes, a close
 * before a receive that sees it, every Done before Wait returns, a Once's
 * fn before any goc_once_do returns, a cancel before Done's close is seen
 * or Err is non-zero, an errgroup task before Wait returns, a semaphore
 * release before the acquire it satisfies, Unlock before the next Lock),
 * which ThreadSanitizer sees as Go's race detector does (README: "Race
 * detector").  A lock taken again by its holder deadlocks, and
 * goc_rwmutex prefers writers, as in Go.  What differs, and why:
 *
 *  - Panics become error codes.  Go panics on a send on or close of a
 *    closed channel, a close of a nil channel, a negative WaitGroup
 *    counter, reuse of a WaitGroup before its Wait returned; libgoc
 *    returns GOC_ECLOSED / GOC_EINVAL / GOC_EMISUSE and changes nothing
 *    (the WaitGroup reuse: the Add still happens), and the instrumented
 *    build reports the misuse to gctrace.  C has no unwinding, and a
 *    library that aborts takes the whole process with it; an error code
 *    lets the caller decide.
 *
 *  - A nil channel.  Go's send and receive on a nil channel block for
 *    good; goc_chan_send/recv(NULL) return GOC_EINVAL, since in C a NULL
 *    channel is nearly always a failed or forgotten make.  In a select a
 *    NULL channel's case is never chosen, as in Go (and a select with no
 *    usable case waits for its deadline, forever with GOC_FOREVER, as
 *    `select {}`).  A send case on a closed channel fires with ok false
 *    (misuse) where Go panics; a receive case on a closed channel fires
 *    with ok false, as in Go.
 *
 *  - goc_once.  A recursive goc_once_do from inside fn returns GOC_EMISUSE
 *    and is reported (Go deadlocks): unlike a relocked lock, whose void
 *    call could only carry on without exclusion, it has an error to
 *    return, and fn has not run twice.  fn's result is kept: a failed
 *    initialisation is not retried, every later call returns the same
 *    result (sync.OnceValue), as Go's Once never runs f again; fn that
 *    leaves by pthread_exit counts as returned, with GOC_ECANCELED (Go: a
 *    panicking f counts as returned).
 *
 *  - goc_waitgroup.  Wait returns when the counter is zero; the same
 *    WaitGroup may be reused for a new generation once every Wait of the
 *    previous one has returned, as in Go.  An Add that starts a new
 *    generation while a Wait of the old one has not returned is reported
 *    (Go panics) and that Wait returns, since its generation ended.  The
 *    counter's atomics also order a Done before a later Add that reads
 *    the counter, an edge Go's race detector does not draw, so
 *    ThreadSanitizer may miss a race there that -race would find.
 *
 *  - goc_mutex is a pthread mutex: it belongs to the thread that locked
 *    it.  Go allows one goroutine to unlock a Mutex that another locked;
 *    here that is undefined by POSIX (glibc releases it, and gctrace
 *    reports it as misuse), and for goc_rwmutex glibc takes an unlock by a
 *    thread that is not the writer for a reader's and corrupts the lock.
 *    Unlocking an unlocked lock is a fatal error in Go and undefined here.
 *    glibc's mutex has no starvation mode: a waiter may be overtaken by
 *    newcomers, where Go's Mutex hands the lock to a waiter that has
 *    waited over 1 ms.  goc_cond takes its mutex at each wait instead of
 *    holding it as sync.Cond.L does.
 *
 *  - goc_rwmutex's writer preference is glibc's: a writer that unlocks
 *    hands the lock to the next waiting writer, if any, before the
 *    readers that queued behind it, where Go lets those readers in first;
 *    under a steady stream of writers, readers can starve.
 *
 *  - goc_cond_wait may wake spuriously, as pthread_cond_wait does (Go's
 *    Cond.Wait "cannot return unless awoken by Broadcast or Signal"):
 *    wait in a loop that re-checks the condition, as Go code does anyway.
 *    goc_cond_wait_until has no Go counterpart.
 *
 *  - Timers.  Go 1.23 made timer channels unbuffered, so that no stale
 *    value is received after Stop or Reset, and len/cap report 0.
 *    libgoc's timer channels hold one value (cap 1): goc_timer_reset
 *    drains it as Go does, but a value that fired before goc_timer_stop,
 *    goc_ticker_stop or goc_ticker_reset stays in the channel and can
 *    still be received; drain it with goc_chan_try_recv after stopping if
 *    that matters.  Nothing is ever closed, as in Go.  goc_after's channel
 *    must be freed (goc_chan_free, which cancels a pending timer), where
 *    Go's garbage collector reclaims an unreferenced time.After.
 *
 *  - Goroutines are detached threads with a fixed stack (64 KiB by
 *    default, goc_set_stack_size), not growable: deep recursion overflows
 *    it.  Blocking never parks a goroutine off its thread.  Nothing
 *    reports "all goroutines are asleep": run under gctrace for that.
 *
 *  - goc_sema_acquire of more than the semaphore's size returns
 *    GOC_EINVAL at once; x/sync/semaphore's Acquire waits for its
 *    context to be done and returns ctx.Err().  The request can never be
 *    granted, and with ctx NULL (never done) Go's behaviour would be a
 *    goroutine blocked for good, which a C program has no runtime to
 *    report.
 *
 *  - What gctrace can see.  A deadlock through channels is reported
 *    when every thread of the process is blocked and the blocked ones
 *    wait for each other (deadlock/wait_cycle): a channel operation
 *    waits for the threads that used the channel's other side during
 *    the run, a WaitGroup Wait for the goroutines goc_wg_go started on
 *    it, so a goroutine that would have used a channel for the first
 *    time is not known as its partner.  Go's runtime sees only the
 *    global case ("all goroutines are asleep").
 *
 *  - Blocking calls take absolute deadlines (the *_until variants), an
 *    addition; context values are compared by key address; errors and
 *    causes are GOC_E* codes, not error values.
 * ==================================================================== */

/* ======================================================================
 * Atomics
 *
 * Go's sync/atomic is C11's <stdatomic.h>: atomic_int, atomic_fetch_add,
 * atomic_load, atomic_compare_exchange_strong.  samples/pattern_atomic.c
 * shows a counter shared by goroutines.
 * ==================================================================== */

#ifdef __cplusplus
}
#endif
#endif /* GOC_H */
