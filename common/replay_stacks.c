/*
 * replay_stacks.c - the replay of stacks and modules (finish_model.h):
 * each distinct return address is symbolised once, with its inlined
 * chain, into frames; each stack is written once, and its lock class
 * found.
 *
 * Invariants: modules are replayed before anything else, so that a
 * stack is symbolised against every module of the run; a frame id, once
 * written for a pc, is that pc's for the rest of the trace.
 */
#include "finish_model.h"
#include "phase_time.h"

#include "symbolize.h"
#include "trace_write.h"

#include <stdlib.h>
#include <string.h>

int64_t
gct_frame_of(struct gct_model *m, uint64_t pc)
{
    int64_t id = (int64_t)gct_map_get(&m->frame_by_pc, pc, 0, 0);
    if (id)
        return id;
    struct gct_sym_frame fr[16];
    int64_t t = gct_phase_on() ? gct_phase_now_ns() : 0;
    int n = m->sym ? gct_symbolize(m->sym, pc - 1, fr, 16) : 0;
    if (t) {
        m->sym_ns += gct_phase_now_ns() - t;
        m->sym_n++;
    }
    if (n == 0) {
        memset(fr, 0, sizeof fr[0]);
        fr[0].bias = -1;
        n = 1;
    }
    id = m->next_frame + 1;
    for (int i = 0; i < n; i++)
        gct_tw_frame(m->w, m->next_frame + 1 + i, pc, fr[i].module,
                     fr[i].function, fr[i].file, (int64_t)fr[i].line,
                     (int64_t)fr[i].inlined,
                     fr[i].bias < 0 ? (int64_t)-1
                                    : (int64_t)(pc - (uint64_t)fr[i].bias));
    m->next_frame += n;
    gct_map_put(&m->frame_by_pc, pc, 0, (uint64_t)id);
    /* remember how many frames the chain has, and whether it is the
     * recorder's own code (main's trampoline), which stacks leave out */
    gct_map_put(&m->frame_by_pc, pc, 1, (uint64_t)n);
    const char *mod = fr[0].module ? strrchr(fr[0].module, '/') : NULL;
    if (mod && strcmp(mod, "/libgctrace.so") == 0)
        gct_map_put(&m->frame_by_pc, pc, 2, 1);
    /* The source places of the pc's frames, the inlined ones with it,
     * one id for every copy of them (inlined code has one pc per copy):
     * what lock classes are made of.  A pc without a source line is a
     * place of its own: code without line tables would otherwise make
     * every such frame one place. */
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < n; i++) {
        for (const char *s = fr[i].function ? fr[i].function : ""; *s; s++)
            h = (h ^ (unsigned char)*s) * 1099511628211ull;
        for (const char *s = fr[i].file ? fr[i].file : ""; *s; s++)
            h = (h ^ (unsigned char)*s) * 1099511628211ull;
        h = (h ^ (uint64_t)(unsigned)fr[i].line) * 1099511628211ull;
    }
    uint64_t place = fr[0].line > 0
                         ? gct_map_get(&m->place_ids, h, (uint64_t)n, 0)
                         : (uint64_t)id;
    if (place == 0) {
        place = (uint64_t)id;
        gct_map_put(&m->place_ids, h, (uint64_t)n, place);
    }
    gct_map_put(&m->frame_by_pc, pc, 4, place);
    return id;
}

/*
 * The lock class of a creation stack: the first stack written with the
 * same source places, frame by frame, so that the copies of one call
 * path (inlined code, a stack recorded twice when the recorder's table
 * was full) make one class.  The whole stack and not its innermost
 * frame: every lock made through one helper (a lock_init() function, a
 * C++ mutex class, g_mutex_init) has the helper's frame on top, and a
 * class of all of them read a consistent order between unrelated locks
 * as a cycle.  Locks made in a loop, or by one constructor called from
 * one place, still share a class.
 */
static uint64_t
class_of_places(struct gct_model *m, uint64_t places, int64_t depth,
                uint64_t stack)
{
    uint64_t cls = gct_map_get(&m->class_by_places, places, (uint64_t)depth,
                               0);
    if (cls == 0) {
        cls = stack;
        gct_map_put(&m->class_by_places, places, (uint64_t)depth, cls);
    }
    return cls;
}

/* GCT_REC_STACK: obj = the stack id, a = its frame count, the payload its
 * return addresses.  Written once; the recorder's own frames left out. */
static void
on_stack(struct gct_model *m, struct gct_replay *e)
{
    const struct gct_rec *r = e->r;
    if (gct_map_get(&m->stack_seen, r->obj, 0, 0))
        return;
    gct_map_put(&m->stack_seen, r->obj, 0, UINT64_MAX);
    const uint64_t *pcs = (const uint64_t *)(r + 1);
    int64_t n = r->a;
    /* Compared by division: a corrupt count times 8 can wrap around. */
    if (n < 0 || (uint64_t)n > gct_rec_payload_len(r) / 8)
        n = (int64_t)(gct_rec_payload_len(r) / 8);
    int64_t idx = 0;
    uint64_t places = 0x9e3779b97f4a7c15ull;
    for (int64_t i = 0; i < n; i++) {
        int64_t first = gct_frame_of(m, pcs[i]);
        if (gct_map_get(&m->frame_by_pc, pcs[i], 2, 0))
            continue;
        int64_t count = (int64_t)gct_map_get(&m->frame_by_pc, pcs[i], 1, 1);
        places = (places ^ gct_map_get(&m->frame_by_pc, pcs[i], 4, 0)) *
                 0xff51afd7ed558ccdull;
        for (int64_t k = 0; k < count; k++)
            gct_tw_stack_frame(m->w, (int64_t)r->obj, idx++, first + k);
    }
    gct_tw_stack(m->w, (int64_t)r->obj, idx);
    if (idx > 0)
        gct_map_put(&m->stack_seen, r->obj, 0,
                    class_of_places(m, places, idx, r->obj));
}

/* GCT_REC_MODULE: obj = load bias, a and b its address range, the payload
 * its path. */
static void
on_module(struct gct_model *m, struct gct_replay *e)
{
    char *path = gct_rec_payload_str(e->r);
    if (path && m->sym)
        gct_symbolizer_add_module(m->sym, path, e->r->obj,
                                  (uint64_t)e->r->a, (uint64_t)e->r->b);
    free(path);
}

const struct gct_replay_entry gct_replay_stacks[] = {
    {.kind = GCT_REC_STACK, .fn = on_stack},
    {.kind = GCT_REC_MODULE, .fn = on_module},
    {0},
};
