/*
 * event.h - the event vocabulary shared by libgoc's instrumented build, the
 * shim (preload/) and the trace reader (viewer/, analyses).
 *
 * Every value below is stored in traces: values are only ever added, never
 * changed or reused (as the Go runtime treats its wait reasons).
 */
#ifndef GCT_EVENT_H
#define GCT_EVENT_H

#include <stdbool.h>
#include <stdint.h>

/* Event kinds.  For each: what obj is, what a and b carry. */
enum gct_ev {
    GCT_EV_NONE = 0,

    /* process */
    GCT_EV_PROC_START = 1,   /* a = pid, b = ppid */
    GCT_EV_PROC_EXIT = 2,    /* a = exit status */
    GCT_EV_PROC_SIGNAL = 3,  /* a = fatal signal number */
    GCT_EV_FORK = 4,         /* a = child pid */
    GCT_EV_DROPPED = 5,      /* a = events dropped since the last one */
    GCT_EV_SIGNALS = 9,      /* the program installed or removed a signal
                                handler: a = the signals that have one
                                now, bit n - 1 for signal n */

    /* threads; obj = pthread_t of the thread concerned */
    GCT_EV_THREAD_CREATE = 10, /* on the creator, once pthread_create (or
                                  thrd_create) returned: obj = the new
                                  thread, a = its creation serial (below),
                                  b = flags; stack = creation stack;
                                  payload: the start routine's address
                                  (8 bytes) */
    GCT_EV_THREAD_START = 11,  /* on the new thread: a = creator's tid
                                  (0: not seen being created), b = flags
                                  (1: detached at creation) | creation
                                  serial << GCT_THREAD_SERIAL_SHIFT;
                                  stack = creation stack; payload, from
                                  a reader that did not see the creation
                                  (attach): the start routine's address
                                  (8 bytes) */
    GCT_EV_THREAD_EXIT = 12,   /* a = locks still held */
    GCT_EV_THREAD_JOIN = 13,   /* a = result; a blocking join is a wait */
    GCT_EV_THREAD_DETACH = 14, /* a = result */
    GCT_EV_THREAD_NAME = 15,   /* obj = the named thread, str = name */

    /* locks; obj = lock address */
    GCT_EV_LOCK_INIT = 20,     /* a = gct_obj type, b = flags (GCT_LOCK_*);
                                  also a semaphore's sem_init (a =
                                  GCT_OBJ_SEM) */
    GCT_EV_LOCK_ACQUIRE = 21,  /* a = GCT_LOCK_* mode flags */
    GCT_EV_LOCK_RELEASE = 22,  /* a = result */
    GCT_EV_LOCK_DESTROY = 23,  /* a = result; also a semaphore's
                                  sem_destroy */
    GCT_EV_LOCK_FIRST_USE = 25,/* the first acquisition in the process of a
                                  lock never initialised through
                                  pthread_mutex_init (static initialiser):
                                  stack = where, for its lock class */
    GCT_EV_LOCK_EDGE = 24,     /* obj = acquired lock, a = held lock,
                                  b = the code address where the held lock
                                  was taken, payload = uint64_t[]: flags
                                  (held lock's GCT_LOCK_* | acquired
                                  lock's << 16), n, then the n other locks
                                  held at the time; stack = acquisition */
    GCT_EV_LOCK_HELD = 26,     /* a lock the thread holds as it begins a
                                  lock wait (written just before that
                                  GCT_EV_WAIT_BEGIN, with its time):
                                  a = its GCT_LOCK_* flags, b = the code
                                  address where it was taken (in the
                                  trace: that frame's frames.id) */
    GCT_EV_MEM_GONE = 29,      /* obj = the start of an address range
                                  whose memory went away (munmap, a
                                  library unloaded by dlclose), a = its
                                  length: every object in it ended, and
                                  one at such an address later is new */

