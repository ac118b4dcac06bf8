#!/bin/sh
# Finds out whether libdw's static archive links here, and prints the
# answer as a make fragment (the Makefile keeps it in BUILD/gen/link.mk).
#
#   scripts/libdw-link.sh [--dynamic] CC [LDFLAGS...]
#
# --dynamic: answers "no" without trying, to build and measure the dynamic
# link where the static one works (make LIBDW_LINK=dynamic).
#
# gctrace and gctrace-finish link sqlite and libdw statically where they
# can: resolving and relocating them at the start of the finishing step
# costs time at every traced program's exit (docs/bench-shim.md).  Not
# every distribution's archive links, though: Debian 13's libdw.a and
# libelf.a call elfutils' internal eu_* search-tree functions, which no
# package ships an archive of.  So a small program that takes the same
# parts of libdw as common/symbolize.c is linked the strictest way the
# build will, -static-pie, with the libraries that pkg-config says
# libdw's archive needs (zstd on Debian 13, not on 12).  When that fails,
# libdw and libelf are linked dynamically, and gctrace-finish is an
# ordinary dynamic program (docs/portability.md).
set -u
try=yes
if [ "${1:-}" = --dynamic ]; then
    try=no
    shift
fi
cc=${1:?usage: $0 [--dynamic] CC [LDFLAGS...]}
shift

# What libdw.a and libelf.a need besides themselves, as pkg-config says,
# else what Debian's need.
deps=$(pkg-config --static --libs libdw 2>/dev/null) ||
    deps="-ldw -lelf -lz -lbz2 -llzma"
# shellcheck disable=SC2086 # one word a line
deps=$(printf '%s\n' $deps | grep -vx -e -ldw -e -lelf -e '-L.*' |
    awk '!seen[$0]++' | tr '\n' ' ')

dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
cat > "$dir/p.c" <<'EOF'
#include <elfutils/libdwfl.h>
#include <libelf.h>

/* Addresses of what common/symbolize.c calls, so that the link pulls in
 * the same members of the archives. */
static void *const used[] = {
    (void *)dwfl_begin, (void *)dwfl_report_elf, (void *)dwfl_addrmodule,
    (void *)dwfl_module_getsrc, (void *)dwfl_module_addrdie,
    (void *)dwfl_module_addrname, (void *)dwfl_standard_find_debuginfo,
    (void *)dwarf_getsrcfiles, (void *)dwarf_getscopes,
    (void *)elf_begin, (void *)elf_end,
};

int
main(int argc, char **argv)
{
    (void)argv;
    return used[argc % (sizeof used / sizeof used[0])] == 0;
}
EOF

static=no
# $cc unquoted: CC may be a command with arguments ("ccache gcc").
# shellcheck disable=SC2086
if [ $try = yes ] &&
   $cc -static-pie "$@" -o "$dir/p" "$dir/p.c" -ldw -lelf $deps \
       > "$dir/log" 2>&1; then
    static=yes
fi

echo "# Written by scripts/libdw-link.sh: whether libdw links statically here."
echo "DW_STATIC := $static"
echo "DW_DEPS := $deps"
if [ $try = no ]; then
    echo "# Not tried: --dynamic (make LIBDW_LINK=dynamic)."
elif [ $static = no ]; then
    echo "# The static link said:"
    grep -m 3 -e 'undefined reference' -e 'cannot find' -e 'error' "$dir/log" |
        sed 's/^/#   /'
fi
exit 0
