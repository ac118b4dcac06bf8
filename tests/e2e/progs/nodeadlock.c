/*
 * nodeadlock.c - every kind of lock held while another thread does what
 * makes a recorder take its own locks: one thread (the holder) holds at
 * the same moment a mutex, a recursive mutex (twice), a write-locked
 * rwlock, a read-locked rwlock, a C11 mtx_t and a semaphore's only count,
 * and sleeps in pthread_cond_wait on another mutex.  Meanwhile a second
 * thread (the actor) creates and joins a thread, lets a thread end with
 * pthread_exit, forks (the child takes fresh locks of every kind, prints,
 * exits; the parent waits) and is signalled (the handler takes no lock, it
 * writes a byte to a pipe).  Then the holder is woken and releases all.
 *
 * Every step is forced by barriers or by observable state, so the output
 * is the same on every run: a recorder that deadlocks against the program
 * shows up as a hang (the test runs it under timeout -s KILL), one that
 * changes its behaviour as a different output or status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <threads.h>
#include <unistd.h>

static pthread_mutex_t m_plain = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t m_rec;
static pthread_rwlock_t rw_w = PTHREAD_RWLOCK_INITIALIZER;
static pthread_rwlock_t rw_r = PTHREAD_RWLOCK_INITIALIZER;
static mtx_t m_c11;
static sem_t sem;
static pthread_mutex_t cv_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int release;             /* guarded by cv_mu */

/* holder and actor meet here once the holder holds everything and cv_mu */
static pthread_barrier_t held;
/* actor and main: the actor is about to wait for its signal */
static pthread_barrier_t armed;
static int sig_pipe[2];

static void
die(const char *what, int err)
{
    fprintf(stderr, "nodeadlock: %s: %s\n", what, strerror(err));
    exit(3);
}

static void *
holder(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m_plain);
    pthread_mutex_lock(&m_rec);
    pthread_mutex_lock(&m_rec);
    pthread_rwlock_wrlock(&rw_w);
    pthread_rwlock_rdlock(&rw_r);
    if (mtx_lock(&m_c11) != thrd_success)
        die("mtx_lock", EINVAL);
    while (sem_wait(&sem) != 0)
        if (errno != EINTR)
            die("sem_wait", errno);
    pthread_mutex_lock(&cv_mu);
    pthread_barrier_wait(&held);
    /* cv_mu is held until the wait releases it: the actor's lock of
     * cv_mu returning proves this thread is inside pthread_cond_wait */
    while (!release)
        pthread_cond_wait(&cv, &cv_mu);
    pthread_mutex_unlock(&cv_mu);
    sem_post(&sem);
    mtx_unlock(&m_c11);
    pthread_rwlock_unlock(&rw_r);
    pthread_rwlock_unlock(&rw_w);
    pthread_mutex_unlock(&m_rec);
    pthread_mutex_unlock(&m_rec);
    pthread_mutex_unlock(&m_plain);
    return NULL;
}

static void *
returner(void *arg)
{
    return (void *)((uintptr_t)arg * 2);
}

/* ends its thread from below the start routine, as real code does */
static void
give_up(void)
{
    pthread_exit((void *)7);
}

static void *
exiter(void *arg)
{
    (void)arg;
    give_up();
    return NULL;
}

static void
on_signal(int sig)
{
    unsigned char c = (unsigned char)sig;
    int saved = errno;

    /* no lock, no stdio: write(2) is async-signal-safe */
    if (write(sig_pipe[1], &c, 1) != 1)
        _exit(4);
    errno = saved;
}

/* The forked child: the holder does not exist here and its locks stay
 * held forever, so it takes fresh locks of every kind. */
static void
child(void)
{
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
    pthread_mutexattr_t a;
    pthread_mutex_t r;
    mtx_t c;
    sem_t s;

    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&r, &a);
    mtx_init(&c, mtx_plain);
    sem_init(&s, 0, 1);
    pthread_mutex_lock(&m);
    pthread_mutex_lock(&r);
    pthread_mutex_lock(&r);
    pthread_rwlock_wrlock(&rw);
    mtx_lock(&c);
    sem_wait(&s);
    printf("child: fresh locks taken\n");
    sem_post(&s);
    mtx_unlock(&c);
    pthread_rwlock_unlock(&rw);
    pthread_rwlock_rdlock(&rw);
    pthread_rwlock_unlock(&rw);
    pthread_mutex_unlock(&r);
    pthread_mutex_unlock(&r);
    pthread_mutex_unlock(&m);
    printf("child: released\n");
    exit(0);
}

