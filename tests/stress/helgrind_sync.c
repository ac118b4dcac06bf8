/*
 * helgrind_sync.c - libgoc's pthread-based parts (go.c: goroutines;
 * sync.c: goc_mutex, goc_rwmutex, goc_cond) exercised so that every
 * happens-before edge goes through something Helgrind understands.
 *
 * libgoc's cmocka tests wait for their goroutines with goc_waitgroup,
 * whose hand-off is a C11 atomic plus a futex (lib/futex.c, waitgroup.c);
 * Helgrind sees neither, so it reports every later read of the workers'
 * results as a race (test_stress.sh explains more).  Here the goroutines
 * report completion through a pthread mutex and condvar instead, which
 * Helgrind models, so any report left is about go.c or sync.c themselves.
 * Exits 0 when every count is right.  "helgrind_sync racy" first runs a
 * deliberate race (the negative control: Helgrind must report it).
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

static void finished(void);

static void
racer(void *arg)
{
    (void)arg;
    unguarded++;
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

    if (argc > 1 && strcmp(argv[1], "racy") == 0) {
        if (goc_go(racer, NULL) != 0)
            return 3;
        unguarded++;            /* unordered with racer's write */
        wait_for(1);
        base = 1;
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
