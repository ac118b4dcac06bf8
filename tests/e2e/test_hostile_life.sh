#!/bin/sh
# test_hostile_life.sh BUILD - programs at the edges of a process's life,
# each run natively and under the recorder (same stdout, same exit status,
# the trace opens): a lock wait 1,000 frames deep; threads made in a
# constructor and in an atexit handler; exit() from a non-main thread;
# _exit; pthread_exit from main while other threads go on, also once the
# recorder's background thread runs for its log; a dlopen()ed
# library whose thread waits on a lock.  Last, `gctrace run` must refuse
# static and setuid programs with one line and exit 2.
set -u
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null || { echo "FAIL: sqlite3 not installed" >&2; exit 1; }
build_prog deep hostile_deep.c
build_prog life hostile_life.c
build_prog libdlib.so hostile_dlib.c -shared -fPIC
build_prog dlopen hostile_dlopen.c -ldl

# same_preload NAME PROG ARGS...: with the recorder preloaded directly, so
# that a hang is killed with the program (timeout signals its child only)
same_preload() {
    name=$1; shift
    timeout -s KILL 10 "$@" >"$tmp/$name.nout" 2>"$tmp/$name.nerr"
    nrc=$?
    LD_PRELOAD=$LIB GCTRACE_OUT=$tmp/$name.db GCTRACE_OPTIONS=exitcode=0:report=0 \
        timeout -s KILL 10 "$@" >"$tmp/$name.tout" 2>"$tmp/$name.terr"
    compare_runs "$name" $nrc $?
}

# 1,000 frames deep: the wait at the bottom is recorded with a stack made
# of recurse_then_wait frames (the recorder keeps the innermost ones)
same deep "$tmp/deep" 1000
grep -q "blocked yes" "$tmp/deep.tout" || err "deep: the wait did not block"
# (waits written out, or counted short: either way with their stack)
all_waits="(select stack_id from waits union all
            select stack_id from wait_sites)"
n=$(q "$tmp/deep.db" "select count(*) from $all_waits w join stack_text s
        on s.stack_id = w.stack_id where s.function = 'recurse_then_wait'")
[ "${n:-0}" -gt 0 ] 2>/dev/null || err "deep: no wait with a recurse_then_wait stack ($n)"

# constructor and atexit threads: main, and one thread each
same ctor "$tmp/life" ctor
n=$(q "$tmp/ctor.db" "select count(*) from threads")
[ "$n" = 3 ] || err "ctor: $n threads in the trace, want 3"

same exit "$tmp/life" exit
s=$(q "$tmp/exit.db" "select exit_status from processes")
[ "$s" = 3 ] || err "exit from a thread: processes.exit_status '$s', want 3"

same _exit "$tmp/life" _exit
s=$(q "$tmp/_exit.db" "select exit_status from processes")
[ "$s" = 5 ] || err "_exit: processes.exit_status '$s', want 5"

# the process ends when its last thread does (status 0)
same_preload pexit "$tmp/life" pexit
# the program's own threads (timeout, which runs it, is traced too):
# main, the constructor's, and the four chained ones
n=$(q "$tmp/pexit.db" "select count(distinct tid) from threads where pid =
        (select pid from processes where exe like '%/life')")
[ "$n" = 6 ] || err "pthread_exit from main: $n threads in the trace, want 6"

# The same once the recorder's background thread runs for the log alone
# (record=all brings each thread's next log window into memory there,
# preload/prefault.c; the watchdog is off): it must not outlive the last
# of the program's threads either.
LD_PRELOAD=$LIB GCTRACE_OUT=$tmp/busy.db \
    GCTRACE_OPTIONS=exitcode=0:report=0:record=all:watchdog_ms=0 \
    timeout -s KILL 20 "$tmp/life" pexit-busy >"$tmp/busy.out" 2>&1
rc=$?
[ $rc = 0 ] || err "pthread_exit after recording: exit $rc, want 0 ($(head -c 300 "$tmp/busy.out"))"
grep -q "background thread: yes" "$tmp/busy.out" ||
    err "pthread_exit after recording: no background thread: $(head -c 300 "$tmp/busy.out")"
grep -q "chained thread 4" "$tmp/busy.out" ||
    err "pthread_exit after recording: the last thread did not run"

# the library's thread waits with its stack inside the library
same dlopen "$tmp/dlopen" "$tmp/libdlib.so"
grep -q "blocked yes" "$tmp/dlopen.tout" || err "dlopen: the wait did not block"
n=$(q "$tmp/dlopen.db" "select count(*) from $all_waits w join stack_text s
        on s.stack_id = w.stack_id where s.function = 'lib_thread_body'
        and s.module like '%libdlib.so' and s.file like '%hostile_dlib.c'")
[ "${n:-0}" -gt 0 ] 2>/dev/null || err "dlopen: no wait with a stack in libdlib.so ($n)"

# programs the recorder cannot enter: one line, exit 2
refused() {
    "$G" run -q -o "$tmp/r.db" -- "$@" >"$tmp/r.out" 2>"$tmp/r.err"
    rc=$?
    [ $rc = 2 ] || err "gctrace run $*: exit $rc, want 2"
    [ "$(wc -l <"$tmp/r.err")" = 1 ] && grep -q "^gctrace: .*cannot trace" "$tmp/r.err" ||
        err "gctrace run $*: want one 'gctrace: ... cannot trace' line, got '$(cat "$tmp/r.err")'"
    [ -s "$tmp/r.out" ] && err "gctrace run $*: the program ran"
}
printf 'int main(void) { return 0; }\n' >"$tmp/s.c"
if cc -static -o "$tmp/static" "$tmp/s.c" 2>/dev/null; then
    refused "$tmp/static"
    grep -q static "$tmp/r.err" || err "static: the reason does not say static: $(cat "$tmp/r.err")"
fi
cp /bin/echo "$tmp/suid" && chmod u+s "$tmp/suid"
refused "$tmp/suid" hello
grep -q setuid "$tmp/r.err" || err "setuid: the reason does not say setuid: $(cat "$tmp/r.err")"

e2e_end test_hostile_life
