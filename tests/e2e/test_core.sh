#!/bin/sh
# test_core.sh BUILD - `gctrace core COREFILE [EXE]` on the core dump of
# the ABBA program (progs/attach_hang.c, started without gctrace) that was
# killed with SIGABRT while it hung, as a CI timeout does: the same
# deadlock/locks as `gctrace attach` finds, both threads' stacks down to
# their lock calls.  The core of the program hung on a condition
# variable and a join has no lock deadlock, but every thread asleep.  A
# file that is not a core: one line, exit 2.
# The core is written by the kernel where core_pattern names a file; where
# a program receives cores (a pipe), gcore writes it instead.
set -u
. "$(dirname "$0")/lib.sh"
build_prog hang attach_hang.c
cd "$tmp" || exit 1
ulimit -c unlimited 2>/dev/null

states() {
    for s in /proc/"$1"/task/*/stat; do
        sed 's/.*) \(.\).*/\1/' "$s" 2>/dev/null
    done | sort | tr -d '\n'
}

# dump MODE THREADS: $tmp/MODE.core, of attach_hang MODE hung with its
# THREADS threads asleep
dump() {
    mkdir -p "$tmp/$1.d"
    (cd "$tmp/$1.d" && exec "$tmp/hang" "$1") >/dev/null 2>&1 &
    hp=$!
    i=0
    while [ "$(states $hp)" != "$(printf "%${2}s" | tr ' ' S)" ]; do
        i=$((i + 1))
        [ $i -gt 2000 ] && { err "$1: never hung: $(states $hp)"; kill -9 $hp; return 1; }
        sleep 0.01
    done
    case $(cat /proc/sys/kernel/core_pattern) in
    '|'*)
        gcore -o "$tmp/$1.gcore" $hp >/dev/null 2>&1 ||
            err "$1: cores go to a program here, and gcore failed"
        mv "$tmp/$1.gcore.$hp" "$tmp/$1.core"
        kill -9 $hp
        wait $hp 2>/dev/null ;;
    *)
        kill -ABRT $hp
        wait $hp 2>/dev/null
        c=$(ls "$tmp/$1.d"/core* 2>/dev/null | head -1)
        [ -n "$c" ] || { err "$1: no core written (core_pattern $(cat /proc/sys/kernel/core_pattern))"; return 1; }
        mv "$c" "$tmp/$1.core" ;;
    esac
}

dump abba 2 && {
    "$G" core -o abba.db abba.core >abba.out 2>abba.err
    rc=$?
    [ $rc -eq 1 ] || err "abba: core exited $rc, want 1: $(cat abba.err)"
    "$G" check --format json abba.db >abba.json 2>>abba.err
    a=$(grep -n 'pthread_mutex_lock(&a);' "$here/progs/attach_hang.c" | head -1 | cut -d: -f1)
    b=$(grep -n 'pthread_mutex_lock(&b);' "$here/progs/attach_hang.c" | tail -1 | cut -d: -f1)
    python3 - abba.json "$a" "$b" <<'PY' || err "abba: see above: $(cat abba.out)"
import json, sys
fs = json.load(open(sys.argv[1]))["findings"]
kinds = [f["kind"] + "/" + (f.get("subkind") or "") for f in fs]
if kinds != ["deadlock/locks"]:
    sys.exit("findings %s" % kinds)
f = fs[0]
frames = {s["label"].split(" (")[0]: [(fr["function"], fr["line"]) for fr in s["frames"]]
          for s in f["stacks"]}
if ("abba_second", int(sys.argv[2])) not in frames.get("thread abba_second", []):
    sys.exit("abba_second's stack %s" % frames)
if ("main", int(sys.argv[3])) not in frames.get("main", []):
    sys.exit("main's stack %s" % frames)
if "mutex a" not in f["message"] or "mutex b" not in f["message"]:
    sys.exit("locks not named: " + f["message"])
PY
    # the program named on the command line reads the same
    "$G" core -q -o abba2.db abba.core "$tmp/hang" >/dev/null 2>&1
    [ "$(found abba2.db)" = "deadlock/locks" ] || err "abba with EXE: $(found abba2.db)"
}

dump cond 2 && {
    "$G" core -q -o cond.db cond.core >/dev/null 2>cond.err
    [ "$(found cond.db)" = "deadlock/all_asleep" ] ||
        err "cond: $(found cond.db) $(cat cond.err)"
}

echo "not a core" >notcore
"$G" core -o nc.db notcore >/dev/null 2>nc.err
rc=$?
[ $rc -eq 2 ] || err "not a core: exit $rc, want 2"
[ "$(wc -l <nc.err)" -eq 1 ] || err "not a core: $(cat nc.err)"
e2e_end test_core
