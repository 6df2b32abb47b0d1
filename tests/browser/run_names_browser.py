#!/usr/bin/env python3
"""Runs test_names_browser.mjs: the catalog's names in Debian's chromium, headless.

Usage: run_names_browser.py WOWDASH OUTDIR

Seeds a SQLite database: the catalog (tests/dash/catalog_fixture.sql, through seed.py's
seed_catalog), a picker kiosk, a kiosk on the newest catalog, one that refused it (its error
holding markup), one reporting a department the catalog does not know, and yesterday's taps
and follow-up reasons for "front"; starts `wowdash serve`, installs playwright-core as
run_browser.py does, and runs the node script.  Screenshots land in OUTDIR as
browser-names-*.png.
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

PASSWORD = "names-browser-password"
REFUSED = "wowkiosk.conf:12: [kiosk] mode: expected single or picker, got <b>pickr</b>"


def seed(wowdash, db):
    subprocess.run([wowdash, "migrate", "--db", db], check=True, capture_output=True)
    seedmod.seed_catalog(db)
    now = int(time.time() * 1000)
    at = now - 86_400_000
    w = seedmod.Writer(db)
    cols = ["kiosk_id", "site", "label", "department", "timezone", "app_version", "incarnation",
            "kiosk_clock_ms", "last_seen_ms", "last_success_ms", "backlog", "last_error",
            "catalog_version", "catalog_error", "mode", "departments"]
    w.insert("kiosks", cols, [
        ("k-lobby", "HQ", "Lobby picker", "", "UTC", "1.4", "i1", now, now, now, 0, "", 2, "",
         "picker", "front, bar"),
        ("k-front", "HQ", "Front desk", "front", "UTC", "1.4", "i1", now, now, now, 0, "", 2, "",
         "single", ""),
        ("k-old", "HQ", "Back office", "bar", "UTC", "1.3", "i1", now, now, now, 0, "", 1,
         REFUSED, "single", ""),
        ("k-ghost", "Annex", "Annex", "ghost", "UTC", "1.4", "i1", now, now, now, 0, "", 2, "",
         "single", "")])
    w.insert("tap_counts", ["kiosk_id", "incarnation", "bucket_start_ms", "department",
                            "rating_1", "rating_2", "rating_3", "rating_4",
                            "misuse_1", "misuse_2", "misuse_3", "misuse_4"],
             [("k-lobby", "i1", at, "front", 3, 5, 20, 30, 0, 0, 0, 0),
              ("k-lobby", "i1", at, "bar", 2, 2, 9, 6, 0, 0, 0, 0),
              ("k-front", "i1", at - 3_600_000, "front", 1, 2, 10, 12, 0, 0, 0, 0)])
    w.insert("reason_counts", ["kiosk_id", "incarnation", "bucket_start_ms", "department",
                               "question", "reason", "ended_by", "misuse", "n"],
             [("k-lobby", "i1", at, "front", "positive", "friendly", "chosen", 0, 9),
              ("k-lobby", "i1", at, "front", "positive", "fast", "chosen", 0, 14),
              ("k-lobby", "i1", at, "front", "negative", "slow", "chosen", 0, 4),
              ("k-lobby", "i1", at, "front", "negative", "wait", "chosen", 0, 2)])
    w.commit()
    subprocess.run([wowdash, "user", "add", "ada", "--role", "admin", "--password-stdin",
                    "--db", db], input=PASSWORD + "\n", text=True, check=True,
                   capture_output=True)
    subprocess.run([wowdash, "rollup", "--db", db], check=True, capture_output=True)


def main():
    wowdash, outdir = sys.argv[1], os.path.abspath(sys.argv[2])
    os.makedirs(outdir, exist_ok=True)
    modules = node_modules(outdir)
    with tempfile.TemporaryDirectory(prefix="wowdash-names-browser-") as tmp:
        target = Target("sqlite", tmp, "names")
        seed(wowdash, target.conninfo)
        server = Server(wowdash, target.conninfo, tmp, zone="UTC")
        rc = 1
        try:
            expect = {"base": f"http://127.0.0.1:{server.port}", "outdir": outdir,
                      "modules": os.path.join(modules, "node_modules"),
                      "admin": {"user": "ada", "password": PASSWORD}, "refused": REFUSED}
            path = os.path.join(tmp, "expect.json")
            with open(path, "w") as f:
                json.dump(expect, f, ensure_ascii=False)
            rc = subprocess.run(["node", os.path.join(HERE, "test_names_browser.mjs"), path],
                                timeout=240).returncode
        finally:
            serve_rc = server.stop()
            if rc != 0 or serve_rc != 0:
                print(f"--- serve log (exit {serve_rc}) ---\n{server.text_log()[-4000:]}")
    return rc or (1 if serve_rc != 0 else 0)


if __name__ == "__main__":
    sys.exit(main())
