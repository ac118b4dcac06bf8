#!/bin/sh
# test_clang_lines.sh BUILD - a program built with clang's defaults
# (DWARF 5, and no .debug_aranges) gets file:line in its findings, as a
# gcc-built one does: a leaked thread's blocking and creation lines, and
# the lines where each thread of a deadlock took and waits for its locks
# (built without -O: with it, clang merges the twin's identical calls into
# code of line 0, which is then rightly shown without a line).
set -u
. "$(dirname "$0")/lib.sh"
command -v clang > /dev/null || { err "clang is needed (scripts/install-deps.sh)"; e2e_end test_clang_lines; }
clang -O1 -g -pthread -o "$tmp/leak" "$here/progs/leak_detail.c" &&
    clang -g -pthread -o "$tmp/deadlock" "$here/progs/deadlock.c" ||
    { err "cannot compile with clang"; exit 1; }
# the premise: no address ranges table for libdw to look up
readelf -S "$tmp/leak" | grep -q debug_aranges && err "clang wrote .debug_aranges: the test no longer tests the fallback"
readelf --debug-dump=info "$tmp/leak" 2>/dev/null | grep -q "Version:.*5" ||
    err "clang did not write DWARF 5"

GCTRACE_OPTIONS=exitcode=0 "$G" run -q -o "$tmp/leak.db" -- "$tmp/leak" sem \
    > /dev/null 2>&1 || err "leak: run failed"
"$G" check --format json "$tmp/leak.db" > "$tmp/leak.json"
"$G" check "$tmp/leak.db" > "$tmp/leak.txt"
LD_PRELOAD="$LIB" GCTRACE_OUT="$tmp/abba.db" \
    GCTRACE_OPTIONS="watchdog_ms=300:abort_on_deadlock=1:finish=0" \
    timeout -s KILL 20 "$tmp/deadlock" abba > /dev/null 2>&1
"$G" check --format json "$tmp/abba.db" > "$tmp/abba.json"

python3 - "$tmp" "$here/progs" <<'PY' || err "see above"
import json, re, sys
tmp, progs = sys.argv[1:]
def line(name, text):
    src = open("%s/%s" % (progs, name)).read().split("\n")
    return [i + 1 for i, l in enumerate(src) if text in l][0]
def at(f, label, name, want):
    st = [s for s in f["stacks"] if re.fullmatch(label, s["label"])]
    if not st:
        sys.exit("no stack %r in %r" % (label, [s["label"] for s in f["stacks"]]))
    fr = [x for x in st[0]["frames"] if (x.get("file") or "").endswith(name)]
    if not fr or fr[0]["line"] != want:
        sys.exit("%s: %r, want %s:%d" % (label, st[0]["frames"][:3], name, want))
f = json.load(open(tmp + "/leak.json"))["findings"][0]
at(f, "blocked at", "leak_detail.c", line("leak_detail.c", "waits for a second item"))
at(f, "created at", "leak_detail.c", line("leak_detail.c", "pthread_create("))
f = json.load(open(tmp + "/abba.json"))["findings"][0]
if f["kind"] != "deadlock":
    sys.exit("abba: %r" % f["kind"])
at(f, r"main \(tid \d+\) took M\d here", "deadlock.c", line("deadlock.c", "abba: main takes a"))
at(f, r"main \(tid \d+\) waits for M\d, held by thread second \(tid \d+\), here",
   "deadlock.c", line("deadlock.c", "deadlocks: the other holds b"))
PY
grep -q "at consumer (leak_detail.c:[0-9]*)" "$tmp/leak.txt" ||
    err "text: no file:line: $(head -3 "$tmp/leak.txt")"
e2e_end test_clang_lines
