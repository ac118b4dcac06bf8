#!/bin/sh
# test_hostile_procs.sh BUILD - process tricks and exhausted resources,
# each run natively and under the recorder (same stdout, same exit status,
# the trace opens): fork while another thread holds a lock, fork+exec,
# posix_spawn, a daemon (double fork, setsid, every fd closed, chdir /)
# whose locks must be in the trace, exec of a static binary, running out
# of file descriptors and of address space, and a trace on a full disk
# (a 1 MiB tmpfs, when we may mount one): the program is unharmed and the
# finished trace says how many records were dropped.
set -u
. "$(dirname "$0")/lib.sh"
mnt=
cleanup() {
    [ -n "$mnt" ] && umount "$mnt" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

command -v sqlite3 >/dev/null || { echo "FAIL: sqlite3 not installed" >&2; exit 1; }
build_prog fork hostile_fork.c
build_prog exhaust hostile_exhaust.c

# lock_acquire events of the processes other than the root
child_locks() {
    q "$1" "select count(*) from events e join event_kinds k using(kind)
            join threads t on t.id = e.thread_id
            where k.name = 'lock_acquire' and t.pid <> (select min(pid)
            from processes where ppid not in (select pid from processes))"
}

SAME_OPTIONS=record=all
same locked "$tmp/fork" locked
SAME_OPTIONS=
grep -q "child exited 7" "$tmp/locked.tout" || err "fork with a lock held: child did not exit 7"
n=$(child_locks "$tmp/locked.db")
[ "$n" = 100 ] || err "fork with a lock held: $n child lock_acquire events, want 100"

same exec "$tmp/fork" exec
n=$(q "$tmp/exec.db" "select count(*) from processes where exe like '%echo'")
[ "$n" = 1 ] || err "fork+exec: $n echo processes in the trace, want 1"

same spawn "$tmp/fork" spawn
n=$(q "$tmp/spawn.db" "select count(*) from processes where exe like '%echo'")
[ "$n" = 1 ] || err "posix_spawn: $n echo processes in the trace, want 1"

SAME_OPTIONS=record=all
same daemon "$tmp/fork" daemon "$tmp/daemon.flag"
SAME_OPTIONS=
grep -q "daemon done" "$tmp/daemon.tout" || err "daemon: did not finish"
n=$(child_locks "$tmp/daemon.db")
[ "$n" = 100 ] || err "daemon: $n lock_acquire events after closing every fd, want 100"
n=$(q "$tmp/daemon.db" "select count(*) from processes")
[ "$n" = 3 ] || err "daemon: $n processes in the trace, want 3"

printf '#include <stdio.h>\nint main(int c, char **v) { for (int i = 1; i < c; i++) printf("%%s ", v[i]); printf("static\\n"); return 0; }\n' >"$tmp/s.c"
if cc -static -o "$tmp/static" "$tmp/s.c" 2>/dev/null; then
    same exec_static "$tmp/fork" exec_prog "$tmp/static"
fi

same fds "$tmp/exhaust" fds
same mem "$tmp/exhaust" mem

# A full disk: the raw log's chunks are allocated ahead, so the program
# must see no SIGBUS and no error; what did not fit is counted.  The
# trace cannot be written beside the raw log (the disk is full), so it is
# finished from a copy.
if [ "$(id -u)" = 0 ] && mkdir "$tmp/full" &&
   mount -t tmpfs -o size=1m tmpfs "$tmp/full" 2>/dev/null; then
    mnt=$tmp/full
    timeout -s KILL 30 "$tmp/exhaust" many 100000 >"$tmp/full.nout"
    nrc=$?
    LD_PRELOAD=$LIB GCTRACE_OUT=$mnt/t.db GCTRACE_OPTIONS=record=all:finish=0 \
        timeout -s KILL 30 "$tmp/exhaust" many 100000 >"$tmp/full.tout" 2>"$tmp/full.terr"
    trc=$?
    [ "$nrc" = "$trc" ] || err "full disk: exit $trc traced, $nrc native ($(cat "$tmp/full.terr"))"
    cmp -s "$tmp/full.nout" "$tmp/full.tout" || err "full disk: stdout differs"
    cp "$mnt/t.db.raw" "$tmp/full.db.raw" || err "full disk: no raw log"
    "$G" report "$tmp/full.db" >/dev/null 2>"$tmp/full.rerr" ||
        err "full disk: gctrace report: $(cat "$tmp/full.rerr")"
    d=$(q "$tmp/full.db" "select value from meta where key = 'dropped'")
    [ "${d:-0}" -gt 0 ] 2>/dev/null || err "full disk: meta dropped '$d', want > 0"
    # finishing in place fails for want of space: one line, exit 2
    "$G" finish "$mnt/t.db" >/dev/null 2>"$tmp/full.ferr"
    rc=$?
    [ $rc = 2 ] && [ "$(wc -l <"$tmp/full.ferr")" = 1 ] ||
        err "full disk: finish in place: exit $rc, '$(cat "$tmp/full.ferr")'"
else
    echo "test_hostile_procs: full disk skipped (cannot mount a tmpfs)"
fi

e2e_end test_hostile_procs
