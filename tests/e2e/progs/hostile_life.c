/*
 * hostile_life.c - threads at the edges of a process's life.
 *   ctor     a thread made in a constructor (before main) and one made in
 *            an atexit handler (after exit began), each taking a lock
 *   exit     exit(3) from a non-main thread while others run
 *   _exit    _exit(5) while another thread runs
 *   pexit    pthread_exit from main; the other threads go on, one after
 *            the other, and the process ends with the last of them (0)
 *   pexit-busy  the same after 200,000 lock/unlock pairs, enough under
 *            record=all for the recorder's background thread to start
 *            for its log; first prints whether a thread named
 *            gctrace-watch runs
 * Output is deterministic: workers only print in a fixed order.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long counter;           /* guarded by mu */
static pthread_t ctor_thread;
static _Atomic int stop;

static void *
bump(void *arg)
{
    pthread_mutex_lock(&mu);
    counter++;
    pthread_mutex_unlock(&mu);
    return arg;
}

static void
in_atexit(void)
{
    pthread_t th;
    void *r;
    pthread_create(&th, NULL, bump, "atexit");
    pthread_join(th, &r);
    printf("%s thread ran, counter %ld\n", (char *)r, counter);
}

__attribute__((constructor)) static void
before_main(void)
{
    pthread_create(&ctor_thread, NULL, bump, "constructor");
}

/* Spins taking the lock until told to stop (never, in exit modes). */
static void *
spin(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        pthread_mutex_lock(&mu);
        counter++;
        pthread_mutex_unlock(&mu);
    }
    return NULL;
}

static pthread_barrier_t started;

static void *
exiter(void *arg)
{
    pthread_barrier_wait(&started);
    printf("exit from a thread\n");
    exit((int)(long)arg);
}

/* Whether a thread of this process is named name. */
static int
thread_named(const char *name)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int found = 0;
    while (d && !found && (e = readdir(d)) != NULL) {
        char path[300], comm[64] = "";
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        found = fgets(comm, sizeof comm, f) &&
                strncmp(comm, name, strlen(name)) == 0;
        fclose(f);
    }
    if (d)
        closedir(d);
    return found;
}

/* Waits for the previous thread of the chain, then prints. */
static void *
chained(void *arg)
{
    pthread_t *prev = arg;
    static int n;
    if (prev)
        pthread_join(*prev, NULL);
    bump(NULL);
    printf("chained thread %d\n", ++n);
    return NULL;
}

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "ctor";
    void *r;

    /* the constructor's thread exists in every mode: join it first */
    pthread_join(ctor_thread, &r);
    printf("%s thread ran\n", (char *)r);
    fflush(stdout);
    if (strcmp(mode, "ctor") == 0) {
        atexit(in_atexit);
        return 0;
    }
    if (strcmp(mode, "exit") == 0 || strcmp(mode, "_exit") == 0) {
        pthread_t th[3], ex;
        pthread_barrier_init(&started, NULL, 2);
        for (int i = 0; i < 3; i++)
            pthread_create(&th[i], NULL, spin, NULL);
        if (strcmp(mode, "_exit") == 0) {
            /* the spinners are running: leave without any clean-up */
            const char msg[] = "_exit from main\n";
            ssize_t w = write(1, msg, sizeof msg - 1);
            _exit(w > 0 ? 5 : 1);
        }
        pthread_create(&ex, NULL, exiter, (void *)3L);
        pthread_barrier_wait(&started);   /* the exiter runs now */
        for (int i = 0; i < 3; i++)
            pthread_join(th[i], NULL);    /* never returns: exit(3) wins */
        return 1;
    }
    if (strcmp(mode, "pexit-busy") == 0) {
        for (int i = 0; i < 200000; i++)
            bump(NULL);
        printf("background thread: %s\n",
               thread_named("gctrace-watch") ? "yes" : "no");
        fflush(stdout);
        mode = "pexit";
    }
    if (strcmp(mode, "pexit") == 0) {
        static pthread_t th[4];
        for (int i = 0; i < 4; i++)
            pthread_create(&th[i], NULL, chained, i ? &th[i - 1] : NULL);
        pthread_exit(NULL);
    }
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
}
