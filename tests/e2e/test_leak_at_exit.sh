#!/bin/sh
# A thread or goroutine left blocked when main returns at once is found
# in 10 runs of 10, whether or not it ran before the end; a thread exists
# in the trace from its creation; and the threads that are not leaks (a
# timed wait, a thread still computing, the thread that called exit, one
# asleep where the recorder does not look) stay silent, without the exit
# grace waiting for the last of them.
# Usage: tests/e2e/test_leak_at_exit.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

# GCT_TEST_CFLAGS: the sanitizer flags the build's libgoc was made with
# shellcheck disable=SC2086
build_goc_prog leak leak_at_exit.c

# kind:severity:origin:thread-name of each finding, sorted
found() {
    "$G" check --format json "$1" | python3 -c 'import json,sys
print(" ".join(sorted("%s:%d:%s:%s" % (f["kind"], f["severity"], f["origin"],
    f["threads"][0]["label"].split(" (")[0].rstrip("0123456789 "))
    for f in json.load(sys.stdin)["findings"])))'
}

# run MODE WANT_STATUS WANT_FINDINGS [OPTIONS]
run() {
    GCTRACE_OPTIONS=${4:-} "$G" run -q -o "$tmp/$1.db" -- "$tmp/leak" "$1" \
        > /dev/null 2>&1
    st=$?
    [ "$st" -eq "$2" ] || err "$1: exit status $st, want $2"
    got=$(found "$tmp/$1.db")
    [ "$got" = "$3" ] || err "$1: found '$got', want '$3'"
}

i=0
while [ $i -lt 10 ]; do
    # an unnamed thread is named by its start routine
    run thread 66 "leaked_thread:2:program:thread lock_held"
    run goroutine 66 "leaked_thread:2:program:goroutine 'sender'"
    # Without a grace the thread may not have run at all: it is in the
    # trace from its creation all the same.
    GCTRACE_OPTIONS=exit_grace_ms=0:exitcode=0 "$G" run -q -o "$tmp/g0.db" \
        -- "$tmp/leak" thread > /dev/null 2>&1
    n=$(sqlite3 "$tmp/g0.db" "SELECT count(*) FROM threads WHERE tid != pid
        AND create_stack > 0 AND parent_id IS NOT NULL")
    [ "$n" = 1 ] || err "run $i without a grace: $n created threads, want 1"
    i=$((i + 1))
done

run thread_ok 0 ""
run goroutine_ok 0 ""
run timed 0 ""
run running 0 ""
run exit_thread 3 ""
# Everything asleep: the grace does not wait (a minute would show).
start=$(date +%s)
run asleep 0 "" exit_grace_ms=60000
[ $(($(date +%s) - start)) -lt 30 ] || err "asleep: the exit grace waited"
state=$(sqlite3 "$tmp/timed.db" "SELECT end_state FROM threads
    WHERE tid != pid")
[ "$state" = blocked ] || err "timed: thread state '$state', want blocked"
e2e_end test_leak_at_exit