    /* blocking; obj = what is waited on */
    GCT_EV_WAIT_BEGIN = 30,    /* a = gct_wait reason, | GCT_WAIT_TIMED
                                  when the wait has a timeout,
                                  | GCT_WAIT_SHARED when the object is
                                  process-shared; b = detail:
                                  lock
                                  owner tid, condvar's mutex, or a libgoc
                                  wait's deadline (INT64_MAX: none) */
    GCT_EV_WAIT_END = 31,      /* a = result (0, errno or GOC_E*) */

    /* condition variables and semaphores */
    /* record=all: b = the caller's code address (in the trace: that
     * frame's frames.id) */
    GCT_EV_COND_SIGNAL = 40,
    GCT_EV_COND_BROADCAST = 41,
    GCT_EV_SEM_POST = 42,

    /* libgoc channels; obj = goc_chan */
    GCT_EV_CHAN_MAKE = 50,     /* a = elem size, b = cap, str = name */
    GCT_EV_CHAN_SEND = 51,     /* a = result; outside record=all only
                                  a thread's first send (and first
                                  receive) on each channel is recorded */
    GCT_EV_CHAN_RECV = 52,     /* a = result */
    GCT_EV_CHAN_CLOSE = 53,    /* a = result */
    GCT_EV_CHAN_FREE = 54,
    GCT_EV_SELECT_CASE = 55,   /* a = GOC_CASE_SEND/RECV, b = case index;
                                  emitted before a select blocks */

    /* libgoc contexts; obj = goc_ctx */
    GCT_EV_CTX_MAKE = 60,      /* a = parent, b = gct_ctx kind */
    GCT_EV_CTX_CANCEL = 61,    /* a = err, b = cause */
    GCT_EV_CTX_FREE = 62,

    /* libgoc WaitGroup; obj = goc_waitgroup */
    GCT_EV_WG_ADD = 70,        /* a = delta, b = counter after (or error) */

    /* libgoc goroutines (on the goroutine's own thread) */
    GCT_EV_GO_START = 80,      /* a = goroutine id, b = the
                                  goc_waitgroup it calls Done on when it
                                  returns (goc_wg_go; 0: none; the
                                  trace's event names it as its object),
                                  str = name */
    GCT_EV_GO_EXIT = 81,

    /* API misuse; obj = object, a = gct_misuse subkind, b = detail
       (for relock_by_holder, invalid_deadline, barrier_count_zero,
       destroy_of_busy_object, reinit_of_busy_object,
       exit_while_holding_lock and cond_signal_without_mutex: the
       object's gct_obj type).  The
       finishing step writes cond_wait_with_two_mutexes and
       wait_on_destroyed_semaphore itself, from the waits
       (common/finish.c). */
    GCT_EV_MISUSE = 90,

    /* libgoc's public timers (goc_after, goc_timer, goc_ticker), by their
     * channel: obj = the timer's channel */
    GCT_EV_TIMER_ARM = 100,    /* a = gct_timer kind; stack = where it was
                                  armed (made, or reset) */
    GCT_EV_TIMER_DISARM = 101, /* a = gct_timer_end: it no longer pends */
};

/* Timer kinds (GCT_EV_TIMER_ARM a). */
enum gct_timer {
    GCT_TIMER_AFTER = 1,
    GCT_TIMER_ONESHOT = 2,
    GCT_TIMER_TICKER = 3,
};

/* How a timer stopped pending (GCT_EV_TIMER_DISARM a). */
enum gct_timer_end {
    GCT_TIMER_FIRED = 1,   /* a one-shot timer's time came */
    GCT_TIMER_STOPPED = 2, /* stopped, reset or freed before that */
};

/* A thread's creation serial pairs its creator's GCT_EV_THREAD_CREATE
 * with its own GCT_EV_THREAD_START: unique within one process image, 0
 * for a thread not seen being created.  The thread exists from the
 * first of the two. */
#define GCT_THREAD_SERIAL_SHIFT 8

