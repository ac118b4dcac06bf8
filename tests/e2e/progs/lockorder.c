/*
 * lockorder.c - lock-order patterns, one per mode, each run by two threads
 * one after the other (joined in between), so nothing ever deadlocks and
 * the outcome depends on the analysis alone.
 *
 * Reported (lock_order_cycle):
 *   inversion    T1: A then B;   T2: B then A
 *   classes      T1: a1 then b1; T2: b2 then a2 (a1/a2 made on one call
 *                path, in a loop, b1/b2 on another): a cycle between
 *                classes only
 *   three        T1: A B; T2: B C; T3: C A (a cycle of three)
 *   gate_detour  T1, T2: A then B, B then A, both under G; T3: A then C;
 *                T4: C then B: the shortest cycles through A and B are
 *                gated, C -> B -> A -> C is not (T3, T4 and T2 deadlock)
 *   gated_pairs  T1, T2: A and B both ways under G; T3, T4: C and D both
 *                ways under H; T5: B then C; T6: D then A: every lock's
 *                shortest cycle is gated, A -> B -> C -> D -> A is not
 *                (T1, T5, T3 and T6 deadlock)
 * Reported (lock_order_cycle/single_thread), all in T1 alone:
 *   one_thread   A then B, later B then A
 *   one_three    A B, B C, later C A: a cycle of three, one thread's
 *   one_mixed    rwlocks: RA written then RB read, later RB written then
 *                RA read (a writer waits for a reader at each step)
 *   one_renew    T1: A then N; N destroyed and made again at the same
 *                address; A then N again, then N then A: a cycle with
 *                the new N (its edge from A is new, however alike)
 * Not reported (the twins):
 *   ordered      both: A then B
 *   trylock      T2 takes A with trylock while holding B (cannot block)
 *   readers      A and B rwlocks, both orders, read locks only
 *   gate         both orders, but always under a common lock G
 *   reinit       T1: A then B; B destroyed and made again at the same
 *                address; T2: B then A on the new B
 *   recursive    T1: A then R; T2: R, R again (recursive), then... only
 *                A after releasing: no inversion, and R's re-lock adds no
 *                edge
 *   classes_ok   T1: a1 then b1; T2: a2 then b2
 *   helper       T1: h1 then g1; T2: g2 then h2, where h1, h2 are made by
 *                one helper (make_a) and g1, g2 by another (make_b), each
 *                lock from its own caller: unrelated locks that merely
 *                share a helper, always taken in one order
 *   one_ordered  T1: A then B, twice
 *   one_gate     T1: A then B, later B then A, both under G
 *   one_trylock  T1: A then B, later B then trylock A
 *   one_readers  T1: RA then RB, later RB then RA, read locks only
 *   one_reinit   T1: A then N; N destroyed and made again at the same
 *                address; T1: N then A on the new N
 *   one_churn    T1: A then B, ten times, and before each a lock of the
 *                heap made, taken, destroyed and freed (the trace has
 *                the edge A -> B written once: the other locks' ends do
 *                not make it new)
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t B = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t C = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t D = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t G = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t H = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t RA = PTHREAD_RWLOCK_INITIALIZER;
static pthread_rwlock_t RB = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t R, N;
static pthread_mutex_t a[2], b[2];
static pthread_mutex_t h1, h2, g1, g2;

static void
make_a(pthread_mutex_t *m) /* one site: class "a" */
{
    pthread_mutex_init(m, NULL);
}

static void
make_b(pthread_mutex_t *m) /* another site: class "b" */
{
    pthread_mutex_init(m, NULL);
}

static void
two(pthread_mutex_t *x, pthread_mutex_t *y)
{
    pthread_mutex_lock(x);
    pthread_mutex_lock(y);
    pthread_mutex_unlock(y);
    pthread_mutex_unlock(x);
}

/* x then y, under gate */
static void
gated(pthread_mutex_t *gate, pthread_mutex_t *x, pthread_mutex_t *y)
{
    pthread_mutex_lock(gate);
    two(x, y);
    pthread_mutex_unlock(gate);
}

static const char *mode;
static int step;

/* rdlock or wrlock x, then y; both released */
static void
two_rw(pthread_rwlock_t *x, bool xread, pthread_rwlock_t *y, bool yread)
{
    xread ? pthread_rwlock_rdlock(x) : pthread_rwlock_wrlock(x);
    yread ? pthread_rwlock_rdlock(y) : pthread_rwlock_wrlock(y);
    pthread_rwlock_unlock(y);
    pthread_rwlock_unlock(x);
}

