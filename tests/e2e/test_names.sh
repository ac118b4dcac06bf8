#!/bin/sh
# Objects and threads named as the code names them (progs/names.c):
#  - a global mutex by its symbol, a static one inside a struct by its
#    symbol and offset, a heap one by "made at FILE:LINE (function)", the
#    address only in parentheses; within the cycle, short names M1, M2,
#    M3, each defined once;
#  - a named pthread is a "thread", never a "goroutine"; an unnamed one is
#    named by its start routine (and its creation site in the JSON); the
#    main thread is "main" in the findings, the JSON, the report and the
#    export;
#  - the stable message (JSON stable_message, SARIF message.text) has no
#    address (a "0x" not after a symbol's "+"), tid or time.
set -u
. "$(dirname "$0")/lib.sh"

build_prog names names.c
heap_line=$(grep -n "HEAP LOCK MADE HERE" "$here/progs/names.c" | cut -d: -f1)

GCTRACE_OPTIONS=exitcode=0 "$G" run -q -o "$tmp/n.db" -- "$tmp/names" \
    >/dev/null 2>&1 || err "run failed"
"$G" check "$tmp/n.db" >"$tmp/text" 2>&1
"$G" check --format json "$tmp/n.db" >"$tmp/n.json"
"$G" check --format sarif "$tmp/n.db" >"$tmp/n.sarif"
"$G" report "$tmp/n.db" >"$tmp/report"
"$G" export "$tmp/n.db" >"$tmp/export.json"

has() { grep -qF -- "$2" "$1" || err "$1 lacks: $2"; }
has "$tmp/text" "lock-order inversion between 3 locks: M1 -> M2 -> M3 -> M1, with M"
has "$tmp/text" "= mutex accounts_lock (0x"
has "$tmp/text" "= mutex vault+0x8 (0x"
has "$tmp/text" "= mutex made at names.c:$heap_line (make_lock) (0x"
has "$tmp/text" "thread 'sleeper' (tid "
has "$tmp/text" "still blocked on condvar wait of cond wake_cond (0x"
grep -q "goroutine" "$tmp/text" && err "a pthread called a goroutine"
grep -qE "edge [0-9]: (M[0-9]) taken here while holding M[0-9], by thread [a-z_]+ \(tid [0-9]+\), created at [a-z_]+ \(names.c:[0-9]+\):" "$tmp/text" ||
    err "edges not named by their short names"
# each short name defined once
for m in M1 M2 M3; do
    n=$(grep -o "$m = " "$tmp/text" | wc -l)
    [ "$n" -eq 1 ] || err "$m defined $n times"
done
grep -qE "^  [0-9]+ main running" "$tmp/report" || err "report: no main"
has "$tmp/report" "mutex accounts_lock (0x"
grep -qE "^  [0-9]+ teller\(\) joined" "$tmp/report" ||
    err "report: the unnamed thread is not named by its start routine"

python3 - "$tmp" <<'PY' || err "names: see above"
import json, re, sys
tmp = sys.argv[1]
# an address: 0x not after a symbol's "+" (vault+0x8 is the same every run)
addr = re.compile(r"(?<!\+)0x")
bad = []
doc = json.load(open(tmp + "/n.json"))
cycle = [f for f in doc["findings"] if f["kind"] == "lock_order_cycle"]
leak = [f for f in doc["findings"] if f["kind"] == "leaked_thread"]
if len(cycle) != 1 or len(leak) != 1:
    bad.append("findings: %s" % [f["kind"] for f in doc["findings"]])
