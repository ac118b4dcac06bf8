/*
 * hostile_fork.c - processes made in awkward ways.
 *   locked      fork while another thread holds a mutex; the child takes
 *               only locks of its own and exits 7, the parent reaps it
 *   exec        fork + exec of /bin/echo
 *   spawn       posix_spawn of /bin/echo
 *   daemon FILE double fork, setsid, close fds 0..1023, chdir /; the
 *               daemon takes a lock 100 times after closing every fd, then
 *               creates FILE (absolute); the parent waits for FILE
 *   exec_prog P fork + exec of P (a binary the recorder cannot trace)
 */
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t holding, release;

static void *
holder(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&held);
    pthread_barrier_wait(&holding);   /* main forks while we hold it */
    pthread_barrier_wait(&release);
    pthread_mutex_unlock(&held);
    return NULL;
}

static int
reap(pid_t pid)
{
    int st;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int
forked_with_lock_held(void)
{
    pthread_t th;
    pthread_barrier_init(&holding, NULL, 2);
    pthread_barrier_init(&release, NULL, 2);
    pthread_create(&th, NULL, holder, NULL);
    pthread_barrier_wait(&holding);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        /* only locks of the child's own: `held` is held by a thread
         * that does not exist here */
        pthread_mutex_t mine = PTHREAD_MUTEX_INITIALIZER;
        for (int i = 0; i < 100; i++) {
            pthread_mutex_lock(&mine);
            pthread_mutex_unlock(&mine);
        }
        _exit(7);
    }
    int st = reap(pid);
    pthread_barrier_wait(&release);
    pthread_join(th, NULL);
    printf("child exited %d\n", st);
    return 0;
}

static int
daemonise(const char *file)
{
    unlink(file);       /* left by an earlier run */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        setsid();
        if (fork() != 0)
            _exit(0);
        if (chdir("/") != 0)
            _exit(1);
        for (int fd = 0; fd < 1024; fd++)
            close(fd);
        pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
        for (int i = 0; i < 100; i++) {
            pthread_mutex_lock(&mu);
            pthread_mutex_unlock(&mu);
        }
        /* made under another name, then renamed: the parent sees the
         * file only once the locks are done */
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", file);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            ssize_t w = write(fd, "daemon\n", 7);
            close(fd);
            if (w == 7)
                rename(tmp, file);
        }
        _exit(0);
    }
    int st = reap(pid);
    struct stat sb;
    struct timespec ms = {0, 1000000};
    int i;
    for (i = 0; i < 10000 && stat(file, &sb) != 0; i++)
        nanosleep(&ms, NULL);       /* bounded: 10 s */
    printf("first child %d, daemon %s\n", st, i < 10000 ? "done" : "timeout");
    return 0;
}

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    char *echo_argv[] = {"/bin/echo", "hello", "from", "echo", NULL};

    printf("mode %s\n", mode);
    fflush(stdout);
    if (strcmp(mode, "locked") == 0)
        return forked_with_lock_held();
    if (strcmp(mode, "exec") == 0 || (strcmp(mode, "exec_prog") == 0 &&
                                      argc > 2)) {
        if (strcmp(mode, "exec_prog") == 0)
            echo_argv[0] = argv[2];
        pid_t pid = fork();
        if (pid == 0) {
            execv(echo_argv[0], echo_argv);
            _exit(127);
        }
        printf("exec child %d\n", reap(pid));
        return 0;
    }
    if (strcmp(mode, "spawn") == 0) {
        pid_t pid;
        int r = posix_spawn(&pid, "/bin/echo", NULL, NULL, echo_argv, environ);
        if (r != 0)
            return 1;
        printf("spawned child %d\n", reap(pid));
        return 0;
    }
    if (strcmp(mode, "daemon") == 0 && argc > 2)
        return daemonise(argv[2]);
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
}
