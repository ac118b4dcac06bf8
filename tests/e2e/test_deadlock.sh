#!/bin/sh
# The watchdog reports a deadlock while the program is stuck, and a
# killed run's trace shows it too, with the lock-order cycle of the
# deadlock; twins that do not deadlock stay silent.
# Usage: tests/e2e/test_deadlock.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

cc -O1 -g -pthread -o "$tmp/deadlock" tests/e2e/progs/deadlock.c || exit 1

# run MODE KIND: deadlocking modes are aborted by the watchdog
# (abort_on_deadlock=1), so nothing waits on a timeout here.
run() {
    mode=$1 want=$2
    out="$tmp/$mode.db"
    LD_PRELOAD="$LIB" GCTRACE_OUT="$out" \
        GCTRACE_OPTIONS="watchdog_ms=300:abort_on_deadlock=1:finish=0" \
        timeout -s KILL 20 "$tmp/deadlock" "$mode" > "$tmp/$mode.out" \
        2> "$tmp/$mode.err"
    status=$?
    "$G" check --format json "$out" > "$tmp/$mode.json" 2>"$tmp/$mode.cerr"
    kinds=$(python3 -c 'import json,sys
print(" ".join(sorted(set(f["kind"] + "/" + (f.get("subkind") or "") for f in json.load(open(sys.argv[1]))["findings"]))))' "$tmp/$mode.json" 2>/dev/null)
    if [ "$want" = none ]; then
        [ "$status" -eq 0 ] || err "$mode: exit $status, want 0"
        grep -q watchdog "$tmp/$mode.err" && err "$mode: the watchdog spoke: $(cat "$tmp/$mode.err")"
        case "$kinds" in *deadlock*) err "$mode: deadlock reported: $kinds" ;; esac
    else
        [ "$status" -eq 134 ] || err "$mode: exit $status, want 134 (aborted by the watchdog)"
        grep -q "gctrace: watchdog:" "$tmp/$mode.err" || err "$mode: no watchdog line on stderr"
        grep -q "deadlock" "$tmp/$mode.err" || err "$mode: the watchdog's report names no deadlock"
        case "$kinds" in *"$want"*) ;; *) err "$mode: check found '$kinds', want $want" ;; esac
    fi
}

run abba deadlock/locks
# The deadlock's cycle is a lock-order inversion too, though neither
# second lock was ever taken: the edges are written as the waits begin.
case "$kinds" in *lock_order_cycle/*) ;; *) err "abba: no lock_order_cycle: $kinds" ;; esac
run self deadlock/self
run asleep deadlock/all_asleep
run ordered none
case "$kinds" in *lock_order_cycle*) err "ordered: $kinds" ;; esac
run timed none

# The deadlock names its threads and locks as the code does: main, the
# thread by its start routine, the static mutexes a and b by their
# symbols, short names defined once; the stable message has no address
# and no tid.
python3 - "$tmp/abba.json" <<'PY' || err "abba: names, see above"
import json, re, sys
f = [f for f in json.load(open(sys.argv[1]))["findings"]
     if f["kind"] == "deadlock"][0]
m, s = f["message"], f["stable_message"]
want = (r"deadlock: 2 threads wait for locks held by each other: "
        r"(thread second|main) \(tid \d+\) waits for M[12]; "
        r"(thread second|main) \(tid \d+\) waits for M[12], with "
        r"M1 = mutex [ab] \(0x[0-9a-f]+\), M2 = mutex [ab] \(0x[0-9a-f]+\)")
if not re.fullmatch(want, m) or "thread second" not in m or "main" not in m:
    print("message %r" % m)
    sys.exit(1)
if s != re.sub(r" \((tid \d+|0x[0-9a-f]+)\)", "", m):
    print("stable message %r of %r" % (s, m))
    sys.exit(1)
PY

e2e_end test_deadlock
