/*
 * pattern_worker_pool.c - a fixed pool of workers fed by a jobs channel.
 *
 * Go idiom mirrored (the worker pool of the concurrency guides):
 *
 *     jobs := make(chan Job, 100)
 *     results := make(chan Result, 100)
 *     var wg sync.WaitGroup
 *     for w := 0; w < numWorkers; w++ {
 *         wg.Add(1)
 *         go func() {
 *             defer wg.Done()
 *             for j := range jobs { results <- do(j) }
 *         }()
 *     }
 *     go func() { wg.Wait(); close(results) }()
 *     for _, j := range all { jobs <- j }
 *     close(jobs)
 *     for r := range results { ... }
 *
 * What to look at:
 *  - the producer (main) closes `jobs` when it has sent everything: that is
 *    what ends each worker's range loop;
 *  - a separate "closer" goroutine waits for the workers and then closes
 *    `results`, so that main can range over the results while workers still
 *    run (main cannot wait first: nobody would be reading the results);
 *  - in C nothing is garbage-collected, so main also waits for every
 *    goroutine it started (the `all` WaitGroup) before freeing channels.
 */
#include <goc.h>

#include <stdio.h>
#include <stdlib.h>

enum { NUM_WORKERS = 3, NUM_JOBS = 9 };

struct job {
    int id;
    int n;
};

struct result {
    int job_id;
    long square;
};

/* Everything the goroutines share; lives in main's frame until every
 * goroutine has returned. */
struct pool {
    goc_chan *jobs;           /* struct job; closed by main */
    goc_chan *results;        /* struct result; closed by the closer */
    goc_waitgroup workers;    /* the workers still running */
    goc_waitgroup all;        /* every goroutine, for the final clean-up */
};

/* Samples stop at the first unexpected error; real code would propagate
 * it to its caller. */
static void
check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", what, goc_strerror(rc));
        exit(1);
    }
}

static void
worker(void *arg)
{
    struct pool *p = arg;
    struct job j;

    /* for j := range jobs */
    while (goc_chan_recv(p->jobs, &j, NULL) == 0) {
        struct result r = {.job_id = j.id, .square = (long)j.n * j.n};

        goc_sleep(2 * GOC_MILLISECOND); /* simulate some real work */
        check(goc_chan_send(p->results, &r), "send result");
    }
    goc_wg_done(&p->workers); /* defer wg.Done() */
}

/* go func() { wg.Wait(); close(results) }() */
static void
closer(void *arg)
{
    struct pool *p = arg;

    goc_wg_wait(&p->workers);
    goc_chan_close(p->results);
}

int
main(void)
{
    struct pool p = {.workers = GOC_WAITGROUP_INIT, .all = GOC_WAITGROUP_INIT};
    long squares[NUM_JOBS] = {0};
    struct result r;
    int received = 0;

    check(goc_chan_make_named(&p.jobs, sizeof(struct job), NUM_JOBS, "jobs"),
          "make jobs");
    check(goc_chan_make_named(&p.results, sizeof(struct result), NUM_JOBS,
                              "results"), "make results");

    /* wg.Add before go, so that the closer cannot see a zero counter
     * before the workers have even started. */
    check(goc_wg_add(&p.workers, NUM_WORKERS), "wg add");
    for (int w = 0; w < NUM_WORKERS; w++)
        check(goc_wg_go(&p.all, worker, &p), "start worker");
    check(goc_wg_go(&p.all, closer, &p), "start closer");

    for (int i = 0; i < NUM_JOBS; i++) {
        struct job j = {.id = i, .n = i + 1};

        check(goc_chan_send(p.jobs, &j), "send job");
    }
    goc_chan_close(p.jobs); /* "no more jobs": ends the workers' loops */
    printf("main: sent %d jobs to %d workers, closed jobs\n", NUM_JOBS,
           NUM_WORKERS);

    /* for r := range results: ends when the closer closes results. */
    while (goc_chan_recv(p.results, &r, NULL) == 0) {
        squares[r.job_id] = r.square;
        received++;
    }

    /* Results arrive in whatever order the workers finish; print them by
     * job id so that the output is the same on every run. */
    for (int i = 0; i < NUM_JOBS; i++)
        printf("job %d: %d^2 = %ld\n", i, i + 1, squares[i]);
    printf("main: %d results, results channel closed after the last worker\n",
           received);

    goc_wg_wait(&p.all); /* nothing may touch the channels any more */
    goc_chan_free(p.jobs);
    goc_chan_free(p.results);
    return 0;
}
