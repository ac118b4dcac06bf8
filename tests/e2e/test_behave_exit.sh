#!/bin/sh
# test_behave_exit.sh BUILD - the program's end runs as it does natively,
# and is recorded to its last step (progs/behave_exit.c and its library
# behave_exit_lib.c): a library destructor that joins its worker (as
# libomp's does) and writes a file, a thread that detaches itself from a
# thread-specific-data destructor (as GLib's do), an atexit handler that
# prints and leaves a stdio file for exit to flush.  Under LD_PRELOAD and
# under `gctrace run` the output, the files and, without findings, the
# exit status equal the native run's; with a finding, every handler and
# destructor still ran and the status is 66.  The late join and detach
# leave nothing to find; their twins (no join, no detach) are caught.
set -u
. "$(dirname "$0")/lib.sh"
P=$here/progs

cc -O1 -g -pthread -fPIC -shared -o "$tmp/libbehave_exit.so" \
    "$P/behave_exit_lib.c" &&
    cc -O1 -g -pthread -o "$tmp/exit" "$P/behave_exit.c" \
        -L"$tmp" -lbehave_exit -Wl,-rpath,"$tmp" || {
    echo "FAIL: cannot compile progs/behave_exit.c" >&2; exit 1; }

# outcome DIR: the program's stdout and the files its end wrote
outcome() {
    cat "$1/out" "$1/pool.txt" "$1/atexit.txt" 2>&1
}

# check MODE WANT_STATUS WANT_FINDINGS
check() {
    mode=$1 want_rc=$2 want=$3
    mkdir "$tmp/n.$mode" "$tmp/p.$mode" "$tmp/r.$mode"
    timeout -s KILL 30 "$tmp/exit" "$tmp/n.$mode" "$mode" >"$tmp/n.$mode/out"
    rc=$?
    [ $rc -eq 0 ] || err "$mode natively: exit $rc"
    outcome "$tmp/n.$mode" >"$tmp/n.$mode.all"
    grep -q "pool" "$tmp/n.$mode.all" && grep -q "written at exit" "$tmp/n.$mode.all" ||
        err "$mode natively: the files of the end are missing"

    # env after timeout: the program, not timeout, is the traced root
    timeout -s KILL 30 env LD_PRELOAD="$LIB" GCTRACE_OUT="$tmp/$mode.db" \
        "$tmp/exit" "$tmp/p.$mode" "$mode" >"$tmp/p.$mode/out" 2>"$tmp/p.$mode.err"
    rc=$?
    [ $rc -eq "$want_rc" ] || err "$mode under LD_PRELOAD: exit $rc, want $want_rc"
    outcome "$tmp/p.$mode" >"$tmp/p.$mode.all"
    cmp -s "$tmp/n.$mode.all" "$tmp/p.$mode.all" ||
        err "$mode under LD_PRELOAD: the end differs:
$(diff "$tmp/n.$mode.all" "$tmp/p.$mode.all")"
    got=$(found "$tmp/$mode.db")
    [ "$got" = "$want" ] || err "$mode: found '$got', want '$want'"

    timeout -s KILL 30 "$G" run -q -o "$tmp/r.$mode.db" -- \
        "$tmp/exit" "$tmp/r.$mode" "$mode" >"$tmp/r.$mode/out" 2>/dev/null
    rc=$?
    [ $rc -eq "$want_rc" ] || err "$mode under gctrace run: exit $rc, want $want_rc"
    outcome "$tmp/r.$mode" >"$tmp/r.$mode.all"
    cmp -s "$tmp/n.$mode.all" "$tmp/r.$mode.all" ||
        err "$mode under gctrace run: the end differs"
    got=$(found "$tmp/r.$mode.db")
    [ "$got" = "$want" ] || err "$mode under gctrace run: found '$got', want '$want'"
}

check clean 0 ""
check finding 66 "lock_order_cycle"
check nojoin 66 "leaked_thread"
check nodetach 66 "unjoined_thread"

e2e_end test_behave_exit
