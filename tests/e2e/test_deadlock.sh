#!/bin/sh
# The watchdog reports a deadlock while the program is stuck, and a
# killed run's trace shows it too, with the lock-order cycle of the
# deadlock; twins that do not deadlock stay silent.
# Usage: tests/e2e/test_deadlock.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

build_prog deadlock deadlock.c

# run MODE KIND: deadlocking modes are aborted by the watchdog
# (abort_on_deadlock=1), so nothing waits on a timeout here.
run() {
    mode=$1 want=$2
    out="$tmp/$mode.db"
    LD_PRELOAD="$LIB" GCTRACE_OUT="$out" \
        GCTRACE_OPTIONS="watchdog_ms=300:abort_on_deadlock=1:finish=0" \
        timeout -s KILL 20 "$tmp/deadlock" "$mode" > "$tmp/$mode.out" \
        2> "$tmp/$mode.err"
    status=$?
    "$G" check --format json "$out" > "$tmp/$mode.json" 2>"$tmp/$mode.cerr"
    kinds=$(python3 -c 'import json,sys
print(" ".join(sorted(set(f["kind"] + "/" + (f.get("subkind") or "") for f in json.load(open(sys.argv[1]))["findings"]))))' "$tmp/$mode.json" 2>/dev/null)
    if [ "$want" = none ]; then
        [ "$status" -eq 0 ] || err "$mode: exit $status, want 0"
        grep -q watchdog "$tmp/$mode.err" && err "$mode: the watchdog spoke: $(cat "$tmp/$mode.err")"
        case "$kinds" in *deadlock*) err "$mode: deadlock reported: $kinds" ;; esac
    else
        [ "$status" -eq 134 ] || err "$mode: exit $status, want 134 (aborted by the watchdog)"
        grep -q "gctrace: watchdog:" "$tmp/$mode.err" || err "$mode: no watchdog line on stderr"
        grep -q "deadlock" "$tmp/$mode.err" || err "$mode: the watchdog's report names no deadlock"
        case "$kinds" in *"$want"*) ;; *) err "$mode: check found '$kinds', want $want" ;; esac
    fi
}

