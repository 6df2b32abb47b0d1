#!/usr/bin/env python3
"""Runs test_league_browser.mjs: the league as a department head reads it, in Debian's chromium.

Usage: run_league_browser.py WOWDASH OUTDIR

Seeds a SQLite database with tests/dash/seed.py (and delta's alert rule, so delta has an open
alert), adds head-b (a head of bravo alone, in the group "Group G" with charlie), evaluates the
alerts, starts `wowdash serve`, and passes the node script what it must find, computed here from
seed.py's own sums: the organisation's and the group's index and responses, bravo's rank among
every department, the departments head-b must not see.  Screenshots: OUTDIR/league-*.png.
"""
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "dash"))
import seed as seedmod  # noqa: E402
from run_browser import node_modules  # noqa: E402
from test_dash_http import Server, Target, ZONE, clear_of_midnight, period_range  # noqa: E402

K_SHRINK = 30
HEAD_PASSWORD = "head-b-password-1"


def index(c):
    return (c[1] + 2 * c[2] + 3 * c[3]) * 100.0 / 3 / sum(c)


def figures(s, days):
    """What head-b's league must show: the organisation's and Group G's index and n, bravo's
    rank among every department with responses (shrunk toward the organisation's mean)."""
    org = s.counts(set(s.departments), days)
    group = s.counts(s.departments_of_group("g1"), days)
    prior = index(org)
    shrunk = {}
    for d in s.departments:
        c = s.counts({d}, days)
        if sum(c):
            shrunk[d] = (index(c) * sum(c) + K_SHRINK * prior) / (sum(c) + K_SHRINK)
    rank = 1 + sum(1 for d, v in shrunk.items() if v > shrunk["bravo"] + 1e-9)
    return {"org": {"n": sum(org), "index": f"{index(org):.1f}"},
            "group": {"name": s.groups["g1"], "n": sum(group), "index": f"{index(group):.1f}"},
            "bravo": {"name": s.departments["bravo"]["name"], "n": sum(s.counts({"bravo"}, days)),
                      "rank": rank, "of": len(shrunk)},
            "hidden": [v["name"] for d, v in s.departments.items() if d != "bravo"]}


def custom_range(today):
    """Dates for the From/To fields (the 20 days ending 3 days ago), the period line's words
    for them, and a day long before any alert."""
    a, b = seedmod.day_date(today - 22), seedmod.day_date(today - 3)
    words = (f"{a.day} {a:%b} – {b.day} {b:%b %Y}" if a.year == b.year
             else f"{a.day} {a:%b %Y} – {b.day} {b:%b %Y}")
    return {"from": a.isoformat(), "to": b.isoformat(), "words": words,
            "before": seedmod.day_date(today - 300).isoformat()}


def main():
    wowdash, outdir = sys.argv[1], os.path.abspath(sys.argv[2])
    os.makedirs(outdir, exist_ok=True)
    modules = node_modules(outdir)
    with tempfile.TemporaryDirectory(prefix="wowdash-league-browser-") as tmp:
        clear_of_midnight()
        target = Target("sqlite", tmp, "league")
        s = seedmod.seed(wowdash, target.conninfo, zone=ZONE)
        seedmod.seed_rule(wowdash, target.conninfo)
        subprocess.run([wowdash, "user", "add", "head-b", "--role", "head", "--department",
                        "bravo", "--password-stdin", "--db", target.conninfo],
                       input=HEAD_PASSWORD + "\n", text=True, check=True, capture_output=True)
        out = subprocess.run([wowdash, "token", "add", "head-b", "--label", "back office TV",
                              "--db", target.conninfo], check=True, capture_output=True,
                             text=True).stdout
        wall_key = re.search(r"wdt_[A-Za-z0-9_-]+", out).group(0)
        subprocess.run([wowdash, "alerts", "evaluate", "--db", target.conninfo], check=True,
                       capture_output=True)
        # bravo's kiosk silent for 3 h with 312 rows waiting (its page must say so)
        with sqlite3.connect(target.conninfo) as db:
            db.execute("UPDATE kiosks SET last_seen_ms = ?, backlog = 312 WHERE kiosk_id = ?",
                       (int(time.time() * 1000) - 3 * 3_600_000, "k-bravo-1"))
            db.execute("UPDATE kiosks SET app_version = '1.3.2' WHERE kiosk_id = 'k-cmd-1'")
        server = Server(wowdash, target.conninfo, tmp)
        rc = 1
        try:
            expect = {
                "base": f"http://127.0.0.1:{server.port}",
                "outdir": outdir,
                "modules": os.path.join(modules, "node_modules"),
                "admin": {"user": "admin", "password": s.users["admin"].password},
                "head": {"user": "head-b", "password": HEAD_PASSWORD},
                "alert_department": s.departments["delta"]["name"],
                "last7": {"n": sum(s.counts(set(s.departments), (s.today - 6, s.today + 1)))},
                "charlie": s.departments["charlie"]["name"],
                "wall_key": wall_key,
                "db": target.conninfo,
                "add_tap": os.path.join(HERE, "add_tap.py"),
                "custom": custom_range(s.today),
                "site": {"id": "NYC", "n": sum(
                    sum(s.counts(set(s.departments), period_range("last_30_days", s.today),
                                 kiosk=k))
                    for k, v in s.kiosks.items() if v["site"] == "NYC")},
                **figures(s, period_range("last_30_days", s.today)),
            }
            path = os.path.join(tmp, "expect.json")
            with open(path, "w") as f:
                json.dump(expect, f, ensure_ascii=False)
            rc = subprocess.run(["node", os.path.join(HERE, "test_league_browser.mjs"), path],
                                timeout=240).returncode
        finally:
            serve_rc = server.stop()
            if rc != 0 or serve_rc != 0:
                print(f"--- serve log (exit {serve_rc}) ---\n{server.text_log()[-4000:]}")
    return rc or (1 if serve_rc != 0 else 0)


if __name__ == "__main__":
    sys.exit(main())
