/*
 * finish_vocab.c - the words the finishing step gives event.h's numbers
 * (finish_vocab.h), moved here unchanged from the finishing step.
 */
#include "finish_vocab.h"

#include "event.h"

const char *
obj_kind_name(int64_t type)
{
    switch (type) {
    case GCT_OBJ_MUTEX: return "mutex";
    case GCT_OBJ_RWLOCK: return "rwlock";
    case GCT_OBJ_COND: return "cond";
    case GCT_OBJ_SEM: return "sem";
    case GCT_OBJ_BARRIER: return "barrier";
    case GCT_OBJ_CHAN: return "chan";
    case GCT_OBJ_CTX: return "ctx";
    case GCT_OBJ_WAITGROUP: return "waitgroup";
    case GCT_OBJ_THREAD: return "thread";
    }
    return NULL;
}

/* What a wait with this reason waits on. */
const char *
reason_object_kind(int64_t reason)
{
    switch (reason) {
    case GCT_WAIT_MUTEX: return "mutex";
    case GCT_WAIT_RWLOCK_RD:
    case GCT_WAIT_RWLOCK_WR: return "rwlock";
    case GCT_WAIT_COND: return "cond";
    case GCT_WAIT_JOIN: return "thread";
    case GCT_WAIT_SEM: return "sem";
    case GCT_WAIT_BARRIER: return "barrier";
    case GCT_WAIT_CHAN_SEND:
    case GCT_WAIT_CHAN_RECV: return "chan";
    case GCT_WAIT_WAITGROUP: return "waitgroup";
    case GCT_WAIT_ONCE: return "once";
    case GCT_WAIT_CTX: return "ctx";
    case GCT_WAIT_WSEMA: return "semaphore";
    case GCT_WAIT_ERRGROUP:
    case GCT_WAIT_ERRGROUP_LIMIT: return "errgroup";
    case GCT_WAIT_LIMITER: return "limiter";
    }
    return NULL; /* sleep, select: no single object */
}

const char *
ctx_kind_name(int64_t k)
{
    switch (k) {
    case GCT_CTX_CANCEL: return "cancel";
    case GCT_CTX_DEADLINE: return "deadline";
    case GCT_CTX_VALUE: return "value";
    case GCT_CTX_SIGNAL: return "signal";
    case GCT_CTX_GROUP: return "group";
    }
    return "unknown";
}

const struct gct_kind_name gct_event_kind_names[] = {
    {GCT_EV_PROC_START, "proc_start"}, {GCT_EV_PROC_EXIT, "proc_exit"},
    {GCT_EV_FORK, "fork"}, {GCT_EV_SIGNALS, "signals"},
    {GCT_EV_THREAD_CREATE, "thread_create"},
    {GCT_EV_THREAD_START, "thread_start"},
    {GCT_EV_THREAD_EXIT, "thread_exit"},
    {GCT_EV_THREAD_JOIN, "thread_join"},
    {GCT_EV_THREAD_DETACH, "thread_detach"},
    {GCT_EV_THREAD_NAME, "thread_name"}, {GCT_EV_LOCK_INIT, "lock_init"},
    {GCT_EV_LOCK_ACQUIRE, "lock_acquire"},
    {GCT_EV_LOCK_RELEASE, "lock_release"},
    {GCT_EV_LOCK_DESTROY, "lock_destroy"},
    {GCT_EV_LOCK_EDGE, "lock_edge"},
    {GCT_EV_LOCK_FIRST_USE, "lock_first_use"},
    {GCT_EV_LOCK_HELD, "lock_held"},
    {GCT_EV_MEM_GONE, "mem_gone"}, {GCT_EV_WAIT_BEGIN, "wait_begin"},
    {GCT_EV_WAIT_END, "wait_end"}, {GCT_EV_COND_SIGNAL, "cond_signal"},
    {GCT_EV_COND_BROADCAST, "cond_broadcast"},
    {GCT_EV_SEM_POST, "sem_post"}, {GCT_EV_CHAN_MAKE, "chan_make"},
    {GCT_EV_CHAN_SEND, "chan_send"}, {GCT_EV_CHAN_RECV, "chan_recv"},
    {GCT_EV_CHAN_CLOSE, "chan_close"}, {GCT_EV_CHAN_FREE, "chan_free"},
    {GCT_EV_SELECT_CASE, "select_case"}, {GCT_EV_CTX_MAKE, "ctx_make"},
    {GCT_EV_CTX_CANCEL, "ctx_cancel"}, {GCT_EV_CTX_FREE, "ctx_free"},
    {GCT_EV_WG_ADD, "wg_add"}, {GCT_EV_GO_START, "go_start"},
    {GCT_EV_GO_EXIT, "go_exit"}, {GCT_EV_MISUSE, "misuse"},
    {GCT_EV_TIMER_ARM, "timer_arm"}, {GCT_EV_TIMER_DISARM, "timer_disarm"},
};
const size_t gct_nevent_kind_names =
    sizeof gct_event_kind_names / sizeof gct_event_kind_names[0];
