#!/bin/sh
# A lock whose memory went away (dlclose, munmap, free) and a new lock at
# the same address are two locks: progs/memgone.c's silent modes get no
# finding, their buggy twins (the same lock kept) a lock-order cycle.
# The free of each of 12,000 heap locks ends it (progs/heap_locks.c).
# Each traced run prints what the native run prints (munmap's and
# dlclose's answers included).
# Usage: tests/e2e/test_memgone.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

build_prog memgone memgone.c -ldl
for w in 1 2; do
    cc -O1 -g -shared -fPIC -pthread -o "$tmp/libmg$w.so" \
        "$here/progs/memgone_lib.c" || exit 1
done

# expect MODE FINDINGS: FINDINGS is the sorted list of finding kinds
expect() {
    mode=$1 want=$2
    "$tmp/memgone" "$mode" "$tmp/libmg1.so" "$tmp/libmg2.so" \
        >"$tmp/$mode.nat" 2>&1 || err "$mode: native run failed"
    # Under a sanitizer's allocator (tests/asan-shim) a freed block is
    # held back, never given out again at once; the recorder does not
    # follow that allocator's blocks anyway.
    case $mode:${ASAN_OPTIONS:+asan} in
    free*:asan)
        grep -q "^$mode: another address" "$tmp/$mode.nat" &&
            { echo "SKIP: $mode: the allocator does not give the block back"; return; } ;;
    esac
    grep -q "^$mode: same address" "$tmp/$mode.nat" ||
        err "$mode: the new lock is not at the old one's address: $(cat "$tmp/$mode.nat")"
    GCTRACE_OPTIONS=exitcode=0 "$G" run -q -o "$tmp/$mode.db" -- \
        "$tmp/memgone" "$mode" "$tmp/libmg1.so" "$tmp/libmg2.so" \
        >"$tmp/$mode.out" 2>"$tmp/$mode.err" || err "$mode: traced run failed"
    cmp -s "$tmp/$mode.nat" "$tmp/$mode.out" ||
        err "$mode: traced output differs: $(diff "$tmp/$mode.nat" "$tmp/$mode.out")"
    "$G" check --format json "$tmp/$mode.db" >"$tmp/$mode.json"
    got=$(python3 -c 'import json,sys
print(" ".join(sorted(f["kind"] for f in json.load(open(sys.argv[1]))["findings"])))' "$tmp/$mode.json")
    [ "$got" = "$want" ] || err "$mode: found '$got', want '$want'"
}

expect dlclose ""
expect munmap ""
expect free ""
expect free_renewed ""
expect dlkept "lock_order_cycle"
expect mapkept "lock_order_cycle"
expect freekept "lock_order_cycle"

# The unloaded library's range is recorded once, as an event.
n=$(sqlite3 "$tmp/dlclose.db" "SELECT count(*) FROM events e
    JOIN event_kinds k ON k.kind = e.kind WHERE k.name = 'mem_gone'")
[ "$n" -ge 1 ] 2>/dev/null || err "dlclose: no mem_gone event ($n)"

# 12,000 heap locks fill every level of the recorder's set of locks seen
# (preload/intern.c): the free of each block still finds its lock.  The
# recorder follows glibc's free only, not a sanitizer's allocator's
# (tests/asan-shim).
build_prog heap_locks heap_locks.c
if [ -n "${ASAN_OPTIONS:-}" ]; then
    echo "SKIP: heap_locks: a sanitizer's free is not followed"
else
    GCTRACE_OPTIONS=exitcode=0 "$G" run -q -o "$tmp/heap.db" -- \
        "$tmp/heap_locks" 12000 >/dev/null 2>&1 ||
        err "heap_locks: run failed"
    n=$(sqlite3 "$tmp/heap.db" "SELECT count(*) FROM events e
        JOIN event_kinds k ON k.kind = e.kind WHERE k.name = 'mem_gone'")
    [ "$n" = 12000 ] || err "heap_locks: $n mem_gone events, want 12000"
fi
e2e_end test_memgone
