/*
 * pattern_bounded.c - bounded concurrency with a weighted semaphore.
 *
 * Go idiom mirrored (golang.org/x/sync/semaphore, "bounded concurrency"
 * in the guides):
 *
 *     sem := semaphore.NewWeighted(3)
 *     for _, task := range tasks {
 *         if err := sem.Acquire(ctx, 1); err != nil { break }
 *         go func(t Task) {
 *             defer sem.Release(1)
 *             t()
 *         }(task)
 *     }
 *     // Acquire the whole weight: waits until every task has released.
 *     sem.Acquire(ctx, 3)
 *
 * What to look at:
 *  - main acquires a unit *before* starting each goroutine, so there are
 *    never more than three tasks (or goroutines) alive at once: the
 *    semaphore bounds the work and the memory, not just the CPU;
 *  - the tasks count themselves in and out with C11 atomics, and the
 *    highest count seen is printed: it never exceeds the limit;
 *  - the semaphore is weighted: a "batch" task takes two units, so while
 *    it runs only one unit task can run beside it;
 *  - acquiring the full weight at the end is the x/sync way to wait for
 *    the stragglers; the WaitGroup is still needed in C, to know the
 *    goroutines have returned before the semaphore is freed.
 */
#include <goc.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

enum { LIMIT = 3, NUM_TASKS = 10 };

struct task {
    goc_sema *sem;
    int id;
    int64_t weight;    /* units held while running */
};

static atomic_long in_flight;     /* units held by running tasks */
static atomic_long max_in_flight;
static atomic_int tasks_done;

static void
check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", what, goc_strerror(rc));
        exit(1);
    }
}

static void
record_max(atomic_long *max, long v)
{
    long m = atomic_load(max);

    while (v > m && !atomic_compare_exchange_weak(max, &m, v))
        ;
}

static void
run_task(void *arg)
{
    struct task *t = arg;

    /* The unit(s) were acquired by main on our behalf. */
    record_max(&max_in_flight, atomic_fetch_add(&in_flight, t->weight) +
                                   t->weight);
    goc_sleep(3 * GOC_MILLISECOND); /* simulate work */
    atomic_fetch_sub(&in_flight, t->weight);
    atomic_fetch_add(&tasks_done, 1);
    check(goc_sema_release(t->sem, t->weight), "release"); /* defer */
}

int
main(void)
{
    goc_waitgroup wg = GOC_WAITGROUP_INIT;
    struct task tasks[NUM_TASKS];
    goc_sema *sem;

    check(goc_sema_make(&sem, LIMIT), "sema make");

    for (int i = 0; i < NUM_TASKS; i++) {
        /* Every fourth task is a "batch" that needs two units. */
        tasks[i] = (struct task){.sem = sem, .id = i,
                                 .weight = i % 4 == 3 ? 2 : 1};
        /* Blocks ("semaphore acquire") while the units are taken. */
        check(goc_sema_acquire(sem, NULL, tasks[i].weight), "acquire");
        check(goc_wg_go(&wg, run_task, &tasks[i]), "start task");
    }
    printf("started %d tasks (%d of them batches of weight 2), limit %d "
           "units\n", NUM_TASKS, NUM_TASKS / 4, LIMIT);

    /* sem.Acquire(ctx, LIMIT): returns once every task has released. */
    check(goc_sema_acquire(sem, NULL, LIMIT), "acquire all");
    printf("acquired all %d units: %d tasks finished\n", LIMIT,
           atomic_load(&tasks_done));
    /* TryAcquire never waits: with every unit held it just says no. */
    printf("try_acquire(1) while main holds them all: %s\n",
           goc_sema_try_acquire(sem, 1) ? "got one?!" : "no");
    check(goc_sema_release(sem, LIMIT), "release all");

    goc_wg_wait(&wg);
    printf("most units in flight at once: %ld (never above %d)\n",
           atomic_load(&max_in_flight), LIMIT);
    goc_sema_free(sem);
    return atomic_load(&max_in_flight) <= LIMIT ? 0 : 1;
}