static void *
actor(void *arg)
{
    pthread_t t;
    void *ret;
    int r;

    (void)arg;
    pthread_barrier_wait(&held);
    pthread_mutex_lock(&cv_mu);
    pthread_mutex_unlock(&cv_mu);

    /* everything is held right now */
    printf("held: mutex %s, recursive %s, wrlock %s, rdlock %s+%s, mtx %s, sem %s\n",
           pthread_mutex_trylock(&m_plain) == EBUSY ? "busy" : "FREE",
           pthread_mutex_trylock(&m_rec) == EBUSY ? "busy" : "FREE",
           pthread_rwlock_tryrdlock(&rw_w) == EBUSY ? "busy" : "FREE",
           pthread_rwlock_trywrlock(&rw_r) == EBUSY ? "busy" : "FREE",
           (r = pthread_rwlock_tryrdlock(&rw_r)) == 0 ? "shared" : "NOT-SHARED",
           mtx_trylock(&m_c11) == thrd_busy ? "busy" : "FREE",
           sem_trywait(&sem) != 0 && errno == EAGAIN ? "taken" : "FREE");
    if (r == 0)
        pthread_rwlock_unlock(&rw_r);

    if ((r = pthread_create(&t, NULL, returner, (void *)21)) != 0)
        die("pthread_create", r);
    pthread_join(t, &ret);
    printf("joined: %lu\n", (unsigned long)(uintptr_t)ret);

    if ((r = pthread_create(&t, NULL, exiter, NULL)) != 0)
        die("pthread_create", r);
    pthread_join(t, &ret);
    printf("exited: %lu\n", (unsigned long)(uintptr_t)ret);

    fflush(stdout);             /* the child must not flush our buffer */
    pid_t pid = fork();
    if (pid < 0)
        die("fork", errno);
    if (pid == 0)
        child();
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die("waitpid", errno);
    printf("child status: %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    fflush(stdout);

    /* main sends the signal after this barrier, before or during the
     * read: either way the handler's byte is what the read returns */
    pthread_barrier_wait(&armed);
    unsigned char c;
    ssize_t n;
    while ((n = read(sig_pipe[0], &c, 1)) < 0 && errno == EINTR)
        ;
    printf("signal: %s\n", n == 1 && c == SIGUSR1 ? "handled" : "LOST");

    pthread_mutex_lock(&cv_mu);
    release = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&cv_mu);
    return NULL;
}

int
main(void)
{
    pthread_mutexattr_t a;
    struct sigaction sa;
    pthread_t h, act;
    int r;

    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&m_rec, &a);
    if (mtx_init(&m_c11, mtx_plain) != thrd_success)
        die("mtx_init", EINVAL);
    if (sem_init(&sem, 0, 1) != 0)
        die("sem_init", errno);
    pthread_barrier_init(&held, NULL, 2);
    pthread_barrier_init(&armed, NULL, 2);
    if (pipe(sig_pipe) != 0)
        die("pipe", errno);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);

    if ((r = pthread_create(&h, NULL, holder, NULL)) != 0)
        die("pthread_create", r);
    if ((r = pthread_create(&act, NULL, actor, NULL)) != 0)
        die("pthread_create", r);
    pthread_barrier_wait(&armed);
    if ((r = pthread_kill(act, SIGUSR1)) != 0)
        die("pthread_kill", r);
    pthread_join(act, NULL);
    pthread_join(h, NULL);

    /* released: everything can be taken again */
    int ok = pthread_mutex_trylock(&m_plain) == 0 &&
             pthread_mutex_trylock(&m_rec) == 0 &&
             pthread_rwlock_trywrlock(&rw_w) == 0 &&
             pthread_rwlock_trywrlock(&rw_r) == 0 &&
             mtx_trylock(&m_c11) == thrd_success && sem_trywait(&sem) == 0;
    printf("released: %s\n", ok ? "all" : "NOT ALL");
    if (ok) { /* given back: a process that ends holding a lock is misuse */
        pthread_mutex_unlock(&m_plain);
        pthread_mutex_unlock(&m_rec);
        pthread_rwlock_unlock(&rw_w);
        pthread_rwlock_unlock(&rw_r);
        mtx_unlock(&m_c11);
    }
    return ok ? 0 : 1;
}
