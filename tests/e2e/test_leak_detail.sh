#!/bin/sh
# test_leak_detail.sh BUILD - a leaked thread's report says what a person
# needs to fix it: where it blocks, since when, where it was created, the
# semaphore it waits on, and who posted it last and where (record=all), or
# that posts are not recorded in the default mode, rather than nothing.
# The twin, whose second post comes, is silent.
set -u
. "$(dirname "$0")/lib.sh"
build_prog leak leak_detail.c

for rec in all blocking; do
    GCTRACE_OPTIONS=record=$rec:exitcode=0 "$G" run -q -o "$tmp/$rec.db" -- \
        "$tmp/leak" sem > /dev/null 2>&1 || err "$rec: run failed"
    "$G" check --format json "$tmp/$rec.db" > "$tmp/$rec.json"
    "$G" check "$tmp/$rec.db" > "$tmp/$rec.txt"
done
GCTRACE_OPTIONS=record=all "$G" run -q -o "$tmp/ok.db" -- "$tmp/leak" sem_ok \
    > /dev/null 2>&1 || err "sem_ok: run failed or found something"
n=$("$G" check --format json "$tmp/ok.db" | grep -c '"kind"')
[ "$n" -eq 0 ] || err "sem_ok: $n findings, want none"

python3 - "$tmp" "$here/progs/leak_detail.c" <<'PY' || err "see above"
import json, re, sys
tmp, src = sys.argv[1], open(sys.argv[2]).read().split("\n")
def line(text):
    return [i + 1 for i, l in enumerate(src) if text in l][0]
def leak(rec):
    f = json.load(open("%s/%s.json" % (tmp, rec)))["findings"]
    if [x["kind"] for x in f] != ["leaked_thread"]:
        sys.exit("%s: findings %r" % (rec, [x["kind"] for x in f]))
    return f[0]
f = leak("all")
want = (r"thread consumer \(tid \d+\) leaked: still blocked on semaphore wait "
        r"of sem items \(0x[0-9a-f]+\) at consumer \(leak_detail.c:%d\) "
        r"\(since [0-9.]+ s into the run\), created at main "
        r"\(leak_detail.c:%d\); last posted by main \(tid \d+\) [0-9.]+ s "
        r"into the run, before this wait began"
        % (line("waits for a second item"), line("pthread_create(")))
if not re.fullmatch(want, f["message"]):
    sys.exit("all: message %r" % f["message"])
st = [s for s in f["stacks"] if re.fullmatch(r"last posted here, by main \(tid \d+\)", s["label"])]
if len(st) != 1 or st[0]["frames"][0].get("line") != line("the one post") \
        or not st[0]["frames"][0]["file"].endswith("leak_detail.c"):
    sys.exit("all: the post's site: %r" % st)
if "0x" in f["stable_message"] or "tid" in f["stable_message"]:
    sys.exit("all: stable message %r" % f["stable_message"])
f = leak("blocking")
if not f["message"].endswith("; who posted it last: not recorded (record=all)"):
    sys.exit("blocking: message %r" % f["message"])
PY
grep -q "last posted here, by main (tid [0-9]*):" "$tmp/all.txt" ||
    err "text: no site of the last post: $(cat "$tmp/all.txt")"
e2e_end test_leak_detail
