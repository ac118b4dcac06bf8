#!/bin/sh
# test_hostile_threads.sh BUILD - many threads under the recorder: N alive
# at once (held at a barrier) and TOTAL created over a run in joined
# batches.  The output and exit status must equal a native run, the trace
# must open, and every thread must be in it (threads table: the workers
# and main).  Defaults are sized for `make test`; HOSTILE_FULL=1 uses the
# sizes of issue 7 (10,000 alive, 100,000 created), which take minutes.
set -u
. "$(dirname "$0")/lib.sh"

if [ "${HOSTILE_FULL:-0}" = 1 ]; then
    ALIVE=10000 TOTAL=100000
else
    # TOTAL is above 16,384 (the raw log's default 1 GiB in 64 KiB chunks)
    # so that a recorder that spends a chunk per thread is caught
    ALIVE=2000 TOTAL=20000
fi
BATCH=1000

command -v sqlite3 >/dev/null || { echo "FAIL: sqlite3 not installed" >&2; exit 1; }
build_prog threads hostile_threads.c

SAME_TIMEOUT=120

same alive "$tmp/threads" alive $ALIVE
n=$(q "$tmp/alive.db" "select count(*) from threads")
[ "$n" = $((ALIVE + 1)) ] || err "alive $ALIVE: $n threads in the trace, want $((ALIVE + 1))"

same churn "$tmp/threads" churn $TOTAL $BATCH
n=$(q "$tmp/churn.db" "select count(*) from threads")
[ "$n" = $((TOTAL + 1)) ] || err "churn $TOTAL: $n threads in the trace, want $((TOTAL + 1))"
d=$(q "$tmp/churn.db" "select value from meta where key='dropped'")
[ "$d" = 0 ] || err "churn $TOTAL: meta dropped = $d, want 0"

e2e_end test_hostile_threads
