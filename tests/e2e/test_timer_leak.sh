#!/bin/sh
# test_timer_leak.sh BUILD - timers, tickers and goc_after timers still
# pending at exit are one timer_leak per site that armed them, with the
# count (progs/timer_leak.c); stopped, fired, reset-then-freed timers and
# a goc_after freed while pending are silent.  (samples/bug_timer_leak.c
# is goc_after in a loop; test_samples checks it.)
set -u
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC2086 # the build's sanitizer flags
build_goc_prog tl timer_leak.c -D_GNU_SOURCE
# In an ASan build, the leaks mode leaks its timers on purpose: leak
# checking is not what this tests.
for mode in leaks stopped fired reset; do
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
    GCTRACE_OPTIONS=exitcode=0 "$G" run -q -o "$tmp/$mode.db" -- \
        "$tmp/tl" $mode >"$tmp/$mode.out" 2>"$tmp/$mode.err" ||
        err "$mode: exit $?: $(head -3 "$tmp/$mode.err")"
    "$G" check --format json "$tmp/$mode.db" | python3 -c 'import json,sys
for f in json.load(sys.stdin)["findings"]:
    print(f["kind"], f["stable_message"])' >"$tmp/$mode.txt"
    case $mode in
    leaks)
        [ "$(cut -d' ' -f1 "$tmp/$mode.txt" | tr '\n' ' ')" = "timer_leak timer_leak " ] ||
            err "leaks: $(cat "$tmp/$mode.txt")"
        grep -q "^timer_leak 3 tickers armed at main (timer_leak.c:28) were still pending" "$tmp/$mode.txt" ||
            err "leaks: no finding for the 3 tickers: $(cat "$tmp/$mode.txt")"
        grep -q "^timer_leak a timer armed at main (timer_leak.c:29) was still pending" "$tmp/$mode.txt" ||
            err "leaks: no finding for the timer: $(cat "$tmp/$mode.txt")" ;;
    *)
        [ -s "$tmp/$mode.txt" ] && err "$mode: $(cat "$tmp/$mode.txt")" ;;
    esac
done
e2e_end test_timer_leak
