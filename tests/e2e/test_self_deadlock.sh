#!/bin/sh
# test_self_deadlock.sh BUILD - a thread that locks a NORMAL mutex it
# holds can never go on: the watchdog reports deadlock/self as soon as the
# wait begins, not after its delay (watchdog_ms=600000 here, so that only
# the at-once path can report within the test's bound), and
# abort_on_deadlock=1 ends the program; so does a thread that write-locks
# an rwlock it holds for reading.  Its twins, an error-checking
# mutex (answered EDEADLK) and a recursive one (taken again), run as
# natively and are no deadlock; the error-checking mutex's relock is
# misuse/relock_by_holder (test_pthread_misuse), the recursive one's is
# silent, and so is an rwlock read-locked and unlocked before its write
# lock.
set -u
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC2086 # the flags are words
build_prog self self_deadlock.c ${GCT_TEST_CFLAGS:-}

# The bound only matters when the report does not come: it fails the test
# instead of hanging it.
# read_write: an rwlock read-locked, then write-locked by the same thread
# (glibc's writer waits for its own read lock, for good).
for mode in normal read_write; do
    GCTRACE_OPTIONS=watchdog_ms=600000:abort_on_deadlock=1 \
        timeout 60 "$G" run -q -o "$tmp/$mode.db" -- "$tmp/self" $mode \
        >"$tmp/$mode.out" 2>"$tmp/$mode.err"
    rc=$?
    [ $rc -eq 124 ] && err "$mode: no report before the bound (the watchdog waited out its delay)"
    grep -q "which never ends" "$tmp/$mode.err" ||
        err "$mode: no at-once watchdog line: $(head -3 "$tmp/$mode.err")"
    grep -q second "$tmp/$mode.out" && err "$mode: the second lock returned"
    k=$("$G" check --format json "$tmp/$mode.db" 2>/dev/null |
        grep -o '"kind":"deadlock","id":"[0-9a-f]*","subkind":"self"')
    [ -n "$k" ] || err "$mode: no deadlock/self in the trace"
done

for mode in errorcheck recursive read_unlock_write; do
    "$tmp/self" $mode >"$tmp/$mode.nat" 2>&1
    GCTRACE_OPTIONS=watchdog_ms=600000:abort_on_deadlock=1 \
        timeout 60 "$G" run -q -o "$tmp/$mode.db" -- "$tmp/self" $mode \
        >"$tmp/$mode.out" 2>"$tmp/$mode.err"
    rc=$?
    want=0 finding=
    [ $mode = errorcheck ] && want=66 finding='"subkind":"relock_by_holder"'
    [ $rc -eq $want ] || err "$mode: exit $rc, want $want: $(head -3 "$tmp/$mode.err")"
    cmp -s "$tmp/$mode.nat" "$tmp/$mode.out" || err "$mode: output differs from native"
    grep -q watchdog "$tmp/$mode.err" && err "$mode: the watchdog reported"
    "$G" check --format json "$tmp/$mode.db" > "$tmp/$mode.json"
    grep -q '"kind":"deadlock"' "$tmp/$mode.json" && err "$mode: a deadlock"
    [ -z "$finding" ] || grep -q "$finding" "$tmp/$mode.json" ||
        err "$mode: no $finding"
done
# The program exits while the watchdog's snapshot is being finished (main
# waits for the step's process to exist, or, when the step was quicker
# than main's look, for the snapshot's trace): the exit waits for it, so the
# final trace is the whole run's, not the snapshot, and no error reaches
# stderr (the snapshot's step once found its raw log consumed by the
# exit's).  Under gctrace run, and with the
# recorder preloaded into timeout, whose exit finishes the trace while
# the program is its child.
for how in run preload; do
    db=$tmp/snap_$how.db
    if [ $how = run ]; then
        GCTRACE_OPTIONS=exitcode=0 timeout 60 "$G" run -q -o "$db" -- \
            "$tmp/self" exit_in_snapshot >"$tmp/snap.out" 2>"$tmp/snap.err"
    else
        LD_PRELOAD=$LIB GCTRACE_OUT=$db GCTRACE_OPTIONS=exitcode=0:report=0 \
            timeout 60 "$tmp/self" exit_in_snapshot >"$tmp/snap.out" \
            2>"$tmp/snap.err"
    fi
    rc=$?
    [ $rc -eq 0 ] || err "snapshot/$how: exit $rc: $(cat "$tmp/snap.out" "$tmp/snap.err")"
    grep -Ei 'no such file|cannot|error' "$tmp/snap.err" &&
        err "snapshot/$how: an error on stderr: $(cat "$tmp/snap.err")"
    c=$(q "$db" "SELECT value FROM meta WHERE key = 'complete'")
    [ "$c" = 1 ] || err "snapshot/$how: the trace is not the complete run's: $c"
    [ -z "$(q "$db" "SELECT value FROM meta WHERE key = 'snapshot'")" ] ||
        err "snapshot/$how: the trace is the snapshot"
    [ -e "$db.raw" ] && err "snapshot/$how: the raw log is left"
    case " $(found "$db") " in
    *" deadlock/self "*) ;;
    *) err "snapshot/$how: no deadlock/self: $(found "$db")" ;;
    esac
done

e2e_end test_self_deadlock
