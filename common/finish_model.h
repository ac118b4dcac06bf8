/*
 * finish_model.h - the model the finishing step replays a raw log into:
 * processes, threads, objects, waits, wait sites and lock classes, and
 * the handlers that give each record kind its meaning.
 *
 * finish_model.c owns the model's lookups and the dispatch of a record
 * to its handler; each family of records has its handlers in a file of
 * its own (replay_threads.c, replay_locks.c, replay_objects.c,
 * replay_stacks.c), listed in a table of gct_replay_entry.  What the
 * replay writes as it goes (events, frames, stacks, lock edges) goes
 * through the trace writer (trace_write.h), which writes the rest of the
 * model once the replay is over.
 *
 * Invariants: ids are 1-based indexes into their arrays (threads,
 * objects, waits), 0 meaning none; a map entry of value 0 is the same as
 * none.  Records are replayed in the reader's order (rawlog_read.h),
 * modules first.  Times are nanoseconds since the log's start, computed
 * wrapping: a corrupt log's times are garbage, never undefined behaviour.
 */
#ifndef GCT_FINISH_MODEL_H
#define GCT_FINISH_MODEL_H

#include "event.h"
#include "map.h"
#include "rawlog_read.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gct_model;
struct gct_trace_writer;
struct gct_symbolizer;

#define MAX_OPEN_WAITS 4

struct thread {
    int pid, tid;
    uint64_t handle;
    char *name;
    uint64_t start_fn; /* the function pthread_create ran; 0 unknown */
    int64_t goid, parent, start, end;
    uint32_t create_stack;
    int detached;
    int64_t joined_by;
    int64_t locks_at_exit;
    bool merged; /* its creator's record, folded into the row that the
                    thread's earlier records made (adopt_created) */
    int64_t done_chan; /* a context's done channel just made, for the
                          context whose make follows (GCT_CTX_DONE_NAME) */
    int64_t open_waits[MAX_OPEN_WAITS]; /* wait ids, innermost last */
    int nopen;
    /* select cases announced before the select's wait */
    uint64_t *cases;
    int *case_ops;
    size_t ncases, capcases;
};

struct object {
    int pid;
    uint64_t addr;
    enum gct_obj kind; /* GCT_OBJ_NONE: not known yet */
    char *name;
    int64_t flags, created, destroyed, closed, parent;
    uint32_t create_stack;
    int64_t elem, cap;
    const char *ctx_kind;
    int64_t cancel_ns, cancel_cause;
    char *cancel_how;
    int64_t acq, contended, wait_total, wait_max;
    bool inited; /* made by an init call (has a lock class) */
    uint64_t cond_mutex; /* a condvar: the mutex of its current waits */
    int64_t cond_waits;  /* ... and how many there are */
};

struct wait {
    int64_t thread, object, reason, begin, end, result, holder;
    uint32_t stack;
    int timed;
    int shared; /* on a process-shared object */
};

/* Waits at one object, for one reason, from one call path, by one
 * thread: those counted by the shim (GCT_REC_WAITS) and those written one
 * by one that ended (common/rawlog.h). */
struct wait_site {
    int64_t thread, object, reason;
    uint32_t stack;
    int64_t waits, counted, total, max;
    int64_t hist[GCT_WAIT_HIST];
};

/* A name or a detach for a thread handle whose thread has not started. */
struct pending_name {
    int pid;
    uint64_t handle;
    char *name;
};

/* One record being replayed, as its handler sees it. */
struct gct_replay {
    const struct gct_rec *r;
    int pid, tid; /* who wrote it: its chunk's owner */
    int64_t ts;   /* since the log's start */
    int64_t th;   /* an event's thread (the writer's row) */
    int64_t obj;  /* out: the events row's object, 0 none */
    int64_t b;    /* out: the events row's b (the record's, unless the
                     handler makes it a frame id) */
};

typedef void gct_replay_fn(struct gct_model *m, struct gct_replay *e);

/* What a record kind means.  Kinds below GCT_REC_STACK are events: their
 * thread is found (made when new) before the handler runs, unless
 * own_thread says the handler does it, and each becomes an events row,
 * with the payload as its text when text is set.  Other kinds (records)
 * are only given to their handler. */
struct gct_replay_entry {
    int kind;
    gct_replay_fn *fn;
    bool own_thread;
    bool text;
};

