/*
 * safe_file.h - creating the files gctrace writes (raw log, trace) in a
 * directory that someone else may be able to write to: a shared CI
 * workspace, /tmp.  Shared by the shim and the gctrace command.
 *
 * The rules (docs/security.md): a file is made under an unpredictable
 * temporary name, exclusively (a planted file or symlink makes the create
 * fail, never followed), with mode 0600 less the umask; it is then renamed
 * onto its final name, which is replaced only when it is missing or a
 * regular file of our own effective user.
 */
#ifndef GCT_SAFE_FILE_H
#define GCT_SAFE_FILE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Creates "FINAL.tmp.XXXXXX" exclusively, with mode 0600, and opens it
 * read-write and close-on-exec; its name is left in tmp.  Returns the
 * descriptor, or -1 with errno set.
 */
int gct_create_temp(const char *final, char *tmp, size_t tmpsize);

/*
 * Whether path may be replaced by a rename: it does not exist, or it is a
 * regular file (never a symlink) owned by our effective user.  When not,
 * why says so in a few words ("is a symbolic link").
 */
bool gct_may_replace(const char *path, const char **why);

#endif
