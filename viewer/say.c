/*
 * say.c - gct_say, the one-line message every gctrace command and the
 * finishing helper print on stderr.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>

void
gct_say(const char *fmt, ...)
{
    va_list ap;
    fputs("gctrace: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
