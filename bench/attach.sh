#!/bin/sh
# bench/attach.sh BUILD_DIR [THREADS] - how long `gctrace attach` takes
# on a process of THREADS threads (default 1000; bench/attach_threads.c:
# half wait for a mutex, half on a condition variable): the command's
# whole time (measuring glibc's layout, stopping and reading every
# thread, finishing and analysing the snapshot), and how long the
# process stood still, as its own ticker thread saw it (the longest gap
# between naps of 200 us).  Prints key=value lines per run, then one
# Markdown row of medians.
#
# Environment: ATTACH_RUNS=5.
set -u
B=${1:?usage: $0 BUILD_DIR [THREADS]}
B=$(cd "$B" && pwd) || exit 1
n=${2:-1000}
runs=${ATTACH_RUNS:-5}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

i=0
while [ $i -lt "$runs" ]; do
    i=$((i + 1))
    rm -f "$tmp/in" "$tmp/out"
    mkfifo "$tmp/in"
    exec 3<>"$tmp/in"
    "$B/bench/attach_threads" "$n" <&3 >"$tmp/out" 3>&- &
    pid=$!
    until grep -q ready "$tmp/out" 2>/dev/null; do sleep 0.05; done
    t0=$(date +%s%N)
    "$B/bin/gctrace" attach -q -o "$tmp/a.db" $pid >"$tmp/attach.out" 2>&1
    rc=$?
    t1=$(date +%s%N)
    echo go >&3
    wait $pid
    exec 3>&-
    stopped=$(sed -n 's/^stopped_ms=//p' "$tmp/out")
    total=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf("%.1f", (b - a) / 1e6) }')
    waits=$(sqlite3 "$tmp/a.db" 'SELECT count(*) FROM waits' 2>/dev/null || echo "?")
    echo "threads=$n run=$i status=$rc attach_ms=$total stopped_ms=$stopped waits=$waits"
    echo "$total" >>"$tmp/total"
    echo "$stopped" >>"$tmp/stopped"
done
echo "| $n threads | $(median <"$tmp/total") ms | $(median <"$tmp/stopped") ms |"
