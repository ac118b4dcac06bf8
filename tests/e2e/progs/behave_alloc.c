/*
 * behave_alloc.c - a program whose allocator takes a lock in free, as
 * jemalloc's does on a thread's first free: every thread, from its
 * first instructions on, may lock before it runs its own function.
 * Usage: behave_alloc ok|leak
 *   ok    4 threads, each frees memory, all joined: 5 threads, nothing
 *         to find
 *   leak  the same, and a fifth thread left waiting for ever (the twin:
 *         one leaked thread)
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void __libc_free(void *);

static pthread_mutex_t arena = PTHREAD_MUTEX_INITIALIZER;

/* Replaces glibc's free for the whole process, the recorder included. */
void
free(void *p)
{
    pthread_mutex_lock(&arena);
    __libc_free(p);
    pthread_mutex_unlock(&arena);
}

static sem_t never, running;

static void *
work(void *arg)
{
    free(malloc(64));
    if (arg) {
        sem_post(&running);
        sem_wait(&never);
    }
    return NULL;
}

int
main(int argc, char **argv)
{
    pthread_t th[4], stuck;
    sem_init(&never, 0, 0);
    sem_init(&running, 0, 0);
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, work, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    if (argc > 1 && strcmp(argv[1], "leak") == 0) {
        pthread_create(&stuck, NULL, work, &never);
        sem_wait(&running);
    }
    printf("done\n");
    return 0;
}
