#!/bin/sh
# test_run_wrapper.sh BUILD - `gctrace run` stands in for the program as
# timeout(1) does: a trace path it cannot write is refused before the
# program starts (one line, exit 2); SIGINT, SIGTERM, SIGHUP and SIGQUIT
# sent to the runner reach the program; a runner killed with SIGKILL does
# not leave the program running, and the trace it leaves is finished by
# the next command.
set -u
. "$(dirname "$0")/lib.sh"
build_prog sig signalled.c

# An unwritable trace: a missing directory, and a directory that is a file.
: > "$tmp/afile"
for out in "$tmp/missing/t.db" "$tmp/afile/t.db"; do
    "$G" run -o "$out" -- sh -c ": > '$tmp/started'" 2> "$tmp/err"
    rc=$?
    [ $rc -eq 2 ] || err "run -o $out: exit $rc, want 2"
    [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q "^gctrace: run: $out" "$tmp/err" ||
        err "run -o $out: want one line, got: $(cat "$tmp/err")"
    [ -e "$tmp/started" ] && err "run -o $out: the program ran"
    rm -f "$tmp/started"
done

# Waits until file $1 holds a line starting with $2 (the program prints
# it once ready; the runner's own end bounds the wait).
wait_line() {
    i=0
    until grep -q "^$2" "$1" 2>/dev/null; do
        i=$((i + 1))
        [ $i -gt 1000 ] && return 1
        sleep 0.01
    done
}

for sn in INT:2 TERM:15 HUP:1 QUIT:3; do
    s=${sn%:*} n=${sn#*:}
    "$G" run -q -o "$tmp/$s.db" -- "$tmp/sig" > "$tmp/$s.out" 2> "$tmp/$s.err" &
    runner=$!
    wait_line "$tmp/$s.out" ready || { err "$s: the program never started"; kill -9 $runner; continue; }
    kill -"$s" $runner
    wait $runner
    rc=$?
    [ $rc -eq "$n" ] || err "SIG$s to the runner: exit $rc, want the program's $n"
    grep -q "^got $n\$" "$tmp/$s.out" || err "SIG$s did not reach the program: $(cat "$tmp/$s.out")"
    [ "$(grep -c "^got" "$tmp/$s.out")" -eq 1 ] || err "SIG$s: $(cat "$tmp/$s.out")"
done

# The runner killed: the program (which ignores every polite signal)
# goes with it.
"$G" run -q -o "$tmp/k.db" -- "$tmp/sig" hang > "$tmp/k.out" 2>&1 &
runner=$!
wait_line "$tmp/k.out" ready || err "hang: the program never started"
pid=$(sed -n 's/^ready //p' "$tmp/k.out")
kill -9 $runner
wait $runner 2>/dev/null
# The kernel sends the death signal as the runner exits; what is left is
# init reaping the program.
i=0
while [ -n "$pid" ] && [ -d "/proc/$pid" ] &&
    ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; do
    i=$((i + 1))
    [ $i -gt 500 ] && break
    sleep 0.01
done
if [ -n "$pid" ] && [ -d "/proc/$pid" ] &&
    ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
    err "the program outlived its killed runner"
    kill -9 "$pid"
fi
"$G" check "$tmp/k.db" > /dev/null 2>&1
[ $? -le 1 ] || err "the killed runner's trace cannot be read"
e2e_end test_run_wrapper
