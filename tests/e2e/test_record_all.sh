#!/bin/sh
# test_record_all.sh BUILD - record=all keeps every lock operation with
# its lock, mode flags, call site and time (progs/record_all.c): counts,
# flags (trylock, read and write locks), the site inside the calling
# function, times in order, a 4.5 s idle gap (longer than a compact
# record's time delta can say) measured right, and a contended
# acquisition recorded once, as contended, and two acquisitions' distance
# measured right when their times come from the time-stamp counter;
# condvar signals and broadcasts and semaphore posts, with their objects.
# The raw log must say repeated operations in repeat records.  A trace
# this small has no indexes; one of 120,000 records has them all.
set -u
. "$(dirname "$0")/lib.sh"
GAP_MS=4500

command -v sqlite3 >/dev/null || { echo "FAIL: sqlite3 not installed" >&2; exit 1; }
build_prog record_all record_all.c

db=$tmp/t.db
out=$(LD_PRELOAD=$LIB GCTRACE_OUT=$db \
    GCTRACE_OPTIONS=record=all:report=0:finish=0 \
    "$tmp/record_all" $GAP_MS) || err "record_all: exit $?"
# Phase 1's 1000 pairs at one site: after the first pair, each operation
# is written as an 8-byte repeat of that pair's records (common/rawlog.h).
repeats=$(python3 -c '
import struct, sys
raw = open(sys.argv[1], "rb").read()
n = 0
for c in range(4096, len(raw), 65536):
    off = 24
    while off + 8 <= 65536 and c + off + 8 <= len(raw):
        words, kind = struct.unpack_from("<HH", raw, c + off)
        if words == 0:
            break
        n += words == 1 and kind != 0
        off += words * 8
print(n)' "$db.raw")
[ "$repeats" -ge 1998 ] 2>/dev/null ||
    err "repeat records in the raw log: '$repeats', want at least 1998"
"$G" report "$db" >/dev/null 2>"$tmp/err" ||
    err "gctrace report: $(head -c 300 "$tmp/err")"
m=$(echo "$out" | sed -n 's/.*m=\([0-9]*\).*/\1/p')
rw=$(echo "$out" | sed -n 's/.*rw=\([0-9]*\).*/\1/p')
fn=$(echo "$out" | sed -n 's/.*fn=\([0-9]*\).*/\1/p')
paced=$(echo "$out" | sed -n 's/.*paced=\([0-9]*\).*/\1/p')
lo=$(echo "$out" | sed -n 's/.*lo=\([0-9]*\).*/\1/p')
hi=$(echo "$out" | sed -n 's/.*hi=\([0-9]*\).*/\1/p')
cv=$(echo "$out" | sed -n 's/.*cv=\([0-9]*\).*/\1/p')
sem=$(echo "$out" | sed -n 's/.*semaphore=\([0-9]*\).*/\1/p')
size=$(nm -S "$tmp/record_all" | awk '$4 == "lock_unlock" { print $2 }')
[ -n "$m" ] && [ -n "$rw" ] && [ -n "$fn" ] && [ -n "$size" ] &&
    [ -n "$paced" ] && [ -n "$lo" ] && [ -n "$hi" ] && [ -n "$cv" ] &&
    [ -n "$sem" ] || {
    echo "FAIL: record_all printed '$out' (nm size '$size')" >&2; exit 1; }
end=$((fn + 0x$size))

q() { sqlite3 "$db" "$1" 2>&1; }
acq="select e.* from events e join event_kinds k using(kind)
     join objects o on o.id = e.object_id where k.name = 'lock_acquire'"
rel="select e.* from events e join event_kinds k using(kind)
     join objects o on o.id = e.object_id where k.name = 'lock_release'"

# expect WHAT GOT WANT
expect() { [ "$2" = "$3" ] || err "$1: got '$2', want '$3'"; }

expect "acquisitions of m" "$(q "select count(*) from ($acq and o.addr = $m)")" 2003
expect "releases of m" "$(q "select count(*) from ($rel and o.addr = $m)")" 2003
expect "contended acquisitions of m" \
    "$(q "select count(*) from ($acq and o.addr = $m) where a = 32")" 1
# Its wait: ended (a short wait's end comes from the time-stamp counter,
# preload/tsc.c) no earlier than it began and no later than the
# acquisition the thread recorded after it, from the clock, give or take
# 1 us (NTP may slew the clock against the counter: at most 0.5 us on a
# 1 ms wait).
expect "the contended wait ends between its begin and the acquisition" \
    "$(q "select count(*) from waits w join ($acq and o.addr = $m and
          e.a = 32) x on x.thread_id = w.thread_id
          where w.end_ns >= w.begin_ns and w.end_ns <= x.ts + 1000")" 1
expect "acquisitions of m at lock_unlock's site, no flags" \
    "$(q "select count(*) from ($acq and o.addr = $m) where a = 0 and
          b >= $fn and b < $end")" 2000
expect "trylocks of m" "$(q "select count(*) from ($acq and o.addr = $m)
                              where a = 2")" 1
expect "sites that are not user-space addresses" \
    "$(q "select count(*) from ($acq) where b <= 0 or b >= 140737488355328")" 0
expect "rw's kind" "$(q "select kind from objects where addr = $rw")" rwlock
expect "rw's acquisition flags" \
    "$(q "select group_concat(a) from ($acq and o.addr = $rw order by e.id)")" \
    "65,64"
expect "events out of time order" \
    "$(q "select count(*) from events e1 join events e2 on e2.id = e1.id + 1
          where e2.ts < e1.ts")" 0
expect "releases before their acquisition" \
    "$(q "select count(*) from ($rel) r where r.ts < (select max(a.ts)
          from ($acq) a where a.id < r.id)")" 0
# Signals, broadcasts and posts, each with its object.
expect "signals, broadcasts and posts by object" \
    "$(q "select k.name, o.addr, count(*) from events e
          join event_kinds k using(kind) join objects o on o.id = e.object_id
          where k.name in ('cond_signal', 'cond_broadcast', 'sem_post')
          group by 1, 2 order by 1")" \
    "$(printf 'cond_broadcast|%s|2\ncond_signal|%s|300\nsem_post|%s|3' \
        "$cv" "$cv" "$sem")"

# The gap: the largest step between lock events of m is the sleep.
gap=$(q "with l as (select ts, row_number() over (order by id) n from (
             select e.* from events e join objects o on o.id = e.object_id
             where o.addr = $m))
         select max(b.ts - a.ts) from l a join l b on b.n = a.n + 1")
