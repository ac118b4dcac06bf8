# bench/wholerun.sh - the headline: the whole `gctrace run`, as the user
# waits for it (start-up, the program, finishing the trace, the report),
# timed from outside, against the same program run natively in the same
# rounds.  Sourced by run.sh, whose helpers (stats, scaled, shim_corpus)
# it uses; section "wholerun".
#
# Each round runs every workload natively and then under
# `gctrace run -o T --` (default options; exitcode=0 so that a finding
# is not mistaken for a failure), back to back, so that the machine's
# slow and fast minutes fall on both alike.  As a user runs it: with its
# report, and over the trace its previous round left at T (a program's
# default trace is replaced by its next run; T is the row's own).  A
# cell is the median wall time of BENCH_RUNS rounds, with min-max; the
# ratio is of the medians, the paired ratio the median of each round's
# own.

# whole_ms CMD...: runs CMD, prints its wall time in ms, timed by
# bench/walltime.c around the process alone (the shell's own forks stay
# out of it).
whole_ms() {
    ms=$("$build/bench/walltime" "$tmp/whole.err" "$@")
    rc=$?
    if [ "$rc" -ge 128 ] || [ "$rc" -eq 127 ]; then
        echo "bench/run.sh: wholerun: '$*' failed ($rc): $(head -c 300 "$tmp/whole.err")" >&2
        status=1
        return 1
    fi
    echo "$ms"
}

# The system's python3: a python3 found first on PATH may be a version
# manager's shim, a script that starts several processes before python.
py=/usr/bin/python3
[ -x "$py" ] || py=python3

# whole_cmd ROW: the program of a row, as a command line.
whole_cmd() {
    case $1 in
    locknested) echo "$build/bench/lock_bench nested $(scaled 3000000)" ;;
    lockflat)   echo "$build/bench/lock_bench flat $(scaled 2000000)" ;;
    lockall)    echo "$build/bench/lock_bench flat $(scaled 2000000)" ;;
    cond)       echo "$build/bench/cond_bench $(scaled 1500000)" ;;
    spawn)      echo "$build/bench/spawn_bench $(scaled 5000)" ;;
    short)      echo "$build/bench/short_bench" ;;
    suite)      echo "sh $tmp/suite.sh" ;;
    python)     echo "$py -c pass" ;;
    node)       echo "node -e 0" ;;
    java)       echo "java -version" ;;
    pigz)       echo "pigz -p 2 -c $corpus" ;;
    xz)         echo "xz -T2 -1 -c $corpus" ;;
    zstd)       echo "zstd -T2 -q -c $corpus" ;;
    esac
}

# whole_one CMDROW: one round of the row named by $row_name (whose
# command is CMDROW's), native then traced.
whole_one() {
    # shellcheck disable=SC2046  # the command line
    set -- $(whole_cmd "$1")
    [ "$1" = sh ] || command -v "$1" >/dev/null 2>&1 || return 0
    opts=exitcode=0
    [ "$row_name" = lockall ] && opts=exitcode=0:record=all
    case $row_name in
    perproc)
        # 50 short processes, each under its own gctrace run.
        whole_ms sh "$tmp/suite.sh" >>"$tmp/whole.perproc.native" || return 0
        whole_ms sh "$tmp/suite_each.sh" >>"$tmp/whole.perproc.gct" || return 0
        ;;
    *)
        whole_ms "$@" >>"$tmp/whole.$row_name.native" || return 0
        GCTRACE_OPTIONS=$opts whole_ms "$build/bin/gctrace" run \
            -o "$tmp/whole.$row_name.db" -- "$@" \
            >>"$tmp/whole.$row_name.gct" || return 0
        sz=$(stat -c %s "$tmp/whole.$row_name.db" 2>/dev/null || echo 0)
        echo "$sz" >"$tmp/whole.$row_name.size"
        ;;
    esac
}

