/*
 * self_deadlock.c MODE - main locks a mutex twice.
 *   normal      a NORMAL mutex: the second lock never returns (the bug)
 *   errorcheck  an error-checking one: the second lock answers EDEADLK
 *   recursive   a recursive one: the second lock is taken again
 *   read_write  an rwlock read-locked, then write-locked: glibc's writer
 *               waits for every reader, itself too, for good (the bug)
 *   read_unlock_write  its twin: read-locked, unlocked, write-locked
 *   exit_in_snapshot   a second thread locks a NORMAL mutex twice; main
 *               exits as soon as this process has a child: under the
 *               recorder, the finishing step of the watchdog's snapshot,
 *               or as soon as that step's trace is there (GCTRACE_OUT:
 *               a step quicker than main's look for it came and went);
 *               exit 2 when neither comes within 30 s
 * The twins print what the second call answered and exit 0.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Whether a thread of this process has a child process. */
static int
has_child(void)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int found = 0;

    while (d && !found && (e = readdir(d)) != NULL) {
        char path[300], buf[64] = "";
        snprintf(path, sizeof path, "/proc/self/task/%s/children", e->d_name);
        FILE *f = fopen(path, "r");
        if (f) {
            found = fgets(buf, sizeof buf, f) != NULL && buf[0] != '\0';
            fclose(f);
        }
    }
    if (d)
        closedir(d);
    return found;
}

/* Whether the trace the recorder writes (GCTRACE_OUT) exists: the
 * snapshot's step renamed it into place. */
static int
trace_written(void)
{
    const char *out = getenv("GCTRACE_OUT");
    return out && access(out, F_OK) == 0;
}

static void *
relock(void *arg)
{
    pthread_mutex_t *m = arg;
    pthread_mutex_lock(m);
    pthread_mutex_lock(m); /* never returns */
    return NULL;
}

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "normal";
    pthread_mutexattr_t a;
    pthread_mutex_t m;

    if (!strncmp(mode, "read_", 5)) {
        pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
        pthread_rwlock_rdlock(&rw);
        puts("locked once");
        fflush(stdout);
        if (!strcmp(mode, "read_unlock_write"))
            pthread_rwlock_unlock(&rw);
        int r = pthread_rwlock_wrlock(&rw);
        printf("second lock: %s\n", r == 0 ? "0" : "?");
        pthread_rwlock_unlock(&rw);
        return 0;
    }

    if (!strcmp(mode, "exit_in_snapshot")) {
        static pthread_mutex_t stuck = PTHREAD_MUTEX_INITIALIZER;
        pthread_t th;
        pthread_create(&th, NULL, relock, &stuck);
        int child = 0;
        for (int i = 0;
             i < 30000 && !(child = has_child() || trace_written()); i++)
            usleep(1000);
        if (!child) {
            puts("no snapshot step");
            return 2;
        }
        puts("exit while the snapshot is taken");
        return 0;
    }

    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, !strcmp(mode, "errorcheck")
                                      ? PTHREAD_MUTEX_ERRORCHECK
                                  : !strcmp(mode, "recursive")
                                      ? PTHREAD_MUTEX_RECURSIVE
                                      : PTHREAD_MUTEX_NORMAL);
    pthread_mutex_init(&m, &a);
    pthread_mutex_lock(&m);
    puts("locked once");
    fflush(stdout);
    int r = pthread_mutex_lock(&m);
    printf("second lock: %s\n", r == EDEADLK ? "EDEADLK" : r == 0 ? "0" : "?");
    if (r == 0)
        pthread_mutex_unlock(&m);
    pthread_mutex_unlock(&m);
    return 0;
}
