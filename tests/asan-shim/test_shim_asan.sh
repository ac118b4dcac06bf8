#!/bin/sh
# test_shim_asan.sh BUILD_DIR - the shim built with ASan + UBSan (run by
# tests/asan-shim/run.sh, whose `cc` links ASan's runtime into programs):
#  - libgctrace.so is instrumented by ASan, and UBSan's checks trap;
#  - in a traced program the shim comes first and ASan's runtime before
#    libc, and the trace still has what the shim saw: threads with their
#    creation stacks starting in the program (not in an ASan interceptor),
#    the lock-order edges and their cycle, a forked child;
#  - the same through the shim's own finishing step (`gctrace finish`
#    spawned at exit, the finding's exit status);
#  - the checks are live in such a process: a leak, a heap overflow and a
#    UBSan trap of the program are reported (so a clean run means a clean
#    shim).
set -u
. "$(dirname "$0")/../e2e/lib.sh"
q() { sqlite3 "$1" "$2" 2>&1; }

command -v sqlite3 >/dev/null || { echo "FAIL: sqlite3 not installed" >&2; exit 1; }

nm -D --undefined-only "$LIB" | grep -q __asan_report_ ||
    err "libgctrace.so is not built with ASan"
# hundreds of checks, each a ud2; an unsanitized build has none
traps=$(objdump -d "$LIB" | grep -c 'ud2')
[ "$traps" -gt 100 ] || err "libgctrace.so has $traps UBSan traps"
! nm -D --undefined-only "$LIB" | grep -q __ubsan_handle ||
    err "libgctrace.so calls UBSan's runtime, whose reports go to stderr"

# shellcheck disable=SC2086
cc -O1 -g -std=c11 -pthread ${GCT_TEST_CFLAGS:-} -o "$tmp/paths" \
    "$here/shim_paths.c" || {
    echo "FAIL: cannot compile shim_paths.c" >&2; exit 1; }

# check DB WHAT: what the paths run must have left in its trace
check() {
    db=$1 what=$2
    # main, b_then_a, the detached thread, the C11 one, late; the child
    n=$(q "$db" "select count(*) from threads")
    [ "$n" = 6 ] || err "$what: $n threads, want 6"
    n=$(q "$db" "select count(*) from processes")
    [ "$n" = 2 ] || err "$what: $n processes, want 2 (fork)"
    n=$(q "$db" "select count(*) from threads where name = 'b-then-a'")
    [ "$n" = 1 ] || err "$what: the named thread is missing"
    # every creation stack starts in the program: the shim, not an ASan
    # interceptor, took the call
    tops=$(q "$db" "select group_concat(s.function, ' ') from threads t
                    join stack_text s on s.stack_id = t.create_stack
                    where s.idx = 0")
    [ "$tops" = "paths paths paths paths" ] ||
        err "$what: creation stacks start in '$tops', want paths x4"
    # a->b (main), b->a (b_then_a), rw->a (the child)
    n=$(q "$db" "select count(*) from lock_edges")
    [ "$n" = 3 ] || err "$what: $n lock-order edges, want 3"
    n=$(q "$db" "select count(*) from findings where kind = 'lock_order_cycle'")
    [ "$n" = 1 ] || err "$what: $n lock_order_cycle findings, want 1"
}

GCTRACE_OPTIONS=exitcode=0 timeout -s KILL 60 \
    "$G" run -q -o "$tmp/run.db" -- "$tmp/paths" paths \
    >"$tmp/run.out" 2>"$tmp/run.err"
rc=$?
[ $rc -eq 0 ] || err "gctrace run: exit $rc ($(cat "$tmp/run.err"))"
case $(head -1 "$tmp/run.out") in
    "malloc in libasan.so"*", pthread_create in libgctrace.so") ;;
    *) err "the order is not shim, ASan, libc: $(head -1 "$tmp/run.out")" ;;
esac
grep -q "paths done" "$tmp/run.out" || err "gctrace run: the program did not finish"
check "$tmp/run.db" "gctrace run"

# The shim finishes the trace itself (posix_spawn of gctrace finish) and
# the finding becomes the exit status (66).
timeout -s KILL 60 env LD_PRELOAD="$LIB" GCTRACE_OUT="$tmp/pre.db" \
    GCTRACE_OPTIONS=report=0 "$tmp/paths" paths >"$tmp/pre.out" 2>"$tmp/pre.err"
rc=$?
[ $rc -eq 66 ] || err "LD_PRELOAD: exit $rc, want 66 ($(cat "$tmp/pre.err"))"
check "$tmp/pre.db" "LD_PRELOAD"

# The checks are live: reports of the program's own bugs, into files of
# this test's own (the runner counts every other report as a failure).
# The timeouts kill: a hang inside libunwind has every signal blocked.
canary() {
    mode=$1 want=$2
    mkdir "$tmp/$mode"
    timeout -s KILL 60 env \
        ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=$tmp/$mode/asan" \
        LD_PRELOAD="$LIB" GCTRACE_OUT="$tmp/$mode.db" GCTRACE_OPTIONS=finish=0 \
        "$tmp/paths" "$mode" >/dev/null 2>&1
    grep -q "$want" "$tmp/$mode"/* 2>/dev/null ||
        err "$mode: no report saying '$want'"
}
canary leak "4242 byte(s) in 1 object(s) allocated"
canary overflow "heap-buffer-overflow"
canary ub "AddressSanitizer: ILL"

[ $fail -eq 0 ] || { echo "test_shim_asan: FAILED" >&2; exit 1; }
echo "test_shim_asan: ok"
