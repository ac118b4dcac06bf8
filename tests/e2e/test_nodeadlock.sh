#!/bin/sh
# test_nodeadlock.sh BUILD - the shim never deadlocks against the program
# (issue 7): progs/nodeadlock.c holds every kind of lock (mutex, recursive
# mutex, rwlock written and read, C11 mtx_t, a semaphore's count, a
# pthread_cond_wait) in one thread while another creates, joins and ends
# threads, forks a child that takes fresh locks, and takes a signal whose
# handler writes to a pipe.  Natively, under LD_PRELOAD and under
# `gctrace run -q`, with record=blocking and record=all, several rounds:
# the same output and status every time, and never the 20 s SIGKILL.  The
# traces open, hold both processes and all six threads, and are clean.
set -u
. "$(dirname "$0")/lib.sh"
err() { echo "FAIL: test_nodeadlock: $*" >&2; fail=1; }
ROUNDS=${NODEADLOCK_ROUNDS:-8}

command -v sqlite3 >/dev/null || { echo "FAIL: sqlite3 not installed" >&2; exit 1; }
build_prog nd nodeadlock.c -std=c11

timeout -s KILL 20 "$tmp/nd" >"$tmp/native.out" 2>"$tmp/native.err"
nrc=$?
[ $nrc -eq 0 ] || err "native run: exit $nrc ($(cat "$tmp/native.err"))"
[ "$(tail -n 1 "$tmp/native.out")" = "released: all" ] ||
    err "native run did not finish: $(cat "$tmp/native.out")"

# compare NAME RC - the traced run NAME matches the native one
compare() {
    if [ "$2" -eq 137 ]; then
        err "$1: killed after 20 s (deadlock); output so far: $(cat "$tmp/$1.out")"
    elif [ "$2" -ne $nrc ]; then
        err "$1: exit $2, native $nrc ($(head -c 300 "$tmp/$1.err"))"
    fi
    cmp -s "$tmp/native.out" "$tmp/$1.out" ||
        err "$1: output differs:
$(diff "$tmp/native.out" "$tmp/$1.out" | head -20)"
}

# trace_ok NAME - the trace opens, holds parent and child, all six threads
# (main, holder, actor, returner, exiter, the child's), and no finding
trace_ok() {
    db=$tmp/$1.db
    "$G" check "$db" >"$tmp/$1.check" 2>&1
    rc=$?
    [ $rc -eq 0 ] || err "$1: gctrace check exit $rc: $(head -c 400 "$tmp/$1.check")"
    p=$(sqlite3 "$db" "select count(*) from processes" 2>&1)
    t=$(sqlite3 "$db" "select count(*) from threads" 2>&1)
    [ "$p" = 2 ] || err "$1: $p processes in the trace, want 2"
    [ "$t" = 6 ] || err "$1: $t threads in the trace, want 6"
}

i=0
while [ $i -lt "$ROUNDS" ]; do
    for rec in blocking all; do
        n=preload-$rec-$i
        # timeout outside the preload, so that only nd is traced
        timeout -s KILL 20 env GCTRACE_OPTIONS=record=$rec:exitcode=0 \
            GCTRACE_OUT="$tmp/$n.db" LD_PRELOAD="$LIB" "$tmp/nd" \
            >"$tmp/$n.out" 2>"$tmp/$n.err"
        compare "$n" $?
        trace_ok "$n"

        n=run-$rec-$i
        GCTRACE_OPTIONS=record=$rec:exitcode=0 timeout -s KILL 20 \
            "$G" run -q -o "$tmp/$n.db" -- "$tmp/nd" >"$tmp/$n.out" 2>"$tmp/$n.err"
        compare "$n" $?
        trace_ok "$n"
    done
    [ $fail -eq 0 ] || break
    i=$((i + 1))
done

e2e_end test_nodeadlock
