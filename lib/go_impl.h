/*
 * go_impl.h - private interface between lib/go.c and the files that start
 * goroutines on behalf of a WaitGroup (lib/waitgroup.c).
 */
#ifndef GOC_GO_IMPL_H
#define GOC_GO_IMPL_H

#include "goc_impl.h"

/*
 * goc_go_attr_start, and when wg is not NULL, goc_wg_done(wg) once fn has
 * returned (after the goroutine has left goc_count() and freed what it
 * allocated, so a Wait that returns sees both).  The caller has already
 * added 1 to wg; on failure (the goc_go errors) nothing is started and the
 * caller undoes its add.
 */
GOC_HIDDEN int goc__go_start(const goc_go_attr *attr, goc_waitgroup *wg,
                             goc_fn fn, void *arg);

#endif /* GOC_GO_IMPL_H */
