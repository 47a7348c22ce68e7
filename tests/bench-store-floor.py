#!/usr/bin/env python3
"""bench-store-floor.py: what SQLite itself allows on this machine, as a
baseline for bench_store in the same run. Not part of "make check".

usage: bench-store-floor.py [ROWS [RECIPIENTS]]   (defaults 500000 200000)

Writes ROWS rows shaped like the store's events (the same columns and a
typical diagnostic) in transactions of 10,000, with the store's settings (WAL,
synchronous NORMAL, a 16 MiB page cache), three ways:
  append          the table alone: rows go to the end of one B-tree
  + 1 random key  plus an index on (recipient, time), whose keys arrive in
                  random order, like each of the store's indexes on message
                  hashes, addresses and recipient ids
  + 2 random keys plus an index on a 32-byte hash, like the message index
A result in the store touches about five such random-key B-trees (message
hash, address, the recipient's row, its history, its suppression), which is
why bench_store's rate sits far below these.
"""
import os
import random
import sqlite3
import sys
import tempfile
import time

COLUMNS = ("recipient_id, message_id, class, reason, status, smtp_code, diagnostic,"
           " remote_mta, rule, scan_id, domain, bounce_time, ingested, hash")
DIAGNOSTIC = "550 5.1.1 <someone@example.com>: Recipient address rejected"


def run(path, rows, indexes):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA cache_size = -16384")
    db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, recipient_id INTEGER,"
               " message_id INTEGER, class TEXT, reason TEXT, status TEXT,"
               " smtp_code INTEGER, diagnostic TEXT, remote_mta TEXT, rule TEXT,"
               " scan_id INTEGER, domain TEXT, bounce_time INTEGER, ingested INTEGER,"
               " hash BLOB)")
    for sql in indexes:
        db.execute(sql)
    insert = "INSERT INTO events (%s) VALUES (%s)" % (COLUMNS, ",".join("?" * 14))
    start = time.monotonic()
    for i in range(0, len(rows), 10000):
        db.execute("BEGIN")
        db.executemany(insert, rows[i:i + 10000])
        db.execute("COMMIT")
    elapsed = time.monotonic() - start
    db.close()
    return elapsed


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500000
    recipients = int(sys.argv[2]) if len(sys.argv) > 2 else 200000
    rng = random.Random(1)
    rows = [(rng.randrange(recipients), i, "hard", "userunknown", "5.1.1", 550,
             DIAGNOSTIC, None, "rules.tsv:1", 1, "example.com",
             1700000000 + rng.randrange(60 * 86400), 1800000000, rng.randbytes(32))
            for i in range(count)]
    ways = [
        ("append", []),
        ("+ 1 random key", ["CREATE INDEX by_recipient ON events (recipient_id, bounce_time)"]),
        ("+ 2 random keys", ["CREATE INDEX by_recipient ON events (recipient_id, bounce_time)",
                             "CREATE UNIQUE INDEX by_hash ON events (hash)"]),
    ]
    with tempfile.TemporaryDirectory(prefix="bench-store-floor.") as directory:
        for n, (name, indexes) in enumerate(ways):
            elapsed = run(os.path.join(directory, "floor%d.db" % n), rows, indexes)
            print("%-16s %d rows in %.2f s: %.0f rows/s" % (name, count, elapsed,
                                                          count / elapsed))


if __name__ == "__main__":
    main()
