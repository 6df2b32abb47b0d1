#!/usr/bin/env python3
"""The on-screen keyboard's key press to presented frame ("Tell us more",
docs/COMMENTS.md), on the real binary: SDL's dummy driver, and SDL's x11
driver in an Xvfb of its own when Xvfb is installed (display_bench.py's).

  python3 bench/keyboard_bench.py BUILD_DIR [--keys 300]

A face, the offer, then KEYS key presses 60 ms apart (letters, shift, space,
backspace: every one redraws the text, the count and the time-out bar),
injected as SDL touch events by --script and timed by --trace-latency.

  keyboard_input_to_frame_p99_ms[_x11]   key press (SDL event time) -> frame presented
                                         (goal <= 16.7 ms: one 60 Hz frame)
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import display_bench  # noqa: E402  (start_xvfb, kiosk_env)
import kiosk_bench  # noqa: E402  (kiosk_cmd, pct)

CONFIG = """\
[kiosk]
id = bench-keyboard
languages = en, fi, de
[department demo]
name = Demo
comments = any
[followup]
enabled = false
[screen]
ack_ms = 100
"""

# en layout (app/core/keyboard.c): q..p 11-20, a..' 21-30, shift 31, space 43,
# backspace 10: a mix, kept under the 500-character limit.
PATTERN = [11, 12, 13, 14, 31, 15, 43, 21, 22, 10, 23, 24, 25, 43, 26, 27, 10, 28]


def run(build, tmp, keys, driver, display):
    script = os.path.join(tmp, "keys-%s.script" % driver)
    with open(script, "w") as f:
        f.write("wait 300\ntap face:2\nwait 400\ntap comment\nwait 300\n")
        for i in range(keys):
            f.write("tap key:%d\nwait 60\n" % PATTERN[i % len(PATTERN)])
        f.write("quit\n")
    cmd = kiosk_bench.kiosk_cmd(build, tmp, script, ["--trace-latency", "--sync", "off"])
    p = subprocess.run(cmd, env=display_bench.kiosk_env(driver, display),
                       stderr=subprocess.PIPE, text=True)
    lat = [float(line.split("frame")[1].split("ms")[0]) for line in p.stderr.splitlines()
           if "latency: input to frame" in line]
    if p.returncode != 0 or len(lat) < keys:
        raise RuntimeError("%s run failed (status %d, %d inputs timed)"
                           % (driver, p.returncode, len(lat)))
    return lat[-keys:]  # the key presses: the face and the offer before them left out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--keys", type=int, default=300)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="wowbench-kbd-")
    with open(os.path.join(tmp, "kiosk.conf"), "w") as f:
        f.write(CONFIG)
    lat = run(a.build, tmp, a.keys, "dummy", None)
    print("figure: keyboard_input_to_frame_p99_ms %.1f ms (n=%d; p50 %.1f, max %.1f; goal <= 16.7)"
          % (kiosk_bench.pct(lat, 99), len(lat), kiosk_bench.pct(lat, 50), max(lat)))
    if shutil.which("Xvfb") is None:
        print("keyboard_bench: no Xvfb: the X11 path is not measured")
        return
    xvfb, display = display_bench.start_xvfb()
    try:
        lat = run(a.build, tmp, a.keys, "x11", display)
    finally:
        xvfb.kill()
        xvfb.wait()
    print("figure: keyboard_input_to_frame_p99_ms_x11 %.1f ms (n=%d; p50 %.1f, max %.1f)"
          % (kiosk_bench.pct(lat, 99), len(lat), kiosk_bench.pct(lat, 50), max(lat)))


if __name__ == "__main__":
    main()
