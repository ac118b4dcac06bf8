/*
 * rules.c - the rule table (rules.h).  A new kind or subkind gets its row
 * here; misuse subkinds come from GCT_MISUSE_KINDS in event.h.
 */
#include "rules.h"

#include "event.h"

#include <string.h>

#define MISUSE_WHY                                                        \
    "The program used a threading or libgoc API in a way its contract "   \
    "forbids; Go panics on the libgoc ones, and pthreads leaves the "     \
    "result undefined.  The stacks show the call that broke the rule "    \
    "and, where it matters, where the object was made or taken; fix the " \
    "call site so that it keeps the API's contract."

static const struct gct_rule rules[] = {
    {"leaked_thread", "Leaked thread",
     "A thread or goroutine of the program was still blocked when the "
     "process ended.",
     "Nothing would ever have woken it: it waits on a lock, channel, "
     "condition or join that no other thread will release.  In a server "
     "this is a slow leak of threads and memory; in a test it is "
     "goleak's failure.  The finding says what it was blocked on, since "
     "when, and where it was created: make the creator stop it (close "
     "the channel it reads, cancel its context, signal its condition) "
     "and join it."},
    {"unjoined_thread", "Unjoined thread",
     "A thread ended but was never joined nor detached.",
     "Its stack and descriptor stay allocated until someone joins it, "
     "and whoever created it never learns how it ended.  Join it where "
     "its work is needed, or create it detached."},
    {"lock_order_cycle", "Lock-order inversion",
     "Locks were taken in orders that conflict: one thread took A then "
     "B, another B then A (or a longer cycle).",
     "The run did not deadlock, but another schedule does: each thread "
     "holds one lock of the cycle and waits for the next.  The stacks "
     "show where each lock of each edge was taken.  Fix it by taking "
     "the locks in one global order everywhere, or by not holding one "
     "while taking the other.  Locks that all reach each other through "
     "the lock order get one finding, for the shortest cycle found "
     "among them that can deadlock, reported whole however long; its "
     "message counts the other cycles they close, which fixing it may "
     "leave.  The locks are pthread mutexes, rwlocks and spinlocks, C11 "
     "mtx_t and libgoc's."},
    {"lock_order_cycle/class", "Lock-order inversion between lock classes",
     "Locks made at the same sites were taken in conflicting orders, "
     "though not the same instances.",
     "Two instances of one kind of object (say two accounts) locked in "
     "opposite orders by two code paths deadlock as soon as the paths "
     "meet the same pair.  Order the instances (by id or address) "
     "before locking both."},
    {"lock_order_cycle/single_thread",
     "Lock-order inversion within one thread",
     "One thread took locks in conflicting orders: A then B, and later B "
     "then A (or a longer cycle).",
     "One thread cannot deadlock with itself this way, so this run went "
     "on; but the code that took the locks deadlocks as soon as two "
     "threads run it at the same time, each holding one lock of the "
     "cycle.  Take the locks in one global order everywhere.  When only "
     "one thread can ever run this code, suppress this subkind."},
    {"deadlock/self", "Self-deadlock",
     "A thread blocked on a lock it already holds.",
     "A non-recursive lock taken twice by one thread never returns, "
     "nor does a write lock of an rwlock the thread holds for reading "
     "(the writer waits for every reader, itself too).  Release it "
     "before the second acquisition, or split the function into a "
     "locked entry point and an unlocked helper."},
    {"deadlock/locks", "Deadlock",
     "Threads were blocked on each other: each waited for a lock or "
     "join that another of them held.",
     "This is the lock-order inversion happening: none of these threads "
     "can go on.  The stacks show what each holds and waits for; fix "
     "the order in which they take their locks."},
    {"deadlock/wait_cycle", "Deadlock through channels and locks",
     "Threads were blocked on each other through channels, WaitGroups or "
     "joins as well as locks: each waited for something only another of "
     "them could give.",
     "A goroutine that waits on a channel while holding a lock that the "
     "channel's only partner needs, or a WaitGroup wait under a lock that "
     "a goroutine needs before its Done, never ends.  A channel's "
     "partners are the threads that used its other side during the run; "
     "a select is part of the cycle only when every case is.  The cycle "
     "is claimed only when every other thread of the process was blocked "
     "too, so nothing else could have moved it.  Release the lock before "
     "the channel operation or the Wait, or move the operation out of "
     "the locked section."},
    {"deadlock/all_asleep", "All threads asleep",
     "Every thread of the process was blocked with nothing that could "
     "wake it.",
     "Go's runtime reports this as \"all goroutines are asleep\".  "
     "Each thread's stack shows what it waits on; usually a channel "
     "that nobody sends on or closes, or a join of a thread that "
     "itself waits."},
    {"deadlock", "Deadlock",
     "Threads were blocked and none of them could go on.",
     "The stacks show what each thread holds and waits for."},
    {"unclosed_channel", "Unclosed channel",
     "A channel was never closed while goroutines stayed blocked "
     "receiving from it or ranging over it.",
     "A receiver that ranges over a channel ends only when the channel "
     "is closed.  The sender that knows no more values will come must "
     "close it (once, after its last send)."},
    {"context_leak", "Context never cancelled",
     "A cancellable context was never cancelled.",
     "Its timer and its place in its parent's list of children live "
     "until the parent ends.  Call its cancel function when the work it "
     "scopes is done, on every path (go vet's lostcancel).  Contexts made "
     "at the same place are one finding, with their count.  Goroutines "
     "left blocked waiting for one to be done (goc_ctx_wait, its done "
     "channel, a select on it) are named here rather than reported as "
     "leaks of their own, and their other select channels are not "
     "unclosed channels: the missing cancel is what kept them."},
    {"timer_leak", "Timer never stopped",
     "Timers (goc_after, goc_timer, goc_ticker) were still pending when "
     "the process ended: never fired, stopped nor freed.",
     "time.After in a loop, or a timer or ticker never stopped, is the "
     "Go guides' leak: each iteration leaves a timer behind, which holds "
     "its channel and a place in the timer heap until its time (a ticker "
     "forever).  In C the memory is never freed either.  Timers armed at "
     "the same place are one finding, with their count; one that a "
     "goroutine still waits for at the end is in use (that goroutine, if "
     "anything, is the leak).  Free a goc_after "
     "channel once its select is done (goc_chan_free cancels the timer), "
     "or make one timer outside the loop and reset it; stop or free "
     "timers and tickers that are no longer needed."},
    {"misuse", "API misuse",
     "A threading or libgoc API was used against its contract.",
     MISUSE_WHY},
#define GCT_X_RULE(name, value, text, obj, meaning) \
    {"misuse/" text, "API misuse: " meaning, "API misuse: " meaning ".", \
     MISUSE_WHY},
    GCT_MISUSE_KINDS(GCT_X_RULE)
#undef GCT_X_RULE
};

const struct gct_rule *
gct_rules(size_t *n)
{
    *n = sizeof rules / sizeof rules[0];
    return rules;
}

size_t
gct_rule_index(const char *kind, const char *subkind)
{
    size_t n = sizeof rules / sizeof rules[0], klen = strlen(kind);
    size_t of_kind = 0;
    for (size_t i = 0; i < n; i++) {
        const char *id = rules[i].id;
        if (strncmp(id, kind, klen) != 0)
            continue;
        if (id[klen] == '\0')
            of_kind = i;
        else if (id[klen] == '/' && subkind && strcmp(id + klen + 1,
                                                      subkind) == 0)
            return i;
    }
    return of_kind;
}
