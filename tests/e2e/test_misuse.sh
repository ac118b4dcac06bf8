#!/bin/sh
# Every misuse subkind is caught in its program and silent in its twin;
# suppressions silence what they match, from check and from the
# recorder's options; SARIF output is well-formed and points at the
# user's line.
# Usage: tests/e2e/test_misuse.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

# GCT_TEST_CFLAGS: the sanitizer flags the build's libgoc was made with
# shellcheck disable=SC2086
build_goc_prog misuse misuse.c

pair() {
    bug=$1 twin=$2 want=$3
    for mode in "$bug" "$twin"; do
        GCTRACE_OPTIONS=exitcode=0 "$G" run -q -o "$tmp/$mode.db" -- \
            "$tmp/misuse" "$mode" > /dev/null || err "$mode: run failed"
    done
    got=$(found "$tmp/$bug.db")
    [ "$got" = "misuse/$want" ] || err "$bug: found '$got', want misuse/$want"
    got=$(found "$tmp/$twin.db")
    [ -z "$got" ] || err "$twin: found '$got', want nothing"
}

pair unlock_unlocked ok_unlock unlock_of_unlocked
pair unlock_foreign ok_foreign unlock_of_foreign_lock
pair destroy_held ok_destroy destroy_of_held_lock
pair exit_holding ok_exit exit_while_holding_lock
pair cond_no_mutex ok_cond cond_wait_without_mutex
pair double_close ok_close double_close
pair send_closed ok_send send_on_closed_channel
pair negative_wg ok_wg negative_waitgroup
pair recursive_once ok_once recursive_once
pair sema_over ok_sema semaphore_over_release
pair close_nil ok_close_nil close_of_nil_channel
pair group_limit ok_group_limit errgroup_set_limit_while_running

# Suppressions: by function name, from check and from GCTRACE_OPTIONS.
printf '# the test silences its own misuse\nmisuse:main\n' > "$tmp/supp"
got=$(found --suppressions "$tmp/supp" "$tmp/double_close.db")
[ -z "$got" ] || err "suppressed check still found '$got'"
GCTRACE_OPTIONS="suppressions=$tmp/supp" LD_PRELOAD="$B/lib/libgctrace.so" \
    GCTRACE_OUT="$tmp/s.db" "$tmp/misuse" double_close > /dev/null 2>&1
[ $? -eq 0 ] || err "a suppressed finding still changed the exit status"
printf 'misuse\n' > "$tmp/badsupp"
"$G" check --suppressions "$tmp/badsupp" "$tmp/double_close.db" \
    > /dev/null 2> "$tmp/err"
[ $? -eq 2 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] ||
    err "a malformed suppressions file: want exit 2 and one line"

# SARIF: version 2.1.0, one result, located at the user's source line.
"$G" check --format sarif "$tmp/double_close.db" > "$tmp/s.sarif"
[ $? -eq 1 ] || err "sarif: want exit 1"
python3 - "$tmp/s.sarif" <<'PY' || err "sarif: not as expected"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["version"] == "2.1.0"
run = s["runs"][0]
assert run["tool"]["driver"]["name"] == "gctrace"
rules = {r["id"] for r in run["tool"]["driver"]["rules"]}
[r] = run["results"]
assert r["ruleId"] == "misuse/double_close" and r["ruleId"] in rules
loc = r["locations"][0]["physicalLocation"]
assert loc["artifactLocation"]["uri"].endswith("tests/e2e/progs/misuse.c"), loc
assert loc["region"]["startLine"] > 0
PY
e2e_end test_misuse
