/*
 * full_chunk.c - writes, with the raw-log writer (common/rawlog_writer.h),
 * the raw log of one thread whose only chunk is full to its last byte and
 * is the file's last, for test_full_chunk.sh:
 *   full_chunk RAWLOG compact: 2,047 lock acquisitions and 2,047
 *       releases of one mutex as compact records;
 *   full_chunk RAWLOG repeat: one of each as compact records and 4,092
 *       more of each as repeat records.
 * A reader that looks for a record past the chunk's end reads past the
 * file.  Every record is 1 us after the one before it.
 */
#include "event.h"
#include "rawlog.h"
#include "rawlog_writer.h"

#include <stdio.h>
#include <string.h>

#define PID 999999
#define LOCK 0x7f0000001000ull
#define START 1000000000ll

int
main(int argc, char **argv)
{
    bool repeats = argc == 3 && strcmp(argv[2], "repeat") == 0;
    if (argc != 3 || (!repeats && strcmp(argv[2], "compact") != 0)) {
        fprintf(stderr, "usage: full_chunk RAWLOG compact|repeat\n");
        return 2;
    }
    struct gct_rawlog_info info = {.root_pid = PID,
                                   .record_mode = GCT_RECORD_ALL,
                                   .start_mono_ns = START};
    struct gct_rawlog_writer *w = gct_rawlog_writer_new(&info);
    if (w == NULL)
        return 1;
    int64_t ts = START;
    int failed = 0;
    /* 24 (the chunk's head) + 24 (the first acquisition, with its call
     * site) + 16 (the first release), then 16 x 4093 in compact records
     * or 8 x 8184 in repeats */
    uint32_t acq = gct_rawlog_compact(w, PID, PID, GCT_EV_LOCK_ACQUIRE,
                                      ts += 1000, LOCK, 0, 0x401000, true);
    uint32_t rel = gct_rawlog_compact(w, PID, PID, GCT_EV_LOCK_RELEASE,
                                      ts += 1000, LOCK, 0, 0, false);
    failed |= acq == 0 || rel == 0;
    for (int i = 0; i < (repeats ? 0 : 2046); i++) {
        failed |= gct_rawlog_compact(w, PID, PID, GCT_EV_LOCK_ACQUIRE,
                                     ts += 1000, LOCK, 0, 0, false) == 0;
        failed |= gct_rawlog_compact(w, PID, PID, GCT_EV_LOCK_RELEASE,
                                     ts += 1000, LOCK, 0, 0, false) == 0;
    }
    for (int i = 0; i < (repeats ? 4092 : 0); i++) {
        failed |= gct_rawlog_repeat(w, PID, PID, acq, ts += 1000) != 0;
        failed |= gct_rawlog_repeat(w, PID, PID, rel, ts += 1000) != 0;
    }
    /* full to the last byte: one more record takes a second chunk */
    if (failed || gct_rawlog_write(w, argv[1], GCT_LOG_EXITED, 0) != 0) {
        fprintf(stderr, "full_chunk: cannot write %s\n", argv[1]);
        return 1;
    }
    gct_rawlog_writer_free(w);
    return 0;
}
