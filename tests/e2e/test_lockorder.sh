#!/bin/sh
# Lock-order precision: each pattern of progs/lockorder.c is found or
# stays silent as its header says (a cycle that one thread made alone
# gets its own subkind, single_thread); a 30-lock ring is reported whole
# (progs/lockring.c), and a deep nest of locks is analysed in seconds.
# Usage: tests/e2e/test_lockorder.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

build_prog lockorder lockorder.c

# expect MODE FINDINGS [TEXT]: FINDINGS is the sorted kind/subkind list;
# TEXT, when given, begins a finding's message
expect() {
    mode=$1 want=$2 text=${3:-}
    GCTRACE_OPTIONS=exitcode=0 "$G" run -q -o "$tmp/$mode.db" -- \
        "$tmp/lockorder" "$mode" > /dev/null || err "$mode: run failed"
    "$G" check --format json "$tmp/$mode.db" > "$tmp/$mode.json"
    got=$(python3 -c 'import json,sys
print(" ".join(sorted(f["kind"] + ("/" + f["subkind"] if f.get("subkind") else "") for f in json.load(open(sys.argv[1]))["findings"])))' "$tmp/$mode.json")
    [ "$got" = "$want" ] || err "$mode: found '$got', want '$want'"
    [ -z "$text" ] || grep -q "\"message\":\"$text" "$tmp/$mode.json" ||
        err "$mode: no message '$text'"
}

expect inversion "lock_order_cycle"
expect three "lock_order_cycle"
expect gate_detour "lock_order_cycle" "lock-order inversion between 3 locks"
expect gated_pairs "lock_order_cycle" "lock-order inversion between 4 locks"
expect classes "lock_order_cycle/class"
expect one_thread "lock_order_cycle/single_thread" \
    "lock-order inversion between 2 locks: M1 -> M2 -> M1, with M1 = mutex A"
expect one_three "lock_order_cycle/single_thread" \
    "lock-order inversion between 3 locks"
expect one_mixed "lock_order_cycle/single_thread"
expect one_renew "lock_order_cycle/single_thread"
expect ordered ""
expect trylock ""
expect readers ""
expect gate ""
expect reinit ""
expect recursive ""
expect classes_ok ""
expect helper ""
expect one_ordered ""
expect one_gate ""
expect one_trylock ""
expect one_readers ""
expect one_reinit ""
expect one_churn ""
# Other locks that end do not make the edge A -> B new: written once.
# (A lock's end makes its own line's edges new, and lines share a
# generation only by hash: 2 allows one such chance.)
n=$(q "$tmp/one_churn.db" "select count(*) from lock_edges e
     join objects f on f.id = e.from_id join objects t on t.id = e.to_id
     where f.symbol = 'A' and t.symbol = 'B'")
case $n in
1|2) ;;
*) err "one_churn: the edge A -> B written $n times, want 1" ;;
esac

# A ring of 30 locks (progs/lockring.c): one finding that names all 30,
# in ring order, with both stacks of each of the 30 edges and the 30
# threads; its twin in a consistent order is silent.
build_prog lockring lockring.c
for mode in ring ordered; do
    GCTRACE_OPTIONS=exitcode=0 "$G" run -q -o "$tmp/$mode.db" -- \
        "$tmp/lockring" "$mode" > /dev/null || err "lockring $mode: run failed"
    "$G" check --format json "$tmp/$mode.db" > "$tmp/$mode.json"
done
python3 - "$tmp/ring.json" "$tmp/ordered.json" <<'PY' || err "lockring"
import json, sys
f = json.load(open(sys.argv[1]))["findings"]
assert [x["kind"] for x in f] == ["lock_order_cycle"], [x["kind"] for x in f]
f = f[0]
msg = f["message"]
assert msg.startswith("lock-order inversion between 30 locks: "), msg
ring = msg.split(": ", 1)[1].split(", with ")[0].split(" -> ")
assert len(ring) == 31 and ring[0] == ring[-1], ring
assert len(set(ring[:30])) == 30, ring
# Each short name is defined once, with its lock's address in parentheses.
import re
defs = dict(re.findall(r"(M\d+) = mutex [^,;]*?\((0x[0-9a-f]+)\)", msg))
assert sorted(defs) == sorted(ring[:30]), (defs, ring)
# The locks are L[0..29] of one array: in ring order, each is the next
# element after the one before, and the last wraps to the first.
addr = [int(defs[n], 16) for n in ring[:30]]
assert [int(o["address"], 16) for o in f["objects"]] == addr, f["objects"]
step = sorted(addr)[1] - sorted(addr)[0]
start = addr.index(min(addr))
assert all(addr[(start + i) % 30] == min(addr) + i * step
           for i in range(30)), addr
assert len(f["threads"]) == 30, f["threads"]
labels = [s["label"] for s in f["stacks"]]
for i in range(1, 31):
    assert sum(l.startswith("edge %d: " % i) for l in labels) == 2, (i, labels)
assert "other cycles" not in msg, msg
assert json.load(open(sys.argv[2]))["findings"] == [], "ordered: findings"
PY

# A thread that nests 1,240 locks makes tens of thousands of edges; a
# second one closes a cycle through all the locks the recorder holds
# with the first (the search used to try every path and ran for hours).
build_prog lock_nest "$root/bench/lock_nest.c"
t0=$(date +%s)
GCTRACE_OPTIONS=exitcode=0 timeout 60 "$G" run -q -o "$tmp/nest.db" -- \
    "$tmp/lock_nest" 1240 ring > /dev/null || err "lock_nest: run failed"
echo "lock_nest 1240 ring: $(($(date +%s) - t0)) s under gctrace run"
"$G" check --format json "$tmp/nest.db" > "$tmp/nest.json"
python3 - "$tmp/nest.json" <<'PY' || err "lock_nest"
import json, sys
f = json.load(open(sys.argv[1]))["findings"]
assert [x["kind"] for x in f] == ["lock_order_cycle"], [x["kind"] for x in f]
msg = f[0]["message"]
assert msg.startswith("lock-order inversion between 2 locks"), msg[:80]
assert "other cycles" in msg, msg
PY

# 1,000 locks, each held while taking its next 20 (bench/lock_graph.c):
# every shortest cycle (50 locks) is one thread's and cannot deadlock, so
# the finding is a cycle of 51 that mixes both threads; taken for reading
# no cycle can deadlock, and the search gives up silently.
build_prog lock_graph "$root/bench/lock_graph.c"
for mode in cycle read; do
    GCTRACE_OPTIONS=exitcode=0 timeout 60 "$G" run -q -o "$tmp/g$mode.db" \
        -- "$tmp/lock_graph" 1000 20000 "$mode" > /dev/null ||
        err "lock_graph $mode: run failed"
    "$G" check --format json "$tmp/g$mode.db" > "$tmp/g$mode.json"
done
python3 - "$tmp/gcycle.json" "$tmp/gread.json" <<'PY' || err "lock_graph"
import json, sys
f = json.load(open(sys.argv[1]))["findings"]
assert [x["kind"] for x in f] == ["lock_order_cycle"], [x["kind"] for x in f]
msg = f[0]["message"]
assert msg.startswith("lock-order inversion between 51 locks"), msg[:80]
assert len(f[0]["threads"]) == 2, f[0]["threads"]
assert json.load(open(sys.argv[2]))["findings"] == [], "read: findings"
PY
e2e_end test_lockorder
