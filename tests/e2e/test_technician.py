#!/usr/bin/env python3
"""End-to-end: the hidden technician screen on the real binary.

Usage: test_technician.py WOWKIOSK lock|menu|department

Every run is a real wowkiosk with its own state directory, driven by a
--script; "advance 0" lines in the script are markers: when the kiosk logs
one, the test reads the files it cares about (the PIN lock, the shared sync
database) at that moment, so what a file held between two steps is checked
while the kiosk runs.

  lock        the corner gesture opens the PIN pad, and a short hold or two
              adjacent corners do not; wrong PINs lock the pad (the lock file
              after each one), the lock survives a restart, digits typed while
              locked are dropped, each further wrong PIN doubles the lock,
              "advance" gets past it and the right PIN opens the menu and
              resets the file to "0 0"; a config without pin_hash never opens
              the menu.
  menu        customer taps are ignored under the technician screens; "Sync
              now" sends a tap to the shared SQLite file, which did not have
              it before; the touch test logs and draws each touch; the test
              pattern shows its 8 bars and grey ramp; Close gives the screen
              back to the customers.
  department  choosing a department writes technician.conf and restarts the
              program in the same process without its script; the next run
              records taps for that department; "As configured" removes the
              file; "Restart program" restarts the same process.
"""
import atexit
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_checks import ASAN, SLOW, expect, finish, temp_dir  # noqa: E402
from pngread import read_png  # noqa: E402

# After every tap: a press while the previous release is unprocessed is dropped.
TAP_WAIT = 250 if ASAN else 120
PIN = "4711"
W, H = 800, 480
CORNERS = {"tl": (5, 5), "tr": (W - 5, 5), "br": (W - 5, H - 5), "bl": (5, H - 5)}
# The "Happy" face on the rating screen (checked in the menu run by tapping it
# after the technician screen closed): under the technician menu it is no target.
HAPPY_XY = (495, 232)

TECH_BACKGROUND = (20, 28, 36)
TECH_ACCENT = (64, 196, 180)
BARS = [(255, 255, 255), (255, 255, 0), (0, 255, 255), (0, 255, 0),
        (255, 0, 255), (255, 0, 0), (0, 0, 255), (0, 0, 0)]


# Kiosks still running, stopped when the test ends early on a failed assert.
# Module-level on purpose: atexit needs them wherever the assert was.
LIVE = []


@atexit.register
def _stop_live():
    for proc in LIVE:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


class Script:
    """Builds a --script; mark(name) puts a marker the test reacts to."""

    def __init__(self, start_ms=500):
        self.lines = ["wait %d" % (start_ms * SLOW)]
        self.marks = {}  # script line -> name

    def add(self, *lines):
        self.lines.extend(lines)

    def mark(self, name):
        self.lines.append("advance 0")
        self.marks[len(self.lines)] = name
        self.lines.append("wait 300")  # the test reads its files meanwhile

    def tap(self, target):
        self.add("tap %s" % target, "wait %d" % TAP_WAIT)

    def hold(self, corner, ms=3100):
        self.add("press %d %d" % CORNERS[corner], "wait %d" % ms, "release", "wait 300")

    def gesture(self, first="tl", second="br"):
        self.hold(first)
        self.hold(second)

    def pin(self, digits, ok=True):
        for d in digits:
            self.tap("pin:%s" % d)
        if ok:
            self.tap("pin:ok")
        self.add("wait 200")

    def text(self):
        return "\n".join(self.lines + ["quit", ""])


