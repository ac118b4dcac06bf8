#!/bin/sh
# test_badinput.sh BUILD - gctrace must reject unreadable traces, bad flags
# and untraceable programs with exit 2, exactly one "gctrace:" line on
# stderr and nothing on stdout (never a crash), and reading a good trace
# must leave it byte-identical.
set -u
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null || { echo "FAIL: sqlite3 not installed" >&2; exit 1; }

# expect_usage_error DESC CMD... - runs CMD, checks the error contract.
expect_usage_error() {
    desc=$1
    shift
    "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    if [ $rc -ge 128 ]; then
        err "$desc: crashed with status $rc: $*"
        return
    fi
    [ $rc -eq 2 ] || err "$desc: exit $rc, want 2: $*"
    [ -s "$tmp/out" ] && err "$desc: wrote to stdout: $(head -c 200 "$tmp/out")"
    lines=$(wc -l <"$tmp/err")
    first=$(head -n 1 "$tmp/err")
    if [ "$lines" -ne 1 ]; then
        err "$desc: $lines lines on stderr, want 1: $* ->
$(sed 's/^/    /' "$tmp/err")"
    else
        case $first in
        gctrace:*) ;;
        *) err "$desc: stderr does not start with 'gctrace:': $first" ;;
        esac
    fi
}

# A real trace to corrupt and to check read-only access on.
"$G" run -q -o "$tmp/real.db" -- "$B/samples/bug_lock_order" >/dev/null 2>&1
[ -s "$tmp/real.db" ] || { echo "FAIL: could not record a trace" >&2; exit 1; }
"$G" report "$tmp/real.db" >/dev/null 2>&1 # make sure any raw log is finished

: >"$tmp/empty"
echo "this is not a trace" >"$tmp/text"
sqlite3 "$tmp/other" "create table x(a)"
mkdir "$tmp/dir"
cp "$tmp/real.db" "$tmp/v99.db"
sqlite3 "$tmp/v99.db" "update meta set value='99' where key='format_version'"
[ "$(sqlite3 "$tmp/v99.db" "select value from meta where key='format_version'")" = 99 ] ||
    err "could not set format_version to 99 in the copy"

cp "$tmp/real.db" "$tmp/v1.db"     # an older format: another schema
sqlite3 "$tmp/v1.db" "update meta set value='1' where key='format_version'"

for f in missing empty text other dir v99.db v1.db; do
    for cmd in check report; do
        expect_usage_error "$cmd $f" "$G" $cmd "$tmp/$f"
    done
done
expect_usage_error "check --bogus" "$G" check --bogus "$tmp/real.db"
expect_usage_error "report --bogus" "$G" report --bogus "$tmp/real.db"
expect_usage_error "run missing program" "$G" run -q -o "$tmp/m.db" -- "$tmp/no-such-program"
printf '#!/no-such-interpreter\n' >"$tmp/bad-interpreter"
chmod +x "$tmp/bad-interpreter"
expect_usage_error "run program whose interpreter is missing" \
    "$G" run -q -o "$tmp/i.db" -- "$tmp/bad-interpreter"
grep -q "interpreter was not found" "$tmp/err" ||
    err "missing interpreter: not said: $(cat "$tmp/err")"
[ -e "$tmp/i.db" ] || [ -e "$tmp/i.db.raw" ] &&
    err "missing interpreter: a trace or raw log was left"

printf 'int main(void) { return 0; }\n' >"$tmp/static.c"
if cc -static -o "$tmp/static" "$tmp/static.c" 2>/dev/null; then
    expect_usage_error "run static program" "$G" run -q -o "$tmp/s.db" -- "$tmp/static"
else
    echo "note: static libc not installed, skipping the static-program case"
fi

"$G" --help >/dev/null 2>&1 || err "gctrace --help: exit $?"
"$G" check --help >/dev/null 2>&1 || err "gctrace check --help: exit $?"

before=$(sha256sum <"$tmp/real.db")
for fmt in text json sarif; do
    "$G" check --format $fmt "$tmp/real.db" >/dev/null 2>&1
    rc=$?
    [ $rc -eq 1 ] || err "check --format $fmt real trace: exit $rc, want 1"
done
"$G" report "$tmp/real.db" >/dev/null 2>&1 || err "report real trace: exit $?"
after=$(sha256sum <"$tmp/real.db")
[ "$before" = "$after" ] || err "check/report modified the trace"
ls "$tmp"/real.db-* >/dev/null 2>&1 && err "check/report left $(ls "$tmp"/real.db-*)"

e2e_end test_badinput
