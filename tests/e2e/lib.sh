# lib.sh - the set-up the end-to-end tests share.  A test sources it
# first thing, as
#     . "$(dirname "$0")/lib.sh"
# with the build directory as its first argument, and gets:
#     B     the build directory, absolute
#     G     the gctrace command, LIB the recorder (libgctrace.so)
#     here  tests/e2e, absolute (for progs/)
#     tmp   a directory removed at exit (a test that needs more cleanup
#           sets its own trap, which must remove tmp too)
#     fail  0; err MSG... prints FAIL: MSG on stderr and sets it to 1
#     e2e_end NAME  ends the test: "NAME: ok", or "NAME: FAILED" and exit 1
# shellcheck shell=sh
B=${1:?usage: $0 BUILD_DIR}
B=$(cd "$B" && pwd) || exit 1
G=$B/bin/gctrace
LIB=$B/lib/libgctrace.so
here=$(cd "$(dirname "$0")" && pwd)
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
