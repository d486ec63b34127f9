#!/usr/bin/env python3
"""Add the TechEmpower `fortune` table to databases made by ../shared/bench/mkdb.py.

    python3 Benchmarks/add_fortunes.py PATH [PATH ...]

mkdb.py makes `world` (10,000 rows) and `log`; the Fortunes test also needs `fortune`, with the
12 rows every TechEmpower implementation uses (one holds a <script> tag, to prove escaping, and
one is Japanese, to prove UTF-8). Idempotent: the table is recreated each time.
"""
import sqlite3
import sys

FORTUNES = [
    (1, "fortune: No such file or directory"),
    (2, "A computer scientist is someone who fixes things that aren't broken."),
    (3, "After enough decimal places, nobody gives a damn."),
    (4, "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1"),
    (5, "A computer program does what you tell it to do, not what you want it to do."),
    (6, "Emacs is a nice operating system, but I prefer UNIX. \u2014 Tom Christaensen"),
    (7, "Any program that runs right is obsolete."),
    (8, "A list is only as strong as its weakest link. \u2014 Donald Knuth"),
    (9, "Feature: A bug with seniority."),
    (10, "Computers make very fast, very accurate mistakes."),
    (11, '<script>alert("This should not be displayed in a browser alert box.");</script>'),
    (12, "\u30d5\u30ec\u30fc\u30e0\u30ef\u30fc\u30af\u306e\u30d9\u30f3\u30c1\u30de\u30fc\u30af"),
]

for path in sys.argv[1:]:
    con = sqlite3.connect(path)
    con.execute("DROP TABLE IF EXISTS fortune")
    con.execute("CREATE TABLE fortune(id INTEGER PRIMARY KEY, message TEXT NOT NULL)")
    con.executemany("INSERT INTO fortune(id, message) VALUES (?, ?)", FORTUNES)
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    print(f"{path}: fortune={len(FORTUNES)} rows")
