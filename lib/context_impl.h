/*
 * context_impl.h - the context node, shared by lib/context.c (the tree and
 * its cancellation), lib/errgroup.c (the group's context) and
 * lib/signal_ctx.c (contexts cancelled by a signal), and nothing else.
 *
 * The tree.  Every node points to its parent (NULL under background) and
 * holds one reference on it, so a parent freed before its children stays
 * in memory until the last of them goes.  Cancellable nodes (cancel,
 * deadline, signal, group) own a done channel and a list of their
 * registered children: the nearest cancellable descendants, which a value
 * node in between does not hide.  Value nodes are never cancelled
 * themselves: their done channel, err and cause are those of their
 * `canceller`, the nearest cancellable node above them (NULL up to
 * background).
 *
 * Locking.  No thread ever holds two context locks at once: a node's lock
 * guards its own children list, its registered children's links (linked,
 * sib_prev, sib_next) and its own transition to done (the close of the
 * done channel included: lock order context, then channel).  Cancelling
 * moves the children out of the list under the lock, with a reference
 * each, and cancels them after unlocking, from a worklist (no recursion,
 * so a deep tree cannot overflow a 64 KiB goroutine stack).
 */
#ifndef GOC_CONTEXT_IMPL_H
#define GOC_CONTEXT_IMPL_H

#include "goc_impl.h"

struct goc_ctx {
    goc_ctx *parent;      /* immutable; referenced; NULL under background */
    goc_ctx *canceller;   /* immutable; this node when cancellable, else the
                             nearest cancellable ancestor, or NULL */
    goc_ctx *reg;         /* immutable; cancellable nodes: the node whose
                             children list this one joins (NULL: none) */
    int kind;             /* immutable; gct_ctx_kind, 0 for background */
    bool group_owned;     /* immutable; freed by goc_group_free only */
    goc_time deadline;    /* immutable; effective (own or inherited) */
    const void *key;      /* immutable; value nodes */
    void *val;            /* immutable; value nodes */
    goc_chan *done;       /* immutable; cancellable nodes; closed when done */
    void (*on_free)(goc_ctx *); /* immutable after make; run by free */
    void *ext;            /* immutable after make; for on_free's owner */

    _Atomic long refs;    /* creator's handle + one per child node */
    goc__lock lock;       /* see above */
    _Atomic int err;      /* 0 until done; written once, under lock */
    _Atomic int cause;    /* written once, under lock, before err */
    _Atomic int signo;    /* signal contexts: written once, before err */
    _Atomic uint32_t done_word; /* futex for goc_ctx_wait: 1 once done */
    _Atomic bool explicit_seen; /* the program called cancel on it */
    _Atomic(goc__timer *) timer; /* deadline timer; claimed by exchange */

    goc_ctx *children;    /* lock: registered children */
    goc_ctx *sib_prev, *sib_next; /* reg's lock: links in reg's list */
    bool linked;          /* reg's lock: in reg's children list */
    goc_ctx *work_next;   /* owned by the canceller that unlinked it */
};

/* Makes a cancellable child of parent (kind: GCT_CTX_CANCEL, _DEADLINE,
 * _SIGNAL or _GROUP) with deadline (GOC_FOREVER: none of its own).
 * Returns 0, GOC_EINVAL, GOC_ENOMEM. */
GOC_HIDDEN int goc__ctx_make(goc_ctx **out, goc_ctx *parent, int kind,
                             goc_time deadline);

/* Makes ctx and its descendants done, unless it is already: err, cause and
 * signo (0: none) are recorded, reason ("explicit", "parent", "deadline",
 * "free", "signal") goes to the tracer.  Returns true when this call made
 * ctx done.  Never blocks (timers are left alone). */
GOC_HIDDEN bool goc__ctx_cancel(goc_ctx *ctx, int err, int cause,
                                const char *reason, int signo);

/* goc_ctx_free without the group-owned check: for the group's own use. */
GOC_HIDDEN void goc__ctx_free(goc_ctx *ctx);

#endif /* GOC_CONTEXT_IMPL_H */
