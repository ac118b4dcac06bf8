/*
 * hostile_signal.c - signals against traced waits.
 *   mutex   a SIGALRM handler (SA_RESTART or not) runs while main is
 *           blocked in pthread_mutex_lock; the lock must still be taken
 *           (mutex waits never fail with EINTR) once the holder lets go
 *   sem     SIGALRM without SA_RESTART interrupts sem_wait: -1/EINTR
 *   semr    the same with SA_RESTART: glibc's sem_wait is restarted (its
 *           futex wait is) and returns 0 after the helper's sem_post
 *   stop    locks in a loop until its parent (the test) sends SIGCONT
 *           after SIGSTOP; prints "ready" first, then waits on stdin
 *   loop    record=all fodder: lock/unlock, then write the iteration
 *           number (decimal, one line, write(2)) to fd 3, forever
 * The alarm is raised by a helper thread with pthread_kill once main is
 * known to sleep in the primitive's futex wait (/proc, sleeping.h), not
 * by a timer.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sleeping.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static sem_t sem;
static pthread_t main_thread;
static int main_tid;
static _Atomic int alarms;
static pthread_barrier_t holding;

static void
on_alarm(int sig)
{
    (void)sig;
    atomic_fetch_add(&alarms, 1);
}

/* Waits until main sleeps in the primitive's futex wait on obj (size
 * bytes), not merely asleep on its way there, then signals it. */
static void
alarm_main_when_blocked(const void *obj, size_t size)
{
    struct timespec ms = {0, 1000000};

    wait_in_futex(main_tid, obj, size);
    pthread_kill(main_thread, SIGALRM);
    /* the handler ran once main's alarm count moves */
    for (int i = 0; i < 10000 && atomic_load(&alarms) == 0; i++)
        nanosleep(&ms, NULL);
}

static void *
holder(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    pthread_barrier_wait(&holding);
    alarm_main_when_blocked(&mu, sizeof mu);
    pthread_mutex_unlock(&mu);
    return NULL;
}

static void *
poster(void *arg)
{
    (void)arg;
    alarm_main_when_blocked(&sem, sizeof sem);
    sem_post(&sem);     /* wakes a restarted wait; an interrupted one is over */
    return NULL;
}

static void
handle(int restart)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = restart ? SA_RESTART : 0;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
}

static void
loop(void)
{
    char buf[32];
    for (long i = 1;; i++) {
        pthread_mutex_lock(&mu);
        pthread_mutex_unlock(&mu);
        int n = snprintf(buf, sizeof buf, "%ld\n", i);
        if (write(3, buf, (size_t)n) != n)
            _exit(1);
    }
}

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    pthread_t th;

    main_thread = pthread_self();
    main_tid = (int)syscall(SYS_gettid);
    if (strcmp(mode, "mutex") == 0 || strcmp(mode, "mutexr") == 0) {
        handle(strcmp(mode, "mutexr") == 0);
        pthread_barrier_init(&holding, NULL, 2);
        pthread_create(&th, NULL, holder, NULL);
        pthread_barrier_wait(&holding);
        int r = pthread_mutex_lock(&mu);
        pthread_mutex_unlock(&mu);
        pthread_join(th, NULL);
        printf("lock %d alarms %d\n", r, atomic_load(&alarms));
        return 0;
    }
    if (strcmp(mode, "sem") == 0 || strcmp(mode, "semr") == 0) {
        handle(strcmp(mode, "semr") == 0);
        sem_init(&sem, 0, 0);
        pthread_create(&th, NULL, poster, NULL);
        int r = sem_wait(&sem);
        int e = errno;
        pthread_join(th, NULL);
        printf("sem_wait %d %s alarms %d\n", r, r ? strerror(e) : "ok",
               atomic_load(&alarms));
        return 0;
    }
    if (strcmp(mode, "stop") == 0) {
        /* locks from a second thread while main reads stdin: both are
         * frozen by SIGSTOP and go on after SIGCONT */
        printf("ready\n");
        fflush(stdout);
        char line[64];
        if (fgets(line, sizeof line, stdin) == NULL)
            return 1;
        for (int i = 0; i < 1000; i++) {
            pthread_mutex_lock(&mu);
            pthread_mutex_unlock(&mu);
        }
        printf("got %s", line);
        return 0;
    }
    if (strcmp(mode, "loop") == 0)
        loop();
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
}
