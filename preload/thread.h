/*
 * thread.h - a thread's state in the shim (thread_state.c): its struct,
 * gct_self, the recursion guard (gct_enter/gct_leave), the one misuse
 * recorder, and what the shim knows of the process's threads.
 */
#ifndef GCT_THREAD_H
#define GCT_THREAD_H

#include "../common/event.h"
#include "../common/rawlog.h"
#include "real.h"

#include <errno.h>
#include <stdatomic.h>

/* ---------------------------------------------------------- thread state */

#define GCT_HELD_MAX 64         /* locks one thread holds at once */
#define GCT_EDGE_CACHE 256      /* per-thread lock-order edges seen */
#define GCT_LOCK_CACHE 128      /* per-thread lock counters */
#define GCT_REPEAT_CACHE 64     /* per-thread compact records to repeat */
#define GCT_REPEAT_WAYS 2       /* ... in sets of this many (log.c) */
#define GCT_STACK_MEMO 4        /* per-thread recent stacks' ids */
#define GCT_SIDE_CACHE 32       /* per-thread channel sides used (chan_sides.c) */
#define GCT_WAIT_SITES 32       /* per-thread short waits counted, */
#define GCT_WAIT_WAYS 2         /* ... in sets of this many (wait_sites.c) */

struct gct_held {
    uintptr_t lock;
    uintptr_t site;     /* return address of the acquiring call */
    uint32_t flags;     /* GCT_LOCK_* */
};

struct gct_edge_slot {
    uintptr_t from, to;
    uint64_t gen;       /* gct_edge_stamp(from, to) when stored */
};

struct gct_count_slot {
    uintptr_t lock;
    uint64_t count;
};

/* Short waits at one object, for one reason, from one call path, counted
 * since the slot was last written out (wait_sites.c). */
struct gct_wait_site {
    uint64_t obj;
    uint32_t stack;
    int32_t reason;     /* 0: empty */
    uint64_t count;
    struct gct_wait_sum sum;
    uint64_t written;   /* its longer waits written out, not counted */
};

/* A compact record the thread published in its current chunk, which a
 * repeat record (rawlog.h) can name instead of writing it again. */
struct gct_repeat_slot {
    uint64_t obj;
    uint64_t arg;       /* the record's argument word, 0 if none */
    uint32_t chunk_seq; /* the thread's chunk_seq then; 0: empty */
    uint16_t kind;      /* the published kind, GCT_REC_COMPACT | gct_ev */
    uint16_t off8;      /* its offset in the chunk / 8 */
};

/* What a new thread's trampoline needs, written by its creator into the
 * state it makes for it (gct_thread_prepare; intercept_thread.c). */
struct gct_start {
    void *(*fn)(void *);
    int (*c11_fn)(void *);
    void *arg;
    int parent_tid;
    int pid;            /* the creator's process, the new thread's too */
    uint32_t stack;     /* the creation stack */
    int64_t flags;      /* 1: created detached */
    uint64_t serial;    /* the creation serial (event.h) */
};

struct gct_thread {
    int tid;
    int pid;            /* the process this state belongs to (fork) */
    int guard;          /* > 0 while the shim itself is working */
    _Atomic int dead;   /* 1: free for reuse by a new thread */

    /* the thread's window of the raw log: map_chunks consecutive chunks
     * mapped at once (log.c), and the current chunk in it */
    char *map;          /* the window's mapping, or NULL */
    uint32_t map_chunks;
    char *chunk;        /* the current chunk, in map, or NULL */
    uint64_t chunk_idx; /* its number in the log */
    uint32_t chunk_used;
    uint32_t chunk_seq;
    int64_t chunk_base; /* its base_ts */
    int64_t clock_ns;   /* the thread's last clock reading for a record, */
    uint64_t clock_tsc; /* with the counter then (log.c, record_time) */
    int64_t last_ts;    /* the latest time it gave a record */

