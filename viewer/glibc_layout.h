/*
 * glibc_layout.h - where glibc keeps what attach reads in a process's
 * pthread objects: the futex word a blocked thread sleeps on, and the
 * owner a mutex names.
 *
 * These are glibc's private fields.  The headers gctrace was built with
 * give most of them; gctrace then checks them against the glibc it runs
 * with, by blocking threads of its own on a mutex, a condition variable
 * and a join, and reading from /proc which futex each sleeps on.  A
 * process that runs the same C library (the same build id) has the same
 * layout; for any other, the layout is assumed, and attach says so.
 */
#ifndef GCT_GLIBC_LAYOUT_H
#define GCT_GLIBC_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

struct gct_glibc_layout {
    size_t mutex_futex;   /* pthread_mutex_t: the lock word */
    size_t mutex_owner;   /* pthread_mutex_t: the owner's tid */
    size_t cond_futex;    /* pthread_cond_t: group 0's futex (group 1's
                             is the next word) */
    size_t join_futex;    /* struct pthread: the tid a join waits on */
    size_t rw_wrphase;    /* pthread_rwlock_t: the futex readers wait on */
    size_t rw_writers;    /* pthread_rwlock_t: the futex writers wait on */
    size_t rw_writer;     /* pthread_rwlock_t: the writer's tid */
    bool checked;         /* the first four were measured, here */
    char why[160];        /* when not checked: why */
};

/* The layout of the glibc gctrace runs with, measured once. */
const struct gct_glibc_layout *gct_glibc_layout(void);

#endif
