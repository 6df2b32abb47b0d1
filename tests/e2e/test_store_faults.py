#!/usr/bin/env python3
"""Store faults on the real binary: an operator's bad day, as the kiosk's service user.

Usage: test_store_faults.py WOWKIOSK SCENARIO

  readonly  a root-owned 0644 store (a backup copied in by root): --self-test fails naming it,
            the running kiosk (as nobody) keeps its taps in memory, the heartbeat reports
            them with the store's error and since when, a stop spills them, and once the
            file is given back they are replayed: every thanked tap is in the store.
  deleted   the store removed under the running kiosk: every tap is in the file at its path.
  replaced  another store renamed over it: the kiosk's own data is kept as
            PATH.displaced-*, later taps go to the new file; none is lost.
  diskfull  the file system (a small tmpfs) filled up mid-run, then SIGTERM: the taps wait
            in memory, go to the preallocated reserve at the stop, and are replayed at the
            next start once there is room.
  nothing   neither the store nor any spill place writable: the kiosk shows its out-of-order
            notice and takes no tap (it never thanks one it cannot keep).
  signals   SIGHUP and SIGUSR1 mid-run change nothing.
  lock      another process holds the store's lock for 6 s: neither the screen nor the
            watchdog waits on it.
  stoplock  SIGTERM while the sync waits on a locked shared file: the kiosk stops at once.
  fonts     an install without its fonts: the heartbeat names the missing file.
"""
import glob
import os
import pwd
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

CONFIG = """\
[kiosk]
id = faults-kiosk
languages = en
[followup]
enabled = false
[screen]
ack_ms = 20
thanks_s = 0.2
[press_filter]
min_interval_s = 0
burst_count = 0
[sync]
interval_s = 600
target = {shared}
"""

COMMITTED = re.compile(r"tap committed id=(\d+)")