    /* what the thread is blocked on, for the watchdog (0: running) */
    _Atomic int wait_reason;
    _Atomic uintptr_t wait_obj;
    _Atomic int64_t wait_since;
    _Atomic uintptr_t wait_mutex; /* a condvar wait: its mutex */
    _Atomic bool wait_self;     /* the waiter holds what it waits for:
                                   an rwlock it reads, waiting to write */
    _Atomic bool wait_timed;    /* the wait has a timeout of its own,
                                   or another process may end it (a
                                   process-shared object) */
    uint64_t wait_tsc;          /* the time-stamp counter at wait_since
                                   (tsc.c) */
    struct gct_rec *end_slot;   /* the end record of the wait on a lock,
                                   reserved with its begin (locks.c) */
    struct gct_rec *begin_rec;  /* that wait's begin, right before it,
                                   when the wait may be taken back and
                                   counted if short (locks.c); NULL: not */
    struct gct_rec *take_from;  /* where its take-back starts: the first
                                   of the lock_held records written just
                                   before it, or begin_rec itself */
    int begin_reason;           /* its reason, */
    uint32_t wait_stack;        /* and its stack */
    uint64_t handle;            /* pthread_self(), for joins */
    int64_t grace_cpu;          /* the exit grace's first look at its CPU
                                   time, + 1 (0: none yet; init.c) */
    uint32_t stacks_walked;     /* stacks captured by stepping (stack.c) */
    struct gct_stack_memo {     /* the thread's recent stacks' ids, */
        uint64_t hash;          /* by hash of their pcs (stack.c) */
        uint32_t id;
    } stack_memo[GCT_STACK_MEMO];

    int nheld;
    bool held_lost;     /* an acquisition found the held stack full: a
                           lock the thread holds may be missing from it */
    struct gct_held held[GCT_HELD_MAX];
    struct gct_edge_slot edges[GCT_EDGE_CACHE];
    struct gct_count_slot counts[GCT_LOCK_CACHE];
    struct gct_repeat_slot repeats[GCT_REPEAT_CACHE];
    struct gct_side_slot {      /* a channel side recorded (chan_sides.c) */
        uintptr_t key;          /* the channel's address | 1 for receive */
        uint64_t gen;           /* gct_chan_generation when recorded */
    } sides[GCT_SIDE_CACHE];
    bool counts_used;           /* a counter slot was taken since the
                                   counters were last written out */
    bool wait_sites_used;       /* a short wait was counted since the
                                   table was last written out */
    struct gct_wait_site wait_sites[GCT_WAIT_SITES];
    struct gct_rec_compact *prepared; /* record=all: the latest record
                                         filled before an acquisition's
                                         attempt (gct_acquire_prepare) */

    struct gct_start start;     /* from its creator, until it runs */
    struct gct_thread *next_free; /* dead states to reuse (thread_state.c) */
    struct gct_thread *next;    /* all threads' states (gct_threads); last
                                   field: reuse clears everything before */
};

/* The calling thread's state, created on first use (threads the shim did
 * not see start get one too).  NULL when the recorder is off, while the
 * shim itself is working on this thread (guard), or when no memory is
 * left for it. */
struct gct_thread *gct_self_slow(void);
extern __thread struct gct_thread *gct_tls
    __attribute__((tls_model("initial-exec")));

/* gct_here[0] is nonzero in the process that the recorder's state
 * belongs to, once it is on.  It lives in a page that the kernel gives
 * every child process zeroed (MADV_WIPEONFORK), however the child was
 * made: fork, but also daemon and _Fork, which run no interposed fork, or
 * a raw clone.  Such a child then takes the state over on its next call
 * (gct_process_new) instead of writing over its parent's records.  (Where
 * the kernel has no MADV_WIPEONFORK it stays nonzero: only children made
 * through fork or daemon, which run pthread_atfork's handlers, are told
 * apart.) */
extern int gct_here[];

/* Sets gct_here up (init). */
void gct_here_init(void);

static inline struct gct_thread *
gct_self(void)
{
    struct gct_thread *t = gct_tls;
    if (GCT_LIKELY(t != NULL && gct_here[0]))
        return t->guard ? NULL : t;
    return gct_self_slow();
}

/* The state, if any, without creating one (for exit paths). */
struct gct_thread *gct_self_peek(void);

/*
 * The shim's own work on a thread, between an interposed call's entry
 * and its return: the recursion guard held (what the shim does, and libc
 * on its behalf, is not recorded; a signal handler's interposed calls
 * pass straight through) and errno kept, as the program must find it.
 *
 *     struct gct_enter e = gct_enter(t);
 *     ... record ...
 *     gct_leave(&e);
 *
 * The compiler fences keep a handler that interrupts the thread from
 * seeing the guard down while the work is half done.
 */
struct gct_enter {
    struct gct_thread *t;
    int err;
};

static inline struct gct_enter
gct_enter(struct gct_thread *t)
{
    struct gct_enter e = {t, errno};
    t->guard++;
    atomic_signal_fence(memory_order_seq_cst);
    return e;
}

