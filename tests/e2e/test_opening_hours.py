#!/usr/bin/env python3
"""Opening hours on the real binary, with the wall clock moved by --clock-start.

Usage: test_opening_hours.py WOWKIOSK

A Helsinki kiosk open Mon-Fri 08:00-17:00 local time:
  - on Sunday it shows the closed screen: a scripted face tap finds no face
    (the script fails on that line) and nothing is stored;
  - on Monday 06:30 UTC (08:30 local, winter) it is open and the tap is stored;
  - on Monday 05:30 UTC in winter (07:30 local) it is closed, but in summer
    05:30 UTC is 08:30 local (EEST) and it is open: DST is honoured;
  - a kiosk started at 07:59:58 local opens by itself two seconds later.
"""
import os
import sqlite3
import subprocess
import sys
import tempfile

CONFIG = """\
[kiosk]
id = hours-kiosk
languages = en
[followup]
enabled = false
[hours]
timezone = Europe/Helsinki
mon = 08:00-17:00
tue = 08:00-17:00
wed = 08:00-17:00
thu = 08:00-17:00
fri = 08:00-17:00
"""


def run(binary, tmp, start, script_text, name):
    script = os.path.join(tmp, name + ".script")
    with open(script, "w") as f:
        f.write(script_text)
    db = os.path.join(tmp, name + ".db")
    r = subprocess.run([binary, "--windowed", "800x480", "--config", os.path.join(tmp, "k.conf"),
                        "--store", db, "--clock-start", start, "--script", script],
                       env=dict(os.environ, XDG_DATA_HOME=tmp), stderr=subprocess.PIPE,
                       text=True, timeout=60)
    taps = 0
    if os.path.exists(db):
        taps = sqlite3.connect(db).execute("SELECT count(*) FROM taps").fetchone()[0]
    return r.returncode, taps, r.stderr


def main():
    binary = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="wowhours-")
    with open(os.path.join(tmp, "k.conf"), "w") as f:
        f.write(CONFIG)
    tap = "wait 200\ntap face:3\nwait 300\nquit\n"
    cases = [
        ("sunday", "2026-11-22T10:00:00Z", False),
        ("monday-winter-open", "2026-11-23T06:30:00Z", True),
        ("monday-winter-early", "2026-11-23T05:30:00Z", False),
        ("monday-summer-open", "2026-06-15T05:30:00Z", True),
    ]
    for name, start, open_ in cases:
        code, taps, err = run(binary, tmp, start, tap, name)
        if open_:
            assert code == 0 and taps == 1, "%s: exit %d, %d taps\n%s" % (name, code, taps, err)
        else:
            assert code == 1 and taps == 0, "%s: exit %d, %d taps\n%s" % (name, code, taps, err)
            assert "not on the current screen" in err, err
    # 07:59:58 local on a winter Monday: closed, then open on its own at 08:00.
    code, taps, err = run(binary, tmp, "2026-11-23T05:59:58Z", "wait 2600\ntap face:4\nwait 300\nquit\n",
                          "opens-by-itself")
    assert code == 0 and taps == 1, "opens-by-itself: exit %d, %d taps\n%s" % (code, taps, err)
    print("opening hours: closed on Sunday and before 08:00 local, open after, DST honoured")


if __name__ == "__main__":
    main()
