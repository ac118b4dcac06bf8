#!/bin/sh
# test_formats.sh BUILD - what CI systems and programs read:
#  - `check --format json` has exactly the fields docs/json.md lists, with
#    their types, for findings of several kinds;
#  - each finding's id (its fingerprint) is the same in two runs of the
#    same program, differs between different bugs, and is SARIF's
#    partialFingerprints;
#  - SARIF: every rule has a short and full description and help in text
#    and markdown; every result names a rule by id and index, has a level
#    and a fingerprint; its locations are relative to %SRCROOT% (the
#    --source-root, by default the git work tree around the current
#    directory), and files outside it are absolute file: URIs;
#  - SARIF's message texts are the same in two runs of a sample, with no
#    address or tid in any of them;
#  - docs/findings.md is what `check --rules` prints.
set -u
. "$(dirname "$0")/lib.sh"

"$G" check --rules >"$tmp/rules.md"
cmp -s "$tmp/rules.md" "$root/docs/findings.md" ||
    err "docs/findings.md differs from 'gctrace check --rules' (regenerate it)"

# Two runs of each sample, from the source tree (as a user's CI would).
for s in bug_lock_order bug_unclosed_range bug_leaky_generator \
         bug_forgotten_cancel; do
    for r in 1 2; do
        (cd "$root" && "$G" run -q -o "$tmp/$s.$r.db" -- "$B/samples/$s") \
            >/dev/null 2>&1
        (cd "$root" && "$G" check --format json "$tmp/$s.$r.db") \
            >"$tmp/$s.$r.json"
        (cd "$root" && "$G" check --format sarif "$tmp/$s.$r.db") \
            >"$tmp/$s.$r.sarif"
    done
done
(cd / && "$G" check --format sarif --source-root "$root" \
    "$tmp/bug_lock_order.1.db") >"$tmp/rooted.sarif"

python3 - "$tmp" "$root" <<'PY' || err "formats: see above"
import json, os, re, sys
tmp, root = sys.argv[1], sys.argv[2]
samples = ["bug_lock_order", "bug_unclosed_range", "bug_leaky_generator",
           "bug_forgotten_cancel"]
bad = []

# docs/json.md: one table per "### name": field -> allowed JSON types.
types = {"string": str, "number": int, "array": list, "object": dict,
         "boolean": bool, "null": type(None)}
tables, cur = {}, None
for line in open(os.path.join(root, "docs/json.md")):
    m = re.match(r"### (\w+)", line)
    if m:
        cur = tables.setdefault(m.group(1), {})
        continue
    m = re.match(r"\| (\w+) \| ([a-z ]+?) \|", line)
    if cur is not None and m and m.group(1) != "field":
        cur[m.group(1)] = tuple(types[t] for t in m.group(2).split(" or "))

def shape(value, table, where):
    spec = tables[table]
    if set(value) != set(spec):
        bad.append("%s: fields %s, docs/json.md lists %s"
                   % (where, sorted(value), sorted(spec)))
    for k, allowed in spec.items():
        if k in value and not isinstance(value[k], allowed):
            bad.append("%s.%s: %r is not %s" % (where, k, value[k], allowed))

def sarif_messages(doc):
    """Every message text of a SARIF log, wherever it is."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            if k == "message" and isinstance(v, dict) and "text" in v:
                yield v["text"]
            else:
                yield from sarif_messages(v)
    elif isinstance(doc, list):
        for v in doc:
            yield from sarif_messages(v)

ids = {}
for s in samples:
    runs = []
    for r in (1, 2):
        doc = json.load(open("%s/%s.%d.json" % (tmp, s, r)))
        shape(doc, "top", s)
        if doc.get("format_version") != 1 or not doc.get("findings"):
            bad.append("%s: no findings, or format_version not 1" % s)
        for i, f in enumerate(doc.get("findings", [])):
            w = "%s finding %d" % (s, i)
            shape(f, "finding", w)
            for t in f["threads"]: shape(t, "thread", w + " thread")
            for o in f["objects"]: shape(o, "object", w + " object")
            for st in f["stacks"]:
                shape(st, "stack", w + " stack")
                for fr in st["frames"]: shape(fr, "frame", w + " frame")
            if not re.fullmatch(r"[0-9a-f]{16}", f["id"]):
                bad.append("%s: id %r" % (w, f["id"]))
        runs.append(sorted((f["kind"], f["id"]) for f in doc["findings"]))
        sarif = json.load(open("%s/%s.%d.sarif" % (tmp, s, r)))
        fps = sorted(x["partialFingerprints"]["gctrace/v1"]
                     for x in sarif["runs"][0]["results"])
        if fps != sorted(i for _, i in runs[-1]):
            bad.append("%s: SARIF fingerprints are not JSON's ids" % s)
    if runs[0] != runs[1]:
        bad.append("%s: ids differ between runs: %s / %s" % (s, runs[0], runs[1]))
    # SARIF's texts are the same in both runs, and hold no address (a 0x
    # not after a symbol's "+": alice+0x8 is the same every run) nor tid
    texts = []
    for r in (1, 2):
        sarif = json.load(open("%s/%s.%d.sarif" % (tmp, s, r)))
        texts.append(sorted(x["message"]["text"]
                            for x in sarif["runs"][0]["results"]))
        for t in sarif_messages(sarif):
            if re.search(r"(?<!\+)0x", t) or "tid " in t:
                bad.append("%s: SARIF message %r" % (s, t))
    if texts[0] != texts[1]:
        bad.append("%s: SARIF messages differ between runs: %s / %s"
                   % (s, texts[0], texts[1]))
    for kind, i in runs[0]:
        if i in ids and ids[i] != s:
            bad.append("%s and %s share id %s" % (s, ids[i], i))
        ids[i] = s

def sarif_checks(path, expect_rel):
    doc = json.load(open(path))
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for r in rules:
        for k in ("shortDescription", "fullDescription"):
            if not r.get(k, {}).get("text"):
                bad.append("rule %s: no %s" % (r["id"], k))
        h = r.get("help", {})
        if not h.get("text") or not h.get("markdown"):
            bad.append("rule %s: help lacks text or markdown" % r["id"])
    if "example.invalid" in json.dumps(doc):
        bad.append("a placeholder URI in the SARIF")
    base = run.get("originalUriBaseIds", {}).get("%SRCROOT%", {}).get("uri", "")
    for x in run["results"]:
        rule = rules[x["ruleIndex"]]
        if rule["id"] != x["ruleId"]:
            bad.append("result %s: ruleIndex names %s" % (x["ruleId"], rule["id"]))
        if x.get("level") not in ("error", "warning", "note"):
            bad.append("result %s: level %r" % (x["ruleId"], x.get("level")))
        for loc in x.get("locations", []):
            a = loc["physicalLocation"]["artifactLocation"]
            if expect_rel:
                if a.get("uriBaseId") != "%SRCROOT%" or a["uri"].startswith("/") \
                        or not os.path.exists(os.path.join(root, a["uri"])):
                    bad.append("%s: location %r not relative to %s" % (path, a, root))
                if base != "file://" + root + "/":
                    bad.append("%s: %%SRCROOT%% is %r" % (path, base))
            elif not a["uri"].startswith("file:///") or "uriBaseId" in a:
                bad.append("%s: outside the source root, location %r" % (path, a))

# Run from the source tree: its git work tree, or the current directory
# when it is none (a copy of the tree), is the root either way.
sarif_checks(tmp + "/bug_lock_order.1.sarif", True)
sarif_checks(tmp + "/rooted.sarif", True)
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY

e2e_end test_formats
