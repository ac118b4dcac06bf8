/*
 * log.h - the recorder and its raw log (log.c): options in effect,
 * writing records, the clock they are stamped with (tsc.c).
 */
#ifndef GCT_LOG_H
#define GCT_LOG_H

#include "../common/options.h"
#include "../common/rawlog.h"
#include "thread.h"

#include <limits.h>
#include <sys/types.h>

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
/* The recorder: one per process (log.c). */
extern struct gct_recorder gct_recorder;

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

/* The counter now, to pair with clock time ns just read (a wait's
 * begin); the first call checks for an invariant counter and keeps the
 * pair, later ones measure ns per tick again now and then. */
uint64_t gct_tsc_pair(int64_t ns);

/* In a forked child: a first pair that another thread of the parent was
 * taking is taken again. */
void gct_tsc_after_fork(void);

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

#endif /* GCT_LOG_H */
