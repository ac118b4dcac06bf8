#!/bin/sh
# test_export.sh BUILD - `gctrace export --format chrome` writes a Chrome
# trace-event JSON timeline that matches the trace: valid JSON, a named
# track per thread, one span per wait with the wait's times, spans nested
# per track, the leaked generator's open wait lasting to the end of the run,
# flow arrows that pair up, strings escaped; bad input exits 2 with one line.
set -u
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { echo "FAIL: python3 not installed" >&2; exit 1; }

# check_export TRACE JSON [GENERATOR] - compares the export with the trace
# (read with python's own sqlite3); GENERATOR: also check the leaked
# generator's open wait.
check_export() {
    python3 - "$@" <<'EOF' || err "export of $1 does not match the trace"
import json, sqlite3, sys
from collections import defaultdict

trace, path = sys.argv[1], sys.argv[2]
generator = len(sys.argv) > 3
bad = []
with open(path, encoding="utf-8") as f:
    doc = json.load(f)
assert doc["displayTimeUnit"] == "ns", doc.get("displayTimeUnit")
ev = doc["traceEvents"]
db = sqlite3.connect("file:%s?mode=ro" % trace, uri=True)
q = lambda sql: db.execute(sql).fetchall()
run_end = int(q("select value from meta where key='duration_ns'")[0][0])

# every thread has a named track
names = defaultdict(list)
for e in ev:
    if e["ph"] == "M" and e["name"] == "thread_name":
        names[(e["pid"], e["tid"])].append(e["args"]["name"])
for tid_id, pid, tid, name in q("select id, pid, tid, name from threads"):
    if tid == pid:
        name = "main"  # a process's main thread is "main" everywhere
    if not names.get((pid, tid)):
        bad.append("thread %d (tid %d) has no thread_name" % (tid_id, tid))
    elif name and name not in names[(pid, tid)]:
        bad.append("thread %d named %r, track %r" % (tid_id, name,
                                                     names[(pid, tid)]))

# one span per wait, at the wait's times (1 us of rounding allowed)
spans = [e for e in ev if e["ph"] == "X" and e["cat"] == "wait"]
nwaits = q("select count(*) from waits")[0][0]
if len(spans) != nwaits:
    bad.append("%d wait spans, %d waits" % (len(spans), nwaits))
by_id = {e["args"]["wait_id"]: e for e in spans}
waits = q("select w.id, t.pid, t.tid, w.begin_ns, w.end_ns, r.name "
          "from waits w join threads t on t.id = w.thread_id "
          "join wait_reasons r using (reason)")
for wid, pid, tid, begin, end, reason in waits:
    e = by_id.get(wid)
    if e is None:
        bad.append("wait %d has no span" % wid)
        continue
    if (e["pid"], e["tid"]) != (pid, tid) or e["name"] != reason:
        bad.append("wait %d: span %r" % (wid, e))
    if abs(e["ts"] * 1000 - begin) > 1000:
        bad.append("wait %d: ts %s, begin_ns %d" % (wid, e["ts"], begin))
    want_end = end if end is not None else run_end
    if abs((e["ts"] + e["dur"]) * 1000 - want_end) > 1000:
        bad.append("wait %d: ends at %s us, want %d ns" %
                   (wid, e["ts"] + e["dur"], want_end))
    if (end is None) != bool(e["args"].get("open")):
        bad.append("wait %d: open flag wrong" % wid)
    st = e["args"].get("stack", [])
    if not st or not all(isinstance(s, str) and s for s in st):
        bad.append("wait %d: stack %r" % (wid, st))

# spans nest per track: every wait inside its thread's lifetime span, and
# no two spans on a track overlapping without one containing the other
tracks = defaultdict(list)
for e in ev:
    if e["ph"] == "X":
        b = round(e["ts"] * 1000)
        tracks[(e["pid"], e["tid"])].append((b, -round(e["dur"] * 1000),
                                             e["cat"]))
for key, v in tracks.items():
    v.sort()
    stack = []
    for b, negdur, cat in v:
        end = b - negdur
        # a zero-length span at its parent's very end is still inside it
        while stack and (stack[-1] < b or (stack[-1] == b and end > b)):
            stack.pop()
        if stack and end > stack[-1]:
            bad.append("track %r: span at %d overlaps its parent" % (key, b))
        if cat == "wait" and not stack:
            bad.append("track %r: wait at %d outside the lifetime" % (key, b))
        stack.append(end)

# flows come in pairs, start before they end
flows = defaultdict(dict)
for e in ev:
    if e["ph"] in "sf" and len(e["ph"]) == 1:
        flows[e["id"]][e["ph"]] = e
for fid, pair in flows.items():
    if set(pair) != {"s", "f"} or pair["s"]["ts"] > pair["f"]["ts"] \
            or pair["f"].get("bp") != "e":
        bad.append("flow %r: %r" % (fid, pair))

# instants: a thread_start per recorded one
starts = q("select count(*) from events e join event_kinds k using (kind) "
           "where k.name = 'thread_start'")[0][0]
got = sum(1 for e in ev if e["ph"] == "i" and e["name"] == "thread_start")
if got != starts:
    bad.append("%d thread_start instants, %d events" % (got, starts))

if generator:
    open_spans = [by_id[w[0]] for w in waits
                  if w[4] is None and w[0] in by_id]
    gen = [e for e in open_spans
           if "generator" in names.get((e["pid"], e["tid"]), [])]
    if len(gen) != 1:
        bad.append("want one open wait on the generator, got %r" % gen)
    elif abs((gen[0]["ts"] + gen[0]["dur"]) * 1000 - run_end) > 1000:
        bad.append("the generator's wait ends before the run: %r" % gen[0])

for b in bad:
    print("  " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
}

for s in bug_leaky_generator bug_lock_order; do
    "$G" run -q -o "$tmp/$s.db" -- "$B/samples/$s" >/dev/null 2>&1
    [ -s "$tmp/$s.db" ] || { echo "FAIL: could not record $s" >&2; exit 1; }
done

"$G" export --format chrome "$tmp/bug_leaky_generator.db" \
    >"$tmp/gen.json" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || err "export to stdout: exit $rc: $(cat "$tmp/err")"
[ -s "$tmp/err" ] && err "export wrote to stderr: $(cat "$tmp/err")"
check_export "$tmp/bug_leaky_generator.db" "$tmp/gen.json" generator

"$G" export --format=chrome -o "$tmp/lock.json" "$tmp/bug_lock_order.db" \
    >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 0 ] || err "export -o: exit $rc: $(cat "$tmp/out")"
