#!/usr/bin/env python3
"""Adds one tap to a SQLite shared database as a kiosk's sync round would: the kiosk's rows of
a new incarnation, in the current 15-minute bucket, upserted with GREATEST as
app/sync/sqlite_backend.c does (the schema's trigger stamps synced_ms).

Usage: add_tap.py DB KIOSK DEPARTMENT RATING(1-4)
"""
import sqlite3
import sys
import time


def main():
    db, kiosk, department, rating = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    if not 1 <= rating <= 4:
        raise SystemExit(f"add_tap.py: RATING is 1..4, not {rating}")
    bucket = int(time.time() * 1000) // 900000 * 900000
    faces = [0, 0, 0, 0]
    faces[rating - 1] = 1
    con = sqlite3.connect(db, timeout=10)
    with con:
        row = con.execute("SELECT rating_1, rating_2, rating_3, rating_4 FROM tap_counts "
                          "WHERE kiosk_id = ? AND incarnation = 'live-test' AND "
                          "bucket_start_ms = ? AND department = ?",
                          (kiosk, bucket, department)).fetchone()
        if row:
            faces = [a + b for a, b in zip(row, faces)]
        con.execute("INSERT INTO tap_counts(kiosk_id, incarnation, bucket_start_ms, department, "
                    "rating_1, rating_2, rating_3, rating_4, misuse_1, misuse_2, misuse_3, "
                    "misuse_4) VALUES (?, 'live-test', ?, ?, ?, ?, ?, ?, 0, 0, 0, 0) "
                    "ON CONFLICT(kiosk_id, incarnation, bucket_start_ms, department) DO UPDATE SET rating_1 = excluded.rating_1, "
                    "rating_2 = excluded.rating_2, rating_3 = excluded.rating_3, "
                    "rating_4 = excluded.rating_4",
                    (kiosk, bucket, department, *faces))
    con.close()


if __name__ == "__main__":
    main()
