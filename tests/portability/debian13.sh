#!/bin/sh
# tests/portability/debian13.sh - the README's Quick start on a fresh
# Debian 13 (trixie): debootstrap a minimal root, copy this source tree
# into it, and run, as root in a chroot,
#
#     scripts/install-deps.sh && make demo
#     scripts/install-deps.sh && make test
#
# Run as root (make test-debian13).  It needs debootstrap (installed
# when missing), network access to a Debian mirror, and about 2 GB in
# TMPDIR (default /var/tmp).  The mirror is the one this machine's apt
# uses for its own release (/etc/apt/sources.list*), or MIRROR=URL.
# SUITE=bookworm runs the same on a fresh Debian 12.  KEEP=1 keeps the
# root afterwards (its path is printed), unmounted.
#
# The copy is of the work tree as git sees it: tracked files with their
# changes, and untracked ones that are not ignored.  The log of every
# step goes to LOG (default TMPDIR/gctrace-SUITE.log); the last line says
# the result: "debian13: pass (...)" or "debian13: FAIL: ...", with the
# tests' counts and the time taken.  Exit 0 when both commands passed.
set -u
SUITE=${SUITE:-trixie}
TMPDIR=${TMPDIR:-/var/tmp}
LOG=${LOG:-$TMPDIR/gctrace-$SUITE.log}
name=$(basename "$0" .sh)
src=$(cd "$(dirname "$0")/../.." && pwd) || exit 2
start=$(date +%s)

# elapsed: minutes and seconds since the start.
elapsed() {
    s=$(($(date +%s) - start))
    printf '%dm%02ds' $((s / 60)) $((s % 60))
}

# fail MESSAGE: the one line that says what went wrong; exits (the trap
# unmounts and removes the root).
fail() {
    echo "$name: FAIL: $* (after $(elapsed); log: $LOG)" >&2
    exit 1
}

[ "$(id -u)" -eq 0 ] || { echo "$name: must run as root (it uses chroot and mount)" >&2; exit 2; }
git -C "$src" rev-parse --is-inside-work-tree > /dev/null 2>&1 ||
    { echo "$name: the source is not a git work tree: it copies what git lists" >&2; exit 2; }
: > "$LOG" || { echo "$name: cannot write the log $LOG" >&2; exit 2; }

# The mirror that serves this machine's own release: the first URI of a
# "deb" source whose suite is VERSION_CODENAME, in either format of
# sources (one-line .list, deb822 .sources).  Read here, so that the
# repository names no host.
host_mirror() {
    # shellcheck disable=SC1091 # the host's, read at run time
    codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
    [ -n "$codename" ] || return
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -r "$f" ] || continue
        # deb [options] URI SUITE COMPONENTS...
        awk -v want="$codename" '
            $1 == "deb" {
                i = 2
                if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                if ($(i + 1) == want) { print $i; exit }
            }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        # Stanzas of "Field: values", separated by blank lines.
        awk -v want="$codename" '
            function stanza_end() {
                if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " want " ") && uris != "") {
                    split(uris, u, " "); print u[1]; found = 1; exit
                }
                types = suites = uris = ""
            }
            /^[ \t]*$/ { stanza_end(); next }
            /^#/ { next }
            tolower($1) == "types:" { $1 = ""; types = $0 }
            tolower($1) == "uris:" { $1 = ""; uris = $0 }
            tolower($1) == "suites:" { $1 = ""; suites = $0 }
            END { if (!found) stanza_end() }' "$f"
    done
}

MIRROR=${MIRROR:-$(host_mirror | head -n 1)}
[ -n "$MIRROR" ] ||
    { echo "$name: no Debian mirror in /etc/apt/sources.list*; give one with MIRROR=URL" >&2; exit 2; }

if ! command -v debootstrap >/dev/null 2>&1; then
    echo "$name: installing debootstrap"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq debootstrap; } >> "$LOG" 2>&1 ||
        { echo "$name: FAIL: cannot install debootstrap (log: $LOG)" >&2; exit 2; }
fi

root=$(mktemp -d "$TMPDIR/gctrace-$SUITE.XXXXXX") || exit 2
# Without symbolic links, as the kernel names it in mountinfo and in
# /proc/PID/root.
root=$(cd "$root" && pwd -P) || exit 2
# It becomes /: mktemp's 0700 would shut out apt's _apt user.
chmod 755 "$root" || exit 2

