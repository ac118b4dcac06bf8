/*
 * shim.h - the private interface of libgctrace.so.
 *
 * Split by job: real.c resolves the interposed originals, log.c owns the
 * raw log and writes records, tsc.c derives clock times from the
 * time-stamp counter,
 * thread_state.c keeps the per-thread state, stack.c captures and interns
 * stacks, init.c starts and stops the recorder, and the intercept_*.c
 * files are the interposed functions.
 *
 * The one rule everywhere: the shim never changes what the program sees.
 * Every interposed function returns exactly what the original returned,
 * with errno as the original left it, and does its own work under the
 * thread's recursion guard so that locks taken by the shim (or by libc on
 * its behalf) are never recorded.
 */
#ifndef GCT_SHIM_H
#define GCT_SHIM_H

#include "../common/event.h"
#include "../common/options.h"
#include "../common/rawlog.h"
#include "glibc_private.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <threads.h>

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
    uint64_t gen;       /* gct_lock_generation when stored */
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

/* The state of a thread the shim started, made before its function runs. */
struct gct_thread *gct_thread_begin(int parent_tid, uint32_t stack,
                                    int64_t flags);

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

/* Bumped by every destroy, so that per-thread edge caches forget
 * addresses that may now name a different lock. */
extern _Atomic uint64_t gct_lock_generation;

/* ------------------------------------------------------- chan_sides.c */

/* Bumped by every channel free, so that the threads' side caches forget
 * addresses that may now name a different channel. */
extern _Atomic uint64_t gct_chan_generation;

/* Records, outside record=all, a thread's first send or receive (kind)
 * on channel obj: the analyses' partners of a channel wait. */
void gct_chan_side(struct gct_thread *t, int kind, uintptr_t obj);

/* ---------------------------------------------------------------- log.c */

struct gct_recorder {
    bool on;                    /* recording */
    struct gct_options opt;
    char raw_path[PATH_MAX + 8];
    int fd;                     /* the raw log, at a high fd number */
    dev_t dev;
    ino_t ino;
    struct gct_log_header *hdr; /* mapped header page */
    int root;                   /* this process created the log */
    int pid;                    /* the process this state is (gct_here) */
    /* Default mutexes may be taken and released in place (mutex_fast.c);
     * set at start-up, read on every lock. */
    bool mutex_fast;
    /* A condvar signal or broadcast has work beyond the real call
     * (record=all, check_signal_mutex=1): one flag, read on every
     * signal, set at start-up. */
    bool signal_slow;
};
extern struct gct_recorder gct_rec;

/* A child process the recorder has not met yet (fork's child, or
 * gct_here found wiped) takes its state over as its own (init.c). */
void gct_process_new(void);

/* Moves fd to a high number (close-on-exec), out of the way of programs
 * that expect small ones; returns the new number (fd when it cannot). */
int gct_raise_fd(int fd);

/* The fields of a /proc stat file after "pid (comm) ", read into buf;
 * NULL when it cannot be read (the process or thread has ended). */
const char *gct_proc_stat(const char *path, char *buf, size_t size);

/* The address span [lo, hi) of a loaded module's PT_LOAD segments; false
 * when it has none. */
struct dl_phdr_info;
bool gct_module_span(const struct dl_phdr_info *info, uintptr_t *lo,
                     uintptr_t *hi);

/* Creates (or, after exec, attaches to) the raw log.  false: off, and
 * gct_log_refused says why when the log's name held a file that must not
 * be replaced (safe_file.h). */
bool gct_log_open(void);
extern const char *gct_log_refused;

/* Current time for records. */
int64_t gct_now(void);

/* Writes one record; payload may be NULL.  Never blocks, never allocates;
 * drops the record (counted in the header) when the log is full.  Returns
 * the record's time stamp (gct_now()), for callers that need it too. */
int64_t gct_emit(struct gct_thread *t, int kind, uint32_t stack, uint64_t obj,
              int64_t a, int64_t b, const void *payload, size_t len);

/* Writes one compact record (rawlog.h), or a repeat record when the
 * thread wrote one of the same contents in its chunk: an event without a
 * stack, whose a fits 8 bits and b 56.  For record=all's lock
 * operations.  Keeps errno. */
