#!/usr/bin/env python3
"""Runs test_rollout_browser.mjs: a rollout on the fleet page in Debian's chromium, headless.

Usage: run_rollout_browser.py WOWDASH OUTDIR

Seeds a SQLite database with four kiosks and a published bundle 1.5.0 whose rollout was
promoted to the fleet; kiosk k-canary runs it, k-busy is installing it, k-bad reports it
failed, k-late has not started.  `wowdash rollout status` then pauses the rollout by itself
(k-bad), as the server's refresh would.  Starts `wowdash serve` and runs the node script;
screenshots land in OUTDIR as browser-rollout-*.png.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "dash"))
import seed as seedmod  # noqa: E402
from run_browser import node_modules  # noqa: E402
from test_dash_http import Server, Target  # noqa: E402

PASSWORD = "rollout-browser-password"
# what k-bad's slot-check reported, with markup a compromised kiosk could send
BAD_ERROR = ("self-test exit 1 on slot B: config: /etc/wowkiosk/kiosk.conf:3: kiosk.no_such_key: "
             "unknown key <b>x</b>")


def seed(wowdash, db):
    subprocess.run([wowdash, "migrate", "--db", db], check=True, capture_output=True)
    now = int(time.time() * 1000)
    w = seedmod.Writer(db)
    cols = ["kiosk_id", "site", "label", "department", "timezone", "app_version", "incarnation",
            "kiosk_clock_ms", "last_seen_ms", "last_success_ms", "backlog", "last_error",
            "slot", "update_version", "update_state", "update_error"]
    w.insert("kiosks", cols, [
        ("k-canary", "HQ", "Lobby", "front", "UTC", "1.5.0", "i", now, now, now, 0, "", "B",
         "1.5.0", "good", ""),
        ("k-busy", "HQ", "Desk", "front", "UTC", "1.4.0", "i", now, now, now, 0, "", "A",
         "1.5.0", "installing", ""),
        ("k-bad", "HQ", "Shop", "front", "UTC", "1.4.0", "i", now, now, now, 0, "", "A",
         "1.5.0", "failed", BAD_ERROR),
        ("k-late", "Annex", "Annex", "front", "UTC", "1.4.0", "i", now, now, now, 0, "", "A",
         "", "", "")])
    w.insert("update_bundles", ["version", "url", "sha256", "size", "signer", "published_ms",
                                "published_by"],
             [("1.5.0", "https://updates.example.org/wowkiosk-1.5.0.raucb", "a" * 64, 123456789,
               "O = Example Ltd, CN = wowkiosk fleet", now, "ada"),
              ("1.6.0", "https://updates.example.org/wowkiosk-1.6.0.raucb", "b" * 64, 123456790,
               "O = Example Ltd, CN = wowkiosk fleet", now + 1, "ada")])
    w.insert("update_rollouts", ["rollout_id", "version", "stage", "canary", "started_ms",
                                 "started_by", "changed_ms", "changed_by"],
             [(1, "1.5.0", "fleet", "k-canary", now, "ada", now, "ada")])
    w.commit()
    r = subprocess.run([wowdash, "rollout", "status", "--db", db], check=True,
                       capture_output=True, text=True)
    if "paused (from fleet)" not in r.stdout:
        raise SystemExit(f"rollout status did not pause the rollout: {r.stdout}")
    for user, role in (("ada", "admin"), ("tom", "technician"), ("liv", "technician")):
        extra = ["--rollouts"] if user == "liv" else []
        subprocess.run([wowdash, "user", "add", user, "--role", role, *extra,
                        "--password-stdin", "--db", db], input=PASSWORD + "\n", text=True,
                       check=True, capture_output=True)


def main():
    wowdash, outdir = sys.argv[1], os.path.abspath(sys.argv[2])
    os.makedirs(outdir, exist_ok=True)
    modules = node_modules(outdir)
    with tempfile.TemporaryDirectory(prefix="wowdash-rollout-browser-") as tmp:
        target = Target("sqlite", tmp, "rollout")
        seed(wowdash, target.conninfo)
        server = Server(wowdash, target.conninfo, tmp, zone="UTC")
        rc = 1
        try:
            expect = {"base": f"http://127.0.0.1:{server.port}", "outdir": outdir,
                      "modules": os.path.join(modules, "node_modules"),
                      "admin": {"user": "ada", "password": PASSWORD},
                      "technician": {"user": "tom", "password": PASSWORD},
                      "lead": {"user": "liv", "password": PASSWORD}}
            path = os.path.join(tmp, "expect.json")
            with open(path, "w") as f:
                json.dump(expect, f)
            rc = subprocess.run(["node", os.path.join(HERE, "test_rollout_browser.mjs"), path],
                                timeout=240).returncode
        finally:
            serve_rc = server.stop()
            if rc != 0 or serve_rc != 0:
                print(f"--- serve log (exit {serve_rc}) ---\n{server.text_log()[-4000:]}")
    return rc or (1 if serve_rc != 0 else 0)


if __name__ == "__main__":
    sys.exit(main())
