/*
 * analysis.h - findings from a trace: the vocabulary of DESIGN.md
 * (leaked_thread, unjoined_thread, lock_order_cycle, deadlock,
 * unclosed_channel, context_leak, misuse).
 *
 * Analyses only read the trace; the finisher stores what they find in the
 * findings tables, and `gctrace check` prints it.
 */
#ifndef GCT_ANALYSIS_H
#define GCT_ANALYSIS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct gct_frame {
    char *function, *file;
    int line;
    char *module;   /* the file of the module, or NULL */
    int64_t offset; /* the address in the module's file; -1 unknown */
};

struct gct_stack {
    char *label; /* what this stack is: "blocked at", "created at", ... */
    char *stable_label; /* the same without run-specific values */
    struct gct_frame *frames;
    size_t nframes;
    int64_t id;
};

struct gct_ref {
    int64_t id;
    char *kind;  /* object kind, or "thread" */
    char *name;  /* name or a generated label, e.g. "mutex 0x..." */
    char *given; /* the name the program gave it; NULL when none */
    int64_t tid; /* threads */
    int64_t goid;  /* threads: the libgoc goroutine id; 0 for a pthread */
    uint64_t addr; /* objects: the address */
    char *symbol;  /* objects: the variable it lies in; NULL when none */
    char *start_routine; /* threads: the function it started in; NULL
                            when unknown */
    char *created_at;    /* threads: "function (file:line)" of the user
                            frame of its creation stack; NULL when none */
};

/* The name every view gives the thread row T of the threads table: the
 * main thread of its process is "main"; another thread is the name the
 * program gave it, else its start routine as "worker()", else ''. */
#define GCT_THREAD_NAME_SQL(T)                                             \
    "(CASE WHEN " T ".tid = " T ".pid AND " T ".goid IS NULL THEN 'main' " \
    "ELSE coalesce(" T ".name, " T ".start_routine || '()', '') END)"

/* Thread row T's waits, and the ns it spent blocked in them (an open
 * wait until END, an SQL expression): those written out, and the short
 * ones counted in wait_sites (common/schema.sql), whose time covers the
 * ended lock and condvar waits written out too. */
#define GCT_THREAD_WAITS_SQL(T)                                            \
    "((SELECT count(*) FROM waits w WHERE w.thread_id = " T ".id) + "      \
    "(SELECT coalesce(sum(s.counted), 0) FROM wait_sites s "               \
    "WHERE s.thread_id = " T ".id))"
#define GCT_THREAD_BLOCKED_SQL(T, END)                                     \
    "((SELECT coalesce(sum(coalesce(w.end_ns, " END ") - w.begin_ns), 0) " \
    "FROM waits w WHERE w.thread_id = " T ".id AND (w.end_ns IS NULL OR "  \
    "w.reason NOT IN (SELECT reason FROM wait_reasons "                    \
    "WHERE ends_holding))) + "                                             \
    "(SELECT coalesce(sum(s.wait_ns_total), 0) FROM wait_sites s "         \
    "WHERE s.thread_id = " T ".id))"

/* Severity 0: information, not counted in exit statuses (a finding that
 * only system libraries' code is part of; docs/leaks.md). */
#define GCT_SEVERITY_INFO 0

struct gct_finding {
    char *kind;
    char *subkind; /* NULL when none */
    int severity;  /* 3 deadlock, 2 bug, 1 hygiene, 0 information */
    bool system;   /* only system libraries' code is part of it */
    char *message;
    /* The message without what changes from run to run (addresses, thread
     * and goroutine ids, pids, times), built from the same parts: what
     * SARIF shows, so that code scanning sees one text per bug. */
    char *stable_message;
    int64_t ts;
    struct gct_ref *threads, *objects;
    size_t nthreads, nobjects;
    struct gct_stack *stacks;
    size_t nstacks;
};

struct gct_findings {
    struct gct_finding *v;
    size_t n, cap;
};

/* The index of the frame to show a user: past libgoc's API frames, the
 * first with a source line outside /usr (n when none has a line). */
size_t gct_user_frame(const struct gct_frame *fr, size_t n);
/* Whether frame i of fr[0..n) is libgoc's own code: its API functions
 * (goc_...) and internals (goc__...), and the library's frames inside
 * the API call the program made.  The text report leaves them out; JSON
 * keeps them, flagged. */
bool gct_frame_internal(const struct gct_frame *fr, size_t n, size_t i);

/* Runs every analysis over db.  Returns 0, or -1 with a message in err. */
int gct_analyze(sqlite3 *db, struct gct_findings *out, char *err,
                size_t errlen);
void gct_findings_free(struct gct_findings *f);
/* The findings that count towards exit statuses (severity above
 * GCT_SEVERITY_INFO). */
size_t gct_findings_counted(const struct gct_findings *f);

/* Suppressions: lines "kind:pattern" ('#' comments); pattern is an
 * fnmatch glob matched against every function and file name in a
 * finding's stacks; kind may be '*'.  Returns -1 with a message in err
 * for an unreadable file or a malformed line. */
struct gct_suppressions;
struct gct_suppressions *gct_suppressions_load(const char *path, char *err,
                                               size_t errlen);
struct gct_suppressions *gct_suppressions_parse(const char *text, char *err,
                                                size_t errlen);
bool gct_suppressed(const struct gct_suppressions *s,
                    const struct gct_finding *f);
/* Removes suppressed findings; returns how many. */
size_t gct_suppress(const struct gct_suppressions *s, struct gct_findings *f);
void gct_suppressions_free(struct gct_suppressions *s);

/* Writers.  json: {"findings": [...]}; sarif: SARIF 2.1.0; text: one
 * sanitizer-style block per finding (information findings in full when
 * info is set, else counted in one line). */
void gct_findings_json(FILE *out, const struct gct_findings *f,
                       const char *trace);
/* srcroot: where artifact URIs are relative to (%SRCROOT%); NULL: the git
 * work tree around the current directory, else the current directory. */
void gct_findings_sarif(FILE *out, const struct gct_findings *f,
                        const char *srcroot);
/* A finding's identity across runs and machines: a hash of its kind,
 * subkind, the functions and files of its user frames and the names its
 * objects were given; never addresses, thread ids or lines.  16 hex
 * digits and a NUL. */
void gct_finding_fingerprint(const struct gct_finding *f, char out[17]);
void gct_findings_text(FILE *out, const struct gct_findings *f, bool info);
/* One finding as a JSON object (for the findings table). */
char *gct_finding_json(const struct gct_finding *f);

/* Stores findings in the trace's findings tables. */
int gct_findings_store(sqlite3 *db, const struct gct_findings *f);

#endif