void gct_emit_compact(struct gct_thread *t, int kind, uint64_t obj,
                      uint8_t a, uint64_t b);

/* A record filled ahead of the event it records (below). */
struct gct_prepared {
    struct gct_rec_compact *rec; /* NULL: nothing prepared */
    uint16_t kind;               /* the kind that publishes it */
};

/* Fills a record of kind as gct_emit_compact would, but leaves it
 * unpublished: a record reserved ahead of an event that may not happen,
 * whose time is now.  Returns it with the kind that publishes it, and
 * notes it in t->prepared; its rec is NULL when there is no room in the
 * thread's chunk, or the time does not fit (the caller then writes the
 * record when the event happens).  Makes no system call, keeps errno. */
struct gct_prepared gct_prepare_compact(struct gct_thread *t, int kind,
                                        uint64_t obj, uint8_t a, uint64_t b);

/* Remembers the compact record r, published as kind, so that the next
 * operations of the same contents in its chunk are written as repeats.
 * Call with t's guard held (a handler's record would find the cache
 * half written). */
void gct_repeat_learn(struct gct_thread *t, const struct gct_rec_compact *r,
                      uint16_t kind);

/* Publishes r, a compact or repeat record filled by the thread, as kind. */
static inline void
gct_publish_op(struct gct_thread *t, struct gct_rec_compact *r,
               uint16_t kind)
{
    atomic_store_explicit(&r->kind, kind, memory_order_release);
    if (r->words != 1)
        gct_repeat_learn(t, r, kind);
}

/* Writes one record without payload at time ts, or later: a thread's
 * times do not go back (gct_emit reads the clock itself). */
void gct_emit_at(struct gct_thread *t, int64_t ts, int kind, uint32_t stack,
                 uint64_t obj, int64_t a, int64_t b);

/* The time now for a record, derived from the thread's last clock
 * reading while that is under 1 ms old (log.c); *tsc: the counter then. */
int64_t gct_clock(struct gct_thread *t, uint64_t *tsc);

/* Unmaps the thread's window (fork); donate: and lets the next new
 * threads write into the rest of it (thread exit). */
void gct_log_release_chunk(struct gct_thread *t);
void gct_log_donate_chunk(struct gct_thread *t);
/* Fork child: the parent's spare chunks are the parent's. */
void gct_log_forget_spares(void);

/* Reserves a full record for obj, filled but for its time and kind, so
 * that publishing it later costs a few stores; NULL when the log is
 * full.  The reservation lasts while the thread keeps its window of the
 * log (gct_log_release_chunk clears t->end_slot, the only holder). */
struct gct_rec *gct_reserve_rec(struct gct_thread *t, uint64_t obj);

/* Takes back r, the latest records of the thread's current chunk from r
 * on, as if never written (a short wait, counted instead: locks.c).
 * false: r is not in the current chunk. */
bool gct_log_take_back(struct gct_thread *t, struct gct_rec *r);

/* A thread's records never go back in time: a time derived from the
 * counter may run a few ns (at worst 0.5 us, tsc.c) ahead of the clock
 * read next, and the finisher orders a thread's records by time.
 * Returns the time to give the thread's next record, ts or later. */
static inline int64_t
gct_monotonic(struct gct_thread *t, int64_t ts)
{
    if (ts < t->last_ts)
        ts = t->last_ts;
    t->last_ts = ts;
    return ts;
}

/* Publishes reserved record r as kind, at time ts, with a. */
static inline void
gct_publish_rec(struct gct_thread *t, struct gct_rec *r, int kind,
                int64_t ts, int64_t a)
{
    r->ts = gct_monotonic(t, ts);
    r->a = a;
    atomic_store_explicit(&r->kind, (uint16_t)kind, memory_order_release);
}

/* Records the loaded modules not yet recorded (init, dlopen). */
void gct_log_modules(struct gct_thread *t);

/* ---------------------------------------------------------------- tsc.c */

/* Checks for an invariant time-stamp counter and takes the first pair of
 * readings (init). */
void gct_tsc_init(void);

/* The counter now, to pair with clock time ns just read (a wait's
 * begin); measures ns per tick again now and then. */