class Kiosk:
    """One run of the binary; stderr collected line by line, with a hook per line."""

    def __init__(self, binary, conf, db, script, user=None, on_line=None, shots=None,
                 extra=()):
        cmd = [binary, "--windowed", "800x480", "--config", conf, "--store", db,
               "--script", script, *extra]
        if shots:
            cmd += ["--screenshot", shots]
        if user:
            cmd = ["runuser", "-u", user, "--"] + cmd
        self.lines = []
        self.on_line = on_line
        self.p = subprocess.Popen(cmd, env=ENV, stderr=subprocess.PIPE, text=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.p.stderr:
            self.lines.append(line)
            if self.on_line:
                self.on_line(line, self)

    def wait(self, timeout=120):
        try:
            self.p.wait(timeout=timeout * SLOW)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            expect(False, "the kiosk did not end in %d s" % (timeout * SLOW))
        self.reader.join(timeout=10)
        return "".join(self.lines)

    def committed(self):
        return sum(1 for line in self.lines if COMMITTED.search(line))


def taps_in(db):
    """Taps in a store file (0 when it has no taps table)."""
    con = sqlite3.connect(db)
    try:
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'taps'").fetchone():
            return 0
        expect(con.execute("PRAGMA integrity_check").fetchone()[0] == "ok",
               "%s: integrity_check" % db)
        return con.execute("SELECT count(*) FROM taps").fetchone()[0]
    finally:
        con.close()


def setup(tmp, shared_dir=None):
    shared = os.path.join(shared_dir or tmp, "shared.db")
    conf = os.path.join(tmp, "kiosk.conf")
    with open(conf, "w") as f:
        f.write(CONFIG.format(shared=shared))
    return conf, shared


def script(tmp, name, lines):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(path, 0o644)
    return path


def taps(n, gap=300):
    out = []
    for i in range(n):
        out += ["tap face:%d" % (i % 4 + 1), "wait %d" % (gap * SLOW)]
    return out


def open_to(path, mode):
    os.chmod(path, mode)


def readonly(binary, tmp):
    os.chmod(tmp, 0o777)
    state = os.path.join(tmp, "state")
    os.makedirs(state, mode=0o777)
    os.chmod(state, 0o777)
    ENV["XDG_DATA_HOME"] = state
    conf, shared = setup(tmp)
    os.chmod(conf, 0o644)
    db = os.path.join(tmp, "kiosk.db")
    k = Kiosk(binary, conf, db, script(tmp, "root.script", taps(2) + ["wait 300", "quit"]))
    k.wait()
    expect(k.committed() == 2, "the root run committed %d taps, expected 2" % k.committed())
    for f in glob.glob(db + "*") + glob.glob(shared + "*"):
        os.chmod(f, 0o666 if f.startswith(shared) else 0o644)  # the store stays root's 0644
    # --self-test as the service user names the store it cannot write
    st = subprocess.run(["runuser", "-u", "nobody", "--", binary, "--self-test", "--config", conf,
                         "--store", db], env=ENV, capture_output=True, text=True, timeout=60)
    store_line = [line for line in st.stdout.splitlines() if " store:" in line]
    expect(st.returncode != 0, "--self-test passed on a store its user cannot write:\n" +
           st.stdout)
    expect(store_line and store_line[0].startswith("FAIL") and "read-only" in st.stdout + st.stderr,
           "--self-test's store line does not say read-only: %s\n%s" % (store_line, st.stderr))
    # the kiosk as nobody: 6 thanked taps wait in memory, the heartbeat says so
    lines = taps(6) + ["wait %d" % (3000 * SLOW), "quit"]
    k = Kiosk(binary, conf, db, script(tmp, "ro.script", lines), user="nobody")
    out = k.wait()
    expect("opened read-only" in out, "no log line names the read-only store:\n" + out[-3000:])
    expect(re.search(r"6 waiting records kept in \S+spill-", out),
           "the stop did not spill the 6 waiting records:\n" + out[-3000:])
    con = sqlite3.connect(shared)
    row = con.execute("SELECT store_waiting, store_error, store_error_since_ms, last_success_ms "
                      "FROM kiosks WHERE kiosk_id = 'faults-kiosk'").fetchone()
    con.close()
    expect(row is not None and row[0] > 0 and "read-only" in row[1] and row[2] > 0,
           "the heartbeat does not report the failing store: %r" % (row,))
    expect(taps_in(db) == 2, "the read-only store changed")
    # the file given back: the next start replays the spill, exactly once
    nobody = pwd.getpwnam("nobody")
    for f in glob.glob(db + "*"):
        os.chown(f, nobody.pw_uid, nobody.pw_gid)
    for _ in range(2):
        k = Kiosk(binary, conf, db, script(tmp, "idle.script", ["wait 500", "quit"]),
                  user="nobody")
        out = k.wait()
    expect(taps_in(db) == 8, "after the replay the store holds %d taps, expected 8" % taps_in(db))
    expect(not glob.glob(os.path.join(tmp, "kiosk.db.spill-2*")),
           "a spill file is left after its replay")
    return "read-only store: self-test fails, 6 taps reported, spilled and replayed exactly once"


def deleted(binary, tmp):
    conf, _ = setup(tmp)
    db = os.path.join(tmp, "kiosk.db")

    def on_line(line, k):
        if COMMITTED.search(line) and k.committed() == 3 and os.path.exists(db):
            os.remove(db)

    lines = taps(3) + ["wait %d" % (1500 * SLOW)] + taps(3) + ["wait 300", "quit"]
    k = Kiosk(binary, conf, db, script(tmp, "t.script", lines), on_line=on_line)
    out = k.wait()
    expect(k.committed() == 6, "%d taps committed, expected 6" % k.committed())
    expect(os.path.exists(db) and taps_in(db) == 6,
           "the store at its path holds %s taps, expected 6:\n%s" %
           (taps_in(db) if os.path.exists(db) else "no file, no", out[-2000:]))
    expect("was deleted under the running kiosk" in out, "the deletion was not logged")
    return "deleted store: written back from the open file, 6 of 6 taps kept"


def replaced(binary, tmp):
    conf, _ = setup(tmp)
    db = os.path.join(tmp, "kiosk.db")
    other = os.path.join(tmp, "other.db")
    k = Kiosk(binary, conf, other, script(tmp, "o.script", taps(1) + ["wait 300", "quit"]))
    k.wait()

    def on_line(line, k):
        if COMMITTED.search(line) and k.committed() == 3 and os.path.exists(other):
            os.rename(other, db)

    lines = taps(3) + ["wait %d" % (1500 * SLOW)] + taps(3) + ["wait 300", "quit"]
    k = Kiosk(binary, conf, db, script(tmp, "t.script", lines), on_line=on_line)
    out = k.wait()
    aside = glob.glob(db + ".displaced-*")
    aside = [a for a in aside if not a.endswith(("-wal", "-shm"))]
    expect(len(aside) == 1, "expected one displaced copy, found %s" % aside)
    kept = taps_in(aside[0]) if aside else 0
    expect(kept == 3, "the displaced copy holds %d taps, expected the 3 before" % kept)
    expect(taps_in(db) == 4, "the new file holds %d taps, expected its 1 and the 3 after" %
           taps_in(db))
    expect("was replaced under the running kiosk" in out, "the replacement was not logged")
    return "replaced store: 3 taps kept aside, 3 later in the new file, none lost"


def diskfull(binary, tmp):
    fs = os.path.join(tmp, "fs")
    os.makedirs(fs)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", fs],
                       capture_output=True, text=True)
    if not expect(r.returncode == 0, "cannot mount a tmpfs for the full disk (run as root): " +
                  r.stderr):
        return ""
    try:
        return diskfull_on(binary, tmp, fs)
    finally:
        subprocess.run(["umount", "-l", fs])


