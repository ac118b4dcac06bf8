#!/bin/sh
# A thread's first stacks are captured by stepping through its frames,
# its later ones with libunwind's cached backtrace (preload/stack.c): the
# same call path must give the same stack either way.  first_use takes 40
# mutexes from one path; the trace must hold one stack, used 40 times,
# whose frames are take, then main; and 20,000 of them, each first used
# once.  No frame of the recorder's own is kept.
# Usage: tests/e2e/test_stacks.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

build_prog first_use first_use.c
GCTRACE_OPTIONS=report=0:out="$tmp/t.db" LD_PRELOAD="$LIB" "$tmp/first_use" ||
    err "first_use failed"
uses=$(sqlite3 "$tmp/t.db" "select count(*) || ' ' || count(distinct stack_id)
                            from events e join event_kinds k on k.kind = e.kind
                            where k.name = 'lock_first_use'" 2>&1)
[ "$uses" = "40 1" ] || err "first uses and their distinct stacks: '$uses', want '40 1'"
top=$(sqlite3 "$tmp/t.db" "select group_concat(function, ' ') from
                           (select function from stack_text where idx < 2
                            order by idx)" 2>&1)
[ "$top" = "take main" ] || err "the stack's top frames: '$top', want 'take main'"

# 20,000 locks fill every level of the set of locks seen
# (preload/intern.c): each is still first used once, and every
# acquisition counted.
GCTRACE_OPTIONS=report=0:out="$tmp/m.db" LD_PRELOAD="$LIB" \
    "$tmp/first_use" 20000 || err "first_use 20000 failed"
got=$(sqlite3 "$tmp/m.db" "select count(*) || ' ' || count(distinct stack_id)
                           from events e join event_kinds k on k.kind = e.kind
                           where k.name = 'lock_first_use'" 2>&1)
[ "$got" = "20000 1" ] || err "20,000 locks: first uses and stacks '$got'"
got=$(sqlite3 "$tmp/m.db" "select count(*) || ' ' || sum(acquisitions)
                           from lock_stats" 2>&1)
[ "$got" = "20000 40000" ] || err "20,000 locks: lock_stats '$got'"

# No stack holds a frame of the recorder's own: not the interposer on top,
# nor the trampolines under main and under each thread's function
# (progs/lockorder.c's threads take locks in an order that makes an edge,
# with a stack).
build_prog lockorder lockorder.c
GCTRACE_OPTIONS=report=0:exitcode=0:out="$tmp/l.db" LD_PRELOAD="$LIB" \
    "$tmp/lockorder" inversion >/dev/null 2>&1
for db in "$tmp/t.db" "$tmp/l.db"; do
    n=$(sqlite3 "$db" "select count(*), sum(module like '%/libgctrace.so')
                       from frames" 2>&1)
    case $n in
    0\|*|*\|) err "$(basename "$db"): frames, recorder's: '$n'" ;;
    *\|0) ;;
    *) err "$(basename "$db"): frames, recorder's: '$n', want none of the recorder's" ;;
    esac
done
e2e_end test_stacks
