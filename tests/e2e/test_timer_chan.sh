#!/bin/sh
# test_timer_chan.sh BUILD - channels that libgoc makes for itself (a
# goc_after timer's, a context's done channel) are never closed by design:
# a goroutine left blocked on one is a leak (for a context never
# cancelled, the context leak, which names the goroutine, and nothing
# else) but no unclosed_channel.  Its twin, blocked
# on a channel of the program's own that is never closed, is one.  The
# same findings in each of 3 runs.
set -u
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC2086 # the build's sanitizer flags
build_goc_prog tc timer_chan.c -D_GNU_SOURCE
for run in 1 2 3; do
    for mode in after ctx own; do
        GCTRACE_OPTIONS=exitcode=0 "$G" run -q -o "$tmp/$mode.db" -- \
            "$tmp/tc" $mode >/dev/null 2>&1
        rules=$("$G" check --format json "$tmp/$mode.db" |
                grep -o '"rule":"[a-z_/]*"' | cut -d'"' -f4 | sort | tr '\n' ' ')
        case $mode in
        after) want="leaked_thread " ;;
        ctx)   want="context_leak " ;;
        own)   want="leaked_thread unclosed_channel " ;;
        esac
        [ "$rules" = "$want" ] || err "$mode, run $run: '$rules', want '$want'"
    done
done
e2e_end test_timer_chan
