/*
 * bug_lock_order.c - BUG: two code paths take the same two mutexes in
 * opposite orders (an "ABBA" lock-order inversion).  The fixed twin is
 * fix_lock_order.c.
 *
 * Go mistake mirrored (the classic bank transfer):
 *
 *     func transfer(from, to *Account, amount int) {
 *         from.mu.Lock()
 *         defer from.mu.Unlock()
 *         to.mu.Lock()            // transfer(a, b) locks a then b,
 *         defer to.mu.Unlock()    // transfer(b, a) locks b then a
 *         from.balance -= amount
 *         to.balance += amount
 *     }
 *     go transfer(alice, bob, 10)
 *     go transfer(bob, alice, 5)
 *
 * Run at the same time, each goroutine can take its first lock and then
 * wait forever for the other's: a deadlock.  To show the bug without ever
 * hanging, this program runs the two transfers one after the other (the
 * second goroutine starts only after the first has finished), so the run
 * always completes and exits 0.  The deadlock did not happen in this run,
 * but the order "alice, then bob" and the order "bob, then alice" were both
 * used: a lock-order graph built from the run has a cycle, and another
 * schedule can deadlock.  That is what a lock-order checker is for.
 *
 * What gctrace should report:
 *   lock_order_cycle between the two mutexes alice.mu and bob.mu (the
 *   pthread mutexes inside the goc_mutex of the static accounts `alice`
 *   and `bob`; the report names them by address): one edge taken by the
 *   goroutine "alice->bob", the other by "bob->alice", each at the second
 *   goc_mutex_lock in transfer() while holding the first.  No deadlock
 *   is reported: none happened.
 */
#include <goc.h>

#include <stdio.h>
#include <stdlib.h>

struct account {
    const char *name;
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

    /* BUG: the order of the two locks depends on the direction of the
     * transfer. */
    goc_mutex_lock(&t->from->mu);
    goc_mutex_lock(&t->to->mu);
    t->from->balance -= t->amount;
    t->to->balance += t->amount;
    goc_mutex_unlock(&t->to->mu);
    goc_mutex_unlock(&t->from->mu);
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

static struct account alice = {.name = "alice", .mu = GOC_MUTEX_INIT,
                               .balance = 100};
static struct account bob = {.name = "bob", .mu = GOC_MUTEX_INIT,
                             .balance = 100};

int
main(void)
{
    struct transfer ab = {.from = &alice, .to = &bob, .amount = 10};
    struct transfer ba = {.from = &bob, .to = &alice, .amount = 5};

    /* One after the other: the inversion is in the code, not in this
     * particular run, so the run always completes. */
    run_transfer("alice->bob", &ab);
    run_transfer("bob->alice", &ba);

    printf("alice -> bob 10, then bob -> alice 5\n");
    printf("balances: %s %ld, %s %ld (total %ld)\n", alice.name,
           alice.balance, bob.name, bob.balance,
           alice.balance + bob.balance);
    printf("locks taken: alice then bob, and bob then alice\n");
    return 0;
}
