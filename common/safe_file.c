/*
 * safe_file.c - see safe_file.h.  No allocation: the shim calls this
 * while the program starts.
 */
#include "safe_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int
gct_create_temp(const char *final, char *tmp, size_t tmpsize)
{
    int n = snprintf(tmp, tmpsize, "%s.tmp.XXXXXX", final);
    if (n < 0 || (size_t)n >= tmpsize) {
        errno = ENAMETOOLONG;
        return -1;
    }
    /* mkostemp: O_CREAT|O_EXCL (which refuses an existing symlink, even a
     * dangling one), a random name, mode 0600. */
    return mkostemp(tmp, O_CLOEXEC);
}

bool
gct_may_replace(const char *path, const char **why)
{
    struct stat st;

    if (lstat(path, &st) != 0)
        return errno == ENOENT ? true : (*why = "cannot be examined", false);
    if (S_ISLNK(st.st_mode))
        *why = "is a symbolic link";
    else if (!S_ISREG(st.st_mode))
        *why = "is not a regular file";
    else if (st.st_uid != geteuid())
        *why = "belongs to another user";
    else
        return true;
    return false;
}