/* Wait reasons, as Go spells them where meanings match. */
#define GCT_WAIT_REASONS(X)                                   \
    X(GCT_WAIT_NONE,        0, "running")                     \
    X(GCT_WAIT_MUTEX,       1, "mutex lock")                  \
    X(GCT_WAIT_RWLOCK_RD,   2, "rwlock read lock")            \
    X(GCT_WAIT_RWLOCK_WR,   3, "rwlock write lock")           \
    X(GCT_WAIT_COND,        4, "condvar wait")                \
    X(GCT_WAIT_JOIN,        5, "thread join")                 \
    X(GCT_WAIT_SEM,         6, "semaphore wait")              \
    X(GCT_WAIT_BARRIER,     7, "barrier wait")                \
    X(GCT_WAIT_CHAN_SEND,   8, "chan send")                   \
    X(GCT_WAIT_CHAN_RECV,   9, "chan receive")                \
    X(GCT_WAIT_SELECT,     10, "select")                      \
    X(GCT_WAIT_WAITGROUP,  11, "sync.WaitGroup.Wait")         \
    X(GCT_WAIT_ONCE,       12, "sync.Once.Do")                \
    X(GCT_WAIT_CTX,        13, "context done")                \
    X(GCT_WAIT_SLEEP,      14, "sleep")                       \
    X(GCT_WAIT_WSEMA,      15, "semaphore acquire")           \
    X(GCT_WAIT_ERRGROUP,   16, "errgroup wait")               \
    X(GCT_WAIT_LIMITER,    17, "rate limiter wait")           \
    X(GCT_WAIT_SELECT_NONE,18, "select (no cases)")             \
    X(GCT_WAIT_ERRGROUP_LIMIT,19, "errgroup limit")         \
    X(GCT_WAIT_SPIN,       20, "spinlock")

enum gct_wait {
#define GCT_X_ENUM(name, value, text) name = value,
    GCT_WAIT_REASONS(GCT_X_ENUM)
#undef GCT_X_ENUM
};
/* A wait for a lock (mutex, rwlock): the detail of its begin is the
 * holder's tid as the lock names it, and it ends with the lock held. */
static inline bool
gct_wait_is_lock(int reason)
{
    return reason == GCT_WAIT_MUTEX || reason == GCT_WAIT_RWLOCK_RD ||
           reason == GCT_WAIT_RWLOCK_WR || reason == GCT_WAIT_SPIN;
}

/* Or'ed into a GCT_EV_WAIT_BEGIN's reason: the wait ends by itself. */
#define GCT_WAIT_TIMED 0x10000
/* Or'ed into a GCT_EV_WAIT_BEGIN's reason: the object is process-shared
 * (a pshared mutex, rwlock, condvar, semaphore or barrier, a named
 * semaphore): another process may end the wait. */
#define GCT_WAIT_SHARED 0x20000

/* A GCT_EV_SIGNALS mask bit. */
#define GCT_SIGNAL_BIT(n) (1ull << ((n) - 1))
/*
 * The signals that only a running thread raises, for what it just did:
 * faults (SIGILL 4, SIGTRAP 5, SIGBUS 7, SIGFPE 8, SIGSEGV 11, SIGSYS
 * 31), abort() (SIGABRT 6), a write to a closed pipe (SIGPIPE 13), a
 * limit (SIGXCPU 24, SIGXFSZ 25), CPU-time timers (SIGVTALRM 26, SIGPROF
 * 27).  A handler for one of them never runs while every thread of the
 * process sleeps; one for any other signal may (kill, the terminal,
 * alarm, timers, a child's end), and a semaphore wait is the wait such a
 * handler can end: sem_post is async-signal-safe, and the wait returns
 * EINTR.  Linux numbers.
 */
#define GCT_SIGNALS_RAISED                                                 \
    (GCT_SIGNAL_BIT(4) | GCT_SIGNAL_BIT(5) | GCT_SIGNAL_BIT(6) |           \
     GCT_SIGNAL_BIT(7) | GCT_SIGNAL_BIT(8) | GCT_SIGNAL_BIT(11) |          \
     GCT_SIGNAL_BIT(13) | GCT_SIGNAL_BIT(24) | GCT_SIGNAL_BIT(25) |        \
     GCT_SIGNAL_BIT(26) | GCT_SIGNAL_BIT(27) | GCT_SIGNAL_BIT(31))
