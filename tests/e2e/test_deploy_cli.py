#!/usr/bin/env python3
"""End-to-end: what deploying a kiosk relies on, on the real binary.

Usage: test_deploy_cli.py WOWKIOSK

  - --hash-pin: a good PIN gives the two config lines (a fresh salt each
    time, and the file they make passes --check-config); a short PIN, a long
    one, letters and no input at all exit 2;
  - the boot-partition override (--override FILE) is read key by key over
    --config: a department set there is the one taps are stored for;
    --override none and a missing override file leave the main config's;
  - an override that ran once and then is missing (the boot partition not
    mounted in time) is replaced by its last good copy: the kiosk keeps its
    id, department and sync target, and its heartbeat says so; an empty
    override file is none, and is kept as the copy;
  - an error in the override names that file and line, in the log and on
    the error screen, and nothing is collected; --check-config MAIN
    --override FILE prints "MAIN + FILE: ok" or the override's errors;
  - --self-test passes on a good setup, fails on a config with errors or a
    store that cannot be opened; a ready file naming a live kiosk of this
    version makes the display check pass without opening a display (here
    one that cannot be opened), a dead pid or another version does not; a
    self-test of a config with errors leaves no store behind made for the
    development kiosk id;
  - sd_notify: READY=1 with STATUS after the first frame (the ready file is
    written by then), WATCHDOG=1 at half the WATCHDOG_USEC period while
    idle, STOPPING=1 on SIGTERM; WATCHDOG_PID naming another process turns
    the pings off, naming the kiosk keeps them.
Checks that are not preconditions are collected, so one failure does not hide
the others; the test fails at the end listing them all.
"""
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_checks import SLOW, expect, finish, temp_dir  # noqa: E402
from pngread import read_png  # noqa: E402

VERSION = "0.1.0"

MAIN = """\
[kiosk]
id = deploy-1
languages = en
mode = single
department = front

[department front]
name = Front desk

[department back]
name = Back office

[followup]
enabled = false

[screen]
ack_ms = 100
thanks_s = 0.5
"""

OVERRIDE = "# the boot partition's file\n[kiosk]\ndepartment = back\n"
# line 3: a key [kiosk] does not take; line 5: a bad value
BAD_OVERRIDE = "[kiosk]\n\nrotation = 90\n[screen]\nrotation = 45\n"

def run(binary, args, env, stdin=None, timeout=60):
    return subprocess.run([binary] + args, env=env, input=stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=timeout * SLOW)


class Place:
    """A temp directory: state directory, environment, files."""

    def __init__(self, name):
        self.tmp = temp_dir("wowdeploy-%s-" % name)
        self.state = self.path("state")
        os.mkdir(self.state)
        self.env = dict(os.environ, STATE_DIRECTORY=self.state,
                        XDG_DATA_HOME=self.path("xdg"))

    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, name, text):
        with open(self.path(name), "w") as f:
            f.write(text)
        return self.path(name)


# ---- --hash-pin ----

def test_hash_pin(binary):
    p = Place("pin")
    r = run(binary, ["--hash-pin"], p.env, "482913\n")
    assert r.returncode == 0, "--hash-pin 482913: exit %d, %s" % (r.returncode, r.stderr)
    lines = r.stdout.splitlines()
    expect(len(lines) == 2 and lines[0] == "[technician]" and
           re.fullmatch(r"pin_hash = \$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$\S+\$\S+", lines[1]),
           "--hash-pin printed %r" % r.stdout)
    expect("482913" not in r.stdout + r.stderr, "--hash-pin printed the PIN itself")
    again = run(binary, ["--hash-pin"], p.env, "482913\n")
    expect(again.returncode == 0 and again.stdout != r.stdout,
           "two hashes of one PIN are equal (no fresh salt): %r" % again.stdout)
    conf = p.write("pin.conf", MAIN + "\n" + r.stdout)
    check = run(binary, ["--check-config", conf], p.env)
    expect(check.returncode == 0, "a config with the printed lines fails --check-config: %s"
           % check.stderr)
    for pin, why in (("123", "3 digits"), ("123456789", "9 digits"), ("12a4", "a letter"),
                     ("", "nothing"), (None, "no input")):
        r = run(binary, ["--hash-pin"], p.env, pin + "\n" if pin is not None else "")
        expect(r.returncode == 2 and r.stdout == "" and "--hash-pin" in r.stderr,
               "--hash-pin with %s: exit %d, stdout %r, stderr %r" % (why, r.returncode, r.stdout,
                                                                      r.stderr))


