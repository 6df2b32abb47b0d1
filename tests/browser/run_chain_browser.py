#!/usr/bin/env python3
"""The catalog's whole chain with real parts: a browser edit reaches a running kiosk.

Usage: run_chain_browser.py WOWKIOSK WOWDASH OUTDIR

One machine, the SQLite default: a real wowkiosk (SDL dummy driver, --script, --screenshot)
syncs every 2 s to shared.db and seeds its catalog (version 1) from its own file; a real
`wowdash serve` serves that file.  The kiosk's script taps a happy face and waits on the
follow-up; at that moment test_chain_browser.mjs, in chromium, logs in as an admin and gives
reason `fast` a new label on the Catalog page (version 2).  Then:
  - the customer mid-flow is not disturbed: version 2 passes the kiosk's check during the
    follow-up, the follow-up's screenshot before and after is the same image, and version 2 is
    applied only after the follow-up ends;
  - the next follow-up shows the new label: its screenshot is the very image a kiosk whose own
    file has that label draws (a second run, sync off);
  - no restart: one process, one "starting" line;
  - a version the kiosk refuses (written straight into kiosk_catalog, as an admin with database
    access could: the dashboard's own commit checks every kiosk first) is reported in the
    heartbeat, and the fleet page in chromium shows the kiosk's error; the kiosk keeps
    version 2.
Screenshots: OUTDIR/chain-*.png (the browser) and OUTDIR/chain-kiosk-*.png (the kiosk's).
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "dash"))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
from e2e_checks import SLOW, expect, finish  # noqa: E402
from run_browser import node_modules  # noqa: E402
from test_dash_http import Server  # noqa: E402

KIOSK = "k-chain"
OLD_LABEL = "Fast service"
NEW_LABEL = "Lightning fast"


def kiosk_config(label, target, interval_s=2):
    return (f"[kiosk]\nid = {KIOSK}\nsite = HQ\nlanguages = en\nmode = single\n"
            "department = front\n\n[department front]\nname = Front desk\n\n"
            f"[reason fast]\nlabel = {label}\nfor = positive\n\n"
            "[reason slow]\nlabel = Slow service\nfor = negative\n\n"
            "[followup]\ntimeout_s = 100\n\n[screen]\nack_ms = 100\nthanks_s = 1\n\n"
            "[press_filter]\nmin_interval_s = 0\nburst_count = 0\n\n"
            f"[sync]\ntarget = {target}\ninterval_s = {interval_s}\n")


class Script:
    """A --script; mark(name) logs a line the test acts on when the kiosk reaches it."""

    def __init__(self):
        self.lines, self.marks = [], {}

    def add(self, *lines):
        self.lines.extend(lines)

    def mark(self, name):
        self.lines.append("advance 0")
        self.marks[len(self.lines)] = name

    def text(self):
        return "\n".join(self.lines + ["quit", ""])


def chain_script():
    s = Script()
    s.add("wait 4000")                                   # seeds version 1 and applies it
    s.add("tap face:4", "wait 800", "screenshot")        # shot-001: the follow-up, old label
    s.mark("edit")                                       # the admin edits in the browser
    s.add("wait 20000", "screenshot")                    # shot-002: the same follow-up
    s.add("tap skip", "wait 5000")                       # thanks, then idle: version 2 applied
    s.add("tap face:4", "wait 800", "screenshot")        # shot-003: the next follow-up
    s.add("tap skip", "wait 2000")
    s.mark("refuse")                                     # a version the kiosk refuses
    s.add("wait 8000")
    s.mark("fleet")                                      # the fleet page in the browser
    s.add("wait 1000")
    return s


def run_kiosk(wowkiosk, tmp, name, config, script, on_mark):
    """Runs one kiosk to its script's end; returns (exit code, log lines, mark positions)."""
    home = os.path.join(tmp, name)
    shots = os.path.join(home, "shots")
    os.makedirs(shots)
    conf = os.path.join(home, "kiosk.conf")
    with open(conf, "w") as f:
        f.write(config)
    script_path = os.path.join(home, "run.script")
    with open(script_path, "w") as f:
        f.write(script.text())
    env = dict(os.environ, STATE_DIRECTORY=os.path.join(home, "state"),
               XDG_DATA_HOME=os.path.join(home, "xdg"), SDL_VIDEODRIVER="dummy",
               SDL_AUDIODRIVER="dummy", SDL_RENDER_DRIVER="software")
    os.makedirs(env["STATE_DIRECTORY"])
    argv = [wowkiosk, "--config", conf, "--override", "none", "--windowed", "800x480",
            "--store", os.path.join(home, "kiosk.db"), "--screenshot", shots,
            "--script", script_path]
    proc = subprocess.Popen(argv, env=env, stderr=subprocess.PIPE, text=True)
    lines, marks = [], {}

    def read():
        for line in proc.stderr:
            line = line.rstrip("\n")
            m = re.search(r"script: wall clock advanced 0 ms at line (\d+)", line)
            if m and int(m.group(1)) in script.marks:
                mark = script.marks[int(m.group(1))]
                marks[mark] = len(lines)
                on_mark(mark)
            lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        rc = proc.wait(240 * SLOW)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        rc = "timeout"
    reader.join(60)
    return rc, lines, marks, shots


