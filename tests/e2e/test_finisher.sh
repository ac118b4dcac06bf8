#!/bin/sh
# The finishing step at a traced program's exit.  A normal build has
# libexec/gctrace-finish, the static helper (viewer/finisher/main.c): the
# recorder must run it, not the dynamic gctrace, and the trace and
# findings it writes must be those `gctrace finish` writes from the same
# raw log.  A sanitizer build has no helper: the recorder must fall back
# to `gctrace finish`.  With DEBUGINFOD_URLS set the helper hands over to
# gctrace, which can load the debuginfod client, or finishes without it
# when there is no gctrace beside it; a helper asked for a missing trace
# says so in one line and exits 2.
# Usage: tests/e2e/test_finisher.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
H=$B/libexec/gctrace-finish

build_prog lockorder lockorder.c

# At exit.  The dynamic loader's log (LD_DEBUG=files) names every program
# that loads libraries: gctrace does, the static helper cannot.
LD_DEBUG=files GCTRACE_OPTIONS=report=0:out="$tmp/a.db" LD_PRELOAD="$LIB" \
    "$tmp/lockorder" inversion > /dev/null 2> "$tmp/ld.log"
rc=$?
[ $rc = 66 ] || err "lockorder inversion: exit $rc, want 66 (a finding)"
if [ -x "$H" ]; then
    ! grep -q "needed by .*/bin/gctrace" "$tmp/ld.log" ||
        err "the recorder ran gctrace at exit, not gctrace-finish"
else
    grep -q "needed by .*/bin/gctrace" "$tmp/ld.log" ||
        err "no gctrace-finish in this build, and gctrace did not run at exit"
fi
n=$(sqlite3 "$tmp/a.db" "select count(*) from findings
                         where kind = 'lock_order_cycle'" 2>&1)
[ "$n" = 1 ] || err "findings in the trace finished at exit: '$n', want 1"

if [ -x "$H" ]; then
    # The helper and gctrace, each on a copy of one raw log.
    GCTRACE_OPTIONS=report=0:exitcode=0:finish=0:out="$tmp/h.db" \
        LD_PRELOAD="$LIB" "$tmp/lockorder" inversion > /dev/null ||
        err "lockorder with finish=0 failed"
    cp "$tmp/h.db.raw" "$tmp/g.db.raw"
    "$H" --quiet -- "$tmp/h.db"
    rc=$?
    [ $rc = 1 ] || err "gctrace-finish: exit $rc, want 1 (findings)"
    "$G" finish --quiet -- "$tmp/g.db"
    rc=$?
    [ $rc = 1 ] || err "gctrace finish: exit $rc, want 1 (findings)"
    what="select (select count(*) from events) || ' events, ' ||
                 (select count(*) from frames) || ' frames, ' ||
                 (select group_concat(kind) from findings)"
    h=$(sqlite3 "$tmp/h.db" "$what" 2>&1)
    g=$(sqlite3 "$tmp/g.db" "$what" 2>&1)
    case $h in
    *" events, "*) [ "$h" = "$g" ] ||
        err "gctrace-finish wrote '$h', gctrace finish '$g'" ;;
    *) err "gctrace-finish's trace: '$h'" ;;
    esac

    # DEBUGINFOD_URLS: handed over to gctrace.
    GCTRACE_OPTIONS=report=0:exitcode=0:finish=0:out="$tmp/d.db" \
        LD_PRELOAD="$LIB" "$tmp/lockorder" inversion > /dev/null ||
        err "lockorder with finish=0 failed"
    DEBUGINFOD_URLS=http://127.0.0.1:1 DEBUGINFOD_CACHE_PATH="$tmp/cache" \
        LD_DEBUG=files "$H" --quiet -- "$tmp/d.db" 2> "$tmp/ld.log"
    rc=$?
    [ $rc = 1 ] || err "gctrace-finish with DEBUGINFOD_URLS: exit $rc, want 1"
    grep -q "needed by .*/bin/gctrace" "$tmp/ld.log" ||
        err "gctrace-finish did not hand DEBUGINFOD_URLS over to gctrace"

    # With no gctrace beside it, the helper says so in one line and
    # finishes the trace itself, without debuginfod.
    mkdir -p "$tmp/alone/libexec" && cp "$H" "$tmp/alone/libexec/" || exit 1
    GCTRACE_OPTIONS=report=0:exitcode=0:finish=0:out="$tmp/x.db" \
        LD_PRELOAD="$LIB" "$tmp/lockorder" inversion > /dev/null ||
        err "lockorder with finish=0 failed"
    DEBUGINFOD_URLS=http://127.0.0.1:1 DEBUGINFOD_CACHE_PATH="$tmp/cache" \
        "$tmp/alone/libexec/gctrace-finish" --quiet -- "$tmp/x.db" \
        2> "$tmp/err"
    rc=$?
    [ $rc = 1 ] || err "gctrace-finish alone: exit $rc, want 1 (findings)"
    [ "$(wc -l < "$tmp/err")" = 1 ] && grep -q "without them" "$tmp/err" ||
        err "gctrace-finish alone said: $(cat "$tmp/err")"
    n=$(sqlite3 "$tmp/x.db" "select count(*) from findings" 2>&1)
    [ "$n" = 1 ] || err "gctrace-finish alone: findings '$n', want 1"

    # A missing trace: one line, exit 2.
    "$H" --quiet -- "$tmp/none.db" 2> "$tmp/err"
    rc=$?
    [ $rc = 2 ] || err "gctrace-finish on a missing trace: exit $rc, want 2"
    [ "$(wc -l < "$tmp/err")" = 1 ] ||
        err "gctrace-finish on a missing trace said: $(cat "$tmp/err")"
fi
e2e_end test_finisher
