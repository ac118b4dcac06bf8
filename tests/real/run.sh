#!/bin/sh
# tests/real/run.sh BUILD - real thread-heavy programs from Debian under
# `gctrace run` with its DEFAULT options (`make test-real`).
#
# Each program runs natively, then as `gctrace run -q -o T -- PROG`, and
# must give:
#   - the same stdout and stderr, byte for byte, as the native run;
#   - the native exit status (so no finding that fails the run: with
#     default options a finding makes `run` exit 66);
#   - a trace that opens and shows that the program really ran its
#     threads (or processes);
#   - `gctrace check` exit 0 on that trace.
# Whatever `check` finds is printed after each program, passed or not.
# docs/real-programs.md lists the programs, the versions tested and what
# each one gets.
#
# The programs: python3 threading and multiprocessing, `java -version`,
# node with work on libuv's thread pool, an OpenMP program built with gcc
# (libgomp) and with clang (libomp), a GLib GThreadPool program, a C++
# program with std::thread, std::mutex and std::condition_variable,
# xz -T2, zstd -T2 and pigz -p 2.  The C and C++ programs are in this
# directory and built here.  A program whose toolchain or runtime is
# missing fails with a line saying what to install
# (scripts/install-deps.sh --real installs all of it).  The closing line
# is "tests: N passed, N failed".  GCTRACE_REAL_KEEP=DIR keeps the
# traces; GCTRACE_REAL_TIMEOUT=S bounds each run (180 s).
set -u
. "$(dirname "$0")/../e2e/lib.sh"
# Default options: nothing from the caller's environment either.
unset GCTRACE_OPTIONS GCTRACE_OUT
# OpenMP programs use two threads whatever the machine, so that there
# are workers.
OMP_NUM_THREADS=2
export OMP_NUM_THREADS
# A run that hangs fails instead of stopping the target (seconds).
LIMIT=${GCTRACE_REAL_TIMEOUT:-180}
PY=/usr/bin/python3
# GCTRACE_REAL_KEEP=DIR keeps each program's trace there (NAME.db).
KEEP=${GCTRACE_REAL_KEEP:-}
WANT="scripts/install-deps.sh --real installs it"

ms() { echo $(($(date +%s%N) / 1000000)); }
q() { sqlite3 "$tmp/$cur.db" "$1" 2>&1; }

npass=0 nfail=0 failed="" t_start=$(ms)

# begin NAME: the start of one program's test.
begin() {
    cur=$1 fail=0
    echo "--- $cur"
}

# end: counts the program as passed or failed.
end() {
    if [ "$fail" -eq 0 ]; then
        npass=$((npass + 1))
        echo "ok: $cur"
    else
        nfail=$((nfail + 1))
        failed="$failed $cur"
        echo "FAILED: $cur"
    fi
}

# need CMD...: each CMD exists, or the program fails (and is not run).
need() {
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 && continue
        err "$cur: '$c' not found: $WANT"
        return 1
    done
}

# build OUT CC ARGS...: compiles a test program of this directory into
# $tmp/OUT; a failure fails the program with the compiler's first lines.
build() {
    o=$1
    shift
    "$@" -o "$tmp/$o" >"$tmp/$o.cc" 2>&1 && return 0
    err "$cur: cannot build with '$*': $WANT ($(head -c 400 "$tmp/$o.cc"))"
    return 1
}

# both CMD...: CMD natively, then under `gctrace run -q -o $tmp/$cur.db`,
# both in $tmp/work with stdin from /dev/null; compares stdout, stderr
# and the exit status, opens the trace, then prints and checks the
# findings.
both() {
    t0=$(ms)
    (cd "$tmp/work" && timeout -k 5 "$LIMIT" "$@") </dev/null \
        >"$tmp/$cur.out" 2>"$tmp/$cur.err"
    nrc=$?
    t1=$(ms)
    (cd "$tmp/work" && timeout -k 5 "$LIMIT" "$G" run -q -o "$tmp/$cur.db" -- "$@") \
        </dev/null >"$tmp/$cur.tout" 2>"$tmp/$cur.terr"
    trc=$?
    t2=$(ms)
    echo "time: native $((t1 - t0)) ms, traced $((t2 - t1)) ms"
    [ $nrc -eq 0 ] || err "$cur: the native run exited $nrc: $(head -c 400 "$tmp/$cur.err")"
    case $trc in
        124 | 137) err "$cur: the traced run did not end within ${LIMIT}s" ;;
    esac
    [ $trc -eq $nrc ] || err "$cur: traced exit status $trc, native $nrc"
    cmp -s "$tmp/$cur.out" "$tmp/$cur.tout" || err "$cur: traced stdout differs from native"
    cmp -s "$tmp/$cur.err" "$tmp/$cur.terr" ||
        err "$cur: traced stderr differs from native: $(diff "$tmp/$cur.err" "$tmp/$cur.terr" | head -c 600)"
    if ! "$G" report "$tmp/$cur.db" >/dev/null 2>"$tmp/$cur.rerr"; then
        err "$cur: the trace does not open: $(head -c 300 "$tmp/$cur.rerr")"
        return
    fi
    echo "trace: $(q "SELECT count(*) FROM threads") threads in $(q "SELECT count(*) FROM processes") processes"
    [ -z "$KEEP" ] || cp "$tmp/$cur.db" "$KEEP/" || err "$cur: cannot keep the trace in $KEEP"
    findings
}

