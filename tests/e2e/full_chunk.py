#!/usr/bin/env python3
"""full_chunk.py RAWLOG [compact|repeat] - writes a raw log (common/rawlog.h,
format 3) of one thread whose only chunk is full to its last byte and is
the file's last: 2,047 lock acquisitions and 2,047 releases of one mutex
as compact records (the default), or with `repeat`, one of each as compact records and
4,092 more of each as repeat records.  A reader that looks for a record
past the chunk's end reads past the file."""
import struct
import sys

HEADER_SIZE = 4096
CHUNK_SIZE = 64 * 1024
COMPACT = 0x8000
ACQUIRE, RELEASE = 21, 22
LOCK = 0x7F0000001000
START_NS = 1_000_000_000

header = struct.pack(
    "<8sIIQQQIIiiqqiiII",
    b"GCTLOG\0\1", 3, CHUNK_SIZE,
    1,            # max_chunks
    1,            # next_chunk
    0,            # dropped
    2,            # state: exited
    0,            # next_stack
    999999,       # root_pid
    2,            # record mode: all
    START_NS, 0,  # start_mono_ns, start_real_ns
    0, 0, 0, 0)   # exit_status, alive_ms, watchdog_findings, reserved1
chunk = struct.pack("<Iiiiq", 0x6B6E6863, 999999, 999999, 0, START_NS)
dts = 0
repeats = sys.argv[2:3] == ["repeat"]

def compact(kind, arg=None):
    global dts
    dts += 1000
    if arg is None:
        return struct.pack("<HHIQ", 2, kind | COMPACT, dts, LOCK)
    return struct.pack("<HHIQQ", 3, kind | COMPACT, dts, LOCK, arg)

def repeat(off):
    global dts
    dts += 1000
    return struct.pack("<HHI", 1, COMPACT | off // 8, dts)

# 24 (head) + 24 (the first acquisition, with its call site) + 16 (the
# first release), then 16 x 4093 in compact records or 8 x 8184 in
# repeats
chunk += compact(ACQUIRE, 0x401000) + compact(RELEASE)
for _ in range(0 if repeats else 2046):
    chunk += compact(ACQUIRE) + compact(RELEASE)
for _ in range(4092 if repeats else 0):
    chunk += repeat(24) + repeat(48)
assert len(chunk) == CHUNK_SIZE, len(chunk)
with open(sys.argv[1], "wb") as f:
    f.write(header.ljust(HEADER_SIZE, b"\0") + chunk)
