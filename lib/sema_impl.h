/*
 * sema_impl.h - private interface of lib/sema.c, for its tests.
 */
#ifndef GOC_SEMA_IMPL_H
#define GOC_SEMA_IMPL_H

#include "goc_impl.h"

/* Threads queued in goc_sema_acquire now, so that tests can wait for "X is
 * blocked" instead of sleeping. */
GOC_HIDDEN size_t goc__sema_waiters(goc_sema *s);

#endif /* GOC_SEMA_IMPL_H */
