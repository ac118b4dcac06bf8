/*
 * attach_goc.c - a libgoc program for `gctrace attach` (test_attach.sh),
 * linked with the plain libgoc and run without gctrace.
 *
 *   chans    a goroutine waits to receive on c1 before it sends on c2;
 *            main receives on c2 first: every goroutine asleep on a
 *            channel
 *   waiting  the twin: main reads a line from stdin before it sends on
 *            c1, so the goroutine waits for main, which waits for
 *            input; then it prints what came back and exits 0
 */
#include <goc.h>
#include <stdio.h>
#include <string.h>

static goc_chan *c1, *c2;

static void
relay(void *arg)
{
    int v;
    (void)arg;
    if (goc_chan_recv(c1, &v, NULL) == 0)
        goc_chan_send(c2, &(int){v + 1});
}

int
main(int argc, char **argv)
{
    int v = 41;
    char line[16];

    if (argc != 2 || (strcmp(argv[1], "chans") && strcmp(argv[1], "waiting"))) {
        fprintf(stderr, "usage: attach_goc chans|waiting\n");
        return 2;
    }
    if (goc_chan_make(&c1, sizeof(int), 0) || goc_chan_make(&c2, sizeof(int), 0) ||
        goc_go(relay, NULL))
        return 1;
    if (strcmp(argv[1], "waiting") == 0) {
        printf("waiting\n");
        fflush(stdout);
        if (fgets(line, sizeof line, stdin) == NULL)
            return 1;
        goc_chan_send(c1, &v);
    }
    goc_chan_recv(c2, &v, NULL);
    printf("got %d\n", v);
    return 0;
}
