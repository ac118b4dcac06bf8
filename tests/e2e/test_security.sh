#!/bin/sh
# test_security.sh BUILD - what docs/security.md promises:
#  - symlinks planted at every name the recorder and the finishing step
#    used to derive from a pid, and at the trace's and raw log's own
#    names, never lead a write outside: the file they point at stays as
#    it was;
#  - the raw log and the trace are made with mode 0600 under umask 022;
#  - a trace owned by another user is not replaced;
#  - a trace with a view, trigger or table gctrace did not write is
#    refused with one line and exit 2;
#  - record_argv=0 keeps the command line out of the trace;
#  - a setuid program built on libgoc_trace loads no recorder that its
#    caller names (as root only: it needs a second user).
set -u
. "$(dirname "$0")/lib.sh"
umask 022
prog=$B/samples/bug_lock_order     # one finding: the report runs too
victim=$tmp/victim
echo "precious" >"$victim"

victim_intact() {
    [ "$(cat "$victim")" = "precious" ] || err "$1: the victim file was written"
    echo "precious" >"$victim"
}

# plant.sh defines plant TRACE PID: symlinks to the victim at each name an
# earlier recorder derived from PID (the raw log's temporary name; the
# finishing step's, for the next pids, which its helpers will have).
cat >"$tmp/plant.sh" <<EOF
plant() {
    ln -s "$victim" "\$1.raw.new.\$2"
    i=\$2
    while [ "\$i" -lt \$((\$2 + 64)) ]; do
        ln -s "$victim" "\$1.tmp.\$i"
        i=\$((i + 1))
    done
}
EOF

# The shell's pid is the program's: plant, then exec it.
# shellcheck disable=SC2016 # $1... are the inner shell's
for how in preload run; do
    d=$tmp/$how; mkdir "$d"; t=$d/t.db
    if [ "$how" = preload ]; then
        sh -c '. "$1"; plant "$2" $$; shift 2;
               exec env LD_PRELOAD="$1" GCTRACE_OUT="$2" "$3"' \
            sh "$tmp/plant.sh" "$t" "$LIB" "$t" "$prog" >/dev/null 2>&1
    else
        sh -c '. "$1"; plant "$2" $$; shift 2; exec "$@"' \
            sh "$tmp/plant.sh" "$t" "$G" run -q -o "$t" -- "$prog" \
            >/dev/null 2>&1
    fi
    victim_intact "$how, planted temporary names"
    [ -f "$t" ] && [ ! -L "$t" ] || err "$how: no trace beside the planted links"
    [ "$(stat -c %a "$t")" = 600 ] || err "$how: trace mode $(stat -c %a "$t"), not 600"
    "$G" check "$t" >/dev/null 2>&1
    [ $? -eq 1 ] || err "$how: the trace beside the planted links lost its finding"
done

# A symlink at the trace's own name, and at its raw log's.
for name in t.db t.db.raw; do
    d=$tmp/own-$name; mkdir "$d"
    ln -s "$victim" "$d/$name"
    LD_PRELOAD=$LIB GCTRACE_OUT=$d/t.db "$prog" >"$d/out" 2>"$d/err"
    rc=$?
    victim_intact "symlink at $name"
    [ -L "$d/$name" ] || err "symlink at $name: replaced"
    grep -q "symbolic link" "$d/err" ||
        err "symlink at $name: nothing said ($(head -2 "$d/err"))"
    [ "$name" = t.db.raw ] && [ "$rc" -ne 0 ] &&
        err "symlink at t.db.raw: the program's status changed to $rc"
    "$G" run -q -o "$d/t.db" -- "$prog" >/dev/null 2>"$d/err"
    rc=$?
    [ $rc -eq 2 ] && [ "$(wc -l <"$d/err")" -eq 1 ] ||
        err "run with a symlink at $name: exit $rc, $(cat "$d/err")"
    victim_intact "run with a symlink at $name"
done

