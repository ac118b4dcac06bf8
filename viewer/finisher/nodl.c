/*
 * nodl.c - the dynamic loader's entry points for gctrace-finish, which
 * loads no shared library.  The link wraps them (-Wl,--wrap=dlopen...):
 * sqlite's extension loading and libdw's debuginfod client, the two
 * callers, get these clean failures instead of glibc's static dlopen,
 * which would bring a second libc into the process and warns at every
 * link.  (main.c hands DEBUGINFOD_URLS over to gctrace.)
 */
#include <stddef.h>

void *__wrap_dlopen(const char *file, int mode);
void *__wrap_dlsym(void *handle, const char *name);
int __wrap_dlclose(void *handle);
char *__wrap_dlerror(void);

void *
__wrap_dlopen(const char *file, int mode)
{
    (void)file;
    (void)mode;
    return NULL;
}

void *
__wrap_dlsym(void *handle, const char *name)
{
    (void)handle;
    (void)name;
    return NULL;
}

int
__wrap_dlclose(void *handle)
{
    (void)handle;
    return 0;
}

char *
__wrap_dlerror(void)
{
    return "gctrace-finish loads no shared library";
}
