#!/usr/bin/env python3
"""rawlog_seed.py - turns a raw log into a fuzz_rawlog seed (docs/fuzzing.md).

    rawlog_seed.py RAW OUT [--keep-libc] [--strip PREFIX]

The seed is the harness's compact form: the 88-byte log header, then the
first 4 KiB of each chunk (the harness expands them back).  Module paths
get their first '/' turned into '!', so that the harness does not spend
~80 ms per input symbolising real files (--keep-libc leaves libc's), and
PREFIX (the build tree's directory) is overwritten by a neutral path of
the same length, so the seed names no machine's directories.

    rawlog_seed.py --upgrade-v1 SEED OUT

rewrites a seed of the version 1 format (16-byte chunk heads) as version
2 (24-byte heads with a base time of 0); later bytes of each slice move
up by 8, and a whole slice loses its last 8.

    rawlog_seed.py --upgrade-v2 SEED OUT

stamps a seed of the version 2 format as version 3, which only adds a
record form (8-byte repeat records): the rest of it reads the same.
"""
import struct
import sys

HEADER = 88          # sizeof(struct gct_log_header)
PAGE = 4096          # GCT_LOG_HEADER_SIZE, and the seed's slice size
CHUNK = 64 * 1024    # GCT_LOG_CHUNK_SIZE
HEAD_V2 = 24         # sizeof(struct gct_chunk_head)
COMPACT = 0x8000     # GCT_REC_COMPACT
REC_MODULE = 1001
REC_FULL = 40        # sizeof(struct gct_rec)


def mangle_modules(chunk, keep_libc):
    """Turns each module record's path /x into !x, in place."""
    off = HEAD_V2
    while off + 8 <= len(chunk):
        words, kind = struct.unpack_from("<HH", chunk, off)
        size = words * 8
        if size < 8 or off + size > len(chunk):
            break
        if kind == REC_MODULE and size > REC_FULL:
            path = bytes(chunk[off + REC_FULL:off + size]).split(b"\0")[0]
            if path.startswith(b"/") and not (keep_libc and b"/libc." in path):
                chunk[off + REC_FULL] = ord("!")
        off += size


def neutral(n):
    """A path of n bytes that names no real directory."""
    return (b"/src" + b"/." * n)[:n]


def make_seed(raw_path, out_path, keep_libc, strip):
    raw = open(raw_path, "rb").read()
    if strip:
        raw = raw.replace(strip.encode(), neutral(len(strip)))
    (next_chunk,) = struct.unpack_from("<Q", raw, 24)
    out = bytearray(raw[:HEADER])
    for c in range(next_chunk):
        start = PAGE + c * CHUNK
        if start >= len(raw):
            break
        chunk = bytearray(raw[start:start + PAGE])
        mangle_modules(chunk, keep_libc)
        out += chunk
    out = out.rstrip(b"\0")
    open(out_path, "wb").write(out)


def upgrade_v1(seed_path, out_path):
    seed = bytearray(open(seed_path, "rb").read())
    struct.pack_into("<I", seed, 8, 2)
    out = bytearray(seed[:HEADER])
    for off in range(HEADER, len(seed), PAGE):
        s = seed[off:off + PAGE]
        s = s[:16] + bytes(8) + s[16:]
        out += s[:PAGE] if len(s) > PAGE else s
    open(out_path, "wb").write(out)


def upgrade_v2(seed_path, out_path):
    seed = bytearray(open(seed_path, "rb").read())
    (version,) = struct.unpack_from("<I", seed, 8)
    if version != 2:
        sys.exit("%s: version %d, not 2" % (seed_path, version))
    struct.pack_into("<I", seed, 8, 3)
    open(out_path, "wb").write(seed)


def main(argv):
    if len(argv) == 4 and argv[1] == "--upgrade-v1":
        upgrade_v1(argv[2], argv[3])
        return 0
    if len(argv) == 4 and argv[1] == "--upgrade-v2":
        upgrade_v2(argv[2], argv[3])
        return 0
    args = [a for a in argv[1:] if not a.startswith("--")]
    strip = None
    if "--strip" in argv:
        strip = argv[argv.index("--strip") + 1]
        args.remove(strip)
    if len(args) != 2:
        sys.stderr.write(__doc__)
        return 2
    make_seed(args[0], args[1], "--keep-libc" in argv, strip)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