# ---- the override ----

def tap_run(binary, p, override, store):
    """A kiosk run that taps the WOW face once; returns (exit, log)."""
    script = p.write("tap.script", "wait 300\ntap face:4\nwait 800\nquit\n")
    r = run(binary, ["--windowed", "800x480", "--config", p.path("main.conf"), "--override",
                     override, "--store", store, "--sync", "off", "--script", script], p.env)
    sys.stderr.write(r.stderr)
    return r.returncode, r.stderr


def stored_departments(store):
    con = sqlite3.connect(store)
    try:
        return [d for (d,) in con.execute("SELECT department FROM taps ORDER BY id")]
    finally:
        con.close()


def test_override(binary):
    p = Place("override")
    main = p.write("main.conf", MAIN)
    over = p.write("boot.conf", OVERRIDE)
    cases = ((over, "back", "%s + %s" % (main, over)), ("none", "front", main),
             (p.path("missing.conf"), "front", main))
    for i, (override, want, line) in enumerate(cases):
        store = p.path("kiosk-%d.db" % i)
        rc, log = tap_run(binary, p, override, store)
        assert rc == 0, "kiosk with --override %s exited %d" % (override, rc)
        expect(re.search(r"\] config: %s$" % re.escape(line), log, re.M),
               "--override %s: no log line 'config: %s'" % (override, line))
        got = stored_departments(store) if os.path.exists(store) else None
        expect(got == [want], "--override %s: taps stored for %s, expected [%r]" %
               (override, got, want))


def heartbeat(shared, kiosk_id):
    """(department, last_error) of kiosk_id's row in the shared SQLite database, or None."""
    if not os.path.exists(shared):
        return None
    con = sqlite3.connect(shared, timeout=5)
    try:
        return con.execute("SELECT department, last_error FROM kiosks WHERE kiosk_id = ?",
                           (kiosk_id,)).fetchone()
    except sqlite3.OperationalError:
        return None  # no schema yet
    finally:
        con.close()


def heartbeat_run(binary, p, override, store, shared, kiosk_id):
    """A kiosk left running until kiosk_id's heartbeat reaches shared (at most 30 s);
    returns (its row, the log)."""
    log_path = p.path("heartbeat.log")
    proc = subprocess.Popen([binary, "--windowed", "800x480", "--config", p.path("main.conf"),
                             "--override", override, "--store", store],
                            stdout=open(log_path, "w"), stderr=subprocess.STDOUT, env=p.env)
    row, deadline = None, time.monotonic() + 30 * SLOW
    while row is None and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
        row = heartbeat(shared, kiosk_id)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(20 * SLOW)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    with open(log_path, errors="replace") as f:
        return row, f.read()


def test_override_missing(binary):
    """Regression (power-cut test): a boot whose boot partition timed out ran on the
    image's file alone, as "unnamed" syncing to the default target.  The override's last
    good copy runs in its place now, and the fleet sees it in the heartbeat."""
    p = Place("missing")
    shared = p.path("fleet.db")
    p.write("main.conf", MAIN + "\n[sync]\ninterval_s = 1\n")
    text = "[kiosk]\nid = boot-7\ndepartment = back\n\n[sync]\ntarget = %s\n" % shared
    over = p.write("boot.conf", text)
    kept = os.path.join(p.state, "last-good.override.conf")
    row, log = heartbeat_run(binary, p, over, p.path("first.db"), shared, "boot-7")
    expect(row == ("back", ""), "first boot: heartbeat %r, expected ('back', '')\n%s" % (row, log))
    expect(_read_or_none(kept) == text, "first boot: %s holds %r" % (kept, _read_or_none(kept)))

    os.remove(over)  # the boot partition did not mount
    for name in os.listdir(p.tmp):  # the fleet's database anew: the next row is the next boot's
        if name.startswith("fleet.db"):
            os.remove(p.path(name))
    row, log = heartbeat_run(binary, p, over, p.path("second.db"), shared, "boot-7")
    problem = "config: %s is missing: running on its last good copy" % over
    expect(row == ("back", problem), "override missing: heartbeat %r, expected %r\n%s" %
           (row, ("back", problem), log))
    expect("config: %s is missing (boot partition not mounted?): running on its last good copy "
           "%s until it is back" % (over, kept) in log, "override missing: no warning\n" + log)
    expect(_read_or_none(kept) == text, "override missing: %s holds %r" %
           (kept, _read_or_none(kept)))

    # An empty file is how a technician says none: the main file alone, and kept so.
    p.write("boot.conf", "")
    rc, log = tap_run(binary, p, over, p.path("empty.db"))
    line = r"\] config: %s$" % re.escape("%s + %s" % (p.path("main.conf"), over))
    expect(rc == 0 and re.search(line, log, re.M), "empty override: exit %d\n%s" % (rc, log))
    expect(_read_or_none(kept) == "", "empty override: %s holds %r" % (kept, _read_or_none(kept)))
    got = stored_departments(p.path("empty.db")) if os.path.exists(p.path("empty.db")) else None
    expect(got == ["front"], "empty override: taps stored for %s, expected ['front']" % got)


