#!/bin/sh
# A program that unwinds its own stack with libunwind (as crash reporters,
# profilers and sanitizers do) runs under the recorder as it does natively:
# same output and status, no hang, and no finding about libunwind's own
# locks.  It hung before: the recorder unwound from inside libunwind to
# record libunwind's lock and waited for that lock forever.
# Usage: tests/e2e/test_unwinder.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

build_prog unwinds unwinds.c -lunwind
"$tmp/unwinds" > "$tmp/native.out"
nrc=$?
timeout -s KILL 60 "$G" run -q -o "$tmp/t.db" -- "$tmp/unwinds" \
    > "$tmp/traced.out" 2> "$tmp/traced.err"
trc=$?
[ "$trc" = "$nrc" ] || err "exit $trc traced (137: hung and killed), $nrc native: $(head -c 300 "$tmp/traced.err")"
cmp -s "$tmp/native.out" "$tmp/traced.out" || err "output differs: $(cat "$tmp/traced.out")"
grep -q "frames>=2: 1 1" "$tmp/traced.out" || err "the walks saw too few frames"
n=$(sqlite3 "$tmp/t.db" "select count(*) from threads" 2>&1)
[ "$n" = 2 ] || err "threads in the trace: '$n', want 2"
"$G" check "$tmp/t.db" > "$tmp/check.out" 2>&1 ||
    err "check found something: $(head -c 300 "$tmp/check.out")"
e2e_end test_unwinder
