/*
 * standby.c - a program for test_standby.sh: what the finishing step's
 * waiting helper (preload/finisher.c) must not disturb.
 *
 *   standby reap N      forks N children and reaps them with wait() until
 *                       ECHILD; exit 1 unless exactly those N came back
 *   standby hold        prints "holding", then reads stdin until its end
 *   standby misuse      unlocks an unlocked mutex (a finding)
 *   standby closeall    closes every descriptor above 2, then as misuse
 *   standby redirect F  sends its stderr to file F, then as misuse
 *   standby cdmisuse    changes directory to /, then as misuse
 *   standby exec        execs itself as "standby reap 1"
 *   standby subreaper MODE...  becomes a subreaper, then execs itself
 *                       as "standby MODE..."
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static int
reap(int n)
{
    pid_t kids[16];
    if (n < 1 || n > 16)
        return 2;
    for (int i = 0; i < n; i++) {
        kids[i] = fork();
        if (kids[i] < 0)
            return 2;
        if (kids[i] == 0)
            _exit(10 + i);
    }
    int got = 0;
    for (;;) {
        int st;
        pid_t pid = wait(&st);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            if (errno != ECHILD)
                return 2;
            break;
        }
        int i = 0;
        while (i < n && kids[i] != pid)
            i++;
        if (i == n) {
            printf("wait() reported %d, not a child of ours\n", (int)pid);
            return 1;
        }
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 10 + i) {
            printf("child %d: status %#x\n", i, st);
            return 1;
        }
        got++;
    }
    printf("reaped %d\n", got);
    return got == n ? 0 : 1;
}

static int
misuse(void)
{
    static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_unlock(&m); /* not locked: the finding */
    return 0;
}

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";

    if (!strcmp(mode, "reap") && argc == 3)
        return reap(atoi(argv[2]));
    if (!strcmp(mode, "hold")) {
        char buf[64];
        printf("holding\n");
        fflush(stdout);
        while (read(0, buf, sizeof buf) > 0)
            ;
        return 0;
    }
    if (!strcmp(mode, "misuse"))
        return misuse();
    if (!strcmp(mode, "cdmisuse"))
        return chdir("/") == 0 ? misuse() : 2;
    if (!strcmp(mode, "closeall")) {
        if (close_range(3, ~0u, 0) != 0)
            return 2;
        return misuse();
    }
    if (!strcmp(mode, "redirect") && argc == 3) {
        int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || dup2(fd, 2) != 2)
            return 2;
        close(fd);
        return misuse();
    }
    if (!strcmp(mode, "exec")) {
        execl("/proc/self/exe", argv[0], "reap", "1", (char *)NULL);
        return 2;
    }
    if (!strcmp(mode, "subreaper") && argc > 2) {
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
            return 2;
        argv[1] = argv[0];
        execv("/proc/self/exe", argv + 1);
        return 2;
    }
    fprintf(stderr, "usage: standby reap N | hold | misuse | closeall | "
                    "redirect FILE | cdmisuse | exec | subreaper MODE...\n");
    return 2;
}
