#!/bin/sh
# test_chan_cycle.sh BUILD - a deadlock that goes through a channel, a
# select, a WaitGroup or a join as well as a lock is one deadlock/wait_cycle
# finding naming the whole cycle, not leaked threads and an unclosed
# channel (progs/chan_cycle.c).  Its twins: the same programs releasing
# the lock first are silent; a select with a case that no thread of the
# cycle serves, and a cycle beside a thread that may still wake (a timed
# sleep), are leaks, never a deadlock.  A program that hangs that way is
# reported by the watchdog while it hangs.
set -u
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC2086 # the build's sanitizer flags
build_goc_prog cc chan_cycle.c -D_GNU_SOURCE

# findings DB: the sorted kind/subkind of each finding, one a line
findings() {
    "$G" check --format json "$1" | python3 -c 'import json,sys
for f in sorted(f["kind"] + "/" + (f.get("subkind") or "") for f in json.load(sys.stdin)["findings"]):
    print(f)'
}

for mode in lock_chan lock_fixed select select_open sleeper wg wg_fixed join join_fixed; do
    "$tmp/cc" $mode >"$tmp/$mode.nat" 2>&1
    GCTRACE_OPTIONS=exitcode=0 timeout 60 "$G" run -q -o "$tmp/$mode.db" -- \
        "$tmp/cc" $mode >"$tmp/$mode.out" 2>"$tmp/$mode.err" ||
        err "$mode: exit $?: $(head -3 "$tmp/$mode.err")"
    cmp -s "$tmp/$mode.nat" "$tmp/$mode.out" || err "$mode: output differs from native"
    got=$(findings "$tmp/$mode.db" | tr '\n' ' ')
    case $mode in
    lock_chan|select|wg|join) want="deadlock/wait_cycle " ;;
    lock_fixed|wg_fixed|join_fixed) want="" ;;
    select_open) want="leaked_thread/ leaked_thread/ leaked_thread/ unclosed_channel/ unclosed_channel/ unclosed_channel/ " ;;
    sleeper) want="leaked_thread/ leaked_thread/ unclosed_channel/ " ;;
    esac
    [ "$got" = "$want" ] || err "$mode: '$got', want '$want'"
done

# The finding names every thread of the cycle, what each waits on and for
# whom, and defines the lock once.
for mode in lock_chan select wg join; do
    "$G" check --format json "$tmp/$mode.db" >"$tmp/$mode.json"
done
python3 - "$tmp" <<'PY' || err "messages, see above"
import json, re, sys
tmp = sys.argv[1]
want = {
    "lock_chan": r"deadlock: 2 threads wait for each other through locks "
        r"and channels: goroutine 1 waits to receive from chan 'ch1', which "
        r"goroutine 2 could send on; goroutine 2 waits for M1, held by "
        r"goroutine 1, with M1 = mutex mu",
    "select": r"deadlock: 3 threads wait for each other through locks and "
        r"channels: goroutine 1 waits in a select whose every case is "
        r"blocked here \(to receive from chan 'ch1', which goroutine 2 could "
        r"send on, or to receive from chan 'ch2', which goroutine 3 could "
        r"send on\); goroutine 2 waits for M1, held by goroutine 1; "
        r"goroutine 3 waits for M1, held by goroutine 1, with M1 = mutex mu",
    "wg": r"deadlock: 2 threads wait for each other through locks and "
        r"WaitGroups: goroutine 1 waits for waitgroup wg, on which "
        r"goroutine 2 still owes Done; goroutine 2 waits for M1, held by "
        r"goroutine 1, with M1 = mutex mu",
    "join": r"deadlock: 2 threads wait for each other through locks and "
        r"joins: thread joiner waits to join thread joined; thread joined "
        r"waits for M1, held by thread joiner, with M1 = mutex mu",
}
bad = 0
for mode, w in want.items():
    f = json.load(open("%s/%s.json" % (tmp, mode)))["findings"][0]
    # goroutine ids follow the order of goc_wg_go in the program; tids
    # and addresses vary, and the stable message is without them
    m = re.sub(r" \((tid \d+|0x[0-9a-f]+)\)", "", f["message"])
    if not re.fullmatch(w, m):
        print("%s: message %r" % (mode, f["message"]))
        bad = 1
    if f["stable_message"] != re.sub(r"goroutine \d+", "goroutine", m):
        print("%s: stable message %r" % (mode, f["stable_message"]))
        bad = 1
    n = 3 if mode == "select" else 2
    if len(f["threads"]) != n:
        print("%s: %d threads referenced" % (mode, len(f["threads"])))
        bad = 1
sys.exit(bad)
PY

# Hung for good: the watchdog reports the cycle while the program hangs.
GCTRACE_OPTIONS="watchdog_ms=300:abort_on_deadlock=1" \
    timeout -s KILL 30 "$G" run -q -o "$tmp/hang.db" -- "$tmp/cc" hang \
    >"$tmp/hang.out" 2>"$tmp/hang.err"
grep -q "gctrace: watchdog:" "$tmp/hang.err" || err "hang: no watchdog line: $(head -3 "$tmp/hang.err")"
grep -q "deadlock/wait_cycle" "$tmp/hang.err" || err "hang: the watchdog's report has no wait_cycle"
got=$(findings "$tmp/hang.db" | tr '\n' ' ')
[ "$got" = "deadlock/wait_cycle " ] || err "hang: '$got', want 'deadlock/wait_cycle '"
e2e_end test_chan_cycle
