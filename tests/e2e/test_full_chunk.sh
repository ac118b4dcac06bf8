#!/bin/sh
# A raw log whose last chunk is full to its last byte (a thread's records
# can end exactly at a chunk's end): finishing it must read every record
# and nothing past the chunk, which ends the file.  progs/full_chunk.c
# writes the log with the raw-log writer, once ending in compact records
# and once in repeat records, which must come back with the contents of
# the records they repeat.
# Usage: tests/e2e/test_full_chunk.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
build_prog full_chunk full_chunk.c -std=c11 -D_GNU_SOURCE \
    -I"$root/common" "$root/common/rawlog_writer.c" "$root/common/safe_file.c"

# finish VARIANT WANT: the events by kind and argument, in time order of
# their first appearance, with counts.
finish() {
    rm -f "$tmp/t.db" "$tmp/t.db.raw"
    "$tmp/full_chunk" "$tmp/t.db.raw" $1 || exit 1
    # the header page and one chunk, full: nothing after it
    size=$(wc -c < "$tmp/t.db.raw")
    [ "$size" -eq $((4096 + 65536)) ] || err "$1: a raw log of $size bytes"
    "$G" report "$tmp/t.db" > "$tmp/out" 2> "$tmp/err"
    rc=$?
    [ $rc -lt 128 ] ||
        err "$1: gctrace report crashed ($rc): $(head -c 300 "$tmp/err")"
    [ $rc = 0 ] || err "$1: gctrace report: exit $rc: $(head -c 300 "$tmp/err")"
    n=$(sqlite3 "$tmp/t.db" "select k.name, e.b, count(*) from events e
                             join event_kinds k using(kind) group by 1, 2
                             order by min(e.ts)" 2>&1 | tr '\n' ' ')
    [ "$n" = "$2" ] || err "$1: events in the trace: '$n', want '$2'"
    # Acquisitions and releases alternate, 1 us apart.
    n=$(sqlite3 "$tmp/t.db" "select count(*) from events a join events b
                             on b.id = a.id + 1 where b.ts - a.ts != 1000
                             or a.kind = b.kind" 2>&1)
    [ "$n" = 0 ] || err "$1: events out of step: '$n'"
}
finish compact "lock_acquire|4198400|1 lock_release|0|2047 lock_acquire|0|2046 "
finish repeat "lock_acquire|4198400|4093 lock_release|0|4093 "
e2e_end test_full_chunk
