#!/bin/sh
# test_crash.sh BUILD - a program that dies abruptly (SIGKILL, SIGSEGV,
# abort, killed while hanging) after N lock/unlock pairs must leave a raw
# log from which `gctrace report` recovers exactly N acquire and N release
# events, both with the recorder preloaded directly and via `gctrace run`.
set -u
. "$(dirname "$0")/lib.sh"
N=1000

command -v sqlite3 >/dev/null || { echo "FAIL: sqlite3 not installed" >&2; exit 1; }
build_prog crash crash.c

count() {
    sqlite3 "$1" "select count(*) from events e join event_kinds k
                  using(kind) where k.name='$2'" 2>&1
}

# check_counts WHAT DB
check_counts() {
    for k in lock_acquire lock_release; do
        c=$(count "$2" $k)
        [ "$c" = "$N" ] || err "$1: $k count '$c', want $N"
    done
}

for mode in kill segv abort hang; do
    db=$tmp/$mode.db
    if [ $mode = hang ]; then
        LD_PRELOAD=$LIB GCTRACE_OUT=$db GCTRACE_OPTIONS=record=all \
            timeout -s KILL 2 "$tmp/crash" $mode $N >"$tmp/$mode.out" 2>"$tmp/$mode.err"
    else
        LD_PRELOAD=$LIB GCTRACE_OUT=$db GCTRACE_OPTIONS=record=all \
            "$tmp/crash" $mode $N >"$tmp/$mode.out" 2>"$tmp/$mode.err"
    fi
    rc=$?
    [ $rc -ge 128 ] || err "$mode: program exit $rc, expected death by signal"
    [ "$(cat "$tmp/$mode.out")" = ready ] || err "$mode: did not print ready"
    "$G" report "$db" >"$tmp/$mode.report" 2>"$tmp/$mode.rerr"
    rc=$?
    if [ $rc -ne 0 ]; then
        err "$mode: gctrace report $db exit $rc: $(cat "$tmp/$mode.rerr")"
        continue
    fi
    check_counts "$mode (LD_PRELOAD)" "$db"
done

db=$tmp/u.db
GCTRACE_OPTIONS=record=all "$G" run -q -o "$db" -- "$tmp/crash" kill $N >"$tmp/run.out" 2>"$tmp/run.err"
rc=$?
[ $rc -eq 137 ] || err "gctrace run of crash kill: exit $rc, want 137 ($(cat "$tmp/run.err"))"
check_counts "kill (gctrace run)" "$db"

e2e_end test_crash
