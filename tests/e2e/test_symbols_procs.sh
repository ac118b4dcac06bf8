#!/bin/sh
# The same program run twice under one trace: each process maps it (and
# libc) at addresses of its own, and the finishing step reads each file
# once (common/symbolize.c: the first mapping of a file stands for the
# others).  Every process's frames must still be named, with file:line,
# and each frame's offset in its module must be the same in both.
# Usage: tests/e2e/test_symbols_procs.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

build_prog ws wait_sites.c -O0 -fPIE -pie

GCTRACE_OPTIONS=report=0:exitcode=0 "$G" run -q -o "$tmp/t.db" -- \
    sh -c "'$tmp/ws' turns 1 0 && '$tmp/ws' turns 1 0" >"$tmp/out" 2>&1 ||
    err "gctrace run: $(head -c 300 "$tmp/out")"

q() { sqlite3 "$tmp/t.db" "$1" 2>&1; }
# main's frame in the creation stack of each process's thread
main_frames="select t.pid, s.pc, s.offset, s.file, s.line from threads t
              join stack_text s on s.stack_id = t.create_stack
              where t.tid != t.pid and s.function = 'main'
              and s.module like '%/ws'"
got=$(q "select count(distinct pid), count(distinct pc), count(distinct offset),
         sum(file like '%wait_sites.c' and line > 0), count(*)
         from ($main_frames)")
# two processes at two addresses (with address space randomisation, as
# by default), one offset, every frame with file:line
pcs=2
[ "$(cat /proc/sys/kernel/randomize_va_space 2>/dev/null)" = 0 ] && pcs=1
[ "$got" = "2|$pcs|1|2|2" ] ||
    err "main's frames (processes, pcs, offsets, with file:line, all): '$got', want '2|$pcs|1|2|2'"
# libc's frames are named in both processes too
got=$(q "select count(distinct t.pid) from threads t join stack_text s
         on s.stack_id = t.create_stack where t.tid != t.pid
         and s.module like '%libc.so%' and s.function is not null
         and s.function != ''")
[ "$got" = 2 ] || err "processes with named libc frames: '$got', want 2"
e2e_end test_symbols_procs
