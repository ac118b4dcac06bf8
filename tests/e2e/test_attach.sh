#!/bin/sh
# test_attach.sh BUILD - `gctrace attach PID` on programs started without
# gctrace (progs/attach_hang.c):
#  - a two-thread ABBA deadlock and a three-thread cycle: deadlock/locks,
#    naming each thread and lock, each thread's stack down to the line
#    of the lock call that blocks; the ABBA program linked statically
#    too, where attach says that glibc's layouts are assumed;
#  - two threads that join each other: deadlock/wait_cycle;
#  - a thread on a condition variable nobody signals: every thread
#    asleep, deadlock/all_asleep; also when main ended with pthread_exit
#    (a zombie, which ptrace cannot seize, is left alone);
#  - a libgoc program (plain libgoc, progs/attach_goc.c) whose two
#    goroutines each wait to receive what the other would send:
#    deadlock/all_asleep, the waits read from libgoc's registry; its
#    twin waits for input before it sends: no finding, and it goes on to
#    the same output;
#  - the twin, a busy program (workers on a mutex, a consumer on a
#    condition variable, main in a read): no finding, and it runs on
#    unchanged: the same output and exit status as a run nobody attached
#    to, no signal caught by its handlers, and its read not broken;
#  - the ABBA program run with the recorder preloaded: its raw log (the
#    history: who created each thread, where) is in the snapshot, and
#    the recorder's own thread is not the program's;
#  - after attach, and after a gctrace killed while the process is
#    stopped, no thread is left stopped or traced;
#  - a process gctrace may not trace: one line, exit 3; no such process:
#    one line, exit 2.
# Each program is attached to once all its threads sleep in the kernel
# (polled from /proc, with a bound), never after a guessed delay.
set -u
. "$(dirname "$0")/lib.sh"
build_prog hang attach_hang.c
build_prog hang_static attach_hang.c -static
# shellcheck disable=SC2086 # the build's sanitizer flags are words
build_prog goc attach_goc.c -std=c11 ${GCT_TEST_CFLAGS:-} "$B/lib/libgoc.a" -ldl
pids=""
trap 'for p in $pids; do kill -9 $p 2>/dev/null; done; rm -rf "$tmp"' EXIT INT TERM

# states PID: the one-letter states of PID's threads, sorted, on one line
states() {
    for s in /proc/"$1"/task/*/stat; do
        sed 's/.*) \(.\).*/\1/' "$s" 2>/dev/null
    done | sort | tr -d '\n'
}

# wait_states PID WANT: until states PID is WANT (about 20 s at most)
wait_states() {
    i=0
    while [ "$(states "$1")" != "$2" ]; do
        i=$((i + 1))
        if [ $i -gt 2000 ]; then
            err "process $1: thread states '$(states "$1")', want '$2'"
            return 1
        fi
        sleep 0.01
    done
}

# untouched PID WHAT: no thread of PID stopped or traced
untouched() {
    case $(states "$1") in *t* | *T*)
        err "$2: threads left stopped: $(states "$1")" ;; esac
    grep -q '^TracerPid:[[:space:]]*0$' /proc/"$1"/status ||
        err "$2: still traced: $(grep TracerPid /proc/"$1"/status)"
}

# hang MODE THREADS: attaches to attach_hang MODE once its THREADS threads
# sleep; the findings' JSON in $tmp/MODE.json, attach's output in
# $tmp/MODE.out, its status in $rc.
hang() {
    "$tmp/hang" "$1" >/dev/null 2>&1 &
    hp=$!
    pids="$pids $hp"
    wait_states $hp "$(printf "%${2}s" | tr ' ' S)" || return
    "$G" attach -o "$tmp/$1.db" $hp >"$tmp/$1.out" 2>"$tmp/$1.err"
    rc=$?
    untouched $hp "$1"
    # still stuck where it was: attach changed nothing
    wait_states $hp "$(printf "%${2}s" | tr ' ' S)"
    kill -9 $hp
    wait $hp 2>/dev/null
    # (exit 1: findings, which most modes expect)
    "$G" check --format json "$tmp/$1.db" >"$tmp/$1.json" 2>>"$tmp/$1.err"
    [ -s "$tmp/$1.json" ] || err "$1: check wrote no JSON: $(cat "$tmp/$1.err")"
}

