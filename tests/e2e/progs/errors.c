/*
 * errors.c - exercises the error returns of pthread and semaphore calls
 * that the recorder intercepts, printing each result, so that the e2e test
 * can check the output is identical with and without the recorder.
 * A thread whose stack cannot be mapped is not created (EAGAIN).
 * `held` is the mutex the main thread holds while a helper thread probes
 * it; `ec` is an error-checking mutex; `cmu`/`cv` back the timed wait.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t ec;
static pthread_mutex_t cmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

static const char *
name(int e)
{
    switch (e) {
    case 0: return "0";
    case EBUSY: return "EBUSY";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EDEADLK: return "EDEADLK";
    case EPERM: return "EPERM";
    case EAGAIN: return "EAGAIN";
    case EINVAL: return "EINVAL";
    default: return strerror(e);
    }
}

static void
show(const char *what, int r)
{
    printf("%s: %s\n", what, name(r));
}

/* The deadline `ms` milliseconds from now on CLOCK_REALTIME (negative: past). */
static struct timespec
deadline(long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long long ns = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec +
                   (long long)ms * 1000000LL;
    ts.tv_sec = ns / 1000000000LL;
    ts.tv_nsec = ns % 1000000000LL;
    return ts;
}

/*
 * Runs in another thread while main holds `held` and `ec`.  It stores its
 * results in probe[] (read by main after the join) rather than printing,
 * so the output order does not depend on scheduling.
 */
static int probe[4];

static void *
prober(void *arg)
{
    (void)arg;
    probe[0] = pthread_mutex_trylock(&held);
    struct timespec past = deadline(-1000);
    probe[1] = pthread_mutex_timedlock(&held, &past);
    probe[2] = pthread_mutex_unlock(&ec);
    struct timespec bad = {0, 2000000000L}; /* tv_nsec out of range */
    probe[3] = pthread_mutex_timedlock(&held, &bad);
    return NULL;
}

int
main(void)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&ec, &a);
    pthread_mutexattr_destroy(&a);

    show("lock", pthread_mutex_lock(&held));
    show("lock errorcheck", pthread_mutex_lock(&ec));
    show("relock errorcheck", pthread_mutex_lock(&ec));

    /* No thread is made (its stack cannot be mapped): the recorder's
     * state prepared for it must go back, to serve the next one. */
    pthread_t t;
    pthread_attr_t huge;
    pthread_attr_init(&huge);
    pthread_attr_setstacksize(&huge, (size_t)1 << 47);
    show("create with a stack larger than memory",
         pthread_create(&t, &huge, prober, NULL));
    pthread_attr_destroy(&huge);

    show("create", pthread_create(&t, NULL, prober, NULL));
    show("join", pthread_join(t, NULL));
    show("trylock held mutex", probe[0]);
    show("timedlock held mutex, past deadline", probe[1]);
    show("unlock errorcheck mutex by non-owner", probe[2]);
    show("timedlock held mutex, invalid time", probe[3]);
    show("unlock", pthread_mutex_unlock(&held));
    show("unlock errorcheck", pthread_mutex_unlock(&ec));
    show("unlock errorcheck again", pthread_mutex_unlock(&ec));

    pthread_mutex_lock(&cmu);
    struct timespec soon = deadline(20);
    int r;
    do /* loop over spurious wakeups until the deadline passes */
        r = pthread_cond_timedwait(&cv, &cmu, &soon);
    while (r == 0);
    show("cond_timedwait", r);
    pthread_mutex_unlock(&cmu);

    sem_t s;
    sem_init(&s, 0, 0);
    r = sem_trywait(&s);
    printf("sem_trywait on 0: %d %s\n", r, r ? name(errno) : "");
    soon = deadline(20);
    do
        r = sem_timedwait(&s, &soon);
    while (r == -1 && errno == EINTR);
    printf("sem_timedwait: %d %s\n", r, r ? name(errno) : "");
    sem_post(&s);
    r = sem_trywait(&s);
    printf("sem_trywait on 1: %d\n", r);
    sem_destroy(&s);

    show("join self", pthread_join(pthread_self(), NULL));
    pthread_mutex_destroy(&ec);
    return 0;
}
