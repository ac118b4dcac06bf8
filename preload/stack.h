/*
 * stack.h - capturing and interning stacks (stack.c, intern.c).
 */
#ifndef GCT_STACK_H
#define GCT_STACK_H

#include "thread.h"

/* ---------------------------------------------------------------- intern.c */

/* A slot of a set: key 0 is empty; id is the caller's. */
struct gct_slot {
    _Atomic uint64_t key;
    _Atomic uint32_t id;
};

#define GCT_INTERN_FIRST 256 /* slots of the first level: one page */
#define GCT_INTERN_MID 8192  /* of the second: 32 pages */

/* A set of keys in three levels (intern.c): first has GCT_INTERN_FIRST
 * slots, mid GCT_INTERN_MID, rest rest_size (a power of two). */
struct gct_intern {
    struct gct_slot *first;
    struct gct_slot *mid;
    struct gct_slot *rest;
    size_t rest_size;
};

/* Finds key's slot or claims one for it (*fresh: claimed by this call).
 * NULL when every level is full where key would go. */
struct gct_slot *gct_intern(const struct gct_intern *set, uint64_t key,
                            bool *fresh);

/* key's slot, or NULL when key was never claimed. */
struct gct_slot *gct_intern_find(const struct gct_intern *set, uint64_t key);

/* ---------------------------------------------------------------- stack.c */

/* Tells the unwinder where the shim's own code is, and libunwind's
 * (init). */
void gct_stack_init(uintptr_t lo, uintptr_t hi, uintptr_t unw_lo,
                    uintptr_t unw_hi);

/* Whether site is inside libunwind: the program (or a sanitizer) is
 * unwinding, and libunwind takes pthread locks of its own, which may be
 * held at this moment.  Capturing a stack there would unwind from inside
 * libunwind and wait forever for its lock: such calls are not recorded
 * with stacks (no lock-order edges, no first use, no stack for a wait). */
bool gct_in_unwinder(uintptr_t site);

/* Whether pc is in the shim's own code. */
bool gct_in_shim(uintptr_t pc);

/* Captures the calling stack (skipping the shim's own frames), interns it
 * and returns its id (0 when it cannot).  Writes a GCT_REC_STACK record the
 * first time a stack is seen. */
uint32_t gct_capture_stack(struct gct_thread *t);

/* Like gct_capture_stack, but only the innermost depth frames of the program. */
uint32_t gct_stack_top(struct gct_thread *t, int depth);

/* gct_capture_stack for a call made from `site`, the interposed function's return
 * address: 0 when site is inside libunwind (gct_in_unwinder).  Each call
 * gets its own stack: one site is many call paths when the call is in a
 * wrapper (stack.c). */
uint32_t gct_stack_by_site(struct gct_thread *t, uintptr_t site);

#endif /* GCT_STACK_H */