section_wholerun() {
    shim_corpus
    # The test-suite rows: 50 runs of a program that starts one thread and
    # joins it, under one gctrace run (the suite) and each under its own.
    : >"$tmp/suite.sh"
    : >"$tmp/suite_each.sh"
    i=1
    while [ "$i" -le 50 ]; do
        echo "$build/bench/short_bench" >>"$tmp/suite.sh"
        echo "GCTRACE_OPTIONS=exitcode=0 $build/bin/gctrace run -o $tmp/each.db -- $build/bench/short_bench" >>"$tmp/suite_each.sh"
        i=$((i + 1))
    done
    rows=${BENCH_ROWS:-short suite perproc python node java locknested lockflat lockall cond spawn pigz xz zstd growth peers}
    echo "bench/run.sh: whole runs, $runs rounds..." >&2
    load_before=$(loadavg)
    r=1
    while [ "$r" -le "$runs" ]; do
        for row_name in $rows; do
            case $row_name in
            perproc) whole_one short ;;
            growth|peers) ;; # below
            *) whole_one "$row_name" ;;
            esac
        done
        r=$((r + 1))
    done
    rm -f "$tmp"/whole.*.db "$tmp"/whole.*.db.*
    echo
    echo "### The whole run, as the user waits for it"
    echo
    echo "Wall time of the program natively and of \`gctrace run -o T --" \
         "PROG\` (default options; lockall: record=all; with its report, over" \
         "the trace the row's previous round left), timed from outside," \
         "interleaved, median of $runs rounds with min-max (ms); the ratio" \
         "of medians; the median of each round's own ratio (its two runs" \
         "back to back) with min-max; the trace's size." \
         "$(date -u +%Y-%m-%d), $(nproc) cores, load $load_before before," \
         "$(loadavg) after."
    echo
    echo "| workload | native ms | gctrace run ms | ratio | paired ratio | trace |"
    echo "|---|--:|--:|--:|--:|--:|"
    for row_name in $rows; do
        n=$tmp/whole.$row_name.native g=$tmp/whole.$row_name.gct
        [ -s "$n" ] || continue
        case $row_name in
        short)      name="one short two-thread process" ;;
        suite)      name="50 such processes under one gctrace run" ;;
        perproc)    name="50 such processes, each under its own gctrace run" ;;
        python)     name="python3 -c pass" ;;
        node)       name="node -e 0" ;;
        java)       name="java -version" ;;
        locknested) name="lock nested, 2 threads, $(scaled 3000000) ops each" ;;
        lockflat)   name="lock flat, 2 threads, $(scaled 2000000) ops each" ;;
        lockall)    name="the same with record=all" ;;
        cond)       name="condvar queue, $(scaled 1500000) items" ;;
        spawn)      name="thread create+join, $(scaled 5000)" ;;
        *)          name="$(whole_cmd "$row_name" | sed "s|$corpus|${corpus_mb} MB|")" ;;
        esac
        size=-
        [ -s "$tmp/whole.$row_name.size" ] &&
            size=$(awk -v b="$(cat "$tmp/whole.$row_name.size")" \
                'BEGIN { printf(b < 1048576 ? "%.0f KB" : "%.1f MB", b < 1048576 ? b / 1024 : b / 1048576) }')
        echo "| $name | $(cell "$n") | $(cell "$g") | $(ratio "$g" "$n") | $(paired "$g" "$n") | $size |"
    done
    echo
    case " $rows " in *" growth "*) whole_growth ;; esac
    case " $rows " in *" peers "*) whole_peers ;; esac
}

# peer_cmd ROW: a microbenchmark at a tenth of its row's count (Helgrind
# runs it 100-200 times slower), as a command line without the program.
peer_cmd() {
    case $1 in
    locknested) echo "lock_bench nested $(scaled 300000)" ;;
    lockflat)   echo "lock_bench flat $(scaled 200000)" ;;
    cond)       echo "cond_bench $(scaled 150000)" ;;
    spawn)      echo "spawn_bench $(scaled 1000)" ;;
    esac
}

