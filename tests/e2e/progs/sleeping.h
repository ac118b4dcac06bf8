/*
 * sleeping.h - for test programs that must let an operation complete only
 * once another thread is blocked in it: waits until that thread sleeps in
 * the kernel.  A thread that spins (libgoc parks with a spin first) is in
 * state R; one in a futex wait is in S.  No timing decides the outcome.
 */
#ifndef GCT_TEST_SLEEPING_H
#define GCT_TEST_SLEEPING_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* /proc/self/task/TID/WHAT into buf, as a string ("" when unreadable). */
static void
read_task_file(int tid, const char *what, char *buf, size_t size)
{
    char path[64];

    snprintf(path, sizeof path, "/proc/self/task/%d/%s", tid, what);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, size - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
}

/* Returns once thread tid of this process sleeps in the kernel. */
static void
wait_sleeping(int tid)
{
    char buf[256];

    for (;;) {
        read_task_file(tid, "stat", buf, sizeof buf);
        /* "tid (comm) state ...": comm may hold spaces and parentheses */
        const char *p = strrchr(buf, ')');
        if (p && p[1] == ' ' && p[2] == 'S')
            return;
        usleep(100);
    }
}

/* Returns once thread tid of this process sleeps in a futex wait on a
 * word of the object at obj (size bytes): in the primitive's own wait,
 * not merely asleep somewhere on its way there (a recorder may sleep
 * briefly in its own work before the wait), so that what is done to the
 * object next meets the thread inside it. */
static void
wait_in_futex(int tid, const void *obj, size_t size)
{
    char buf[256];

    for (;;) {
        read_task_file(tid, "syscall", buf, sizeof buf);
        long nr = -1;
        unsigned long addr = 0;
        /* "NR ARG1 ARG2 ...": the futex word is the first argument */
        if (sscanf(buf, "%ld %lx", &nr, &addr) == 2 && nr == SYS_futex &&
            addr >= (uintptr_t)obj && addr < (uintptr_t)obj + size)
            return;
        usleep(100);
    }
}

#endif
