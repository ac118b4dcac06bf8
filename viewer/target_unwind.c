/*
 * target_unwind.c - stacks and function names of a target (target.h),
 * live or core, through libdw's unwinder: the same call for both, since
 * libdwfl reads a stopped process's registers and a core's alike.
 */
#include "target.h"

#include <string.h>

struct unwind_arg {
    struct gct_target_thread *th;
};

static int
frame_cb(Dwfl_Frame *state, void *arg)
{
    struct unwind_arg *u = arg;
    Dwarf_Addr pc;
    bool activation;

    if (!dwfl_frame_pc(state, &pc, &activation))
        return DWARF_CB_ABORT;
    /* Stacks hold return addresses, which the finishing step looks up
     * one byte back: the interrupted instruction itself (an activation)
     * is stored one byte on. */
    u->th->pcs[u->th->npcs++] = activation ? pc + 1 : pc;
    return u->th->npcs < GCT_TARGET_MAX_FRAMES ? DWARF_CB_OK
                                                : DWARF_CB_ABORT;
}

void
gct_target_unwind(struct gct_target *t)
{
    for (size_t i = 0; i < t->nthreads; i++) {
        struct unwind_arg u = {&t->threads[i]};
        t->threads[i].npcs = 0;
        /* A stack that stops early (no unwind information further
         * out) keeps the frames found. */
        dwfl_getthread_frames(t->dwfl, t->threads[i].tid, frame_cb, &u);
    }
}

const char *
gct_target_function(struct gct_target *t, uint64_t pc)
{
    uint64_t known = gct_map_get(&t->functions, pc, 0, 0);
    if (known)
        return (const char *)(uintptr_t)(known - 1);
    Dwfl_Module *m = t->dwfl ? dwfl_addrmodule(t->dwfl, pc) : NULL;
    const char *name = m ? dwfl_module_addrname(m, pc) : NULL;
    gct_map_put(&t->functions, pc, 0, (uint64_t)(uintptr_t)name + 1);
    return name;
}