def test_override_errors(binary):
    p = Place("badoverride")
    main = p.write("main.conf", MAIN)
    bad = p.write("boot.conf", BAD_OVERRIDE)
    good = p.write("good-boot.conf", OVERRIDE)

    r = run(binary, ["--check-config", main, "--override", good], p.env)
    expect(r.returncode == 0 and r.stdout == "%s + %s: ok\n" % (main, good),
           "--check-config with a good override: exit %d, %r" % (r.returncode, r.stdout))
    r = run(binary, ["--check-config", main, "--override", bad], p.env)
    expect(r.returncode == 1, "--check-config with a bad override: exit %d" % r.returncode)
    where = re.findall(r"^%s:(\d+): ([\w.]+): " % re.escape(bad), r.stderr, re.M)
    expect(where == [("3", "kiosk.rotation"), ("5", "screen.rotation")],
           "--check-config blamed %s in\n%s" % (where, r.stderr))
    expect(main + ":" not in r.stderr, "the main file was blamed:\n" + r.stderr)
    undefined = p.write("undefined.conf", "[kiosk]\ndepartment = nosuch\n")
    r = run(binary, ["--check-config", main, "--override", undefined], p.env)
    expect(r.returncode == 1 and re.search(r"^%s:2: kiosk\.department: .*nosuch" %
                                           re.escape(undefined), r.stderr, re.M),
           "an undefined department in the override: exit %d,\n%s" % (r.returncode, r.stderr))

    shots, store = p.path("shots"), p.path("kiosk.db")
    script = p.write("quit.script", "wait 300\nscreenshot\nquit\n")
    r = run(binary, ["--windowed", "800x480", "--config", main, "--override", bad, "--store",
                     store, "--sync", "off", "--script", script, "--screenshot", shots], p.env)
    sys.stderr.write(r.stderr)
    assert r.returncode == 0, "kiosk with a bad override exited %d" % r.returncode
    for line, key in (("3", "kiosk.rotation"), ("5", "screen.rotation")):
        expect(re.search(r"\] config: %s:%s: %s: " % (re.escape(bad), line, re.escape(key)),
                         r.stderr), "no log line 'config: %s:%s: %s: ...'" % (bad, line, key))
    expect(not os.path.exists(store), "a kiosk with a bad override opened its store")
    shot = read_png(os.path.join(shots, "shot-001.png"))
    good_run = run(binary, ["--windowed", "800x480", "--config", main, "--override", "none",
                            "--store", p.path("good.db"), "--sync", "off", "--script", script,
                            "--screenshot", p.path("good-shots")], p.env)
    assert good_run.returncode == 0, good_run.stderr
    normal = read_png(os.path.join(p.path("good-shots"), "shot-001.png"))
    expect(shot.rgb(400, 2) != normal.rgb(400, 2) and shot.rgb(20, 240) != normal.rgb(20, 240),
           "the bad override's screen looks like the customer screen (%s, %s)" %
           (shot.rgb(400, 2), shot.rgb(20, 240)))


# ---- --self-test ----

def self_test(binary, p, config, override="none", store=None, env=None):
    args = ["--self-test", "--config", config, "--override", override, "--store",
            store or p.path("kiosk.db")]
    r = run(binary, args, env or p.env)
    sys.stderr.write(r.stderr)
    return r


def lines_of(r, prefix):
    return [l for l in r.stdout.splitlines() if l.startswith(prefix)]


