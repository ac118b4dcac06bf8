/*
 * thread_state.c - per-thread recorder state.
 *
 * The state lives in its own mmap'd block, not in TLS: static TLS is carved
 * from each thread's stack, and goroutines have small stacks.  TLS holds
 * only a pointer (initial-exec: the shim is loaded at start-up, so its TLS
 * is static and reading it costs one instruction).
 *
 * States are never unmapped; a dead thread's state is reused by the next
 * new thread, so memory is bounded by the peak number of live threads.  A
 * pthread key's destructor tells us when any thread exits, including
 * threads we did not see start.
 */
#include "shim.h"

#include <limits.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

__thread struct gct_thread *gct_tls
    __attribute__((tls_model("initial-exec")));
/* Set once the thread has begun exiting, so that late calls (other key
 * destructors) do not create a fresh state. */
static __thread int exiting __attribute__((tls_model("initial-exec")));
/* Calls of the exit key's destructor on this thread so far. */
static __thread int exit_rounds __attribute__((tls_model("initial-exec")));

struct gct_thread *_Atomic gct_threads;
_Atomic int gct_threads_starting;

static pthread_key_t exit_key;
static _Atomic int key_made;

static void on_thread_exit(void *arg);

/* Dead states waiting for a new thread, under a spin lock held for a
 * few instructions (the shim takes no pthread lock of its own); a list
 * rather than a search of every state, which made starting thread number
 * 10,000 cost 10,000 steps. */
static struct gct_thread *free_states;
static atomic_flag free_lock = ATOMIC_FLAG_INIT;

static void
free_push(struct gct_thread *t)
{
    while (atomic_flag_test_and_set_explicit(&free_lock, memory_order_acquire))
        __builtin_ia32_pause();
    t->next_free = free_states;
    free_states = t;
    atomic_flag_clear_explicit(&free_lock, memory_order_release);
}

/* LeakSanitizer's, when the program runs with it (weak: absent otherwise). */
extern void __lsan_register_root_region(const void *p, size_t size)
    __attribute__((weak));

/* A thread's start waits in its state, which the shim maps itself, until
 * the new thread takes it over: LeakSanitizer would not look there, and a
 * thread still starting when the program ends (or that never runs) would
 * have its argument reported as leaked, which LSan otherwise keeps alive
 * as a thread's argument.  The start's place is a root region of its own,
 * told once per state; it is cleared once taken over, so that it keeps
 * nothing alive after. */
static void
start_is_root(struct gct_thread *t)
{
    if (__lsan_register_root_region)
        __lsan_register_root_region(&t->start, sizeof t->start);
}