# The raw log's mode while the program runs (it waits on a fifo).
mkfifo "$tmp/fifo"
LD_PRELOAD=$LIB GCTRACE_OUT=$tmp/live.db cat "$tmp/fifo" >/dev/null 2>&1 &
cat_pid=$!
n=0
while [ ! -e "$tmp/live.db.raw" ] && [ $n -lt 500 ]; do sleep 0.01; n=$((n + 1)); done
mode=$(stat -c %a "$tmp/live.db.raw" 2>/dev/null)
echo >"$tmp/fifo"
wait $cat_pid
[ "$mode" = 600 ] || err "raw log mode '$mode', not 600"

# A trace of another user is not replaced.
if [ "$(id -u)" -eq 0 ]; then
    d=$tmp/other; mkdir "$d"; echo "theirs" >"$d/t.db"; chown 65534 "$d/t.db"
    "$G" run -q -o "$d/t.db" -- "$prog" >/dev/null 2>"$d/err"
    rc=$?
    [ $rc -eq 2 ] || err "run onto another user's trace: exit $rc, not 2"
    [ "$(cat "$d/t.db")" = theirs ] || err "another user's trace was replaced"
    grep -q "belongs to another user" "$d/err" ||
        err "another user's trace: nothing said ($(head -2 "$d/err"))"
fi

# Traces with code gctrace did not write.
"$G" run -q -o "$tmp/good.db" -- "$prog" >/dev/null 2>&1
for sql in "CREATE VIEW evil AS SELECT 1" \
           "CREATE TRIGGER evil AFTER INSERT ON meta BEGIN SELECT 1; END" \
           "DROP VIEW blocked_at_end; CREATE VIEW blocked_at_end AS SELECT 1" \
           "CREATE TABLE evil(x, y AS (x * 2))"; do
    cp "$tmp/good.db" "$tmp/bad.db"
    sqlite3 "$tmp/bad.db" "$sql" || { err "sqlite3 failed on: $sql"; continue; }
    for cmd in check report export; do
        "$G" $cmd "$tmp/bad.db" >/dev/null 2>"$tmp/bad.err"
        rc=$?
        [ $rc -eq 2 ] || err "$cmd on a trace with '$sql': exit $rc, not 2"
        [ "$(wc -l <"$tmp/bad.err")" -eq 1 ] && grep -q "refused" "$tmp/bad.err" ||
            err "$cmd on a trace with '$sql': not one line: $(cat "$tmp/bad.err")"
    done
done

# The command line, in the trace or not.
# shellcheck disable=SC2086 # the build's sanitizer flags are words
build_prog spawn_one spawn_one.c ${GCT_TEST_CFLAGS:-}
for opt in 1 0; do
    GCTRACE_OPTIONS=record_argv=$opt "$G" run -q -o "$tmp/argv$opt.db" -- \
        "$tmp/spawn_one" --password=hunter2 >/dev/null 2>&1
done
grep -q "hunter2" "$tmp/argv1.db" || err "record_argv=1: no command line in the trace"
grep -q "hunter2" "$tmp/argv0.db" && err "record_argv=0: the command line is in the trace"

# A setuid program on libgoc_trace, run by another user who names a
# recorder and a trace: neither is used.
if [ "$(id -u)" -eq 0 ]; then
    d=$tmp/suid; mkdir "$d"; chmod 755 "$tmp" "$d"
    cc ${GCT_TEST_CFLAGS:-} -Iinclude -o "$d/prog" \
        "$here/../../samples/bug_unclosed_range.c" "$B/lib/libgoc_trace.a" \
        -lpthread -ldl 2>"$d/cc.err" || err "setuid program: $(head -2 "$d/cc.err")"
    chmod 4755 "$d/prog"
    mkdir "$d/out"; chmod 777 "$d/out"
    GCTRACE_OUT=$d/out/t.db GCTRACE_LIB=$LIB \
        setpriv --reuid=65534 --regid=65534 --clear-groups "$d/prog" >/dev/null 2>&1
    [ -z "$(ls "$d/out")" ] || err "setuid program wrote a trace: $(ls "$d/out")"
fi

e2e_end test_security