[ -s "$tmp/out" ] && err "export -o wrote to the terminal: $(cat "$tmp/out")"
check_export "$tmp/bug_lock_order.db" "$tmp/lock.json"

# Strings from the program (thread names, paths) may hold quotes, control
# characters and bytes that are not UTF-8: still valid JSON.
cp "$tmp/bug_lock_order.db" "$tmp/odd.db"
python3 - "$tmp/odd.db" <<'EOF' || err "could not rename threads in a copy"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("update threads set name = ? where id = 2",
           ('q"b\\s\n\t\x01 \u00e9\u4e2d',))
db.execute("update threads set name = cast(x'41ff42c3' as text) "
           "where id = 3")
db.commit()
EOF
"$G" export "$tmp/odd.db" >"$tmp/odd.json" 2>/dev/null ||
    err "export of renamed threads: exit $?"
python3 - "$tmp/odd.json" <<'EOF' || err "names with odd characters escaped wrongly"
import json, sys
names = {e["args"]["name"] for e in json.load(open(sys.argv[1], "rb"))
         ["traceEvents"] if e["ph"] == "M" and e["name"] == "thread_name"}
want = {'q"b\\s\n\t\x01 \u00e9\u4e2d', "A\ufffdB\ufffd"}
missing = want - names
if missing:
    print("  missing %r in %r" % (missing, names), file=sys.stderr)
    sys.exit(1)
EOF

# Under record=all the export has every lock hold (an async b/e pair per
# acquisition, balanced on each holder's track) and each channel send and
# receive; under the default mode, no hold, and of the channel operations
# only each thread's first send and first receive on each channel.
for mode in all blocking; do
    GCTRACE_OPTIONS=record=$mode "$G" run -q -o "$tmp/lb.$mode.db" -- \
        "$B/bench/lock_bench" nested 500 >/dev/null 2>&1
    GCTRACE_OPTIONS=record=$mode "$G" run -q -o "$tmp/pp.$mode.db" -- \
        "$B/samples/pattern_pipeline" >/dev/null 2>&1
    "$G" export "$tmp/lb.$mode.db" >"$tmp/lb.$mode.json" || err "export lb.$mode"
    "$G" export "$tmp/pp.$mode.db" >"$tmp/pp.$mode.json" || err "export pp.$mode"