run abba deadlock/locks
# The deadlock's cycle is a lock-order inversion too, though neither
# second lock was ever taken: the edges are written as the waits begin.
case "$kinds" in *lock_order_cycle/*) ;; *) err "abba: no lock_order_cycle: $kinds" ;; esac
run self deadlock/self
run behind deadlock/self
run asleep deadlock/all_asleep
run ordered none
case "$kinds" in *lock_order_cycle*) err "ordered: $kinds" ;; esac
run timed none

# The deadlock names its threads and locks as the code does: main, the
# thread by its start routine, the static mutexes a and b by their
# symbols, short names defined once; the stable message has no address
# and no tid.
python3 - "$tmp/abba.json" <<'PY' || err "abba: names, see above"
import json, re, sys
f = [f for f in json.load(open(sys.argv[1]))["findings"]
     if f["kind"] == "deadlock"][0]
m, s = f["message"], f["stable_message"]
want = (r"deadlock: 2 threads wait for locks held by each other: "
        r"(thread second|main) \(tid \d+\) holds M1 and waits for M2; "
        r"(thread second|main) \(tid \d+\) holds M2 and waits for M1, with "
        r"M1 = mutex [ab] \(0x[0-9a-f]+\), M2 = mutex [ab] \(0x[0-9a-f]+\)")
if not re.fullmatch(want, m) or "thread second" not in m or "main" not in m:
    print("message %r" % m)
    sys.exit(1)
if s != re.sub(r" \((tid \d+|0x[0-9a-f]+)\)", "", m):
    print("stable message %r of %r" % (s, m))
    sys.exit(1)
PY

# Who did what: for each thread, the line where it took the lock it holds
# (deadlock.c's "holding" comments), the line where it waits, who holds
# what it waits for, and where the thread was created.  A thread that
# waits for a lock it holds itself: where it took it, and the threads
# blocked behind it.
python3 - "$tmp" "$here/progs/deadlock.c" <<'PY' || err "who did what, see above"
import json, re, sys
tmp, src = sys.argv[1], open(sys.argv[2]).read().split("\n")
def line(text):
    return [i + 1 for i, l in enumerate(src) if text in l]
def finding(mode):
    return [f for f in json.load(open("%s/%s.json" % (tmp, mode)))["findings"]
            if f["kind"] == "deadlock"][0]
def stack(f, pattern):
    for st in f["stacks"]:
        if re.fullmatch(pattern, st["label"]):
            return st
    sys.exit("no stack %r among %r" % (pattern, [s["label"] for s in f["stacks"]]))
def at(st, want):
    fr = st["frames"][0]
    if not (fr.get("file") or "").endswith("deadlock.c") or fr.get("line") not in want:
        sys.exit("%s: %r, want deadlock.c:%r" % (st["label"], fr, want))
f = finding("abba")
names = dict(re.findall(r"(M\d) = mutex (\w)", f["message"]))
ma = [m for m, v in names.items() if v == "a"][0]
mb = [m for m, v in names.items() if v == "b"][0]
at(stack(f, r"main \(tid \d+\) took %s here" % ma),
   line("abba: main takes a"))
at(stack(f, r"main \(tid \d+\) waits for %s, held by thread second \(tid \d+\), here" % mb),
   line("deadlocks: the other holds b"))
at(stack(f, r"thread second \(tid \d+\) took %s here" % mb),
   [line("pthread_mutex_lock(first);")[0]])
at(stack(f, r"thread second \(tid \d+\) waits for %s, held by main \(tid \d+\), here" % ma),
   [line("pthread_mutex_lock(then);")[0]])
st = stack(f, r"thread second \(tid \d+\) was created at")
if st["frames"][0]["function"] != "two_threads":
    sys.exit("second created at %r" % st["frames"][0])
if not any(t.get("start_routine") == "second" and t.get("created_at")
           for t in f["threads"]):
    sys.exit("no thread with start routine and creation site: %r" % f["threads"])

f = finding("behind")
m = f["message"]
if not re.search(r"main \(tid \d+\) waits for M1, which it holds itself, with "
                 r"M1 = mutex a \(0x[0-9a-f]+\); blocked behind it: "
                 r"thread waiter \(tid \d+\), thread waiter \(tid \d+\)", m):
    sys.exit("behind: message %r" % m)
at(stack(f, r"main \(tid \d+\) took M1 here"), line("behind: main takes a"))
at(stack(f, r"main \(tid \d+\) waits for M1, held by itself, here"),
   line("behind: main waits for a"))
n = [s for s in f["stacks"] if re.fullmatch(
    r"thread waiter \(tid \d+\), blocked behind it, waits for M1 here", s["label"])]
if len(n) != 2:
    sys.exit("behind: %d stacks of the threads behind" % len(n))
for s in n:
    at(s, line("blocked behind main"))
PY
grep -q "took M1 here:" "$tmp/behind.err" ||
    err "behind: the watchdog's text report lacks where main took the lock"

# A deadlock that the watchdog reported and that lasts until the program
# exits is reported once: the report at exit leaves it out, and says so.
# Without the watchdog, the report at exit has it.  The trace holds it
# and the lock-order cycle of the same two locks (the waits wrote their
# edges as they began), which is no deadlock and is reported again.
mkfifo "$tmp/go"
GCTRACE_OPTIONS=watchdog_ms=200 "$G" run -o "$tmp/workers.db" -- \
    "$tmp/deadlock" workers "$tmp/go" > /dev/null 2> "$tmp/workers.err" &
runner=$!
i=0
until grep -q "^gctrace: 2 findings" "$tmp/workers.err" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 2000 ] && break; sleep 0.01
done
echo > "$tmp/go"
wait $runner
n=$(grep -c "^gctrace: deadlock/locks:" "$tmp/workers.err")
[ "$n" -eq 1 ] || err "workers: the deadlock reported $n times: $(cat "$tmp/workers.err")"
grep -q "^gctrace: 1 deadlock reported by the watchdog above, still there at the end: not repeated" \
    "$tmp/workers.err" || err "workers: no line for the deadlock not repeated"
grep -q "trace written to .*: 2 findings" "$tmp/workers.err" ||
    err "workers: the trace lost the finding: $(tail -2 "$tmp/workers.err")"
GCTRACE_OPTIONS=watchdog_ms=0 "$G" run -o "$tmp/quiet.db" -- \
    "$tmp/deadlock" workers "$tmp/go" > /dev/null 2> "$tmp/quiet.err" &
runner=$!
# main and both workers asleep (main in the FIFO's open): deadlocked
i=0
until pid=$(pgrep -P $runner deadlock) &&
    [ "$(cat /proc/"$pid"/task/*/stat 2>/dev/null | sed 's/.*) //' | grep -c '^S')" -ge 3 ]; do
    i=$((i + 1)); [ $i -gt 2000 ] && break; sleep 0.01
done
echo > "$tmp/go"
wait $runner
n=$(grep -c "^gctrace: deadlock/locks:" "$tmp/quiet.err")
[ "$n" -eq 1 ] || err "workers without a watchdog: the deadlock reported $n times"

e2e_end test_deadlock