uint64_t gct_tsc_pair(int64_t ns);

/* The counter now (0 where there is none). */
static inline uint64_t
gct_tsc_read(void)
{
#if defined(__x86_64__) || defined(__i386__)
    return __builtin_ia32_rdtsc();
#else
    return 0;
#endif
}

#define GCT_TSC_DERIVE_MAX_NS 1000000 /* longer spans read the clock */
/* ns per tick, 32.32 fixed point, as last measured; 0: not yet, or no
 * invariant counter (tsc.c). */
extern _Atomic uint64_t gct_tsc_scale;

/* The clock time at counter reading tsc1, from the pair (ns0, tsc0),
 * into *ns when that is known to be accurate (ns per tick measured, and
 * under 1 ms from tsc0 to tsc1); false: read the clock instead. */
static inline bool
gct_tsc_derive(int64_t ns0, uint64_t tsc0, uint64_t tsc1, int64_t *ns)
{
    uint64_t s = atomic_load_explicit(&gct_tsc_scale, memory_order_relaxed);
    uint64_t dt = tsc1 - tsc0;

    /* dt below 2^32 and s >> 4 below 2^32 (s < 16 << 32): the product
     * fits 64 bits */
    if (s == 0 || dt >= ((uint64_t)1 << 32))
        return false;
    uint64_t d = (dt * (s >> 4)) >> 28;
    if (d > GCT_TSC_DERIVE_MAX_NS)
        return false;
    *ns = ns0 + (int64_t)d;
    return true;
}

/* The clock time now, derived from the pair (ns0, tsc0) when that is
 * known to be accurate (a short wait), else read from the clock. */
static inline int64_t
gct_now_since(int64_t ns0, uint64_t tsc0)
{
    int64_t ns;
    return gct_tsc_derive(ns0, tsc0, gct_tsc_read(), &ns) ? ns : gct_now();
}

/* ---------------------------------------------------------------- intern.c */

/* A slot of a set: key 0 is empty; id is the caller's. */
struct gct_slot {
    _Atomic uint64_t key;
    _Atomic uint32_t id;
};

#define GCT_INTERN_FIRST 256 /* slots of the first level: one page */

/* A set of keys in two levels (intern.c): first has GCT_INTERN_FIRST
 * slots, rest rest_size (a power of two). */
struct gct_intern {
    struct gct_slot *first;
    struct gct_slot *rest;
    size_t rest_size;
};

/* Finds key's slot or claims one for it (*fresh: claimed by this call).
 * NULL when both levels are full where key would go. */
struct gct_slot *gct_intern(const struct gct_intern *set, uint64_t key,
                            bool *fresh);

/* key's slot, or NULL when key was never claimed. */
struct gct_slot *gct_intern_find(const struct gct_intern *set, uint64_t key);

/* ---------------------------------------------------------------- stack.c */

/* Tells the unwinder where the shim's own code is, and libunwind's
 * (init). */
void gct_stack_init(uintptr_t lo, uintptr_t hi, uintptr_t unw_lo,
                    uintptr_t unw_hi);

/* Whether site is inside libunwind: the program (or a sanitizer) is
 * unwinding, and libunwind takes pthread locks of its own, which may be
 * held at this moment.  Capturing a stack there would unwind from inside
 * libunwind and wait forever for its lock: such calls are not recorded
 * with stacks (no lock-order edges, no first use, no stack for a wait). */
bool gct_in_unwinder(uintptr_t site);

/* Whether pc is in the shim's own code. */
bool gct_in_shim(uintptr_t pc);

/* Captures the calling stack (skipping the shim's own frames), interns it
 * and returns its id (0 when it cannot).  Writes a GCT_REC_STACK record the
 * first time a stack is seen. */
uint32_t gct_stack(struct gct_thread *t);

/* Like gct_stack, but only the innermost depth frames of the program. */
uint32_t gct_stack_top(struct gct_thread *t, int depth);

/* gct_stack for a call made from `site`, the interposed function's return
 * address: 0 when site is inside libunwind (gct_in_unwinder).  Each call
 * gets its own stack: one site is many call paths when the call is in a
 * wrapper (stack.c). */
