#!/bin/sh
# run.sh BUILD_DIR TEST... - end-to-end tests with the recorder shim itself
# under AddressSanitizer and UndefinedBehaviorSanitizer.
#
# BUILD_DIR's libgctrace.so is built with -fsanitize=address,undefined
# -fno-sanitize-recover=all -fsanitize-undefined-trap-on-error (make
# test-asan-shim).  Each TEST is an end-to-end script (given BUILD_DIR as
# $1) and still asserts its own findings; on top of that, a sanitizer
# report from any process of the test fails it.
#
# The preload order is the shim first, then ASan's runtime, then libc (as
# LD_PRELOAD="libgctrace.so libasan.so" gives): the program's calls reach
# the shim as they do in production, the originals the shim finds with
# dlsym(RTLD_NEXT) are ASan's interceptors, which call libc's, and the
# shim's own malloc, read, snprintf... are ASan's.  The other orders fail:
#  - ASan's runtime first: its pthread_create, pthread_join,
#    pthread_mutex_lock... take the program's calls and reach the shim's
#    through RTLD_NEXT, so the shim is called from libasan.so (thread
#    creation stacks start in __interceptor_pthread_create);
#  - only the shim preloaded: libasan.so, a dependency of the shim, comes
#    after libc, so ASan's allocator and interceptors are bypassed, and in
#    a program that links ld.so directly ASan's start-up crashes.
# The tests preload the shim themselves, and the dynamic linker puts a
# preloaded library's dependencies after the program's, so the runtime is
# linked into every program the tests build instead (a `cc` in front in
# PATH: cc-with-asan-runtime); then `gctrace run` and LD_PRELOAD both give
# the order above, with verify_asan_link_order=0 since the shim, not the
# runtime, comes first.  test_misuse and test_shim_asan build their
# programs with GCT_TEST_CFLAGS, the shim's sanitizer flags: those are
# instrumented too.  Installed programs the tests trace (sort, xz, make in
# test_behaviour) get the shim alone: its code is still checked, its
# allocations are not.
#
# UBSan's checks in the shim trap (-fsanitize-undefined-trap-on-error) and
# ASan reports the trap (handle_sigill=1; no test raises SIGILL): with
# both runtimes loaded, libubsan's log_path call binds to libasan's copy
# of the function, so UBSan's own reports could only go to the programs'
# stderr, which the tests keep to themselves.
#
# ASan's options: reports go to files (log_path), never to the programs'
# stderr, which the tests compare; the programs' own fatal signals stay
# theirs (handle_segv=0...), since the tests crash and kill programs on
# purpose; malloc returns NULL when memory runs out, as libc's does;
# reports unwind by frame pointers (fast_unwind_on_fatal=1): the slow
# unwinder would be libunwind's, and a program that unwinds with libunwind
# while the shim records its locks deadlocks (the shim unwinds with it too,
# from inside libunwind's lock), which would turn a report into a hang.
# Prints one closing line "asan-shim: N passed, N failed".
set -u
build=${1:?usage: run.sh BUILD_DIR TEST...}
shift
here=$(cd "$(dirname "$0")" && pwd) || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

REAL_CC=$(command -v cc) || { echo "asan-shim: no cc" >&2; exit 1; }
export REAL_CC
mkdir "$tmp/bin" "$tmp/reports" || exit 1
ln -s "$here/cc-with-asan-runtime" "$tmp/bin/cc" || exit 1
PATH=$tmp/bin:$PATH
GCT_TEST_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all"
GCT_TEST_CFLAGS="$GCT_TEST_CFLAGS -fsanitize-undefined-trap-on-error"
export PATH GCT_TEST_CFLAGS

ASAN_OPTIONS="verify_asan_link_order=0:log_path=$tmp/reports/asan"
ASAN_OPTIONS="$ASAN_OPTIONS:handle_segv=0:handle_sigbus=0:handle_sigfpe=0"
ASAN_OPTIONS="$ASAN_OPTIONS:handle_abort=0:handle_sigill=1"
ASAN_OPTIONS="$ASAN_OPTIONS:allocator_may_return_null=1:fast_unwind_on_fatal=1"

pass=0 fail=0 failed=
for t in "$@"; do
    start=$(date +%s)
    # The leak check at exit needs memory and descriptors, which this test
    # takes away from its programs on purpose (RLIMIT_AS, EMFILE).
    leaks=1
    case $t in */test_hostile_procs.sh) leaks=0 ;; esac
    ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=$leaks" sh "$t" "$build"
    rc=$?
    # A file holds a report (ERROR) or only a warning that changes
    # nothing: LSan's "thread was not suspended" in a forked child, whose
    # copy of ASan's thread list still has the parent's threads.
    reports=$(grep -l ERROR "$tmp/reports"/* 2>/dev/null)
    for r in $reports; do
        echo "--- sanitizer report ($t): $(basename "$r")"
        cat "$r"
        rc=1
    done
    rm -f "$tmp/reports"/*
    if [ $rc -eq 0 ]; then
        pass=$((pass + 1)) verdict=ok
    else
        fail=$((fail + 1)) failed="$failed $t" verdict=FAILED
    fi
    echo "asan-shim: $t: $verdict ($(($(date +%s) - start)) s)"
done
[ -n "$failed" ] && echo "failed:$failed"
echo "asan-shim: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
