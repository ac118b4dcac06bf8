#!/bin/sh
# test_install.sh BUILD - `make install` into a temporary DESTDIR and
# PREFIX gives a working product: the installed gctrace runs a sample with
# the installed shim and finishing helper, a program built with
# pkg-config against the installed libgoc_trace is traced with its
# channels, the man page renders and names every recorder option, and
# `make uninstall` removes every file it installed.
set -u
. "$(dirname "$0")/lib.sh"
dest=$tmp/dest
prefix=/opt/gctrace-test
P=$dest$prefix

# The build's own sanitizer flags, so that make sees its targets as made.
mk() {
    make -s -C "$root" BUILD="$B" SAN="${GCT_TEST_CFLAGS:-}" \
        DESTDIR="$dest" PREFIX="$prefix" "$@" >"$tmp/make.log" 2>&1 ||
        { err "make $*: $(tail -3 "$tmp/make.log")"; e2e_end test_install; }
}
mk install

for f in bin/gctrace lib/libgctrace.so include/goc.h include/gctrace.h \
         lib/libgoc.a lib/libgoc_trace.a lib/pkgconfig/goc.pc \
         lib/pkgconfig/goc_trace.pc share/man/man1/gctrace.1; do
    [ -f "$P/$f" ] || err "not installed: $f"
done
[ -n "${GCT_TEST_CFLAGS:-}" ] || [ -x "$P/libexec/gctrace-finish" ] ||
    err "not installed: libexec/gctrace-finish"
for l in goc goc_trace; do
    so=$(readelf -d "$P/lib/lib$l.so" 2>/dev/null |
         sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
    [ "$so" = "lib$l.so.0" ] || err "lib$l.so: soname '$so', not lib$l.so.0"
    [ -e "$P/lib/$so" ] || err "lib$l.so: no $so beside it"
done

# The installed gctrace preloads the installed shim (the loader says which
# file it mapped) and finds a sample's lock-order inversion.
LD_DEBUG=files "$P/bin/gctrace" run -o "$tmp/lo.db" -- \
    "$B/samples/bug_lock_order" >/dev/null 2>"$tmp/lo.err"
rc=$?
[ "$rc" -eq 66 ] || err "installed run: exit $rc, not 66"
grep -q "file=$P/lib/libgctrace.so " "$tmp/lo.err" ||
    err "installed run did not preload $P/lib/libgctrace.so"
"$P/bin/gctrace" check --format json "$tmp/lo.db" >"$tmp/lo.json"
grep -q '"kind": *"lock_order_cycle"' "$tmp/lo.json" ||
    err "installed check: no lock_order_cycle"

# Preloaded by hand, the installed shim finishes its trace at exit with
# the installed helper: the trace is whole and its raw log gone.
LD_PRELOAD=$P/lib/libgctrace.so GCTRACE_OUT=$tmp/pre.db \
    "$B/samples/bug_lock_order" >/dev/null 2>&1
rc=$?
[ "$rc" -eq 66 ] || err "installed shim by hand: exit $rc, not 66"
[ -e "$tmp/pre.db.raw" ] && err "installed shim left its raw log unfinished"
[ "$(sqlite3 "$tmp/pre.db" "SELECT count(*) FROM findings
        WHERE kind = 'lock_order_cycle'" 2>&1)" -ge 1 ] 2>/dev/null ||
    err "installed shim by hand: no lock_order_cycle in the trace"

# A program linked with pkg-config against the installed libgoc_trace:
# its channels are seen, so it is the instrumented build that runs.
pc() {
    PKG_CONFIG_PATH=$P/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest \
        pkg-config "$@"
}
[ "$(pc --modversion goc_trace)" = "$(pc --modversion goc)" ] ||
    err "goc.pc and goc_trace.pc disagree on the version"
# The version is goc.h's everywhere it is installed.
v=$(sed -n 's/^#define GOC_VERSION "\(.*\)"/\1/p' "$root/include/goc.h")
[ "$(pc --modversion goc)" = "$v" ] || err "goc.pc: not version $v"
[ "$("$P/bin/gctrace" --version)" = "gctrace $v" ] ||
    err "gctrace --version: not $v"
grep -q "^\.TH GCTRACE 1 .* \"gctrace $v\"" "$P/share/man/man1/gctrace.1" ||
    err "man page: not version $v"
# shellcheck disable=SC2046 # pkg-config's flags are words
cc ${GCT_TEST_CFLAGS:-} -o "$tmp/unclosed" "$root/samples/bug_unclosed_range.c" \
    $(pc --cflags --libs goc_trace) 2>"$tmp/cc.err" ||
    err "cannot build against the installed goc_trace: $(head -3 "$tmp/cc.err")"
readelf -d "$tmp/unclosed" | grep -q 'NEEDED.*\[libgoc_trace.so.0\]' ||
    err "the program does not need libgoc_trace.so.0"
LD_LIBRARY_PATH=$P/lib "$P/bin/gctrace" run -q -o "$tmp/uc.db" -- \
    "$tmp/unclosed" >/dev/null 2>&1
"$P/bin/gctrace" check --format json "$tmp/uc.db" >"$tmp/uc.json"
grep -q '"kind": *"unclosed_channel"' "$tmp/uc.json" ||
    err "program on the installed goc_trace: no unclosed_channel"

# The man page renders, and names each option the recorder reads.
MANWIDTH=100 man -l "$P/share/man/man1/gctrace.1" >"$tmp/man.txt" 2>"$tmp/man.err" ||
    err "man -l failed: $(head -2 "$tmp/man.err")"
for s in NAME SYNOPSIS COMMANDS FINDINGS SUPPRESSIONS "EXIT STATUS" \
         ENVIRONMENT; do
    grep -q "^$s" "$tmp/man.txt" || err "man page: no section $s"
done
# groff 1.23 (Debian 13) may widen the space after "gctrace" to justify
# a synopsis line.
for c in run check report view export finish attach core; do
    grep -Eq "gctrace +$c" "$tmp/man.txt" || err "man page: no command $c"
done
for k in $(grep -o 'KEY("[a-z_]*")' "$root/common/options.c" |
           sed 's/KEY("\(.*\)")/\1/' | sort -u); do
    grep -q "$k=" "$tmp/man.txt" || err "man page: no option $k="
done

mk uninstall
left=$(find "$dest" ! -type d)
[ -z "$left" ] || err "make uninstall left: $left"

e2e_end test_install