def diskfull_on(binary, tmp, fs):
    conf, _ = setup(tmp)
    db = os.path.join(fs, "kiosk.db")
    filler = os.path.join(fs, "filler")

    filling = threading.Event()
    done = threading.Event()

    def fill():
        # Keeps the file system full: space the store frees (a checkpoint when it reopens)
        # is taken again at once, as by a log that grows without end.
        n = 0
        while not done.is_set():
            try:
                with open("%s-%d" % (filler, n), "wb") as f:
                    while True:
                        f.write(b"\0" * 4096)
                        f.flush()
            except OSError:
                pass
            n += 1
            filling.set()
            time.sleep(0.02)

    def on_line(line, k):
        if COMMITTED.search(line) and k.committed() == 2 and not filling.is_set():
            threading.Thread(target=fill, daemon=True).start()
            filling.wait(10)

    lines = taps(2) + ["wait %d" % (1000 * SLOW)] + taps(6) + ["wait %d" % (60000 * SLOW)]
    k = Kiosk(binary, conf, db, script(tmp, "t.script", lines), on_line=on_line)
    deadline = time.time() + 60 * SLOW
    while time.time() < deadline and not filling.is_set():
        time.sleep(0.1)
    time.sleep((1 + 6 * 0.3 + 1.5) * SLOW)  # the 6 taps after the fill, and a margin
    k.p.send_signal(signal.SIGTERM)
    out = k.wait()
    expect(k.committed() >= 2, "the first 2 taps were not committed")
    spilled = re.search(r"(\d+) waiting records kept in ([^\s;]+)", out)
    expect(spilled is not None and spilled.group(2).endswith("spill-reserve"),
           "the stop on a full disk did not spill into the reserve:\n" + out[-3000:])
    done.set()
    time.sleep(0.2)
    for f in glob.glob(filler + "-*"):
        os.remove(f)
    k = Kiosk(binary, conf, db, script(tmp, "idle.script", ["wait 500", "quit"]))
    k.wait()
    expect(taps_in(db) == 8, "after the replay the store holds %d taps, expected 8" % taps_in(db))
    return "full disk: %s taps kept in the reserve at SIGTERM and replayed; 8 of 8 in the store" % (
        spilled.group(1) if spilled else "no")


