/*
 * wakeable.c - main waits, with no timeout, for something that no
 * thread of its process will do.  In the healthy modes something outside
 * those threads ends the wait; in the buggy twins nothing can.
 *
 * Healthy (every run ends with status 0):
 *   shared_sem   a process-shared semaphore in shared memory, which a
 *                forked child posts
 *   shared_cond  a process-shared mutex and condvar in shared memory,
 *                which a forked child signals
 *   alarm        a semaphore of the process's own, which a SIGALRM
 *                handler posts when alarm(1) fires
 *   late_handler a thread waits on a semaphore of the process's own
 *                before main installs a SIGUSR1 handler that posts it and
 *                joins that thread; the child sends SIGUSR1
 * Deadlocked (the twins):
 *   private_sem  as shared_sem, but the semaphore is the process's own
 *                and the child ends without posting it
 *   fault_sem    as alarm, but the only handler is for SIGSEGV, which no
 *                sleeping thread raises, and there is no alarm
 *   handler_cond a SIGINT handler is installed, but main waits on a
 *                condvar of its own, which no handler can signal
 *
 * The child (forked in every mode; a process of its own) waits until
 * main sleeps in its wait; in the shared modes it then waits HOLD_MS
 * more (longer than the watchdog's delay in test_wakeable.sh: main's
 * wait must outlast it to be judged) and does its part; in the others it
 * ends.  With a second argument
 * "kill" it kills main with SIGKILL instead, once main sleeps: the trace
 * of a process killed while waiting, for the finishing step to judge.
 * Usage: wakeable MODE [kill]
 */
#define _GNU_SOURCE /* gettid */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HOLD_MS 1200

struct shared {
    sem_t sem;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int done;
};

static struct shared *sh;
static sem_t own; /* the process's own semaphore */

static void
post_own(int sig)
{
    (void)sig;
    sem_post(&own);
}

static void
on(int sig, void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) != 0) {
        perror("sigaction");
        exit(2);
    }
}

static void
sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, ms % 1000 * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Whether process pid's main thread sleeps in a futex wait. */
static int
asleep_in_futex(pid_t pid)
{
    char path[64], buf[512], wchan[64] = "";
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    snprintf(path, sizeof path, "/proc/%d/wchan", (int)pid);
    f = fopen(path, "r");
    if (f) {
        if (fgets(wchan, sizeof wchan, f) == NULL)
            wchan[0] = '\0';
        fclose(f);
    }
    return p && p[1] == ' ' && p[2] == 'S' && strstr(wchan, "futex");
}

/* Waits until thread tid sleeps in a futex wait, for 20 polls in a row
 * (not in a passing one of libc's or the recorder's on its way to the
 * wait), at most 20 s, or until our parent is no longer parent. */
static void
until_asleep(pid_t tid, pid_t parent)
{
    for (int i = 0, asleep = 0;
         i < 20000 && getppid() == parent && asleep < 20; i++) {
        asleep = asleep_in_futex(tid) ? asleep + 1 : 0;
        sleep_ms(1);
    }
}

/* The child: once main sleeps in its wait (it says when it is about to
 * wait through the pipe), does what the mode gives it to do. */
static void
child(const char *mode, int kill_main, int ready)
{
    pid_t parent = getppid();
    char c;
    if (read(ready, &c, 1) != 1)
        _exit(3);
    until_asleep(parent, parent);
    if (kill_main) {
        kill(parent, SIGKILL);
        _exit(0);
    }
    if (!strcmp(mode, "shared_sem")) {
        sleep_ms(HOLD_MS);
        sem_post(&sh->sem);
    } else if (!strcmp(mode, "late_handler")) {
        sleep_ms(HOLD_MS);
        kill(parent, SIGUSR1);
    } else if (!strcmp(mode, "shared_cond")) {
        sleep_ms(HOLD_MS);
        pthread_mutex_lock(&sh->mu);
        sh->done = 1;
        pthread_cond_signal(&sh->cond);
        pthread_mutex_unlock(&sh->mu);
    }
    _exit(0);
}

static void
make_shared(void)
{
    pthread_mutexattr_t ma;
    pthread_condattr_t ca;

    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE,
              MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    sem_init(&sh->sem, 1, 0);
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&sh->mu, &ma);
    pthread_condattr_init(&ca);
    pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
    pthread_cond_init(&sh->cond, &ca);
}

static void *
wait_own(void *arg)
{
    int *said = arg;
    pid_t tid = gettid();

    if (write(said[1], &tid, sizeof tid) != sizeof tid)
        exit(2);
    while (sem_wait(&own) != 0 && errno == EINTR)
        ;
    return NULL;
}

/* late_handler's: a thread sleeps in its wait on the semaphore before
 * main installs the handler that posts it. */
static void
wait_late(void)
{
    pthread_t t;
    int said[2];
    pid_t tid;

    if (pipe(said) != 0 || pthread_create(&t, NULL, wait_own, said) != 0 ||
        read(said[0], &tid, sizeof tid) != sizeof tid)
        exit(2);
    until_asleep(tid, getppid());
    on(SIGUSR1, post_own);
    pthread_join(t, NULL);
}

/* main's wait, the mode's. */
static void
wait_for_it(const char *mode)
{
    if (!strcmp(mode, "late_handler")) {
        wait_late();
    } else if (!strcmp(mode, "shared_sem")) {
        while (sem_wait(&sh->sem) != 0 && errno == EINTR)
            ;
    } else if (!strcmp(mode, "shared_cond")) {
        pthread_mutex_lock(&sh->mu);
        while (!sh->done)
            pthread_cond_wait(&sh->cond, &sh->mu);
        pthread_mutex_unlock(&sh->mu);
    } else if (!strcmp(mode, "handler_cond")) {
        pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
        pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
        pthread_mutex_lock(&mu);
        pthread_cond_wait(&cond, &mu); /* nobody signals it */
        pthread_mutex_unlock(&mu);
    } else {
        /* alarm, private_sem, fault_sem: the process's own semaphore */
        while (sem_wait(&own) != 0 && errno == EINTR)
            ;
    }
}

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "shared_sem";
    int kill_main = argc > 2 && !strcmp(argv[2], "kill");
    int ready[2];

    make_shared();
    sem_init(&own, 0, 0);
    if (!strcmp(mode, "alarm"))
        on(SIGALRM, post_own);
    else if (!strcmp(mode, "fault_sem"))
        on(SIGSEGV, post_own);
    else if (!strcmp(mode, "handler_cond"))
        on(SIGINT, post_own);
    if (pipe(ready) != 0) {
        perror("pipe");
        return 2;
    }
    pid_t pid = fork();
    if (pid == 0)
        child(mode, kill_main, ready[0]);
    if (pid < 0) {
        perror("fork");
        return 2;
    }
    if (!strcmp(mode, "alarm") && !kill_main)
        alarm(1);
    if (write(ready[1], "w", 1) != 1)
        return 2;
    wait_for_it(mode);
    waitpid(pid, NULL, 0);
    printf("%s: woken\n", mode);
    return 0;
}
