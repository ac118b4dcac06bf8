/*
 * prefault.c - bringing a thread's next log window into memory on the
 * shim's background thread (watchdog.c), not on the thread that records.
 *
 * Under a paravirtualised guest with shadow page tables, the first access
 * to each page of a fresh mapping costs microseconds even after
 * MADV_POPULATE_WRITE has allocated it, and whichever thread of the
 * process makes that access pays for all of them: a page read once by
 * another thread is then written at the cost of a cached store.  A
 * thread that keeps recording (record=all, or many waits) maps a window
 * of up to 1 MiB every few milliseconds.  Its populate and first reads
 * go to the background thread, which runs while the writers block or on
 * an idle core (docs/bench-shim.md, "Figures behind the code").
 *
 * A window is unmapped only after gct_prefault_cancel: queued requests in
 * it are dropped, and one being worked on stops at its next page, the
 * unmapping thread waiting for that.  The queue is short and takes a spin
 * lock; callers hold their thread's guard, so that a signal handler on
 * the same thread never records (and takes the lock) in between.
 */
#include "shim.h"

#include <sched.h>
#include <sys/mman.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

#define QUEUE 32
#define PAGE 4096

struct range {
    char *p;
    size_t len;
};

static struct range queue[QUEUE];
static unsigned head, tail;          /* queue[tail % QUEUE] is the oldest */
static struct range busy;            /* the one being worked on, if any */
static _Atomic bool stop;            /* busy overlaps a range going away */
static atomic_flag lock = ATOMIC_FLAG_INIT;

static void
acquire(void)
{
    while (atomic_flag_test_and_set_explicit(&lock, memory_order_acquire))
        __builtin_ia32_pause();
}

static void
release(void)
{
    atomic_flag_clear_explicit(&lock, memory_order_release);
}

static bool
overlap(struct range r, const char *p, size_t len)
{
    return r.p != NULL && r.p < p + len && p < r.p + r.len;
}

bool
gct_prefault_post(struct gct_thread *t, char *p, size_t len)
{
    if (!gct_background_start(t))
        return false;
    acquire();
    bool room = head - tail < QUEUE;
    if (room)
        queue[head++ % QUEUE] = (struct range){p, len};
    release();
    if (room)
        gct_background_wake();
    return room;
}

void
gct_prefault_cancel(const char *p, size_t len)
{
    acquire();
    for (unsigned i = tail; i != head; i++)
        if (overlap(queue[i % QUEUE], p, len))
            queue[i % QUEUE].p = NULL;
    bool working = overlap(busy, p, len);
    if (working)
        atomic_store(&stop, true);
    release();
    while (working) {
        sched_yield();
        acquire();
        working = overlap(busy, p, len);
        release();
    }
}

void
gct_prefault_work(void)
{
    for (;;) {
        acquire();
        while (tail != head && queue[tail % QUEUE].p == NULL)
            tail++;
        if (tail == head) {
            release();
            return;
        }
        busy = queue[tail++ % QUEUE];
        atomic_store(&stop, false);
        release();
        /* The pages allocated and mapped writable in one call, then each
         * read once: the read is what the hypervisor charges for. */
        madvise(busy.p, busy.len, MADV_POPULATE_WRITE);
        for (size_t off = 0; off < busy.len && !atomic_load(&stop);
             off += PAGE)
            (void)atomic_load_explicit(
                (_Atomic unsigned char *)(busy.p + off),
                memory_order_relaxed);
        acquire();
        busy = (struct range){NULL, 0};
        release();
    }
}

void
gct_prefault_after_fork(void)
{
    /* The child has no background thread yet, and its parent's requests
     * are not its own. */
    head = tail = 0;
    busy = (struct range){NULL, 0};
    atomic_store(&stop, false);
    atomic_flag_clear(&lock);
}
