#!/bin/sh
# bench/run.sh - runs the benchmarks built by `make` and prints Markdown
# tables (bench/README.md explains how to read them).
#
# Usage: bench/run.sh BUILD_DIR        (`make bench` calls this after building)
#
# Environment:
#   BENCH_RUNS=5          runs per cell; the table shows median and min-max
#   BENCH_SCALE=100       percent of the default item counts (smoke: 5)
#   BENCH_SECTIONS="wholerun chan shim view graph attach"  which sections to run, in order
#   BENCH_ROWS="..."      the wholerun section's rows (default: all of them;
#                         names in bench/wholerun.sh, e.g. "locknested cond")
#   BENCH_VG_RUNS=3       runs per valgrind cell in the shim section
#   BENCH_SHIM_MB=24      size of the shim section's generated input (MB)
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
sections=${BENCH_SECTIONS:-wholerun chan shim view graph attach}
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

# paired FILE_NUM FILE_DEN: the median of the rounds' own ratios (line i
# of NUM over line i of DEN, both taken in round i) with their min-max, as
# "1.23x (1.10-1.40)", or "-".  Less moved than the ratio of medians by a
# guest whose speed drifts between rounds: each ratio's two runs were
# back to back.
paired() {
    if [ -s "$1" ] && [ -s "$2" ] &&
        [ "$(wc -l <"$1")" -eq "$(wc -l <"$2")" ]; then
        paste "$1" "$2" | awk '$2 > 0 { print $1 / $2 }' >"$tmp/paired"
        # shellcheck disable=SC2046  # split into median, min, max
        set -- $(stats "$tmp/paired")
        [ $# -eq 3 ] &&
            awk -v m="$1" -v a="$2" -v b="$3" \
                'BEGIN { printf("%.2fx (%.2f-%.2f)", m, a, b) }' && return
    fi
    echo "-"
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

# ------------------------------------------------------------- shim

# The shim section measures what gctrace's recorder (libgctrace.so) costs
# next to a native run, ThreadSanitizer, Helgrind and DRD, on the same
# programs in the same run.  Cells are ns per op for the microbenchmarks
# and ms per MB of input for the real programs; bench/README.md explains
# the choices (item counts, reduced sizes for the slow tools).

shim_lib=
shim_dir=

# shim_fresh OUT SRC...: true when OUT exists and no SRC is newer.
shim_fresh() {
    s_out=$1
    shift
    [ -x "$s_out" ] && [ -z "$(find "$@" -newer "$s_out" 2>/dev/null)" ]
}

# shim_cc OUT CC CFLAGS SRC...: compiles one extra benchmark binary unless
# it is up to date; a failure is a note, not an error (its cells show "-").
shim_cc() {
    c_out=$1 c_cc=$2 c_flags=$3
    shift 3
    shim_fresh "$c_out" "$@" && return 0
    # shellcheck disable=SC2086  # c_flags is a list of flags
    if ! "$c_cc" -std=c11 -O2 -g -D_GNU_SOURCE $c_flags -I"$here/../include" \
            -o "$c_out" "$@" -lpthread -ldl >"$tmp/cc.log" 2>&1; then
        echo "bench/run.sh: could not build $c_out:" \
             "$(head -c 300 "$tmp/cc.log")" >&2
        rm -f "$c_out"
    fi
}

# shim_setup: the extra builds: chan_bench against the instrumented libgoc,
# and gcc and clang -fsanitize=thread builds of the microbenchmarks (for
# chan_bench, of libgoc's sources too).
shim_setup() {
    shim_lib=$build/lib/libgctrace.so
    shim_dir=$build/bench/shim
    mkdir -p "$shim_dir"
    shim_cc "$shim_dir/chan_bench_trace" cc "" "$here/chan_bench.c" \
        "$build/lib/libgoc_trace.a"
    for c in gcc clang; do
        command -v "$c" >/dev/null 2>&1 || continue
        for p in lock_bench cond_bench spawn_bench; do
            shim_cc "$shim_dir/$p.tsan-$c" "$c" "-fsanitize=thread" \
                "$here/$p.c"
        done
        shim_cc "$shim_dir/chan_bench.tsan-$c" "$c" \
            "-fsanitize=thread -I$here/../common" "$here/chan_bench.c" \
            "$here"/../lib/*.c
    done
}

# shim_count ROW KIND: items for one run of ROW.  KIND full: native, and
# gctrace default and record=all (about 0.2 s natively); tsan; vg:
# Helgrind and DRD.  The slow tools get smaller counts so that the
# section stays within a few minutes; cells are per op, so they compare.
# record=all runs the native count too: at a tenth of it, as when its raw
# log took 80 bytes an op, a run lasted 20-30 ms and the start-up of each
# thread's log weighed on the cell (nested 3.81x at 100,000 ops a
# thread, 3.05-3.22x at 2,000,000).
shim_count() {
    case "$1:$2" in
    lockflat:full)    scaled 2000000 ;;
    lockflat:tsan)    scaled 200000 ;;
    lockflat:vg)      scaled 10000 ;;
    locknested:full)  scaled 1000000 ;;
    locknested:tsan)  scaled 100000 ;;
    locknested:vg)    scaled 5000 ;;
    cond:full)        scaled 1000000 ;;
    cond:tsan)        scaled 200000 ;;
    cond:vg)          scaled 20000 ;;
    spawn:full)       scaled 5000 ;;
    spawn:tsan)       scaled 2000 ;;
    spawn:vg)         scaled 300 ;;
    chanbuf:full)     scaled 2000000 ;;
    chanbuf:tsan)     scaled 200000 ;;
    chanbuf:vg)       scaled 20000 ;;
    chanpp:full)      scaled 100000 ;;
    chanpp:tsan)      scaled 5000 ;;
    chanpp:vg)        scaled 1000 ;;
    *:all)            shim_count "$1" full ;;
    esac
}

# shim_prog ROW COL: the program and arguments (without the count) that
# column COL runs for ROW.  The channel rows compare chan_bench linked
# against the instrumented libgoc (under the shim) with the plain build.
shim_prog() {
    case $1 in
    lockflat)   p=lock_bench a=flat ;;
    locknested) p=lock_bench a=nested ;;
    cond)       p=cond_bench a= ;;
    spawn)      p=spawn_bench a= ;;
    chanbuf)    p=chan_bench a=buf1x1 ;;
    chanpp)     p=chan_bench a=pingpong ;;
    esac
    case $2 in
    gct|all)
        if [ "$p" = chan_bench ]; then
            echo "$shim_dir/chan_bench_trace $a"
        else
            echo "$build/bench/$p $a"
        fi ;;
    tsang) echo "$shim_dir/$p.tsan-gcc $a" ;;
    tsanc) echo "$shim_dir/$p.tsan-clang $a" ;;
    *)     echo "$build/bench/$p $a" ;;
    esac
}

# shim_micro ROW COL: one run of a microbenchmark cell.
shim_micro() {
    r_row=$1 r_col=$2
    # shellcheck disable=SC2046  # program and mode
    set -- $(shim_prog "$r_row" "$r_col")
    [ -x "$1" ] || return 0
    out=$tmp/shim.$r_row.$r_col
    case $r_col in
    native) measure "$log" "$out" "$@" "$(shim_count "$r_row" full)" ;;
    gct)    measure "$log" "$out" env LD_PRELOAD="$shim_lib" \
                GCTRACE_OUT="$tmp/t.db" GCTRACE_OPTIONS=report=0:exitcode=0 \
                "$@" "$(shim_count "$r_row" full)" ;;
    # finish=0: the timed loop is the same, and turning millions of events
    # into sqlite after it would only lengthen the section (the writer's
    # throughput is measured once, below the table).
    all)    measure "$log" "$out" env LD_PRELOAD="$shim_lib" \
                GCTRACE_OUT="$tmp/t.db" \
                GCTRACE_OPTIONS=report=0:exitcode=0:record=all:finish=0 \
                "$@" "$(shim_count "$r_row" all)" ;;
    tsang|tsanc)
            measure "$log" "$out" env TSAN_OPTIONS=report_bugs=0 \
                "$@" "$(shim_count "$r_row" tsan)" ;;
    hg)     measure "$log" "$out" valgrind -q --tool=helgrind \
                "$@" "$(shim_count "$r_row" vg)" ;;
    drd)    measure "$log" "$out" valgrind -q --tool=drd \
                "$@" "$(shim_count "$r_row" vg)" ;;
    esac
    rm -f "$tmp/t.db" "$tmp/t.db".*
}

# shim_corpus: a generated, compressible text (web-server log lines from a
# seeded awk rand(), about 5:1 for gzip) of BENCH_SHIM_MB megabytes
# (scaled), kept in the build tree; plus its first 1/32 for valgrind.
shim_corpus() {
    mb=$(scaled "${BENCH_SHIM_MB:-24}")
    corpus=$build/bench/corpus-${mb}M.txt
    corpus_mb=$mb
    if [ ! -s "$corpus" ]; then
        echo "bench/run.sh: generating $corpus" >&2
        awk -v n=$((mb * 1048576)) 'BEGIN {
            srand(42)
            split("GET POST PUT DELETE", m, " ")
            split("items users orders carts search login logout static", p, " ")
            split("200 200 200 200 304 404 500", st, " ")
            s = 0; t = 0
            while (s < n) {
                t += int(rand() * 3)
                line = sprintf("2024-03-%02d %02d:%02d:%02d host%d app[%d]: " \
                    "%s /api/v1/%s/%d status=%s bytes=%d ms=%d",
                    1 + int(t / 86400) % 28, int(t / 3600) % 24,
                    int(t / 60) % 60, t % 60, int(rand() * 8),
                    1000 + int(rand() * 50), m[1 + int(rand() * 4)],
                    p[1 + int(rand() * 8)], int(rand() * 100000),
                    st[1 + int(rand() * 7)], int(rand() * 65536),
                    int(rand() * 900))
                print line
                s += length(line) + 1
            }
        }' >"$corpus.tmp" && mv "$corpus.tmp" "$corpus"
    fi
    corpus_vg=$tmp/corpus-small.txt
    head -c $((mb * 1048576 / 32)) "$corpus" >"$corpus_vg"
    corpus_vg_mb=$(awk -v m="$mb" 'BEGIN { print m / 32 }')
}

# shim_real_cmd ROW: the real program's command line without the file.
shim_real_cmd() {
    case $1 in
    pigz) echo "pigz -p 2 -c" ;;
    xz)   echo "xz -T2 -1 -c" ;;
    zstd) echo "zstd -T2 -q -c" ;;
    esac
}

# shim_real ROW COL: one run of a real program on the corpus; appends its
# wall time in ms per MB of input.
shim_real() {
    r_row=$1 r_col=$2
    # shellcheck disable=SC2046  # the command line
    set -- $(shim_real_cmd "$r_row")
    command -v "$1" >/dev/null 2>&1 || return 0
    f=$corpus m=$corpus_mb pre= opts=
    case $r_col in
    native) ;;
    gct) pre=$shim_lib opts=report=0:exitcode=0 ;;
    all) pre=$shim_lib opts=report=0:exitcode=0:record=all ;;
    hg)  set -- valgrind -q --tool=helgrind "$@"; f=$corpus_vg m=$corpus_vg_mb ;;
    drd) set -- valgrind -q --tool=drd "$@"; f=$corpus_vg m=$corpus_vg_mb ;;
    *)   return 0 ;;
    esac
    # The variables go on the command itself, as a user sets them, for
    # every column alike (empty ones do nothing): through env(1), the
    # recorder's columns paid one more exec, 2.7 ms here, than native.
    t0=$(date +%s%N)
    if LD_PRELOAD=$pre GCTRACE_OUT="$tmp/t.db" GCTRACE_OPTIONS=$opts \
        "$@" "$f" >/dev/null 2>"$tmp/stderr"; then
        t1=$(date +%s%N)
        awk -v t=$((t1 - t0)) -v m="$m" 'BEGIN { print t / 1e6 / m }' \
            >>"$tmp/shim.$r_row.$r_col"
        echo "bench=real prog=$r_row col=$r_col mb=$m ns=$((t1 - t0))" >>"$log"
    else
        echo "bench/run.sh: FAILED: $* $f ($(head -c 300 "$tmp/stderr"))" >&2
        echo "FAILED $* $f" >>"$log"
        status=1
    fi
    rm -f "$tmp/t.db" "$tmp/t.db".*
}

# shim_pkg CMD PACKAGE: installs PACKAGE from Debian when CMD is missing
# and we are root; otherwise the rows that need it show "-".
shim_pkg() {
    command -v "$1" >/dev/null 2>&1 && return 0
    [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1 || return 0
    echo "bench/run.sh: $1 not found; installing $2" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" \
        >"$tmp/apt.log" 2>&1 || {
        apt-get update -q >>"$tmp/apt.log" 2>&1
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" \
            >>"$tmp/apt.log" 2>&1
    }
}

# shim_cell ROW COL: "median (min-max) RATIOx" against the native column.
shim_cell() {
    c=$(cell "$tmp/shim.$1.$2")
    if [ "$c" != "-" ] && [ "$2" != native ]; then
        c="$c, $(ratio "$tmp/shim.$1.$2" "$tmp/shim.$1.native")"
    fi
    echo "$c"
}

# shim_ratio ROW A B: median(A)/median(B) as a bare number, or "-".
shim_ratio() {
    r=$(ratio "$tmp/shim.$1.$2" "$tmp/shim.$1.$3")
    echo "${r%x}"
}

# shim_goal TEXT VALUE OP LIMIT: one "met"/"MISSED" line of the verdict.
shim_goal() {
    awk -v t="$1" -v v="$2" -v op="$3" -v l="$4" 'BEGIN {
        if (v == "-" || v == "") { printf("- %s: not measured\n", t); exit }
        ok = (op == "<=") ? (v + 0 <= l + 0) : (v + 0 >= l + 0)
        printf("- %s: %.2f (target %s %s) %s\n", t, v, op, l,
               ok ? "met" : "MISSED")
    }'
}

# shim_extra: trace bytes per event, writer throughput and peak RSS, on
# lock_bench flat (bytes and throughput on a tenth of its count: 800,000
# records, about 2 s to finish).
shim_extra() {
    n=$(( $(shim_count lockflat full) / 10 ))
    env LD_PRELOAD="$shim_lib" GCTRACE_OUT="$tmp/x.db" \
        GCTRACE_OPTIONS=report=0:exitcode=0:record=all:finish=0 \
        "$build/bench/lock_bench" flat "$n" >>"$log" 2>&1
    raw=$(stat -c %s "$tmp/x.db.raw" 2>/dev/null || echo 0)
    t0=$(date +%s%N)
    "$build/bin/gctrace" finish "$tmp/x.db" >/dev/null 2>&1
    t1=$(date +%s%N)
    db=$(stat -c %s "$tmp/x.db" 2>/dev/null || echo 0)
    recs=$(sqlite3 "$tmp/x.db" \
        "SELECT value FROM meta WHERE key = 'records'" 2>/dev/null)
    evs=$(sqlite3 "$tmp/x.db" "SELECT count(*) FROM events" 2>/dev/null)
    rm -f "$tmp/x.db" "$tmp/x.db".*
    awk -v raw="$raw" -v db="$db" -v r="${recs:-0}" -v e="${evs:-0}" \
        -v ns=$((t1 - t0)) -v n="$n" 'BEGIN {
        if (r == 0 || e == 0) { print "- trace size: not measured"; exit }
        printf("- trace size, record=all, lock flat %d ops/thread:" \
               " raw log %.1f MB / %d records = %.1f bytes per record;" \
               " trace %.1f MB / %d events = %.1f bytes per event\n",
               n, raw / 1e6, r, raw / r, db / 1e6, e, db / e)
        printf("- writer (gctrace finish): %d records in %.2f s =" \
               " %.2f M records/s\n", r, ns / 1e9, r / (ns / 1e9) / 1e6)
    }'
    # Peak RSS on a long run: 10x the usual count natively and by default,
    # the usual record=all count (10x would take a minute).
    if [ -x /usr/bin/time ]; then
        big=$(( $(shim_count lockflat full) * 10 ))
        for m in native default all; do
            case $m in
            native)  set -- ;;
            default) set -- env LD_PRELOAD="$shim_lib" GCTRACE_OUT="$tmp/x.db" \
                         GCTRACE_OPTIONS=report=0:exitcode=0 ;;
            all)     set -- env LD_PRELOAD="$shim_lib" GCTRACE_OUT="$tmp/x.db" \
                         GCTRACE_OPTIONS=report=0:exitcode=0:record=all:finish=0 ;;
            esac
            k=$big
            [ "$m" = all ] && k=$(( $(shim_count lockflat full) ))
            /usr/bin/time -f "%M" -o "$tmp/rss.$m" "$@" \
                "$build/bench/lock_bench" flat "$k" >>"$log" 2>&1
            eval "rss_$m=\"\$(tail -n1 \"\$tmp/rss.\$m\") KB ($k ops/thread)\""
            rm -f "$tmp/x.db" "$tmp/x.db".*
        done
        # shellcheck disable=SC2154  # set by the eval above
        echo "- peak RSS (VmHWM), lock flat: native $rss_native;" \
             "gctrace default $rss_default (the program with the recorder:" \
             "the helper that finishes the trace is not its child);" \
             "gctrace record=all, finish=0 $rss_all"
    fi
}

# shim_plot: the table's ratios to native as a bar chart, one group of
# bars per workload, on a log scale: BUILD_DIR/bench/shim.png (gnuplot,
# installed from Debian when missing), its data in shim.dat.
shim_plot() {
    shim_pkg gnuplot gnuplot-nox
    dat=$build/bench/shim.dat
    png=$build/bench/shim.png
    {
        echo "workload default all tsan_gcc tsan_clang helgrind drd"
        for row in $micro $real; do
            line="$row"
            for col in gct all tsang tsanc hg drd; do
                r=$(shim_ratio "$row" "$col" native)
                line="$line ${r:--}"
            done
            echo "$line"
        done
    } >"$dat"
    if ! command -v gnuplot >/dev/null 2>&1; then
        echo "- plot: gnuplot not found (install gnuplot-nox); data in $dat"
        return 0
    fi
    if ! gnuplot >"$tmp/gnuplot.log" 2>&1 <<PLOT
set terminal pngcairo size 1100,560 noenhanced font ",10"
set output "$png"
set title "gctrace against native runs and peers (ratio to native, lower is better; $(date +%Y-%m-%d), $(nproc) CPUs)"
set datafile missing "-"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set logscale y
set yrange [0.5:*]
set ytics (1, 2, 3, 5, 10, 30, 100, 300, 1000)
set grid ytics
set key top left
set xtics rotate by -20
plot "$dat" using 2:xtic(1) title columnhead, '' using 3 title columnhead, \\
     '' using 4 title columnhead, '' using 5 title columnhead, \\
     '' using 6 title columnhead, '' using 7 title columnhead
PLOT
    then
        echo "- plot: gnuplot failed: $(head -n 3 "$tmp/gnuplot.log")"
        return 0
    fi
    echo "- plot: $png (data: $dat)"
}

section_shim() {
    log=$build/bench/shim.log
    : >"$log"
    vruns=${BENCH_VG_RUNS:-3}
    [ "$vruns" -le "$runs" ] || vruns=$runs
    shim_setup
    shim_pkg valgrind valgrind
    shim_pkg pigz pigz
    shim_pkg zstd zstd
    shim_corpus
    micro="lockflat locknested cond spawn chanbuf chanpp"
    real="pigz xz zstd"
    cols="native gct all tsang tsanc"
    vg=
    command -v valgrind >/dev/null 2>&1 && vg="hg drd"

    load_before=$(loadavg)
    echo "bench/run.sh: shim overhead, $runs runs per cell" \
         "($vruns under valgrind)..." >&2
    i=1
    while [ "$i" -le "$runs" ]; do
        for row in $micro; do
            for col in $cols; do
                shim_micro "$row" "$col"
            done
            if [ "$i" -le "$vruns" ]; then
                for col in $vg; do
                    shim_micro "$row" "$col"
                done
            fi
        done
        for row in $real; do
            for col in native gct all; do
                shim_real "$row" "$col"
            done
            if [ "$i" -le "$vruns" ]; then
                for col in $vg; do
                    shim_real "$row" "$col"
                done
            fi
        done
        i=$((i + 1))
    done

    echo
    echo "### gctrace's recorder against native runs and peers"
    echo
    echo "Median of $runs runs (valgrind: $vruns) with min-max, then the" \
         "ratio of medians to native (lower is better)."
    echo
    echo "| workload | unit | native | gctrace default | gctrace all" \
         "| TSan gcc | TSan clang | Helgrind | DRD |"
    echo "|---|---|--:|--:|--:|--:|--:|--:|--:|"
    for row in $micro $real; do
        case $row in
        lockflat)   name="lock flat" unit=ns/op ;;
        locknested) name="lock nested" unit=ns/op ;;
        cond)       name="condvar queue" unit=ns/item ;;
        spawn)      name="thread spawn" unit="ns/create+join" ;;
        chanbuf)    name="libgoc buf1x1 (instr. vs plain)" unit=ns/item ;;
        chanpp)     name="libgoc pingpong (instr. vs plain)" unit=ns/round-trip ;;
        pigz)       name="pigz -p 2" unit=ms/MB ;;
        xz)         name="xz -T2 -1" unit=ms/MB ;;
        zstd)       name="zstd -T2" unit=ms/MB ;;
        esac
        line="| $name | $unit"
        for col in native gct all tsang tsanc hg drd; do
            case $row:$col in
            pigz:tsan? | xz:tsan? | zstd:tsan?) line="$line | n/a" ;;
            *) line="$line | $(shim_cell "$row" "$col")" ;;
            esac
        done
        echo "$line |"
    done
    echo
    echo "Counts per run (BENCH_SCALE=$scale): full (native, default)," \
         "record=all, TSan, valgrind:" \
         "$(for r in $micro; do
                printf '%s %s/%s/%s/%s; ' "$r" "$(shim_count "$r" full)" \
                    "$(shim_count "$r" all)" "$(shim_count "$r" tsan)" \
                    "$(shim_count "$r" vg)"
            done)" \
         "lock counts are per thread.  Real programs: ${corpus_mb} MB of" \
         "generated log text, valgrind on its first ${corpus_vg_mb} MB" \
         "(one block for xz, which then runs one compressing thread)."
    echo "gctrace default: GCTRACE_OPTIONS=report=0:exitcode=0 (the trace" \
         "is finished at exit, inside the real programs' wall time);" \
         "gctrace all: record=all, finish=0 for the microbenchmarks."
    echo
    echo "Targets (issue 6):"
    shim_goal "lock flat, default" "$(shim_ratio lockflat gct native)" "<=" 1.3
    shim_goal "lock flat, record=all" "$(shim_ratio lockflat all native)" "<=" 3
    shim_goal "lock nested, default" "$(shim_ratio locknested gct native)" "<=" 1.3
    shim_goal "lock nested, record=all" "$(shim_ratio locknested all native)" "<=" 3
    shim_goal "condvar queue, default" "$(shim_ratio cond gct native)" "<=" 1.1
    shim_goal "thread spawn, default" "$(shim_ratio spawn gct native)" "<=" 1.5
    shim_goal "libgoc buf1x1, default" "$(shim_ratio chanbuf gct native)" "<=" 1.5
    shim_goal "libgoc pingpong, default" "$(shim_ratio chanpp gct native)" "<=" 1.2
    for row in $real; do
        shim_goal "$row, default" "$(shim_ratio "$row" gct native)" "<=" 1.03
    done
    for row in lockflat locknested; do
        shim_goal "$row, TSan gcc / gctrace" "$(shim_ratio "$row" tsang gct)" ">=" 10
        shim_goal "$row, TSan clang / gctrace" "$(shim_ratio "$row" tsanc gct)" ">=" 10
    done
    for row in lockflat locknested $real; do
        shim_goal "$row, Helgrind / gctrace" "$(shim_ratio "$row" hg gct)" ">=" 50
    done
    echo
    echo "Resources:"
    shim_extra
    shim_plot
    echo
    echo "Load average before/after: $load_before / $(loadavg)" \
         "on $(nproc) CPUs (numbers are trustworthy only on an idle machine)."
    echo "Raw lines: $log"
}

# The view section: time to the first screen of `gctrace view` and the
# time of `gctrace check` on a generated 10-million-event trace
# (bench/view_open.sh does the work; VIEW_EVENTS changes the size).
section_view() {
    log=$build/bench/view.log
    VIEW_RUNS=$runs sh "$here/view_open.sh" "$build" >"$log" 2>&1 ||
        status=1
    echo "## gctrace view on a large trace"
    echo
    echo "| measure | best of $runs |"
    echo "|---|---|"
    for k in view_open_ms check_ms export_ms; do
        best=$(sed -n "s/^$k=\([0-9-]*\) .*/\1/p" "$log" | sort -n |
               head -n 1)
        echo "| $k | ${best:--} |"
    done
    last=$(grep '^export_ms=' "$log" | tail -n 1)
    echo "| export size, bytes | $(echo "$last" | sed -n 's/.*bytes=\([0-9]*\).*/\1/p') |"
    echo "| export peak RSS, KB | $(echo "$last" | sed -n 's/.*peak_rss_kb=\([0-9-]*\).*/\1/p') |"
    echo
    grep '^view_open:' "$log" | tail -n 1
    echo "Raw lines: $log"
    echo
}

# The graph section: finishing and checking a trace of 10,000 locks and
# 1,000,000 lock-order edges, and `gctrace run` on 1,240 nested locks
# (bench/lock_graph.sh does the work and prints the verdict).
section_graph() {
    log=$build/bench/graph.log
    GRAPH_RUNS=$runs sh "$here/lock_graph.sh" "$build" >"$log" 2>&1 ||
        status=1
    echo "## The lock-order analysis at scale"
    echo
    sed -n '/^lock_graph: /,$p' "$log"
    echo "Raw lines: $log"
    echo
}

# gctrace attach on a process of 1,000 threads (bench/attach.sh).
section_attach() {
    log=$build/bench/attach.log
    ATTACH_RUNS=$runs sh "$here/attach.sh" "$build" 1000 >"$log" 2>&1 ||
        status=1
    grep -q 'status=[^0]' "$log" && status=1
    echo "## gctrace attach"
    echo
    echo "| process | attach, whole command | process stopped |"
    echo "|---|---|---|"
    tail -n 1 "$log"
    echo
    echo "Medians of $runs runs.  Raw lines: $log"
    echo
}

# The headline section, the whole run (bench/wholerun.sh).
. "$here/wholerun.sh"

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
