#!/bin/sh
# Hangs that are no cycle of locks (progs/hangs.c): a condvar whose only
# signaller ended, a barrier waited on by one thread more than its count.
# Every thread ends up blocked for good, and the watchdog reports
# deadlock/all_asleep while the program hangs (abort_on_deadlock=1 ends
# it); the twins end, and the watchdog says nothing.
# Usage: tests/e2e/test_hangs.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

build_prog hangs hangs.c

# run MODE WANT: WANT is deadlock/all_asleep or none
run() {
    mode=$1 want=$2
    LD_PRELOAD="$LIB" GCTRACE_OUT="$tmp/$mode.db" \
        GCTRACE_OPTIONS=watchdog_ms=300:abort_on_deadlock=1:finish=0 \
        timeout -s KILL 20 "$tmp/hangs" "$mode" >"$tmp/$mode.out" \
        2>"$tmp/$mode.err"
    status=$?
    kinds=$("$G" check --format json "$tmp/$mode.db" 2>/dev/null |
        python3 -c 'import json,sys
print(" ".join(sorted(set(f["kind"] + "/" + (f.get("subkind") or "") for f in json.load(sys.stdin)["findings"]))))')
    if [ "$want" = none ]; then
        [ "$status" -eq 0 ] || err "$mode: exit $status, want 0"
        [ "$(cat "$tmp/$mode.out")" = "$mode: ended" ] ||
            err "$mode: output '$(cat "$tmp/$mode.out")'"
        grep -q watchdog "$tmp/$mode.err" &&
            err "$mode: the watchdog spoke: $(cat "$tmp/$mode.err")"
        [ -z "$kinds" ] || err "$mode: found '$kinds'"
    else
        [ "$status" -eq 134 ] ||
            err "$mode: exit $status, want 134 (aborted by the watchdog)"
        grep -q "gctrace: watchdog: every thread is blocked" "$tmp/$mode.err" ||
            err "$mode: no watchdog line: $(cat "$tmp/$mode.err")"
        case "$kinds" in *"$want"*) ;;
        *) err "$mode: check found '$kinds', want $want" ;; esac
    fi
}

run signaller_gone deadlock/all_asleep
run signalled none
run barrier_extra deadlock/all_asleep
run barrier_rounds none
e2e_end test_hangs
