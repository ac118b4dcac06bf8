/*
 * intercept_thread.c - thread creation, join, detach and exit (pthreads
 * and C11 threads).
 *
 * A thread exists from the moment pthread_create returns in its creator,
 * which then records it (GCT_EV_THREAD_CREATE): a thread that never got
 * to run before the process ended is in the trace all the same.  The new
 * thread starts in our trampoline with the recorder state its creator
 * made for it (creator, creation stack, the function to run), which it
 * takes over before the user's function runs; the creation serial pairs
 * the two records.  Its exit is seen by a pthread key
 * destructor (thread_state.c), which also covers threads we did not see
 * start.  Joins try first, so only a join that blocks is recorded as a
 * wait.
 */
#include "shim.h"

#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Creation serials (event.h); one counter per process image. */
static _Atomic uint64_t last_serial;

static void *
trampoline(void *p)
{
    struct gct_start s = ((struct gct_thread *)p)->start;
    gct_thread_begin(p);
    /* after the state exists: the exit grace sees one or the other */
    atomic_fetch_sub(&gct_threads_starting, 1);
    if (s.c11_fn)
        return (void *)(intptr_t)s.c11_fn(s.arg);
    return s.fn(s.arg);
}

/* Prepares the new thread's state, its start filled in, for the
 * trampoline, and counts the thread as starting until it has taken the
 * state over; NULL: start the thread untraced. */
static struct gct_thread *
prepare(struct gct_thread *t, void *(*fn)(void *), int (*c11_fn)(void *),
        void *arg, const pthread_attr_t *attr)
{
    int detached = 0;

    struct gct_enter en = gct_enter(t);
    struct gct_thread *made = gct_thread_prepare();
    if (made) {
        if (attr)
            pthread_attr_getdetachstate(attr, &detached);
        made->start = (struct gct_start){
            fn, c11_fn, arg, t->tid, t->pid, gct_capture_stack(t),
            detached == PTHREAD_CREATE_DETACHED,
            atomic_fetch_add(&last_serial, 1) + 1};
        atomic_fetch_add(&gct_threads_starting, 1);
    }
    gct_leave(&en);
    return made;
}

/* Creates the thread through the trampoline with made (from prepare), and
 * records it once it exists; pthread_create's result. */
static int
create_traced(struct gct_thread *t, pthread_t *th, const pthread_attr_t *attr,
              struct gct_thread *made)
{
    /* made is the new thread's as soon as it runs */
    struct gct_start mine = made->start;
    int r = gct_real.pthread_create(th, attr, trampoline, made);
    if (r != 0) {
        gct_thread_unprepare(made);
        atomic_fetch_sub(&gct_threads_starting, 1);
        return r;
    }
    /* The start routine names a thread the program gave no name: the
     * finisher symbolises it (threads.start_routine). */
    uint64_t fn = mine.c11_fn ? (uint64_t)(uintptr_t)mine.c11_fn
                              : (uint64_t)(uintptr_t)mine.fn;
    struct gct_enter en = gct_enter(t);
    gct_emit(t, GCT_EV_THREAD_CREATE, mine.stack, (uint64_t)*th,
             (int64_t)mine.serial, mine.flags, &fn, sizeof fn);
    gct_leave(&en);
    return 0;
}

GCT_EXPORT int
pthread_create(pthread_t *th, const pthread_attr_t *attr,
               void *(*fn)(void *), void *arg)
{
    RESOLVED(pthread_create);
    struct gct_thread *t = gct_self();
    struct gct_thread *made = t ? prepare(t, fn, NULL, arg, attr) : NULL;
    if (made == NULL)
        return gct_real.pthread_create(th, attr, fn, arg);
    return create_traced(t, th, attr, made);
}

GCT_EXPORT int
thrd_create(thrd_t *th, thrd_start_t fn, void *arg)
{
    RESOLVED(thrd_create);
    struct gct_thread *t = gct_self();
    struct gct_thread *made = t ? prepare(t, NULL, fn, arg, NULL) : NULL;
    if (made == NULL)
        return gct_real.thrd_create(th, fn, arg);
    /* thrd_create is pthread_create underneath; its codes differ. */
    int r = create_traced(t, (pthread_t *)th, NULL, made);
    if (r != 0)
        return r == ENOMEM ? thrd_nomem : thrd_error;
    return thrd_success;
}

