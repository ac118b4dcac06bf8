/*
 * finisher.h - the parts of gctrace-finish (main.c, standby.c).
 */
#ifndef GCT_FINISHER_H
#define GCT_FINISHER_H

/* gctrace-finish --standby [finish's options] [--] TRACE: waits for the
 * traced program's exit, then finishes TRACE.  page_cache is the buffer
 * main.c gave sqlite for its page cache (may be NULL). */
int finish_standby(int argc, char **argv, char *page_cache);

#endif
