#!/bin/sh
# test_recursive_rlock.sh BUILD - a goc_rwmutex read-locked again by a
# thread that holds it for reading is misuse/recursive_read_lock, though
# no writer came between (in Go a latent deadlock: RWMutex prefers
# writers); glibc's default rwlock read-locked twice, and a goc_rwmutex
# read-locked once by each of two threads, are silent.  Each runs as
# natively.
set -u
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC2086 # the build's sanitizer flags
# shellcheck disable=SC2086 # the flags are words
build_prog rrl recursive_rlock.c -std=c11 -D_GNU_SOURCE ${GCT_TEST_CFLAGS:-} \
    "$B/lib/libgoc.a" -ldl
for mode in goc pthread goc_once; do
    "$tmp/rrl" $mode >"$tmp/$mode.nat" 2>&1
    GCTRACE_OPTIONS=exitcode=0 "$G" run -q -o "$tmp/$mode.db" -- \
        "$tmp/rrl" $mode >"$tmp/$mode.out" 2>&1
    cmp -s "$tmp/$mode.nat" "$tmp/$mode.out" || err "$mode: output differs from native"
    rules=$("$G" check --format json "$tmp/$mode.db" |
            grep -o '"rule":"[a-z_/]*"' | tr '\n' ' ')
    case $mode in
    goc) [ "$rules" = '"rule":"misuse/recursive_read_lock" ' ] ||
             err "goc: findings '$rules', want one misuse/recursive_read_lock"
         "$G" check "$tmp/goc.db" | grep -q 'rwlock grw (0x.* at main (recursive_rlock.c:' ||
             err "goc: the finding does not name the rwlock and main's line" ;;
    *)   [ -z "$rules" ] || err "$mode: findings '$rules', want none" ;;
    esac
done
e2e_end test_recursive_rlock
