#!/bin/sh
# test_relock.sh BUILD - a libgoc lock taken again by its holder blocks for
# good, as in Go, instead of carrying on without mutual exclusion; and it
# does so alike natively and under the recorder, with the plain libgoc and
# the instrumented one (progs/relock.c proves each block from /proc, never
# from elapsed time).  Under the recorder, the relocks of a lock held for
# writing are reported as deadlock/self.
set -u
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { echo "FAIL: python3 not installed" >&2; exit 1; }
for lib in libgoc libgoc_trace; do
    # GCT_TEST_CFLAGS: the sanitizer flags the build's libgoc was made with
    # shellcheck disable=SC2086
    # shellcheck disable=SC2086 # the flags are words
    build_prog "relock_$lib" relock.c -std=c11 ${GCT_TEST_CFLAGS:-} \
        "$B/lib/$lib.a" -ldl
done

# kinds DB: the sorted kind/subkind of every finding in the trace.
kinds() {
    "$G" check --format json "$1" > "$1.json" 2>/dev/null
    python3 -c 'import json,sys
print(" ".join(sorted(f["kind"] + "/" + (f.get("subkind") or "") for f in json.load(open(sys.argv[1]))["findings"])))' "$1.json" 2>/dev/null
}

# check MODE WANT_LINES FINDINGS: one of FINDINGS' |-separated case
# patterns must match the trace's sorted kind/subkind list
check() {
    mode=$1 want=$2 findings=$3
    timeout -s KILL 60 "$tmp/relock_libgoc" "$mode" > "$tmp/$mode.native" 2>&1
    st=$?
    [ $st -eq 0 ] || err "$mode natively: exit $st: $(cat "$tmp/$mode.native")"
    got=$(tr '\n' ' ' < "$tmp/$mode.native")
    [ "$got" = "$want" ] || err "$mode natively: '$got', want '$want'"
    for lib in libgoc libgoc_trace; do
        db=$tmp/$mode.$lib.db
        LD_PRELOAD=$LIB GCTRACE_OUT=$db GCTRACE_OPTIONS=report=0:exitcode=0 \
            timeout -s KILL 60 "$tmp/relock_$lib" "$mode" > "$tmp/$mode.$lib" 2>&1
        st=$?
        [ $st -eq 0 ] || err "$mode, $lib, recorded: exit $st: $(cat "$tmp/$mode.$lib")"
        # The watchdog's own line aside (a relock certain to block is
        # reported as it begins, when the watchdog gets to run before the
        # program ends: test_self_deadlock checks that report), the
        # program says what it says natively.
        got=$(grep -v '^gctrace: watchdog:' "$tmp/$mode.$lib" | tr '\n' ' ')
        [ "$got" = "$want" ] || err "$mode, $lib, recorded: '$got', want '$want' (as natively)"
        k=$(kinds "$db")
        matched=0
        old_ifs=$IFS; IFS='|'
        for alt in $findings; do
            # shellcheck disable=SC2254
            case "$k" in $alt) matched=1 ;; esac
        done
        IFS=$old_ifs
        [ $matched -eq 1 ] || err "$mode, $lib: findings '$k', want '$findings'"
    done
}

check mutex "blocked blocked after a signal excluded " deadlock/self
check write_twice "blocked blocked after a signal excluded " deadlock/self
check read_in_write "blocked blocked after a signal excluded " deadlock/self
# A write lock asked for under one's own read lock, and a read lock asked
# for again while a writer waits, block as in Go.  glibc does not know
# which threads hold a read lock, but the recorder's own held stack does:
# a write lock asked for under one's own read lock is deadlock/self.
check write_in_read "blocked blocked after a signal excluded " deadlock/self
# The read lock asked for again is misuse/recursive_read_lock too, writer
# or not (test_recursive_rlock).
check read_twice "writer waits blocked blocked after a signal excluded " \
    "leaked_thread/ leaked_thread/ misuse/recursive_read_lock|deadlock/locks*misuse/recursive_read_lock"

e2e_end test_relock
