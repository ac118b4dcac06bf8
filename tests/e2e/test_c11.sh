#!/bin/sh
# C11 threads are traced like pthreads: a lock-order inversion through
# mtx_t is found, a joined thrd_t is not reported, output is unchanged.
# Usage: tests/e2e/test_c11.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

build_prog c11 c11.c -std=c11
for mode in inverted clean; do
    "$tmp/c11" "$mode" > "$tmp/native.out"
    GCTRACE_OPTIONS=exitcode=0 "$G" run -q -o "$tmp/$mode.db" -- \
        "$tmp/c11" "$mode" > "$tmp/traced.out"
    cmp -s "$tmp/native.out" "$tmp/traced.out" || err "$mode: output differs"
    "$G" check --format json "$tmp/$mode.db" > "$tmp/$mode.json"
    kinds=$(python3 -c 'import json,sys
print(" ".join(sorted(f["kind"] for f in json.load(open(sys.argv[1]))["findings"])))' "$tmp/$mode.json")
    case $mode in
        inverted) [ "$kinds" = "lock_order_cycle" ] ||
            err "inverted: found '$kinds', want lock_order_cycle" ;;
        clean) [ -z "$kinds" ] || err "clean: found '$kinds', want nothing" ;;
    esac
done
e2e_end test_c11
