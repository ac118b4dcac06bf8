#!/bin/sh
# A raw log whose last chunk is full to its last byte (a thread's records
# can end exactly at a chunk's end): finishing it must read every record
# and nothing past the chunk, which ends the file.  tests/e2e/full_chunk.py
# writes the log.
# Usage: tests/e2e/test_full_chunk.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

python3 tests/e2e/full_chunk.py "$tmp/t.db.raw" || exit 1
"$G" report "$tmp/t.db" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -lt 128 ] || err "gctrace report crashed ($rc): $(head -c 300 "$tmp/err")"
[ $rc = 0 ] || err "gctrace report: exit $rc: $(head -c 300 "$tmp/err")"
n=$(sqlite3 "$tmp/t.db" "select k.name, count(*) from events e
                         join event_kinds k using(kind) group by 1
                         order by 1" 2>&1 | tr '\n' ' ')
[ "$n" = "lock_acquire|2047 lock_release|2047 " ] ||
    err "events in the trace: '$n'"
e2e_end test_full_chunk