def nothing(binary, tmp):
    os.chmod(tmp, 0o777)
    state = temp_dir("wowfaults-state-")
    os.chmod(state, 0o777)
    ENV["XDG_DATA_HOME"] = state
    conf, _ = setup(tmp, shared_dir=state)
    os.chmod(conf, 0o644)
    db = os.path.join(tmp, "kiosk.db")
    k = Kiosk(binary, conf, db, script(tmp, "root.script", taps(1) + ["wait 300", "quit"]))
    k.wait()
    for f in glob.glob(db + "*"):
        os.chmod(f, 0o644)
    shots = os.path.join(state, "shots")
    os.makedirs(shots)
    os.chmod(shots, 0o777)

    # Once the kiosk runs (its start-up checks passed: the directory was writable), the
    # directory turns read-only and the reserve goes: nothing can keep a tap any more.
    def on_line(line, k):
        if "first frame presented" in line:
            os.remove(db + ".spill-reserve")
            os.chmod(tmp, 0o555)

    lines = ["wait %d" % (12000 * SLOW), "screenshot"] + taps(3) + ["wait 300", "quit"]
    k = Kiosk(binary, conf, db, script(state, "n.script", lines), user="nobody", shots=shots,
              on_line=on_line)
    out = k.wait()
    os.chmod(tmp, 0o755)
    expect("neither the store nor a spill place can keep a tap" in out,
           "the kiosk did not say it can keep nothing:\n" + out[-3000:])
    expect("records kept in" not in out and "tap committed" not in out,
           "a tap was taken though nothing could keep it")
    expect(not re.search(r"[1-9]\d* records wait for the store", out),
           "taps were thanked and queued in memory")
    expect(taps_in(db) == 1, "the store changed")
    png = sorted(glob.glob(os.path.join(shots, "*.png")))
    expect(png, "no screenshot of the out-of-order notice")
    if png:
        os.makedirs("store-faults", exist_ok=True)
        with open(png[-1], "rb") as src, open("store-faults/nothing-notice.png", "wb") as dst:
            dst.write(src.read())
    return "nothing writable: the out-of-order notice shows, no tap taken"


def signals(binary, tmp):
    """Stray signals an operator might send: SIGHUP and SIGUSR1 change nothing; the kiosk
    goes on taking taps and ends as its script says."""
    conf, _ = setup(tmp)
    db = os.path.join(tmp, "kiosk.db")

    def on_line(line, k):
        if COMMITTED.search(line) and k.committed() == 1:
            k.p.send_signal(signal.SIGHUP)
            k.p.send_signal(signal.SIGUSR1)

    lines = taps(1) + ["wait %d" % (500 * SLOW)] + taps(2) + ["wait 300", "quit"]
    k = Kiosk(binary, conf, db, script(tmp, "t.script", lines), on_line=on_line)
    k.wait()
    expect(k.p.returncode == 0, "the kiosk ended with %d after SIGHUP and SIGUSR1" %
           k.p.returncode)
    expect(taps_in(db) == 3, "%d taps stored, expected 3" % taps_in(db))
    return "SIGHUP and SIGUSR1 ignored: 3 of 3 taps, a clean end"


