#!/bin/sh
# Runs test programs, one after another, and prints one closing line
# "N passed, N failed".  A program passes when it exits 0.
# Usage: tests/run-tests.sh BUILD_DIR PROGRAM...
build=$1; shift
pass=0; fail=0; failed=""
for t in "$@"; do
    if "$t"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); failed="$failed $t"
    fi
done
[ -n "$failed" ] && echo "failed:$failed"
echo "tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
