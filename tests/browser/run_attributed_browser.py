#!/usr/bin/env python3
"""Runs test_attributed_browser.mjs: internal teams as an admin and a head of IT read them, in
Debian's chromium.

Usage: run_attributed_browser.py WOWDASH OUTDIR sqlite|postgres

Seeds the world of tests/dash/test_attributed_http.py (a catalog with internal teams it and
billing owning reasons, follow-ups drawn at front, shop and it's own staff kiosk), starts
`wowdash serve`, and passes the node script what it must find, computed here from the seed's
own rows: it's attributed answers, the period before, every negative answer, the places and
reasons.  Screenshots: OUTDIR/attributed-ENGINE-*.png.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "dash"))
import seed as seedmod  # noqa: E402
from run_browser import node_modules  # noqa: E402
from test_attributed_http import expected, seed_world  # noqa: E402
from test_dash_http import Server, Target, ZONE, clear_of_midnight, period_range  # noqa: E402

NAMES = {"front": "Front desk", "shop": "Shop", "wifi": "No wifi", "slowpc": "Slow computers"}


def main():
    wowdash, outdir, engine = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
    os.makedirs(outdir, exist_ok=True)
    modules = node_modules(outdir)
    with tempfile.TemporaryDirectory(prefix="wowdash-attributed-browser-") as tmp:
        clear_of_midnight()
        target = Target(engine, tmp, "attributedbrowser")
        today = seedmod.today_in(ZONE)
        sums, passwords = seed_world(wowdash, target.conninfo, tmp, today)
        days = period_range("last_30_days", today)
        want = expected(sums, "it", days)
        server = Server(wowdash, target.conninfo, tmp)
        rc, serve_rc = 1, 0
        try:
            expect = {
                "base": f"http://127.0.0.1:{server.port}",
                "outdir": outdir,
                "prefix": f"attributed-{engine}",
                "modules": os.path.join(modules, "node_modules"),
                "admin": {"user": "admin", "password": passwords["admin"]},
                "head": {"user": "head-it", "password": passwords["head-it"]},
                "it": {"n": want["n"], "prev": want["prev"], "negative": want["negative"],
                       "places": sorted([[NAMES[d], n] for d, n in want["places"].items()],
                                        key=lambda x: (-x[1], x[0])),
                       "reasons": sorted([[NAMES[r], n] for r, n in want["reasons"].items()],
                                         key=lambda x: (-x[1], x[0]))},
                "impact": [t for _, t in sorted(
                    ((expected(sums, t, days)["n"], t) for t in ("it", "billing")),
                    key=lambda x: (-x[0], x[1]))],
            }
            path = os.path.join(tmp, "expect.json")
            with open(path, "w") as f:
                json.dump(expect, f, ensure_ascii=False)
            rc = subprocess.run(["node", os.path.join(HERE, "test_attributed_browser.mjs"), path],
                                timeout=240).returncode
        finally:
            serve_rc = server.stop()
            if rc != 0 or serve_rc != 0:
                print(f"--- serve log (exit {serve_rc}) ---\n{server.text_log()[-4000:]}")
            target.drop()
    return rc or (1 if serve_rc != 0 else 0)


if __name__ == "__main__":
    sys.exit(main())
