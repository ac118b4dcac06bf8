#!/bin/sh
# A wait's stack and a lock's creation stack are the calling thread's own,
# though the call is made through a helper that other threads and other
# call paths use too (preload/stack.c): progs/site_stacks.c makes every
# wait and every lock through one helper each, from two threads with
# different start routines and from one thread's two callers.  A stack
# remembered by the helper's call site alone named the first caller's
# path for all of them.  Run twice: with every wait written out
# (wait_threshold_us=0), where their order is checked, and with every
# lock wait that ends counted instead (a threshold of a minute), per
# thread, object and stack (wait_sites): the same stacks.
# Usage: tests/e2e/test_site_stacks.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

build_prog site_stacks site_stacks.c
GCTRACE_OPTIONS=report=0:exitcode=0:wait_threshold_us=0:out="$tmp/t.db" \
    LD_PRELOAD="$LIB" "$tmp/site_stacks" || err "site_stacks failed"
GCTRACE_OPTIONS=report=0:exitcode=0:wait_threshold_us=60000000 \
    GCTRACE_OUT="$tmp/d.db" LD_PRELOAD="$LIB" "$tmp/site_stacks" ||
    err "site_stacks failed (waits counted)"

# The program's own frames of stack S, innermost first, space-separated.
frames="(select group_concat(function, ' ') from
          (select function from stack_text
           where stack_id = S and module like '%/site_stacks' order by idx))"
of() { echo "$frames" | sed "s/\<S\>/$1/"; }

want_waits='wait_until alpha
take alpha
wait_until beta
take beta
wait_until via_one third
take via_one third
wait_until via_two third
take via_two third'
# The helpers' waits, in time order (one thread runs at a time); main's
# own waits (serve) are not the helpers'.
got=$(sqlite3 "$tmp/t.db" "select s from (select begin_ns, $(of w.stack_id) s
                           from waits w) where s like 'wait_until %'
                           or s like 'take %' order by begin_ns" 2>&1)
[ "$got" = "$want_waits" ] ||
    err "the helpers' waits' stacks: '$got', want '$want_waits'"

# Each wait was made by the thread its stack names: alpha's and beta's
# are two threads, third's four (of two callers) one more.
got=$(sqlite3 "$tmp/t.db" "select count(distinct thread_id) from waits w
                           where $(of w.stack_id) like '% alpha'
                              or $(of w.stack_id) like '% beta';
                           select count(distinct thread_id) from waits w
                           where $(of w.stack_id) like '% third';
                           select count(distinct thread_id) from waits w
                           where $(of w.stack_id) like 'wait_until %'
                              or $(of w.stack_id) like 'take %'" 2>&1)
[ "$(echo $got)" = "2 1 3" ] ||
    err "threads of alpha's and beta's, third's, all helper waits: '$(echo $got)', want '2 1 3'"

# Counted: the same stacks, each by as many threads.
all_waits="(select thread_id, stack_id from waits union
            select thread_id, stack_id from wait_sites)"
got=$(sqlite3 "$tmp/d.db" "select distinct s from (select $(of w.stack_id) s
                           from $all_waits w) where s like 'wait_until %'
                           or s like 'take %' order by s" 2>&1)
want_sorted=$(echo "$want_waits" | LC_ALL=C sort)
[ "$got" = "$want_sorted" ] ||
    err "counted: the helpers' waits' stacks: '$got', want '$want_sorted'"
got=$(sqlite3 "$tmp/d.db" "select count(distinct thread_id) from $all_waits w
                           where $(of w.stack_id) like '% alpha'
                              or $(of w.stack_id) like '% beta';
                           select count(distinct thread_id) from $all_waits w
                           where $(of w.stack_id) like '% third';
                           select count(distinct thread_id) from $all_waits w
                           where $(of w.stack_id) like 'wait_until %'
                              or $(of w.stack_id) like 'take %'" 2>&1)
[ "$(echo $got)" = "2 1 3" ] ||
    err "counted: threads of alpha's and beta's, third's, all helper waits: '$(echo $got)', want '2 1 3'"
# Lock waits are counted; condvar waits are always written out (the
# two-mutex misuse is found from them).
got=$(sqlite3 "$tmp/d.db" "select count(*) from waits where end_ns is not null
                           and reason in (select reason from wait_reasons
                           where name = 'mutex lock')" 2>&1)
[ "$got" = 0 ] || err "counted: $got ended mutex waits written out, want 0"

want_locks='make_lock alpha
make_lock beta
make_lock via_one third
make_lock via_two third'
got=$(sqlite3 "$tmp/t.db" "select s from (select created_ns, id,
                           $(of o.create_stack) s from objects o
                           where kind = 'mutex') where s like 'make_lock %'
                           order by created_ns, id" 2>&1)
[ "$got" = "$want_locks" ] ||
    err "the locks' creation stacks: '$got', want '$want_locks'"

# Deduplication stays: no two stacks hold the same frames.
got=$(sqlite3 "$tmp/t.db" "select count(*) from (select group_concat(frame_id)
                           s from (select stack_id, frame_id from stack_frames
                                   order by stack_id, idx) group by stack_id)
                           group by s having count(*) > 1" 2>&1)
[ -z "$got" ] || err "stacks written more than once: '$got'"
e2e_end test_site_stacks
