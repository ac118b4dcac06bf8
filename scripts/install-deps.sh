#!/bin/sh
# Installs what building and testing gctrace needs on Debian 12,
# when it is missing.  Run as root (or with sudo available).  Safe to run
# again.
#   scripts/install-deps.sh          what `make` and `make test` need
#   scripts/install-deps.sh --real   also the real programs and toolchains
#                                    that `make test-real` runs
#                                    (tests/real/run.sh)
set -e
# libdebuginfod1: test_debuginfo checks that libdw loads it only when
# debuginfod servers are configured.  zlib1g-dev, libbz2-dev, liblzma-dev:
# libdw's compression libraries, whose static archives the static
# finishing helper (libexec/gctrace-finish) links.  man-db: test_install
# renders the installed man page with man -l.
pkgs="build-essential pkg-config libcmocka-dev libunwind-dev libdw-dev
      libelf-dev libsqlite3-dev libncurses-dev sqlite3 python3 tmux
      xz-utils zstd pigz git make clang libclang-rt-14-dev valgrind
      libdebuginfod1 zlib1g-dev libbz2-dev liblzma-dev man-db"
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
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
