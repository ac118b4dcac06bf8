#!/bin/sh
# A program built by the release's clang with its defaults (-g is DWARF 5
# since clang 14, and no .debug_aranges) has file:line in its findings:
# libdw places an address in its compilation unit through .debug_aranges
# and the elfutils of Debian 12 has no fallback, so the symboliser keeps
# its own index of the units' ranges (common/symbolize.c, cu_of).  The
# inversion of progs/lockorder.c: each edge's stack names two() at the
# line of the lock call, and body() at its call of two().
# Usage: tests/e2e/test_clang_lines.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

command -v clang >/dev/null || { echo "FAIL: clang not installed (scripts/install-deps.sh)" >&2; exit 1; }
clang -O0 -g -pthread -o "$tmp/lo" "$here/progs/lockorder.c" || {
    echo "FAIL: clang cannot compile progs/lockorder.c" >&2; exit 1; }
readelf --debug-dump=info "$tmp/lo" 2>/dev/null | grep -q "Version: *5" ||
    echo "test_clang_lines: note: this clang does not write DWARF 5 by default"

GCTRACE_OPTIONS=exitcode=0 "$G" run -q -o "$tmp/lo.db" -- "$tmp/lo" inversion \
    >/dev/null || err "run failed"
# The lines of the two lock calls in two() and of the call in body().
lock1=$(grep -n 'pthread_mutex_lock(x);' "$here/progs/lockorder.c" | head -1 | cut -d: -f1)
lock2=$((lock1 + 1))
call=$(grep -n 'two(&A, &B)' "$here/progs/lockorder.c" | head -1 | cut -d: -f1)
got=$("$G" check --format json "$tmp/lo.db" | python3 -c '
import json, sys
for f in json.load(sys.stdin)["findings"]:
    for s in f["stacks"]:
        print(" ".join("%s:%s:%s" % (fr["function"], (fr["file"] or "").rsplit("/", 1)[-1], fr["line"])
                       for fr in s["frames"] if fr["function"] in ("two", "body")))')
echo "$got" | grep -q "^two:lockorder.c:$lock2 body:lockorder.c:$call" ||
    err "no stack 'two:lockorder.c:$lock2 body:lockorder.c:$call' in: $got"
echo "$got" | grep -q "^two:lockorder.c:$lock1" ||
    err "no first acquisition at two:lockorder.c:$lock1 in: $got"
e2e_end test_clang_lines