# expect MODE KIND THREADS PYTHON-CHECK: the findings of MODE are exactly
# one KIND, naming THREADS threads; PYTHON-CHECK runs with f, the finding
hang_expect() {
    mode=$1 kind=$2 n=$3 extra=$4
    hang "$mode" "$5"
    [ -s "$tmp/$mode.json" ] || return
    [ $rc -eq 1 ] || err "$mode: attach exited $rc, want 1: $(cat "$tmp/$mode.err")"
    [ -s "$tmp/$mode.err" ] && err "$mode: attach said: $(cat "$tmp/$mode.err")"
    python3 - "$tmp/$mode.json" "$kind" "$n" <<PY || err "$mode: see above; attach said: $(cat "$tmp/$mode.out")"
import json, sys
fs = json.load(open(sys.argv[1]))["findings"]
kinds = [f["kind"] + "/" + (f.get("subkind") or "") for f in fs]
if kinds != [sys.argv[2]]:
    sys.exit("findings %s, want [%s]" % (kinds, sys.argv[2]))
f = fs[0]
if len(f["threads"]) != int(sys.argv[3]):
    sys.exit("%d threads named, want %s" % (len(f["threads"]), sys.argv[3]))
def at(label):
    return [(fr["function"], fr["line"]) for s in f["stacks"]
            if s["label"].startswith(label) for fr in s["frames"]]
$extra
PY
}

# the lines of attach_hang.c where each thread blocks
line() { grep -n "$1" "$here/progs/attach_hang.c" | head -1 | cut -d: -f1; }
abba_main=$(grep -n 'pthread_mutex_lock(&b);' "$here/progs/attach_hang.c" | tail -1 | cut -d: -f1)
abba_thread=$(grep -n 'pthread_mutex_lock(&a);' "$here/progs/attach_hang.c" | head -1 | cut -d: -f1)
ring_line=$(line 'pthread_mutex_lock(&ring\[(i + 1)')

hang_expect abba deadlock/locks 2 "
if ('main', $abba_main) not in at('main'):
    sys.exit('main blocked at %s' % at('main'))
if ('abba_second', $abba_thread) not in at('thread abba_second'):
    sys.exit('abba_second blocked at %s' % at('thread abba_second'))
if 'mutex a' not in f['message'] or 'mutex b' not in f['message']:
    sys.exit('locks not named: ' + f['message'])" 2
grep -q "held by thread" "$tmp/abba.out" || err "abba: no owner in the thread lines"

# linked statically: its glibc is not gctrace's libc.so, and attach says
# so (once), and still finds the deadlock (the layout is the same here)
"$tmp/hang_static" abba >/dev/null 2>&1 &
hp=$!
pids="$pids $hp"
if wait_states $hp SS; then
    "$G" attach -o "$tmp/static.db" $hp >"$tmp/static.out" 2>"$tmp/static.err"
    rc=$?
    untouched $hp static
    kill -9 $hp
    wait $hp 2>/dev/null
    [ $rc -eq 1 ] || err "static: attach exited $rc: $(cat "$tmp/static.err")"
    [ "$(found "$tmp/static.db")" = "deadlock/locks" ] ||
        err "static: found '$(found "$tmp/static.db")'"
    [ "$(grep -c "layouts are assumed, not checked" "$tmp/static.err")" -eq 1 ] ||
        err "static: no one line about the layouts: $(cat "$tmp/static.err")"
fi

hang_expect cycle3 deadlock/locks 3 "
stacks = [s for s in f['stacks'] if 'ring_member' in s['label']]
if len(stacks) != 3 or any(('ring_member', $ring_line) not in
        [(fr['function'], fr['line']) for fr in s['frames']] for s in stacks):
    sys.exit('stacks %s' % f['stacks'])" 4

hang_expect cond deadlock/all_asleep 2 "
if not any(fr[0] == 'wait_forever' for fr in at('thread wait_forever')):
    sys.exit('wait_forever not blocked in it: %s' % f['stacks'])" 2
grep -q "condvar wait" "$tmp/cond.out" || err "cond: the thread lines name no condvar wait"

"$tmp/hang" zombie >/dev/null 2>&1 &
zp=$!
pids="$pids $zp"
if wait_states $zp SZ; then
    "$G" attach -o "$tmp/zombie.db" $zp >"$tmp/zombie.out" 2>"$tmp/zombie.err"
    rc=$?
    [ $rc -eq 1 ] || err "zombie: attach exited $rc: $(cat "$tmp/zombie.err")"
    [ "$(found "$tmp/zombie.db")" = "deadlock/all_asleep" ] ||
        err "zombie: found '$(found "$tmp/zombie.db")'"
    untouched $zp zombie
    kill -9 $zp
    wait $zp 2>/dev/null
fi

