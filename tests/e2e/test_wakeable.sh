#!/bin/sh
# Waits without a timeout that another process or a signal handler ends
# are not "all asleep": progs/wakeable.c's healthy modes (a
# process-shared semaphore or condvar that a child process posts or
# signals, a semaphore that a SIGALRM handler posts, one whose SIGUSR1
# handler is installed after a thread began to wait on it) run to their
# end under the watchdog with abort_on_deadlock=1, which says nothing,
# and their traces hold no deadlock; killed while they wait, the trace
# holds none either.  The buggy twins (a private semaphore nobody posts,
# a handler only for a fault signal, a private condvar with a SIGINT
# handler around) are aborted by the watchdog, and killed ones are found
# in the trace.
# Usage: tests/e2e/test_wakeable.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

build_prog wakeable wakeable.c

# kinds NAME: the sorted kind/subkind list of NAME's trace's findings
kinds() {
    "$G" check --format json "$tmp/$1.db" >"$tmp/$1.json" 2>"$tmp/$1.cerr"
    python3 -c 'import json,sys
print(" ".join(sorted(set(f["kind"] + "/" + (f.get("subkind") or "") for f in json.load(open(sys.argv[1]))["findings"]))))' "$tmp/$1.json" 2>/dev/null
}

# run NAME OPTIONS ARGS...: the program under the recorder, its status
# in $status
run() {
    n=$1 opts=$2
    shift 2
    LD_PRELOAD="$LIB" GCTRACE_OUT="$tmp/$n.db" GCTRACE_OPTIONS="$opts" \
        timeout -s KILL 20 "$tmp/wakeable" "$@" >"$tmp/$n.out" 2>"$tmp/$n.err"
    status=$?
}

WATCH=watchdog_ms=300:abort_on_deadlock=1:finish=0:exitcode=0
for mode in shared_sem shared_cond alarm late_handler; do
    run "$mode" "$WATCH" "$mode"
    [ "$status" -eq 0 ] || err "$mode: exit $status, want 0: $(cat "$tmp/$mode.err")"
    [ "$(cat "$tmp/$mode.out")" = "$mode: woken" ] ||
        err "$mode: output '$(cat "$tmp/$mode.out")'"
    grep -q watchdog "$tmp/$mode.err" && err "$mode: the watchdog spoke: $(cat "$tmp/$mode.err")"
    k=$(kinds "$mode")
    case $k in *deadlock*) err "$mode: deadlock reported: $k" ;; esac
done
for mode in private_sem fault_sem handler_cond; do
    run "$mode" "$WATCH" "$mode"
    [ "$status" -eq 134 ] || err "$mode: exit $status, want 134 (aborted by the watchdog)"
    grep -q "gctrace: watchdog:" "$tmp/$mode.err" || err "$mode: no watchdog line on stderr"
    k=$(kinds "$mode")
    case $k in *deadlock/all_asleep*) ;; *) err "$mode: check found '$k', want deadlock/all_asleep" ;; esac
done

# Killed while waiting (by the child, once main sleeps in its wait): the
# finishing step judges from the trace alone.
for mode in shared_sem alarm late_handler private_sem; do
    run "$mode-kill" watchdog_ms=0:finish=0 "$mode" kill
    [ "$status" -eq 137 ] || err "$mode kill: exit $status, want 137"
    k=$(kinds "$mode-kill")
    case $mode:$k in
    private_sem:*deadlock/all_asleep*) ;;
    private_sem:*) err "$mode kill: check found '$k', want deadlock/all_asleep" ;;
    *:*deadlock*) err "$mode kill: deadlock reported: $k" ;;
    esac
done
e2e_end test_wakeable
