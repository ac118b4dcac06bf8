#!/bin/sh
# A program killed while one of its threads waits for a mutex, and killed
# once that thread got the mutex: the trace shows the first wait
# unfinished (blocked at the end) and the second finished after its
# begin.  The end of a wait on a lock is reserved with its begin and
# published when the wait ends (preload/locks.c); an unpublished
# reservation must not read as an end.
# Usage: tests/e2e/test_killed_waiting.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

build_prog kw killed_waiting.c

# waits DB: "ended begin<end" for each mutex wait of the trace
waits() {
    sqlite3 "$1" "select case when w.end_ns is null then 'open'
                              when w.end_ns >= w.begin_ns then 'ended'
                              else 'ended-before-begin' end
                  from waits w join wait_reasons r using(reason)
                  where r.name = 'mutex lock'" 2>&1
}

for mode in waiting holding; do
    db=$tmp/$mode.db
    GCTRACE_OPTIONS=report=0:out="$db" LD_PRELOAD="$LIB" \
        timeout -s KILL 60 "$tmp/kw" $mode > "$tmp/$mode.out" 2> "$tmp/$mode.err"
    rc=$?
    [ $rc = 137 ] || err "$mode: exit $rc, want 137 (killed): $(head -c 300 "$tmp/$mode.err")"
    [ "$(cat "$tmp/$mode.out")" = killing ] || err "$mode: did not get to the kill"
    "$G" report "$db" > /dev/null 2> "$tmp/$mode.rerr" ||
        err "$mode: report: $(head -c 300 "$tmp/$mode.rerr")"
    got=$(waits "$db")
    case $mode in
    waiting) want=open ;;
    holding) want=ended ;;
    esac
    [ "$got" = "$want" ] || err "$mode: the mutex wait is '$got', want '$want'"
    blocked=$(sqlite3 "$db" "select count(*) from blocked_at_end
                             where waiting_on = 'mutex lock'" 2>&1)
    case $mode in
    waiting) [ "$blocked" = 1 ] || err "waiting: blocked at the end: '$blocked', want 1" ;;
    holding) [ "$blocked" = 0 ] || err "holding: blocked at the end: '$blocked', want 0" ;;
    esac
done
e2e_end test_killed_waiting
