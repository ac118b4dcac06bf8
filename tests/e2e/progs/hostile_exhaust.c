/*
 * hostile_exhaust.c - a program out of resources, still taking locks.
 *   fds    opens /dev/null until EMFILE, then takes locks and creates and
 *          joins a thread that takes them too
 *   mem    caps its address space (RLIMIT_AS) just above what it uses,
 *          mallocs until that fails, then does the same
 *   many N N lock/unlock pairs (record=all: a stream of events)
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long counter;    /* guarded by mu */

static void *
work(void *arg)
{
    for (int i = 0; i < 1000; i++) {
        pthread_mutex_lock(&mu);
        counter++;
        pthread_mutex_unlock(&mu);
    }
    return arg;
}

/* Locks on main, then on a new thread (which may fail to start). */
static void
lock_and_thread(void)
{
    pthread_t th;
    work(NULL);
    int r = pthread_create(&th, NULL, work, NULL);
    if (r == 0)
        pthread_join(th, NULL);
    printf("thread %s, counter %ld\n", r == 0 ? "ran" : "not created",
           counter);
}

/* Our own virtual size now, from /proc/self/statm (pages). */
static long
vsize(void)
{
    long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return pages * sysconf(_SC_PAGESIZE);
}

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "fds") == 0) {
        int n = 0, e = 0;
        for (;;) {
            if (open("/dev/null", O_RDONLY) < 0) {
                e = errno;
                break;
            }
            n++;
        }
        /* n differs with the recorder (it holds descriptors of its own),
         * so only the error is printed */
        printf("open failed: %s\n", strerror(e));
        lock_and_thread();
        return n > 0 ? 0 : 1;
    }
    if (strcmp(mode, "mem") == 0) {
        struct rlimit rl;
        rl.rlim_cur = rl.rlim_max = (rlim_t)vsize() + 64 * 1024 * 1024;
        if (setrlimit(RLIMIT_AS, &rl) != 0)
            return 1;
        size_t got = 0;
        void *p, *last = NULL;
        while ((p = malloc(1024 * 1024)) != NULL) {
            memset(p, 1, 4096);
            *(void **)p = last;
            last = p;
            got++;
        }
        printf("malloc failed after some MiB: %s\n", got ? "yes" : "no");
        lock_and_thread();
        while (last) {
            p = *(void **)last;
            free(last);
            last = p;
        }
        return 0;
    }
    if (strcmp(mode, "many") == 0 && argc > 2) {
        long n = strtol(argv[2], NULL, 10);
        for (long i = 0; i < n; i++) {
            pthread_mutex_lock(&mu);
            pthread_mutex_unlock(&mu);
        }
        printf("did %ld\n", n);
        return 0;
    }
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
}
