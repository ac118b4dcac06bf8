/*
 * hostile_dlopen.c - dlopen()s LIB (hostile_dlib.c), whose thread blocks
 * on a lock held through the library until main sees that thread asleep
 * (bounded polling of /proc), then lets it go and joins it.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* 1 when some thread other than main sleeps (state S). */
static int
other_thread_sleeping(void)
{
    char path[300], buf[512];
    int found = 0;
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL && !found) {
        if (e->d_name[0] == '.' || atoi(e->d_name) == getpid())
            continue;
        snprintf(path, sizeof path, "/proc/self/task/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        char comm[32] = "";
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        f = fopen(path, "r");
        if (f) {
            if (fgets(comm, sizeof comm, f) == NULL)
                comm[0] = '\0';
            fclose(f);
        }
        char *p = strrchr(buf, ')');
        /* the recorder's own watchdog thread sleeps too: not that one */
        found = p && p[2] == 'S' && strncmp(comm, "gctrace", 7) != 0;
    }
    if (d)
        closedir(d);
    return found;
}

int
main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    void *h = dlopen(argv[1], RTLD_NOW);
    if (h == NULL) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    int (*start)(void) = (int (*)(void))dlsym(h, "dlib_start");
    int (*about)(void) = (int (*)(void))dlsym(h, "dlib_about_to_lock");
    int (*finish)(void) = (int (*)(void))dlsym(h, "dlib_finish");
    if (!start || !about || !finish || start() != 0)
        return 1;
    struct timespec ms = {0, 1000000};
    int i;
    for (i = 0; i < 10000 && !(about() && other_thread_sleeping()); i++)
        nanosleep(&ms, NULL);
    int r = finish();
    printf("library thread joined %d, blocked %s\n", r,
           i < 10000 ? "yes" : "timeout");
    dlclose(h);
    return 0;
}
