#!/bin/sh
# test_chanwait.sh BUILD - libgoc's channel and select waits that sleep
# are in the trace, each with its reason, object, end and result
# (progs/chanwait.c forces every wait to sleep before completing it), and
# a select's cases are recorded with its wait; under record=all, each
# transfer with its channel and result.
set -u
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null || { echo "FAIL: sqlite3 not installed" >&2; exit 1; }
# GCT_TEST_CFLAGS: the sanitizer flags the build's libgoc was made with
# shellcheck disable=SC2086
build_goc_prog chanwait chanwait.c

db=$tmp/t.db
LD_PRELOAD=$LIB GCTRACE_OUT=$db GCTRACE_OPTIONS=report=0:exitcode=0 \
    timeout 60 "$tmp/chanwait" || err "chanwait: exit $?"

q() { sqlite3 "$db" "$1" 2>&1; }
expect() { [ "$2" = "$3" ] || err "$1: got '$2', want '$3'"; }

waits="select w.*, r.name as why, o.kind as okind from waits w
       join wait_reasons r using(reason) left join objects o
       on o.id = w.object_id where r.name in
       ('chan send', 'chan receive', 'select')"
expect "channel and select waits, in order" \
    "$(q "select group_concat(why, ', ') from ($waits order by begin_ns)")" \
    "chan receive, chan send, chan receive, select, select"
expect "waits on channels" \
    "$(q "select count(*) from ($waits) where why != 'select' and okind = 'chan'")" 3
expect "waits that ended" \
    "$(q "select count(*) from ($waits) where end_ns >= begin_ns")" 5
expect "results of the first four (0, or the select's case index)" \
    "$(q "select group_concat(result, ',') from (select result from ($waits)
          order by begin_ns limit 4)")" "0,0,0,1"
expect "the select's cases" \
    "$(q "select count(*) from select_cases where wait_id = (select id
          from ($waits) where why = 'select' order by begin_ns limit 1)")" 2
expect "the timed select: timed, timed out" \
    "$(q "select timed, result from ($waits)
          where why = 'select' order by begin_ns limit 1 offset 1")" "1|-4"

# record=all: every transfer is an event on its channel, with its result:
# cases 1-4 each send and receive once; case 6 receives GOC_ECLOSED (-3).
LD_PRELOAD=$LIB GCTRACE_OUT=$tmp/all.db \
    GCTRACE_OPTIONS=report=0:exitcode=0:record=all \
    timeout 60 "$tmp/chanwait" || err "chanwait, record=all: exit $?"
expect "transfers under record=all, by kind, object kind and result" \
    "$(sqlite3 "$tmp/all.db" "select k.name, o.kind, e.a, count(*)
          from events e join event_kinds k using(kind)
          join objects o on o.id = e.object_id
          where k.name in ('chan_send', 'chan_recv')
          group by 1, 2, 3 order by 1, 3" 2>&1)" \
    "$(printf 'chan_recv|chan|-3|1\nchan_recv|chan|0|4\nchan_send|chan|0|4')"

e2e_end test_chanwait
