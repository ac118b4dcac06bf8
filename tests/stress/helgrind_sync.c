/*
 * helgrind_sync.c - the negative control of tests/stress/test_helgrind.sh:
 * proof that a clean Helgrind run of libgoc is not Helgrind looking away.
 *
 * Linked with the annotated libgoc (-DGOC_HELGRIND), it exercises go.c
 * (goroutines), sync.c (goc_mutex incl. try_lock, goc_rwmutex incl.
 * try_rlock, goc_cond wait/signal/broadcast/wait_until) and one hand-off
 * through a buffered channel (chan_ring.h's annotated slot words), and
 * reports completion through a pthread mutex and condvar.  It exits 0 when
 * every count is right, and must run with no Helgrind error.
 *
 * "helgrind_sync racy" adds two deliberate races that Helgrind must
 * report: a variable written by a goroutine and by main with nothing in
 * between (racy_write), and one written by the channel's sender after its
 * send (write_late), while what it wrote before the send (write_early)
 * must stay unreported: the channel's edge is where the ring puts it, no
 * wider.
 */
#include <goc.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define WORKERS 4
#define ROUNDS 500

static pthread_mutex_t done_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static int done;                /* guarded by done_mu */

static goc_mutex mu = GOC_MUTEX_INIT;
static long counter;            /* guarded by mu */
static int tries_won;           /* guarded by mu */

static goc_rwmutex rw = GOC_RWMUTEX_INIT;
static long table[8];           /* guarded by rw */
static long readers_seen;       /* guarded by mu */

static goc_mutex q_mu = GOC_MUTEX_INIT;
static goc_cond q_cv = GOC_COND_INIT;
static int queue;               /* guarded by q_mu: items not yet taken */
static int taken;               /* guarded by q_mu */
static int closed;              /* guarded by q_mu */

static long unguarded;          /* racy mode: written with no lock */

static goc_chan *handoff;       /* buffered: sender -> main */
static long early;              /* written before the send: ordered */
static long late;               /* racy mode: written after the send */
static bool racy;

static void finished(void);

/* Out of line, so that Helgrind's reports name them. */
static __attribute__((noinline)) void
racy_write(void)
{
    unguarded++;
}

static __attribute__((noinline)) void
write_early(long v)
{
    early = v;
}

static __attribute__((noinline)) void
write_late(long v)
{
    late = v;
}

static void
racer(void *arg)
{
    (void)arg;
    racy_write();
    finished();
}

static void
sender(void *arg)
{
    long v = 42;

    (void)arg;
    write_early(v);
    goc_chan_send(handoff, &v);
    if (racy)
        write_late(v); /* after the hand-off: unordered with main */
    finished();
}

static void
finished(void)
{
    pthread_mutex_lock(&done_mu);
    done++;
    pthread_cond_signal(&done_cv);
    pthread_mutex_unlock(&done_mu);
}

static void
wait_for(int n)
{
    pthread_mutex_lock(&done_mu);
    while (done < n)
        pthread_cond_wait(&done_cv, &done_mu);
    pthread_mutex_unlock(&done_mu);
}

static void
locker(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        if (goc_mutex_try_lock(&mu)) {
            tries_won++;
            counter++;
        } else {
            goc_mutex_lock(&mu);
            counter++;
        }
        goc_mutex_unlock(&mu);
    }
    finished();
}

static void
rw_worker(void *arg)
{
    long id = (long)arg;

    for (int i = 0; i < ROUNDS / 10; i++) {
        if (id == 0) {
            goc_rwmutex_lock(&rw);
            for (int k = 0; k < 8; k++)
                table[k]++;
            goc_rwmutex_unlock(&rw);
        } else {
            long sum = 0;
            if (!goc_rwmutex_try_rlock(&rw))
                goc_rwmutex_rlock(&rw);
            for (int k = 0; k < 8; k++)
                sum += table[k];
            goc_rwmutex_runlock(&rw);
            goc_mutex_lock(&mu);
            readers_seen += sum >= 0;
            goc_mutex_unlock(&mu);
        }
    }
    finished();
}

static void
consumer(void *arg)
{
    (void)arg;
    goc_mutex_lock(&q_mu);
    for (;;) {
        while (queue == 0 && !closed)
            goc_cond_wait(&q_cv, &q_mu);
        if (queue == 0)
            break;
        queue--;
        taken++;
    }
    goc_mutex_unlock(&q_mu);
    finished();
}

int
main(int argc, char **argv)
{
    int fails = 0;
    int base = 0;

    racy = argc > 1 && strcmp(argv[1], "racy") == 0;
    if (racy) {
        if (goc_go(racer, NULL) != 0)
            return 3;
        racy_write();           /* unordered with racer's write */
        wait_for(1);
        base = 1;
    }

    /* A value and what was written before it, through a channel. */
    long got = 0, seen_late;
    bool ok;
    if (goc_chan_make(&handoff, sizeof(long), 1) != 0 ||
        goc_go(sender, NULL) != 0)
        return 3;
    goc_chan_recv(handoff, &got, &ok);
    if (!ok || got != 42 || early != 42) {
        printf("chan: got %ld early %ld\n", got, early);
        fails++;
    }
    /* Racy mode: unordered with write_late (volatile: a real read). */
    seen_late = *(volatile long *)&late;
    wait_for(++base);
    goc_chan_free(handoff);
    if (!racy && seen_late != 0) {
        printf("chan: late %ld without racy\n", seen_late);
        fails++;
    }

    for (long i = 0; i < WORKERS; i++)
        if (goc_go(locker, NULL) != 0)
            return 3;
    wait_for(base + WORKERS);
    if (counter != WORKERS * ROUNDS) {
        printf("mutex: counter %ld, want %d\n", counter, WORKERS * ROUNDS);
        fails++;
    }

    for (long i = 0; i < WORKERS; i++)
        if (goc_go(rw_worker, (void *)i) != 0)
            return 3;
    wait_for(base + 2 * WORKERS);
    if (table[7] != ROUNDS / 10 || readers_seen != (WORKERS - 1) * (ROUNDS / 10)) {
        printf("rwmutex: table %ld readers %ld\n", table[7], readers_seen);
        fails++;
    }

    for (int i = 0; i < 2; i++)
        if (goc_go(consumer, NULL) != 0)
            return 3;
    for (int i = 0; i < 200; i++) {
        goc_mutex_lock(&q_mu);
        queue++;
        goc_cond_signal(&q_cv);
        goc_mutex_unlock(&q_mu);
    }
    goc_mutex_lock(&q_mu);
    closed = 1;
    goc_cond_broadcast(&q_cv);
    goc_mutex_unlock(&q_mu);
    wait_for(base + 2 * WORKERS + 2);
    if (taken != 200) {
        printf("cond: taken %d, want 200\n", taken);
        fails++;
    }

    /* nobody signals: the timed wait must time out */
    goc_mutex_lock(&q_mu);
    int r = goc_cond_wait_until(&q_cv, &q_mu, goc_deadline_after(20 * GOC_MILLISECOND));
    goc_mutex_unlock(&q_mu);
    if (r != GOC_ETIMEDOUT) {
        printf("cond_wait_until: %d, want GOC_ETIMEDOUT\n", r);
        fails++;
    }
    printf("helgrind_sync: %s\n", fails ? "WRONG" : "ok");
    return fails != 0;
}
