#!/bin/sh
# test_issue_sizes.sh BUILD - issue 7's sizes, too slow for `make test`:
#  - 10,000 threads alive at once and 100,000 created over a run
#    (tests/e2e/test_hostile_threads.sh with HOSTILE_FULL=1, about 45 s);
#  - 10 million lock events: lockloop.c (two threads, one mutex, 2.5 M
#    iterations each) under `gctrace run` with record=all and a 2 GiB raw
#    log; the output equals a native run, the trace opens, and its
#    lock_acquire + lock_release events plus meta.dropped are exactly
#    10,000,000 (with dropped = 0 expected at this size, about 1 min).
set -u
. "$(dirname "$0")/../e2e/lib.sh"
top=$(cd "$here/../.." && pwd)
err() { echo "FAIL: test_issue_sizes: $*" >&2; fail=1; }
command -v sqlite3 >/dev/null || { echo "FAIL: sqlite3 not installed" >&2; exit 1; }

HOSTILE_FULL=1 sh "$top/tests/e2e/test_hostile_threads.sh" "$B" >"$tmp/threads.out" 2>&1 ||
    err "HOSTILE_FULL=1 test_hostile_threads:
$(cat "$tmp/threads.out")"

ROUNDS=2500000                  # per thread; 4 events per round pair
WANT=$((4 * ROUNDS))
cc -O1 -g -pthread -o "$tmp/lockloop" "$here/lockloop.c" || {
    echo "FAIL: cannot compile lockloop.c" >&2; exit 1; }
timeout -s KILL 60 "$tmp/lockloop" $ROUNDS >"$tmp/native.out"
nrc=$?
GCTRACE_OPTIONS=record=all:max_size_mb=2048:exitcode=0 timeout -s KILL 600 \
    "$G" run -q -o "$tmp/ll.db" -- "$tmp/lockloop" $ROUNDS >"$tmp/traced.out" 2>"$tmp/traced.err"
trc=$?
[ $trc -eq $nrc ] || err "lockloop: exit $trc traced, $nrc native ($(head -c 300 "$tmp/traced.err"))"
cmp -s "$tmp/native.out" "$tmp/traced.out" ||
    err "lockloop: output '$(cat "$tmp/traced.out")', native '$(cat "$tmp/native.out")'"
"$G" report "$tmp/ll.db" >"$tmp/report" 2>&1 || err "gctrace report: $(head -c 300 "$tmp/report")"
n=$(sqlite3 "$tmp/ll.db" "select count(*) from events e join event_kinds k on k.kind = e.kind
                          where k.name in ('lock_acquire', 'lock_release')" 2>&1)
d=$(sqlite3 "$tmp/ll.db" "select value from meta where key = 'dropped'" 2>&1)
case "$n$d" in
    *[!0-9]*|'') err "lockloop: cannot count the events: '$n' '$d'" ;;
    *) [ $((n + d)) -eq $WANT ] ||
           err "lockloop: $n lock events + $d dropped = $((n + d)), want $WANT"
       [ "$d" -eq 0 ] || err "lockloop: $d events dropped with a 2 GiB raw log" ;;
esac
a=$(sqlite3 "$tmp/ll.db" "select sum(acquisitions) from lock_stats" 2>&1)
[ "$a" = $((2 * ROUNDS)) ] || err "lockloop: lock_stats acquisitions $a, want $((2 * ROUNDS))"

if [ $fail -ne 0 ]; then
    echo "test_issue_sizes: FAILED" >&2
    exit 1
fi
echo "test_issue_sizes: ok ($n lock events, $d dropped)"