[ "$gap" -ge $((GAP_MS * 1000000)) ] 2>/dev/null &&
    [ "$gap" -lt $(((GAP_MS + 2000) * 1000000)) ] ||
    err "the sleep between lock events: ${gap} ns, want ${GAP_MS} ms to 2 s more"

# Two acquisitions 300 us apart: the distance between their records,
# whose times may come from the time-stamp counter (preload/log.c), lies
# within the bounds the program read from the clock around them, give or
# take 1 us.
d=$(q "select max(ts) - min(ts) from ($acq and o.addr = $paced)")
[ "$d" -ge $((lo - 1000)) ] 2>/dev/null && [ "$d" -le $((hi + 1000)) ] ||
    err "paced acquisitions ${d} ns apart, want ${lo} to ${hi} ns"

# Indexes: none in this small trace, all of them in one of 120,000
# records (60,000 lock/unlock pairs), which the viewer pages through.
idx="select count(*) from sqlite_master where type = 'index'
     and name not like 'sqlite_%'"
expect "indexes in a trace of $(q "select value from meta
        where key = 'records'") records" "$(q "$idx")" 0
printf '%s\n' '#include <pthread.h>' \
    'static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;' \
    'int main(void) { for (int i = 0; i < 60000; i++) {' \
    '    pthread_mutex_lock(&m); pthread_mutex_unlock(&m); } return 0; }' \
    > "$tmp/many.c"
cc -O1 -pthread -o "$tmp/many" "$tmp/many.c" || exit 1
LD_PRELOAD=$LIB GCTRACE_OUT=$tmp/many.db GCTRACE_OPTIONS=record=all:report=0 \
    "$tmp/many" || err "many: exit $?"
expect "indexes in a trace of 120,000 records" \
    "$(sqlite3 "$tmp/many.db" "$idx" 2>&1)" 7

e2e_end test_record_all
