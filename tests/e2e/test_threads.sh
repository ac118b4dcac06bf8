#!/bin/sh
# Thread lifetimes: detached, joined and forgotten threads are told apart
# even when a detach reaches the recorder before the thread starts.
# Usage: tests/e2e/test_threads.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
build_prog detach detach.c
GCTRACE_OPTIONS=exitcode=0 "$G" run -q -o "$tmp/t.db" -- "$tmp/detach" \
    > /dev/null || { echo "FAIL: run"; exit 1; }
"$G" check --format json "$tmp/t.db" > "$tmp/t.json"
got=$(python3 -c 'import json,sys
f=json.load(open(sys.argv[1]))["findings"]
print(" ".join(x["kind"] for x in f), sum("forgotten" in str(x["stacks"]) or "main" in str(x["stacks"]) for x in f))' "$tmp/t.json")
[ "$got" = "unjoined_thread 1" ] || { echo "FAIL: found '$got', want one unjoined_thread"; exit 1; }
threads=$(sqlite3 "$tmp/t.db" "SELECT count(*) FROM threads WHERE detached = 1")
[ "$threads" -eq 200 ] || { echo "FAIL: $threads detached threads, want 200"; exit 1; }
echo "test_threads: ok"
