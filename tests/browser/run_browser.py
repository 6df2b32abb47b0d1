#!/usr/bin/env python3
"""Runs test_browser.mjs: the dashboard in Debian's chromium, headless, driven by playwright-core.

Usage: run_browser.py WOWDASH OUTDIR

Seeds a SQLite database with tests/dash/seed.py (and delta's alert rule), starts `wowdash
serve` on a free loopback port, installs playwright-core into OUTDIR/browser-node with
`npm ci` from this directory's package-lock.json when it is missing or the lock changed (the
registry's package only: playwright-core never downloads a browser here; the test uses
/usr/bin/chromium), then runs the node script with what it should find (expect.json).
Screenshots land in OUTDIR as browser-*.png.
"""
import fcntl
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "dash"))
import seed as seedmod  # noqa: E402
from test_dash_http import Server, Target, ZONE, clear_of_midnight, period_range  # noqa: E402

K_SHRINK = 30  # the league's shrinkage toward the mean (dash-contract.md)


def node_modules(outdir):
    """OUTDIR/browser-node with playwright-core installed from the committed lockfile."""
    home = os.path.join(outdir, "browser-node")
    os.makedirs(home, exist_ok=True)
    # ctest runs the browser tests side by side; one installs while the others wait, else two
    # `npm ci` remove each other's node_modules mid-install (ENOTEMPTY).
    with open(os.path.join(home, ".install.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _install(home)
    return home


def _install(home):
    fresh = True
    for name in ("package.json", "package-lock.json"):
        dst = os.path.join(home, name)
        if not os.path.exists(dst) or not filecmp.cmp(os.path.join(HERE, name), dst, shallow=False):
            shutil.copyfile(os.path.join(HERE, name), dst)
            fresh = False
    if not fresh or not os.path.isfile(os.path.join(home, "node_modules", "playwright-core",
                                                    "package.json")):
        env = dict(os.environ, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1")
        r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                           cwd=home, env=env, capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            raise RuntimeError(f"npm ci in {home} failed ({r.returncode}):\n{r.stdout}{r.stderr}")


def league_first(s, days):
    """The department or group the league should rank first, by the shrunk index; the same under
    both readings of "the mean of all visible departments" (pooled, or the mean of the means),
    else the data cannot decide and the test says so."""
    rows = {}
    for d, info in s.departments.items():
        rows[info["name"]] = s.counts({d}, days)
    for g, name in s.groups.items():
        rows[name] = s.counts(s.departments_of_group(g), days)
    deps = [s.counts({d}, days) for d in s.departments]

    def total(c):
        return (c[1] + 2 * c[2] + 3 * c[3]) * 100.0 / 3

    pooled = sum(total(c) for c in deps) / sum(sum(c) for c in deps)
    means = sum(total(c) / sum(c) for c in deps) / len(deps)
    firsts = set()
    for prior in (pooled, means):
        firsts.add(max(rows, key=lambda k: (total(rows[k]) + K_SHRINK * prior) /
                       (sum(rows[k]) + K_SHRINK)))
    if len(firsts) != 1:
        raise RuntimeError(f"seed.py's data leaves the league's first row open: {firsts}")
    name = firsts.pop()
    c = rows[name]
    return {"name": name, "n": sum(c), "index": f"{total(c) / sum(c):.1f}"}


def main():
    wowdash, outdir = sys.argv[1], os.path.abspath(sys.argv[2])
    os.makedirs(outdir, exist_ok=True)
    modules = node_modules(outdir)
    with tempfile.TemporaryDirectory(prefix="wowdash-browser-") as tmp:
        clear_of_midnight()
        target = Target("sqlite", tmp, "browser")
        s = seedmod.seed(wowdash, target.conninfo, zone=ZONE)
        seedmod.seed_rule(wowdash, target.conninfo)
        server = Server(wowdash, target.conninfo, tmp)
        rc = 1
        try:
            days = period_range("last_30_days", s.today)
            expect = {
                "base": f"http://127.0.0.1:{server.port}",
                "outdir": outdir,
                "modules": os.path.join(modules, "node_modules"),
                "admin": {"user": "admin", "password": s.users["admin"].password},
                "first": league_first(s, days),
                "alpha": {"name": s.departments["alpha"]["name"],
                          "n": sum(s.counts({"alpha"}, days)), "kiosk": "k-alpha-1"},
                "db": target.conninfo,
                "add_tap": os.path.join(HERE, "add_tap.py"),
                "alert_department": s.departments["delta"]["name"],
                "departments": [v["name"] for v in s.departments.values()]
                + list(s.groups.values()),
            }
            path = os.path.join(tmp, "expect.json")
            with open(path, "w") as f:
                json.dump(expect, f, ensure_ascii=False)
            r = subprocess.run(["node", os.path.join(HERE, "test_browser.mjs"), path],
                               timeout=240)
            rc = r.returncode
        finally:
            serve_rc = server.stop()
            if rc != 0 or serve_rc != 0:
                print(f"--- serve log (exit {serve_rc}) ---\n{server.text_log()[-4000:]}")
    return rc or (1 if serve_rc != 0 else 0)


if __name__ == "__main__":
    sys.exit(main())
