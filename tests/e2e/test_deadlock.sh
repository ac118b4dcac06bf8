#!/bin/sh
# The watchdog reports a deadlock while the program is stuck, and a
# killed run's trace shows it too; twins that do not deadlock stay silent.
# Usage: tests/e2e/test_deadlock.sh BUILD_DIR
set -u
build=${1:?usage: test_deadlock.sh BUILD_DIR}
gctrace="$build/bin/gctrace"
shim="$(cd "$build/lib" && pwd)/libgctrace.so"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

cc -O1 -g -pthread -o "$tmp/deadlock" tests/e2e/progs/deadlock.c || exit 1

# run MODE KIND: deadlocking modes are aborted by the watchdog
# (abort_on_deadlock=1), so nothing waits on a timeout here.
run() {
    mode=$1 want=$2
    out="$tmp/$mode.db"
    LD_PRELOAD="$shim" GCTRACE_OUT="$out" \
        GCTRACE_OPTIONS="watchdog_ms=300:abort_on_deadlock=1:finish=0" \
        timeout -s KILL 20 "$tmp/deadlock" "$mode" > "$tmp/$mode.out" \
        2> "$tmp/$mode.err"
    status=$?
    "$gctrace" check --format json "$out" > "$tmp/$mode.json" 2>"$tmp/$mode.cerr"
    kinds=$(python3 -c 'import json,sys
print(" ".join(sorted(set(f["kind"] + "/" + (f.get("subkind") or "") for f in json.load(open(sys.argv[1]))["findings"]))))' "$tmp/$mode.json" 2>/dev/null)
    if [ "$want" = none ]; then
        [ "$status" -eq 0 ] || bad "$mode: exit $status, want 0"
        grep -q watchdog "$tmp/$mode.err" && bad "$mode: the watchdog spoke: $(cat "$tmp/$mode.err")"
        case "$kinds" in *deadlock*) bad "$mode: deadlock reported: $kinds" ;; esac
    else
        [ "$status" -eq 134 ] || bad "$mode: exit $status, want 134 (aborted by the watchdog)"
        grep -q "gctrace: watchdog:" "$tmp/$mode.err" || bad "$mode: no watchdog line on stderr"
        grep -q "deadlock" "$tmp/$mode.err" || bad "$mode: the watchdog's report names no deadlock"
        case "$kinds" in *"$want"*) ;; *) bad "$mode: check found '$kinds', want $want" ;; esac
    fi
}

run abba deadlock/locks
run self deadlock/self
run asleep deadlock/all_asleep
run ordered none
run timed none

[ $fail -eq 0 ] && echo "test_deadlock: ok"
exit $fail
