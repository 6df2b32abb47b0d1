#!/usr/bin/env python3
"""End-to-end: a scripted customer session on the real binary, read back from the store.

Usage: test_script_taps.py WOWKIOSK

Picker mode with two departments; the script answers with a chosen reason, a
skip, a time-out, a language switch and a tap fast enough for the press
filter.  Then every tap must be in the store with the right department,
rating, misuse flag and follow-up, and the counts must equal the taps.

A second run taps the picker while the thank-you is still up: the tap waits
for its target (up to 2 s) instead of failing on a screen on its way out.
"""
import os
import sqlite3
import subprocess
import sys
import tempfile

CONFIG = """\
[kiosk]
id = e2e-kiosk
languages = en, fi
mode = picker

[department front]
name = Front desk

[department it]
name = IT support
customer_facing = false

[reason fast]
label = Fast service
for = positive

[reason friendly]
label = Friendly staff
for = positive

[reason slow]
label = Waiting time
for = negative

[followup]
timeout_s = 1

[screen]
ack_ms = 100
thanks_s = 1
picker_timeout_s = 30

[press_filter]
min_interval_s = 3
burst_count = 0
"""

# (department, rating, misuse, question, reason, ended_by) per tap, in order.
SCRIPT = """\
wait 300
tap department:front
wait 200
tap face:4
wait 400
tap reason:2
wait 1600
# back on the picker, 2.3 s after the last tap: the press filter flags the next one
tap department:it
wait 100
tap face:1
wait 400
tap skip
wait 1600
tap department:front
wait 4000
tap face:2
wait 1500
wait 1500
tap lang:fi
wait 100
tap department:it
wait 3000
tap face:3
wait 400
tap reason:1
wait 1600
quit
"""

EXPECTED = [
    ("front", 4, 0, "positive", "friendly", "chosen"),
    ("it", 1, 1, "negative", "", "skipped"),
    ("front", 2, 0, "negative", "", "timeout"),
    ("it", 3, 0, "positive", "fast", "chosen"),
]


# The picker tapped at once after a skip, while the 1 s thank-you is still up.
EARLY = """\
wait 300
tap department:front
wait 200
tap face:4
wait 400
tap skip
tap department:it
wait 100
tap face:3
wait 400
tap skip
wait 1600
quit
"""


def early_tap(binary, tmp, conf):
    """A named target not yet on the screen is waited for, not failed."""
    db, script = (os.path.join(tmp, n) for n in ("early.db", "early.script"))
    with open(script, "w") as f:
        f.write(EARLY)
    run = subprocess.run([binary, "--windowed", "800x480", "--config", conf, "--store", db,
                          "--script", script],
                         env=dict(os.environ, XDG_DATA_HOME=tmp),
                         stderr=subprocess.PIPE, text=True, timeout=90)
    assert run.returncode == 0, "a tap during the thank-you failed the script (exit %d):\n%s" % (
        run.returncode, run.stderr[-2000:])
    con = sqlite3.connect(db)
    taps = con.execute("SELECT department, rating FROM taps ORDER BY id").fetchall()
    con.close()
    assert taps == [("front", 4), ("it", 3)], "early taps: store has %s" % taps


def main():
    binary = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="wowe2e-")
    conf, db, script, shots = (os.path.join(tmp, n) for n in
                               ("kiosk.conf", "kiosk.db", "session.script", "shots"))
    os.mkdir(shots)
    with open(conf, "w") as f:
        f.write(CONFIG)
    with open(script, "w") as f:
        f.write(SCRIPT)
    run = subprocess.run([binary, "--windowed", "800x480", "--config", conf, "--store", db,
                          "--script", script, "--screenshot", shots],
                         env=dict(os.environ, XDG_DATA_HOME=tmp),
                         stderr=subprocess.PIPE, text=True, timeout=90)
    sys.stderr.write(run.stderr)
    assert run.returncode == 0, "wowkiosk exited with %d" % run.returncode

    con = sqlite3.connect(db)
    taps = con.execute(
        "SELECT t.department, t.rating, t.misuse, f.question, coalesce(f.reason, ''), f.ended_by "
        "FROM taps t LEFT JOIN followups f ON f.tap_id = t.id ORDER BY t.id").fetchall()
    assert taps == EXPECTED, "store has\n  %s\nexpected\n  %s" % (taps, EXPECTED)

    counts = con.execute("SELECT department, rating, misuse, sum(n) FROM counts "
                         "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3").fetchall()
    want = sorted((d, r, m, 1) for d, r, m, *_ in EXPECTED)
    assert counts == want, "counts %s, expected %s" % (counts, want)

    reasons = con.execute("SELECT question, reason, ended_by, sum(n) FROM reason_counts "
                          "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3").fetchall()
    want = sorted((q, r, e, 1) for *_, q, r, e in EXPECTED)
    assert reasons == want, "reason_counts %s, expected %s" % (reasons, want)

    committed = run.stderr.count("tap committed id=")
    assert committed == len(EXPECTED), "%d 'tap committed' lines" % committed
    frames = len(os.listdir(shots))
    assert frames >= 12, "only %d distinct frames were written" % frames
    early_tap(binary, tmp, conf)
    print("e2e: %d taps, follow-ups and counts as scripted; %d frames; a tap during the "
          "thank-you waits for its target" % (len(taps), frames))


if __name__ == "__main__":
    main()
