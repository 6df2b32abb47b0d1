#!/usr/bin/env python3
"""End-to-end: "Tell us more" typed on the real binary's keyboard with SDL touch events.

Usage: test_comments.py WOWKIOSK

A single-department kiosk whose department asks for comments after unhappy
faces, in German: face 2, the offer, then the keyboard's keys (shift, g, r, ü,
ß, e, space, ä, backspace, ö, send) through --script, which injects real SDL
touch events.  The store must hold the words "Grüße ö" on that tap, in de,
with the tap's department and face; the shared SQLite file the kiosk syncs to
must hold them once; a happy face (no offer) and a comment opened and closed
unsent add nothing.  The keyboard's screenshot is written.
"""
import os
import sqlite3
import subprocess
import sys
import tempfile

CONFIG = """\
[kiosk]
id = e2e-comments
languages = en, de
department = front

[department front]
name = Front desk
comments = negative

[reason slow]
label = Waiting time
for = negative

[reason fast]
label = Fast service
for = positive

[comments]
phone_url = https://feedback.example.com/c/

[screen]
ack_ms = 100
thanks_s = 1

[press_filter]
min_interval_s = 0
burst_count = 0
"""

# de layout indices (app/core/keyboard.c): digits 0-9, backspace 10; q..ü 11-21;
# a..ä 22-32; shift 33, y..m 34-40, ß 41, ',' 42, '.' 43; back 44, space 45, send 46.
# The second visit is in English again (a visit's language ends with it): a 21, back 42.
KEYS = [33, 26, 14, 21, 41, 13, 45, 32, 10, 31]
SCRIPT = "wait 300\ntap lang:de\nwait 200\ntap face:2\nwait 400\ntap comment\nwait 300\n"
SCRIPT += "".join("tap key:%d\nwait 120\n" % k for k in KEYS)
SCRIPT += """screenshot
tap key:46
wait 2500
tap face:4
wait 400
tap skip
wait 1500
tap face:1
wait 400
tap comment
wait 300
tap key:21
wait 100
tap key:42
wait 3000
quit
"""


def main():
    binary = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="wowe2e-")
    conf, db, shared, script, shots = (os.path.join(tmp, n) for n in (
        "kiosk.conf", "kiosk.db", "shared.db", "session.script", "shots"))
    os.mkdir(shots)
    with open(conf, "w") as f:
        f.write(CONFIG)
    with open(script, "w") as f:
        f.write(SCRIPT)
    run = subprocess.run([binary, "--windowed", "800x480", "--config", conf, "--store", db,
                          "--sync", shared, "--script", script, "--screenshot", shots],
                         env=dict(os.environ, XDG_DATA_HOME=tmp),
                         stderr=subprocess.PIPE, text=True, timeout=100)
    sys.stderr.write(run.stderr[-4000:])
    assert run.returncode == 0, "wowkiosk exited with %d" % run.returncode

    con = sqlite3.connect(db)
    rows = con.execute("SELECT c.tap_id, c.department, c.rating, c.tap_ms = t.at_ms_utc, c.lang,"
                       " c.body FROM comments c JOIN taps t ON t.id = c.tap_id").fetchall()
    assert rows == [(1, "front", 2, 1, "de", "Grüße ö")], "store comments: %r" % rows
    taps = con.execute("SELECT count(*) FROM taps").fetchone()[0]
    assert taps == 3, "%d taps" % taps
    followups = con.execute("SELECT tap_id, ended_by FROM followups ORDER BY tap_id").fetchall()
    assert followups[0] == (1, "skipped"), "the offer ends the follow-up skipped: %r" % followups
    key = con.execute("SELECT value FROM meta WHERE key = 'comment_key'").fetchone()
    assert key and len(key[0]) == 64, "no comment key in the store: %r" % key

    sh = sqlite3.connect(shared)
    got = sh.execute("SELECT kiosk_id, tap_id, source, department, rating, lang, body"
                     " FROM comments").fetchall()
    assert got == [("e2e-comments", 1, "kiosk", "front", 2, "de", "Grüße ö")], \
        "shared comments: %r" % got
    hb = sh.execute("SELECT comment_key FROM kiosks WHERE kiosk_id = 'e2e-comments'").fetchone()
    assert hb == (key[0],), "kiosks.comment_key %r, the store's %r" % (hb, key)
    assert run.stderr.count("comment committed") == 1, "one comment committed"
    assert os.listdir(shots), "no screenshot"
    print("e2e: the typed comment in the store and the shared file once; key in the heartbeat")


if __name__ == "__main__":
    main()
