#!/bin/sh
# test_helgrind.sh BUILD - libgoc's own cmocka tests under Valgrind's
# Helgrind, with no Helgrind error allowed (issue 7: "the library is clean
# under TSan and Helgrind").
#
# libgoc hands data between threads through C11 atomics and raw futexes
# (lib/futex.c, the channel ring, waitgroup, once, context, errgroup...),
# which Helgrind does not model: plain, it reports millions of false races.
# Built with -DGOC_HELGRIND, the library tells Helgrind about each such
# hand-off (GOC_HB_BEFORE/AFTER, lib/goc_impl.h), and test_go.c and
# test_timer.c, which hand data through atomics of their own, do the same.
#
# What runs:
#  1. that build (-O1 -g) of libgoc and tests/lib/test_*.c, made here in
#     BUILD/helgrind;
#  2. every test program under valgrind --tool=helgrind: each must pass
#     its cmocka tests and report 0 errors (a forked child too);
#  3. helgrind_sync.c, the negative control, linked with the same library:
#     clean, 0 errors; with "racy", Helgrind must report its two
#     deliberate races (racy_write, and write_late after a channel send)
#     and not what was written before the send (write_early): the proof
#     that a clean run is not Helgrind looking away.
#
# Run with changes under Valgrind (both still run in full in make test):
#  - test_go's test_system_refuses is left out (GOC_TEST_SKIP): it asks
#    for a 2^48-byte stack, which Valgrind's pthread_create refuses with
#    EINVAL instead of EAGAIN (the test wants GOC_ESYSTEM), and Helgrind
#    reports every failed pthread_create as an error;
#  - test_go's test_ten_thousand_alive starts 200 goroutines, not 10,000
#    (GOC_TEST_MANY): Valgrind aborts long before ("VG_N_SEGMENTS is too
#    low", and it runs 500 threads at most by default).
#
# Suppressions: none of our own; Valgrind's default ones (glibc internals)
# apply.  80-100 s on an idle 2-core machine (test_chan 1 minute,
# test_select 20 s), plus the build.
set -u
. "$(dirname "$0")/../e2e/lib.sh"
mkdir -p "$B/helgrind" || exit 1
HG=$B/helgrind
top=$(cd "$here/../.." && pwd)
err() { echo "FAIL: test_helgrind: $*" >&2; fail=1; }

if ! command -v valgrind >/dev/null 2>&1; then
    echo "FAIL: test_helgrind: valgrind not installed" >&2
    exit 1
fi
if [ ! -r /usr/include/valgrind/helgrind.h ]; then
    echo "FAIL: test_helgrind: valgrind/helgrind.h not installed" >&2
    exit 1
fi

# A make of its own: flags of a calling make must not leak into it.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$top" -j2 BUILD="$HG" \
    CFLAGS="-O1 -g -DGOC_HELGRIND" SAN= SHIM_SAN= test-bins \
    >"$tmp/build.log" 2>&1 || {
    echo "FAIL: test_helgrind: cannot build the annotated tests:" >&2
    tail -20 "$tmp/build.log" >&2
    exit 1
}

HGRIND="valgrind --tool=helgrind --error-exitcode=99"
HGENV=                          # env VAR=... for one test

# The first report of a Helgrind log, for a failure message.
first_report() {
    grep -v -e '^==[0-9]*== *$' "$1" |
        sed -n '/ERROR SUMMARY/q;/Thread #1 is the program/,$p' | head -60
}

# hg NAME CMD... - CMD under Helgrind must exit 0 with 0 errors.
hg() {
    name=$1
    shift
    # shellcheck disable=SC2086
    $HGENV timeout -s KILL 600 $HGRIND --log-file="$tmp/$name.vg" "$@" \
        >"$tmp/$name.out" 2>&1
    rc=$?
    if [ $rc -eq 99 ]; then
        err "$name: Helgrind reports errors:
$(first_report "$tmp/$name.vg")"
    elif [ $rc -ne 0 ]; then
        err "$name: exit $rc under Helgrind:
$(tail -30 "$tmp/$name.out")"
    elif ! grep -q "ERROR SUMMARY" "$tmp/$name.vg" ||
        grep "ERROR SUMMARY" "$tmp/$name.vg" | grep -qv ": 0 errors"; then
        err "$name: no clean ERROR SUMMARY in the Helgrind log"
    fi
}

start=$(date +%s)
for t in "$HG"/tests/lib/test_*; do
    case $t in *.d) continue ;; esac # the compiler's dependency files
    name=$(basename "$t")
    HGENV=
    [ "$name" = test_go ] &&
        HGENV="env GOC_TEST_SKIP=test_system_refuses GOC_TEST_MANY=200"
    hg "$name" "$t"
done
HGENV=
[ -x "$HG/tests/lib/test_chan" ] || err "no test programs in $HG/tests/lib"

# The negative control.
cc -std=c11 -O1 -g -I"$top/include" -o "$tmp/hs" "$here/helgrind_sync.c" \
    "$HG/lib/libgoc.a" -lpthread -ldl || {
    echo "FAIL: test_helgrind: cannot build helgrind_sync.c" >&2; exit 1; }
hg helgrind_sync "$tmp/hs"
# shellcheck disable=SC2086
timeout -s KILL 300 $HGRIND --log-file="$tmp/racy.vg" "$tmp/hs" racy \
    >"$tmp/racy.out" 2>&1
rc=$?
[ $rc -eq 99 ] || err "the deliberate races: exit $rc, want 99 (Helgrind found nothing?)"
races=$(grep -A3 -e "Possible data race" -e "This conflicts" "$tmp/racy.vg")
echo "$races" | grep -q "racy_write (helgrind_sync.c" ||
    err "the race between two goroutines (racy_write) is not reported"
echo "$races" | grep -q "write_late (helgrind_sync.c" ||
    err "the write after a channel send (write_late) is not reported"
echo "$races" | grep -q "write_early" &&
    err "the write before a channel send (write_early) is reported: the channel's edge is missing"

if [ $fail -ne 0 ]; then
    echo "test_helgrind: FAILED" >&2
    exit 1
fi
echo "test_helgrind: ok ($(($(date +%s) - start)) s under Helgrind)"
