#!/bin/sh
# test_report_stacks.sh BUILD - stacks as a person reads them: the text
# report shows the program's frames and one line for each run of
# libgoc's own (the API call the program made), while JSON keeps every
# frame with its "internal" flag; a frame without a symbol shows its
# module and offset; glibc's thread entry is named; a frame whose line is
# not known has none (null in JSON, nothing after the file in the text),
# and _start never gets one; the trace keeps each module's build-id.
set -u
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC2086
cc -O1 -g -std=c11 -pthread ${GCT_TEST_CFLAGS:-} -Iinclude \
    -o "$tmp/leak" "$here/progs/leak_at_exit.c" "$B/lib/libgoc_trace.a" \
    -ldl || exit 1
# clang -O2 merges the twin's lock calls into code of line 0
clang -O2 -g -pthread -o "$tmp/deadlock" "$here/progs/deadlock.c" || exit 1

for mode in goroutine thread; do
    GCTRACE_OPTIONS=exitcode=0 "$G" run -q -o "$tmp/$mode.db" -- \
        "$tmp/leak" $mode > /dev/null 2>&1 || err "$mode: run failed"
    "$G" check "$tmp/$mode.db" > "$tmp/$mode.txt"
    "$G" check --format json "$tmp/$mode.db" > "$tmp/$mode.json"
done
LD_PRELOAD="$LIB" GCTRACE_OUT="$tmp/abba.db" \
    GCTRACE_OPTIONS="watchdog_ms=300:abort_on_deadlock=1:finish=0" \
    timeout -s KILL 20 "$tmp/deadlock" abba > /dev/null 2>&1
"$G" check "$tmp/abba.db" > "$tmp/abba.txt"
"$G" check --format json "$tmp/abba.db" > "$tmp/abba.json"

t=$tmp/goroutine.txt
grep -q "lib/chan.c" "$t" && err "text shows libgoc's chan.c frames"
# libgoc's frames of the send are one line, #0-#K, naming the call the
# program made (K depends on how libgoc was optimised: 5 at -O2); the
# goroutine's own frame is #K+1, the trampoline #K+2.
k=$(sed -nE 's/^    #0-#([0-9]+) \(libgoc: goc_chan_send(_until)? and [0-9]+ frames inside it\)$/\1/p' "$t" | head -1)
if [ -z "$k" ]; then
    err "text: no line for libgoc's frames of the send: $(cat "$t")"
else
    grep -qE "^    #$((k + 1)) sender .*leak_at_exit.c:[0-9]+$" "$t" ||
        err "text: the goroutine's own frame is not #$((k + 1)): $(cat "$t")"
    grep -qE "^    #$((k + 2)) \(libgoc: goc__entry_trampoline\)$" "$t" ||
        err "text: the trampoline"
fi
for f in "$tmp"/*.txt; do
    grep -E '\?\? \(' "$f" | grep -v '+0x' && err "$f: a ?? frame without its offset"
    grep -qE ":0$" "$f" && err "$f: a line 0 shown"
done
grep -qE "^    #1 start_thread$" "$tmp/thread.txt" && grep -qE "^    #2 clone3$" "$tmp/thread.txt" ||
    err "text: glibc's thread entry not named: $(cat "$tmp/thread.txt")"
grep -qE "__libc_start_call_main$" "$tmp/thread.txt" || err "text: main's caller not named"

python3 - "$tmp" <<'PY' || err "json, see above"
import json, sys
tmp = sys.argv[1]
def stacks(name):
    for f in json.load(open("%s/%s.json" % (tmp, name)))["findings"]:
        for s in f["stacks"]:
            yield s
blocked = [s for s in stacks("goroutine") if s["label"] == "blocked at"][0]
flags = [(fr["function"], fr["internal"]) for fr in blocked["frames"]]
# libgoc's frames (how many depends on its optimisation), then the
# goroutine's own, the trampoline, and glibc's thread entry
k = next((i for i, x in enumerate(flags) if not x[1]), len(flags))
want = [True] * k + [False, True, False, False]
if k < 1 or [x[1] for x in flags] != want \
        or not flags[k - 1][0].startswith("goc_chan_send") \
        or flags[k][0] != "sender" or flags[k + 1][0] != "goc__entry_trampoline":
    sys.exit("internal flags %r" % flags)
for name in ("goroutine", "thread", "abba"):
    for s in stacks(name):
        for fr in s["frames"]:
            if fr["function"] in ("_start", "__libc_start_main", "clone3",
                                  "start_thread") and fr["line"] is not None:
                sys.exit("%s: %r has a line" % (name, fr))
            if fr["line"] == 0:
                sys.exit("%s: line 0 in %r" % (name, fr))
            if fr["function"].startswith("??") and "+0x" not in fr["function"]:
                sys.exit("%s: %r" % (name, fr))
# the merged lock call: its file, and no line
took = [s for s in stacks("abba") if s["label"].startswith("main") and " took " in s["label"]]
if not took or took[0]["frames"][0]["line"] is not None \
        or not took[0]["frames"][0]["file"].endswith("deadlock.c"):
    sys.exit("abba: the merged call %r" % took)
PY
grep -qE "^    #0 two_threads .*deadlock\.c$" "$tmp/abba.txt" ||
    err "text: the merged call is not shown by its file alone: $(cat "$tmp/abba.txt")"
# The trace keeps each module's build-id, the one readelf reads.
for m in "$tmp/leak" "$(sqlite3 "$tmp/thread.db" "SELECT path FROM modules WHERE path LIKE '%/libc.so%'")"; do
    want=$(readelf -n "$m" | sed -n 's/.*Build ID: //p')
    got=$(sqlite3 "$tmp/thread.db" "SELECT build_id FROM modules WHERE path = '$m'")
    [ -n "$want" ] && [ "$got" = "$want" ] || err "$m: build-id '$got', want '$want'"
done
e2e_end test_report_stacks