def shot(shots, n):
    path = os.path.join(shots, "shot-%03d.png" % n)
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        return f.read()


def first(lines, pattern, start=0):
    for i in range(start, len(lines)):
        if re.search(pattern, lines[i]):
            return i
    return None


def heartbeat(db):
    con = sqlite3.connect(db, timeout=10)
    try:
        row = con.execute("SELECT catalog_version, catalog_error FROM kiosks WHERE kiosk_id = ?",
                          (KIOSK,)).fetchone()
    finally:
        con.close()
    return row


def publish_refused(db):
    """Version 3 for the kiosk, refused by it: thanks_s out of its range."""
    body = ("[catalog]\nversion = 3\n\n[kiosk]\nlanguages = en\nmode = single\n"
            "department = front\n\n[department front]\nname = Front desk\n\n"
            f"[reason fast]\nlabel = {NEW_LABEL}\nfor = positive\n\n"
            "[screen]\nthanks_s = 999\n")
    con = sqlite3.connect(db, timeout=10)
    try:
        con.execute("UPDATE kiosk_catalog SET version = 3, body = ? WHERE kiosk_id = ?",
                    (body, KIOSK))
        con.commit()
    finally:
        con.close()


def main():
    wowkiosk, wowdash, outdir = sys.argv[1], sys.argv[2], os.path.abspath(sys.argv[3])
    os.makedirs(outdir, exist_ok=True)
    modules = node_modules(outdir)
    tmp = tempfile.mkdtemp(prefix="wow-chain-")
    shared = os.path.join(tmp, "shared.db")
    server = None
    done = {}
    expect_path = os.path.join(tmp, "expect.json")

    def browser(step):
        r = subprocess.run(["node", os.path.join(HERE, "test_chain_browser.mjs"), expect_path,
                            step], capture_output=True, text=True, timeout=180)
        sys.stdout.write(r.stdout)
        return r.returncode

    def on_mark(name):
        nonlocal server
        if name == "edit":
            # the kiosk made the file and seeded it; the dashboard starts on it now
            subprocess.run([wowdash, "user", "add", "admin", "--role", "admin",
                            "--password-stdin", "--db", shared], input="pw-admin-chain\n",
                           capture_output=True, text=True, timeout=60, check=True)
            server = Server(wowdash, shared, tmp)
            with open(expect_path, "w") as f:
                json.dump({"base": f"http://127.0.0.1:{server.port}", "outdir": outdir,
                           "modules": os.path.join(modules, "node_modules"),
                           "admin": {"user": "admin", "password": "pw-admin-chain"},
                           "label": NEW_LABEL, "kiosk": KIOSK,
                           "refused_error": "screen.thanks_s"}, f)
            done["edit"] = browser("edit")
        elif name == "refuse":
            done["before_refusal"] = heartbeat(shared)
            publish_refused(shared)
        elif name == "fleet":
            done["refused"] = heartbeat(shared)
            done["fleet"] = browser("fleet")

    try:
        rc, lines, marks, shots = run_kiosk(wowkiosk, tmp, "kiosk",
                                            kiosk_config(OLD_LABEL, shared), chain_script(),
                                            on_mark)
        ref = Script()
        ref.add("wait 1000", "tap face:4", "wait 800", "screenshot")
        ref_rc, ref_lines, _, ref_shots = run_kiosk(wowkiosk, tmp, "reference",
                                                    kiosk_config(NEW_LABEL, "off"), ref,
                                                    lambda name: None)
    finally:
        if server is not None:
            serve_rc = server.stop()
            expect(serve_rc == 0, f"wowdash serve exited {serve_rc}:\n{server.text_log()[-3000:]}")
    sys.stderr.write("\n".join(lines) + "\n")
    expect(rc == 0, f"wowkiosk exited {rc}")
    expect(ref_rc == 0, f"the reference kiosk exited {ref_rc}: {ref_lines[-5:]}")
    for name in ("edit", "refuse", "fleet"):
        expect(name in marks, f"the kiosk never reached marker {name}")
    expect(done.get("edit") == 0, "the browser's edit failed (see FAIL lines)")
    expect(done.get("fleet") == 0, "the browser's fleet check failed (see FAIL lines)")
    expect(sum("wowdash" not in l and "starting" in l and "wowkiosk" in l for l in lines) == 1,
           "the kiosk started more than once: a restart")

    # the customer mid-flow: version 2 passed during the follow-up, applied after it
    if "edit" in marks:
        passes = first(lines, r"catalog: version 2 passes", marks["edit"])
        ended = first(lines, r"followup committed", marks["edit"])
        applied = first(lines, r"catalog: version 2 applied", marks["edit"])
        expect(None not in (passes, ended, applied) and passes < ended < applied,
               f"version 2 passed at line {passes}, the follow-up ended at {ended}, applied at "
               f"{applied}: expected in that order, after the edit (line {marks['edit']})")
    one, two, three = shot(shots, 1), shot(shots, 2), shot(shots, 3)
    reference = shot(ref_shots, 1)
    expect(None not in (one, two, three, reference), "a screenshot is missing")
    if None not in (one, two, three, reference):
        expect(one == two, "the follow-up on screen changed while the customer answered it")
        expect(three != one, "the next follow-up looks as before: the old label")
        expect(three == reference, "the next follow-up is not what a kiosk with the new label "
               "draws")
    for i, data in ((1, one), (2, two), (3, three)):
        if data:
            with open(os.path.join(outdir, f"chain-kiosk-{i}.png"), "wb") as f:
                f.write(data)

    # the refusal: the heartbeat carries it, the kiosk keeps version 2
    expect(done.get("before_refusal", (None,))[0] == 2,
           f"before the refusal the heartbeat said {done.get('before_refusal')}, expected "
           "version 2")
    refused = done.get("refused") or (None, "")
    expect(refused[0] == 2 and refused[1].startswith("version 3: ") and
           "screen.thanks_s" in refused[1],
           f"after the refusal the heartbeat said {refused}, expected version 2 and "
           "'version 3: ...screen.thanks_s...'")
    if not expect_failures():
        shutil.rmtree(tmp, ignore_errors=True)
    finish("chain", "chain: a browser edit reached the running kiosk at its next follow-up; "
           "a refusal reached the fleet page")


def expect_failures():
    from e2e_checks import FAILURES
    return bool(FAILURES)


if __name__ == "__main__":
    main()
