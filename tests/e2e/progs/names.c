/*
 * names.c - locks and threads that a report must name as the code does.
 *
 * Three mutexes in a lock-order inversion, taken by three threads one
 * after the other (joins, so it never deadlocks):
 *   - accounts_lock, a global;
 *   - vault.lock, a static inside a struct, 8 bytes in (vault+0x8);
 *   - a heap mutex made by the helper make_lock().
 * The thread "auditor" (it names itself with pthread_setname_np) takes accounts_lock
 * then vault.lock; an unnamed thread started in teller() takes vault.lock
 * then the heap lock; main takes the heap lock then accounts_lock.
 *
 * And a leak: the thread "sleeper" is left waiting on the condition
 * variable wake_cond when main returns.  main waits until it is inside
 * pthread_cond_wait: the sleeper holds sleep_lock until the wait releases
 * it, so main's lock of sleep_lock returns only then.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

pthread_mutex_t accounts_lock = PTHREAD_MUTEX_INITIALIZER;

static struct {
    long total;
    pthread_mutex_t lock;
} vault = {0, PTHREAD_MUTEX_INITIALIZER};

static pthread_mutex_t *heap_lock;

static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake_cond = PTHREAD_COND_INITIALIZER;
static int sleeping;

static __attribute__((noinline)) pthread_mutex_t *
make_lock(void)
{
    pthread_mutex_t *m = malloc(sizeof *m);
    if (m == NULL)
        exit(1);
    pthread_mutex_init(m, NULL); /* HEAP LOCK MADE HERE */
    return m;
}

static void *
auditor(void *arg)
{
    (void)arg;
    /* named by itself: a name set by the creator after the thread ended
     * would fail (there is no task to name any more) */
    pthread_setname_np(pthread_self(), "auditor");
    pthread_mutex_lock(&accounts_lock);
    pthread_mutex_lock(&vault.lock);
    vault.total++;
    pthread_mutex_unlock(&vault.lock);
    pthread_mutex_unlock(&accounts_lock);
    return NULL;
}

static void *
teller(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&vault.lock);
    pthread_mutex_lock(heap_lock);
    vault.total--;
    pthread_mutex_unlock(heap_lock);
    pthread_mutex_unlock(&vault.lock);
    return NULL;
}

static void *
sleeper(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "sleeper");
    pthread_mutex_lock(&sleep_lock);
    sleeping = 1;
    while (sleeping) /* nobody wakes it: leaked */
        pthread_cond_wait(&wake_cond, &sleep_lock);
    pthread_mutex_unlock(&sleep_lock);
    return NULL;
}

int
main(void)
{
    pthread_t t;

    heap_lock = make_lock();
    if (pthread_create(&t, NULL, auditor, NULL) != 0)
        return 1;
    pthread_join(t, NULL);
    if (pthread_create(&t, NULL, teller, NULL) != 0)
        return 1;
    pthread_join(t, NULL);
    pthread_mutex_lock(heap_lock);
    pthread_mutex_lock(&accounts_lock);
    pthread_mutex_unlock(&accounts_lock);
    pthread_mutex_unlock(heap_lock);

    if (pthread_create(&t, NULL, sleeper, NULL) != 0)
        return 1;
    for (;;) {
        pthread_mutex_lock(&sleep_lock);
        int in_wait = sleeping;
        pthread_mutex_unlock(&sleep_lock);
        if (in_wait)
            break;
        sched_yield();
    }
    printf("total %ld\n", vault.total);
    return 0;
}
