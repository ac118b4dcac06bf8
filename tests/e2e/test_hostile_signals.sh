#!/bin/sh
# test_hostile_signals.sh BUILD - signals against a traced program: a
# SIGALRM handler interrupting a blocked mutex wait (with and without
# SA_RESTART) and a blocked sem_wait (EINTR without SA_RESTART, restarted
# with it) behave as natively; SIGSTOP/SIGCONT leaves the run intact; and
# SIGKILL at a random moment, RUNS times (100): the trace always opens and
# holds every lock_release the program reported (it writes each
# iteration's number to a file after the unlock, with write(2)).
set -u
. "$(dirname "$0")/lib.sh"
RUNS=${HOSTILE_KILL_RUNS:-100}

command -v sqlite3 >/dev/null || { echo "FAIL: sqlite3 not installed" >&2; exit 1; }
build_prog sig hostile_signal.c

same mutex "$tmp/sig" mutex
same mutexr "$tmp/sig" mutexr
grep -q "^lock 0 alarms 1" "$tmp/mutex.tout" || err "mutex: '$(cat "$tmp/mutex.tout")'"
same sem "$tmp/sig" sem
grep -q "Interrupted" "$tmp/sem.nout" || err "sem: native sem_wait was not interrupted"
same semr "$tmp/sig" semr
grep -q "sem_wait 0 ok" "$tmp/semr.nout" || err "semr: native sem_wait was not restarted"

# SIGSTOP, a line while stopped, SIGCONT: the program reads it and ends
mkfifo "$tmp/in"
GCTRACE_OPTIONS=exitcode=0:record=all LD_PRELOAD=$LIB GCTRACE_OUT=$tmp/stop.db \
    "$tmp/sig" stop <"$tmp/in" >"$tmp/stop.out" 2>"$tmp/stop.err" &
pid=$!
exec 7>"$tmp/in"
i=0
while [ $i -lt 1000 ] && ! grep -q ready "$tmp/stop.out"; do
    sleep 0.01; i=$((i + 1))
done
kill -STOP $pid
i=0
while [ $i -lt 1000 ] && ! grep -q '^State:.*T' /proc/$pid/status; do
    sleep 0.01; i=$((i + 1))
done
grep -q '^State:.*T' /proc/$pid/status || err "stop: the program did not stop"
echo hello >&7
exec 7>&-
kill -CONT $pid
wait $pid
rc=$?
[ $rc = 0 ] || err "stop: exit $rc ($(cat "$tmp/stop.err"))"
[ "$(cat "$tmp/stop.out")" = "$(printf 'ready\ngot hello')" ] ||
    err "stop: output '$(cat "$tmp/stop.out")'"
"$G" report "$tmp/stop.db" >/dev/null 2>&1 || err "stop: the trace does not open"
n=$(sqlite3 "$tmp/stop.db" "select count(*) from events e join event_kinds k
        using(kind) where k.name = 'lock_release'")
[ "$n" = 1000 ] || err "stop: $n lock_release events, want 1000"

# SIGKILL at a random moment (0-50 ms after the start), RUNS times
kills=0 early=0 events=0 reported=0
r=0
while [ $r -lt $RUNS ]; do
    r=$((r + 1))
    db=$tmp/k$r.db
    rnd=$(od -An -N1 -tu1 /dev/urandom | tr -d ' ')
    ms=$((rnd * 50 / 255))
    # Emptied here too: a kill that lands before the child's redirection
    # would otherwise leave the previous run's count in the file.
    : >"$tmp/k.count"
    LD_PRELOAD=$LIB GCTRACE_OUT=$db GCTRACE_OPTIONS=record=all:watchdog_ms=0 \
        "$tmp/sig" loop 3>"$tmp/k.count" 2>/dev/null &
    pid=$!
    sleep "$(printf '0.%03d' $ms)"
    kill -KILL $pid
    wait $pid 2>/dev/null
    kills=$((kills + 1))
    # The last complete line (as many lines as newlines): a kill can land
    # inside the write of the next one, which is not atomic when it
    # crosses a page of the file.
    complete=$(wc -l < "$tmp/k.count")
    last=
    [ "$complete" -gt 0 ] && last=$(sed -n "${complete}p" "$tmp/k.count")
    last=${last:-0}
    if [ ! -e "$db.raw" ] && [ ! -e "$db" ]; then
        # killed before the recorder made its log: nothing was recorded
        [ "$last" = 0 ] || err "kill $r after $ms ms: no trace, but $last iterations"
        early=$((early + 1))
        continue
    fi
    if ! "$G" report "$db" >/dev/null 2>"$tmp/k.err"; then
        err "kill $r after $ms ms: the trace does not open: $(cat "$tmp/k.err")"
        continue
    fi
    n=$(sqlite3 "$db" "select count(*) from events e join event_kinds k
            using(kind) where k.name = 'lock_release'")
    # the last unlock may be recorded and killed before its write
    if [ "$n" -lt "$last" ] || [ "$n" -gt $((last + 1)) ]; then
        err "kill $r after $ms ms: $n lock_release events, program reported $last"
    fi
    events=$((events + n)); reported=$((reported + last))
    rm -f "$db" "$db.raw"
done
echo "test_hostile_signals: $kills kills ($early before the log existed), $events releases recorded, $reported reported by the program"

e2e_end test_hostile_signals
