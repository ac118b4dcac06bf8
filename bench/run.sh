#!/bin/sh
# bench/run.sh - runs the benchmarks built by `make` and prints Markdown
# tables (bench/README.md explains how to read them).
#
# Usage: bench/run.sh BUILD_DIR        (`make bench` calls this after building)
#
# Environment:
#   BENCH_RUNS=5          runs per cell; the table shows median and min-max
#   BENCH_SCALE=100       percent of the default item counts (smoke: 5)
#   BENCH_SECTIONS=chan   which sections to run, in order (space-separated)
#   BENCH_NO_GO=1         skip the Go column
#
# Each section is one function, section_NAME, that prints its own table;
# a new section (e.g. the shim's overhead) is a new function plus its name
# in the default BENCH_SECTIONS.  Raw key=value lines from every program go
# to BUILD_DIR/bench/NAME.log.  Exit status: 1 when any benchmark program
# failed (crashed, or its self-check found a lost or duplicated item).

# shellcheck disable=SC2317  # sections run through "section_$s"
set -u

build=${1:-build}
runs=${BENCH_RUNS:-5}
scale=${BENCH_SCALE:-100}
sections=${BENCH_SECTIONS:-chan}
status=0

if [ ! -d "$build/bench" ]; then
    echo "bench/run.sh: $build/bench not found; run make first" >&2
    exit 1
fi
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$build" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gocbench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------- helpers

# stats FILE: "median min max" of the numbers in FILE, one per line;
# nothing when FILE is missing or empty.
stats() {
    [ -s "$1" ] || return 0
    sort -g "$1" | awk '{ v[NR] = $1 }
        END {
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            print m, v[1], v[NR]
        }'
}

# fmt_ns NS: a number of nanoseconds, one decimal below 100.
fmt_ns() {
    awk -v x="$1" 'BEGIN { printf((x < 100) ? "%.1f" : "%.0f", x) }'
}

# cell FILE: "median (min-max)" or "-" for a table cell.
cell() {
    # shellcheck disable=SC2046  # split into median, min, max
    set -- $(stats "$1")
    if [ $# -eq 3 ]; then
        echo "$(fmt_ns "$1") ($(fmt_ns "$2")-$(fmt_ns "$3"))"
    else
        echo "-"
    fi
}

# ratio FILE_NUM FILE_DEN: median(NUM)/median(DEN) as "1.23x", or "-".
ratio() {
    set -- "$(stats "$1" | cut -d' ' -f1)" "$(stats "$2" | cut -d' ' -f1)"
    if [ -n "$1" ] && [ -n "$2" ]; then
        awk -v a="$1" -v b="$2" 'BEGIN { printf("%.2fx", a / b) }'
    else
        echo "-"
    fi
}

# measure LOG OUT CMD...: runs CMD once, appends its output line to LOG and
# its ns_per_op to OUT.  A failure is reported and remembered in $status.
measure() {
    m_log=$1 m_out=$2
    shift 2
    if line=$("$@" 2>"$tmp/stderr"); then
        echo "$line" >>"$m_log"
        echo "$line" | tr ' ' '\n' | sed -n 's/^ns_per_op=//p' >>"$m_out"
    else
        echo "bench/run.sh: FAILED: $* ($(head -c 300 "$tmp/stderr"))" >&2
        echo "FAILED $*" >>"$m_log"
        status=1
    fi
}

# loadavg: the 1-minute load average, or "?".
loadavg() {
    cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?"
}

# scaled N: N * BENCH_SCALE / 100, at least 1.
scaled() {
    n=$(($1 * scale / 100))
    [ "$n" -ge 1 ] || n=1
    echo "$n"
}

# go_setup: builds bench/go/chan_bench.go into $go_bin, installing Debian's
# golang-go first when go is missing and we are root.  Leaves go_bin empty
# and go_note set when there is no Go column.
go_bin=
go_note=
go_setup() {
    if [ -n "${BENCH_NO_GO:-}" ]; then
        go_note="Go column skipped (BENCH_NO_GO set)"
        return
    fi
    if ! command -v go >/dev/null 2>&1; then
        if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "bench/run.sh: go not found; installing golang-go" >&2
            if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
                    golang-go >"$tmp/apt.log" 2>&1; then
                apt-get update -q >>"$tmp/apt.log" 2>&1
                DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
                    golang-go >>"$tmp/apt.log" 2>&1
            fi
        fi
        if ! command -v go >/dev/null 2>&1; then
            go_note="Go column skipped: go not found (install golang-go)"
            return
        fi
    fi
    # No modules, no network: one file, the local toolchain only.  Go wants
    # a writable cache; use the build tree's when HOME has none.
    export GOTOOLCHAIN=local GOFLAGS='' GO111MODULE=auto
    cache=$(go env GOCACHE 2>/dev/null)
    if [ -z "$cache" ] || ! mkdir -p "$cache" 2>/dev/null \
            || [ ! -w "$cache" ]; then
        export GOCACHE="$build/bench/go-cache" GOPATH="$build/bench/go-path"
    fi
    src=$here/go/chan_bench.go
    go_bin=$build/bench/chan_bench_go
    if [ ! -x "$go_bin" ] || [ -n "$(find "$src" -newer "$go_bin")" ]; then
        if ! (cd "$tmp" && go build -o "$go_bin" "$src") \
                >"$tmp/go.log" 2>&1; then
            go_note="Go column skipped: go build failed:"
            go_note="$go_note $(head -c 300 "$tmp/go.log")"
            go_bin=
            return
        fi
    fi
    go_note="Go: $(go version | sed 's/^go version //'),"
    go_note="$go_note GOMAXPROCS default ($(nproc) CPUs)"
}

# ------------------------------------------------------------- sections

# chan_items IMPL MODE: the item count for one run, chosen so that a run
# takes about 0.2-0.5 s on a 2-core machine.  Counts differ between
# implementations because their speeds do (an unbuffered round trip
# between two OS threads costs tens of microseconds of futex wake-ups, one
# between goroutines a few hundred nanoseconds); ns per op does not depend
# on the count.
chan_items() {
    case "$1:$2" in
    go:pingpong)     scaled 1000000 ;;
    *:pingpong)      scaled 20000 ;;
    go:buf1x1)       scaled 4000000 ;;
    *:buf1x1)        scaled 2000000 ;;
    go:buf4x4)       scaled 4000000 ;;
    *:buf4x4)        scaled 500000 ;;
    go:select4)      scaled 2000000 ;;
    *:select4)       scaled 1000000 ;;
    esac
}

