#!/bin/sh
# test_rawlog_golden.sh BUILD - raw logs written by the raw-log writer
# (common/rawlog_writer.c), the one attach and core write with, give
# exactly the findings of golden/: an ABBA deadlock of a killed process
# (deadlock/locks, both threads' stacks) and its twin, the same locks
# taken in one order by a process that exited (no finding).  A change of
# the writer, the finishing step or the analyses that moves a byte of
# `check --format json` shows here; when it is meant, the golden files
# are remade with the commands below.
set -u
. "$(dirname "$0")/lib.sh"
build_prog rawlog_abba rawlog_abba.c -std=c11 -D_GNU_SOURCE \
    -I"$root/common" "$root/common/rawlog_writer.c" "$root/common/safe_file.c"

cd "$tmp" || exit 1
for mode in deadlock ordered; do
    ./rawlog_abba $mode abba_$mode.db || err "$mode: the writer failed"
    # relative, so that the JSON's "trace" is the same everywhere
    "$G" check --format json abba_$mode.db >abba_$mode.json 2>abba_$mode.err
    rc=$?
    want=0
    [ $mode = deadlock ] && want=1
    [ $rc -eq $want ] || err "$mode: check exited $rc, want $want: $(cat abba_$mode.err)"
    cmp -s abba_$mode.json "$here/golden/rawlog_abba_$mode.json" ||
        err "$mode: findings differ from golden/rawlog_abba_$mode.json:
$(diff "$here/golden/rawlog_abba_$mode.json" abba_$mode.json | head -c 1500)"
    [ -e abba_$mode.db.raw ] && err "$mode: the raw log was left behind"
done
e2e_end test_rawlog_golden