/* The handlers, by family; each table ends with a zero kind. */
extern const struct gct_replay_entry gct_replay_threads[];
extern const struct gct_replay_entry gct_replay_locks[];
extern const struct gct_replay_entry gct_replay_objects[];
extern const struct gct_replay_entry gct_replay_stacks[];

#define GCT_REPLAY_KINDS (GCT_REC_STACK + 16)

struct gct_model {
    const struct gct_rawlog *log;
    struct gct_trace_writer *w;
    struct gct_symbolizer *sym; /* NULL: frames are written unnamed */
    int64_t sym_ns, sym_n; /* time in gct_symbolize and its calls, for
                              GCTRACE_TIMINGS (phase_time.h) */
    const struct gct_replay_entry *by_kind[GCT_REPLAY_KINDS];

    struct pending_name *pending_names; /* names before the start */
    size_t npending, cappending;
    struct pending_name *pending_detach; /* detaches before the start */
    size_t npdetach, cappdetach;
    struct thread *threads;
    size_t nthreads, capthreads;
    struct object *objects;
    size_t nobjects, capobjects;
    struct wait *waits;
    size_t nwaits, capwaits;
    struct wait_site *sites;
    size_t nsites, capsites;
    struct gct_map site_by_key;      /* (thread << 8 | reason,
                                        object << 32 | stack) -> index + 1 */
    struct gct_map thread_by_tid;    /* (pid, tid) -> thread id */
    struct gct_map thread_by_handle; /* (pid, pthread_t) -> thread id */
    struct gct_map object_by_addr;   /* (pid, addr) -> the live object id */
    struct gct_map destroyed_at;     /* (pid, addr) -> the object id last
                                        destroyed there */
    struct gct_map stack_seen;       /* (stack id, 0) -> its lock class (a
                                        stack id), or UINT64_MAX once
                                        written without one (no frames) */
    struct gct_map frame_by_pc;      /* (pc, 0) -> its innermost frame id,
                                        (pc, 1) -> its frame count (the
                                        inlined chain), (pc, 2) -> 1 when
                                        the recorder's own code, (pc, 4)
                                        -> its source place id */
    struct gct_map pid_seen;         /* (pid, 0) -> its images so far */
    struct gct_map thread_by_serial; /* (image_key, creation serial) ->
                                        thread id */
    struct gct_map place_ids;        /* (hash of a pc's frames' functions,
                                        files and lines, their count)
                                        -> the first frame id there */
    struct gct_map class_by_places;  /* (hash of a stack's places, depth)
                                        -> the lock class: a stack id */
    struct gct_map signals;          /* (pid, 0) -> 1 when known, (pid, 1)
                                        -> its signals with a handler */
    char *options;                   /* the root's GCTRACE_OPTIONS */
    int64_t next_frame;              /* the last frame id written */
    int64_t t0;                      /* the log's start, monotonic */
    int64_t last_ts;                 /* the latest time met */
};

/* The model of log, written through w as it is replayed. */
void gct_model_init(struct gct_model *m, const struct gct_rawlog *log,
                    struct gct_trace_writer *w, struct gct_symbolizer *sym);
/* Replays every record, modules first; stops at the writer's first
 * error. */
void gct_model_replay(struct gct_model *m);
/* The end of a run that did not exit (see finish_model.c). */
void gct_model_run_end(struct gct_model *m, int64_t end_mono_ns);
void gct_model_free(struct gct_model *m);
/* Whether something outside the process's threads may end wait w. */
bool gct_model_wait_external(const struct gct_model *m, const struct wait *w);

/* For the handlers. */
int64_t gct_thread_of(struct gct_model *m, int pid, int tid, int64_t ts);
struct thread *gct_T(struct gct_model *m, int64_t id);
struct object *gct_O(struct gct_model *m, int64_t id);
int64_t gct_new_object(struct gct_model *m, int pid, uint64_t addr,
                       enum gct_obj kind, int64_t ts);
int64_t gct_object_of(struct gct_model *m, int pid, uint64_t addr,
                      enum gct_obj kind, int64_t ts);
void gct_end_object(struct gct_model *m, int pid, uint64_t id, int64_t ts);
/* Frames for pc (a return address), symbolised and written once; the id
 * of the innermost (replay_stacks.c). */
int64_t gct_frame_of(struct gct_model *m, uint64_t pc);
/* A condvar wait ended, or its thread did in the middle of it
 * (replay_locks.c). */
void gct_cond_wait_ends(struct gct_model *m, const struct wait *w);

#endif
