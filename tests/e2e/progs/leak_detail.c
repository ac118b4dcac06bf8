/*
 * leak_detail.c MODE - a thread left blocked on a semaphore, for what the
 * leak report says about it: main posts the semaphore once, then starts
 * a thread that takes that post and waits for a second one.  main returns
 * once the thread sleeps in its second wait, so the post came before the
 * wait that never ends.
 *
 *   sem      BUG: nobody posts the second time
 *   sem_ok   the twin: main posts again and joins the thread
 */
#define _GNU_SOURCE
#include "sleeping.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static sem_t items;
static _Atomic int consumer_tid;

static void *
consumer(void *arg)
{
    (void)arg;
    atomic_store(&consumer_tid, (int)syscall(SYS_gettid));
    sem_wait(&items);
    sem_wait(&items); /* leak_detail: waits for a second item */
    return NULL;
}

int
main(int argc, char **argv)
{
    pthread_t th;
    int ok = argc > 1 && strcmp(argv[1], "sem_ok") == 0;

    sem_init(&items, 0, 0);
    sem_post(&items); /* leak_detail: the one post */
    pthread_create(&th, NULL, consumer, NULL);
    while (atomic_load(&consumer_tid) == 0)
        sched_yield();
    wait_sleeping(atomic_load(&consumer_tid));
    if (ok) {
        sem_post(&items);
        pthread_join(th, NULL);
    }
    return 0;
}