# whole_peers: the microbenchmarks' whole runs natively, under gctrace
# run, built with clang -fsanitize=thread, and under Helgrind, at a tenth
# of their rows' counts, interleaved in each round as above.
whole_peers() {
    peers_dir=$build/bench/shim
    mkdir -p "$peers_dir"
    have_tsan=
    if command -v clang >/dev/null 2>&1; then
        for p in lock_bench cond_bench spawn_bench; do
            shim_cc "$peers_dir/$p.tsan-clang" clang "-fsanitize=thread" \
                "$here/$p.c"
        done
        have_tsan=1
    fi
    have_hg=
    command -v valgrind >/dev/null 2>&1 && have_hg=1
    prow="locknested lockflat cond spawn"
    echo "bench/run.sh: peers' whole runs, $runs rounds..." >&2
    r=1
    while [ "$r" -le "$runs" ]; do
        for pr in $prow; do
            # shellcheck disable=SC2046  # the command line
            set -- $(peer_cmd "$pr")
            p=$1
            shift
            whole_ms "$build/bench/$p" "$@" >>"$tmp/peer.$pr.native"
            GCTRACE_OPTIONS=exitcode=0 whole_ms "$build/bin/gctrace" run \
                -o "$tmp/peer.$pr.db" -- "$build/bench/$p" "$@" \
                >>"$tmp/peer.$pr.gct"
            [ -n "$have_tsan" ] && [ -x "$peers_dir/$p.tsan-clang" ] &&
                TSAN_OPTIONS=report_bugs=0 whole_ms \
                    "$peers_dir/$p.tsan-clang" "$@" >>"$tmp/peer.$pr.tsan"
            [ -n "$have_hg" ] &&
                whole_ms valgrind -q --tool=helgrind "$build/bench/$p" "$@" \
                    >>"$tmp/peer.$pr.hg"
        done
        r=$((r + 1))
    done
    rm -f "$tmp"/peer.*.db "$tmp"/peer.*.db.*
    echo "### The peers' whole runs"
    echo
    echo "The microbenchmarks at a tenth of the rows above (Helgrind runs" \
         "them 100-200 times slower): wall time natively, under" \
         "\`gctrace run\`, built with \`clang -fsanitize=thread\`" \
         "(TSan) and under \`valgrind --tool=helgrind\`, interleaved," \
         "median of $runs rounds with min-max (ms) and the ratio to native."
    echo
    echo "| workload | native | gctrace run | TSan (clang) | Helgrind |"
    echo "|---|--:|--:|--:|--:|"
    for pr in $prow; do
        n=$tmp/peer.$pr.native
        line="| $(peer_cmd "$pr") | $(cell "$n")"
        for col in gct tsan hg; do
            f=$tmp/peer.$pr.$col
            if [ -s "$f" ]; then
                line="$line | $(cell "$f") $(ratio "$f" "$n")"
            else
                line="$line | -"
            fi
        done
        echo "$line |"
    done
    echo
}

# whole_growth: the nested-lock row run 1, 10 and 100 times as long, once
# each: a contended program that runs longer must not make a larger
# trace (short waits are counted per lock and call path, not written).
whole_growth() {
    echo "### The trace against the run's length"
    echo
    echo "lock nested under \`gctrace run\` (default options), once per" \
         "length: wall time, the trace's size, its waits written out and" \
         "its counted waits."
    echo
    echo "| ops per thread | gctrace run ms | trace | waits | counted |"
    echo "|--:|--:|--:|--:|--:|"
    for times in 1 10 100; do
        ops=$(( $(scaled 3000000) * times ))
        rm -f "$tmp/grow.db" "$tmp/grow.db".*
        ms=$(GCTRACE_OPTIONS=exitcode=0 whole_ms "$build/bin/gctrace" run -q \
            -o "$tmp/grow.db" -- "$build/bench/lock_bench" nested "$ops") ||
            continue
        size=$(stat -c %s "$tmp/grow.db" 2>/dev/null || echo 0)
        counts=$(sqlite3 "$tmp/grow.db" "SELECT (SELECT count(*) FROM waits)
            || ' | ' || (SELECT coalesce(sum(counted), 0) FROM wait_sites)" \
            2>/dev/null || echo "- | -")
        echo "| $ops | $ms | $(awk -v b="$size" 'BEGIN { printf("%.0f KB", b / 1024) }') | $counts |"
    done
    rm -f "$tmp/grow.db" "$tmp/grow.db".*
    echo
}