/* The one_* modes: one thread alone takes the locks. */
static void
one_thread(const char *m)
{
    if (!strcmp(m, "thread")) {
        two(&A, &B);
        two(&B, &A);
    } else if (!strcmp(m, "three")) {
        two(&A, &B);
        two(&B, &C);
        two(&C, &A);
    } else if (!strcmp(m, "mixed")) {
        two_rw(&RA, false, &RB, true);
        two_rw(&RB, false, &RA, true);
    } else if (!strcmp(m, "ordered")) {
        two(&A, &B);
        two(&A, &B);
    } else if (!strcmp(m, "gate")) {
        gated(&G, &A, &B);
        gated(&G, &B, &A);
    } else if (!strcmp(m, "trylock")) {
        two(&A, &B);
        pthread_mutex_lock(&B);
        if (pthread_mutex_trylock(&A) == 0)
            pthread_mutex_unlock(&A);
        pthread_mutex_unlock(&B);
    } else if (!strcmp(m, "readers")) {
        two_rw(&RA, true, &RB, true);
        two_rw(&RB, true, &RA, true);
    } else if (!strcmp(m, "reinit") || !strcmp(m, "renew")) {
        pthread_mutex_init(&N, NULL);
        two(&A, &N);
        pthread_mutex_destroy(&N);
        pthread_mutex_init(&N, NULL); /* a new lock, same address */
        if (!strcmp(m, "renew"))
            two(&A, &N);
        two(&N, &A);
    } else if (!strcmp(m, "churn")) {
        for (int i = 0; i < 10; i++) {
            pthread_mutex_t *x = malloc(sizeof *x);
            if (x == NULL || pthread_mutex_init(x, NULL) != 0)
                exit(1);
            pthread_mutex_lock(x);
            pthread_mutex_unlock(x);
            pthread_mutex_destroy(x);
            free(x);
            two(&A, &B);
        }
    }
}

static void *
body(void *arg)
{
    int who = (int)(long)arg;

    if (!strncmp(mode, "one_", 4)) {
        if (who == 1)
            one_thread(mode + 4);
    } else if (!strcmp(mode, "inversion"))
        who == 1 ? two(&A, &B) : two(&B, &A);
    else if (!strcmp(mode, "ordered"))
        two(&A, &B);
    else if (!strcmp(mode, "three"))
        who == 1 ? two(&A, &B) : who == 2 ? two(&B, &C) : two(&C, &A);
    else if (!strcmp(mode, "gate_detour"))
        who == 1   ? gated(&G, &A, &B)
        : who == 2 ? gated(&G, &B, &A)
        : who == 3 ? two(&A, &C)
                   : two(&C, &B);
    else if (!strcmp(mode, "gated_pairs"))
        who == 1   ? gated(&G, &A, &B)
        : who == 2 ? gated(&G, &B, &A)
        : who == 3 ? gated(&H, &C, &D)
        : who == 4 ? gated(&H, &D, &C)
        : who == 5 ? two(&B, &C)
                   : two(&D, &A);
    else if (!strcmp(mode, "classes"))
        who == 1 ? two(&a[0], &b[0]) : two(&b[1], &a[1]);
    else if (!strcmp(mode, "classes_ok"))
        who == 1 ? two(&a[0], &b[0]) : two(&a[1], &b[1]);
    else if (!strcmp(mode, "helper"))
        who == 1 ? two(&h1, &g1) : two(&g2, &h2);
    else if (!strcmp(mode, "trylock")) {
        if (who == 1) {
            two(&A, &B);
        } else {
            pthread_mutex_lock(&B);
            if (pthread_mutex_trylock(&A) == 0)
                pthread_mutex_unlock(&A);
            pthread_mutex_unlock(&B);
        }
    } else if (!strcmp(mode, "readers")) {
        pthread_rwlock_t *x = who == 1 ? &RA : &RB, *y = who == 1 ? &RB : &RA;
        pthread_rwlock_rdlock(x);
        pthread_rwlock_rdlock(y);
        pthread_rwlock_unlock(y);
        pthread_rwlock_unlock(x);
    } else if (!strcmp(mode, "gate")) {
        pthread_mutex_lock(&G);
        who == 1 ? two(&A, &B) : two(&B, &A);
        pthread_mutex_unlock(&G);
    } else if (!strcmp(mode, "reinit")) {
        if (who == 1) {
            pthread_mutex_init(&N, NULL);
            two(&A, &N);
            pthread_mutex_destroy(&N);
            pthread_mutex_init(&N, NULL); /* a new lock, same address */
        } else {
            two(&N, &A);
        }
    } else if (!strcmp(mode, "recursive")) {
        if (who == 1) {
            two(&A, &R);
        } else {
            pthread_mutex_lock(&R);
            pthread_mutex_lock(&R);
            pthread_mutex_unlock(&R);
            pthread_mutex_unlock(&R);
            two(&A, &R);
        }
    }
    step++;
    return NULL;
}

int
main(int argc, char **argv)
{
    pthread_mutexattr_t rec;

    mode = argc > 1 ? argv[1] : "inversion";
    for (int i = 0; i < 2; i++) {
        make_a(&a[i]);
        make_b(&b[i]);
    }
    make_a(&h1);
    make_b(&g1);
    make_a(&h2);
    make_b(&g2);
    pthread_mutexattr_init(&rec);
    pthread_mutexattr_settype(&rec, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&R, &rec);
    long threads = !strcmp(mode, "gate_detour")   ? 4
                   : !strcmp(mode, "gated_pairs") ? 6
                                                  : 3;
    for (long who = 1; who <= threads; who++) {
        pthread_t t;
        pthread_create(&t, NULL, body, (void *)who);
        pthread_join(t, NULL);
    }
    printf("%s: %d steps\n", mode, step);
    return 0;
}
