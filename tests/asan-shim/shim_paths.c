/*
 * shim_paths.c - walks the recorder shim's paths that allocate, spawn or
 * hand memory between threads, for the run with the shim under ASan
 * (test_shim_asan.sh); the program itself frees everything, so a leak
 * report can only be the shim's.
 *
 *   paths     prints where malloc and pthread_create resolve (which library
 *             comes first), then: joined, detached, failed and C11 thread
 *             creations, a named thread, a lock-order inversion taken one
 *             side after the other (no deadlock), joins, rwlock, condvar,
 *             semaphore and barrier waits, and a fork whose child takes
 *             locks too
 *   leak      loses a malloc'd block (the leak checker must see it)
 *   overflow  a heap overflow through read(2) (ASan's interceptor must see
 *             it)
 *   ub        a signed overflow (built like the shim, UBSan traps and ASan
 *             must report the trap)
 */
#define _GNU_SOURCE /* dladdr, pthread_setname_np */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <threads.h>
#include <unistd.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t cm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int ready;                   /* guarded by cm */
static pthread_barrier_t bar;
static sem_t sem;
static sem_t named;                 /* b_then_a runs once it has its name */

/* The file of the library that symbol name resolves to. */
static const char *
home(const char *name)
{
    Dl_info info;
    void *p = dlsym(RTLD_DEFAULT, name);
    if (p == NULL || !dladdr(p, &info) || info.dli_fname == NULL)
        return "?";
    const char *slash = strrchr(info.dli_fname, '/');
    return slash ? slash + 1 : info.dli_fname;
}

static void *
b_then_a(void *arg)
{
    sem_wait(&named);
    pthread_mutex_lock(&b);
    pthread_mutex_lock(&a);
    pthread_mutex_unlock(&a);
    pthread_mutex_unlock(&b);
    return arg;
}

/* Waits for main's word on a condvar, then posts the semaphore. */
static void *
late(void *arg)
{
    pthread_mutex_lock(&cm);
    while (!ready)
        pthread_cond_wait(&cv, &cm);
    pthread_mutex_unlock(&cm);
    sem_post(&sem);
    return arg;
}

static void *
noop(void *arg)
{
    return arg;
}

static void *
detached(void *arg)
{
    pthread_barrier_wait(&bar);
    return arg;
}

static int
c11(void *arg)
{
    (void)arg;
    pthread_rwlock_rdlock(&rw);
    pthread_rwlock_unlock(&rw);
    return 7;
}

static int
paths(void)
{
    pthread_t th;
    pthread_attr_t attr;
    thrd_t ct;
    int res = 0;

    printf("malloc in %s, pthread_create in %s\n", home("malloc"),
           home("pthread_create"));
    sem_init(&sem, 0, 0);
    sem_init(&named, 0, 0);
    pthread_barrier_init(&bar, NULL, 2);

    /* a -> b here, b -> a on another thread: an inversion, one after the
     * other */
    pthread_mutex_lock(&a);
    pthread_mutex_lock(&b);
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
    if (pthread_create(&th, NULL, b_then_a, NULL) != 0)
        return 1;
    pthread_setname_np(th, "b-then-a");
    sem_post(&named);
    pthread_join(th, NULL);

    /* a detached thread, its end awaited through the barrier */
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&th, &attr, detached, NULL) != 0)
        return 1;
    pthread_attr_destroy(&attr);
    pthread_barrier_wait(&bar);

    /* a creation that fails: the shim must free what it prepared */
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, (size_t)1 << 46);
    int r = pthread_create(&th, &attr, noop, NULL);
    pthread_attr_destroy(&attr);
    if (r == 0)
        return 1;

    /* C11 threads */
    if (thrd_create(&ct, c11, NULL) != thrd_success ||
        thrd_join(ct, &res) != thrd_success || res != 7)
        return 1;

    /* a condvar handshake, a join and a semaphore wait */
    if (pthread_create(&th, NULL, late, NULL) != 0)
        return 1;
    pthread_mutex_lock(&cm);
    ready = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&cm);
    pthread_join(th, NULL);
    sem_wait(&sem);

    /* a child that takes locks too */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_rwlock_wrlock(&rw);
        pthread_mutex_lock(&a);
        pthread_mutex_unlock(&a);
        pthread_rwlock_unlock(&rw);
        exit(0);
    }
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
        WEXITSTATUS(st) != 0)
        return 1;

    pthread_barrier_destroy(&bar);
    sem_destroy(&sem);
    sem_destroy(&named);
    printf("paths done\n");
    return 0;
}

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";

    if (strcmp(mode, "paths") == 0)
        return paths();
    if (strcmp(mode, "leak") == 0) {
        char *volatile p = malloc(4242);
        p = NULL;
        return p != NULL;
    }
    if (strcmp(mode, "overflow") == 0) {
        /* read(2), which the compiler cannot drop as a dead store */
        char *p = malloc(16);
        size_t want = (size_t)argc + 15; /* 17, unknown to the compiler */
        int fd = open("/dev/zero", O_RDONLY);
        ssize_t n = read(fd, p, want);
        close(fd);
        free(p);
        return n != (ssize_t)want;
    }
    if (strcmp(mode, "ub") == 0) {
        int x = INT_MAX - 2 + argc; /* INT_MAX, unknown to the compiler */
        x += argc - 1;
        printf("%d\n", x);
        return 0;
    }
    fprintf(stderr, "usage: shim_paths paths|leak|overflow|ub\n");
    return 2;
}
