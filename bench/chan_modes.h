/*
 * chan_modes.h - the four channel workloads that chan_bench (libgoc's
 * channels) and queue_bench (its pthread baseline) both run, and their
 * common main, so that both parse the same arguments and print the same
 * line.  bench/README.md describes the modes.
 *
 * Included last, by a file that defines CHAN_IMPL (the line's impl=
 * value), struct run (with an int64_t items) and the three workloads:
 *     int64_t run_pingpong(struct run *r);
 *     int64_t run_buffered(struct run *r, int nprod, int ncons);
 *     int64_t run_select4(struct run *r);
 * each returning the nanoseconds its timed part took.
 */
#ifndef CHAN_MODES_H
#define CHAN_MODES_H

#include <inttypes.h>

static const struct mode {
    const char *name;
    int64_t default_items;
} modes[] = {
    {"pingpong", 200000},
    {"buf1x1", 2000000},
    {"buf4x4", 2000000},
    {"select4", 2000000},
};

int
main(int argc, char **argv)
{
    static struct run r; /* large for the queue (its rings): not on the stack */
    const struct mode *m = NULL;
    int64_t ns;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s pingpong|buf1x1|buf4x4|select4 [ITEMS]\n",
                program_invocation_short_name);
        return 2;
    }
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (strcmp(argv[1], modes[i].name) == 0)
            m = &modes[i];
    if (m == NULL)
        die("unknown mode (pingpong, buf1x1, buf4x4, select4)");
    r.items = argc == 3 ? strtoll(argv[2], NULL, 10) : m->default_items;
    if (r.items <= 0)
        die("ITEMS must be a positive number");

    if (strcmp(m->name, "pingpong") == 0)
        ns = run_pingpong(&r);
    else if (strcmp(m->name, "buf1x1") == 0)
        ns = run_buffered(&r, 1, 1);
    else if (strcmp(m->name, "buf4x4") == 0)
        ns = run_buffered(&r, NPROD_4X4, NCONS_4X4);
    else
        ns = run_select4(&r);

    printf("bench=chan impl=%s mode=%s ops=%" PRId64 " ns=%" PRId64
           " ns_per_op=%.1f ops_per_s=%.0f\n",
           CHAN_IMPL, m->name, r.items, ns, (double)ns / (double)r.items,
           (double)r.items * 1e9 / (double)ns);
    return 0;
}

#endif