else:
    c = cycle[0]
    syms = sorted(str(o["symbol"]) for o in c["objects"])
    if syms != ["None", "accounts_lock", "vault+0x8"]:
        bad.append("symbols %s" % syms)
    for o in c["objects"]:
        if o["address"] not in o["label"] or \
                not o["label"].endswith("(%s)" % o["address"]):
            bad.append("address not in parentheses at the end: %r" % o["label"])
    labels = sorted(t["label"].split(" (tid ")[0] for t in c["threads"])
    if labels != ["main", "thread 'auditor'", "thread teller"]:
        bad.append("thread labels %s" % labels)
    for t in c["threads"]:
        if t["goroutine"] is not None:
            bad.append("a pthread with a goroutine id: %r" % t)
    routines = sorted(str(t["start_routine"]) for t in c["threads"])
    if routines != ["None", "auditor", "teller"]:
        bad.append("start routines %s" % routines)
    for t in c["threads"]:
        main = t["label"].startswith("main ")
        if main != (t["created_at"] is None) or not main and \
                not re.fullmatch(r"main \(names\.c:\d+\)", t["created_at"]):
            bad.append("created_at %r of %r" % (t["created_at"], t["label"]))
    s = c["stable_message"]
    if not s.startswith("lock-order inversion between 3 locks: M1 -> M2 -> "
                        "M3 -> M1, with M") or "accounts_lock" not in s:
        bad.append("stable message %r" % s)
    want = (r"thread 'sleeper' leaked: still blocked on condvar wait of "
            r"cond wake_cond at sleeper \(names\.c:\d+\), created at main "
            r"\(names\.c:\d+\); who signalled it last: not recorded "
            r"\(record=all\)")
    if not re.fullmatch(want, leak[0]["stable_message"]):
        bad.append("leak's stable message %r" % leak[0]["stable_message"])
for f in doc["findings"]:
    m = f["stable_message"]
    if addr.search(m) or "tid " in m or "since" in m:
        bad.append("stable message with an address, tid or time: %r" % m)
sarif = json.load(open(tmp + "/n.sarif"))
for r in sarif["runs"][0]["results"]:
    texts = [r["message"]["text"]] + [
        tf.get("message", {}).get("text", "")
        for cf in r.get("codeFlows", []) for tf in cf["threadFlows"]]
    for t in texts:
        if addr.search(t) or "tid " in t:
            bad.append("SARIF message %r" % t)
tracks = {(e["pid"], e["tid"]): e["args"]["name"]
          for e in json.load(open(tmp + "/export.json"))["traceEvents"]
          if e["ph"] == "M" and e["name"] == "thread_name"}
main = [n for (p, t), n in tracks.items() if p == t]
if main != ["main"]:
    bad.append("export: main's track is %s" % main)
if "teller()" not in tracks.values():
    bad.append("export: tracks %s" % sorted(tracks.values()))
waits = [e["args"].get("object", {}) for e in
         json.load(open(tmp + "/export.json"))["traceEvents"]
         if e["ph"] == "X" and e.get("cat") == "wait"]
if not any(o.get("symbol") == "wake_cond" for o in waits):
    bad.append("export: no wait on an object with symbol wake_cond: %s" % waits)
if bad:
    print("\n".join(bad))
sys.exit(1 if bad else 0)
PY

# Two names at one address (progs/aliases.c): the first in strcmp's
# order names the lock and the function, whatever the symbol table's
# order, in every run.
build_prog aliases aliases.c
GCTRACE_OPTIONS=exitcode=0 "$G" run -q -o "$tmp/a.db" -- "$tmp/aliases" \
    >/dev/null 2>&1 || err "aliases: run failed"
got=$(q "$tmp/a.db" "SELECT group_concat(symbol, ' ') FROM
    (SELECT symbol FROM objects WHERE symbol IS NOT NULL ORDER BY symbol)")
[ "$got" = "alpha_lock bravo_lock" ] || err "aliases: locks named $got"
got=$(q "$tmp/a.db" "SELECT group_concat(function, ' ') FROM
    (SELECT DISTINCT function FROM frames WHERE function LIKE '%_make'
     ORDER BY function)")
[ "$got" = "alpha_make bravo_make" ] || err "aliases: functions named $got"

e2e_end test_names