# The mounts under the root, deepest first, from the kernel's table.
mounts_under_root() {
    awk -v r="$root" '$5 == r || index($5, r "/") == 1 { print $5 }' \
        /proc/self/mountinfo | sort -r
}

# run COMMAND...: runs it with its output to the log, in the background,
# and waits, so that a signal to this script stops the wait at once (a
# shell runs its traps only after a command in the foreground has ended).
# child: its pid meanwhile.  The redirections are the command's, not the
# function's: a trap that runs during the wait writes to our own output.
child=
run() {
    "$@" < /dev/null >> "$LOG" 2>&1 &
    child=$!
    wait "$child"
    rc=$?
    child=
    return $rc
}

# Ends the step that was running and what still runs inside the root (a
# test's tmux server or finishing helper would keep /dev busy), unmounts,
# and removes the root unless KEEP=1.  Never removes it while anything is
# still mounted there: rm would go through a bind mount of /dev.
cleanup() {
    trap - EXIT INT TERM HUP
    if [ -n "$child" ]; then
        kill -TERM "$child" 2>/dev/null && sleep 1
        kill -KILL "$child" 2>/dev/null
        wait "$child" 2>/dev/null
    fi
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] &&
            kill -KILL "${p#/proc/}" 2>/dev/null
    done
    for m in $(mounts_under_root); do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
    done
    if [ -n "$(mounts_under_root)" ]; then
        echo "$name: could not unmount $(mounts_under_root | tr '\n' ' ')- left $root in place" >&2
    elif [ "${KEEP:-0}" = 1 ]; then
        echo "$name: kept the root in $root"
    else
        rm -rf --one-file-system "$root"
    fi
}
trap cleanup EXIT
trap 'fail "interrupted"' INT TERM HUP

step() { echo "### $name $(elapsed): $*" >> "$LOG"; }

echo "$name: debootstrap $SUITE from $MIRROR into $root (log: $LOG)"
step "debootstrap --variant=minbase $SUITE $root $MIRROR"
run debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" ||
    fail "debootstrap $SUITE from $MIRROR"
t_boot=$(elapsed)

step "copy the source tree"
rev=$(cd "$src" && git describe --always --dirty 2>/dev/null) || rev=unknown
mkdir -p "$root/src" || fail "mkdir $root/src"
(cd "$src" && git ls-files -z --cached --others --exclude-standard |
     tar --null -T - --ignore-failed-read --warning=no-failed-read -cf -) |
    tar -C "$root/src" -xf - || fail "copying the source tree into the root"

# What the tests need of the host: processes, devices (/dev/pts for
# tmux, /dev/shm), sysfs.  The /dev bind is a slave, so that unmounting
# it here never reaches the host's own mounts.
step "mount /proc /dev /sys"
mount -t proc proc "$root/proc" || fail "mounting /proc in the root"
mount --rbind /dev "$root/dev" || fail "binding /dev into the root"
mount --make-rslave "$root/dev" || fail "making the root's /dev a slave"
mount -t sysfs sysfs "$root/sys" || fail "mounting /sys in the root"

# in_root COMMAND: runs the shell COMMAND in /src inside the root, with
# an environment of its own, nothing from ours (LD_PRELOAD, DEBUGINFOD_URLS
# and the like would change what the tests see).
in_root() {
    step "$1"
    run chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 TERM=xterm SHELL=/bin/sh \
        sh -c "cd /src && $1"
}

echo "$name: $rev: scripts/install-deps.sh && make demo"
in_root "scripts/install-deps.sh && make demo" ||
    fail "scripts/install-deps.sh && make demo"
t_demo=$(elapsed)

echo "$name: $rev: scripts/install-deps.sh && make test"
in_root "scripts/install-deps.sh && make test"
rc=$?
counts=$(grep '^tests: [0-9]* passed, [0-9]* failed' "$LOG" | tail -n 1)
failed=$(grep '^failed:' "$LOG" | tail -n 1)
[ $rc -eq 0 ] ||
    fail "scripts/install-deps.sh && make test: ${counts:-no count}${failed:+; $failed}"
echo "$name: pass ($(grep PRETTY_NAME "$root/etc/os-release" | cut -d'"' -f2);" \
    "$rev; make demo ok; ${counts:-no count}; debootstrap $t_boot," \
    "demo done at $t_demo, all in $(elapsed))"
