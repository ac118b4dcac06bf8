/*
 * mutex_state.c - prints glibc's fields of mutexes through a fixed
 * sequence of locks and unlocks, for test_mutex_fast.sh, which wants the
 * same lines natively and under the recorder (which takes and releases
 * an uncontended default mutex itself, preload/mutex_fast.c).
 *
 * Every ordering is forced: a blocked locker is waited for until glibc
 * marks the lock word 2 (someone waits), a condvar waiter is the thread
 * that holds the mutex while its partner is started.  An alarm ends a
 * run in which an unlock failed to wake its waiter.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void
show(const char *what, const pthread_mutex_t *m)
{
    int owner = m->__data.__owner, lock = m->__data.__lock;
    char word[16];

    /* A robust mutex's lock word is its owner's tid. */
    if (lock == gettid())
        snprintf(word, sizeof word, "tid");
    else
        snprintf(word, sizeof word, "%d", lock);
    printf("%s: lock=%s owner=%s nusers=%u count=%u\n", what, word,
           owner == 0 ? "none" : owner == gettid() ? "self" : "other",
           m->__data.__nusers, m->__data.__count);
}

static void
check(int err, const char *what)
{
    if (err != 0)
        printf("%s: %s\n", what, strerror(err));
}

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void *
try_other(void *arg)
{
    (void)arg;
    printf("trylock from another thread: %s\n",
           pthread_mutex_trylock(&m) == EBUSY ? "EBUSY" : "taken");
    return NULL;
}

static void *
block_then_show(void *arg)
{
    (void)arg;
    check(pthread_mutex_lock(&m), "blocked lock");
    show("woken locker holds it", &m);
    check(pthread_mutex_unlock(&m), "woken locker's unlock");
    return NULL;
}

static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int ready;

static void *
signal_ready(void *arg)
{
    (void)arg;
    check(pthread_mutex_lock(&m), "signaller's lock");
    ready = 1;
    check(pthread_cond_signal(&cv), "signal");
    check(pthread_mutex_unlock(&m), "signaller's unlock");
    return NULL;
}

static void
uncontended(void)
{
    pthread_t th;

    show("static, free", &m);
    check(pthread_mutex_lock(&m), "lock");
    show("locked", &m);
    check(pthread_create(&th, NULL, try_other, NULL), "create");
    check(pthread_join(th, NULL), "join");
    check(pthread_mutex_unlock(&m), "unlock");
    show("unlocked", &m);
    for (int i = 0; i < 1000; i++) {
        check(pthread_mutex_lock(&m), "lock in loop");
        check(pthread_mutex_unlock(&m), "unlock in loop");
    }
    show("after 1000 rounds", &m);
    printf("trylock free: %d\n", pthread_mutex_trylock(&m));
    show("trylocked", &m);
    printf("trylock held: %s\n",
           pthread_mutex_trylock(&m) == EBUSY ? "EBUSY" : "taken");
    check(pthread_mutex_unlock(&m), "unlock after trylock");
    show("unlocked again", &m);
}

/* The unlock of a held mutex that someone waits for must wake them. */
static void
contended(void)
{
    pthread_t th;

    check(pthread_mutex_lock(&m), "lock");
    check(pthread_create(&th, NULL, block_then_show, NULL), "create");
    while (__atomic_load_n(&m.__data.__lock, __ATOMIC_ACQUIRE) != 2)
        sched_yield();
    show("held, with a waiter", &m);
    check(pthread_mutex_unlock(&m), "unlock with a waiter");
    check(pthread_join(th, NULL), "join");
    show("after the waiter", &m);
}

static void
condvar(void)
{
    pthread_t th;

    check(pthread_mutex_lock(&m), "lock");
    check(pthread_create(&th, NULL, signal_ready, NULL), "create");
    while (!ready)
        check(pthread_cond_wait(&cv, &m), "cond_wait");
    show("after cond_wait", &m);
    check(pthread_mutex_unlock(&m), "unlock");
    check(pthread_join(th, NULL), "join");
    show("after the signaller", &m);
}

static void
kinds(void)
{
    static const struct {
        int type;
        const char *name;
    } kind[] = {{PTHREAD_MUTEX_NORMAL, "normal"},
                {PTHREAD_MUTEX_ERRORCHECK, "errorcheck"},
                {PTHREAD_MUTEX_RECURSIVE, "recursive"},
                {PTHREAD_MUTEX_ADAPTIVE_NP, "adaptive"}};
    char what[64];

    for (size_t k = 0; k < sizeof kind / sizeof kind[0]; k++) {
        for (int robust = 0; robust <= 1; robust++) {
            pthread_mutexattr_t a;
            pthread_mutex_t x;
            pthread_mutexattr_init(&a);
            pthread_mutexattr_settype(&a, kind[k].type);
            if (robust)
                pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
            check(pthread_mutex_init(&x, &a), "init");
            snprintf(what, sizeof what, "%s%s, locked", kind[k].name,
                     robust ? " robust" : "");
            check(pthread_mutex_lock(&x), "lock");
            if (kind[k].type == PTHREAD_MUTEX_RECURSIVE)
                check(pthread_mutex_lock(&x), "relock");
            show(what, &x);
            if (kind[k].type == PTHREAD_MUTEX_RECURSIVE)
                check(pthread_mutex_unlock(&x), "unlock once");
            check(pthread_mutex_unlock(&x), "unlock");
            snprintf(what, sizeof what, "%s%s, unlocked", kind[k].name,
                     robust ? " robust" : "");
            show(what, &x);
            check(pthread_mutex_destroy(&x), "destroy");
            pthread_mutexattr_destroy(&a);
        }
    }
}

int
main(void)
{
    alarm(20);
    setvbuf(stdout, NULL, _IOLBF, 0);
    uncontended();
    contended();
    condvar();
    kinds();
    return 0;
}
