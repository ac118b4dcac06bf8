/*
 * shim.h - the private interface of libgctrace.so, as one include: the
 * headers below each own one job (real.h the originals, thread.h the
 * per-thread state and the guard, log.h the recorder and its raw log,
 * stack.h stacks, glibc_private.h glibc's private fields, locks.h lock
 * tracking and waits, background.h the finisher and the watchdog).  The
 * interposers of locks add acquire.h, the one shape of a blocking
 * acquisition.  init.c starts and stops the recorder, and the
 * intercept_*.c files are the interposed functions.
 *
 * The one rule everywhere: the shim never changes what the program sees.
 * Every interposed function returns exactly what the original returned,
 * with errno as the original left it, and does its own work under the
 * thread's recursion guard so that locks taken by the shim (or by libc on
 * its behalf) are never recorded.
 */
#ifndef GCT_SHIM_H
#define GCT_SHIM_H

/* The interface, by job; the .c files include it all. */
#include "real.h"          /* the originals, RESOLVED, SITE */
#include "thread.h"        /* thread state, gct_enter/gct_leave, gct_misuse */
#include "log.h"           /* the recorder, records, clock */
#include "stack.h"         /* stacks */
#include "glibc_private.h" /* glibc's private fields */
#include "locks.h"         /* lock tracking, waits */
#include "background.h"    /* finisher, watchdog, prefault */

#endif /* GCT_SHIM_H */
