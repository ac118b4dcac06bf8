#!/bin/sh
# Runs tests one after another and prints one closing line
# "tests: N passed, N failed".  A test passes when it exits 0.  Test
# programs run as they are; shell scripts (*.sh) get BUILD_DIR as $1.
# Usage: tests/run-tests.sh BUILD_DIR TEST...
build=$1; shift
pass=0; fail=0; failed=""
for t in "$@"; do
    case "$t" in
        *.sh) sh "$t" "$build" ;;
        *) "$t" ;;
    esac
    if [ $? -eq 0 ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); failed="$failed $t"
    fi
done
[ -n "$failed" ] && echo "failed:$failed"
echo "tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