uint32_t gct_stack_by_site(struct gct_thread *t, uintptr_t site);

/* ---------------------------------------------------------------- locks.c */

/* Bookkeeping after the thread acquired lock `lock` (flags GCT_LOCK_*),
 * called from `site`: lock-order edges, counters, all-mode records.
 * Keeps errno.  The inline part is the common case, a lock taken while
 * holding none whose counter is cached: no call, no record. */
void gct_lock_acquired_slow(struct gct_thread *t, const void *lock,
                            uint32_t flags, uintptr_t site);

static inline size_t
gct_count_slot_of(uintptr_t lock)
{
    return ((lock >> 4) ^ (lock >> 12)) & (GCT_LOCK_CACHE - 1);
}

/* The first of the two slots of the edge from->to's set in the thread's
 * edge cache (locks.c). */
static inline struct gct_edge_slot *
gct_edge_set(struct gct_thread *t, uintptr_t from, uintptr_t to)
{
    uint64_t h = (uint64_t)from * 0x9e3779b97f4a7c15ull ^ (uint64_t)to;
    h ^= h >> 29;
    size_t set = (size_t)(h * 0xbf58476d1ce4e5b9ull >> 32) &
                 (GCT_EDGE_CACHE / 2 - 1);
    return &t->edges[set * 2];
}

/* Whether set e holds the edge from->to of lock generation gen. */
static inline bool
gct_edge_known(const struct gct_edge_slot *e, uintptr_t from, uintptr_t to,
               uint64_t gen)
{
    return (e[0].from == from && e[0].to == to && e[0].gen == gen) ||
           (e[1].from == from && e[1].to == to && e[1].gen == gen);
}

/* gct_lock_acquired for a caller that knows the record mode is not
 * record=all. */
static inline void
gct_lock_acquired_unrecorded(struct gct_thread *t, const void *lock,
                             uint32_t flags, uintptr_t site)
{
    uintptr_t l = (uintptr_t)lock;
    struct gct_count_slot *c = &t->counts[gct_count_slot_of(l)];
    int n = t->nheld;

    if (GCT_UNLIKELY(c->lock != l))
        goto slow;
    /* One lock held (nesting two deep, the common case): an edge this
     * thread has written before costs one probe of the edge cache.  A
     * trylock adds no edge; re-locking the held (recursive) mutex goes
     * the slow way, which adds none either. */
    if (n == 1 && !(flags & GCT_LOCK_TRY)) {
        uintptr_t from = t->held[0].lock;
        uint64_t gen = atomic_load_explicit(&gct_lock_generation,
                                            memory_order_relaxed);
        if (from == l || !gct_edge_known(gct_edge_set(t, from, l), from, l,
                                         gen))
            goto slow;
    } else if (n > 1) {
        goto slow;
    }
    t->held[n] = (struct gct_held){l, site, flags};
    t->nheld = n + 1;
    c->count++;
    return;
slow:
    gct_lock_acquired_slow(t, lock, flags, site);
}

static inline void
gct_lock_acquired(struct gct_thread *t, const void *lock, uint32_t flags,
                  uintptr_t site)
{
    if (GCT_UNLIKELY(gct_rec.opt.record == GCT_RECORD_ALL))
        gct_lock_acquired_slow(t, lock, flags, site);
    else
        gct_lock_acquired_unrecorded(t, lock, flags, site);
}

/* record=all: an acquisition by a blocking lock call has its record
 * written before the attempt (gct_acquire_prepare), its time taken
 * then, and published only when that attempt succeeds without waiting
 * (gct_acquire_published), so that the program's critical section does
 * not also hold the clock read and the record's stores: in a nested-lock
 * loop those made every lock held longer and the other thread wait for
 * it.  A recorded hold so starts a few ns before the real one, as its
 * release is recorded a few ns after it.  An attempt that fails leaves
 * the record unpublished, and the acquisition that follows the wait is
 * recorded once it happened. */
#define GCT_LOCK_PRERECORDED (1u << 31) /* shim-internal flag */

