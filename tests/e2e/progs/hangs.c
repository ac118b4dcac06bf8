/*
 * hangs.c MODE - programs whose threads all end up blocked for good, on
 * something other than a cycle of locks, and their twins that end.
 *
 *   signaller_gone  main waits on a condvar whose only signaller ended
 *                   without signalling (joined first, so it has ended)
 *   signalled       the twin: the signaller sets the flag and signals
 *   barrier_extra   three threads wait on a barrier of two: two pass, the
 *                   third waits for a round nobody will fill; main joins
 *                   them all
 *   barrier_rounds  the twin: four threads, two full rounds
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static bool ready;
static pthread_barrier_t bar;

static void *
signaller(void *arg)
{
    if (arg != NULL) {
        pthread_mutex_lock(&mu);
        ready = true;
        pthread_cond_signal(&cv);
        pthread_mutex_unlock(&mu);
    }
    return NULL; /* without arg: ends and signals nobody */
}

static void *
at_barrier(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&bar);
    return NULL;
}

static void
cond_case(bool signals)
{
    pthread_t t;

    pthread_create(&t, NULL, signaller, signals ? &t : NULL);
    pthread_join(t, NULL);
    pthread_mutex_lock(&mu);
    while (!ready)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
}

static void
barrier_case(int threads)
{
    pthread_t t[4];

    pthread_barrier_init(&bar, NULL, 2);
    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, at_barrier, NULL);
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&bar);
}

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";

    if (!strcmp(mode, "signaller_gone") || !strcmp(mode, "signalled"))
        cond_case(!strcmp(mode, "signalled"));
    else if (!strcmp(mode, "barrier_extra") ||
             !strcmp(mode, "barrier_rounds"))
        barrier_case(!strcmp(mode, "barrier_extra") ? 3 : 4);
    else
        return 2;
    printf("%s: ended\n", mode);
    return 0;
}
