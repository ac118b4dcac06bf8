#!/bin/sh
# test_fuzz_smoke.sh BUILD - builds the libFuzzer harnesses (tests/fuzz/),
# replays every saved reproducer (tests/fuzz/crashes/<harness>-*) as a
# regression test, then runs each harness for 5 seconds from its seed
# corpus; fails on any crash, leak, sanitizer report or timeout.  Skipped
# when clang or its libFuzzer runtime is missing.  The fuzzer's seed is
# fixed (-seed=1) so that a run explores the same inputs each time, give
# or take machine speed.  The harnesses run two at a time (a 2-core
# budget), so the whole test stays under 30 s once they are built.
set -u
B=${1:?usage: $0 BUILD_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd) || exit 1
case $B in /*) ;; *) B=$(pwd)/$B ;; esac
F=${B}-fuzz
SECONDS_EACH=5

# clang and libFuzzer: link a trivial fuzzer to find out.
probe=$(mktemp -d) || exit 1
trap 'rm -rf "$probe"' EXIT INT TERM
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
    '{ (void)d; (void)n; return 0; }' >"$probe/p.c"
if ! command -v clang >/dev/null 2>&1 ||
   ! clang -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c" \
        >/dev/null 2>&1; then
    echo "test_fuzz_smoke: skipped (no libFuzzer)"
    exit 0
fi

# A nested make must not inherit the outer one's jobserver.
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
        make -s -C "$root" BUILD="$B" FUZZ_DIR="$F" fuzz-build \
        >"$probe/build.log" 2>&1; then
    cat "$probe/build.log" >&2
    echo "FAIL: test_fuzz_smoke: cannot build the harnesses" >&2
    exit 1
fi

harnesses=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
            make -s -C "$root" BUILD="$B" fuzz-list)
# fuzz_traceschema's base trace, wherever this runs from.
FUZZ_TRACE_BASE=$root/tests/fuzz/corpus/fuzz_tracedb/bug_lock_order
export FUZZ_TRACE_BASE

fail=0
# Saved reproducers: each must now pass (a harness given files runs each
# once).
for h in $harnesses; do
    for c in "$root/tests/fuzz/crashes/$h"-*; do
        [ -e "$c" ] || continue
        if ! "$F/$h" "$c" >"$probe/replay.log" 2>&1; then
            echo "FAIL: test_fuzz_smoke: $h still fails on $c:" >&2
            grep -E 'ERROR|SUMMARY|^    #[0-9]' "$probe/replay.log" |
                head -n 12 | sed 's/^/    /' >&2
            fail=1
        fi
    done
done

# run HARNESS: fuzz for SECONDS_EACH in a scratch corpus, seeds read-only.
run() {
    h=$1
    mkdir -p "$probe/$h"
    ASAN_OPTIONS=quarantine_size_mb=16 "$F/$h" -max_total_time=$SECONDS_EACH \
        -seed=1 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$probe/$h-" "$probe/$h" "$root/tests/fuzz/corpus/$h" \
        >"$probe/$h.log" 2>&1
    echo $? >"$probe/$h.rc"
}
check() {
    h=$1
    rc=$(cat "$probe/$h.rc")
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$probe/$h.log")
    if [ "$rc" -ne 0 ]; then
        echo "FAIL: test_fuzz_smoke: $h exited $rc:" >&2
        grep -E 'ERROR|SUMMARY|Test unit written|^    #[0-9]' "$probe/$h.log" |
            head -n 30 | sed 's/^/    /' >&2
        for a in "$probe/$h"-*; do
            [ -e "$a" ] || continue
            mkdir -p "$F/crashes" && cp "$a" "$F/crashes/" &&
                echo "    reproducer: $F/crashes/$(basename "$a")" >&2
        done
        fail=1
    elif [ -z "$execs" ] || [ "$execs" -lt 1 ]; then
        echo "FAIL: test_fuzz_smoke: $h ran no input" >&2
        fail=1
    else
        echo "test_fuzz_smoke: $h: $execs inputs in ${SECONDS_EACH} s"
    fi
}

# Two at a time.
set -- $harnesses
while [ $# -gt 0 ]; do
    run "$1" &
    [ $# -gt 1 ] && { run "$2" & shift; }
    shift
    wait
done
for h in $harnesses; do
    check "$h"
done
[ $fail -eq 0 ] && echo "test_fuzz_smoke: ok"
exit $fail
