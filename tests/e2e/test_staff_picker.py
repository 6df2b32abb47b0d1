#!/usr/bin/env python3
"""End-to-end: a kiosk in a staff area (picker mode, [kiosk] audience = staff) on the real binary.

Usage: test_staff_picker.py WOWKIOSK

The kiosk has a customer-facing department (front) and two internal teams (it, billing).
Scripted taps reach it as SDL touch events at the targets' places: colleagues pick it, then
billing, and rate them; the store holds those taps under the internal teams.  A second run
taps department:front: the staff picker does not offer it, so the script stops there and
nothing is recorded for front.  --check-config refuses audience = staff on a kiosk with no
internal team, naming the file, the line and the key.
"""
import os
import sqlite3
import subprocess
import sys
import tempfile

CONFIG = """\
[kiosk]
id = staff-kiosk
languages = en, fi
mode = picker
audience = staff

[department front]
name = Front desk

[department it]
name = IT support
customer_facing = false

[department billing]
name = Billing
customer_facing = false

[reason slow]
label = Too slow
for = negative

[followup]
timeout_s = 1

[screen]
ack_ms = 100
thanks_s = 1

[press_filter]
min_interval_s = 0
burst_count = 0
"""

SCRIPT = """\
wait 300
tap department:it
wait 300
tap face:4
wait 1500
wait 1200
tap department:billing
wait 300
tap face:1
wait 400
tap reason:1
wait 1600
quit
"""

REFUSED = """\
wait 300
tap department:front
wait 300
tap face:4
wait 1500
quit
"""


def run(binary, tmp, name, config, script):
    conf, db, path, shots = (os.path.join(tmp, f"{name}.{x}") for x in ("conf", "db", "script",
                                                                         "shots"))
    os.mkdir(shots)
    with open(conf, "w") as f:
        f.write(config)
    with open(path, "w") as f:
        f.write(script)
    r = subprocess.run([binary, "--windowed", "800x480", "--config", conf, "--store", db,
                        "--script", path, "--screenshot", shots],
                       env=dict(os.environ, XDG_DATA_HOME=tmp), stderr=subprocess.PIPE,
                       text=True, timeout=90)
    taps = []
    if os.path.exists(db):
        con = sqlite3.connect(db)
        taps = con.execute("SELECT department, rating FROM taps ORDER BY id").fetchall()
        con.close()
    return r, taps, shots


def main():
    binary = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="wowstaff-")
    r, taps, shots = run(binary, tmp, "staff", CONFIG, SCRIPT)
    sys.stderr.write(r.stderr)
    assert r.returncode == 0, "wowkiosk exited with %d" % r.returncode
    assert taps == [("it", 4), ("billing", 1)], "store has %s" % taps
    print("staff picker: %d taps under the internal teams; frames in %s" % (len(taps), shots))

    r, taps, _ = run(binary, tmp, "refused", CONFIG, REFUSED)
    assert "that target is not on the current screen" in r.stderr, r.stderr[-2000:]
    assert taps == [], "the staff picker let front be rated: %s" % taps
    print("staff picker: front is not offered")

    bad = os.path.join(tmp, "bad.conf")
    with open(bad, "w") as f:
        f.write(CONFIG.replace("customer_facing = false", "customer_facing = true"))
    r = subprocess.run([binary, "--check-config", bad], capture_output=True, text=True,
                       timeout=30)
    line = CONFIG.splitlines().index("audience = staff") + 1
    want = "%s:%d: kiosk.audience: staff: no internal department" % (bad, line)
    assert r.returncode != 0 and want in r.stdout + r.stderr, (r.returncode, r.stdout, r.stderr)
    print("staff picker: a staff kiosk without internal teams is refused at its line")


if __name__ == "__main__":
    main()
