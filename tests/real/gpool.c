/* gpool.c - a GLib program with a GThreadPool, as GLib programs use it:
 * tasks pushed to a pool of two threads, results gathered under a GMutex
 * and handed back through a GAsyncQueue, a GCond that the last task
 * signals, then g_thread_pool_free(pool, FALSE, TRUE), which waits for
 * the queued tasks.  The pool's threads then end or stay with GLib as
 * unused threads (g_thread_pool_set_max_unused_threads), which wait with
 * a timeout for another pool.  What it prints does not depend on the
 * schedule. */
#include <glib.h>
#include <stdio.h>

enum { TASKS = 400 };

static GMutex lock;
static GCond all_done;
static guint64 sum;
static int done;
static GAsyncQueue *results;

static void task(gpointer data, gpointer user)
{
    guint64 n = GPOINTER_TO_UINT(data) - 1, h = n; /* items are i + 1: never NULL */
    (void)user;
    for (int i = 0; i < 20000; i++)
        h = h * 6364136223846793005ULL + 1442695040888963407ULL;
    g_mutex_lock(&lock);
    sum += h >> 40;
    if (++done == TASKS)
        g_cond_signal(&all_done);
    g_mutex_unlock(&lock);
    g_async_queue_push(results, GUINT_TO_POINTER(n + 1));
}

int main(void)
{
    GError *error = NULL;
    results = g_async_queue_new();
    GThreadPool *pool = g_thread_pool_new(task, NULL, 2, FALSE, &error);
    if (!pool) {
        fprintf(stderr, "gpool: %s\n", error->message);
        return 1;
    }
    for (guint i = 0; i < TASKS; i++)
        g_thread_pool_push(pool, GUINT_TO_POINTER(i + 1), NULL);

    g_mutex_lock(&lock);
    while (done < TASKS)
        g_cond_wait(&all_done, &lock);
    g_mutex_unlock(&lock);

    guint64 check = 0;
    for (int i = 0; i < TASKS; i++)
        check += GPOINTER_TO_UINT(g_async_queue_pop(results)) - 1;

    g_thread_pool_free(pool, FALSE, TRUE);
    g_async_queue_unref(results);
    printf("tasks: %d, sum of indices: %" G_GUINT64_FORMAT "\n", TASKS, check);
    printf("hash sum: %" G_GUINT64_FORMAT "\n", sum);
    return 0;
}
