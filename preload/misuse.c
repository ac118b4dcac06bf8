/*
 * misuse.c - recording API misuse: the one function every check calls
 * (gct_misuse), and the checks shared by several kinds of object.
 *
 * A misuse is a record of its own (GCT_EV_MISUSE) with the stack of the
 * call that misused the object; the analyses turn each into a finding.
 * Checks run on the failing or rare paths only, never on an uncontended
 * lock or unlock.
 */
#include "shim.h"

void
gct_misuse(struct gct_thread *t, int subkind, const void *obj, int64_t detail)
{
    struct gct_enter e = gct_enter(t);
    gct_emit(t, GCT_EV_MISUSE, gct_capture_stack(t), (uint64_t)(uintptr_t)obj,
             subkind, detail, NULL, 0);
    gct_leave(&e);
}

void
gct_check_deadline(struct gct_thread *t, const void *obj, int type,
                   const struct timespec *ts)
{
    if (ts == NULL || gct_deadline_valid(ts))
        return;
    gct_misuse(t, GCT_MISUSE_BAD_DEADLINE, obj, type); /* a gct_obj */
}
