/*
 * finish_vocab.h - the words the finishing step gives event.h's numbers:
 * object kinds, what a wait reason waits on, context kinds, event kind
 * names.  Kept together, as hand-written tables, so that they can be
 * generated from event.h's own lists in one change.
 */
#ifndef GCT_FINISH_VOCAB_H
#define GCT_FINISH_VOCAB_H

#include <stddef.h>
#include <stdint.h>

/* An object type's kind (GCT_OBJ_*), NULL when unknown. */
const char *obj_kind_name(int64_t type);
/* The kind of object a wait with this reason waits on; NULL for sleep
 * and select, which wait on no single object. */
const char *reason_object_kind(int64_t reason);
/* A context kind's name (GCT_CTX_*), "unknown" when not one. */
const char *ctx_kind_name(int64_t k);

/* The event kinds' names (the event_kinds table). */
struct gct_kind_name {
    int kind;
    const char *name;
};
extern const struct gct_kind_name gct_event_kind_names[];
extern const size_t gct_nevent_kind_names;

#endif
