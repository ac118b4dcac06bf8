/*
 * bug_leaky_generator.c - BUG: a generator goroutine that can never stop.
 * The fixed twin is fix_leaky_generator.c.
 *
 * Go mistake mirrored (the guides' "leaky generator"):
 *
 *     func leakyGenerator() <-chan int {
 *         ch := make(chan int)
 *         go func() {
 *             for i := 0; ; i++ {
 *                 ch <- i // blocks forever once the consumer stops
 *             }
 *         }()
 *         return ch
 *     }
 *
 *     ch := leakyGenerator()
 *     for i := 0; i < 3; i++ { fmt.Println(<-ch) }
 *     return // the generator goroutine is stuck on its next send
 *
 * The consumer takes three values and returns.  The generator has already
 * computed the fourth and waits, forever, for someone to take it from the
 * unbuffered channel: nobody will.  In a server that calls this for each
 * request, one goroutine (a thread and its stack, here) leaks per request.
 *
 * The program itself finishes normally and exits 0: a leaked goroutine is
 * simply still blocked when main returns.
 *
 * What gctrace should report:
 *   leaked_thread: the goroutine "generator", started in leaky_generator()
 *   (the goc_go_named call), still blocked in "chan send" on the channel
 *   "numbers" (made in leaky_generator()) at the goc_chan_send in
 *   generate() when the process exited.
 */
#include <goc.h>

#include <stdio.h>
#include <stdlib.h>

static void
check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", what, goc_strerror(rc));
        exit(1);
    }
}

static void
generate(void *arg)
{
    goc_chan *out = arg;

    for (int i = 0;; i++)
        if (goc_chan_send(out, &i) != 0) /* blocks forever on i == 3 */
            return;
}

/* Returns a channel of 0, 1, 2, ...  Nothing can ever stop the goroutine
 * behind it: it has no context, and nobody closes its channel. */
static goc_chan *
leaky_generator(void)
{
    goc_chan *ch;

    check(goc_chan_make_named(&ch, sizeof(int), 0, "numbers"), "make");
    check(goc_go_named("generator", generate, ch), "go");
    return ch;
}

static void
consume_three(void)
{
    goc_chan *numbers = leaky_generator();
    int v;

    printf("consumer: got");
    for (int i = 0; i < 3; i++) {
        check(goc_chan_recv(numbers, &v, NULL), "recv");
        printf(" %d", v);
    }
    printf("\nconsumer: done, returning without telling the generator\n");
    /* BUG: the generator is blocked sending 3 and nothing will unblock it.
     * The channel cannot even be freed: the goroutine still uses it. */
}

int
main(void)
{
    consume_three();
    printf("main: exiting with %zu goroutine still blocked\n", goc_count());
    return 0;
}
