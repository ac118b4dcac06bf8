#!/bin/sh
# test_rawlog_golden.sh BUILD - raw logs written by the raw-log writer
# (common/rawlog_writer.c), the one attach and core write with, give
# exactly the findings of golden/rawlog_SCENARIO.json, one scenario per
# family of records the finishing step replays (progs/rawlog_golden.c
# says what each holds):
#   deadlock   an ABBA deadlock of a killed process (deadlock/locks, both
#              threads' stacks)
#   ordered    its twin, the same locks taken in one order by a process
#              that exited (no finding)
#   lockorder  the two orders one after the other (lock_order_cycle from
#              the lock edges, no deadlock)
#   leak       a thread left in a condvar wait when the process exited
#              (leaked_thread)
#   condmutex  one condvar waited on with two mutexes at once (misuse the
#              finishing step writes itself)
#   semgone    a wait on a destroyed semaphore (the same)
# A change of the writer, the finishing step or the analyses that moves
# a byte of `check --format json` shows here.  When it is meant, remake
# the golden files: GOLDEN_UPDATE=1 tests/e2e/test_rawlog_golden.sh BUILD
# (then read their diff).
set -u
. "$(dirname "$0")/lib.sh"
build_prog rawlog_golden rawlog_golden.c -std=c11 -D_GNU_SOURCE \
    -I"$root/common" "$root/common/rawlog_writer.c" "$root/common/safe_file.c"

cd "$tmp" || exit 1
for s in deadlock ordered lockorder leak condmutex semgone; do
    ./rawlog_golden $s $s.db || err "$s: the writer failed"
    # relative, so that the JSON's "trace" is the same everywhere
    "$G" check --format json $s.db >$s.json 2>$s.err
    rc=$?
    # the findings that count: deadlocks and lock-order cycles; the rest
    # are in code of no known module, information only
    want=0
    case $s in deadlock|lockorder) want=1 ;; esac
    [ $rc -eq $want ] || err "$s: check exited $rc, want $want: $(cat $s.err)"
    golden="$here/golden/rawlog_$s.json"
    if [ -n "${GOLDEN_UPDATE:-}" ]; then
        cp $s.json "$golden"
    fi
    cmp -s $s.json "$golden" ||
        err "$s: findings differ from golden/rawlog_$s.json:
$(diff "$golden" $s.json | head -c 1500)"
    [ -e $s.db.raw ] && err "$s: the raw log was left behind"
done
# each scenario's finding, as a reader of the golden files expects it
for want in deadlock:deadlock lockorder:lock_order_cycle \
            leak:leaked_thread condmutex:cond_wait_with_two_mutexes \
            semgone:wait_on_destroyed_semaphore; do
    s=${want%%:*}
    what=${want#*:}
    grep -Eq "\"(kind|subkind)\":\"$what\"" $s.json ||
        err "$s: no $what finding"
done
grep -q '"findings":\[\]' ordered.json || err "ordered: findings"
# GCTRACE_TIMINGS: the finishing step's phases and rate, on stderr
./rawlog_golden ordered timed.db || err "timed: the writer failed"
GCTRACE_TIMINGS=1 "$G" check timed.db >/dev/null 2>timed.err
for p in "read raw log" "open trace" replay symbolising "write model" \
         indexes analyses commit; do
    grep -Eq "^gctrace: timing: +$p +[0-9.]+ ms" timed.err ||
        err "timed: no '$p' phase: $(cat timed.err)"
done
grep -Eq '^gctrace: timing: finishing [0-9]+ records: [0-9.]+ M/s' timed.err ||
    err "timed: no rate: $(cat timed.err)"
e2e_end test_rawlog_golden