# findings: prints check's findings (kind/subkind, how many, and each
# message); check must exit 0.
findings() {
    "$G" check --format json "$tmp/$cur.db" >"$tmp/$cur.json" 2>"$tmp/$cur.cerr"
    crc=$?
    sum=$(grep -o '{"kind":"[a-z_]*"\(,"subkind":"[a-z_]*"\)\{0,1\}' "$tmp/$cur.json" |
          sed 's/{"kind":"\([a-z_]*\)"\(,"subkind":"\([a-z_]*\)"\)\{0,1\}/\1\/\3/; s/\/$//' |
          sort | uniq -c | awk '{ printf "%s%s x%d", sep, $2, $1; sep = ", " }')
    echo "findings: ${sum:-none}"
    "$G" check "$tmp/$cur.db" 2>/dev/null | grep '^gctrace: [a-z_/]*: ' | cut -c1-240 |
        sed 's/^/    /'
    [ $crc -eq 0 ] || err "$cur: gctrace check exited $crc (findings: ${sum:-none})"
}

# atleast WHAT SQL N: the trace has at least N of WHAT (by SQL).
atleast() {
    c=$(q "$2")
    [ "$c" -ge "$3" ] 2>/dev/null || err "$cur: $c $1 in the trace, want at least $3"
}

threads_atleast() { atleast threads "SELECT count(*) FROM threads" "$1"; }

command -v sqlite3 >/dev/null || { echo "FAIL: sqlite3 not found: $WANT" >&2; exit 1; }
mkdir "$tmp/work" || exit 1
[ -z "$KEEP" ] || mkdir -p "$KEEP" || exit 1
# about 1 MB of text lines, the same on every run
awk 'BEGIN { for (i = 0; i < 40000; i++)
                 printf "%d line %x %d\n", (i * 7919) % 40009, i * 2654435761 % 4294967296, i }' \
    >"$tmp/work/in.txt"

# python3 threading: Queue workers, Lock, Event, Barrier, Semaphore,
# Condition, Timer, ThreadPoolExecutor.  CPython detaches each thread
# right after pthread_create; Thread.join waits on a lock.
begin py_threading
if [ -x "$PY" ] || { err "$cur: $PY not found: $WANT"; false; }; then
    both "$PY" "$here/py_threading.py"
    threads_atleast 10
fi
end

# python3 multiprocessing (fork): a Pool, a Process fed by a Queue, a
# shared Value, a Manager.  Every process is in the one trace.
begin py_multiprocessing
if [ -x "$PY" ] || { err "$cur: $PY not found: $WANT"; false; }; then
    both "$PY" "$here/py_multiprocessing.py"
    atleast processes "SELECT count(*) FROM processes" 6
fi
end

# java -version: the JVM starts its GC, compiler and service threads and
# prints the version on stderr.
begin java_version
if need java; then
    both java -version
    threads_atleast 10
fi
end

# node: pbkdf2, scrypt, zlib and fs work on libuv's thread pool (4
# threads), beside V8's platform workers.
begin node_pool
if need node; then
    both node "$here/node_pool.js"
    threads_atleast 8
fi
end

# OpenMP: the same program with gcc's libgomp and with LLVM's libomp.
for cc in gcc clang; do
    begin omp_$cc
    if need $cc && build omp_$cc $cc -O2 -g -fopenmp "$here/omp.c"; then
        both "$tmp/omp_$cc"
        threads_atleast 2
    fi
    end
done

# GLib: a GThreadPool of two threads, GMutex, GCond, GAsyncQueue.
begin glib_pool
# shellcheck disable=SC2086 # $glib: several flags
if need gcc pkg-config &&
    { glib=$(pkg-config --cflags --libs glib-2.0 2>&1) ||
          { err "$cur: glib-2.0 not found by pkg-config: $WANT"; false; }; } &&
    build glib_pool gcc -O2 -g "$here/gpool.c" $glib; then
    both "$tmp/glib_pool"
    threads_atleast 2
fi
end

# C++: std::thread, std::mutex, std::condition_variable, std::scoped_lock,
# std::async.
begin cxx_threads
if need g++ && build cxx_threads g++ -std=c++17 -O2 -g -pthread "$here/cxx_threads.cpp"; then
    both "$tmp/cxx_threads"
    threads_atleast 8
fi
end

# The compressors: several blocks for two threads each.
begin xz
if need xz; then
    both xz -T2 -1 --block-size=131072 -c in.txt
    threads_atleast 3
fi
end

begin zstd
if need zstd; then
    both zstd -T2 -3 -B262144 -c in.txt
    threads_atleast 3
fi
end

begin pigz
if need pigz; then
    both pigz -p 2 -b 128 -c in.txt
    threads_atleast 3
fi
end

echo "test-real: $(($(ms) - t_start)) ms"
[ -n "$failed" ] && echo "failed:$failed"
echo "tests: $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