class Kiosk:
    """One wowkiosk process; its stderr is read line by line as it comes.

    on_mark(name) is called (on the reader thread) when the kiosk reaches a
    marker of the script; what it returns is kept in self.marks[name] along
    with the index of the marker's log line."""

    def __init__(self, binary, args, env, script=None, on_mark=None, tmp=None):
        self.marks, self.lines, self.on_mark = {}, [], on_mark
        self.script = script
        if script is not None:
            path = os.path.join(tmp, "run-%d.script" % time.monotonic_ns())
            with open(path, "w") as f:
                f.write(script.text())
            args = args + ["--script", path]
        self.cond = threading.Condition()
        self.proc = subprocess.Popen([binary] + args, env=env, stderr=subprocess.PIPE, text=True)
        LIVE.append(self.proc)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stderr:
            line = line.rstrip("\n")
            m = re.search(r"script: wall clock advanced 0 ms at line (\d+)", line)
            name = self.script.marks.get(int(m.group(1))) if m and self.script else None
            got = self.on_mark(name) if name and self.on_mark else None
            with self.cond:
                if name:
                    self.marks[name] = (len(self.lines), got)
                self.lines.append(line)
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait_for(self, pattern, count=1, timeout=30):
        """Waits until pattern has matched count log lines; returns the last one's index."""
        deadline = time.monotonic() + timeout * SLOW
        with self.cond:
            while True:
                hits = [i for i, l in enumerate(self.lines) if re.search(pattern, l)]
                if len(hits) >= count:
                    return hits[count - 1]
                left = deadline - time.monotonic()
                assert left > 0 and self.reader.is_alive(), \
                    "no %d lines matching %r in\n%s" % (count, pattern, self.log())
                self.cond.wait(min(left, 0.2))

    def finish(self, timeout=90):
        try:
            rc = self.proc.wait(timeout * SLOW)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("wowkiosk did not stop:\n" + self.log())
        self.reader.join(10)
        sys.stderr.write(self.log() + "\n")
        return rc

    def expect_exit0(self):
        rc = self.finish()
        assert rc == 0, "wowkiosk exited %d; its last lines:\n  %s" % (
            rc, "\n  ".join(self.lines[-4:]))

    def log(self):
        return "\n".join(self.lines)

    def index(self, pattern, start=0):
        """Indexes of the log lines matching pattern."""
        return [i for i, l in enumerate(self.lines) if i >= start and re.search(pattern, l)]

    def mark_line(self, name):
        assert name in self.marks, "the run never reached marker %s:\n%s" % (name, self.log())
        return self.marks[name][0]


def hash_pin(binary, pin, env):
    r = subprocess.run([binary, "--hash-pin"], input=pin + "\n", env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=60 * SLOW)
    assert r.returncode == 0, "--hash-pin: %s" % r.stderr
    return r.stdout


class Setup:
    """A temp directory with a config, a state directory and a store."""

    def __init__(self, binary, name, config):
        self.binary = binary
        self.tmp = temp_dir("wowtech-%s-" % name)
        self.state = os.path.join(self.tmp, "state")
        self.conf = os.path.join(self.tmp, "kiosk.conf")
        self.store = os.path.join(self.tmp, "kiosk.db")
        self.shots = os.path.join(self.tmp, "shots")
        os.mkdir(self.state)
        os.mkdir(self.shots)
        self.env = dict(os.environ, STATE_DIRECTORY=self.state,
                        XDG_DATA_HOME=os.path.join(self.tmp, "xdg"))
        if config is not None:
            with open(self.conf, "w") as f:
                f.write(config)

    def args(self, sync="off", config=True):
        a = ["--windowed", "%dx%d" % (W, H), "--store", self.store, "--sync", sync,
             "--override", "none", "--screenshot", self.shots]
        return a + (["--config", self.conf] if config else [])

    def run(self, script, on_mark=None, sync="off", config=True):
        return Kiosk(self.binary, self.args(sync, config), self.env, script, on_mark, self.tmp)

    def file(self, name):
        path = os.path.join(self.state, name)
        if not os.path.exists(path):
            return None
        with open(path) as f:
            return f.read()

    def taps(self):
        con = sqlite3.connect(self.store)
        try:
            return con.execute("SELECT department, rating FROM taps ORDER BY id").fetchall()
        finally:
            con.close()


def parse_lock(text):
    assert text is not None and re.fullmatch(r"\d+ \d+\n", text), "lock file holds %r" % text
    failures, until = text.split()
    return int(failures), int(until)


def config(pin_hash_lines, extra=""):
    return ("[kiosk]\nid = tech-e2e\nlanguages = en\nmode = single\ndepartment = front\n\n"
            "[department front]\nname = Front desk\n\n[department back]\nname = Back office\n\n"
            "[followup]\nenabled = false\n\n[screen]\nack_ms = 100\nthanks_s = 0.5\n\n"
            "[press_filter]\nmin_interval_s = 0\nburst_count = 0\n\n" + extra + pin_hash_lines)


