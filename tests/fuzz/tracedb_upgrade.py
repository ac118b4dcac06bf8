#!/usr/bin/env python3
"""tracedb_upgrade.py [--vocab REF] SCHEMA.sql OLD NEW TRACE... - brings
fuzz_tracedb's seed traces (and saved reproducers) to the current trace
format.

gctrace reads only traces whose schema is its own, word for word
(docs/security.md), so a seed made under an older schema would only ever
be refused.  Each TRACE is rebuilt in place: a new database from
SCHEMA.sql, the rows of every table copied column by column (columns the
old table lacks stay NULL; ones the new lacks are dropped), meta's
format_version set to NEW (NEW + 1 for a seed that was ahead of OLD, the
`newer` seed), and the file re-paged to 512 bytes as docs/fuzzing.md says.
A file that is not a gctrace trace (the `foreign` seed) is left alone.

--vocab REF: the vocabulary tables (event_kinds, wait_reasons,
object_kinds, misuse_kinds: what the numbers mean, written from
common/event.h) are taken whole from REF, a trace the current gctrace
wrote, rather than copied column by column: a column the old table lacked
is a property the analyses select by, and NULL there would say "no".
"""
import os
import sqlite3
import sys

VOCAB = ("event_kinds", "wait_reasons", "object_kinds", "misuse_kinds")


def upgrade(schema, old_version, version, path, vocab=None):
    old = sqlite3.connect(path)
    try:
        meta = dict(old.execute("SELECT key, value FROM meta"))
    except sqlite3.DatabaseError:
        meta = {}
    if meta.get("producer") != "gctrace":
        return "not a gctrace trace, left alone"
    old_tables = {name: [c[1] for c in old.execute("PRAGMA table_info(%s)" % name)]
                  for (name,) in old.execute(
                      "SELECT name FROM sqlite_schema WHERE type = 'table'")}
    old.close()
    tmp = path + ".new"
    if os.path.exists(tmp):
        os.unlink(tmp)
    new = sqlite3.connect(tmp)
    new.executescript(schema)
    # Copied inside sqlite, so that values are moved as they are (some
    # seeds hold names that are not UTF-8).
    new.execute("ATTACH DATABASE ? AS old", (path,))
    for (name,) in new.execute("SELECT name FROM main.sqlite_schema WHERE type = 'table'").fetchall():
        cols = [c[1] for c in new.execute("PRAGMA main.table_info(%s)" % name)]
        common = [c for c in cols if c in old_tables.get(name, [])]
        if common and not (vocab and name in VOCAB):
            new.execute("INSERT OR REPLACE INTO main.%s (%s) SELECT %s FROM old.%s"
                        % (name, ", ".join(common), ", ".join(common), name))
    new.commit()
    new.execute("DETACH DATABASE old")
    if vocab:
        new.execute("ATTACH DATABASE ? AS ref", (vocab,))
        for name in VOCAB:
            new.execute("INSERT INTO main.%s SELECT * FROM ref.%s" % (name, name))
        new.commit()
        new.execute("DETACH DATABASE ref")
    # A seed that was a version ahead of its gctrace stays one ahead.
    ahead = int(meta.get("format_version", "0")) > int(old_version)
    new.execute("UPDATE meta SET value = ? WHERE key = 'format_version'",
                (str(version + 1 if ahead else version),))
    new.commit()
    new.execute("PRAGMA page_size = 512")
    new.execute("VACUUM")
    new.close()
    os.replace(tmp, path)
    return "upgraded"


def main():
    args = sys.argv[1:]
    vocab = None
    if args[:1] == ["--vocab"]:
        vocab, args = args[1], args[2:]
    schema = open(args[0]).read()
    old_version, version = int(args[1]), int(args[2])
    for path in args[3:]:
        try:
            what = upgrade(schema, old_version, version, path, vocab)
        except sqlite3.Error as e:  # a reproducer whose schema is mangled
            what = "left alone (%s)" % e
        print("%s: %s" % (path, what))


if __name__ == "__main__":
    main()
