#!/usr/bin/env python3
"""End-to-end: a customer turns accessibility mode on, on the real binary.

Usage: test_accessible.py WOWKIOSK

The script switches to Finnish, taps the accessibility button, answers and
chooses a reason more than the plain follow-up time-out after the face (the
mode doubles it), and the visit ends.  SDL's disk audio driver writes what
the kiosk played to a file (real SDL audio, the device a Pi's speaker
would get).  Checks: the screens turned high contrast and back after the
visit; the kiosk spoke (seconds of sound, not silence) and fell silent
when the visit ended; the answer and its reason are in the store as any
other (the mode changes nothing recorded).
"""
import array
import os
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_checks import SLOW, expect, finish, temp_dir  # noqa: E402
from pngread import read_png  # noqa: E402

CONFIG = """\
[kiosk]
id = e2e-accessible
languages = en, fi

[department front]
name = Front desk

[reason slow]
label = Waiting time
for = negative

[reason rude]
label = Unfriendly staff
for = negative

[followup]
timeout_s = 2

[screen]
ack_ms = 100
thanks_s = 1
"""

# The follow-up is answered 3 s after it opened: past the plain 2 s time-out,
# inside the mode's 4 s.  The thanks screen lasts 2 s in the mode.
SCRIPT = """\
wait 300
tap lang:fi
wait 200
tap accessible
wait 4000
tap face:2
wait 3100
tap reason:2
wait 3500
wait 1500
quit
"""

RATE = 22050  # what speech.c opens the device at: mono S16
WINDOW = RATE // 50  # 20 ms


def voiced_seconds(samples):
    """Seconds of 20 ms windows louder than a quiet room (RMS 300 of 32767)."""
    voiced = 0
    for i in range(0, len(samples) - WINDOW + 1, WINDOW):
        w = samples[i:i + WINDOW]
        if sum(x * x for x in w) / WINDOW > 300 * 300:
            voiced += 1
    return voiced * WINDOW / RATE


def main():
    binary = sys.argv[1]
    tmp = temp_dir("wowaccess-")
    conf, db, script, shots, audio = (os.path.join(tmp, n) for n in (
        "kiosk.conf", "kiosk.db", "session.script", "shots", "audio.raw"))
    os.mkdir(shots)
    with open(conf, "w") as f:
        f.write(CONFIG)
    with open(script, "w") as f:
        f.write(SCRIPT)
    env = dict(os.environ, XDG_DATA_HOME=tmp, SDL_AUDIODRIVER="disk", SDL_DISKAUDIOFILE=audio)
    run = subprocess.run([binary, "--windowed", "800x480", "--config", conf, "--store", db,
                          "--script", script, "--screenshot", shots],
                         env=env, stderr=subprocess.PIPE, text=True, timeout=90 * SLOW)
    sys.stderr.write(run.stderr)
    expect(run.returncode == 0, "wowkiosk exited with %d" % run.returncode)
    expect("speech: audio on disk" in run.stderr, "the speech did not open SDL's audio device")

    con = sqlite3.connect(db)
    taps = con.execute(
        "SELECT t.rating, f.question, coalesce(f.reason, ''), f.ended_by "
        "FROM taps t LEFT JOIN followups f ON f.tap_id = t.id ORDER BY t.id").fetchall()
    expect(taps == [(2, "negative", "rude", "chosen")],
           "store has %s, expected the unhappy tap with 'rude' chosen after 3 s" % taps)

    # Screens: light, then black (the mode), then light again after the visit.
    grounds = []
    for name in sorted(os.listdir(shots)):
        corner = read_png(os.path.join(shots, name)).rgb(2, 2)
        ground = "black" if max(corner) < 16 else "light" if min(corner) > 200 else str(corner)
        if not grounds or grounds[-1] != ground:
            grounds.append(ground)
    expect(grounds == ["light", "black", "light"],
           "screen grounds over the visit: %s, expected light, black, light" % grounds)

    samples = array.array("h")
    with open(audio, "rb") as f:
        samples.frombytes(f.read())
    total = len(samples) / RATE
    heard = voiced_seconds(samples)
    tail = voiced_seconds(samples[-RATE:])  # the last second: after the visit
    expect(heard >= 3.0, "only %.2f s of speech in %.2f s of audio" % (heard, total))
    expect(tail < 0.05, "%.2f s of sound in the last second, after the visit ended" % tail)
    finish("e2e_accessible", "e2e_accessible: screens %s; %.2f s of speech in %.2f s played; "
           "the answer recorded as any other" % (" -> ".join(grounds), heard, total))


if __name__ == "__main__":
    main()