hang_expect join deadlock/wait_cycle 2 "
if sum(1 for s in f['stacks'] if 'join_other' in s['label']) != 2:
    sys.exit('stacks %s' % f['stacks'])
if f['message'].count('waits to join thread join_other') != 2:
    sys.exit('message ' + f['message'])" 3
[ "$(grep -c "blocked: thread join" "$tmp/join.out")" -eq 3 ] ||
    err "join: not three joins in the thread lines: $(cat "$tmp/join.out")"

# The ABBA program under the recorder: the snapshot has its history.
# (The watchdog far away: the finding is attach's to make.)
LD_PRELOAD="$LIB" GCTRACE_OUT="$tmp/shim.db" \
    GCTRACE_OPTIONS=watchdog_ms=600000 "$tmp/hang" abba >/dev/null 2>&1 &
sp=$!
pids="$pids $sp"
own_states() {
    for s in /proc/"$1"/task/*/stat; do
        grep -v gctrace- "$s" 2>/dev/null | sed 's/.*) \(.\).*/\1/'
    done | sort | tr -d '\n'
}
i=0
while [ "$(own_states $sp)" != SS ] && [ $i -lt 2000 ]; do
    i=$((i + 1))
    sleep 0.01
done
"$G" attach -o "$tmp/shimmed.db" $sp >"$tmp/shimmed.out" 2>"$tmp/shimmed.err"
rc=$?
untouched $sp shimmed
kill -9 $sp
wait $sp 2>/dev/null
[ $rc -eq 1 ] || err "shimmed: attach exited $rc: $(cat "$tmp/shimmed.err")"
grep -q "recorded by gctrace into $tmp/shim.db.raw" "$tmp/shimmed.out" ||
    err "shimmed: the recorder's log was not found: $(head -3 "$tmp/shimmed.out")"
[ -e "$tmp/shim.db.raw" ] || err "shimmed: the recorder's own raw log is gone"
"$G" check --format json "$tmp/shimmed.db" >"$tmp/shimmed.json" 2>>"$tmp/shimmed.err"
python3 - "$tmp/shimmed.json" <<'PY' || err "shimmed: see above"
import json, sys
fs = json.load(open(sys.argv[1]))["findings"]
kinds = sorted(f["kind"] + "/" + (f.get("subkind") or "") for f in fs)
# The recorder's history holds the lock-order edges the two waits wrote
# as they began: the same cycle is a lock_order_cycle too.
if kinds != ["deadlock/locks", "lock_order_cycle/"]:
    sys.exit("findings %s" % kinds)
d = [f for f in fs if f["kind"] == "deadlock"][0]
t = [t for t in d["threads"] if t["start_routine"] == "abba_second"]
if len(d["threads"]) != 2 or len(t) != 1 or not t[0]["created_at"]:
    sys.exit("threads %s: no creation from the history" % d["threads"])
PY

# libgoc: goroutines that wait for each other on channels
"$tmp/goc" chans >/dev/null 2>&1 &
gp=$!
pids="$pids $gp"
if wait_states $gp SS; then
    "$G" attach -o "$tmp/goc.db" $gp >"$tmp/goc.out" 2>"$tmp/goc.err"
    rc=$?
    untouched $gp goc
    kill -9 $gp
    wait $gp 2>/dev/null
    [ $rc -eq 1 ] || err "goc: attach exited $rc: $(cat "$tmp/goc.err")"
    [ "$(found "$tmp/goc.db")" = "deadlock/all_asleep" ] ||
        err "goc: found '$(found "$tmp/goc.db")'"
    [ "$(grep -c "blocked: chan receive" "$tmp/goc.out")" -eq 2 ] ||
        err "goc: not two channel waits: $(cat "$tmp/goc.out")"
fi
# its twin: main waits for input, the goroutine for main
printf 'x\n' | "$tmp/goc" waiting >"$tmp/gocn.out" 2>&1
echo "exit $?" >>"$tmp/gocn.out"
rm -f "$tmp/gin"
mkfifo "$tmp/gin"
exec 4<>"$tmp/gin"
"$tmp/goc" waiting <&4 >"$tmp/goct.out" 2>&1 4>&- &
gp=$!
pids="$pids $gp"
if wait_states $gp SS; then
    "$G" attach -o "$tmp/goct.db" $gp >"$tmp/goct.attach" 2>&1
    rc=$?
    [ $rc -eq 0 ] || err "goc twin: attach exited $rc: $(cat "$tmp/goct.attach")"
    grep -q "blocked: chan receive" "$tmp/goct.attach" ||
        err "goc twin: the goroutine's wait was not read: $(cat "$tmp/goct.attach")"
    untouched $gp "goc twin"