done
python3 - "$tmp" <<'EOF' || err "record=all's holds and channel operations"
import collections, json, sqlite3, sys
tmp = sys.argv[1]
bad = []
for mode in ("all", "blocking"):
    ev = json.load(open("%s/lb.%s.json" % (tmp, mode)))["traceEvents"]
    holds = [e for e in ev if e.get("cat") == "lock"]
    acq = sqlite3.connect("%s/lb.%s.db" % (tmp, mode)).execute(
        "SELECT count(*) FROM events e JOIN event_kinds k USING (kind) "
        "WHERE k.name = 'lock_acquire'").fetchone()[0]
    begins = sum(e["ph"] == "b" for e in holds)
    if begins != acq:
        bad.append("%s: %d hold slices for %d acquisitions" % (mode, begins, acq))
    if mode == "all" and acq < 2000:
        bad.append("record=all: only %d acquisitions in the trace" % acq)
    depth = collections.Counter()
    for e in sorted(holds, key=lambda e: e["ts"]):
        depth[e["id2"]["local"]] += 1 if e["ph"] == "b" else -1
        if depth[e["id2"]["local"]] < 0:
            bad.append("%s: a hold ends before it begins" % mode)
            break
    if any(depth.values()):
        bad.append("%s: unbalanced holds %s" % (mode, dict(depth)))
    ev = json.load(open("%s/pp.%s.json" % (tmp, mode)))["traceEvents"]
    ops = collections.Counter(e["name"] for e in ev
                              if e["name"] in ("chan_send", "chan_recv"))
    if not (ops["chan_send"] > 0 and ops["chan_recv"] > 0):
        bad.append("%s: channel operations %s" % (mode, dict(ops)))
    db = sqlite3.connect("%s/pp.%s.db" % (tmp, mode))
    n, again = db.execute(
        "SELECT sum(n), sum(n > 1) FROM (SELECT count(*) AS n FROM events "
        "WHERE kind IN (SELECT kind FROM event_kinds WHERE name IN "
        "('chan_send', 'chan_recv')) GROUP BY thread_id, object_id, kind)"
    ).fetchone()
    if n != ops["chan_send"] + ops["chan_recv"]:
        bad.append("%s: %d channel operations exported of %d" % (mode, sum(ops.values()), n))
    if (mode == "all") != (again > 0):
        bad.append("%s: %d thread's sides of a channel recorded more than "
                   "once" % (mode, again))
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF

# expect_usage_error DESC CMD... - exit 2, one "gctrace:" line, no output.
expect_usage_error() {
    desc=$1
    shift
    "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    [ $rc -eq 2 ] || err "$desc: exit $rc, want 2: $*"
    [ -s "$tmp/out" ] && err "$desc: wrote to stdout: $(head -c 200 "$tmp/out")"
    [ "$(wc -l <"$tmp/err")" -eq 1 ] ||
        err "$desc: want one line on stderr: $(cat "$tmp/err")"
    case $(head -n 1 "$tmp/err") in
    gctrace:*) ;;
    *) err "$desc: stderr does not start with 'gctrace:'" ;;
    esac
}

expect_usage_error "bad format" "$G" export --format svg "$tmp/bug_lock_order.db"
expect_usage_error "missing trace" "$G" export --format chrome "$tmp/no-such.db"
expect_usage_error "missing trace, -o" "$G" export -o "$tmp/none.json" "$tmp/no-such.db"
[ -e "$tmp/none.json" ] && err "export -o created its file for a missing trace"
expect_usage_error "no trace" "$G" export --format chrome
expect_usage_error "unknown option" "$G" export --bogus "$tmp/bug_lock_order.db"
echo "not a trace" >"$tmp/text"
expect_usage_error "not a trace" "$G" export "$tmp/text"
"$G" export --help >"$tmp/out" 2>&1 || err "export --help: exit $?"
grep -q "format chrome" "$tmp/out" || err "export --help says nothing of the format"

e2e_end test_export
