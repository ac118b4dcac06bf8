#!/bin/sh
# C11 threads are traced like pthreads: a lock-order inversion through
# mtx_t is found, a joined thrd_t is not reported, output is unchanged.
# Usage: tests/e2e/test_c11.sh BUILD_DIR
set -u
build=${1:?usage: test_c11.sh BUILD_DIR}
gctrace="$build/bin/gctrace"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

cc -O1 -g -std=c11 -pthread -o "$tmp/c11" tests/e2e/progs/c11.c || exit 1
for mode in inverted clean; do
    "$tmp/c11" "$mode" > "$tmp/native.out"
    GCTRACE_OPTIONS=exitcode=0 "$gctrace" run -q -o "$tmp/$mode.db" -- \
        "$tmp/c11" "$mode" > "$tmp/traced.out"
    cmp -s "$tmp/native.out" "$tmp/traced.out" || bad "$mode: output differs"
    "$gctrace" check --format json "$tmp/$mode.db" > "$tmp/$mode.json"
    kinds=$(python3 -c 'import json,sys
print(" ".join(sorted(f["kind"] for f in json.load(open(sys.argv[1]))["findings"])))' "$tmp/$mode.json")
    case $mode in
        inverted) [ "$kinds" = "lock_order_cycle" ] ||
            bad "inverted: found '$kinds', want lock_order_cycle" ;;
        clean) [ -z "$kinds" ] || bad "clean: found '$kinds', want nothing" ;;
    esac
done
[ $fail -eq 0 ] && echo "test_c11: ok"
exit $fail
