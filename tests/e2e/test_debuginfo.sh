#!/bin/sh
# Where a trace's file:line come from when the program's debug information
# is not in the program: a separate file found by its debug link beside
# the program or in .debug/, never a file of another build; and libdw's
# debuginfod client (curl and a TLS stack, half of a small trace's finish)
# is loaded only when servers are configured.
# Usage: tests/e2e/test_debuginfo.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

src=tests/e2e/progs/spawn_one.c
unset DEBUGINFOD_URLS

# main's frame in the trace of program $1: "function|file|line".
main_frame() {
    rm -f "$tmp/t.db"
    "$G" run -q -o "$tmp/t.db" -- "$1" > /dev/null 2> "$tmp/run.err" ||
        { err "$1: run failed: $(head -c 300 "$tmp/run.err")"; return; }
    sqlite3 "$tmp/t.db" "select function, file, line from frames
                         where function = 'main' limit 1" 2>&1
}

# split PROG DEBUGFILE: moves PROG's DWARF to DEBUGFILE, links to it.
split() {
    objcopy --only-keep-debug "$1" "$2" &&
        objcopy --strip-debug --add-gnu-debuglink="$2" "$1"
}

mkdir -p "$tmp/a" "$tmp/b/.debug" "$tmp/c" || exit 1
cc -O0 -g -pthread -o "$tmp/a/p" "$src" || exit 1
want=$(main_frame "$tmp/a/p")
case $want in
main\|*spawn_one.c\|[1-9]*) ;;
*) err "inline DWARF: main's frame is '$want'" ;;
esac

cc -O0 -g -pthread -o "$tmp/a/p" "$src" && split "$tmp/a/p" "$tmp/a/p.debug" ||
    exit 1
got=$(main_frame "$tmp/a/p")
[ "$got" = "$want" ] || err "debug link beside: '$got', want '$want'"

cc -O0 -g -pthread -o "$tmp/b/p" "$src" && split "$tmp/b/p" "$tmp/b/p.debug" &&
    mv "$tmp/b/p.debug" "$tmp/b/.debug/p.debug" || exit 1
got=$(main_frame "$tmp/b/p")
[ "$got" = "$want" ] || err "debug link in .debug/: '$got', want '$want'"

# Another build's debug file under the linked name: its lines would be
# wrong, so none are used; the symbol table still names main.
cc -O0 -g -pthread -o "$tmp/c/p" "$src" && split "$tmp/c/p" "$tmp/c/p.debug" ||
    exit 1
printf 'int other_build = 1;\n' > "$tmp/c/o.c" &&
    cc -O0 -g -pthread -o "$tmp/c/q" "$src" "$tmp/c/o.c" &&
    objcopy --only-keep-debug "$tmp/c/q" "$tmp/c/p.debug" || exit 1
got=$(main_frame "$tmp/c/p")
[ "$got" = "main||0" ] || err "another build's debug file: '$got', want 'main||0'"

# The debuginfod client: not without servers, loaded with them (a server
# that refuses at once, and a cache of the test's own).
cc -O0 -pthread -o "$tmp/nodebug" "$src" || exit 1
GCTRACE_OPTIONS=finish=0:report=0:out="$tmp/d.db" LD_PRELOAD="$LIB" \
    "$tmp/nodebug" > /dev/null || err "nodebug failed"
cp "$tmp/d.db.raw" "$tmp/e.db.raw"
LD_DEBUG=files "$G" finish --quiet -- "$tmp/d.db" 2> "$tmp/ld.log" ||
    err "finish failed: $(grep -v '^ *[0-9]*:' "$tmp/ld.log" | head -c 300)"
! grep -q libdebuginfod "$tmp/ld.log" ||
    err "the debuginfod client was loaded without DEBUGINFOD_URLS"
DEBUGINFOD_URLS=http://127.0.0.1:1 DEBUGINFOD_CACHE_PATH="$tmp/cache" \
    LD_DEBUG=files "$G" finish --quiet -- "$tmp/e.db" 2> "$tmp/ld.log" ||
    err "finish with DEBUGINFOD_URLS failed"
grep -q libdebuginfod "$tmp/ld.log" ||
    err "the debuginfod client was not asked with DEBUGINFOD_URLS set"
e2e_end test_debuginfo