static struct gct_thread *
claim_state(void)
{
    while (atomic_flag_test_and_set_explicit(&free_lock, memory_order_acquire))
        __builtin_ia32_pause();
    struct gct_thread *t = free_states;
    if (t)
        free_states = t->next_free;
    atomic_flag_clear_explicit(&free_lock, memory_order_release);
    if (t) {
        /* Everything but the list link, which others may be walking. */
        memset(t, 0, offsetof(struct gct_thread, next));
        return t;
    }
    void *p = mmap(NULL, sizeof(struct gct_thread), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    t = p;
    start_is_root(t);
    struct gct_thread *head = atomic_load(&gct_threads);
    do {
        t->next = head;
    } while (!atomic_compare_exchange_weak(&gct_threads, &head, t));
    return t;
}

/* The thread's start record.  parent_tid and stack describe its creation
 * when the shim saw it (0 otherwise). */
static void
record_start(struct gct_thread *t, int parent_tid, uint32_t stack,
             int64_t flags)
{
    struct gct_enter en = gct_enter(t);
    gct_emit(t, GCT_EV_THREAD_START, stack, (uint64_t)pthread_self(),
             parent_tid, flags, NULL, 0);
    gct_leave(&en);
}

/* Makes t, claimed, the calling thread's state, of process pid. */
static struct gct_thread *
adopt_state(struct gct_thread *t, int pid, int parent_tid, uint32_t stack,
            int64_t flags)
{
    t->tid = (int)syscall(SYS_gettid);
    t->pid = pid;
    t->handle = (uint64_t)pthread_self();
    gct_tls = t;
    /* pthread_setspecific may allocate, with the program's allocator */
    struct gct_enter en = gct_enter(t);
    if (atomic_load_explicit(&key_made, memory_order_acquire))
        pthread_setspecific(exit_key, t);
    gct_leave(&en);
    record_start(t, parent_tid, stack, flags);
    return t;
}

/* Makes the calling thread's state. */
static struct gct_thread *
make_state(void)
{
    struct gct_thread *t = claim_state();
    return t ? adopt_state(t, getpid(), 0, 0, 0) : NULL;
}

/* gct_self()'s first call on a thread, or in a process (shim.h has the
 * fast path). */
struct gct_thread *
gct_self_slow(void)
{
    struct gct_thread *t;

    if (!gct_recorder.on || exiting)
        return NULL;
    int saved = errno;
    if (!gct_here[0])
        gct_process_new();
    t = gct_tls;
    if (t == NULL)
        t = make_state();
    else if (t->guard)
        t = NULL;
    errno = saved;
    return t;
}

/* A page of its own in the library's zero-filled data, which the dynamic
 * linker maps as anonymous memory, the only kind MADV_WIPEONFORK takes:
 * the word tested costs one compare, where a pointer to a page mapped
 * apart cost a load more on every call. */
int gct_here[4096 / sizeof(int)] __attribute__((aligned(4096)));

void
gct_here_init(void)
{
    /* Without MADV_WIPEONFORK the word stays set in every child. */
    (void)madvise(gct_here, sizeof gct_here, MADV_WIPEONFORK);
    gct_here[0] = 1;
}

void
gct_thread_hide(void)
{
    exiting = 1;
}

struct gct_thread *
gct_self_peek(void)
{
    return gct_tls;
}

struct gct_thread *
gct_thread_prepare(void)
{
    return claim_state();
}

void
gct_thread_unprepare(struct gct_thread *t)
{
    t->start = (struct gct_start){0};
    atomic_store(&t->dead, 1);
    free_push(t);
}

/* When something on the thread's way here called the shim first (a
 * signal handler, say), that made the thread's state, with a start record
 * that knew nothing of its creation: that state stays the thread's one,
 * the prepared one goes back, and a second start record completes the
 * first (the finishing step keeps one thread). */
struct gct_thread *
gct_thread_begin(struct gct_thread *made)
{
    struct gct_start s = made->start;
    made->start = (struct gct_start){0};
    int64_t flags =
        s.flags | (int64_t)(s.serial << GCT_THREAD_SERIAL_SHIFT);
    struct gct_thread *t = gct_tls;

    if (!gct_recorder.on || t != NULL)
        gct_thread_unprepare(made);
    if (!gct_recorder.on)
        return NULL;
    if (t == NULL)
        return adopt_state(made, s.pid, s.parent_tid, s.stack, flags);
    record_start(t, s.parent_tid, s.stack, flags);
    return t;
}

bool
gct_thread_waits_on(int reason, const void *obj)
{
    int pid = gct_recorder.pid;
    for (struct gct_thread *t = atomic_load(&gct_threads); t; t = t->next)
        if (!atomic_load(&t->dead) && t->pid == pid &&
            atomic_load_explicit(&t->wait_reason, memory_order_acquire) ==
                reason &&
            atomic_load_explicit(&t->wait_obj, memory_order_relaxed) ==
                (uintptr_t)obj)
            return true;
    return false;
}

/* Locks the thread still holds as it ends (glibc_private.h). */
static bool
still_held(const struct gct_thread *t, const struct gct_held *h)
{
    return gct_lock_still_held((const void *)h->lock, h->flags, t->tid);
}

static int
gct_locks_still_held(struct gct_thread *t)
{
    int n = 0;
    for (int i = 0; i < t->nheld; i++)
        n += still_held(t, &t->held[i]);
    return n;
}

/* The process ends (exit, _exit, main's return) on thread t: each lock
 * it still holds, as a thread's end counts them, is misuse of its own
 * with the lock named, at the stack of the end.  (The process's other
 * threads end with it, holding what they hold: blocked ones are leaked
 * threads, and a lock held by a running one is no misuse of theirs.)
 * Call with t's guard held. */
void
gct_process_ends_holding(struct gct_thread *t)
{
    for (int i = 0; i < t->nheld; i++)
        if (still_held(t, &t->held[i]))
            gct_misuse(t, GCT_MISUSE_EXIT_HOLDING, (void *)t->held[i].lock,
                       gct_lock_obj(t->held[i].flags));
}

int
gct_holder(const void *lock, int type)
{
    return gct_lock_keeps_owner(type) ? gct_lock_holder(lock, type)
                                      : gct_holder_of((uintptr_t)lock);
}

int
gct_holder_of(uintptr_t lock)
{
    int pid = gct_recorder.pid;
    for (struct gct_thread *t = atomic_load(&gct_threads); t; t = t->next) {
        if (atomic_load(&t->dead) || t->pid != pid)
            continue;
        int n = __atomic_load_n(&t->nheld, __ATOMIC_RELAXED);
        for (int i = 0; i < n && i < GCT_HELD_MAX; i++)
            if (__atomic_load_n(&t->held[i].lock, __ATOMIC_RELAXED) == lock)
                return t->tid;
    }
    return 0;
}

/* The thread's end: its last counters and its exit record.  It may still
 * record after it, until its state is released (on_thread_exit). */
static void
thread_ended(struct gct_thread *t)
{
    struct gct_enter en = gct_enter(t);
    gct_flush_counts(t);
    gct_emit(t, GCT_EV_THREAD_EXIT, 0, (uint64_t)pthread_self(),
             gct_locks_still_held(t),
             0, NULL, 0);
    gct_leave(&en);
}

void
gct_thread_release(struct gct_thread *t)
{
    if (t == NULL)
        return;
    t->guard++;
    gct_flush_counts(t); /* of locks taken after the end record */
    gct_log_donate_chunk(t);
    gct_tls = NULL;
    exiting = 1;
    atomic_store(&t->dead, 1);
    free_push(t);
}

/* The exit key's destructor.  glibc calls the destructors of all keys in
 * rounds, in the order the keys were made (ours, made at start-up, comes
 * before those of the program's own libraries), and another round while
 * any of them set a value again, up to PTHREAD_DESTRUCTOR_ITERATIONS.
 * The others may still join, detach or lock: GLib detaches its threads
 * from one.  So the end is recorded in the first round, and the state is
 * kept, set again, until the last, so that what those destructors do is
 * recorded too; until then the thread is not dead, and the exit grace
 * waits for it.  (A state first made inside a later round, by a thread
 * that never called the shim before, may see no last round: it then
 * stays allocated, with its end recorded, and counts as running.) */
static void
on_thread_exit(void *arg)
{
    struct gct_thread *t = arg;

    if (exit_rounds++ == 0)
        thread_ended(t);
    if (exit_rounds < PTHREAD_DESTRUCTOR_ITERATIONS &&
        pthread_setspecific(exit_key, t) == 0)
        return;
    gct_thread_release(t);
}

void
gct_threads_make_key(void)
{
    if (pthread_key_create(&exit_key, on_thread_exit) == 0)
        atomic_store_explicit(&key_made, 1, memory_order_release);
}

void
gct_threads_after_fork(struct gct_thread *self)
{
    gct_log_forget_spares();
    /* the parent's threads in creation are the parent's */
    atomic_store(&gct_threads_starting, 0);
    /* Another thread of the parent may have held it at the fork. */
    atomic_flag_clear(&free_lock);
    for (struct gct_thread *t = atomic_load(&gct_threads); t; t = t->next) {
        if (t == self)
            continue;
        /* Their chunks map the same file pages as the parent's threads,
         * which go on writing: let go of them without a word. */
        gct_log_release_chunk(t);
        if (!atomic_exchange(&t->dead, 1))
            free_push(t);
    }
    if (self) {
        gct_log_release_chunk(self);
        self->tid = (int)syscall(SYS_gettid);
        self->pid = getpid();
    }
}
