/*
 * attach_hang.c - programs that hang, and one that does not, for
 * `gctrace attach` and `gctrace core` (test_attach.sh, test_core.sh).
 * Built and run without gctrace.  Orderings are forced with barriers, so
 * the hanging modes always hang; the test waits until every thread
 * sleeps before it attaches.
 *
 *   abba    main holds a and waits for b; its thread holds b and waits
 *           for a
 *   cycle3  three threads each hold their lock and wait for the next
 *           one's; main joins the first
 *   cond    a thread waits on a condition variable nobody signals; main
 *           joins it
 *   zombie  the same thread, and main ends with pthread_exit: a zombie
 *           that ptrace cannot seize
 *   join    two threads join each other; main joins the first
 *   busy    the twin: three workers take a mutex in a loop and signal a
 *           fourth that waits on a condition variable, until a line
 *           comes on stdin; then everything is joined and a summary that
 *           does not depend on timing is printed, exit status 3.  Every
 *           signal that can be caught (but faults) has a handler that
 *           counts it, installed without SA_RESTART: a signal would show
 *           in the count, and would break main's read with EINTR
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t ring[3] = {PTHREAD_MUTEX_INITIALIZER,
                                  PTHREAD_MUTEX_INITIALIZER,
                                  PTHREAD_MUTEX_INITIALIZER};
static pthread_mutex_t cm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t bar;
static pthread_t joiners[2];

static void *
abba_second(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&b);
    pthread_barrier_wait(&bar);
    pthread_mutex_lock(&a);
    return NULL;
}

static void *
ring_member(void *arg)
{
    long i = (long)arg;
    pthread_mutex_lock(&ring[i]);
    pthread_barrier_wait(&bar);
    pthread_mutex_lock(&ring[(i + 1) % 3]);
    return NULL;
}

static void *
wait_forever(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&cm);
    for (;;)
        pthread_cond_wait(&never, &cm);
    return NULL;
}

static void *
join_other(void *arg)
{
    long i = (long)arg;
    pthread_barrier_wait(&bar); /* both handles are known */
    pthread_join(joiners[1 - i], NULL);
    return NULL;
}

/* busy */
static pthread_mutex_t work = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t more = PTHREAD_COND_INITIALIZER;
static long shared, pending, consumed;
static int stop;

static void *
worker(void *arg)
{
    long *mine = arg;
    for (;;) {
        pthread_mutex_lock(&work);
        if (stop) {
            pthread_mutex_unlock(&work);
            return NULL;
        }
        shared++;
        ++*mine;
        pending++;
        pthread_cond_signal(&more);
        pthread_mutex_unlock(&work);
    }
}

static void *
consumer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&work);
    while (!stop) {
        while (pending == 0 && !stop)
            pthread_cond_wait(&more, &work);
        consumed += pending;
        pending = 0;
    }
    pthread_mutex_unlock(&work);
    return NULL;
}

static volatile sig_atomic_t signals;

static void
count_signal(int sig)
{
    (void)sig;
    signals++;
}

static int
busy(void)
{
    pthread_t w[3], c;
    long mine[3] = {0, 0, 0};
    char line[64];
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = count_signal; /* no SA_RESTART */
    for (int s = 1; s < 32; s++)
        if (s != SIGKILL && s != SIGSTOP && s != SIGSEGV && s != SIGBUS &&
            s != SIGFPE && s != SIGILL && s != SIGTRAP && s != SIGABRT)
            sigaction(s, &sa, NULL);

    pthread_create(&c, NULL, consumer, NULL);
    for (int i = 0; i < 3; i++)
        pthread_create(&w[i], NULL, worker, &mine[i]);
    printf("working\n");
    fflush(stdout);
    if (fgets(line, sizeof line, stdin) == NULL) {
        perror("fgets");
        return 1;
    }
    pthread_mutex_lock(&work);
    stop = 1;
    pthread_cond_broadcast(&more);
    pthread_mutex_unlock(&work);
    for (int i = 0; i < 3; i++)
        pthread_join(w[i], NULL);
    pthread_join(c, NULL);
    printf("counts %s, consumed %s, %d signals\n",
           shared == mine[0] + mine[1] + mine[2] ? "add up" : "DIFFER",
           consumed + pending == shared ? "all" : "NOT ALL", (int)signals);
    return 3;
}

int
main(int argc, char **argv)
{
    pthread_t t[3];
    const char *mode = argc > 1 ? argv[1] : "";

    if (strcmp(mode, "abba") == 0) {
        pthread_barrier_init(&bar, NULL, 2);
        pthread_create(&t[0], NULL, abba_second, NULL);
        pthread_mutex_lock(&a);
        pthread_barrier_wait(&bar);
        pthread_mutex_lock(&b);
    } else if (strcmp(mode, "cycle3") == 0) {
        pthread_barrier_init(&bar, NULL, 3);
        for (long i = 0; i < 3; i++)
            pthread_create(&t[i], NULL, ring_member, (void *)i);
        pthread_join(t[0], NULL);
    } else if (strcmp(mode, "cond") == 0 || strcmp(mode, "zombie") == 0) {
        pthread_create(&t[0], NULL, wait_forever, NULL);
        if (strcmp(mode, "zombie") == 0)
            pthread_exit(NULL);
        pthread_join(t[0], NULL);
    } else if (strcmp(mode, "join") == 0) {
        pthread_barrier_init(&bar, NULL, 3);
        for (long i = 0; i < 2; i++)
            pthread_create(&joiners[i], NULL, join_other, (void *)i);
        pthread_barrier_wait(&bar);
        pthread_join(joiners[0], NULL);
    } else if (strcmp(mode, "busy") == 0) {
        return busy();
    } else {
        fprintf(stderr,
                "usage: attach_hang abba|cycle3|cond|zombie|join|busy\n");
        return 2;
    }
    printf("never\n");
    return 0;
}