# ---- lock ----

def lock_first_run(s):
    """Gesture negatives, then three wrong PINs; the lock file after each."""
    sc = Script()
    sc.mark("start")
    sc.add("press 5 5", "wait 1000", "release", "wait 300")  # too short a first hold
    sc.hold("br")
    sc.mark("short")
    sc.hold("bl")  # adjacent to br, not opposite
    sc.mark("adjacent")
    sc.hold("tr")  # opposite of bl: opens
    sc.mark("opened")
    for i, wrong in enumerate(("1111", "2222", "3333")):
        sc.pin(wrong)
        sc.mark("wrong%d" % (i + 1))
    k = s.run(sc, on_mark=lambda name: (time.time() * 1000, s.file("technician-lock")))
    k.expect_exit0()

    pads = k.index(r"technician: PIN pad$")
    assert len(pads) == 1, "the PIN pad opened %d times:\n%s" % (len(pads), k.log())
    assert k.mark_line("adjacent") < pads[0] < k.mark_line("opened"), \
        "the pad did not open exactly on the opposite corner's hold:\n" + k.log()
    assert k.marks["start"][1][1] is None, "a lock file before any PIN was typed"
    for n in (1, 2):
        assert parse_lock(k.marks["wrong%d" % n][1][1]) == (n, 0), \
            "after wrong PIN %d the lock file holds %r" % (n, k.marks["wrong%d" % n][1][1])
        assert len(k.index(r"technician: wrong PIN \(%d in a row\)$" % n)) == 1, k.log()
    t_before = k.marks["wrong2"][1][0]
    t_after, text = k.marks["wrong3"][1]
    failures, until = parse_lock(text)
    assert failures == 3, "after 3 wrong PINs the lock file holds %r" % text
    assert t_before + 30000 - 50 <= until <= t_after + 30000 + 50, \
        "lock until %d, expected 30 s after the third wrong PIN (between %d and %d)" % (
            until, t_before + 30000, t_after + 30000)
    assert k.index(r"technician: wrong PIN \(3 in a row\); PIN pad locked for 30 s$"), k.log()
    assert not k.index(r"PIN accepted"), k.log()
    return until


def lock_second_run(s, until):
    """The lock kept over a restart; digits while locked; doubling; the right PIN."""
    sc = Script()
    sc.gesture()
    sc.mark("pad")
    sc.pin(PIN)  # still locked: neither accepted nor counted
    sc.mark("locked_right")
    sc.add("advance 31000")
    sc.tap("pin:ok")  # past the lock: the digits typed while locked were dropped
    sc.add("wait 200")
    sc.mark("wrong4")
    sc.add("advance 61000")
    sc.pin("9999")
    sc.mark("wrong5")
    sc.add("advance 121000")
    sc.pin(PIN)
    sc.mark("accepted")
    k = s.run(sc, on_mark=lambda name: (time.time() * 1000, s.file("technician-lock")))
    k.expect_exit0()
    assert k.index(r"technician: PIN pad$"), "the gesture did not open the pad:\n" + k.log()

    t_pad, text = k.marks["locked_right"][1]
    assert parse_lock(text) == (3, until), \
        "the right PIN while locked changed the lock file to %r" % text
    assert t_pad < until, "the test ran too slowly: the lock had ended before it was tried"

    t_ok, text = k.marks["wrong4"][1]
    failures, until4 = parse_lock(text)
    assert failures == 4, "OK on the digits typed while locked: lock file %r (a PIN typed " \
        "while locked was kept, or the empty PIN was not counted)" % text
    assert k.index(r"technician: wrong PIN \(4 in a row\); PIN pad locked for 60 s$"), k.log()
    lo, hi = k.marks["locked_right"][1][0] + 31000 + 60000, t_ok + 31000 + 60000
    assert lo - 50 <= until4 <= hi + 50, "4th lock until %d, expected in %d..%d" % (until4, lo, hi)

    t5, text = k.marks["wrong5"][1]
    failures, until5 = parse_lock(text)
    assert failures == 5, "lock file %r after the 5th wrong PIN" % text
    lo, hi = t_ok + 92000 + 120000, t5 + 92000 + 120000
    assert lo - 50 <= until5 <= hi + 50, "5th lock until %d, expected in %d..%d" % (until5, lo, hi)
    assert k.index(r"technician: wrong PIN \(5 in a row\); PIN pad locked for 120 s$"), k.log()

    assert k.marks["accepted"][1][1] == "0 0\n", \
        "after the right PIN the lock file holds %r" % k.marks["accepted"][1][1]
    accepted, menu = k.index(r"technician: PIN accepted$"), k.index(r"technician: menu$")
    assert len(accepted) == 1 and len(menu) == 1 and accepted[0] < menu[0], k.log()
    assert k.mark_line("wrong5") < accepted[0] < k.mark_line("accepted"), k.log()


