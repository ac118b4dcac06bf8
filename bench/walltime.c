/*
 * walltime.c - the whole run's stopwatch (bench/wholerun.sh):
 *
 *   walltime ERRFILE CMD [ARGS...]
 *
 * runs CMD (found on PATH) with its standard output to /dev/null and its
 * standard error to ERRFILE, and prints the wall time from just before
 * it is started to just after it has been waited for, in ms with two
 * decimals.  Exits with CMD's status, or 128+N when signal N ended it,
 * 127 when it could not be started.
 *
 * Why not `date +%s%N` around the command in the shell: each reading is
 * a process of its own, and the two cost about a millisecond between
 * them, on both sides of the comparison alike: a short process that runs
 * in 0.7 ms natively was timed at 1.6-2 ms, and every ratio to native of
 * a short row came out smaller than what the user waits for.
 */
#include "bench_util.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int
main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: walltime ERRFILE CMD [ARGS...]\n", stderr);
        return 2;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, argv[1],
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int st;
    int64_t start = now_ns();
    int err = posix_spawnp(&pid, argv[2], &fa, NULL, &argv[2], environ);
    if (err != 0) {
        fprintf(stderr, "walltime: %s: %s\n", argv[2], strerror(err));
        return 127;
    }
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) {
            perror("walltime: waitpid");
            return 127;
        }
    double ms = (double)(now_ns() - start) / 1e6;
    posix_spawn_file_actions_destroy(&fa);
    printf("%.2f\n", ms);
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return WEXITSTATUS(st);
}