def test_self_test(binary):
    p = Place("selftest")
    main = p.write("main.conf", MAIN)
    bad = p.write("boot.conf", BAD_OVERRIDE)

    r = self_test(binary, p, main)
    expect(r.returncode == 0 and r.stdout.splitlines()[-1:] == ["self-test: passed"],
           "self-test of a good setup: exit %d\n%s" % (r.returncode, r.stdout))
    for what in ("config", "store", "display"):
        expect(lines_of(r, "ok   %s: " % what), "no 'ok   %s:' line in\n%s" % (what, r.stdout))
    expect(not lines_of(r, "FAIL"), "FAIL lines in a passing self-test:\n" + r.stdout)
    expect("one frame presented" in r.stdout, "no frame presented without a running kiosk:\n"
           + r.stdout)
    expect(not os.path.exists(os.path.join(p.state, "ready")),
           "the self-test wrote the ready file (it is the running kiosk's)")

    # A config with errors: on a fresh kiosk (nothing to fall back on), and
    # on one whose last good config is kept (the run above kept it).
    fresh_place = Place("selftest-fresh")
    for place in (fresh_place, p):
        fresh = place.path("fresh.db")
        r = self_test(binary, place, main, override=bad, store=fresh)
        expect(r.returncode == 1 and r.stdout.splitlines()[-1:] == ["self-test: FAILED"],
               "self-test with a bad override: exit %d\n%s" % (r.returncode, r.stdout))
        expect([l for l in lines_of(r, "FAIL config: ") if bad in l],
               "no 'FAIL config:' line naming %s:\n%s" % (bad, r.stdout))
        made_for = None
        if os.path.exists(fresh):
            con = sqlite3.connect(fresh)
            row = con.execute("SELECT value FROM meta WHERE key = 'kiosk_id'").fetchone()
            con.close()
            made_for = row[0] if row else None
        expect(made_for in (None, "deploy-1"),
               "the self-test of a config with errors created the store %s for kiosk %r: "
               "the kiosk, once its config is fixed, keeps and syncs its taps under that id" %
               (fresh, made_for))

    blocker = p.write("not-a-dir", "a regular file\n")
    r = self_test(binary, p, main, store=os.path.join(blocker, "kiosk.db"))
    expect(r.returncode == 1 and lines_of(r, "FAIL store: ") and
           r.stdout.splitlines()[-1:] == ["self-test: FAILED"],
           "self-test with a store under a regular file: exit %d\n%s" % (r.returncode, r.stdout))

    # A ready file of a live process of this version: no display needed.
    no_display = dict(p.env, SDL_VIDEODRIVER="no-such-driver")
    ready = os.path.join(p.state, "ready")
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        with open(ready, "w") as f:
            f.write("%d %s 1700000000000\n" % (sleeper.pid, VERSION))
        r = self_test(binary, p, main, env=no_display)
        expect(r.returncode == 0 and lines_of(r, "ok   display: the running kiosk (pid %d, %s)"
                                              % (sleeper.pid, VERSION)),
               "self-test with a live kiosk's ready file: exit %d\n%s" % (r.returncode, r.stdout))
        with open(ready, "w") as f:
            f.write("%d 0.0.9 1700000000000\n" % sleeper.pid)
        r = self_test(binary, p, main, env=no_display)
        expect(r.returncode == 1 and lines_of(r, "FAIL display: ") and "0.0.9" in r.stdout,
               "self-test trusted a ready file of version 0.0.9: exit %d\n%s" %
               (r.returncode, r.stdout))
    finally:
        sleeper.kill()
        sleeper.wait()
    with open(ready, "w") as f:
        f.write("%d %s 1700000000000\n" % (sleeper.pid, VERSION))
    r = self_test(binary, p, main, env=no_display)
    expect(r.returncode == 1 and lines_of(r, "FAIL display: ") and "not running" in r.stdout,
           "self-test trusted the ready file of dead pid %d: exit %d\n%s" %
           (sleeper.pid, r.returncode, r.stdout))
    r = self_test(binary, p, main)
    expect(r.returncode == 0 and "one frame presented" in r.stdout,
           "with a dead pid's ready file the self-test did not present a frame itself:\n"
           + r.stdout)
    with open(ready) as f:
        expect(f.read().startswith("%d " % sleeper.pid), "the self-test rewrote the ready file")


# ---- sd_notify ----

