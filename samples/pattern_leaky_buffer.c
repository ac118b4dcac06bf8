/*
 * pattern_leaky_buffer.c - a free list of buffers kept in a buffered
 * channel ("leaky buffer", from Effective Go).
 *
 * Go idiom mirrored:
 *
 *     var freeList = make(chan *Buffer, 100)
 *
 *     func getBuffer() *Buffer {
 *         select {
 *         case b := <-freeList:
 *             return b          // reuse one
 *         default:
 *             return new(Buffer) // none free: allocate
 *         }
 *     }
 *     func putBuffer(b *Buffer) {
 *         select {
 *         case freeList <- b:   // back on the free list
 *         default:              // free list full: let the GC have it
 *         }
 *     }
 *
 * In C, select-with-default on one channel is goc_chan_try_recv /
 * goc_chan_try_send, and "let the GC have it" is free().
 *
 * What to look at:
 *  - neither get nor put ever blocks: the channel is only a bounded,
 *    thread-safe stack of spare buffers; when it is empty we allocate and
 *    when it is full we drop ("leak" the buffer out of the pool), so the
 *    pool never holds more than its capacity;
 *  - part 1: a client fills buffers and a server consumes them and puts
 *    them back, so after the first few messages every buffer is a reused
 *    one (exactly how many are allocated depends on scheduling);
 *  - part 2: a burst takes more buffers than the pool holds; putting them
 *    all back keeps FREE_LIST_CAP of them and frees the rest.
 */
#include <goc.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FREE_LIST_CAP = 4, MESSAGES = 20, BURST = 6 };

struct buffer {
    char data[256];
    size_t len;
};

static goc_chan *free_list;      /* struct buffer *, cap FREE_LIST_CAP */
static atomic_int allocated, reused, dropped, live;

static void
check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", what, goc_strerror(rc));
        exit(1);
    }
}

static struct buffer *
get_buffer(void)
{
    struct buffer *b;

    if (goc_chan_try_recv(free_list, &b, NULL) == 0) {
        atomic_fetch_add(&reused, 1);
        return b;
    }
    b = malloc(sizeof(*b));
    if (!b) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    atomic_fetch_add(&allocated, 1);
    atomic_fetch_add(&live, 1);
    return b;
}

static void
put_buffer(struct buffer *b)
{
    b->len = 0; /* b.Reset() */
    if (goc_chan_try_send(free_list, &b) == 0)
        return;
    free(b); /* free list full */
    atomic_fetch_add(&dropped, 1);
    atomic_fetch_sub(&live, 1);
}

/* Part 1's server: consumes filled buffers and recycles them. */
static void
server(void *arg)
{
    goc_chan *requests = arg;
    struct buffer *b;
    size_t bytes = 0;

    while (goc_chan_recv(requests, &b, NULL) == 0) {
        bytes += b->len; /* "process" the message */
        put_buffer(b);
    }
    printf("server: processed %zu bytes\n", bytes);
}

int
main(void)
{
    goc_waitgroup wg = GOC_WAITGROUP_INIT;
    struct buffer *burst[BURST], *b;
    goc_chan *requests;

    check(goc_chan_make_named(&free_list, sizeof(struct buffer *),
                              FREE_LIST_CAP, "free list"), "free list");
    check(goc_chan_make_named(&requests, sizeof(struct buffer *), 0,
                              "requests"), "requests");

    /* Part 1: the client (main) and the server share the pool. */
    check(goc_wg_go(&wg, server, requests), "start server");
    for (int i = 0; i < MESSAGES; i++) {
        b = get_buffer();
        b->len = (size_t)snprintf(b->data, sizeof(b->data), "message %02d",
                                  i);
        check(goc_chan_send(requests, &b), "send request");
    }
    goc_chan_close(requests);
    goc_wg_wait(&wg);
    printf("part 1: %d messages: %d buffers allocated, %d times reused\n",
           MESSAGES, atomic_load(&allocated), atomic_load(&reused));

    /* Part 2: a burst larger than the pool. */
    atomic_store(&allocated, 0);
    atomic_store(&reused, 0);
    atomic_store(&dropped, 0);
    for (int i = 0; i < BURST; i++)
        burst[i] = get_buffer();
    for (int i = 0; i < BURST; i++)
        put_buffer(burst[i]);
    printf("part 2: took %d buffers at once (%d from the pool, %d new);\n"
           "        put back: %zu kept in the pool, %d freed\n",
           BURST, atomic_load(&reused), atomic_load(&allocated),
           goc_chan_len(free_list), atomic_load(&dropped));

    /* Empty the pool before freeing the channel that holds it. */
    while (goc_chan_try_recv(free_list, &b, NULL) == 0) {
        free(b);
        atomic_fetch_sub(&live, 1);
    }
    printf("buffers still allocated at exit: %d\n", atomic_load(&live));
    goc_chan_free(requests);
    goc_chan_free(free_list);
    return atomic_load(&live) == 0 ? 0 : 1;
}