/* Whether handlers (a GCT_EV_SIGNALS mask) may end a semaphore wait
 * while every thread sleeps. */
#define GCT_SIGNALS_CAN_WAKE(mask) (((mask) & ~GCT_SIGNALS_RAISED) != 0)

/* Lock modes and flags (GCT_EV_LOCK_INIT b, GCT_EV_LOCK_ACQUIRE a). */
enum gct_lock_flags {
    GCT_LOCK_SHARED = 1 << 0,    /* read lock */
    GCT_LOCK_TRY = 1 << 1,       /* acquired by trylock: cannot block */
    GCT_LOCK_TIMED = 1 << 2,     /* acquired by a timed lock */
    GCT_LOCK_RECURSIVE = 1 << 3, /* a recursive mutex */
    GCT_LOCK_ERRORCHECK = 1 << 4,
    GCT_LOCK_CONTENDED = 1 << 5, /* the acquisition had to wait */
    GCT_LOCK_RW = 1 << 6,        /* a rwlock (shared or not) */
    GCT_LOCK_SPIN = 1 << 7,      /* a pthread spinlock */
};

/* Object types (GCT_EV_LOCK_INIT a, objects table). */
enum gct_obj {
    GCT_OBJ_MUTEX = 1,
    GCT_OBJ_RWLOCK = 2,
    GCT_OBJ_COND = 3,
    GCT_OBJ_SEM = 4,
    GCT_OBJ_BARRIER = 5,
    GCT_OBJ_CHAN = 6,
    GCT_OBJ_CTX = 7,
    GCT_OBJ_WAITGROUP = 8,
    GCT_OBJ_THREAD = 9,
    GCT_OBJ_SPIN = 10,
};

/* Context kinds (GCT_EV_CTX_MAKE b). */
enum gct_ctx_kind {
    GCT_CTX_CANCEL = 1,
    GCT_CTX_DEADLINE = 2,
    GCT_CTX_VALUE = 3,
    GCT_CTX_SIGNAL = 4,
    GCT_CTX_GROUP = 5,
};

/* Misuse subkinds (GCT_EV_MISUSE a): the name `check` prints, and what
 * it means in a report's words. */
