#!/bin/sh
# bench/lock_graph.sh BUILD_DIR - the lock-order analysis at scale: how
# long finishing and checking take, and how much memory, on a trace of
# 10,000 locks and 1,000,000 distinct lock-order edges (target: 10 s and
# 1 GiB each), and how long `gctrace run` takes on a program that nests
# 1,240 locks.
#
# The traces are recorded from bench/lock_graph.c with finish=0 (the
# recording itself takes about a second), in its two modes: cycle (the
# shortest cycles cannot deadlock, a longer one can: one finding) and
# read (no cycle can, which the search knows only when its budget runs
# out).  Then, for each, `gctrace finish` on the raw
# log (which writes the trace and analyses it) and `gctrace check` on the
# trace, under /usr/bin/time: wall seconds and peak RSS (VmHWM, KB).
# Prints key=value lines, then one verdict line per measure.
#
# Environment: GRAPH_LOCKS=10000, GRAPH_EDGES=1000000, GRAPH_RUNS=1
# (the median and the largest RSS of that many runs are shown).
set -u
B=${1:?usage: $0 BUILD_DIR}
B=$(cd "$B" && pwd) || exit 1
G=$B/bin/gctrace
locks=${GRAPH_LOCKS:-10000}
edges=${GRAPH_EDGES:-1000000}
runs=${GRAPH_RUNS:-1}
[ -x /usr/bin/time ] || { echo "lock_graph: skipped (no /usr/bin/time)"; exit 0; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gctgraph.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0

# timed NAME CMD...: runs CMD, appends "seconds rss_kb" to $tmp/NAME and
# prints a key=value line.
timed() {
    t_name=$1
    shift
    /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >"$tmp/out" 2>&1
    t_rc=$?
    # the last line: time(1) puts "Command exited with ..." before it
    read -r t_s t_kb <<EOF2
$(tail -n 1 "$tmp/time")
EOF2
    echo "$t_s $t_kb" >>"$tmp/$t_name"
    echo "graph=$t_name s=$t_s peak_rss_kb=$t_kb exit=$t_rc"
}

r=1
while [ "$r" -le "$runs" ]; do
    for mode in cycle read; do
        rm -f "$tmp/t.db" "$tmp/t.db".*
        GCTRACE_OPTIONS=finish=0 LD_PRELOAD=$B/lib/libgctrace.so \
            GCTRACE_OUT=$tmp/t.db \
            "$B/bench/lock_graph" "$locks" "$edges" "$mode" >/dev/null ||
            { echo "lock_graph: $mode: recording failed" >&2; status=1; }
        timed "finish-$mode" "$G" finish "$tmp/t.db"
        n=$(sqlite3 "$tmp/t.db" "SELECT count(*) FROM lock_edges" 2>/dev/null)
        echo "graph=edges mode=$mode lock_edges=${n:-?}"
        timed "check-$mode" "$G" check "$tmp/t.db"
        echo "graph=found mode=$mode lock_order_cycle=$(grep -c \
              '^gctrace: lock_order_cycle' "$tmp/out")" \
             "$(grep -o 'inversion between [0-9]* locks' "$tmp/out")"
    done
    rm -f "$tmp/t.db" "$tmp/t.db".*
    timed nest "$G" run -q -o "$tmp/t.db" -- "$B/bench/lock_nest" 1240 ring
    r=$((r + 1))
done

# verdict NAME WHAT: the median seconds and the largest RSS of NAME's runs.
verdict() {
    sort -g "$tmp/$1" | awk -v what="$2" -v lim_s="$3" '
        { s[NR] = $1; if ($2 > kb) kb = $2 }
        END {
            m = (NR % 2) ? s[(NR + 1) / 2] : (s[NR / 2] + s[NR / 2 + 1]) / 2
            ok = (m <= lim_s && kb <= 1048576) ? "met" : "MISSED"
            printf("- %s: %.2f s, peak RSS %.0f MB (target %s s, 1024 MB) %s\n",
                   what, m, kb / 1024, lim_s, ok)
        }'
}
echo "lock_graph: $locks locks, $edges edges, $runs run(s), median:"
for mode in cycle read; do
    verdict "finish-$mode" "gctrace finish, $mode" 10
    verdict "check-$mode" "gctrace check, $mode" 10
done
verdict nest "gctrace run, lock_nest 1240 ring" 10
exit "$status"
