/*
 * intercept_signal.c - which signals have a handler.
 *
 * A semaphore wait with no timeout is not asleep for good while a signal
 * handler may run: the handler can post the semaphore (sem_post is
 * async-signal-safe), and the wait returns EINTR in the thread that takes
 * the signal.  A daemon whose main thread waits on a semaphore that its
 * SIGTERM handler posts is the common case.  The deadlock checks (the
 * watchdog's, and the finishing step's all_asleep) need to know whether
 * such a handler exists: sigaction and signal are interposed to keep the
 * set, and its changes are recorded (GCT_EV_SIGNALS), so that a trace
 * says it too.  Which signals may arrive while every thread sleeps
 * is GCT_SIGNALS_CAN_WAKE's business (common/event.h).
 *
 * Both forward exactly; the set is updated only when the call succeeded.
 * A fork's child inherits the set with the memory, as it inherits the
 * handlers; exec clears both.  Handlers installed with sigset,
 * bsd_signal, sysv_signal or the raw system call are not seen.
 */
#include "shim.h"

#include <signal.h>

_Atomic uint64_t gct_signal_handlers;
/* The set as last recorded, and by which process: a handler installed
 * before the recorder started (by another library's constructor) is
 * recorded later, at the next change or semaphore wait, and so is the
 * set of a child made without fork() (daemon(), a raw clone), which
 * inherited it unrecorded. */
static _Atomic uint64_t recorded;
static _Atomic int recorded_pid;

void
gct_signals_record(struct gct_thread *t)
{
    uint64_t now = atomic_load_explicit(&gct_signal_handlers,
                                        memory_order_relaxed);
    /* Two threads may both record one change: the same set twice. */
    if (atomic_load_explicit(&recorded_pid, memory_order_relaxed) ==
            t->pid &&
        atomic_load_explicit(&recorded, memory_order_relaxed) == now)
        return;
    atomic_store(&recorded, now);
    atomic_store(&recorded_pid, t->pid);
    struct gct_enter en = gct_enter(t);
    gct_emit(t, GCT_EV_SIGNALS, 0, 0, (int64_t)now, 0, NULL, 0);
    gct_leave(&en);
}

static void
note_handler(int sig, bool handled, uintptr_t site)
{
    if (sig < 1 || sig > 64 || gct_in_shim(site))
        return;
    uint64_t bit = GCT_SIGNAL_BIT(sig);
    if (handled)
        atomic_fetch_or(&gct_signal_handlers, bit);
    else
        atomic_fetch_and(&gct_signal_handlers, ~bit);
    struct gct_thread *t = gct_self();
    if (t != NULL)
        gct_signals_record(t);
}

static bool
is_handler(void (*h)(int))
{
    return h != SIG_DFL && h != SIG_IGN && h != SIG_ERR;
}

GCT_EXPORT int
sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    RESOLVED(sigaction);
    int r = gct_real.sigaction(sig, act, old);
    /* sa_handler and sa_sigaction share their storage, and the kernel
     * reads SIG_DFL and SIG_IGN from it with SA_SIGINFO too */
    if (r == 0 && act != NULL)
        note_handler(sig, is_handler(act->sa_handler), SITE());
    return r;
}

GCT_EXPORT sighandler_t
signal(int sig, sighandler_t handler)
{
    RESOLVED(signal);
    sighandler_t r = gct_real.signal(sig, handler);
    if (r != SIG_ERR)
        note_handler(sig, is_handler(handler), SITE());
    return r;
}
