#!/bin/sh
# Short waits are counted, not written one by one (preload/wait_sites.c):
# a wait on a lock that ends within wait_threshold_us is one more in its
# thread's row for the lock and call path (wait_sites), with its stack,
# and the trace does not grow with the number of waits; a longer wait is
# written out (waits) as before, up to long_waits_per_site of a row, and
# counted beyond; a wait that never ends is written out
# whatever the threshold, with its stack, and is still a leak.  The
# lock_held events of a wait (what its thread held) go with it.
# progs/wait_sites.c forces each wait to block (/proc state and the
# mutex's word); only the lower bound of a wait's length is a sleep.
# Usage: tests/e2e/test_wait_sites.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

build_prog ws wait_sites.c

# run DB OPTIONS ARGS...: the program under the recorder, exit 0 wanted.
run() {
    db=$1 opts=$2
    shift 2
    GCTRACE_OPTIONS=report=0:$opts GCTRACE_OUT="$db" LD_PRELOAD="$LIB" \
        "$tmp/ws" "$@" >"$db.out" 2>"$db.err" ||
        err "ws $*: exit $? ($(head -c 300 "$db.err"))"
}
q() { sqlite3 "$1" "$2" 2>&1; }
# a mutex wait's reason, in SQL
mutex="(select reason from wait_reasons where name = 'mutex lock')"

# The worker's row for the mutex: waits written, counted, histogram sum,
# and its stack names take_turns.
row="select s.waits || ' ' || s.counted || ' ' ||
            (select sum(value) from json_each('[' || s.hist || ']')) || ' ' ||
            (select count(*) from stack_text x where x.stack_id = s.stack_id
             and x.function = 'take_turns')
     from wait_sites s join threads t on t.id = s.thread_id
     where s.reason = $mutex and t.tid != t.pid"
ended="select count(*) from waits where reason = $mutex and end_ns is not null"

# Counted: 20 and 200 waits, each shorter than the threshold (a minute).
for n in 20 200; do
    run "$tmp/c$n.db" wait_threshold_us=60000000 turns $n 0
    got=$(q "$tmp/c$n.db" "$row")
    [ "$got" = "0 $n $n 1" ] ||
        err "counted $n: the worker's row (written counted hist take_turns) '$got', want '0 $n $n 1'"
    got=$(q "$tmp/c$n.db" "$ended")
    [ "$got" = 0 ] || err "counted $n: $got waits written out, want 0"
    got=$(q "$tmp/c$n.db" "select contended from lock_stats s join objects o
                           on o.id = s.object_id where o.symbol = 'mu'")
    [ "$got" = "$n" ] || err "counted $n: lock_stats.contended '$got', want $n"
    "$G" report "$tmp/c$n.db" >"$tmp/c$n.report" 2>&1 ||
        err "counted $n: report failed"
    grep -A3 "most contended locks" "$tmp/c$n.report" | grep -q "mu.* $n " ||
        err "counted $n: the report's contended locks lack mu with $n: $(cat "$tmp/c$n.report")"
    "$G" check "$tmp/c$n.db" >"$tmp/c$n.check" 2>&1 ||
        err "counted $n: check found something: $(head -c 300 "$tmp/c$n.check")"
done
# What the worker held as it began each wait (outer) goes with the wait:
# counted, the wait leaves no lock_held event; written out, one each.
held="select count(*) from events e join event_kinds k on k.kind = e.kind
      where k.name = 'lock_held' and e.object_id =
      (select id from objects where symbol = 'outer')"
for n in 20 200; do
    got=$(q "$tmp/c$n.db" "$held")
    [ "$got" = 0 ] || err "counted $n: $got lock_held events, want 0"
done
# Ten times the waits, the same records: as many rows of waits sites,
# of mutex waits and of events on the mutex.  (Main's join of the worker
# may or may not block, so the rest of the trace may differ by a wait.)
mu="(select id from objects where symbol = 'mu')"
for what in "wait_sites" "waits where reason = $mutex" \
            "events where object_id = $mu"; do
    a=$(q "$tmp/c20.db" "select count(*) from $what")
    b=$(q "$tmp/c200.db" "select count(*) from $what")
    [ "$a" = "$b" ] || err "$what: $a rows after 20 waits, $b after 200"
done

# expect_written NAME DB ROW N: the worker's row is ROW, and N of its
# waits were written out, each with its lock_held event of outer.
expect_written() {
    got=$(q "$2" "$row")
    [ "$got" = "$3" ] ||
        err "$1: the worker's row (written counted hist take_turns) '$got', want '$3'"
    got=$(q "$2" "$ended")
    [ "$got" = "$4" ] || err "$1: $got waits written out, want $4"
    got=$(q "$2" "$held")
    [ "$got" = "$4" ] || err "$1: $got lock_held events of outer, want $4"
}

# Written out: each wait lasts 5 ms, past the default threshold (1 ms).
run "$tmp/w.db" "" turns 3 5000
expect_written written "$tmp/w.db" "3 0 3 1" 3

# Long ones beyond long_waits_per_site are counted: of 6 waits of 5 ms,
# 2 written out and 4 counted, the histogram holding all 6.
run "$tmp/l.db" long_waits_per_site=2 turns 6 5000
expect_written capped "$tmp/l.db" "2 4 6 1" 2

# Blocked for good: written out with its stack whatever the threshold,
# and a leaked thread.
run "$tmp/s.db" wait_threshold_us=60000000:exitcode=0 stuck
got=$(q "$tmp/s.db" "select count(*) from waits w join stack_text x
                     on x.stack_id = w.stack_id where w.end_ns is null
                     and w.reason = $mutex and x.function = 'block_for_good'")
[ "$got" = 1 ] || err "stuck: open waits with block_for_good's stack: '$got', want 1"
got=$(q "$tmp/s.db" "$held")
[ "$got" = 1 ] || err "stuck: $got lock_held events of outer, want 1"
"$G" check --format json "$tmp/s.db" >"$tmp/s.json" 2>&1
grep -q '"kind": *"leaked_thread"' "$tmp/s.json" ||
    err "stuck: no leaked_thread: $(head -c 300 "$tmp/s.json")"

e2e_end test_wait_sites
