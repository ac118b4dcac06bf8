/*
 * wait_graph.c - deadlocked cycles of the wait-for graph (wait_graph.h).
 */
#include "wait_graph.h"

#include "map.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void
gct_wait_graph_init(struct gct_wait_graph *g, size_t n)
{
    memset(g, 0, sizeof *g);
    g->nnodes = n;
    g->ngroups = gct_xcalloc(n ? n : 1, sizeof *g->ngroups);
    for (size_t i = 0; i < n; i++)
        g->ngroups[i] = 1;
    g->comp = gct_xcalloc(n ? n : 1, sizeof *g->comp);
}

void
gct_wait_edge_add(struct gct_wait_graph *g, size_t from, size_t to,
                  uint32_t group)
{
    if (from == to)
        return; /* a thread never ends its own wait */
    struct gct_wait_edge e = {from, to, group};
    GCT_PUSH(g->edges, g->nedges, g->capedges, e);
}

static int
by_from(const void *x, const void *y)
{
    const struct gct_wait_edge *a = x, *b = y;
    return (a->from > b->from) - (a->from < b->from);
}

/* Tarjan's strongly connected components over the live nodes,
 * iterative (a run may leave thousands of goroutines blocked). */
static void
components(const struct gct_wait_graph *g, const size_t *first,
           const bool *live, size_t *comp)
{
    size_t n = g->nnodes, counter = 0, ncomp = 0, sp = 0, cs = 0;
    size_t *index = gct_xmalloc(n * sizeof *index);
    size_t *low = gct_xmalloc(n * sizeof *low);
    size_t *stack = gct_xmalloc(n * sizeof *stack);
    size_t *call = gct_xmalloc(n * sizeof *call); /* node of each frame */
    size_t *next = gct_xmalloc(n * sizeof *next); /* its next edge */
    bool *on = gct_xcalloc(n, sizeof *on);

    for (size_t i = 0; i < n; i++) {
        index[i] = SIZE_MAX;
        comp[i] = SIZE_MAX;
    }
    for (size_t root = 0; root < n; root++) {
        if (!live[root] || index[root] != SIZE_MAX)
            continue;
        call[cs++] = root;
        next[root] = first[root];
        index[root] = low[root] = counter++;
        stack[sp++] = root;
        on[root] = true;
        while (cs) {
            size_t v = call[cs - 1];
            if (next[v] < first[v + 1]) {
                size_t w = g->edges[next[v]++].to;
                if (!live[w])
                    continue;
                if (index[w] == SIZE_MAX) {
                    index[w] = low[w] = counter++;
                    next[w] = first[w];
                    stack[sp++] = w;
                    on[w] = true;
                    call[cs++] = w;
                } else if (on[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            cs--;
            if (cs && low[v] < low[call[cs - 1]])
                low[call[cs - 1]] = low[v];
            if (low[v] == index[v]) {
                size_t w;
                do {
                    w = stack[--sp];
                    on[w] = false;
                    comp[w] = ncomp;
                } while (w != v);
                ncomp++;
            }
        }
    }
    free(index);
    free(low);
    free(stack);
    free(call);
    free(next);
    free(on);
}

void
gct_wait_cycles(struct gct_wait_graph *g)
{
    size_t n = g->nnodes;
    if (n == 0)
        return;
    if (g->nedges)
        qsort(g->edges, g->nedges, sizeof *g->edges, by_from);
    size_t *first = gct_xcalloc(n + 1, sizeof *first);
    for (size_t i = 0; i < g->nedges; i++)
        first[g->edges[i].from + 1]++;
    for (size_t i = 0; i < n; i++)
        first[i + 1] += first[i];
    bool *live = gct_xmalloc(n * sizeof *live);
    for (size_t i = 0; i < n; i++)
        live[i] = g->ngroups[i] > 0;
    size_t *size = gct_xmalloc(n * sizeof *size);
    bool *blocked = NULL;
    size_t capblocked = 0;
    for (bool changed = true; changed;) {
        changed = false;
        components(g, first, live, g->comp);
        memset(size, 0, n * sizeof *size);
        for (size_t i = 0; i < n; i++)
            if (g->comp[i] != SIZE_MAX)
                size[g->comp[i]]++;
        for (size_t v = 0; v < n; v++) {
            if (!live[v])
                continue;
            if (size[g->comp[v]] < 2) {
                live[v] = false; /* in no cycle, and never will be */
                continue;
            }
            /* every way out must lead back into the component */
            if (g->ngroups[v] > capblocked) {
                capblocked = g->ngroups[v];
                blocked = gct_xrealloc(blocked, capblocked * sizeof *blocked);
            }
            memset(blocked, 0, g->ngroups[v] * sizeof *blocked);
            for (size_t e = first[v]; e < first[v + 1]; e++) {
                const struct gct_wait_edge *x = &g->edges[e];
                if (live[x->to] && g->comp[x->to] == g->comp[v] &&
                    x->group < g->ngroups[v])
                    blocked[x->group] = true;
            }
            for (uint32_t k = 0; k < g->ngroups[v]; k++)
                if (!blocked[k]) {
                    live[v] = false;
                    changed = true;
                    break;
                }
        }
    }
    for (size_t i = 0; i < n; i++)
        if (!live[i])
            g->comp[i] = SIZE_MAX;
    free(blocked);
    free(size);
    free(live);
    free(first);
}

size_t
gct_wait_cycle_path(const struct gct_wait_graph *g, size_t start,
                    size_t *path)
{
    size_t n = g->nnodes, k = g->comp[start];
    if (k == SIZE_MAX)
        return 0;
    /* breadth-first from start's targets back to start; the edges are
     * sorted by node (gct_wait_cycles) */
    size_t *from = gct_xmalloc(n * sizeof *from);
    size_t *queue = gct_xmalloc(n * sizeof *queue);
    size_t qh = 0, qt = 0, len = 0;
    for (size_t i = 0; i < n; i++)
        from[i] = SIZE_MAX;
    from[start] = start;
    queue[qt++] = start;
    size_t *first = gct_xcalloc(n + 1, sizeof *first);
    for (size_t i = 0; i < g->nedges; i++)
        first[g->edges[i].from + 1]++;
    for (size_t i = 0; i < n; i++)
        first[i + 1] += first[i];
    bool found = false;
    while (qh < qt && !found) {
        size_t v = queue[qh++];
        for (size_t e = first[v]; e < first[v + 1] && !found; e++) {
            const struct gct_wait_edge *x = &g->edges[e];
            if (g->comp[x->to] != k)
                continue;
            if (x->to == start) {
                found = true;
                /* walk back from v to start */
                for (size_t w = v; w != start; w = from[w])
                    path[len++] = w;
                path[len++] = start;
            } else if (from[x->to] == SIZE_MAX) {
                from[x->to] = v;
                queue[qt++] = x->to;
            }
        }
    }
    /* reverse: start first, in the direction of waiting */
    for (size_t i = 0; i < len / 2; i++) {
        size_t t = path[i];
        path[i] = path[len - 1 - i];
        path[len - 1 - i] = t;
    }
    free(first);
    free(from);
    free(queue);
    return len;
}

void
gct_wait_graph_free(struct gct_wait_graph *g)
{
    free(g->ngroups);
    free(g->edges);
    free(g->comp);
    memset(g, 0, sizeof *g);
}
