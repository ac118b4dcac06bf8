/*
 * wait_graph.h - the wait-for graph of threads blocked at the end of a
 * run, and the cycles in it that are deadlocks (common/analysis.c,
 * wait_cycles, builds it from the trace and reports them).
 *
 * A node is a blocked thread.  Its edges come in groups, one group per
 * way its wait can end: a lock wait, a channel operation, a WaitGroup
 * wait or a join has one group (the threads that could end it: the
 * lock's holder, the channel's partners, ...), a select has one group
 * per case.  A thread is deadlocked in a cycle only if every one of its
 * groups is blocked by that cycle: each has a target in the cycle's
 * strongly connected component.
 */
#ifndef GCT_WAIT_GRAPH_H
#define GCT_WAIT_GRAPH_H

#include <stddef.h>
#include <stdint.h>

struct gct_wait_edge {
    size_t from, to; /* node indexes */
    uint32_t group;  /* which of from's ways out */
};

struct gct_wait_graph {
    size_t nnodes;
    uint32_t *ngroups;          /* per node: its ways out; 0: it cannot
                                   be part of a cycle (a wait nobody
                                   known could end) */
    struct gct_wait_edge *edges;
    size_t nedges, capedges;
    /* results of gct_wait_cycles: per node, its component number (the
     * same for the nodes of one deadlocked cycle), or SIZE_MAX */
    size_t *comp;
};

/* A graph of n nodes, each with one group until set otherwise. */
void gct_wait_graph_init(struct gct_wait_graph *g, size_t n);
void gct_wait_edge_add(struct gct_wait_graph *g, size_t from, size_t to,
                       uint32_t group);
/* Fills g->comp: the strongly connected components of two or more
 * nodes in which every node has every group blocked inside its
 * component, found by removing the nodes that do not until none is
 * left to remove. */
void gct_wait_cycles(struct gct_wait_graph *g);
/* A cycle through node start within its component, as node indexes in
 * order into path (room for g->nnodes); returns its length, 0 if none. */
size_t gct_wait_cycle_path(const struct gct_wait_graph *g, size_t start,
                           size_t *path);
void gct_wait_graph_free(struct gct_wait_graph *g);

#endif
