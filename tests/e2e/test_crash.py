#!/usr/bin/env python3
"""Crash test: SIGKILL the real kiosk at random moments while it is tapping.

Usage: test_crash.py WOWKIOSK [ROUNDS]

Every round starts wowkiosk on the same store with a script that taps faces
as fast as the flow allows, and kills it with SIGKILL after a random delay
(sometimes during start-up, sometimes mid-commit).  After each kill:
  - every tap the kiosk reported as committed ("tap committed id=N") is in
    the store, with the department and rating it reported;
  - PRAGMA integrity_check says "ok";
  - the counts equal the taps (they are written in the same transaction);
  - the sync thread (every second, to the SQLite default shared.db) was
    killed too: the shared file passes integrity_check and holds no count
    above the store's (a count can arrive late, never twice).
At the end one clean run lets the sync catch up: the shared counts then
equal the store's exactly.
The seed is printed so a failure can be replayed.
"""
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

CONFIG = """\
[kiosk]
id = crash-kiosk
languages = en
[followup]
enabled = false
[screen]
ack_ms = 20
thanks_s = 0.1
[press_filter]
min_interval_s = 0
burst_count = 0
[sync]
interval_s = 1
"""

COMMITTED = re.compile(r"tap committed id=(\d+) department=(\S+) rating=(\d)")


def main():
    binary = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    seed = int(os.environ.get("WOW_CRASH_SEED", time.time_ns() % 1000000))
    rng = random.Random(seed)
    print("crash test: %d rounds, seed %d (replay with WOW_CRASH_SEED=%d)" % (rounds, seed, seed))
    slow = 1
    if os.environ.get("WOW_ASAN"):
        # The sanitizer build starts and runs a few times slower; the release
        # build does the full count, this one checks the same under ASan.
        slow, rounds = 3, min(rounds, 40)

    tmp = tempfile.mkdtemp(prefix="wowcrash-")
    conf, db, script = (os.path.join(tmp, n) for n in ("kiosk.conf", "kiosk.db", "taps.script"))
    with open(conf, "w") as f:
        f.write(CONFIG)
    with open(script, "w") as f:
        f.write("".join("tap face:%d\nwait 140\n" % (i % 4 + 1) for i in range(400)))
        f.write("quit\n")

    env = dict(os.environ, XDG_DATA_HOME=tmp)
    reported = {}
    for r in range(rounds):
        p = subprocess.Popen([binary, "--windowed", "800x480", "--config", conf, "--store", db,
                              "--script", script], env=env, stderr=subprocess.PIPE, text=True)
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(p.stderr), daemon=True)
        reader.start()
        time.sleep(rng.uniform(0.0, 1.2) * slow)
        p.send_signal(signal.SIGKILL)
        p.wait()
        reader.join(timeout=10)
        for line in lines:
            m = COMMITTED.search(line)
            if m:
                reported[int(m.group(1))] = (m.group(2), int(m.group(3)))
        check(db, reported, r, seed)
    print("crash test: %d rounds, %d committed taps reported, all present" % (rounds, len(reported)))
    if not reported:
        fail("no tap was ever reported committed: the test proved nothing", rounds, seed)
    # one clean run: the sync catches up and the shared counts equal the store's
    with open(script, "w") as f:
        f.write("wait %d\nquit\n" % (3000 * slow))
    run = subprocess.run([binary, "--windowed", "800x480", "--config", conf, "--store", db,
                          "--script", script], env=env, stderr=subprocess.PIPE, text=True,
                         timeout=120)
    if run.returncode != 0:
        fail("the clean run failed: %s" % run.stderr[-2000:], rounds, seed)
    local, shared = shared_rows(db)
    if not local or shared != local:
        fail("after the clean run the shared counts differ from the store's:\n  store %s\n"
             "  shared %s" % (local, shared), rounds, seed)
    print("crash test: %d count rows synced exactly to shared.db" % len(local))


def shared_rows(db):
    """The store's counts and the shared file's counts of its incarnation, as dicts."""
    shared_path = os.path.join(os.path.dirname(db), "shared.db")
    con = sqlite3.connect(db)
    if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone():
        con.close()
        return {}, {}  # killed while the store was being made
    incarnation = con.execute("SELECT value FROM meta WHERE key = 'incarnation'").fetchone()[0]
    local = dict(((d, b, r, m), n) for d, b, r, m, n in con.execute(
        "SELECT department, bucket_start_ms_utc, rating, misuse, n FROM counts"))
    con.close()
    if not os.path.exists(shared_path):
        return local, {}
    con = sqlite3.connect(shared_path)
    try:
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            return local, {"integrity_check": ok}
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'tap_counts'").fetchone():
            return local, {}  # killed before the sync made its schema
        shared = {}
        cols = ["rating_%d" % r for r in range(1, 5)] + ["misuse_%d" % r for r in range(1, 5)]
        for row in con.execute("SELECT department, bucket_start_ms, %s FROM tap_counts "
                               "WHERE incarnation = ?" % ", ".join(cols), (incarnation,)):
            for i, n in enumerate(row[2:]):  # a column per face, apart and as misuse
                if n:
                    shared[(row[0], row[1], i % 4 + 1, i // 4)] = n
    finally:
        con.close()
    return local, shared


def check(db, reported, r, seed):
    if not os.path.exists(db):
        if reported:
            fail("the store vanished", r, seed)
        return
    con = sqlite3.connect(db)
    try:
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            fail("integrity_check: %s" % ok, r, seed)
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'taps'").fetchone():
            # killed while the store was being made (its schema is one transaction)
            if reported:
                fail("the store lost its tables", r, seed)
            return
        rows = dict((i, (d, rt)) for i, d, rt in
                    con.execute("SELECT id, department, rating FROM taps"))
        for tap_id, want in reported.items():
            if rows.get(tap_id) != want:
                fail("tap %d reported committed as %s but the store has %s"
                     % (tap_id, want, rows.get(tap_id)), r, seed)
        n_counts = con.execute("SELECT coalesce(sum(n), 0) FROM counts").fetchone()[0]
        if n_counts != len(rows):
            fail("counts sum to %d but there are %d taps" % (n_counts, len(rows)), r, seed)
    finally:
        con.close()
    local, shared = shared_rows(db)
    if "integrity_check" in shared:
        fail("shared.db integrity_check: %s" % shared["integrity_check"], r, seed)
    for key, n in shared.items():
        if n > local.get(key, 0):
            fail("shared.db counts %d for %s, the store only %d" % (n, key, local.get(key, 0)),
                 r, seed)


def fail(msg, r, seed):
    print("FAIL (round %d, WOW_CRASH_SEED=%d): %s" % (r, seed, msg))
    sys.exit(1)


if __name__ == "__main__":
    main()
