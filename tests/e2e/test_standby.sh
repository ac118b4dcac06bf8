#!/bin/sh
# test_standby.sh BUILD - the finishing step's helper, started with the
# program and waiting for its exit (preload/finisher.c, standby=1, the
# default), must not change how the program runs: wait() in the program
# reports its own children only (a subreaper gets no helper); the helper
# is not the program's child and keeps none of its descriptors; the
# report goes to the stderr the program has at exit, and a relative
# suppressions file is the one where it started; a program that
# closed every descriptor, exec'd, was killed, or lost its helper still
# gets its trace.  standby=0 starts no helper.  A build without the
# static helper has no standby: then the test checks the traces only.
set -u
. "$(dirname "$0")/lib.sh"
H=$B/libexec/gctrace-finish
export GCTRACE_OPTIONS=report=1

build_prog standby standby.c

# helper_of TRACE: the pid of the helper waiting to finish TRACE, if any
# (from /proc: pgrep is not everywhere).
helper_of() {
    for d in /proc/[0-9]*; do
        { tr '\0' ' ' < "$d/cmdline"; } 2>/dev/null |
            grep -q -- "gctrace-finish --standby .* $1 \$" &&
            { echo "${d#/proc/}"; return; }
    done
}

# gone PID: waits up to 5 s for PID to end; false if it did not.
gone() {
    i=0
    while kill -0 "$1" 2>/dev/null; do
        i=$((i + 1))
        [ $i -le 100 ] || return 1
        sleep 0.05
    done
}

# finished TRACE: the trace was written and its raw log consumed.
finished() {
    [ -f "$1" ] && [ ! -e "$1.raw" ] &&
        [ "$(sqlite3 "$1" 'SELECT count(*) FROM processes' 2>&1)" -ge 1 ]
}

# hold NAME [OPTIONS]: starts "standby hold" under the recorder, reading
# from the fifo $tmp/NAME.in (kept open on descriptor 7 until release),
# and waits until it says it is holding.  Sets pid.
hold() {
    mkfifo "$tmp/$1.in"
    GCTRACE_OPTIONS="report=1${2:+:$2}" GCTRACE_OUT="$tmp/$1.db" \
        LD_PRELOAD="$LIB" "$tmp/standby" hold < "$tmp/$1.in" \
        > "$tmp/$1.out" 2> "$tmp/$1.err" &
    pid=$!
    exec 7> "$tmp/$1.in"
    i=0
    until grep -q holding "$tmp/$1.out" 2>/dev/null; do
        i=$((i + 1))
        [ $i -le 200 ] ||
            { err "$1: the program never said holding"; return 1; }
        sleep 0.05
    done
}

release() {
    exec 7>&-
    wait "$pid"
}

# 1. wait() reports the program's children, and ends with ECHILD.
timeout -s KILL 30 env GCTRACE_OUT="$tmp/reap.db" LD_PRELOAD="$LIB" \
    "$tmp/standby" reap 3 > "$tmp/reap.out" 2>&1 ||
    err "reap: exit $?: $(cat "$tmp/reap.out")"
grep -qx "reaped 3" "$tmp/reap.out" || err "reap: $(cat "$tmp/reap.out")"
finished "$tmp/reap.db" || err "reap: the trace was not finished"

# A subreaper would adopt the helper: it gets none.
timeout -s KILL 30 env GCTRACE_OUT="$tmp/sub.db" LD_PRELOAD="$LIB" \
    "$tmp/standby" subreaper reap 2 > "$tmp/sub.out" 2>&1 ||
    err "subreaper: exit $?: $(cat "$tmp/sub.out")"
grep -qx "reaped 2" "$tmp/sub.out" || err "subreaper: $(cat "$tmp/sub.out")"
finished "$tmp/sub.db" || err "subreaper: the trace was not finished"

# 2. While the program runs: one helper, not its child, holding only
# /dev/null and its socket.  The program's exit has it finish and leave.
if hold held; then
    h=$(helper_of "$tmp/held.db")
    if [ ! -x "$H" ]; then
        :
    elif [ -z "$h" ]; then
        err "held: no helper waits for the program"
    else
        ppid=$(awk '{print $4}' "/proc/$h/stat")
        [ "$ppid" != "$pid" ] || err "held: the helper is the program's child"
        fds=$(ls "/proc/$h/fd" | sort -n | tr '\n' ' ')
        [ "$fds" = "0 1 2 3 " ] || err "held: the helper's descriptors: $fds"
        for fd in 0 1 2; do
            [ "$(readlink "/proc/$h/fd/$fd")" = /dev/null ] ||
                err "held: the helper's fd $fd is $(readlink "/proc/$h/fd/$fd")"
        done
        case $(readlink "/proc/$h/fd/3") in
        socket:*) ;;
        *) err "held: the helper's fd 3 is not a socket" ;;
        esac
    fi
    release || err "held: exit $?"
    finished "$tmp/held.db" || err "held: the trace was not finished"
    [ -z "$h" ] || gone "$h" || err "held: the helper outlived the program"
