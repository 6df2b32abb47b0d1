#!/usr/bin/env python3
"""`wowkiosk --headless REASON`, as wowkiosk-headless.service runs it after a crash loop
(docs/DEPLOY.md, "Hangs and crash loops"), on the real binary with SDL's dummy driver:

  - no display is opened although one would open (no "first frame presented");
  - READY=1 (status "headless: see the journal") and WATCHDOG=1 reach our NOTIFY_SOCKET;
  - the heartbeat in the shared database (SQLite) carries "headless: REASON" as last_error,
    again and again (last_seen_ms moves);
  - SIGTERM stops it with status 0;
and a kiosk with no display at all (SDL_VIDEODRIVER=no-such-driver) runs headless as before,
"no display could be opened" in its heartbeat, and stops with status 0 on SIGTERM too.
A run without --headless is the control: it presents its first frame and its heartbeat says
nothing of headless, so the checks above can fail.

Usage: test_headless.py WOWKIOSK
"""
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from e2e_checks import expect, finish, temp_dir  # noqa: E402
from test_deploy_cli import MAIN  # noqa: E402

WOWKIOSK = sys.argv[1]
REASON = "wowkiosk.service stopped restarting (start-limit-hit; last exit: killed SEGV)"


def heartbeat(shared):
    """(last_error, last_seen_ms) of the kiosk's row, or None."""
    if not os.path.exists(shared):
        return None
    con = sqlite3.connect(shared, timeout=5)
    try:
        return con.execute("SELECT last_error, last_seen_ms FROM kiosks "
                           "WHERE kiosk_id = 'deploy-1'").fetchone()
    except sqlite3.OperationalError:
        return None  # no schema yet
    finally:
        con.close()


def run(tmp, name, extra, env_extra=None):
    conf = os.path.join(tmp, f"{name}.conf")
    with open(conf, "w") as f:
        f.write(MAIN + "\n[sync]\ninterval_s = 1\n")
    shared = os.path.join(tmp, f"{name}-shared.db")
    sock_path = os.path.join(tmp, f"{name}.notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    sock.settimeout(0.2)
    log_path = os.path.join(tmp, f"{name}.log")
    env = dict(os.environ, NOTIFY_SOCKET=sock_path, WATCHDOG_USEC="2000000", **(env_extra or {}))
    proc = subprocess.Popen([WOWKIOSK, "--config", conf, "--override", "none", "--store",
                             os.path.join(tmp, f"{name}.db"), "--sync", shared, *extra],
                            stdout=open(log_path, "w"), stderr=subprocess.STDOUT, env=env)
    messages, beats = [], []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            messages += sock.recv(4096).decode().split("\n")
        except socket.timeout:
            pass
        hb = heartbeat(shared)
        if hb and (not beats or hb != beats[-1]):
            beats.append(hb)
        if "WATCHDOG=1" in messages and len(beats) >= 2 and "READY=1" in messages:
            break
    running = proc.poll() is None
    proc.send_signal(signal.SIGTERM)
    try:
        status = proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        status = proc.wait()
    sock.close()
    with open(log_path, errors="replace") as f:
        log = f.read()
    return running, status, messages, beats, log


def main():
    tmp = temp_dir("wowkiosk-headless.")
    running, status, messages, beats, log = run(tmp, "headless", ["--headless", REASON])
    expect(running, f"--headless: the kiosk exited early:\n{log}")
    expect(status == 0, f"--headless: SIGTERM gave status {status}:\n{log}")
    expect("first frame presented" not in log, f"--headless opened a display:\n{log}")
    expect("READY=1" in messages and "STATUS=headless: see the journal" in messages,
           f"--headless: notify messages {messages}")
    expect("WATCHDOG=1" in messages, f"--headless: no WATCHDOG=1 in {messages}")
    expect(len(beats) >= 2 and all(b[0] == "headless: " + REASON for b in beats),
           f"--headless: the heartbeats {beats}, expected last_error 'headless: {REASON}', "
           "at least two")

    # Without a display at all (a driver SDL does not know): headless as before, the reason
    # its own; SIGTERM stops it cleanly too (the sync thread must not take the signal).
    running, status, messages, beats, log = run(tmp, "nodisplay", [],
                                                {"SDL_VIDEODRIVER": "no-such-driver"})
    expect(running and status == 0, f"no display: running {running}, status {status}:\n{log}")
    expect("STATUS=no display: see the journal" in messages, f"no display: {messages}")
    expect(len(beats) >= 2 and all(b[0].startswith("no display could be opened") for b in beats),
           f"no display: the heartbeats {beats}")

    running, status, messages, beats, log = run(tmp, "control", [])
    expect(running and status == 0, f"control: running {running}, status {status}:\n{log}")
    expect("first frame presented" in log, f"control: no first frame:\n{log}")
    expect(beats and not any("headless" in b[0] for b in beats), f"control: heartbeats {beats}")
    finish("e2e_headless", "e2e_headless: --headless reports its reason and opens no display")


if __name__ == "__main__":
    main()