static void
note(struct gct_thread *t, int kind, pthread_t th, int r)
{
    struct gct_enter en = gct_enter(t);
    gct_emit(t, kind, 0, (uint64_t)th, r, 0, NULL, 0);
    gct_leave(&en);
}

GCT_EXPORT int
pthread_join(pthread_t th, void **ret)
{
    RESOLVED(pthread_join);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.pthread_join(th, ret);
    int r = gct_real.pthread_tryjoin_np ? gct_real.pthread_tryjoin_np(th, ret)
                                        : EBUSY;
    if (r == EBUSY) {
        gct_wait_begin(t, GCT_WAIT_JOIN, (void *)th, 0, false, SITE());
        r = gct_real.pthread_join(th, ret);
        gct_wait_end(t, (void *)th, r);
    }
    note(t, GCT_EV_THREAD_JOIN, th, r);
    return r;
}

GCT_EXPORT int
pthread_timedjoin_np(pthread_t th, void **ret, const struct timespec *ts)
{
    RESOLVED(pthread_timedjoin_np);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.pthread_timedjoin_np(th, ret, ts);
    int r = gct_real.pthread_tryjoin_np(th, ret);
    if (r == EBUSY) {
        gct_wait_begin(t, GCT_WAIT_JOIN, (void *)th, 0, true, SITE());
        r = gct_real.pthread_timedjoin_np(th, ret, ts);
        gct_wait_end(t, (void *)th, r);
    }
    if (r == 0)
        note(t, GCT_EV_THREAD_JOIN, th, r);
    return r;
}

GCT_EXPORT int
pthread_tryjoin_np(pthread_t th, void **ret)
{
    RESOLVED(pthread_tryjoin_np);
    struct gct_thread *t = gct_self();
    int r = gct_real.pthread_tryjoin_np(th, ret);
    if (t && r == 0)
        note(t, GCT_EV_THREAD_JOIN, th, r);
    return r;
}

GCT_EXPORT int
pthread_detach(pthread_t th)
{
    RESOLVED(pthread_detach);
    struct gct_thread *t = gct_self();
    int r = gct_real.pthread_detach(th);
    if (t)
        note(t, GCT_EV_THREAD_DETACH, th, r);
    return r;
}

/* Names are what the viewer shows; a name set by the creator before the
 * thread first runs is matched to it by handle when the trace is made. */
GCT_EXPORT int
pthread_setname_np(pthread_t th, const char *name)
{
    RESOLVED(pthread_setname_np);
    struct gct_thread *t = gct_self();
    int r = gct_real.pthread_setname_np(th, name);
    if (t && r == 0) {
        struct gct_enter en = gct_enter(t);
        gct_emit(t, GCT_EV_THREAD_NAME, 0, (uint64_t)th, 0, 0, name,
                 strlen(name) + 1);
        gct_leave(&en);
    }
    return r;
}

/* glibc's thrd_join and thrd_detach reach its pthread code directly, past
 * the interposed pthread_join: C11 threads need their own entry points. */
GCT_EXPORT int
thrd_join(thrd_t th, int *res)
{
    RESOLVED(thrd_join);
    struct gct_thread *t = gct_self();
    if (t == NULL)
        return gct_real.thrd_join(th, res);
    gct_wait_begin(t, GCT_WAIT_JOIN, (void *)th, 0, false, SITE());
    int r = gct_real.thrd_join(th, res);
    gct_wait_end(t, (void *)th, r);
    note(t, GCT_EV_THREAD_JOIN, (pthread_t)th, r == thrd_success ? 0 : r);
    return r;
}

GCT_EXPORT int
thrd_detach(thrd_t th)
{
    RESOLVED(thrd_detach);
    struct gct_thread *t = gct_self();
    int r = gct_real.thrd_detach(th);
    if (t)
        note(t, GCT_EV_THREAD_DETACH, (pthread_t)th,
             r == thrd_success ? 0 : r);
    return r;
}

/* pthread_exit from main: the process must still end with its last
 * thread, though the watchdog's thread outlives them (watchdog.c). */
GCT_EXPORT void
pthread_exit(void *ret)
{
    RESOLVED(pthread_exit);
    if (getpid() == (pid_t)syscall(SYS_gettid))
        gct_watchdog_main_left();
    gct_real.pthread_exit(ret);
}
