#!/bin/sh
# test_memcheck.sh BUILD - the gctrace command and the shim under valgrind
# memcheck (issue 7): no memory error and no definite leak.
#  - the gctrace command: `finish` of a fresh raw log (bug_lock_order
#    recorded with GCTRACE_OPTIONS=finish=0), `check` as text, json and
#    sarif, `report`, `export --format chrome`, and `view` driven in tmux
#    (a few keys, then q) when tmux is installed;
#  - the shim inside a traced program: LD_PRELOAD set in valgrind's own
#    environment reaches the client (valgrind puts its vgpreload library
#    in front of it), so `LD_PRELOAD=libgctrace.so valgrind PROG` runs the
#    recorder under memcheck; /usr/bin/valgrind is a script that execs
#    the tool, so only PROG ends up in the trace (asserted).
# memcheck.supp holds the one suppression needed (libunwind's probe) and
# says why.  About 1 minute.
set -u
. "$(dirname "$0")/../e2e/lib.sh"
sock=gct-memcheck-$$
T() { tmux -L "$sock" -f /dev/null "$@"; }
trap 'command -v tmux >/dev/null && T kill-server 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
err() { echo "FAIL: test_memcheck: $*" >&2; fail=1; }

if ! command -v valgrind >/dev/null 2>&1; then
    echo "FAIL: test_memcheck: valgrind not installed" >&2
    exit 1
fi
command -v sqlite3 >/dev/null || { echo "FAIL: sqlite3 not installed" >&2; exit 1; }
VG="valgrind --tool=memcheck --error-exitcode=99 --leak-check=full"
VG="$VG --errors-for-leak-kinds=definite --suppressions=$here/memcheck.supp"
VGENV=                          # env VAR=... for valgrind (and its client)

# vg NAME WANT CMD... - CMD under memcheck exits WANT (99: memcheck found
# something); its log is kept for the failure message
vg() {
    name=$1 want=$2
    shift 2
    # shellcheck disable=SC2086
    $VGENV $VG --log-file="$tmp/$name.vg" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
    rc=$?
    if [ $rc -eq 99 ]; then
        err "$name: memcheck errors:
$(grep -v -e '^==[0-9]*== *$' "$tmp/$name.vg" | sed -n '/ERROR SUMMARY/q;/^==[0-9]*== [A-Z]/,$p' | head -40)"
    elif [ $rc -ne "$want" ]; then
        err "$name: exit $rc, want $want ($(head -c 300 "$tmp/$name.err"))"
    fi
}

# A fresh raw log: bug_lock_order with the shim, not finished at exit.
GCTRACE_OPTIONS=finish=0:exitcode=0 GCTRACE_OUT=$tmp/lo.db LD_PRELOAD=$LIB \
    "$B/samples/bug_lock_order" >/dev/null 2>&1
[ -s "$tmp/lo.db.raw" ] || { err "no raw log $tmp/lo.db.raw recorded"; exit 1; }

vg finish 1 "$G" finish "$tmp/lo.db"
[ -e "$tmp/lo.db.raw" ] && err "finish left the raw log behind"
vg check-text 1 "$G" check "$tmp/lo.db"
vg check-json 1 "$G" check --format json "$tmp/lo.db"
vg check-sarif 1 "$G" check --format sarif "$tmp/lo.db"
grep -q lock_order_cycle "$tmp/check-json.out" || err "check json: no lock_order_cycle"
vg report 0 "$G" report "$tmp/lo.db"
vg export 0 "$G" export --format chrome -o "$tmp/lo.json" "$tmp/lo.db"
[ -s "$tmp/lo.json" ] || err "export wrote nothing"

if command -v tmux >/dev/null 2>&1; then
    # screen-polling as in tests/e2e/test_view.sh; memcheck is slow, so
    # each screen may take up to 30 s
    screen() { T capture-pane -p -t v; }
    wait_for() {
        i=0
        while [ $i -lt 300 ]; do
            screen | grep -qF -- "$1" && return 0
            sleep 0.1
            i=$((i + 1))
        done
        err "view: screen never showed '$1'; it shows:
$(screen | sed 's/^/    | /')"
        return 1
    }
    T new-session -d -x 80 -y 24 -s v \
        "$VG --log-file='$tmp/view.vg' '$G' view '$tmp/lo.db'; echo VIEW-EXIT=\$?; exec cat" ||
        err "tmux new-session failed"
    if wait_for "lock_order_cycle"; then
        for k in Enter q 2 3 4 5 6 7 j j k 1; do
            T send-keys -t v "$k"
            sleep 0.2
        done
        wait_for "[findings]"
        T send-keys -t v q
        if wait_for "VIEW-EXIT="; then
            rc=$(screen | sed -n 's/.*VIEW-EXIT=\([0-9]*\).*/\1/p' | head -n 1)
            if [ "$rc" = 99 ]; then
                err "view: memcheck errors:
$(grep -v -e '^==[0-9]*== *$' "$tmp/view.vg" | sed -n '/ERROR SUMMARY/q;/^==[0-9]*== [A-Z]/,$p' | head -40)"
            elif [ "$rc" != 0 ]; then
                err "view: exit $rc, want 0"
            fi
        fi
    fi
else
    echo "test_memcheck: view skipped (no tmux)"
fi

# The shim under memcheck, inside the traced program.
VGENV="env GCTRACE_OPTIONS=exitcode=0 GCTRACE_OUT=$tmp/shim.db LD_PRELOAD=$LIB"
vg shim 0 "$B/samples/bug_lock_order"
VGENV=
grep -q "total 200" "$tmp/shim.out" || err "shim: program output: $(cat "$tmp/shim.out")"
p=$(sqlite3 "$tmp/shim.db" "select count(*) || ' ' || max(exe) from processes" 2>&1)
[ "$p" = "1 $B/samples/bug_lock_order" ] || err "shim: processes in the trace: '$p'"
f=$(sqlite3 "$tmp/shim.db" "select group_concat(kind) from findings" 2>&1)
[ "$f" = lock_order_cycle ] || err "shim: findings '$f', want lock_order_cycle"

e2e_end test_memcheck
