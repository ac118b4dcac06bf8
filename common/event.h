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
#include <stddef.h>
#include <stdint.h>

/*
 * Event kinds: X(enumerator, value, name).  The name is the trace's
 * (event_kinds.name), which SQL and users' queries look kinds up by: a
 * name, like a value, never changes.  For each: what obj is, what a and
 * b carry.
 */
#define GCT_EVENT_KINDS(X)                                                  \
    /* process */                                                           \
    X(GCT_EV_PROC_START,     1, "proc_start")  /* a = pid, b = ppid */      \
    X(GCT_EV_PROC_EXIT,      2, "proc_exit")   /* a = exit status */        \
    X(GCT_EV_PROC_SIGNAL,    3, "proc_signal") /* a = fatal signal number */\
    X(GCT_EV_FORK,           4, "fork")        /* a = child pid */          \
    X(GCT_EV_DROPPED,        5, "dropped")     /* a = events dropped since  \
                                                  the last one */           \
    X(GCT_EV_SIGNALS,        9, "signals")     /* the program installed or  \
                                  removed a signal handler: a = the signals \
                                  that have one now, bit n - 1 for signal   \
                                  n */                                      \
                                                                            \
    /* threads; obj = pthread_t of the thread concerned */                  \
    X(GCT_EV_THREAD_CREATE, 10, "thread_create")                            \
                               /* on the creator, once pthread_create (or   \
                                  thrd_create) returned: obj = the new      \
                                  thread, a = its creation serial (below),  \
                                  b = flags; stack = creation stack;        \
                                  payload: the start routine's address      \
                                  (8 bytes) */                              \
    X(GCT_EV_THREAD_START,  11, "thread_start")                             \
                               /* on the new thread: a = creator's tid      \
                                  (0: not seen being created), b = flags    \
                                  (1: detached at creation) | creation      \
                                  serial << GCT_THREAD_SERIAL_SHIFT;        \
                                  stack = creation stack; payload, from     \
                                  a reader that did not see the creation    \
                                  (attach): the start routine's address     \
                                  (8 bytes) */                              \
    X(GCT_EV_THREAD_EXIT,   12, "thread_exit")   /* a = locks still held */ \
    X(GCT_EV_THREAD_JOIN,   13, "thread_join")   /* a = result; a blocking  \
                                                    join is a wait */       \
    X(GCT_EV_THREAD_DETACH, 14, "thread_detach") /* a = result */           \
    X(GCT_EV_THREAD_NAME,   15, "thread_name")   /* obj = the named thread, \
                                                    str = name */           \
                                                                            \
    /* locks; obj = lock address */                                         \
    X(GCT_EV_LOCK_INIT,     20, "lock_init")                                \
                               /* a = gct_obj type, b = flags (GCT_LOCK_*); \
                                  also a semaphore's sem_init (a =          \
                                  GCT_OBJ_SEM) */                           \
    X(GCT_EV_LOCK_ACQUIRE,  21, "lock_acquire") /* a = GCT_LOCK_* mode      \
                                                   flags */                 \
    X(GCT_EV_LOCK_RELEASE,  22, "lock_release") /* a = result */            \
    X(GCT_EV_LOCK_DESTROY,  23, "lock_destroy") /* a = result; also a       \
                                                   semaphore's sem_destroy  \
                                                   */                       \
    X(GCT_EV_LOCK_FIRST_USE, 25, "lock_first_use")                          \
                               /* the first acquisition in the process of a \
                                  lock never initialised through            \
                                  pthread_mutex_init (static initialiser):  \
                                  stack = where, for its lock class */      \
    X(GCT_EV_LOCK_EDGE,     24, "lock_edge")                                \
                               /* obj = acquired lock, a = held lock,       \
                                  b = the code address where the held lock  \
                                  was taken, payload = uint64_t[]: flags    \
                                  (held lock's GCT_LOCK_* | acquired        \
                                  lock's << 16), n, then the n other locks  \
                                  held at the time; stack = acquisition */  \
    X(GCT_EV_LOCK_HELD,     26, "lock_held")                                \
                               /* a lock the thread holds as it begins a    \
                                  lock wait (written just before that       \
                                  GCT_EV_WAIT_BEGIN, with its time):        \
                                  a = its GCT_LOCK_* flags, b = the code    \
                                  address where it was taken (in the        \
                                  trace: that frame's frames.id) */         \
    X(GCT_EV_MEM_GONE,      29, "mem_gone")                                 \
                               /* obj = the start of an address range       \
                                  whose memory went away (munmap, a         \
                                  library unloaded by dlclose), a = its     \
                                  length: every object in it ended, and     \
                                  one at such an address later is new */    \
                                                                            \
    /* blocking; obj = what is waited on */                                 \
    X(GCT_EV_WAIT_BEGIN,    30, "wait_begin")                               \
                               /* a = gct_wait reason, | GCT_WAIT_TIMED     \
                                  when the wait has a timeout,              \
                                  | GCT_WAIT_SHARED when the object is      \
                                  process-shared; b = detail: lock owner    \
                                  tid, condvar's mutex, or a libgoc wait's  \
                                  deadline (INT64_MAX: none) */             \
    X(GCT_EV_WAIT_END,      31, "wait_end") /* a = result (0, errno or      \
                                               GOC_E*) */                   \
                                                                            \
    /* condition variables and semaphores; record=all: b = the caller's     \
     * code address (in the trace: that frame's frames.id) */               \
    X(GCT_EV_COND_SIGNAL,   40, "cond_signal")                              \
    X(GCT_EV_COND_BROADCAST, 41, "cond_broadcast")                          \
    X(GCT_EV_SEM_POST,      42, "sem_post")                                 \
                                                                            \
    /* libgoc channels; obj = goc_chan */                                   \
    X(GCT_EV_CHAN_MAKE,     50, "chan_make") /* a = elem size, b = cap,     \
                                                str = name */               \
    X(GCT_EV_CHAN_SEND,     51, "chan_send")                                \
                               /* a = result; outside record=all only a     \
                                  thread's first send (and first receive)   \
                                  on each channel is recorded */            \
    X(GCT_EV_CHAN_RECV,     52, "chan_recv")   /* a = result */             \
    X(GCT_EV_CHAN_CLOSE,    53, "chan_close")  /* a = result */             \
    X(GCT_EV_CHAN_FREE,     54, "chan_free")                                \
    X(GCT_EV_SELECT_CASE,   55, "select_case") /* a = GOC_CASE_SEND/RECV,   \
                                                  b = case index; emitted   \
                                                  before a select blocks */ \
                                                                            \
    /* libgoc contexts; obj = goc_ctx */                                    \
    X(GCT_EV_CTX_MAKE,      60, "ctx_make")   /* a = parent, b = gct_ctx    \
                                                 kind */                    \
    X(GCT_EV_CTX_CANCEL,    61, "ctx_cancel") /* a = err, b = cause */      \
    X(GCT_EV_CTX_FREE,      62, "ctx_free")                                 \
                                                                            \
    /* libgoc WaitGroup; obj = goc_waitgroup */                             \
    X(GCT_EV_WG_ADD,        70, "wg_add") /* a = delta, b = counter after   \
                                             (or error) */                  \
                                                                            \
    /* libgoc goroutines (on the goroutine's own thread) */                 \
    X(GCT_EV_GO_START,      80, "go_start")                                 \
                               /* a = goroutine id, b = the goc_waitgroup   \
                                  it calls Done on when it returns          \
                                  (goc_wg_go; 0: none; the trace's event    \
                                  names it as its object), str = name */    \
    X(GCT_EV_GO_EXIT,       81, "go_exit")                                  \
                                                                            \
    /* API misuse; obj = object, a = gct_misuse subkind, b = detail (the    \
       object's gct_obj type for the subkinds GCT_MISUSE_KINDS marks        \
       GCT_MISUSE_OBJ_IN_B).  The finishing step writes                     \
       cond_wait_with_two_mutexes and wait_on_destroyed_semaphore itself,   \
       from the waits (common/finish.c). */                                 \
    X(GCT_EV_MISUSE,        90, "misuse")                                   \
                                                                            \
    /* libgoc's public timers (goc_after, goc_timer, goc_ticker), by their  \
     * channel: obj = the timer's channel */                                \
    X(GCT_EV_TIMER_ARM,    100, "timer_arm")                                \
                               /* a = gct_timer kind; stack = where it was  \
                                  armed (made, or reset) */                 \
    X(GCT_EV_TIMER_DISARM, 101, "timer_disarm")                             \
                               /* a = gct_timer_end: it no longer pends */

