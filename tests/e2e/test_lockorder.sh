#!/bin/sh
# Lock-order precision: each pattern of progs/lockorder.c is found or
# stays silent as its header says.
# Usage: tests/e2e/test_lockorder.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

cc -O1 -g -pthread -o "$tmp/lockorder" tests/e2e/progs/lockorder.c || exit 1

# expect MODE FINDINGS: FINDINGS is the sorted kind/subkind list
expect() {
    mode=$1 want=$2
    GCTRACE_OPTIONS=exitcode=0 "$G" run -q -o "$tmp/$mode.db" -- \
        "$tmp/lockorder" "$mode" > /dev/null || err "$mode: run failed"
    "$G" check --format json "$tmp/$mode.db" > "$tmp/$mode.json"
    got=$(python3 -c 'import json,sys
print(" ".join(sorted(f["kind"] + ("/" + f["subkind"] if f.get("subkind") else "") for f in json.load(open(sys.argv[1]))["findings"])))' "$tmp/$mode.json")
    [ "$got" = "$want" ] || err "$mode: found '$got', want '$want'"
}

expect inversion "lock_order_cycle"
expect three "lock_order_cycle"
expect classes "lock_order_cycle/class"
expect ordered ""
expect trylock ""
expect readers ""
expect gate ""
expect reinit ""
expect recursive ""
expect classes_ok ""
expect helper ""
e2e_end test_lockorder
