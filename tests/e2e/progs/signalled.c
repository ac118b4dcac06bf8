/*
 * signalled.c - a program that waits for a signal that asks it to end:
 * prints "ready PID" once its handlers are in place, then "got N" for
 * the signal N that came, and exits with status N.  With "hang" it
 * catches nothing and waits forever (only SIGKILL ends it).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void
on_signal(int sig)
{
    got = sig;
}

int
main(int argc, char **argv)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    sigset_t block, old;
    int hang = argc > 1 && strcmp(argv[1], "hang") == 0;

    sigemptyset(&block);
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = hang ? SIG_IGN : on_signal;
        sigaction(sigs[i], &sa, NULL);
        sigaddset(&block, sigs[i]);
    }
    /* Blocked until sigsuspend, so that a signal that comes before it is
     * not lost. */
    sigprocmask(SIG_BLOCK, &block, &old);
    printf("ready %d\n", (int)getpid());
    fflush(stdout);
    while (!got)
        sigsuspend(&old);
    printf("got %d\n", (int)got);
    return (int)got;
}
