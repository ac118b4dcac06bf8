#!/bin/sh
# Installs what building and testing gctrace needs on Debian 12 or 13, when
# it is missing.  Run as root (or with sudo available).  Safe to run again.
#   scripts/install-deps.sh          what `make` and `make test` need
#   scripts/install-deps.sh --real   also the real programs and toolchains
#                                    that `make test-real` runs
#                                    (tests/real/run.sh)
set -e
# libdebuginfod1: test_debuginfo checks that libdw loads it only when
# debuginfod servers are configured.  zlib1g-dev, libbz2-dev, liblzma-dev:
# libdw's compression libraries, whose static archives the static
# finishing helper (libexec/gctrace-finish) links where libdw's own links
# (scripts/libdw-link.sh).  man-db: test_install renders the installed man
# page with man -l.  libclang-rt-dev: libFuzzer's runtime (make fuzz,
# test_fuzz_smoke), for the release's default clang.
#
# "a|b": the first of these that the release has.  Debian 13 renamed
# libraries for its 64-bit time_t (libdebuginfod1 -> libdebuginfod1t64)
# and keeps the old name only as a virtual package, which dpkg never
# reports installed and apt cannot install by itself.
pkgs="build-essential pkg-config libcmocka-dev libunwind-dev libdw-dev
      libelf-dev libsqlite3-dev libncurses-dev sqlite3 python3 tmux
      xz-utils zstd pigz git make clang libclang-rt-dev valgrind
      libdebuginfod1t64|libdebuginfod1 zlib1g-dev libbz2-dev liblzma-dev
      man-db"

# installed A|B...: whether one of them is installed.
installed() {
    for a in $(echo "$1" | tr '|' ' '); do
        dpkg-query -W -f='${Status}' "$a" 2>/dev/null |
            grep -q "ok installed" && return 0
    done
    return 1
}

# choose A|B...: the first that apt can install (a real package with a
# candidate version), or nothing.
choose() {
    for a in $(echo "$1" | tr '|' ' '); do
        LC_ALL=C apt-cache policy "$a" 2>/dev/null |
            grep -q '^ *Candidate: [^(]' && { echo "$a"; return; }
    done
}

# make test-real: a JVM, node, a C++ compiler, OpenMP for gcc (libgomp
# comes with gcc) and for clang (libomp-dev), GLib's headers, and the
# compressors.  Kept apart so that `make test` needs none of it.  Each
# name is a package of Debian 12 and of Debian 13.
real="default-jre-headless nodejs g++ clang libomp-dev libglib2.0-dev
      pkg-config python3 xz-utils zstd pigz sqlite3"
case "${1:-}" in
    "") ;;
    --real) pkgs="$pkgs $real" ;;
    *) echo "usage: $0 [--real]" >&2; exit 2 ;;
esac
missing=""
for p in $pkgs; do
    installed "$p" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
chosen=""
for p in $missing; do
    c=$(choose "$p")
    [ -n "$c" ] || { echo "install-deps: no package $p on this release" >&2; exit 1; }
    chosen="$chosen $c"
done
echo "installing:$chosen"
# shellcheck disable=SC2086 # a list of package names
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $chosen >/dev/null
