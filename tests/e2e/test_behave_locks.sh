#!/bin/sh
# test_behave_locks.sh BUILD - lock calls whose answer is not "free" or
# "busy" (progs/behave_locks.c) answer the same natively, under `gctrace
# run` and under LD_PRELOAD with record=all: robust mutexes whose owner
# died (EOWNERDEAD with the mutex taken, never a hang; ENOTRECOVERABLE),
# a clock pthread_mutex_clocklock rejects, a priority-protect mutex above
# its ceiling, invalid deadlines on free rwlocks and semaphores, sem_wait
# with a cancellation pending.  A thread that ends holding a robust mutex
# is no finding; its twin, ending with a normal mutex held, still is.  The
# three invalid deadlines are misuse/invalid_deadline.
set -u
. "$(dirname "$0")/lib.sh"

build_prog locks behave_locks.c

timeout -s KILL 30 "$tmp/locks" >"$tmp/native.out" 2>"$tmp/native.err"
rc=$?
[ $rc -eq 0 ] || err "natively: exit $rc"
for want in "robust lock: EOWNERDEAD" "robust timedlock: EOWNERDEAD" \
        "robust unrecoverable timedlock: ENOTRECOVERABLE" \
        "clocklock CLOCK_PROCESS_CPUTIME_ID: EINVAL" "after it, trylock: 0" \
        "timedrdlock invalid time: EINVAL" \
        "sem_timedwait invalid time: EINVAL" \
        "sem_wait with a cancel pending: cancelled, value 1"; do
    grep -qxF "$want" "$tmp/native.out" || err "natively: missing '$want'"
done

# Default options: the same answers; the findings' exit status.
timeout -s KILL 30 "$G" run -q -o "$tmp/run.db" -- "$tmp/locks" \
    >"$tmp/run.out" 2>"$tmp/run.err"
rc=$?
[ $rc -eq 66 ] || err "under gctrace run: exit $rc: $(head -n 5 "$tmp/run.err")"
cmp -s "$tmp/native.out" "$tmp/run.out" ||
    err "gctrace run: answers differ:
$(diff "$tmp/native.out" "$tmp/run.out")"
got=$(found "$tmp/run.db")
want="misuse/invalid_deadline misuse/invalid_deadline misuse/invalid_deadline"
[ "$got" = "$want" ] ||
    err "robust mutexes held at thread exit: found '$got', want '$want'"

# record=all takes another way through the lock calls.
timeout -s KILL 30 env LD_PRELOAD="$LIB" GCTRACE_OUT="$tmp/all.db" \
    GCTRACE_OPTIONS=record=all:report=0:exitcode=0 "$tmp/locks" \
    >"$tmp/all.out" 2>"$tmp/all.err"
rc=$?
[ $rc -eq 0 ] || err "under LD_PRELOAD, record=all: exit $rc"
cmp -s "$tmp/native.out" "$tmp/all.out" ||
    err "record=all: answers differ:
$(diff "$tmp/native.out" "$tmp/all.out")"

# The twin: a normal mutex held at a thread's end is still misuse.
GCTRACE_OPTIONS=exitcode=0 "$G" run -q -o "$tmp/died.db" -- \
    "$tmp/locks" died >/dev/null 2>&1 || err "died: run failed"
got=$(found "$tmp/died.db")
[ "$got" = "misuse/exit_while_holding_lock" ] ||
    err "died: found '$got', want misuse/exit_while_holding_lock"

e2e_end test_behave_locks
