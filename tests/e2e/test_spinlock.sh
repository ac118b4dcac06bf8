#!/bin/sh
# pthread spinlocks take part like mutexes (progs/spinlock.c): two
# threads that take two spinlocks in opposite orders, one after the
# other, make a lock_order_cycle naming both spinlocks, and the twin in
# one order is silent; exit while holding one, and unlocks of a free or
# a foreign one, are misuse; a real ABBA deadlock of two spinlocks is
# reported by the watchdog with its holders.
# Usage: tests/e2e/test_spinlock.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

build_prog spinlock spinlock.c

# expect MODE FINDINGS: runs MODE under gctrace; FINDINGS is found's list.
expect() {
    mode=$1 want=$2
    GCTRACE_OPTIONS=exitcode=0 "$G" run -q -o "$tmp/$mode.db" -- \
        "$tmp/spinlock" "$mode" > "$tmp/$mode.out" || err "$mode: run failed"
    [ "$(cat "$tmp/$mode.out")" = done ] || err "$mode: output '$(cat "$tmp/$mode.out")'"
    got=$(found "$tmp/$mode.db")
    [ "$got" = "$want" ] || err "$mode: found '$got', want '$want'"
}

expect inversion "lock_order_cycle"
"$G" check --format json "$tmp/inversion.db" > "$tmp/inversion.json"
python3 - "$tmp/inversion.json" <<'PY' || err "inversion: message, see above"
import json, re, sys
f = json.load(open(sys.argv[1]))["findings"][0]
m = f["message"]
want = (r"lock-order inversion between 2 locks: L1 -> L2 -> L1, with "
        r"L1 = spinlock s[12] \(0x[0-9a-f]+\), L2 = spinlock s[12] "
        r"\(0x[0-9a-f]+\); .*")
assert re.fullmatch(want, m), m
assert "s1" in m and "s2" in m, m
PY
expect ordered ""
expect exit_holding "misuse/exit_while_holding_lock"
expect unlock_unlocked "misuse/unlock_of_unlocked"
# the thread that took s1 ended holding it, and main unlocked it
expect unlock_foreign "misuse/exit_while_holding_lock misuse/unlock_of_foreign_lock"

# A real deadlock: the watchdog finds the cycle through the held stacks
# (a spinlock names no owner) and aborts the program (abort_on_deadlock).
LD_PRELOAD="$LIB" GCTRACE_OUT="$tmp/abba.db" \
    GCTRACE_OPTIONS="watchdog_ms=300:abort_on_deadlock=1:finish=0" \
    timeout -s KILL 20 "$tmp/spinlock" abba > /dev/null 2> "$tmp/abba.err"
status=$?
[ "$status" -eq 134 ] || err "abba: exit $status, want 134 (aborted by the watchdog)"
grep -q "gctrace: watchdog: threads are blocked on each other" "$tmp/abba.err" ||
    err "abba: no watchdog line: $(head -c 300 "$tmp/abba.err")"
got=$(found "$tmp/abba.db")
[ "$got" = "deadlock/locks lock_order_cycle" ] || err "abba: found '$got'"
"$G" check "$tmp/abba.db" | grep -q "holds L1 and waits for L2.* L1 = spinlock s" ||
    err "abba: the deadlock does not name the spinlocks and their holders"

# A spinlock locked again by its holder spins for good: the watchdog
# says so as the wait begins, without waiting out its delay.
LD_PRELOAD="$LIB" GCTRACE_OUT="$tmp/self.db" \
    GCTRACE_OPTIONS="watchdog_ms=60000:abort_on_deadlock=1:finish=0" \
    timeout -s KILL 20 "$tmp/spinlock" self > /dev/null 2> "$tmp/self.err"
status=$?
[ "$status" -eq 134 ] || err "self: exit $status, want 134 (aborted by the watchdog)"
grep -q "gctrace: watchdog: a thread waits for a lock it holds itself" \
    "$tmp/self.err" || err "self: no watchdog line: $(head -c 300 "$tmp/self.err")"
got=$(found "$tmp/self.db")
[ "$got" = "deadlock/self" ] || err "self: found '$got'"

e2e_end test_spinlock
