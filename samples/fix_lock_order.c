/*
 * fix_lock_order.c - FIXED twin of bug_lock_order.c: every path takes the
 * two account mutexes in one global order.
 *
 * Go idiom mirrored (lock ordering, the standard cure for ABBA):
 *
 *     func transfer(from, to *Account, amount int) {
 *         first, second := from, to
 *         if to.id < from.id {
 *             first, second = to, from  // always the lower id first
 *         }
 *         first.mu.Lock()
 *         defer first.mu.Unlock()
 *         second.mu.Lock()
 *         defer second.mu.Unlock()
 *         from.balance -= amount
 *         to.balance += amount
 *     }
 *
 * Whatever the direction of the transfer, alice's mutex (id 1) is taken
 * before bob's (id 2): the lock-order graph has the single edge
 * alice.mu -> bob.mu and no cycle, so no schedule can deadlock.  The run
 * itself is the same as the bug's (two transfers, one after the other),
 * so that the two traces differ only by the lock order.  Any total order
 * works: an id, a rank per lock class, or the mutexes' addresses (libgoc's
 * select locks channels in address order for the same reason).
 *
 * What gctrace should report: nothing.
 */
#include <goc.h>

#include <stdio.h>
#include <stdlib.h>

struct account {
    const char *name;
    int id;             /* the lock order: lower ids are locked first */
    goc_mutex mu;       /* protects balance */
    long balance;
};

struct transfer {
    struct account *from, *to;
    long amount;
    goc_waitgroup done;     /* the goroutine running the transfer */
};

static void
check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", what, goc_strerror(rc));
        exit(1);
    }
}

static void
transfer(void *arg)
{
    struct transfer *t = arg;
    struct account *first = t->from, *second = t->to;

    /* FIX: the order of the locks no longer depends on the direction. */
    if (second->id < first->id) {
        first = t->to;
        second = t->from;
    }
    goc_mutex_lock(&first->mu);
    goc_mutex_lock(&second->mu);
    t->from->balance -= t->amount;
    t->to->balance += t->amount;
    goc_mutex_unlock(&second->mu);
    goc_mutex_unlock(&first->mu);
    goc_wg_done(&t->done);
}

/* Runs one transfer on its own goroutine and waits for it to finish. */
static void
run_transfer(const char *name, struct transfer *t)
{
    /* goc_wg_go would do, but goc_go_named gives the goroutine a name
     * for the trace; wg.Add(1) and wg.Done() are then ours to write. */
    check(goc_wg_add(&t->done, 1), "wg add");
    check(goc_go_named(name, transfer, t), "go");
    goc_wg_wait(&t->done);
}

static struct account alice = {.name = "alice", .id = 1,
                               .mu = GOC_MUTEX_INIT, .balance = 100};
static struct account bob = {.name = "bob", .id = 2, .mu = GOC_MUTEX_INIT,
                             .balance = 100};

int
main(void)
{
    struct transfer ab = {.from = &alice, .to = &bob, .amount = 10};
    struct transfer ba = {.from = &bob, .to = &alice, .amount = 5};

    /* One after the other, exactly as in the bug; running them at the
     * same time would now be just as safe. */
    run_transfer("alice->bob", &ab);
    run_transfer("bob->alice", &ba);

    printf("alice -> bob 10, then bob -> alice 5\n");
    printf("balances: %s %ld, %s %ld (total %ld)\n", alice.name,
           alice.balance, bob.name, bob.balance,
           alice.balance + bob.balance);
    printf("locks taken: alice then bob, both times\n");
    return 0;
}