fi

# 3. A finding: exit 66, the report on the stderr the program has at exit.
GCTRACE_OUT="$tmp/misuse.db" LD_PRELOAD="$LIB" "$tmp/standby" misuse \
    2> "$tmp/misuse.err"
rc=$?
[ $rc = 66 ] || err "misuse: exit $rc, want 66"
grep -q "unlock_of_unlocked" "$tmp/misuse.err" ||
    err "misuse: no report on stderr: $(cat "$tmp/misuse.err")"
GCTRACE_OUT="$tmp/redir.db" LD_PRELOAD="$LIB" "$tmp/standby" redirect \
    "$tmp/redir.log" 2> "$tmp/redir.err"
rc=$?
[ $rc = 66 ] || err "redirect: exit $rc, want 66"
grep -q "unlock_of_unlocked" "$tmp/redir.log" ||
    err "redirect: the report is not in the program's new stderr"
! grep -q "unlock_of_unlocked" "$tmp/redir.err" ||
    err "redirect: the report went to the stderr the program started with"

# A suppressions file named relative to where the program started holds
# after the program changed directory, with or without the helper.
printf 'misuse:standby.c\n' > "$tmp/supp"
for sb in 1 0; do
    (cd "$tmp" && GCTRACE_OPTIONS="report=1:standby=$sb:suppressions=supp" \
        GCTRACE_OUT="$tmp/cd$sb.db" LD_PRELOAD="$LIB" "$tmp/standby" cdmisuse \
        2> "$tmp/cd$sb.err")
    rc=$?
    [ $rc = 0 ] || err "cdmisuse, standby=$sb: exit $rc, want 0 (suppressed)"
    [ ! -s "$tmp/cd$sb.err" ] ||
        err "cdmisuse, standby=$sb: said $(cat "$tmp/cd$sb.err")"
done

# 4. A program that closed every descriptor of ours: the step runs at exit.
GCTRACE_OUT="$tmp/closed.db" LD_PRELOAD="$LIB" "$tmp/standby" closeall \
    2> "$tmp/closed.err"
rc=$?
[ $rc = 66 ] || err "closeall: exit $rc, want 66: $(cat "$tmp/closed.err")"
finished "$tmp/closed.db" || err "closeall: the trace was not finished"

# 5. exec: the new program finishes the trace, which has both images.
GCTRACE_OUT="$tmp/exec.db" LD_PRELOAD="$LIB" "$tmp/standby" exec \
    > "$tmp/exec.out" 2>&1 || err "exec: exit $?: $(cat "$tmp/exec.out")"
finished "$tmp/exec.db" || err "exec: the trace was not finished"
[ -z "$(helper_of "$tmp/exec.db")" ] || err "exec: a helper is left"

# 6. The program killed: its helper leaves, the raw log stays, and the
# next gctrace command finishes it.
hold killed && {
    h=$(helper_of "$tmp/killed.db")
    [ -x "$H" ] && [ -z "$h" ] && err "killed: no helper waits for the program"
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null
    exec 7>&-
    [ -z "$h" ] || gone "$h" || err "killed: the helper outlived the program"
    [ -e "$tmp/killed.db.raw" ] || err "killed: the raw log is gone"
    "$G" report "$tmp/killed.db" > /dev/null 2>&1
    finished "$tmp/killed.db" || err "killed: gctrace report did not finish it"
}

# 7. The helper killed: the program's exit starts the step itself.
if hold lost; then
    h=$(helper_of "$tmp/lost.db")
    [ -x "$H" ] && [ -z "$h" ] && err "lost: no helper waits for the program"
    [ -n "$h" ] && kill -KILL "$h"
    release || err "lost: exit $?"
    finished "$tmp/lost.db" || err "lost: the trace was not finished"
fi

# 8. standby=0: no helper while the program runs.
hold off standby=0 && {
    [ -z "$(helper_of "$tmp/off.db")" ] || err "standby=0: a helper waits"
    release || err "off: exit $?"
    finished "$tmp/off.db" || err "standby=0: the trace was not finished"
}

e2e_end test_standby