def lock_no_pin(binary):
    """A config file without pin_hash: the pad opens, no PIN opens the menu."""
    s = Setup(binary, "nopin", config(""))
    sc = Script()
    sc.gesture()
    sc.mark("pad")
    sc.pin("0000")
    sc.pin(PIN)
    sc.add("screenshot")
    k = s.run(sc)
    k.expect_exit0()
    assert k.index(r"technician: PIN pad$"), "the pad did not open:\n" + k.log()
    assert not k.index(r"PIN accepted|technician: menu|wrong PIN"), \
        "without a pin_hash a PIN did something:\n" + k.log()
    assert s.file("technician-lock") is None, "a lock file was written without a PIN"
    shot = read_png(os.path.join(s.shots, "shot-001.png"))
    assert near(shot.rgb(W // 2, 2), TECH_ACCENT), "the technician pad is not on the screen " \
        "after the PINs (top edge %s)" % (shot.rgb(W // 2, 2),)


def scenario_lock(binary):
    s = Setup(binary, "lock", config(hash_pin(binary, PIN, os.environ)))
    until = lock_first_run(s)
    lock_second_run(s, until)
    lock_no_pin(binary)
    return "technician lock: gesture, lockout kept over a restart, doubling, right PIN, no PIN"


# ---- menu ----

def shared_wow_and_seen(path):
    """(sum of rating_4, the heartbeat's last_seen_ms) in the shared file; (None, None) before
    it has its tables."""
    if not os.path.exists(path):
        return (None, None)
    con = sqlite3.connect(path)
    try:
        wow = con.execute("SELECT coalesce(sum(rating_4), 0) FROM tap_counts").fetchone()[0]
        seen = con.execute("SELECT coalesce(max(last_seen_ms), 0) FROM kiosks").fetchone()[0]
        return (wow, seen)
    except sqlite3.OperationalError:
        return (None, None)
    finally:
        con.close()


def near(got, want, tol=8):
    return all(abs(a - b) <= tol for a, b in zip(got, want))


def check_touch_shots(before, after, points):
    for x, y in points:
        assert near(before.rgb(x, y), TECH_BACKGROUND), \
            "touch test background at %d,%d is %s" % (x, y, before.rgb(x, y))
        assert not near(after.rgb(x, y), TECH_BACKGROUND, 30), \
            "no mark at the touched point %d,%d: %s" % (x, y, after.rgb(x, y))
        ring = [after.rgb(x + d, y) for d in range(12, 25)]
        assert any(not near(p, TECH_BACKGROUND, 30) for p in ring), \
            "no ring around %d,%d: %s" % (x, y, ring)
        gap = after.rgb(x + 8, y)
        assert near(gap, TECH_BACKGROUND), "the mark at %d,%d is no ring: %s" % (x, y, gap)


def check_pattern(shot):
    for i, want in enumerate(BARS):
        x = W * i // 8 + W // 16
        for y in (20, H * 3 // 5 - 20):
            got = shot.rgb(x, y)
            assert near(got, want, 2), "bar %d at %d,%d is %s, expected %s" % (i, x, y, got, want)
    y = H * 3 // 5 + H // 8
    ramp = [shot.rgb(W * i // 16 + W // 32, y) for i in range(16)]
    assert all(r == g == b for r, g, b in ramp) and ramp[0][0] < 8 and ramp[-1][0] > 247, \
        "grey ramp %s" % ramp
    assert all(a[0] < b[0] for a, b in zip(ramp, ramp[1:])), "the grey ramp does not rise: %s" % ramp


def scenario_menu(binary):
    s = Setup(binary, "menu", None)
    shared = os.path.join(s.tmp, "shared.db")
    with open(s.conf, "w") as f:
        f.write(config(hash_pin(binary, PIN, os.environ),
                       "[sync]\ntarget = %s\ninterval_s = 3600\n\n" % shared))
    touches = [(200, 300), (600, 150)]
    sc = Script(start_ms=1500)  # the sync thread's first round goes before the tap
    sc.tap("face:4")
    sc.add("wait 1500")
    sc.mark("tapped")
    sc.gesture()
    sc.pin(PIN)
    sc.mark("menu")
    sc.tap("%d %d" % HAPPY_XY)  # a customer's tap under the menu: ignored
    sc.add("wait 1000")
    sc.mark("before_sync")
    sc.tap("tech:sync")
    sc.add("wait %d" % (2000 * SLOW))
    sc.mark("synced")
    sc.tap("tech:touch")
    sc.add("wait 300", "screenshot")  # shot-001: the touch test, untouched
    for x, y in touches:
        sc.tap("%d %d" % (x, y))
    sc.add("wait 300", "screenshot")  # shot-002: with the marks
    sc.tap("tech:back")
    sc.tap("tech:pattern")
    sc.add("wait 300", "screenshot")  # shot-003: the pattern
    sc.tap("400 240")  # any touch: back to the menu
    sc.tap("tech:close")
    sc.add("wait 300")
    sc.mark("closed")
    sc.tap("%d %d" % HAPPY_XY)  # now a customer's tap again
    sc.add("wait 1000")
    k = s.run(sc, on_mark=lambda name: shared_wow_and_seen(shared), sync=shared)
    k.expect_exit0()

    committed = k.index(r"tap committed id=")
    assert len(committed) == 2, "%d taps committed, expected 2:\n%s" % (len(committed), k.log())
    assert committed[0] < k.mark_line("tapped") and committed[1] > k.mark_line("closed"), \
        "a tap was taken while the technician screen was shown:\n" + k.log()
    assert s.taps() == [("front", 4), ("front", 3)], "store taps %s" % s.taps()

    connected = k.index(r"sync: connected to the SQLite file")
    assert connected and connected[0] < committed[0], \
        "the sync thread's first round was not done before the tap (cannot prove 'not before')"
    # a committed tap wakes the sync thread (about half a second), though interval_s = 3600
    tapped, menu = k.marks["tapped"][1], k.marks["menu"][1]
    before, synced = k.marks["before_sync"][1], k.marks["synced"][1]
    expect(tapped[0] == 1, "%s WOW taps in %s's tap_counts 1.5 s after the tap, expected 1 "
           "(a committed tap did not wake the sync thread)" % (tapped[0], shared))
    # no round while the menu is open (its ignored taps commit nothing) until 'sync now'
    expect(menu[1] == tapped[1] and before[1] == tapped[1],
           "a round ran before 'sync now' (heartbeat at %s, %s, %s)" % (tapped[1], menu[1],
                                                                       before[1]))
    expect(k.index(r"technician: sync now$"), "no 'technician: sync now' line")
    expect(synced[0] == 1 and synced[1] > before[1],
           "%d s after 'sync now' the heartbeat is at %s (before: %s), expected later (the sync "
           "thread did not run a round on the request)" % (2 * SLOW, synced[1], before[1]))

    at = k.index(r"technician: touch test$")
    assert at, k.log()
    logged = [tuple(map(int, re.search(r"touch at (\d+),(\d+)", k.lines[i]).groups()))
              for i in k.index(r"technician: touch at ")]
    assert logged == touches, "touch test logged %s, expected %s" % (logged, touches)
    check_touch_shots(read_png(os.path.join(s.shots, "shot-001.png")),
                      read_png(os.path.join(s.shots, "shot-002.png")), touches)
    pattern = k.index(r"technician: test pattern$")
    assert pattern and k.index(r"technician: menu$", pattern[0]), \
        "a touch did not end the test pattern:\n" + k.log()
    check_pattern(read_png(os.path.join(s.shots, "shot-003.png")))
    assert k.index(r"technician: closed$"), k.log()
    return "technician menu: taps ignored, sync now, touch test, pattern, close"


# ---- department ----

def wait_restarted(k, s, conf_line):
    """Waits for the same process to start again and present a frame, then stops it."""
    k.wait_for(r"\] restarting$")
    restarting_ms = time.time() * 1000
    k.wait_for(r"wowkiosk 0\.1\.0 starting$", 2)
    config_at = k.wait_for(r"\] config: ", 2)
    k.wait_for(r"first frame presented", 2)
    assert k.proc.poll() is None, "the restarted kiosk exited:\n" + k.log()
    with open("/proc/%d/cmdline" % k.proc.pid, "rb") as f:
        argv = f.read().split(b"\0")
    assert b"--script" not in argv, "the restarted kiosk runs its script again: %s" % argv
    # The ready file follows the "first frame" line: give it a moment.
    deadline = time.monotonic() + 5 * SLOW
    while True:
        ready = s.file("ready") or "0 - 0"
        fresh = int(ready.split()[2]) >= restarting_ms - 4000
        if fresh or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert fresh, "the ready file %r was not written again by the restarted kiosk" % ready
    assert ready.split()[0] == str(k.proc.pid), \
        "ready file %r after the restart, expected pid %d" % (ready, k.proc.pid)
    assert k.lines[config_at].endswith("config: " + conf_line), \
        "config line %r, expected %r" % (k.lines[config_at], conf_line)
    k.proc.send_signal(signal.SIGTERM)
    rc = k.finish()
    assert rc == 0, "the restarted kiosk exited %d on SIGTERM" % rc
    assert k.index(r"quit requested$"), k.log()


def scenario_department(binary):
    s = Setup(binary, "dept", config(hash_pin(binary, PIN, os.environ)))
    choice = os.path.join(s.state, "technician.conf")

    sc = Script()
    sc.tap("face:4")
    sc.add("wait 1000")
    sc.gesture()
    sc.pin(PIN)
    sc.tap("tech:department")
    sc.tap("tech-department:back")
    k = s.run(sc)
    wait_restarted(k, s, "%s + %s" % (s.conf, choice))
    text = s.file("technician.conf")
    assert text is not None, "no technician.conf after choosing a department"
    keys = re.findall(r"^\s*(\w+)\s*=\s*(\S+)\s*$", text, re.M)
    assert "[kiosk]" in text and keys == [("mode", "single"), ("department", "back")], \
        "technician.conf holds %r" % text
    assert k.index(r"technician: department set to back")

    sc = Script()
    sc.tap("face:4")
    sc.add("wait 1000")
    sc.gesture()
    sc.pin(PIN)
    sc.tap("tech:department")
    sc.tap("tech-department:configured")
    k = s.run(sc)
    wait_restarted(k, s, s.conf)
    assert k.index(r"config: %s \+ %s$" % (re.escape(s.conf), re.escape(choice))), \
        "the second run did not read technician.conf:\n" + k.log()
    assert s.file("technician.conf") is None, "'As configured' left technician.conf"

    sc = Script()
    sc.tap("face:4")
    sc.add("wait 1000")
    sc.gesture()
    sc.pin(PIN)
    sc.tap("tech:restart")
    k = s.run(sc)
    wait_restarted(k, s, s.conf)
    assert k.index(r"technician: restart requested$"), k.log()
    assert len(k.index(r"wowkiosk 0\.1\.0 starting$")) == 2, k.log()

    taps = s.taps()
    assert taps == [("front", 4), ("back", 4), ("front", 4)], \
        "store taps %s, expected front, back (after the switch), front (as configured)" % taps
    return "technician department: switch, restart in place, as configured, restart item"


def main():
    binary, which = sys.argv[1], sys.argv[2]
    summary = {"lock": scenario_lock, "menu": scenario_menu,
               "department": scenario_department}[which](binary)
    finish("technician %s" % which, summary)


if __name__ == "__main__":
    main()