# The channel section: four workloads x three implementations, runs
# interleaved (run 1 of every cell, then run 2, ...) so that a slow spell
# of the machine spreads over all cells instead of spoiling one.
section_chan() {
    modes="pingpong buf1x1 buf4x4 select4"
    log=$build/bench/chan.log
    : >"$log"
    go_setup
    impls="libgoc queue"
    [ -n "$go_bin" ] && impls="$impls go"

    load_before=$(loadavg)
    echo "bench/run.sh: channel throughput, $runs runs per cell..." >&2
    i=1
    while [ "$i" -le "$runs" ]; do
        for mode in $modes; do
            for impl in $impls; do
                case $impl in
                libgoc) prog=$build/bench/chan_bench ;;
                queue)  prog=$build/bench/queue_bench ;;
                go)     prog=$go_bin ;;
                esac
                measure "$log" "$tmp/chan.$impl.$mode" \
                    "$prog" "$mode" "$(chan_items "$impl" "$mode")"
            done
        done
        i=$((i + 1))
    done

    echo
    echo "### Channel throughput"
    echo
    echo "ns per op, median of $runs runs (min-max); lower is better." \
         "\"vs\" columns: libgoc's throughput relative to the other" \
         "(above 1.00x: libgoc is faster)."
    echo
    echo "| workload | libgoc | mutex+cond queue | Go" \
         "| libgoc vs queue | libgoc vs Go |"
    echo "|---|--:|--:|--:|--:|--:|"
    for mode in $modes; do
        q=$(cell "$tmp/chan.queue.$mode")
        [ "$mode" = select4 ] && [ "$q" != "-" ] && q="$q (*)"
        echo "| $mode | $(cell "$tmp/chan.libgoc.$mode") | $q" \
             "| $(cell "$tmp/chan.go.$mode")" \
             "| $(ratio "$tmp/chan.queue.$mode" "$tmp/chan.libgoc.$mode")" \
             "| $(ratio "$tmp/chan.go.$mode" "$tmp/chan.libgoc.$mode") |"
    done
    echo
    echo "pingpong: one op is a round trip (two unbuffered transfers)." \
         "Buffered channels and queues hold 128 items of 8 bytes."
    echo "(*) The queue has no select: select4 on it approximates one," \
         "four rings under one mutex with one shared \"not empty\" condvar."
    echo "$go_note."
    echo "Load average before/after: $load_before / $(loadavg)" \
         "on $(nproc) CPUs (numbers are trustworthy only on an idle machine)."

    # The goal from the issue: on buffered rows, libgoc at least matches
    # the queue and reaches half of Go's throughput.
    verdict=
    for mode in buf1x1 buf4x4; do
        vq=$(ratio "$tmp/chan.queue.$mode" "$tmp/chan.libgoc.$mode")
        vg=$(ratio "$tmp/chan.go.$mode" "$tmp/chan.libgoc.$mode")
        ok=$(awk -v q="${vq%x}" -v g="${vg%x}" 'BEGIN {
            r = (q == "-" || q + 0 >= 1.0) && (g == "-" || g + 0 >= 0.5)
            print r ? "met" : "MISSED" }')
        verdict="$verdict $mode $ok;"
    done
    echo "Goal (buffered: libgoc >= 1.00x queue and >= 0.50x Go):${verdict%;}."
    echo "Raw lines: $log"
}

# ------------------------------------------------------------- main

for s in $sections; do
    if command -v "section_$s" >/dev/null 2>&1; then
        "section_$s"
    else
        echo "bench/run.sh: unknown section '$s'" >&2
        status=1
    fi
done
exit "$status"