static inline struct gct_prepared
gct_acquire_prepare(struct gct_thread *t, const void *lock, uint32_t flags,
                    uintptr_t site)
{
    if (GCT_LIKELY(gct_rec.opt.record != GCT_RECORD_ALL))
        return (struct gct_prepared){NULL, 0};
    return gct_prepare_compact(t, GCT_EV_LOCK_ACQUIRE, (uintptr_t)lock,
                               (uint8_t)flags, site);
}

/* The attempt succeeded: publishes the prepared record, unless a signal
 * handler that recorded meanwhile prepared one of its own (t->prepared
 * names only the latest) or moved the thread to a new window (which
 * clears it): the acquisition is then recorded once made.  Under the
 * guard, so that no handler records between the check and the store.
 * Returns flags for gct_lock_acquired. */
static inline uint32_t
gct_acquire_published(struct gct_thread *t, struct gct_prepared p,
                      uint32_t flags)
{
    if (p.rec == NULL)
        return flags;
    struct gct_enter e = gct_enter(t);
    if (t->prepared == p.rec) {
        t->prepared = NULL;
        gct_publish_op(t, p.rec, p.kind);
        flags |= GCT_LOCK_PRERECORDED;
    }
    gct_leave(&e);
    return flags;
}

/* Notes that lock exists; record: write its first use (with a stack)
 * unless it was seen before.  Init calls pass false: their own record
 * names the lock's class. */
void gct_lock_seen(struct gct_thread *t, uintptr_t lock, bool record);

/* A lock was destroyed: its next first use is a new lock's. */
void gct_lock_forget(uintptr_t lock);

/* lock, of gct_obj type, was initialised (flags GCT_LOCK_*) by a call
 * from site: noted as seen, and its init recorded with the stack that
 * names its class.  Keeps errno. */
void gct_lock_init_note(struct gct_thread *t, const void *lock, int type,
                        uint32_t flags, uintptr_t site);

/* A destroy of lock answered result, recorded; gone: it ended (its
 * address names a new lock from now on).  Keeps errno. */
void gct_lock_destroy_note(struct gct_thread *t, const void *lock,
                           int result, bool gone);

/* Whether a lock may ever have been seen in [lo, lo+len): false means
 * certainly not (intercept_mem.c). */
bool gct_locks_maybe_in(uintptr_t lo, size_t len);

/* Whether a lock was ever seen (intercept_mem.c's free passes straight
 * on until one is). */
extern _Atomic bool gct_any_lock_seen;

/* The 64-byte lines where locks were seen, by address modulo 64 MiB
 * (locks.c). */
#define GCT_LINE_SHIFT 6
#define GCT_LINE_WORDS (1u << 14)
extern _Atomic uint64_t gct_lock_lines[GCT_LINE_WORDS];

/* Whether no lock was ever seen in [lo, lo+len), len > 0, as told by the
 * bits of one word of gct_lock_lines; false: look closer
 * (gct_locks_held_in).  Inline: free() asks it of every block. */
__attribute__((no_sanitize("address", "undefined"))) static inline bool
gct_no_lock_lines(uintptr_t lo, size_t len)
{
    uint64_t first = lo >> GCT_LINE_SHIFT;
    uint64_t n = ((lo + len - 1) >> GCT_LINE_SHIFT) - first + 1;
    uint32_t b = (uint32_t)(first & (GCT_LINE_WORDS * 64 - 1));

    if (b % 64 + n > 64)
        return false; /* more than the word: the slow way */
    uint64_t w = atomic_load_explicit(&gct_lock_lines[b / 64],
                                      memory_order_relaxed) >> (b % 64);
    return n == 64 ? w == 0 : (w & ((1ull << n) - 1)) == 0;
}

/* Whether a lock seen and not forgotten starts in [lo, lo+len): exact,
 * after a filter of a few loads (free). */
bool gct_locks_held_in(uintptr_t lo, size_t len);

/* The memory [lo, lo+len) went away at time ts (munmap, dlclose,
 * free): ends the locks it held, as destroy does, and records it.  With
 * `everywhere`, a range too large to look up address by address also
 * forgets the locks seen there from the large level of the seen set,
 * whose pages a scan touches (dlclose's rare calls only). */
void gct_memory_gone(struct gct_thread *t, int64_t ts, uintptr_t lo,
                     size_t len, bool everywhere);