class Notifications:
    """An AF_UNIX datagram socket standing in for systemd's."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.1)
        self.got = []  # (monotonic s, text)
        self.stop = False
        self.ready = threading.Event()
        self.on_ready = None
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while not self.stop:
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            text = data.decode()
            if text.startswith("READY=1") and self.on_ready:
                self.on_ready()
            self.got.append((time.monotonic(), text))
            if text.startswith("READY=1"):
                self.ready.set()

    def close(self):
        self.stop = True
        self.thread.join(5)
        self.sock.close()


def notify_run(binary, p, name, watchdog_pid=None, observe_s=2.0):
    """Runs the kiosk under a fake systemd until observe_s after READY; SIGTERM; returns
    (messages, exit code, stderr, ready file contents at READY, pid)."""
    n = Notifications(p.path(name + ".sock"))
    seen = {}
    n.on_ready = lambda: seen.setdefault("ready", _read_or_none(os.path.join(p.state, "ready")))
    env = dict(p.env, NOTIFY_SOCKET=n.path, WATCHDOG_USEC="400000")
    env.pop("WATCHDOG_PID", None)
    args = ["--windowed", "800x480", "--config", p.path("main.conf"), "--override", "none",
            "--store", p.path(name + ".db"), "--sync", "off"]
    if watchdog_pid == "self":
        cmd = ["sh", "-c", 'WATCHDOG_PID=$$; export WATCHDOG_PID; exec "$0" "$@"', binary] + args
    else:
        if watchdog_pid is not None:
            env["WATCHDOG_PID"] = str(watchdog_pid)
        cmd = [binary] + args
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
    err = []
    reader = threading.Thread(target=lambda: err.extend(proc.stderr), daemon=True)
    reader.start()
    try:
        assert n.ready.wait(30 * SLOW), "no READY=1 within %d s; got %s\n%s" % (
            30 * SLOW, n.got, "".join(err))
        time.sleep(observe_s)
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(30 * SLOW)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    time.sleep(0.3)
    n.close()
    reader.join(5)
    sys.stderr.write("".join(err))
    return n.got, rc, "".join(err), seen.get("ready"), proc.pid


def _read_or_none(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def test_notify(binary):
    p = Place("notify")
    p.write("main.conf", MAIN)

    got, rc, log, ready, pid = notify_run(binary, p, "plain")
    texts = [t for _, t in got]
    expect(rc == 0 and "quit requested" in log, "SIGTERM: exit %d" % rc)
    expect(texts[:1] == ["READY=1\nSTATUS=collecting taps"],
           "the first notification is %r, expected READY=1 with STATUS" % texts[:1])
    expect(ready is not None and ready.split()[:2] == [str(pid), VERSION],
           "when READY=1 came the ready file held %r (the first frame was not presented?)" % ready)
    expect(texts[-1:] == ["STOPPING=1"] and texts.count("STOPPING=1") == 1,
           "the last notification is %r, expected one STOPPING=1" % texts[-1:])
    pings = [t for t, text in got if text == "WATCHDOG=1"]
    ready_at = got[0][0] if got else 0
    stop_at = [t for t, text in got if text == "STOPPING=1"]
    window = (stop_at[0] if stop_at else time.monotonic()) - ready_at
    expect(len(pings) >= int(window / 0.2) - 2,
           "%d WATCHDOG=1 in %.1f s of an idle kiosk, expected one per ~200 ms" %
           (len(pings), window))
    gaps = [b - a for a, b in zip([ready_at] + pings, pings + stop_at)]
    expect(gaps and max(gaps) < 0.4,
           "a gap of %.3f s between watchdog pings, over the 400 ms WATCHDOG_USEC" %
           max(gaps or [0]))
    expect(set(texts[1:-1]) <= {"WATCHDOG=1"}, "unexpected notifications %s" % texts)

    got, rc, log, _, _ = notify_run(binary, p, "other", watchdog_pid=os.getpid(), observe_s=1.5)
    texts = [t for _, t in got]
    expect(rc == 0 and texts[:1] == ["READY=1\nSTATUS=collecting taps"] and
           texts[-1:] == ["STOPPING=1"], "WATCHDOG_PID of another process: %s" % texts)
    expect("WATCHDOG=1" not in texts, "WATCHDOG=1 sent although WATCHDOG_PID names pid %d: %s"
           % (os.getpid(), texts))

    got, rc, log, _, _ = notify_run(binary, p, "self", watchdog_pid="self", observe_s=1.0)
    texts = [t for _, t in got]
    expect(rc == 0 and texts.count("WATCHDOG=1") >= 3,
           "WATCHDOG_PID naming the kiosk itself: %s" % texts)


def main():
    binary = sys.argv[1]
    for test in (test_hash_pin, test_override, test_override_missing, test_override_errors,
                 test_self_test, test_notify):
        test(binary)
    finish("deploy cli", "deploy cli: hash-pin, override, check-config, self-test, sd_notify behave")


if __name__ == "__main__":
    main()
