/*
 * registry.c - what each of libgoc's threads waits on, for readers
 * outside the process (common/goc_registry.h says why and how).
 */
#include "goc_impl.h"

#include "goc_registry.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Exported, and kept by the linker, so that a reader finds it by name in
 * a stripped program too. */
__attribute__((visibility("default"), used)) struct goc_registry
    goc_registry = {
        .magic = GOC_REGISTRY_MAGIC,
        .version = GOC_REGISTRY_VERSION,
        .entry_size = sizeof(struct goc_registry_entry),
};

static _Thread_local struct goc_registry_entry *mine;
static pthread_key_t exit_key;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;

/* At the thread's exit: its entry is free for the next thread. */
static void
release(void *arg)
{
    struct goc_registry_entry *e = arg;
    atomic_store_explicit(&e->reason, 0, memory_order_relaxed);
    GOC_HB_BEFORE(&e->tid); /* the next thread to take it writes it */
    atomic_store_explicit(&e->tid, 0, memory_order_release);
}

static void
make_key(void)
{
    pthread_key_create(&exit_key, release);
    GOC_HB_BEFORE(&exit_once); /* Helgrind sees no order in pthread_once */
}

/* The calling thread's entry, taken or made at its first wait; NULL when
 * memory is exhausted (the wait then goes unlisted). */
static struct goc_registry_entry *
entry(void)
{
    if (mine)
        return mine;
    int32_t tid = (int32_t)syscall(SYS_gettid);
    struct goc_registry_entry *e;
    e = atomic_load_explicit(&goc_registry.head, memory_order_acquire);
    GOC_HB_AFTER(&goc_registry.head); /* the entries' links */
    for (; e; e = e->next) {
        int32_t free_tid = 0;
        if (atomic_compare_exchange_strong(&e->tid, &free_tid, tid)) {
            GOC_HB_AFTER(&e->tid); /* after its last thread's release */
            break;
        }
    }
    if (e == NULL) {
        e = calloc(1, sizeof *e);
        if (e == NULL)
            return NULL;
        atomic_store_explicit(&e->tid, tid, memory_order_relaxed);
        struct goc_registry_entry *head =
            atomic_load_explicit(&goc_registry.head, memory_order_relaxed);
        for (;;) {
            e->next = head;
            GOC_HB_BEFORE(&goc_registry.head);
            if (atomic_compare_exchange_weak_explicit(
                    &goc_registry.head, &head, e, memory_order_release,
                    memory_order_relaxed))
                break;
        }
    }
    pthread_once(&exit_once, make_key);
    GOC_HB_AFTER(&exit_once);
    pthread_setspecific(exit_key, e);
    mine = e;
    return e;
}

void
goc__registry_wait(int reason, const void *obj, goc_time deadline)
{
    struct goc_registry_entry *e = entry();
    if (e == NULL)
        return;
    e->obj = (uint64_t)(uintptr_t)obj;
    e->deadline = deadline;
    atomic_store_explicit(&e->reason, reason, memory_order_release);
}

void
goc__registry_done(void)
{
    if (mine)
        atomic_store_explicit(&mine->reason, 0, memory_order_relaxed);
}