enum gct_ev {
    GCT_EV_NONE = 0,
#define GCT_X_ENUM(name, value, text) name = value,
    GCT_EVENT_KINDS(GCT_X_ENUM)
#undef GCT_X_ENUM
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

/*
 * Object kinds: X(enumerator, value, name).  The value is GCT_EV_LOCK_INIT
 * a and a misuse's detail; the name is objects.kind in the trace (and
 * object_kinds.name).  A bare lock address seen before anything says what
 * it is is taken for a mutex.
 */
#define GCT_OBJ_KINDS(X)                                                    \
    X(GCT_OBJ_MUTEX,      1, "mutex")                                       \
    X(GCT_OBJ_RWLOCK,     2, "rwlock")                                      \
    X(GCT_OBJ_COND,       3, "cond")                                        \
    X(GCT_OBJ_SEM,        4, "sem")                                         \
    X(GCT_OBJ_BARRIER,    5, "barrier")                                     \
    X(GCT_OBJ_CHAN,       6, "chan")                                        \
    X(GCT_OBJ_CTX,        7, "ctx")                                         \
    X(GCT_OBJ_WAITGROUP,  8, "waitgroup")                                   \
    X(GCT_OBJ_THREAD,     9, "thread")   /* a joined thread */              \
    /* libgoc's, known only from the waits on them */                       \
    X(GCT_OBJ_ONCE,      10, "once")                                        \
    X(GCT_OBJ_WSEMA,     11, "semaphore") /* goc_sema: weighted */          \
    X(GCT_OBJ_ERRGROUP,  12, "errgroup")                                    \
    X(GCT_OBJ_LIMITER,   13, "limiter")                                     \
    X(GCT_OBJ_SPIN,      14, "spinlock")

enum gct_obj {
    GCT_OBJ_NONE = 0, /* no single object (sleep, select) */
#define GCT_X_ENUM(name, value, text) name = value,
    GCT_OBJ_KINDS(GCT_X_ENUM)
#undef GCT_X_ENUM
};

/* Context kinds (GCT_EV_CTX_MAKE b): X(enumerator, value, name), the name
 * being objects.ctx_kind. */
#define GCT_CTX_KINDS(X)                                                    \
    X(GCT_CTX_CANCEL,   1, "cancel")                                        \
    X(GCT_CTX_DEADLINE, 2, "deadline")                                      \
    X(GCT_CTX_VALUE,    3, "value")                                         \
    X(GCT_CTX_SIGNAL,   4, "signal")                                        \
    X(GCT_CTX_GROUP,    5, "group")

enum gct_ctx_kind {
#define GCT_X_ENUM(name, value, text) name = value,
    GCT_CTX_KINDS(GCT_X_ENUM)
#undef GCT_X_ENUM
};

/* What a wait reason is (GCT_WAIT_REASONS' props), each a column of the
 * trace's wait_reasons. */
enum gct_wait_prop {
    /* A wait for a lock (mutex, rwlock): the detail of its begin is the
     * holder's tid as the lock names it. */
    GCT_WP_LOCK = 1 << 0,
    /* It ends with a lock held again, inside the program's critical
     * section: a lock wait, and a condvar wait (its mutex).  The waits
     * that wait_sites counts. */
    GCT_WP_ENDS_HOLDING = 1 << 1,
    /* One thread ends it, and the trace can say which: a lock's holder
     * (the owner named at the wait's begin), or the thread joined. */
    GCT_WP_HAS_OWNER = 1 << 2,
};

/*
 * Wait reasons, as Go spells them where meanings match:
 * X(enumerator, value, name, props, object kind, lock mode).  props are
 * gct_wait_prop bits; the object kind is what obj is (GCT_OBJ_NONE: no
 * single object); the lock mode is the GCT_LOCK_* flags of the
 * acquisition a lock wait is for.  The name is wait_reasons.name in the
 * trace, which SQL looks reasons up by: it never changes.
 */
#define GCT_WP_LOCK_WAIT (GCT_WP_LOCK | GCT_WP_ENDS_HOLDING | GCT_WP_HAS_OWNER)
#define GCT_WAIT_REASONS(X)                                                 \
    X(GCT_WAIT_NONE,        0, "running",     0, GCT_OBJ_NONE, 0)           \
    X(GCT_WAIT_MUTEX,       1, "mutex lock",  GCT_WP_LOCK_WAIT,             \
      GCT_OBJ_MUTEX, 0)                                                     \
    X(GCT_WAIT_RWLOCK_RD,   2, "rwlock read lock", GCT_WP_LOCK_WAIT,        \
      GCT_OBJ_RWLOCK, GCT_LOCK_RW | GCT_LOCK_SHARED)                        \
    X(GCT_WAIT_RWLOCK_WR,   3, "rwlock write lock", GCT_WP_LOCK_WAIT,       \
      GCT_OBJ_RWLOCK, GCT_LOCK_RW)                                          \
    X(GCT_WAIT_COND,        4, "condvar wait", GCT_WP_ENDS_HOLDING,         \
      GCT_OBJ_COND, 0)                                                      \
    X(GCT_WAIT_JOIN,        5, "thread join", GCT_WP_HAS_OWNER,             \
      GCT_OBJ_THREAD, 0)                                                    \
    X(GCT_WAIT_SEM,         6, "semaphore wait", 0, GCT_OBJ_SEM, 0)         \
    X(GCT_WAIT_BARRIER,     7, "barrier wait", 0, GCT_OBJ_BARRIER, 0)       \
    X(GCT_WAIT_CHAN_SEND,   8, "chan send",   0, GCT_OBJ_CHAN, 0)           \
    X(GCT_WAIT_CHAN_RECV,   9, "chan receive", 0, GCT_OBJ_CHAN, 0)          \
    X(GCT_WAIT_SELECT,     10, "select",      0, GCT_OBJ_NONE, 0)           \
    X(GCT_WAIT_WAITGROUP,  11, "sync.WaitGroup.Wait", 0, GCT_OBJ_WAITGROUP, \
      0)                                                                    \
    X(GCT_WAIT_ONCE,       12, "sync.Once.Do", 0, GCT_OBJ_ONCE, 0)          \
    X(GCT_WAIT_CTX,        13, "context done", 0, GCT_OBJ_CTX, 0)           \
    X(GCT_WAIT_SLEEP,      14, "sleep",       0, GCT_OBJ_NONE, 0)           \
    X(GCT_WAIT_WSEMA,      15, "semaphore acquire", 0, GCT_OBJ_WSEMA, 0)    \
    X(GCT_WAIT_ERRGROUP,   16, "errgroup wait", 0, GCT_OBJ_ERRGROUP, 0)     \
    X(GCT_WAIT_LIMITER,    17, "rate limiter wait", 0, GCT_OBJ_LIMITER, 0)  \
    X(GCT_WAIT_SELECT_NONE, 18, "select (no cases)", 0, GCT_OBJ_NONE, 0)    \
    X(GCT_WAIT_ERRGROUP_LIMIT, 19, "errgroup limit", 0, GCT_OBJ_ERRGROUP, 0) \
    X(GCT_WAIT_SPIN,       20, "spinlock", GCT_WP_LOCK_WAIT, GCT_OBJ_SPIN,    \
      GCT_LOCK_SPIN)

enum gct_wait {
#define GCT_X_ENUM(name, value, text, props, obj, mode) name = value,
    GCT_WAIT_REASONS(GCT_X_ENUM)
#undef GCT_X_ENUM
};

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

/*
 * Misuse subkinds (GCT_EV_MISUSE a): X(enumerator, value, name, object,
 * meaning): the name `check` prints; what the event says of its object's
 * kind (0: nothing, a gct_obj, or GCT_MISUSE_OBJ_IN_B: its b is the
 * object's gct_obj type); what it means in a report's words.
 */
#define GCT_MISUSE_OBJ_IN_B (-1)
#define GCT_MISUSE_KINDS(X)                                                  \
    X(GCT_MISUSE_UNLOCK_UNLOCKED, 1, "unlock_of_unlocked", 0,                \
      "unlock of a lock that is not locked")                                 \
    X(GCT_MISUSE_UNLOCK_FOREIGN, 2, "unlock_of_foreign_lock", 0,             \
      "unlock of a lock held by another thread")                             \
    X(GCT_MISUSE_DESTROY_HELD, 3, "destroy_of_held_lock", 0,                 \
      "destroy of a lock that is held")                                      \
    X(GCT_MISUSE_EXIT_HOLDING, 4, "exit_while_holding_lock",                 \
      GCT_MISUSE_OBJ_IN_B,                                                   \
      "thread or process exit while holding a lock")                         \
    X(GCT_MISUSE_COND_NO_MUTEX, 5, "cond_wait_without_mutex", 0,             \
      "condition wait without holding its mutex")                            \
    X(GCT_MISUSE_DOUBLE_CLOSE, 6, "double_close", 0,                         \
      "close of a closed channel")                                           \
    X(GCT_MISUSE_SEND_CLOSED, 7, "send_on_closed_channel", 0,                \
      "send on a closed channel")                                            \
    X(GCT_MISUSE_NEGATIVE_WG, 8, "negative_waitgroup", 0,                    \
      "WaitGroup counter would go negative")                                 \
    X(GCT_MISUSE_WG_REUSE, 9, "waitgroup_reused_before_wait", 0,             \
      "WaitGroup reused before the previous Wait returned")                  \
    X(GCT_MISUSE_RECURSIVE_ONCE, 10, "recursive_once", 0,                    \
      "Once.Do called from inside its own function")                         \
    X(GCT_MISUSE_SEMA_OVER_RELEASE, 11, "semaphore_over_release", 0,         \
      "semaphore released more than was acquired")                           \
    X(GCT_MISUSE_CLOSE_NIL, 12, "close_of_nil_channel", 0,                   \
      "close of a nil channel")                                              \
    X(GCT_MISUSE_GROUP_SET_LIMIT, 13, "errgroup_set_limit_while_running", 0, \
      "errgroup limit changed while tasks run")                              \
    X(GCT_MISUSE_RECURSIVE_RLOCK, 14, "recursive_read_lock", GCT_OBJ_RWLOCK, \
      "read lock taken again by a thread that holds it for reading, on a "   \
      "writer-preferring rwlock (a goc_rwmutex, like Go's RWMutex): it "     \
      "deadlocks when a writer comes between the two")                       \
    X(GCT_MISUSE_DESTROYED_LOCK, 15, "use_of_destroyed_lock", 0,             \
      "lock or unlock of a destroyed mutex")                                 \
    X(GCT_MISUSE_RELOCK, 16, "relock_by_holder", GCT_MISUSE_OBJ_IN_B,        \
      "lock asked for again by the thread that holds it, which glibc "       \
      "refuses with EDEADLK (an error-checking mutex, or an rwlock held for " \
      "writing)")                                                            \
    X(GCT_MISUSE_RWLOCK_NOT_HELD, 17, "unlock_of_rwlock_not_held",           \
      GCT_OBJ_RWLOCK,                                                        \
      "rwlock unlock by a thread that holds no lock on it")                  \
    X(GCT_MISUSE_BAD_DEADLINE, 18, "invalid_deadline", GCT_MISUSE_OBJ_IN_B,  \
      "timed wait or lock given a deadline whose nanoseconds are not in "    \
      "[0, 1e9), which glibc refuses with EINVAL")                           \
    X(GCT_MISUSE_COND_TWO_MUTEXES, 19, "cond_wait_with_two_mutexes", 0,      \
      "condition wait with a mutex other than the one another thread "       \
      "waits on the condvar with at the same time")                          \
    X(GCT_MISUSE_BARRIER_ZERO, 20, "barrier_count_zero", GCT_MISUSE_OBJ_IN_B, \
      "barrier initialised with a count of 0, which glibc refuses with "     \
      "EINVAL")                                                              \
    X(GCT_MISUSE_DESTROY_BUSY, 21, "destroy_of_busy_object",                 \
      GCT_MISUSE_OBJ_IN_B,                                                   \
      "destroy of a semaphore or barrier that threads wait on")              \
    X(GCT_MISUSE_REINIT_BUSY, 22, "reinit_of_busy_object",                   \
      GCT_MISUSE_OBJ_IN_B,                                                   \
      "initialisation again of a lock that is held, or of a semaphore or "   \
      "barrier that threads wait on")                                        \
    X(GCT_MISUSE_SEM_DESTROYED, 23, "wait_on_destroyed_semaphore", 0,        \
      "wait on a destroyed semaphore")                                       \
    X(GCT_MISUSE_SIGNAL_NO_MUTEX, 24, "cond_signal_without_mutex",           \
      GCT_MISUSE_OBJ_IN_B,                                                   \
      "condvar signalled or broadcast by a thread that does not hold the "   \
      "mutex its waiters wait with (dubious; reported with "                 \
      "check_signal_mutex=1 only)")

enum gct_misuse {
#define GCT_X_ENUM(name, value, text, obj, meaning) name = value,
    GCT_MISUSE_KINDS(GCT_X_ENUM)
#undef GCT_X_ENUM
};

/*
 * Names and properties, generated from the tables above: what the trace's
 * vocabulary tables hold (common/vocab.c writes them) and what the code
 * asks of a value.  An unknown value (from a newer recorder, or damage)
 * has no name: NULL, but where said otherwise.
 */
/* A case of a switch on a 3-column table's values, giving the name. */
#define GCT_X_CASE_NAME(name, value, text) \
    case value:                            \
        return text;

/* An event kind's name (event_kinds.name). */
static inline const char *
gct_ev_name(int64_t kind)
{
    switch (kind) {
        GCT_EVENT_KINDS(GCT_X_CASE_NAME)
    }
    return NULL;
}

/* An object kind's name (objects.kind). */
static inline const char *
gct_obj_name(int64_t kind)
{
    switch (kind) {
        GCT_OBJ_KINDS(GCT_X_CASE_NAME)
    }
    return NULL;
}

/* A context kind's name (objects.ctx_kind); "unknown" for one this
 * gctrace does not know. */
static inline const char *
gct_ctx_kind_name(int64_t kind)
{
    switch (kind) {
        GCT_CTX_KINDS(GCT_X_CASE_NAME)
    }
    return "unknown";
}
#undef GCT_X_CASE_NAME

/* A wait reason's name (wait_reasons.name). */
static inline const char *
gct_wait_name(int64_t reason)
{
    switch (reason) {
#define GCT_X_CASE(name, value, text, props, obj, mode) \
    case value:                                         \
        return text;
        GCT_WAIT_REASONS(GCT_X_CASE)
#undef GCT_X_CASE
    }
    return NULL;
}

/* A misuse subkind's name, as `check` prints it; "unknown" for one this
 * gctrace does not know. */
static inline const char *
gct_misuse_name(int64_t sub)
{
    switch (sub) {
#define GCT_X_CASE(name, value, text, obj, meaning) \
    case value:                                     \
        return text;
        GCT_MISUSE_KINDS(GCT_X_CASE)
#undef GCT_X_CASE
    }
    return "unknown";
}

/* What a misuse subkind means, in a report's words. */
static inline const char *
gct_misuse_meaning(int64_t sub)
{
    switch (sub) {
#define GCT_X_CASE(name, value, text, obj, meaning) \
    case value:                                     \
        return meaning;
        GCT_MISUSE_KINDS(GCT_X_CASE)
#undef GCT_X_CASE
    }
    return "API misuse";
}

/* What a misuse event (subkind sub, detail b) says its object is:
 * GCT_OBJ_NONE when it says nothing. */
static inline enum gct_obj
gct_misuse_object(int64_t sub, int64_t b)
{
    int obj = GCT_OBJ_NONE;
    switch (sub) {
#define GCT_X_CASE(name, value, text, what, meaning) \
    case value:                                      \
        obj = what;                                  \
        break;
        GCT_MISUSE_KINDS(GCT_X_CASE)
#undef GCT_X_CASE
    }
    if (obj == GCT_MISUSE_OBJ_IN_B)
        return gct_obj_name(b) ? (enum gct_obj)b : GCT_OBJ_NONE;
    return (enum gct_obj)obj;
}

/* The kind of lock that GCT_LOCK_* flags (an acquisition's, a held
 * lock's) say it is. */
static inline enum gct_obj
gct_lock_obj(uint64_t flags)
{
    return flags & GCT_LOCK_SPIN                    ? GCT_OBJ_SPIN
           : flags & (GCT_LOCK_SHARED | GCT_LOCK_RW) ? GCT_OBJ_RWLOCK
                                                     : GCT_OBJ_MUTEX;
}

/* A wait reason's gct_wait_prop bits (0 for an unknown one). */
static inline unsigned
gct_wait_props(int reason)
{
    switch (reason) {
#define GCT_X_CASE(name, value, text, props, obj, mode) \
    case value:                                         \
        return props;
        GCT_WAIT_REASONS(GCT_X_CASE)
#undef GCT_X_CASE
    }
    return 0;
}

/* A wait for a lock (mutex, rwlock): the detail of its begin is the
 * holder's tid as the lock names it, and it ends with the lock held. */
static inline bool
gct_wait_is_lock(int reason)
{
    return (gct_wait_props(reason) & GCT_WP_LOCK) != 0;
}

/* A wait that ends with a lock held again: a lock's, a condvar's. */
static inline bool
gct_wait_ends_holding(int reason)
{
    return (gct_wait_props(reason) & GCT_WP_ENDS_HOLDING) != 0;
}

/* A wait that one known thread ends: a lock's holder, a joined thread. */
static inline bool
gct_wait_has_owner(int reason)
{
    return (gct_wait_props(reason) & GCT_WP_HAS_OWNER) != 0;
}

/* What a wait with this reason waits on (GCT_OBJ_NONE: no single object,
 * or an unknown reason). */
static inline enum gct_obj
gct_wait_object(int reason)
{
    switch (reason) {
#define GCT_X_CASE(name, value, text, props, obj, mode) \
    case value:                                         \
        return obj;
        GCT_WAIT_REASONS(GCT_X_CASE)
#undef GCT_X_CASE
    }
    return GCT_OBJ_NONE;
}

/* The GCT_LOCK_* mode of the acquisition a lock wait is for (0: a mutex,
 * or no lock wait). */
static inline unsigned
gct_wait_lock_mode(int reason)
{
    switch (reason) {
#define GCT_X_CASE(name, value, text, props, obj, mode) \
    case value:                                         \
        return mode;
        GCT_WAIT_REASONS(GCT_X_CASE)
#undef GCT_X_CASE
    }
    return 0;
}

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