#define GCT_MISUSE_KINDS(X)                                                  \
    X(GCT_MISUSE_UNLOCK_UNLOCKED,   1, "unlock_of_unlocked",                 \
      "unlock of a lock that is not locked")                                 \
    X(GCT_MISUSE_UNLOCK_FOREIGN,    2, "unlock_of_foreign_lock",             \
      "unlock of a lock held by another thread")                             \
    X(GCT_MISUSE_DESTROY_HELD,      3, "destroy_of_held_lock",               \
      "destroy of a lock that is held")                                      \
    X(GCT_MISUSE_EXIT_HOLDING,      4, "exit_while_holding_lock",            \
      "thread or process exit while holding a lock")                         \
    X(GCT_MISUSE_COND_NO_MUTEX,     5, "cond_wait_without_mutex",            \
      "condition wait without holding its mutex")                            \
    X(GCT_MISUSE_DOUBLE_CLOSE,      6, "double_close",                       \
      "close of a closed channel")                                           \
    X(GCT_MISUSE_SEND_CLOSED,       7, "send_on_closed_channel",             \
      "send on a closed channel")                                            \
    X(GCT_MISUSE_NEGATIVE_WG,       8, "negative_waitgroup",                 \
      "WaitGroup counter would go negative")                                 \
    X(GCT_MISUSE_WG_REUSE,          9, "waitgroup_reused_before_wait",       \
      "WaitGroup reused before the previous Wait returned")                  \
    X(GCT_MISUSE_RECURSIVE_ONCE,   10, "recursive_once",                     \
      "Once.Do called from inside its own function")                         \
    X(GCT_MISUSE_SEMA_OVER_RELEASE,11, "semaphore_over_release",             \
      "semaphore released more than was acquired")                           \
    X(GCT_MISUSE_CLOSE_NIL,        12, "close_of_nil_channel",               \
      "close of a nil channel")                                              \
    X(GCT_MISUSE_GROUP_SET_LIMIT,  13, "errgroup_set_limit_while_running",   \
      "errgroup limit changed while tasks run")                              \
    X(GCT_MISUSE_RECURSIVE_RLOCK,  14, "recursive_read_lock",                \
      "read lock taken again by a thread that holds it for reading, on a "   \
      "writer-preferring rwlock (a goc_rwmutex, like Go's RWMutex): it "     \
      "deadlocks when a writer comes between the two")                    \
    X(GCT_MISUSE_DESTROYED_LOCK,   15, "use_of_destroyed_lock",              \
      "lock or unlock of a destroyed mutex")                               \
    X(GCT_MISUSE_RELOCK,           16, "relock_by_holder",                   \
      "lock asked for again by the thread that holds it, which glibc "       \
      "refuses with EDEADLK (an error-checking mutex, or an rwlock held for " \
      "writing)")                                                            \
    X(GCT_MISUSE_RWLOCK_NOT_HELD,  17, "unlock_of_rwlock_not_held",          \
      "rwlock unlock by a thread that holds no lock on it")                \
    X(GCT_MISUSE_BAD_DEADLINE,     18, "invalid_deadline",                   \
      "timed wait or lock given a deadline whose nanoseconds are not in "    \
      "[0, 1e9), which glibc refuses with EINVAL")                                    \
    X(GCT_MISUSE_COND_TWO_MUTEXES, 19, "cond_wait_with_two_mutexes",         \
      "condition wait with a mutex other than the one another thread "     \
      "waits on the condvar with at the same time")                        \
    X(GCT_MISUSE_BARRIER_ZERO,     20, "barrier_count_zero",                 \
      "barrier initialised with a count of 0, which glibc refuses with "     \
      "EINVAL")                                                              \
    X(GCT_MISUSE_DESTROY_BUSY,     21, "destroy_of_busy_object",             \
      "destroy of a semaphore or barrier that threads wait on")             \
    X(GCT_MISUSE_REINIT_BUSY,      22, "reinit_of_busy_object",              \
      "initialisation again of a lock that is held, or of a semaphore or "   \
      "barrier that threads wait on")                                        \
    X(GCT_MISUSE_SEM_DESTROYED,    23, "wait_on_destroyed_semaphore",        \
      "wait on a destroyed semaphore")                                       \
    X(GCT_MISUSE_SIGNAL_NO_MUTEX,  24, "cond_signal_without_mutex",          \
      "condvar signalled or broadcast by a thread that does not hold the "   \
      "mutex its waiters wait with (dubious; reported with "                 \
      "check_signal_mutex=1 only)")

enum gct_misuse {
#define GCT_X_ENUM(name, value, text, meaning) name = value,
    GCT_MISUSE_KINDS(GCT_X_ENUM)
#undef GCT_X_ENUM
};

/* The names libgoc gives the channels it makes for itself (a timer's, a
 * ticker's, goc_after's, a context's done channel) begin with this:
 * they are never closed by design, so they are never a program's
 * unclosed channel (common/analysis.c). */
#define GCT_CHAN_OWN_PREFIX "goc:"
/* A context's done channel: libgoc makes it on the thread that makes the
 * context, just before the context's GCT_EV_CTX_MAKE, which the trace
 * ties it to (objects.parent_id). */
#define GCT_CTX_DONE_NAME GCT_CHAN_OWN_PREFIX "context done"

/*
 * The seam between libgoc's instrumented build and the recorder.  The shim
 * exports one function with this name and type; the instrumented libgoc
 * finds it with dlsym at first use (so it works with static and shared
 * libgoc alike) and calls it for each event.  str may be NULL; it is copied
 * before the call returns.
 */
#define GCTRACE_HOOK_SYMBOL "gctrace_goc_hook"
typedef void (*gctrace_hook_fn)(int kind, const void *obj, int64_t a,
                                int64_t b, const char *str);

#endif /* GCT_EVENT_H */
