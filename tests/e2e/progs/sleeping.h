/*
 * sleeping.h - for test programs that must let an operation complete only
 * once another thread is blocked in it: waits until that thread sleeps in
 * the kernel.  A thread that spins (libgoc parks with a spin first) is in
 * state R; one in a futex wait is in S.  No timing decides the outcome.
 */
#ifndef GCT_TEST_SLEEPING_H
#define GCT_TEST_SLEEPING_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Returns once thread tid of this process sleeps in the kernel. */
static void
wait_sleeping(int tid)
{
    char path[64], buf[256];

    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    for (;;) {
        FILE *f = fopen(path, "r");
        size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        if (f)
            fclose(f);
        buf[n] = '\0';
        /* "tid (comm) state ...": comm may hold spaces and parentheses */
        const char *p = strrchr(buf, ')');
        if (p && p[1] == ' ' && p[2] == 'S')
            return;
        usleep(100);
    }
}

#endif