fi
echo x >&4
wait $gp
echo "exit $?" >>"$tmp/goct.out"
exec 4>&-
cmp -s "$tmp/gocn.out" "$tmp/goct.out" ||
    err "goc twin: '$(cat "$tmp/goct.out")', native '$(cat "$tmp/gocn.out")'"
grep -q "got 42" "$tmp/gocn.out" || err "goc twin natively: $(cat "$tmp/gocn.out")"

# The busy twin: a run attached to (once, or by a gctrace killed while
# the program is stopped) and a run nobody touched, the same protocol.
# busy_run NAME HOW: HOW is none, attach or killed.
busy_run() {
    rm -f "$tmp/in"
    mkfifo "$tmp/in"
    exec 3<>"$tmp/in"
    "$tmp/hang" busy <&3 >"$tmp/$1.out" 2>&1 3>&- &
    bp=$!
    pids="$pids $bp"
    i=0
    until grep -q working "$tmp/$1.out" 2>/dev/null; do
        i=$((i + 1))
        [ $i -gt 2000 ] && { err "$1: never started working"; break; }
        sleep 0.01
    done
    case $2 in
    attach)
        "$G" attach -o "$tmp/$1.db" $bp >"$tmp/$1.attach" 2>&1
        arc=$?
        [ $arc -eq 0 ] || err "$1: attach exited $arc: $(cat "$tmp/$1.attach")"
        grep -q "no findings" "$tmp/$1.attach" ||
            err "$1: findings: $(cat "$tmp/$1.attach")"
        [ "$(found "$tmp/$1.db")" = "" ] || err "$1: check found $(found "$tmp/$1.db")"
        [ "$(grep -c '^  [0-9]' "$tmp/$1.attach")" -eq 5 ] ||
            err "$1: not 5 thread lines: $(cat "$tmp/$1.attach")"
        untouched $bp "$1" ;;
    killed)
        GCTRACE_TEST_ATTACH_STOP=1 "$G" attach -o "$tmp/$1.db" $bp \
            >/dev/null 2>&1 &
        gp=$!
        pids="$pids $gp"
        wait_states $gp T   # gctrace holds the process stopped now
        wait_states $bp ttttt
        kill -9 $gp
        wait $gp 2>/dev/null
        # the kernel lets the threads go as gctrace dies
        i=0
        while case $(states $bp) in *t*) true ;; *) false ;; esac; do
            i=$((i + 1))
            [ $i -gt 2000 ] && break
            sleep 0.01
        done
        untouched $bp "$1" ;;
    esac
    echo stop >&3
    wait $bp
    brc=$?
    exec 3>&-
    echo "exit $brc" >>"$tmp/$1.out"
}
busy_run native none
busy_run attached attach
busy_run killed killed
grep -q "counts add up, consumed all, 0 signals" "$tmp/native.out" ||
    err "busy: the program itself misbehaves: $(cat "$tmp/native.out")"
grep -q "exit 3" "$tmp/native.out" || err "busy: native $(cat "$tmp/native.out")"
for r in attached killed; do
    cmp -s "$tmp/native.out" "$tmp/$r.out" ||
        err "busy $r: '$(cat "$tmp/$r.out")', native '$(cat "$tmp/native.out")'"
done

# Refusals: one line each, with the documented status.
"$tmp/hang" cond >/dev/null 2>&1 &
cp=$!
pids="$pids $cp"
if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$G" attach -o /dev/null $cp >/dev/null 2>"$tmp/perm.err"
else
    "$G" attach -o /dev/null 1 >/dev/null 2>"$tmp/perm.err"
fi
prc=$?
[ $prc -eq 3 ] || err "permission: exit $prc, want 3: $(cat "$tmp/perm.err")"
[ "$(wc -l <"$tmp/perm.err")" -eq 1 ] && grep -q "not allowed to trace" "$tmp/perm.err" ||
    err "permission: not one clear line: $(cat "$tmp/perm.err")"
untouched $cp permission
kill -9 $cp
wait $cp 2>/dev/null
"$G" attach -o "$tmp/none.db" 4194305 >/dev/null 2>"$tmp/none.err"
nrc=$?
[ $nrc -eq 2 ] || err "no process: exit $nrc, want 2"
[ "$(wc -l <"$tmp/none.err")" -eq 1 ] && grep -q "no process 4194305" "$tmp/none.err" ||
    err "no process: $(cat "$tmp/none.err")"
e2e_end test_attach