def lock(binary, tmp):
    """Another process holds the store's lock for 6 s (a backup, sqlite3 at a shell) while
    customers tap: the screen never waits on it (input to frame stays short), the watchdog's
    pings keep coming (systemd's notify socket, played by this test), the taps wait in
    memory, and every one is stored once the lock goes."""
    conf, _ = setup(tmp)
    db = os.path.join(tmp, "kiosk.db")
    k = Kiosk(binary, conf, db, script(tmp, "init.script", ["wait 200", "quit"]))
    k.wait()
    held = threading.Event()
    window = []

    def hold():
        con = sqlite3.connect(db, timeout=10)
        con.execute("BEGIN EXCLUSIVE")
        window.append(time.monotonic())
        held.set()
        time.sleep(6 * SLOW)
        con.rollback()
        con.close()
        window.append(time.monotonic())

    def on_line(line, k):
        if COMMITTED.search(line) and k.committed() == 1 and not held.is_set():
            threading.Thread(target=hold, daemon=True).start()
            held.wait(10)

    sock_path = os.path.join(tmp, "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    sock.settimeout(0.2)
    pings = []

    def listen():
        while not stop.is_set():
            try:
                if b"WATCHDOG=1" in sock.recv(4096):
                    pings.append(time.monotonic())
            except socket.timeout:
                pass

    stop = threading.Event()
    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    ENV.update(NOTIFY_SOCKET=sock_path, WATCHDOG_USEC="1000000")
    lines = taps(1) + ["wait 300"] + taps(12, 400) + ["wait %d" % (4000 * SLOW), "quit"]
    path = script(tmp, "t.script", lines)
    k = Kiosk(binary, conf, db, path, on_line=on_line, extra=["--trace-latency"])
    out = k.wait()
    stop.set()
    listener.join(5)
    for var in ("NOTIFY_SOCKET", "WATCHDOG_USEC"):
        ENV.pop(var)
    latencies = [int(m) for m in re.findall(r"latency: input to frame (\d+) ms", out)]
    expect(latencies and max(latencies) < 300 * SLOW,
           "a tap waited on the foreign lock: input to frame up to %s ms" %
           (max(latencies) if latencies else "?"))
    during = [t for t in pings if len(window) == 2 and window[0] <= t <= window[1]]
    gaps = [b - a for a, b in zip(during, during[1:])]
    expect(len(window) == 2 and len(during) >= 4 * SLOW and max(gaps or [99]) < 1.0 * SLOW,
           "the watchdog waited on the store: %d pings during the 6 s lock, largest gap %.2f s"
           % (len(during), max(gaps or [0])))
    expect(taps_in(db) == 13, "%d taps stored after the lock, expected 13" % taps_in(db))
    return ("foreign lock for 6 s: input to frame at most %d ms, %d watchdog pings during it "
            "(largest gap %.2f s), 13 of 13 taps stored" %
            (max(latencies) if latencies else -1, len(during), max(gaps or [0])))


def stoplock(binary, tmp):
    """SIGTERM while another process holds the shared SQLite file's lock and the sync waits
    on it: the kiosk still stops within 3 s (it waited 14-20 s), its taps kept."""
    conf, shared = setup(tmp)
    db = os.path.join(tmp, "kiosk.db")
    k = Kiosk(binary, conf, db, script(tmp, "init.script", ["wait %d" % (1500 * SLOW), "quit"]))
    k.wait()  # makes shared.db
    con = sqlite3.connect(shared, timeout=10)
    con.execute("BEGIN EXCLUSIVE")
    lines = taps(2) + ["wait %d" % (60000 * SLOW)]
    k = Kiosk(binary, conf, db, script(tmp, "t.script", lines))
    deadline = time.time() + 30 * SLOW
    while time.time() < deadline and k.committed() < 2:
        time.sleep(0.05)
    time.sleep(1.5 * SLOW)  # the commit's round is waiting on the lock now
    start = time.monotonic()
    k.p.send_signal(signal.SIGTERM)
    k.wait()
    took = time.monotonic() - start
    con.rollback()
    con.close()
    expect(took < 3 * SLOW, "the kiosk took %.1f s to stop while the shared file was locked" %
           took)
    expect(taps_in(db) == 2, "%d taps stored, expected 2" % taps_in(db))
    return "SIGTERM with the shared file locked: stopped in %.2f s, 2 of 2 taps kept" % took


def fonts(binary, tmp):
    """An install without its fonts: the heartbeat says which file is missing, not only
    "no display" (a technician would look for a broken screen)."""
    conf, shared = setup(tmp)
    db = os.path.join(tmp, "kiosk.db")
    assets = os.path.join(tmp, "assets")
    os.makedirs(os.path.join(assets, "fonts"))
    k = Kiosk(binary, conf, db, script(tmp, "t.script", ["quit"]),
              extra=["--assets", assets])
    deadline = time.time() + 30 * SLOW
    row = None
    while time.time() < deadline and row is None:
        time.sleep(0.5)
        if os.path.exists(shared):
            try:
                con = sqlite3.connect(shared, timeout=5)
                row = con.execute("SELECT last_error FROM kiosks WHERE kiosk_id ="
                                  " 'faults-kiosk'").fetchone()
                con.close()
            except sqlite3.Error:
                row = None
    k.p.send_signal(signal.SIGTERM)
    k.wait()
    expect(row is not None and "DejaVuSans" in row[0],
           "the heartbeat does not name the missing font: %r" % (row,))
    return "no fonts: the heartbeat says %r" % (row[0][:120] if row else None)


ENV = dict(os.environ)

SCENARIOS = {"readonly": readonly, "deleted": deleted, "replaced": replaced,
             "diskfull": diskfull, "nothing": nothing, "signals": signals, "lock": lock,
             "stoplock": stoplock, "fonts": fonts}


def main():
    binary, name = os.path.abspath(sys.argv[1]), sys.argv[2]
    tmp = temp_dir("wowfaults-")
    ENV["XDG_DATA_HOME"] = tmp
    summary = SCENARIOS[name](binary, tmp)
    finish("store faults (%s)" % name, summary)


if __name__ == "__main__":
    main()
