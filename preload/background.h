/*
 * background.h - what runs beside the program: the finishing step (finisher.c),
 * the deadlock watchdog and the shim's background thread (watchdog.c),
 * and its prefaulting of log windows (prefault.c).
 */
#ifndef GCT_BACKGROUND_H
#define GCT_BACKGROUND_H

#include "thread.h"

/* ---------------------------------------------------------------- finisher.c */

/* The watchdog's snapshot: runs the finishing step on the trace so far
 * and waits for it.  Its exit status (1: something was found), or -1
 * when it could not run or the process has begun to exit. */
int gct_take_snapshot(void);

/* A process's exit (the root's before it marks the log exited): waits
 * for its watchdog's snapshots in progress (bounded), and none starts
 * after. */
void gct_snapshots_end(void);

/* The root process's exit: the finishing step, started now.  Status as
 * gct_take_snapshot's. */
int gct_finish_at_exit(void);

/* In a fork's child: no snapshot of its is in progress. */
void gct_finisher_after_fork(void);

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

#endif /* GCT_BACKGROUND_H */
