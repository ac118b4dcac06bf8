#!/bin/sh
# test_samples.sh BUILD - runs every bug_/fix_ sample twin and every
# pattern_* sample under `gctrace run`, then checks that `gctrace check`
# reports the expected finding kind for bug_ samples and nothing for the
# fix_ and pattern_ ones.
set -u
. "$(dirname "$0")/lib.sh"

# check_json FILE MODE [KIND] - MODE "has" asserts a finding of KIND,
# "one" that the one finding is of KIND (one bug, one finding),
# "none" asserts no findings, "lockstack" asserts a lock_order_cycle
# stack frame in bug_lock_order.c with a line > 0.
check_json() {
    python3 -c '
import json, sys
path, mode = sys.argv[1], sys.argv[2]
kind = sys.argv[3] if len(sys.argv) > 3 else None
try:
    d = json.load(open(path))
except Exception as e:
    sys.exit("invalid json: %s" % e)
f = d.get("findings")
if not isinstance(f, list):
    sys.exit("no findings array")
kinds = [x.get("kind") for x in f]
if mode == "none":
    if f:
        sys.exit("unexpected findings: %s" % kinds)
elif mode == "has":
    if kind not in kinds:
        sys.exit("expected %s, got %s" % (kind, kinds))
elif mode == "one":
    if kinds != [kind]:
        sys.exit("expected one %s, got %s" % (kind, kinds))
elif mode == "lockstack":
    ok = False
    for x in f:
        if x.get("kind") != "lock_order_cycle":
            continue
        for st in x.get("stacks", []):
            for fr in st["frames"]:
                if str(fr.get("file") or "").endswith("bug_lock_order.c") \
                        and (fr.get("line") or 0) > 0:
                    ok = True
    if not ok:
        sys.exit("no lock_order_cycle frame in bug_lock_order.c with line > 0")
    # Where each held lock was taken is a line of the sample, not one
    # inside goc_mutex_lock of libgoc.
    for x in f:
        for st in x.get("stacks", []):
            if "was taken here" in st["label"] and not \
                    str(st["frames"][0].get("file") or "").endswith("bug_lock_order.c"):
                sys.exit("held lock site is %r" % st["frames"][0])
' "$@"
}

# run_check NAME -> sets rc; leaves json in $tmp/NAME.json
run_check() {
    name=$1
    "$G" run -q -o "$tmp/$name.db" -- "$B/samples/$name" >"$tmp/$name.out" 2>&1
    runrc=$?
    if [ $runrc -ge 128 ]; then
        err "$name: gctrace run died with status $runrc"
    fi
    "$G" check --format json "$tmp/$name.db" >"$tmp/$name.json" 2>"$tmp/$name.err"
    rc=$?
}

for pair in bug_lock_order:lock_order_cycle bug_leaky_generator:leaked_thread \
        bug_unclosed_range:unclosed_channel bug_forgotten_cancel:context_leak \
        bug_blocked_send:leaked_thread bug_timer_leak:timer_leak; do
    bug=${pair%%:*}
    kind=${pair#*:}
    fix=fix_${bug#bug_}

    run_check "$bug"
    [ $rc -eq 1 ] || err "$bug: check exit $rc, want 1 ($(cat "$tmp/$bug.err"))"
    msg=$(check_json "$tmp/$bug.json" has "$kind" 2>&1) || err "$bug: $msg"
    case $bug in
    bug_forgotten_cancel|bug_timer_leak) # made at one site: one bug
        msg=$(check_json "$tmp/$bug.json" one "$kind" 2>&1) || err "$bug: $msg" ;;
    esac
    if [ "$bug" = bug_lock_order ]; then
        msg=$(check_json "$tmp/$bug.json" lockstack 2>&1) || err "$bug: $msg"
    fi

    run_check "$fix"
    [ $rc -eq 0 ] || err "$fix: check exit $rc, want 0 ($(cat "$tmp/$fix.err"))"
    msg=$(check_json "$tmp/$fix.json" none 2>&1) || err "$fix: $msg"
done

n=0
for p in "$B"/samples/pattern_*; do
    [ -x "$p" ] || continue
    name=$(basename "$p")
    n=$((n + 1))
    run_check "$name"
    [ $rc -eq 0 ] || err "$name: check exit $rc, want 0 ($(cat "$tmp/$name.err"))"
    msg=$(check_json "$tmp/$name.json" none 2>&1) || err "$name: $msg"
done
[ $n -gt 0 ] || err "no pattern_* samples in $B/samples"

# Without the preload: libgoc's instrumented build loads the recorder
# itself when a trace is asked for, and records libgoc's events.
# (LeakSanitizer's exit-time tracer crashes on the dlopen'ed, unsanitized
# recorder in an ASan build: leak checking is not what this tests.)
ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
GCTRACE_OUT="$tmp/nopreload.db" GCTRACE_LIB="$B/lib/libgctrace.so" \
    GCTRACE_OPTIONS=report=0:exitcode=0 "$B/samples/bug_leaky_generator" \
    > /dev/null 2>&1 || err "no preload: the sample failed"
"$G" check --format json "$tmp/nopreload.db" > "$tmp/nopreload.json" 2>&1
msg=$(check_json "$tmp/nopreload.json" has leaked_thread 2>&1) ||
    err "no preload: $msg"

# One bug, one finding: the three contexts that bug_forgotten_cancel's
# fetch() leaks, one a call, are one finding at fetch's line, naming
# all three; the message names the program's line, not libgoc's.
python3 - "$tmp/bug_forgotten_cancel.json" "$here/../../samples/bug_forgotten_cancel.c" <<'PY' || err "bug_forgotten_cancel: see above"
import json, re, sys
f = json.load(open(sys.argv[1]))["findings"]
src = open(sys.argv[2]).read().split("\n")
if [x["kind"] for x in f] != ["context_leak"] or len(f[0]["objects"]) != 3:
    sys.exit("findings %r" % [(x["kind"], len(x["objects"])) for x in f])
m = re.fullmatch(r"3 deadline contexts made at fetch \(bug_forgotten_cancel\.c:(\d+)\) "
                 r"were never cancelled: .*", f[0]["message"])
if not m or "goc_ctx_with" not in src[int(m.group(1)) - 1]:
    sys.exit("message %r" % f[0]["message"])
PY

if [ $fail -ne 0 ]; then
    echo "test_samples: FAILED" >&2
    exit 1
fi
echo "test_samples: ok (6 twins, $n patterns)"
