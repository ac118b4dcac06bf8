# lib.sh - the set-up the end-to-end tests share.  A test sources it
# first thing, as
#     . "$(dirname "$0")/lib.sh"
# with the build directory as its first argument, and gets:
#     B     the build directory, absolute
#     G     the gctrace command, LIB the recorder (libgctrace.so)
#     here  tests/e2e, absolute (for progs/); root the source tree
#     tmp   a directory removed at exit (a test that needs more cleanup
#           sets its own trap, which must remove tmp too)
#     fail  0; err MSG... prints FAIL: MSG on stderr and sets it to 1
#     e2e_end NAME  ends the test: "NAME: ok", or "NAME: FAILED" and exit 1
# and the helpers below: build_prog, build_goc_prog, q, found, same,
# compare_runs.
# shellcheck shell=sh
B=${1:?usage: $0 BUILD_DIR}
B=$(cd "$B" && pwd) || exit 1
G=$B/bin/gctrace
LIB=$B/lib/libgctrace.so
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0

err() { echo "FAIL: $*" >&2; fail=1; }

e2e_end() {
    if [ "$fail" -ne 0 ]; then
        echo "$1: FAILED" >&2
        exit 1
    fi
    echo "$1: ok"
}


# build_prog NAME SRC [CC ARGS...]: compiles SRC (a file of progs/ when
# it names no directory) into $tmp/NAME, -O1 -g -pthread, with progs/ and
# include/ on the include path; exits the test when it does not compile.
build_prog() {
    bp_name=$1 bp_src=$2
    shift 2
    case $bp_src in */*) ;; *) bp_src=$here/progs/$bp_src ;; esac
    cc -O1 -g -pthread -I"$here/progs" -I"$root/include" \
        -o "$tmp/$bp_name" "$bp_src" "$@" || {
        echo "FAIL: cannot compile $bp_src" >&2; exit 1; }
}

# build_goc_prog NAME SRC [CC ARGS...]: the same for a program of
# libgoc's instrumented build (with the build's sanitizer flags, which
# the library was built with).
build_goc_prog() {
    bg_name=$1 bg_src=$2
    shift 2
    # shellcheck disable=SC2086 # the flags are words
    build_prog "$bg_name" "$bg_src" -std=c11 ${GCT_TEST_CFLAGS:-} "$@" \
        "$B/lib/libgoc_trace.a" -ldl
}

# q DB SQL: what sqlite3 prints for SQL on DB, errors included.
q() { sqlite3 "$1" "$2" 2>&1; }

# found DB [CHECK ARGS...]: the findings of `gctrace check` on DB as
# "kind/subkind" words, sorted, on one line.
found() {
    "$G" check --format json "$@" | python3 -c 'import json, sys
print(" ".join(sorted(f["kind"] + ("/" + f["subkind"] if f.get("subkind") else "")
                      for f in json.load(sys.stdin)["findings"])))'
}

# same NAME PROG ARGS...: PROG natively and under `gctrace run`
# (GCTRACE_OPTIONS exitcode=0, plus SAME_OPTIONS when set), each killed
# after SAME_TIMEOUT seconds (default 30): the same exit status and
# stdout, and a trace that `gctrace report` reads.  The runs' outputs
# are $tmp/NAME.nout, .nerr (native), .tout, .terr and .db (traced).
same() {
    sm_name=$1
    shift
    timeout -s KILL "${SAME_TIMEOUT:-30}" "$@" \
        >"$tmp/$sm_name.nout" 2>"$tmp/$sm_name.nerr"
    sm_nrc=$?
    GCTRACE_OPTIONS=exitcode=0${SAME_OPTIONS:+:$SAME_OPTIONS} \
        timeout -s KILL "${SAME_TIMEOUT:-30}" "$G" run -q \
        -o "$tmp/$sm_name.db" -- "$@" >"$tmp/$sm_name.tout" 2>"$tmp/$sm_name.terr"
    compare_runs "$sm_name" $sm_nrc $?
}

# compare_runs NAME NATIVE_STATUS TRACED_STATUS: what `same` checks, on
# outputs already in $tmp/NAME.*.
compare_runs() {
    [ "$2" = "$3" ] ||
        err "$1: exit $3 traced, $2 native ($(head -c 300 "$tmp/$1.terr"))"
    cmp -s "$tmp/$1.nout" "$tmp/$1.tout" ||
        err "$1: stdout differs: '$(head -c 200 "$tmp/$1.tout")' vs native '$(head -c 200 "$tmp/$1.nout")'"
    "$G" report "$tmp/$1.db" >/dev/null 2>"$tmp/$1.rerr" ||
        err "$1: gctrace report: $(cat "$tmp/$1.rerr")"
}
