/*
 * spinlock.c - pthread spinlocks as the shim sees them: lock order, the
 * held stack, misuse and a deadlock.  Orderings are forced with joins and
 * barriers, never with sleeps.
 *
 *   inversion   thread A takes s1 then s2 and ends; then thread B takes
 *               s2 then s1 (no deadlock this run, but the order can)
 *   ordered     the twin: both take s1 then s2
 *   exit_holding  main returns holding s1
 *   unlock_unlocked  an unlock of a free spinlock
 *   unlock_foreign   thread A takes s1 and ends; main unlocks it
 *   abba        two threads each hold one spinlock and reach for the
 *               other's: a real deadlock (for the watchdog)
 *   self        main locks s1 twice: it spins for good
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_spinlock_t s1, s2;
static pthread_barrier_t both_hold_first;
static int reverse, abba;

static void *
take_two(void *arg)
{
    int second = arg != NULL;
    pthread_spinlock_t *first = second && reverse ? &s2 : &s1;
    pthread_spinlock_t *then = first == &s1 ? &s2 : &s1;

    pthread_spin_lock(first);
    if (abba)
        pthread_barrier_wait(&both_hold_first);
    pthread_spin_lock(then);
    pthread_spin_unlock(then);
    pthread_spin_unlock(first);
    return NULL;
}

static void *
take_s1(void *arg)
{
    (void)arg;
    pthread_spin_lock(&s1);
    return NULL;
}

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    pthread_t a, b;

    pthread_spin_init(&s1, PTHREAD_PROCESS_PRIVATE);
    pthread_spin_init(&s2, PTHREAD_PROCESS_PRIVATE);
    if (strcmp(mode, "inversion") == 0 || strcmp(mode, "ordered") == 0) {
        reverse = strcmp(mode, "inversion") == 0;
        pthread_create(&a, NULL, take_two, NULL);
        pthread_join(a, NULL);
        pthread_create(&b, NULL, take_two, "second");
        pthread_join(b, NULL);
    } else if (strcmp(mode, "abba") == 0) {
        reverse = abba = 1;
        pthread_barrier_init(&both_hold_first, NULL, 2);
        pthread_create(&a, NULL, take_two, NULL);
        pthread_create(&b, NULL, take_two, "second");
        pthread_join(a, NULL);
        pthread_join(b, NULL);
    } else if (strcmp(mode, "self") == 0) {
        pthread_spin_lock(&s1);
        pthread_spin_lock(&s1);
    } else if (strcmp(mode, "exit_holding") == 0) {
        pthread_spin_lock(&s1);
        puts("done");
        return 0;
    } else if (strcmp(mode, "unlock_unlocked") == 0) {
        pthread_spin_unlock(&s1);
    } else if (strcmp(mode, "unlock_foreign") == 0) {
        pthread_create(&a, NULL, take_s1, NULL);
        pthread_join(a, NULL);
        pthread_spin_unlock(&s1);
    } else {
        fprintf(stderr, "usage: spinlock MODE\n");
        return 2;
    }
    pthread_spin_destroy(&s1);
    pthread_spin_destroy(&s2);
    puts("done");
    return 0;
}
