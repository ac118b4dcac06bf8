#!/bin/sh
# test_leak_repeat.sh BUILD - the same goroutine-leak program gives the
# same findings on every run: progs/select_leak.c returns from main
# without waiting for its goroutines to block in their selects, and 10
# runs must give identical findings (kind, subkind, stable message, the
# threads named), which are: one context_leak naming both goroutines that
# wait for the never-cancelled context (and no unclosed channel for the
# channel they also wait on, nor a leak of their own), and for the
# goroutine that selects on two channels of its own, its leak and the
# two unclosed channels.
set -u
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC2086 # the build's sanitizer flags
build_goc_prog sl select_leak.c -D_GNU_SOURCE

want="context_leak/ leaked_thread/ unclosed_channel/ unclosed_channel/ "
for run in 1 2 3 4 5 6 7 8 9 10; do
    GCTRACE_OPTIONS=exitcode=0 "$G" run -q -o "$tmp/$run.db" -- "$tmp/sl" \
        >/dev/null 2>"$tmp/$run.err" || err "run $run: exit $?: $(head -3 "$tmp/$run.err")"
    "$G" check --format json "$tmp/$run.db" | python3 -c 'import json,sys
fs = json.load(sys.stdin)["findings"]
for f in sorted(fs, key=lambda f: (f["kind"], f["stable_message"])):
    print(f["kind"] + "/" + (f.get("subkind") or ""), f["stable_message"],
          sorted(t.get("name") or "" for t in f.get("threads", [])))' \
        >"$tmp/$run.txt"
    kinds=$(cut -d' ' -f1 "$tmp/$run.txt" | tr '\n' ' ')
    [ "$kinds" = "$want" ] || err "run $run: '$kinds', want '$want'"
    [ "$run" = 1 ] || cmp -s "$tmp/1.txt" "$tmp/$run.txt" ||
        err "run $run differs from run 1: $(diff "$tmp/1.txt" "$tmp/$run.txt")"
done
grep "^context_leak/ " "$tmp/1.txt" | grep -q "\['watcher', 'watcher'\]" ||
    err "the context leak does not name both watchers: $(cat "$tmp/1.txt")"
e2e_end test_leak_repeat