/* Bookkeeping before/after a release. */
/* Whether lock was on the held stack (or may have been: held_lost). */
bool gct_lock_released_slow(struct gct_thread *t, const void *lock);

/* Takes lock off the thread's held stack; false when it was not there,
 * so that the thread did not hold it (the answer costs the common case,
 * the top of the stack, nothing). */
static inline bool
gct_lock_released(struct gct_thread *t, const void *lock)
{
    int n = t->nheld;

    if (GCT_LIKELY(n > 0 && t->held[n - 1].lock == (uintptr_t)lock &&
                   gct_rec.opt.record != GCT_RECORD_ALL)) {
        t->nheld = n - 1;
        return true;
    }
    return gct_lock_released_slow(t, lock);
}

/* Brackets a wait that blocks. */
/* site: the blocking call's caller, for gct_stack_by_site (0: libgoc's
 * waits, whose call site is inside libgoc).  The wait's stack is captured
 * each time. */
void gct_wait_begin(struct gct_thread *t, int reason, const void *obj,
                    int64_t detail, bool timed, uintptr_t site);
void gct_wait_end(struct gct_thread *t, const void *obj, int64_t result);

/* ---------------------------------------------------------------- wait_sites.c */

/* Counts a short wait of ns at obj (reason, stack) in t's table. */
void gct_wait_count(struct gct_thread *t, uint64_t obj, int reason,
                    uint32_t stack, int64_t ns);
/* Writes t's table out and empties it.  writer: the thread whose chunk
 * takes the records (t itself, or the process's last thread at exit). */
void gct_wait_sites_flush(struct gct_thread *writer, struct gct_thread *t);

/* ---------------------------------------------------------------- mutex_fast.c */

/* Sets gct_rec.mutex_fast (unless option mutex_fast=0 turned it off);
 * tid: the calling thread's.  Returns why not, or NULL.  The in-place
 * trylock and unlock are glibc_private.h's. */
const char *gct_mutex_fast_init(int tid);

/* ---------------------------------------------------------------- finisher.c */

/* Runs the finishing step now and waits for it; snapshot: for the
 * watchdog.  Its exit status (1: something was found), or -1 when it
 * could not run. */
int gct_spawn_finisher(bool snapshot);

/* Starts the finishing step's helper with the root process, waiting for
 * its exit (option standby). */
void gct_standby_start(void);

/* In a fork's child: the waiting helper is the parent's. */
void gct_standby_after_fork(void);

/* The root process's exit: the waiting helper finishes the trace, or a
 * step started now.  Status as gct_spawn_finisher's. */
int gct_finish_at_exit(void);

/* ---------------------------------------------------------------- watchdog.c */

/* Starts the deadlock watchdog once per process, when t first blocks. */
void gct_watchdog_start(struct gct_thread *t);
void gct_watchdog_after_fork(void);
/* Main called pthread_exit: the watchdog ends the process with the last
 * other thread, as glibc would have. */
void gct_watchdog_main_left(void);
/* Starts the shim's background thread (the watchdog's) if it is not
 * running; false when it cannot be. */
bool gct_background_start(struct gct_thread *t);
/* Wakes the background thread: work for it is queued. */
void gct_background_wake(void);
/* t has just begun a lock wait that cannot end (a NORMAL mutex, or a
 * libgoc lock, held by t itself): the watchdog reports it now, without
 * waiting out its delay. */
void gct_watchdog_certain(struct gct_thread *t);

/* ---------------------------------------------------------------- prefault.c */

/* Queues the fresh window [p, p+len) of t's log for the background thread
 * to bring into memory; false when it cannot (the caller then populates
 * the window itself).  Call with t's guard held. */
bool gct_prefault_post(struct gct_thread *t, char *p, size_t len);
/* Before [p, p+len) is unmapped: no request touches it any more. */
void gct_prefault_cancel(const char *p, size_t len);
/* The background thread's part: works through the queue. */
void gct_prefault_work(void);
void gct_prefault_after_fork(void);

/* Writes every thread's pending lock counters (exit). */
void gct_flush_counts(struct gct_thread *t);

#endif /* GCT_SHIM_H */
