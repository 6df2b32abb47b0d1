#!/usr/bin/env python3
"""Crash test: SIGKILL the real kiosk at random moments while it is tapping.

Usage: test_crash.py WOWKIOSK [ROUNDS]

Every round starts wowkiosk on the same store with a script that taps faces
as fast as the flow allows, and kills it with SIGKILL after a random delay
(sometimes during start-up, sometimes mid-commit).  After each kill:
  - every tap the kiosk reported as committed ("tap committed id=N") is in
    the store, with the department and rating it reported;
  - PRAGMA integrity_check says "ok";
  - the counts equal the taps (they are written in the same transaction).
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


def fail(msg, r, seed):
    print("FAIL (round %d, WOW_CRASH_SEED=%d): %s" % (r, seed, msg))
    sys.exit(1)


if __name__ == "__main__":
    main()