static inline void
gct_leave(struct gct_enter *e)
{
    atomic_signal_fence(memory_order_seq_cst);
    e->t->guard--;
    errno = e->err;
}

/* The one way misuse is recorded: a GCT_EV_MISUSE of subkind on obj,
 * with detail (event.h says which subkinds carry what), at the calling
 * stack (misuse.c).  Takes the guard, keeps errno; out of line and cold:
 * no interposer's common path calls it. */
__attribute__((noinline, cold)) void
gct_misuse(struct gct_thread *t, int subkind, const void *obj,
           int64_t detail);

/* A state for a thread the caller is about to create, for the caller to
 * fill in (its start) and hand to the new thread, which takes it over
 * with gct_thread_begin; NULL when no memory is left.  Until then it
 * belongs to no process (pid 0): every walk of the states passes it by.
 * Made by the creator so that the new thread needs no memory of the
 * program's allocator on its way to its function: a thread's first call
 * of malloc or free sets up its cache and arena, which its exit gives
 * back: about 1 us of the 4-6 that the recorder added to creating and
 * joining a thread (docs/bench-shim.md, "Thread create+join"). */
struct gct_thread *gct_thread_prepare(void);

/* Gives a prepared state back: the thread was not created. */
void gct_thread_unprepare(struct gct_thread *t);

/* Called on a thread the shim started, before its function runs, with
 * the state its creator prepared (and filled in): the thread's state from
 * now on, with its start recorded.  NULL when the recorder is off. */
struct gct_thread *gct_thread_begin(struct gct_thread *made);

/* Creates the key whose destructor sees every thread exit (init). */
void gct_threads_make_key(void);

/* A timed wait or lock on obj (a gct_obj type) answered EINVAL: when its
 * deadline's nanoseconds are out of range, that is why, and misuse (the
 * program meant to wait, and goes on as if the wait had ended).  Called
 * only on that failing path (misuse.c).  Keeps errno. */
__attribute__((noinline, cold)) void
gct_check_deadline(struct gct_thread *t, const void *obj, int type,
                   const struct timespec *ts);

/* The process ends on thread t: a misuse for each lock it still holds
 * (thread_state.c).  Call with t's guard held. */
void gct_process_ends_holding(struct gct_thread *t);

/* Whether a thread of this process that the shim knows is in a wait
 * for reason on obj (as it publishes it for the watchdog). */
bool gct_thread_waits_on(int reason, const void *obj);

/* The tid of a live thread of this process whose held stack has lock,
 * 0 when none: the holder of a lock that names none (a spinlock).  A
 * racy read of other threads' stacks, for a diagnostic (thread_state.c). */
int gct_holder_of(uintptr_t lock);

/* Who holds lock, of gct_obj type: glibc's answer where it names the
 * holder (gct_lock_holder: -1 when this one keeps none readable), else
 * the held stacks' (gct_holder_of). */
int gct_holder(const void *lock, int type);

/* Whether lock is one the shim has seen in use and that was not
 * destroyed, nor its memory freed, since (locks.c). */
bool gct_lock_known(uintptr_t lock);

/* The calling thread is the shim's own: it never gets a state, so
 * nothing it does is recorded. */
void gct_thread_hide(void);

/* Releases the calling thread's state (thread exit). */
void gct_thread_release(struct gct_thread *t);

/* Forgets every thread state but the caller's (fork child). */
void gct_threads_after_fork(struct gct_thread *self);

/* Threads of this process whose creation has begun and that have not
 * yet made their state (intercept_thread.c); the exit grace waits for
 * them. */
extern _Atomic int gct_threads_starting;

/* Head of the list of every thread state ever made (never shrinks; dead
 * ones are reused). */
extern struct gct_thread *_Atomic gct_threads;

/* The signals that have a handler of the program's, bit n - 1 for
 * signal n (intercept_signal.c). */
extern _Atomic uint64_t gct_signal_handlers;

/* Records the set of signals with a handler if it changed since it was
 * last recorded. */
void gct_signals_record(struct gct_thread *t);

/* ------------------------------------------------------- chan_sides.c */

/* Bumped by every channel free, so that the threads' side caches forget
 * addresses that may now name a different channel. */
extern _Atomic uint64_t gct_chan_generation;

/* Records, outside record=all, a thread's first send or receive (kind)
 * on channel obj: the analyses' partners of a channel wait. */
void gct_chan_side(struct gct_thread *t, int kind, uintptr_t obj);

#endif /* GCT_THREAD_H */
