#!/bin/sh
# test_killed_run.sh BUILD - numbers that are true for a run that hung and
# was killed: the process, and the wait it hung in, end when it was
# killed (seen by `gctrace run`, or else by the recorder's last sign of
# life), not at its last record, and the report says it was killed and
# after how long.  "Most contended locks" lists only locks that were, and
# says "not recorded" when the mode keeps no waits.
set -u
. "$(dirname "$0")/lib.sh"
build_prog deadlock deadlock.c
build_prog lockorder lockorder.c

# Waits until the program's main thread ($1) sleeps, then lets a second
# pass: the hang the numbers must show.
hang_a_second() {
    i=0
    until grep -q '^State:.*S' "/proc/$1/status" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 2000 ] && break; sleep 0.01
    done
    sleep 1
}

# asleep: main waits on a condvar nobody signals (and the watchdog,
# which would report it, is off).
GCTRACE_OPTIONS=watchdog_ms=0 "$G" run -o "$tmp/run.db" -- \
    "$tmp/deadlock" asleep > /dev/null 2> "$tmp/run.err" &
runner=$!
i=0
until pid=$(pgrep -P $runner deadlock); do
    i=$((i + 1)); [ $i -gt 1000 ] && break; sleep 0.01
done
hang_a_second "$pid"
kill -TERM $runner
wait $runner
grep -qE "the program was killed by signal 15 after (1|2|3)\.[0-9]{3} s" "$tmp/run.err" ||
    err "run: no line saying when the program was killed: $(cat "$tmp/run.err")"

# The same without the runner: killed by SIGKILL, with the watchdog's
# background thread noting every 100 ms that the process is alive.
LD_PRELOAD="$LIB" GCTRACE_OUT="$tmp/raw.db" \
    GCTRACE_OPTIONS=watchdog_ms=400:report=0 "$tmp/deadlock" asleep \
    > /dev/null 2>&1 &
pid=$!
hang_a_second $pid
kill -KILL $pid
wait $pid 2>/dev/null

# The runner saw the end itself: a second or more.  Without it, the
# recorder's last sign of life, at most a period (100 ms) before the kill:
# half a second or more (its last record, the wait's start, would say a
# few ms).
for db in run raw; do
    "$G" report "$tmp/$db.db" > "$tmp/$db.report" 2>&1 || err "$db: report failed"
    case $db in
    run) want="killed by signal 15, after" least=1.0 ;;
    raw) want="killed (no exit recorded), after" least=0.5 ;;
    esac
    python3 - "$tmp/$db.report" "$want" "$least" <<'PY' || err "$db: see above"
import re, sys
text, want, least = open(sys.argv[1]).read(), sys.argv[2], float(sys.argv[3])
m = re.search(r"^  \d+ %s ([0-9.]+) " % re.escape(want), text, re.M)
if not m or not least <= float(m.group(1)) < 10:
    sys.exit("process line: want '%s' and %s-10 s in:\n%s" % (want, least, text))
m = re.search(r"^  \d+ main blocked 1 ([0-9.]+)$", text, re.M)
if not m or not least <= float(m.group(1)) < 10:
    sys.exit("main's blocked time: want %s-10 s in:\n%s" % (least, text))
PY
    d=$(sqlite3 "$tmp/$db.db" "SELECT value FROM meta WHERE key = 'duration_ns'")
    [ "$d" -ge "$(python3 -c "print(int($least * 1e9))")" ] ||
        err "$db: duration_ns $d, want at least $least s"
done

# Locks taken, never contended (the threads run one after the other).
"$G" run -q -o "$tmp/ordered.db" -- "$tmp/lockorder" ordered > /dev/null 2>&1
"$G" report "$tmp/ordered.db" > "$tmp/ordered.report"
sed -n '/^most contended locks/,/^$/p' "$tmp/ordered.report" > "$tmp/contended"
grep -q "(none)" "$tmp/contended" || err "uncontended locks listed: $(cat "$tmp/contended")"
n=$(sqlite3 "$tmp/ordered.db" "SELECT count(*) FROM lock_stats WHERE acquisitions > 0")
[ "$n" -gt 0 ] || err "ordered: no lock acquisitions counted, the check says nothing"
# record=counters keeps no waits: the report says so instead of "none".
GCTRACE_OPTIONS=record=counters "$G" run -q -o "$tmp/counters.db" -- \
    "$tmp/lockorder" ordered > /dev/null 2>&1
"$G" report "$tmp/counters.db" > "$tmp/counters.report"
grep -q "^most contended locks: not recorded (record=blocking)$" "$tmp/counters.report" &&
    grep -q "^threads (tid, name, end state; waits not recorded (record=blocking)):$" "$tmp/counters.report" ||
    err "counters: $(cat "$tmp/counters.report")"
grep -q "(none)" "$tmp/counters.report" && err "counters: a section says none"
e2e_end test_killed_run
