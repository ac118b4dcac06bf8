/*
 * replay_objects.c - the replay of libgoc's objects (finish_model.h):
 * channels, select cases, contexts, WaitGroups and timers.
 *
 * Invariants: a select's cases are kept on its thread until its wait
 * (replay_locks.c, on_wait_begin) takes them; a context's done channel
 * is made just before the context, and is bound to it (its parent) by
 * the context's make.
 */
#include "finish_model.h"


#include <stdlib.h>
#include <string.h>

/* a = elem size, b = capacity, the payload its name */
static void
on_chan_make(struct gct_model *m, struct gct_replay *e)
{
    e->obj = gct_new_object(m, e->pid, e->r->obj, GCT_OBJ_CHAN, e->ts);
    struct object *o = gct_O(m, e->obj);
    o->elem = e->r->a;
    o->cap = e->r->b;
    o->name = gct_rec_payload_str(e->r);
    o->create_stack = e->r->stack;
    if (o->name && strcmp(o->name, GCT_CTX_DONE_NAME) == 0)
        gct_T(m, e->th)->done_chan = e->obj;
}

static void
on_chan_close(struct gct_model *m, struct gct_replay *e)
{
    e->obj = gct_object_of(m, e->pid, e->r->obj, GCT_OBJ_CHAN, e->ts);
    if (e->r->a == 0 && gct_O(m, e->obj)->closed < 0)
        gct_O(m, e->obj)->closed = e->ts;
}

static void
on_free(struct gct_model *m, struct gct_replay *e)
{
    e->obj = gct_object_of(m, e->pid, e->r->obj,
                           e->r->kind == GCT_EV_CHAN_FREE ? GCT_OBJ_CHAN : GCT_OBJ_CTX,
                           e->ts);
    gct_O(m, e->obj)->destroyed = e->ts;
    gct_map_put(&m->object_by_addr, (uint64_t)e->pid, e->r->obj, 0);
}

/* Sends, receives and timers: on a channel. */
static void
on_chan_use(struct gct_model *m, struct gct_replay *e)
{
    e->obj = gct_object_of(m, e->pid, e->r->obj, GCT_OBJ_CHAN, e->ts);
}

/* a = GOC_CASE_SEND (1) or RECV: kept for the select's wait. */
static void
on_select_case(struct gct_model *m, struct gct_replay *e)
{
    struct thread *t = gct_T(m, e->th);
    if (t->ncases == t->capcases) {
        t->capcases = t->capcases ? t->capcases * 2 : 8;
        t->cases = gct_xrealloc(t->cases, t->capcases * sizeof *t->cases);
        t->case_ops = gct_xrealloc(t->case_ops,
                                   t->capcases * sizeof *t->case_ops);
    }
    t->case_ops[t->ncases] = (int)e->r->a;
    t->cases[t->ncases++] = e->r->obj;
    e->obj = gct_object_of(m, e->pid, e->r->obj, GCT_OBJ_CHAN, e->ts);
}

/* a = the parent context, b = its kind */
static void
on_ctx_make(struct gct_model *m, struct gct_replay *e)
{
    struct thread *t = gct_T(m, e->th);
    e->obj = gct_new_object(m, e->pid, e->r->obj, GCT_OBJ_CTX, e->ts);
    struct object *o = gct_O(m, e->obj);
    o->parent = e->r->a ? (int64_t)gct_map_get(&m->object_by_addr,
                                               (uint64_t)e->pid,
                                               (uint64_t)e->r->a, 0)
                        : 0;
    o->ctx_kind = gct_ctx_kind_name(e->r->b);
    o->create_stack = e->r->stack;
    if (t->done_chan) { /* its done channel: its parent_id names it */
        gct_O(m, t->done_chan)->parent = e->obj;
        t->done_chan = 0;
    }
}

/* b = the cause, the payload how; the first cancel counts */
static void
on_ctx_cancel(struct gct_model *m, struct gct_replay *e)
{
    e->obj = gct_object_of(m, e->pid, e->r->obj, GCT_OBJ_CTX, e->ts);
    struct object *o = gct_O(m, e->obj);
    if (o->cancel_ns < 0) {
        o->cancel_ns = e->ts;
        o->cancel_cause = e->r->b;
    }
    if (o->cancel_how == NULL)
        o->cancel_how = gct_rec_payload_str(e->r);
}

static void
on_wg_add(struct gct_model *m, struct gct_replay *e)
{
    e->obj = gct_object_of(m, e->pid, e->r->obj, GCT_OBJ_WAITGROUP, e->ts);
}

const struct gct_replay_entry gct_replay_objects[] = {
    {.kind = GCT_EV_CHAN_MAKE, .fn = on_chan_make, .text = true},
    {.kind = GCT_EV_CHAN_CLOSE, .fn = on_chan_close},
    {.kind = GCT_EV_CHAN_FREE, .fn = on_free},
    {.kind = GCT_EV_CTX_FREE, .fn = on_free},
    {.kind = GCT_EV_CHAN_SEND, .fn = on_chan_use},
    {.kind = GCT_EV_CHAN_RECV, .fn = on_chan_use},
    {.kind = GCT_EV_TIMER_ARM, .fn = on_chan_use},
    {.kind = GCT_EV_TIMER_DISARM, .fn = on_chan_use},
    {.kind = GCT_EV_SELECT_CASE, .fn = on_select_case},
    {.kind = GCT_EV_CTX_MAKE, .fn = on_ctx_make},
    {.kind = GCT_EV_CTX_CANCEL, .fn = on_ctx_cancel, .text = true},
    {.kind = GCT_EV_WG_ADD, .fn = on_wg_add},
    {0},
};
