/*
 * error.c - error messages, allocation with failure injection, and the
 * assertion that survives NDEBUG.
 */
#include "goc_impl.h"

#include <string.h>

const char *
goc_strerror(int code)
{
    switch (code) {
#define GOC_X_CASE(name, value, msg) \
    case value:                      \
        return msg;
        GOC_ERRORS(GOC_X_CASE)
#undef GOC_X_CASE
    }
    return "unknown error";
}

_Atomic long goc__alloc_fail_countdown;

/* True when the injected failure is due now. */
static bool
inject_failure(void)
{
    long n = atomic_load_explicit(&goc__alloc_fail_countdown,
                                  memory_order_relaxed);

    if (GOC_LIKELY(n == 0))
        return false;
    n = atomic_fetch_sub(&goc__alloc_fail_countdown, 1);
    return n == 1;
}

void *
goc__malloc(size_t n)
{
    return inject_failure() ? NULL : malloc(n);
}

void *
goc__malloc_aligned(size_t align, size_t n)
{
    void *p;

    if (inject_failure() || posix_memalign(&p, align, n) != 0)
        return NULL;
    return p;
}

void *
goc__calloc(size_t count, size_t n)
{
    return inject_failure() ? NULL : calloc(count, n);
}

void
goc__free(void *p)
{
    free(p);
}

char *
goc__strdup(const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = goc__malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

void
goc__assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "goc: assertion failed: %s (%s:%d)\n", expr, file, line);
    fflush(stderr);
    abort();
}
