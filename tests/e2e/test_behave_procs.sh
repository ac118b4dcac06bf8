#!/bin/sh
# test_behave_procs.sh BUILD - processes the recorder must tell apart
# (progs/behave_fork.c), and programs it must refuse clearly.
#  - Children made without the fork function (glibc's daemon(), _Fork(),
#    syscall(SYS_fork)) are processes of their own: a process row each,
#    their records in their own chunks (the parent's 100 lock
#    acquisitions and the child's are all there), their joined threads
#    no finding; the twin that leaves its thread unjoined is caught.
#    Same output and exit status natively and under `gctrace run`.
#  - A fork()ed child gets the exit grace too: its thread on its way out
#    is no leak; the twin whose thread waits for ever still is.
#  - A vfork child's _exit does not end its parent's trace.
#  - A child still running when the program ends (a daemon) is marked
#    running in the trace, and its waiting thread is no leak.
#  - A dynamically linked musl program: one line saying so, exit 2, the
#    program not run (a program whose PT_INTERP names ld-musl, built
#    with the system's cc; a real musl-gcc build too where there is one).
set -u
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null || { echo "FAIL: sqlite3 not installed" >&2; exit 1; }
build_prog fork behave_fork.c

# lock_acquire events per process, the root's first: "N M ..."
locks_by_process() {
    sqlite3 "$1" "select count(*) from events e join event_kinds k using(kind)
        join threads t on t.id = e.thread_id where k.name = 'lock_acquire'
        group by t.pid order by t.pid = (select min(pid) from processes
        where ppid not in (select pid from processes)) desc, t.pid" |
        tr '\n' ' '
}

# run NAME WANT_STATUS WANT_FINDINGS ARGS...: native and traced agree
run() {
    name=$1 want_rc=$2 want=$3
    shift 3
    timeout -s KILL 30 "$tmp/fork" "$@" >"$tmp/$name.nout" 2>&1
    rc=$?
    [ $rc -eq 0 ] || err "$name natively: exit $rc: $(cat "$tmp/$name.nout")"
    GCTRACE_OPTIONS=record=all timeout -s KILL 30 "$G" run -q \
        -o "$tmp/$name.db" -- "$tmp/fork" "$@" >"$tmp/$name.tout" 2>"$tmp/$name.terr"
    rc=$?
    [ $rc -eq "$want_rc" ] ||
        err "$name traced: exit $rc, want $want_rc: $(head -c 300 "$tmp/$name.terr")"
    cmp -s "$tmp/$name.nout" "$tmp/$name.tout" ||
        err "$name: output '$(cat "$tmp/$name.tout")', natively '$(cat "$tmp/$name.nout")'"
    got=$(found "$tmp/$name.db")
    [ "$got" = "$want" ] || err "$name: found '$got', want '$want'"
}

# procs NAME WANT_PROCESSES WANT_LOCKS
procs() {
    n=$(sqlite3 "$tmp/$1.db" "select count(*) from processes")
    [ "$n" = "$2" ] || err "$1: $n processes in the trace, want $2"
    n=$(locks_by_process "$tmp/$1.db")
    [ "$n" = "$3" ] || err "$1: lock acquisitions by process '$n', want '$3'"
}

run daemon 0 "" daemon
procs daemon 3 "100 200 "
run _Fork 0 "" _Fork
procs _Fork 2 "100 200 "
run sysfork 0 "" sysfork
procs sysfork 2 "100 100 "
run daemon_leak 66 "unjoined_thread" daemon leak
run _Fork_leak 66 "unjoined_thread" _Fork leak

run grace 0 "" grace
run stuck 66 "leaked_thread" stuck

# A vfork child's _exit is not its parent's: the parent's trace is
# finished at its own exit (LD_PRELOAD, the recorder finishes it).
timeout -s KILL 30 env LD_PRELOAD="$LIB" GCTRACE_OUT="$tmp/vfork.db" \
    "$tmp/fork" vfork >"$tmp/vfork.out" 2>"$tmp/vfork.err"
rc=$?
[ $rc -eq 0 ] || err "vfork: exit $rc: $(head -c 300 "$tmp/vfork.err")"
[ "$(cat "$tmp/vfork.out")" = "vfork child exited 3" ] ||
    err "vfork: output '$(cat "$tmp/vfork.out")'"
[ -e "$tmp/vfork.db" ] && [ ! -e "$tmp/vfork.db.raw" ] ||
    err "vfork: the trace was not finished at the program's exit"

# A child that outlives the program (a daemon) is caught mid-work when
# the trace is finished: its waiting thread is no leak, and its process
# is marked running.  It then ends when the test says so.
mkfifo "$tmp/go" "$tmp/done" || err "cannot make FIFOs"
timeout -s KILL 30 "$G" run -q -o "$tmp/outlive.db" -- \
    "$tmp/fork" outlive "$tmp/go" "$tmp/done" >"$tmp/outlive.out" 2>"$tmp/outlive.err"
rc=$?
[ $rc -eq 0 ] || err "outlive: exit $rc: $(head -c 300 "$tmp/outlive.err")"
got=$(found "$tmp/outlive.db")
[ -z "$got" ] || err "outlive: found '$got' in a process still running"
n=$(sqlite3 "$tmp/outlive.db" "select count(*) from processes where running = 1")
[ "$n" = 1 ] || err "outlive: $n processes marked running, want 1"
echo go >"$tmp/go"
[ "$(timeout -s KILL 30 cat "$tmp/done")" = "child done" ] ||
    err "outlive: the child did not end as told"

# musl: refused before it runs, in one line
printf '#include <stdio.h>\nint main(void) { puts("ran"); return 0; }\n' >"$tmp/m.c"
refused() {
    "$G" run -o "$tmp/m.db" -- "$1" >"$tmp/m.out" 2>"$tmp/m.err"
    rc=$?
    [ $rc -eq 2 ] || err "musl $2: exit $rc, want 2"
    [ "$(wc -l <"$tmp/m.err")" -eq 1 ] && grep -q "musl" "$tmp/m.err" ||
        err "musl $2: want one line naming musl, got '$(cat "$tmp/m.err")'"
    [ -s "$tmp/m.out" ] && err "musl $2: the program ran"
    [ -e "$tmp/m.db.raw" ] && err "musl $2: a trace was started"
}
cc -Wl,--dynamic-linker=/lib/ld-musl-x86_64.so.1 -o "$tmp/fake_musl" "$tmp/m.c" ||
    err "cannot link a program with a musl PT_INTERP"
refused "$tmp/fake_musl" "PT_INTERP"
if command -v musl-gcc >/dev/null && musl-gcc -o "$tmp/musl" "$tmp/m.c" 2>/dev/null; then
    refused "$tmp/musl" "musl-gcc"
else
    echo "test_behave_procs: musl-gcc not installed, only its PT_INTERP tested"
fi

e2e_end test_behave_procs
