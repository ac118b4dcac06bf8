/*
 * c11.c - C11 threads (thrd_create, mtx_lock, cnd_wait, thrd_join), whose
 * glibc implementation bypasses the pthread entry points.  Mode "inverted"
 * takes two mtx_t in both orders (serialised, so it completes); "clean"
 * always takes them in one order.  Both join every thread.
 */
#include <stdio.h>
#include <string.h>
#include <threads.h>

static mtx_t a, b, m;
static cnd_t ready;
static int flag, inverted;

static int
worker(void *arg)
{
    (void)arg;
    mtx_lock(&m);
    while (!flag)
        cnd_wait(&ready, &m);
    mtx_unlock(&m);
    mtx_lock(inverted ? &b : &a);
    mtx_lock(inverted ? &a : &b);
    mtx_unlock(inverted ? &a : &b);
    mtx_unlock(inverted ? &b : &a);
    return 7;
}

int
main(int argc, char **argv)
{
    thrd_t t;
    int res = 0;

    inverted = argc > 1 && !strcmp(argv[1], "inverted");
    mtx_init(&a, mtx_plain);
    mtx_init(&b, mtx_plain);
    mtx_init(&m, mtx_plain);
    cnd_init(&ready);
    mtx_lock(&a);
    mtx_lock(&b);
    mtx_unlock(&b);
    mtx_unlock(&a);
    thrd_create(&t, worker, NULL);
    mtx_lock(&m);
    flag = 1;
    cnd_signal(&ready);
    mtx_unlock(&m);
    thrd_join(t, &res);
    printf("worker returned %d\n", res);
    return 0;
}
