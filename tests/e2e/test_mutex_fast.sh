#!/bin/sh
# test_mutex_fast.sh BUILD - the recorder takes and releases an
# uncontended default mutex itself (preload/mutex_fast.c).  glibc's
# fields of every kind of mutex, through uncontended, contended and
# condvar use (progs/mutex_state.c), must read the same natively and
# under the recorder, in every record mode and with the in-place path
# turned off; verbosity=1 says which path ran.
set -u
. "$(dirname "$0")/lib.sh"

build_prog mutex_state mutex_state.c

# run_case NAME WANT_LINE OPTIONS [ENV...] - the program under the
# recorder with GCTRACE_OPTIONS and ENV, against its native run with the
# same ENV; the recorder's stderr must hold WANT_LINE.
run_case() {
    name=$1 want=$2 opts=$3
    shift 3
    env "$@" "$tmp/mutex_state" >"$tmp/$name.native" 2>&1 ||
        err "$name natively: exit $?: $(head -n 3 "$tmp/$name.native")"
    env "$@" LD_PRELOAD="$LIB" GCTRACE_OUT="$tmp/$name.db" \
        GCTRACE_OPTIONS="verbosity=1:report=0:$opts" \
        "$tmp/mutex_state" >"$tmp/$name.out" 2>"$tmp/$name.err" ||
        err "$name under the recorder: exit $?: $(head -n 3 "$tmp/$name.err")"
    cmp -s "$tmp/$name.native" "$tmp/$name.out" ||
        err "$name: glibc's fields differ under the recorder:
$(diff "$tmp/$name.native" "$tmp/$name.out")"
    grep -qxF "gctrace: default mutexes: $want" "$tmp/$name.err" ||
        err "$name: no line 'default mutexes: $want' in: $(cat "$tmp/$name.err")"
}

run_case default "taken in place" ""
# Lines the native run must have, so that a program that printed
# nothing cannot pass the comparison.
for want in "locked: lock=1 owner=self nusers=1 count=0" \
        "trylock from another thread: EBUSY" \
        "after 1000 rounds: lock=0 owner=none nusers=0 count=0" \
        "held, with a waiter: lock=2 owner=self nusers=1 count=0" \
        "woken locker holds it: lock=2 owner=self nusers=1 count=0" \
        "after the waiter: lock=0 owner=none nusers=0 count=0" \
        "recursive, locked: lock=1 owner=self nusers=1 count=2"; do
    grep -qxF "$want" "$tmp/default.native" ||
        err "natively: missing '$want'"
done
run_case all "taken in place" record=all
run_case counters "taken in place" record=counters
run_case elision "through glibc: GLIBC_TUNABLES asks for lock elision" "" \
    GLIBC_TUNABLES=glibc.elision.enable=1
run_case off "through glibc: option mutex_fast=0" mutex_fast=0

# The trace of the default run saw the contended lock as a wait: written
# out, or counted when short (wait_sites).
n=$(sqlite3 "$tmp/default.db" "SELECT sum(waits + counted) FROM wait_sites
                               WHERE reason = (SELECT reason FROM
                               wait_reasons WHERE name = 'mutex lock')" 2>&1)
[ "$n" -ge 1 ] 2>/dev/null ||
    err "default: the contended lock is not a mutex wait in the trace ($n)"

e2e_end test_mutex_fast
