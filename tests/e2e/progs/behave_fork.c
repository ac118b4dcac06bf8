/*
 * behave_fork.c - child processes made without the fork function, each
 * of which the recorder must tell from its parent.  Usage:
 *   behave_fork daemon|_Fork|sysfork [leak]
 *     daemon   the child of a fork() calls daemon(1, 1): its parent
 *              leaves at once (glibc's own fork and _exit), the daemon
 *              works on
 *     _Fork    the child is made by _Fork(), which runs no atfork handler
 *     sysfork  the child is made by syscall(SYS_fork), behind glibc's back
 *   The child (daemon) takes a lock 100 times; but for sysfork, whose
 *   child is in no state to start threads, it also starts a thread and
 *   joins it (with leak: does not join it, the buggy twin, but waits for
 *   its end).  It then writes a line into a pipe and exits.  The parent
 *   waits for the pipe's end (every writer gone), takes its own lock 100
 *   times and prints what the child wrote.
 *
 *   behave_fork grace|stuck
 *     a fork()ed child starts a thread that waits on a semaphore; with
 *     grace it posts the semaphore and exits at once, while the thread
 *     is on its way out; with stuck (the twin) it exits with the thread
 *     still waiting (with either, once the thread has run)
 *
 *   behave_fork vfork
 *     a vfork child, which runs on the program's memory, ends with
 *     _exit(3); the program prints its status
 *
 *   behave_fork outlive GO DONE
 *     the program's child outlives it, as a daemon does: it starts a
 *     thread that waits on a semaphore, tells the program, which exits;
 *     it then reads the FIFO GO, posts the semaphore, joins the thread,
 *     and writes into the FIFO DONE as it ends
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t mine = PTHREAD_MUTEX_INITIALIZER;
static sem_t ended;

static void
lock_100(void)
{
    for (int i = 0; i < 100; i++) {
        pthread_mutex_lock(&mine);
        pthread_mutex_unlock(&mine);
    }
}

static void *
helper(void *arg)
{
    (void)arg;
    lock_100();
    sem_post(&ended);
    return NULL;
}

/* The child's work: its own locks, a thread; its word into the pipe. */
static void
child_work(int out, bool threads, bool leak)
{
    lock_100();
    if (threads) {
        pthread_t th;
        sem_init(&ended, 0, 0);
        pthread_create(&th, NULL, helper, NULL);
        if (leak)
            sem_wait(&ended);
        else
            pthread_join(th, NULL);
    }
    char line[64];
    int n = snprintf(line, sizeof line, "child %s\n",
                     leak ? "left its thread" : "done");
    if (write(out, line, (size_t)n) != n)
        _exit(3);
}

/* Makes the child as mode says; in the child, does its work and ends. */
static void
make_child(const char *mode, int out, bool leak)
{
    pid_t pid;

    if (strcmp(mode, "daemon") == 0) {
        pid = fork();
        if (pid == 0) {
            if (daemon(1, 1) != 0)
                _exit(4);
            child_work(out, true, leak);
            exit(0);
        }
    } else if (strcmp(mode, "_Fork") == 0) {
        pid = _Fork();
        if (pid == 0) {
            child_work(out, true, leak);
            exit(0);
        }
    } else {
        pid = (pid_t)syscall(SYS_fork);
        if (pid == 0) {
            child_work(out, false, false);
            _exit(0);
        }
    }
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
        WEXITSTATUS(st) != 0) {
        fprintf(stderr, "behave_fork: the child failed\n");
        exit(1);
    }
}

static sem_t running, go;

static void *
waiter(void *arg)
{
    (void)arg;
    sem_post(&running);
    sem_wait(&go);
    return NULL;
}

static int
grace(bool post)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_t th;
        sem_init(&running, 0, 0);
        sem_init(&go, 0, 0);
        pthread_create(&th, NULL, waiter, NULL);
        pthread_detach(th);
        sem_wait(&running);
        if (post)
            sem_post(&go);
        exit(0); /* the thread is on its way out, or waits for ever */
    }
    int st;
    waitpid(pid, &st, 0);
    printf("child exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return 0;
}

static int
outlive(const char *go_fifo, const char *done_fifo)
{
    int ready[2];
    if (pipe(ready) != 0)
        return 1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_t th;
        char c;
        close(ready[0]);
        sem_init(&running, 0, 0);
        sem_init(&go, 0, 0);
        pthread_create(&th, NULL, waiter, NULL);
        sem_wait(&running);
        close(ready[1]); /* the program may end */
        FILE *f = fopen(go_fifo, "r");
        if (f == NULL || fread(&c, 1, 1, f) != 1)
            _exit(5);
        sem_post(&go);
        pthread_join(th, NULL);
        f = fopen(done_fifo, "w");
        if (f == NULL)
            _exit(6);
        fputs("child done\n", f);
        exit(0);
    }
    close(ready[1]);
    char c;
    if (pid < 0 || read(ready[0], &c, 1) != 0)
        return 1; /* EOF: the child is ready */
    printf("leaving the child running\n");
    return 0;
}

static int
vforked(void)
{
    fflush(stdout);
    pid_t pid = vfork();
    if (pid == 0)
        _exit(3);
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return 1;
    printf("vfork child exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return 0;
}

int
main(int argc, char **argv)
{
    if (strcmp(argv[1], "vfork") == 0)
        return vforked();
    if (argc == 4 && strcmp(argv[1], "outlive") == 0)
        return outlive(argv[2], argv[3]);
    if (argc < 2) {
        fprintf(stderr, "usage: behave_fork daemon|_Fork|sysfork [leak] | grace|stuck\n");
        return 2;
    }
    if (strcmp(argv[1], "grace") == 0 || strcmp(argv[1], "stuck") == 0)
        return grace(strcmp(argv[1], "grace") == 0);
    int p[2];
    if (pipe(p) != 0)
        return 1;
    fflush(stdout);
    make_child(argv[1], p[1], argc > 2 && strcmp(argv[2], "leak") == 0);
    close(p[1]);
    char buf[256];
    size_t len = 0;
    ssize_t n;
    while ((n = read(p[0], buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)n; /* until the last writer, the daemon, is gone */
    buf[len] = '\0';
    lock_100();
    printf("%s", buf);
    return 0;
}
