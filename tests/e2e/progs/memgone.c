/*
 * memgone.c - a lock whose memory goes away, and a new lock at the same
 * address afterwards, made without any init call.  Two threads, one
 * after the other (joined in between), so nothing ever deadlocks:
 *   T1: G then L (the first lock at the address)
 *   T2: L' then G
 * The modes differ in what L' is.
 * Silent (L' is a new lock: no cycle):
 *   dlclose   L: a library's static lock; the library is dlclose'd and
 *             another build of it is loaded at the same address: L' is
 *             that library's static lock
 *   munmap    L: a zero (PTHREAD_MUTEX_INITIALIZER) mutex in an
 *             anonymous mapping; munmap, then a new mapping at the same
 *             address: L' is the new zero mutex there
 *   free      L: a zero mutex in a block from malloc; free, then malloc
 *             again, which gives the same block back: L' is the new
 *             zero mutex there (as a C++ std::mutex member of an object
 *             deleted and a new object made)
 *   free_renewed as free, but the block first held a lock made, taken
 *             and destroyed, which took the line out of the shim's
 *             set of lines with locks: L's first use puts it back
 * Reported (lock_order_cycle), the buggy twins: L' is L itself
 *   dlkept    the library stays loaded between the threads
 *   mapkept   the mapping stays between the threads
 *   freekept  the block stays allocated between the threads
 * Prints "same address" when L' is at L's address, which each mode
 * needs to test what it says.  Every mode also prints what a munmap
 * that fails and a dlclose return, for comparison with a native run.
 * Usage: memgone MODE LIB1 LIB2
 */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static pthread_mutex_t G = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t *L;
static int g_first;

static void *
body(void *arg)
{
    pthread_mutex_t *a = g_first ? &G : L, *b = g_first ? L : &G;
    (void)arg;
    pthread_mutex_lock(a);
    pthread_mutex_lock(b);
    pthread_mutex_unlock(b);
    pthread_mutex_unlock(a);
    return NULL;
}

/* Runs body in a thread of its own and waits for it. */
static void
in_thread(int first)
{
    pthread_t t;
    g_first = first;
    if (pthread_create(&t, NULL, body, NULL) != 0 ||
        pthread_join(t, NULL) != 0) {
        perror("thread");
        exit(2);
    }
}

static pthread_mutex_t *
lib_lock(const char *path, void **handle)
{
    *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    pthread_mutex_t *(*get)(void) =
        *handle ? (pthread_mutex_t * (*)(void)) dlsym(*handle, "memgone_lock")
                : NULL;
    if (get == NULL) {
        fprintf(stderr, "%s: %s\n", path, dlerror());
        exit(2);
    }
    return get();
}

/* A block with a mutex inside, not at its start, as a member. */
struct object {
    long id;
    pthread_mutex_t lock;
};

static pthread_mutex_t *
heap_lock(void)
{
    /* malloc, not calloc: glibc's calloc does not take the block just
     * freed from the thread's cache, malloc does */
    struct object *o = malloc(sizeof *o);
    if (o == NULL) {
        perror("malloc");
        exit(2);
    }
    memset(o, 0, sizeof *o);
    return &o->lock; /* zero-filled: an unlocked default mutex */
}

static pthread_mutex_t *
map_lock(void)
{
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    return p; /* zero-filled: an unlocked default mutex */
}

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "dlclose";
    void *h;

    if (argc < 4) {
        fprintf(stderr, "usage: memgone MODE LIB1 LIB2\n");
        return 2;
    }
    int lib = !strcmp(mode, "dlclose") || !strcmp(mode, "dlkept");
    int renewed = !strcmp(mode, "free_renewed");
    int heap = !strcmp(mode, "free") || !strcmp(mode, "freekept") || renewed;
    int gone = !strcmp(mode, "dlclose") || !strcmp(mode, "munmap") ||
               !strcmp(mode, "free") || renewed;
    L = lib ? lib_lock(argv[2], &h) : heap ? heap_lock() : map_lock();
    if (renewed) {
        pthread_mutex_init(L, NULL);
        pthread_mutex_lock(L);
        pthread_mutex_unlock(L);
        pthread_mutex_destroy(L);
        memset(L, 0, sizeof *L); /* a zero mutex again */
    }
    pthread_mutex_t *first = L;
    in_thread(1);
    if (gone && lib) {
        dlclose(h);
        L = lib_lock(argv[3], &h);
    } else if (gone && heap) {
        free((char *)L - offsetof(struct object, lock));
        L = heap_lock();
    } else if (gone) {
        munmap(L, 4096);
        L = map_lock();
    }
    in_thread(0);
    printf("%s: %s\n", mode,
           L == first ? "same address" : "another address");
    errno = 0;
    int r = munmap((void *)1, 4096); /* not page-aligned: EINVAL */
    printf("bad munmap: %d %s\n", r, strerror(errno));
    if (lib) {
        errno = 0;
        r = dlclose(h);
        printf("dlclose: %d errno %d\n", r, errno);
    }
    return 0;
}
