#!/bin/sh
# test_behave_alloc.sh BUILD - threads whose start locks before the
# recorder registers them (progs/behave_alloc.c: the program's free takes
# a mutex, as jemalloc's does, and the recorder frees its own start
# record on the new thread) are recorded once each: 5 threads, nothing to
# find; the twin that leaves one thread waiting has exactly one leak.
set -u
. "$(dirname "$0")/lib.sh"

build_prog alloc behave_alloc.c

# run MODE WANT_STATUS WANT_THREADS WANT_FINDINGS
run() {
    timeout -s KILL 30 "$tmp/alloc" "$1" >"$tmp/$1.nout" 2>&1 ||
        err "$1 natively: exit $?"
    timeout -s KILL 30 "$G" run -q -o "$tmp/$1.db" -- "$tmp/alloc" "$1" \
        >"$tmp/$1.tout" 2>/dev/null
    rc=$?
    [ $rc -eq "$2" ] || err "$1 traced: exit $rc, want $2"
    cmp -s "$tmp/$1.nout" "$tmp/$1.tout" || err "$1: output differs"
    n=$(sqlite3 "$tmp/$1.db" "select count(*) from threads")
    [ "$n" = "$3" ] || err "$1: $n threads in the trace, want $3"
    got=$(found "$tmp/$1.db")
    [ "$got" = "$4" ] || err "$1: found '$got', want '$4'"
}

run ok 0 5 ""
run leak 66 6 "leaked_thread"

e2e_end test_behave_alloc
