#!/usr/bin/env python3
"""Runs test_catalog_browser.mjs: the Catalog page in Debian's chromium, headless.

Usage: run_catalog_browser.py WOWDASH OUTDIR

Sets a SQLite file up (migrate, two kiosks, the catalog of tests/dash/test_catalog.py, an admin
and the head of alpha), starts `wowdash serve`, runs the node script (playwright-core from
run_browser.py's node_modules), then checks the database: the admin's label is in the newest
version and in every kiosk's kiosk_catalog row at that version, and the refused edit and the
head's forged post made no version.  Screenshots land in OUTDIR as catalog-*.png.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "dash"))
from run_browser import node_modules  # noqa: E402
from test_catalog import FLEET, with_head_edits  # noqa: E402
from test_dash_http import Server, Target  # noqa: E402

LABEL = "Speedy <service> & co"  # HTML in a label: kept as text, shown escaped


def dash(wowdash, *args, stdin=None):
    r = subprocess.run([wowdash, *args], capture_output=True, text=True, input=stdin, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"wowdash {' '.join(args)} failed ({r.returncode}): {r.stderr}")
    return r.stdout


def setup(wowdash, db, tmp):
    dash(wowdash, "migrate", "--db", db)
    for kiosk, department in (("k0", "alpha"), ("k2", "bravo")):
        dash(wowdash, "kiosk", "add", kiosk, "--department", department, "--db", db)
    for i, text in enumerate((with_head_edits(FLEET), FLEET)):
        path = os.path.join(tmp, f"fleet-{i}.conf")
        with open(path, "w") as f:
            f.write(text)
        r = subprocess.run([wowdash, "catalog", "import", path, "--db", db], capture_output=True,
                           text=True, timeout=60)
        if r.returncode == 0:
            break
    else:
        raise RuntimeError(f"catalog import failed: {r.stderr}")
    users = {"admin": ("admin", []), "head-a": ("head", ["--department", "alpha"])}
    for name, (role, scope) in users.items():
        dash(wowdash, "user", "add", name, "--role", role, *scope, "--password-stdin", "--db",
             db, stdin=f"pw-{name}-browser\n")


def check_database(db):
    """What the browser's clicks must have left: one new version carrying the label, and
    every kiosk's row at it."""
    import sqlite3
    con = sqlite3.connect(db)
    try:
        versions = con.execute("SELECT version, made_by, note, body FROM catalog_versions"
                               " ORDER BY version").fetchall()
        rows = con.execute("SELECT kiosk_id, version, body FROM kiosk_catalog"
                           " ORDER BY kiosk_id").fetchall()
    finally:
        con.close()
    problems = []
    newest = versions[-1]
    if newest[1:3] != ("admin", "browser edit") or f"label = {LABEL}" not in newest[3]:
        problems.append(f"the newest version is not the admin's edit: {newest[:3]}")
    if len(versions) != 2:
        problems.append(f"{len(versions)} versions: the refused edit or the forged post made one")
    if [r[0] for r in rows] != ["k0", "k1", "k2"]:
        problems.append(f"kiosk_catalog rows: {[r[0] for r in rows]}")
    for kiosk, version, body in rows:
        if version != newest[0] or f"label = {LABEL}" not in body:
            problems.append(f"{kiosk}'s kiosk_catalog row (version {version}) lacks the label")
    return problems


def main():
    wowdash, outdir = sys.argv[1], os.path.abspath(sys.argv[2])
    os.makedirs(outdir, exist_ok=True)
    modules = node_modules(outdir)
    with tempfile.TemporaryDirectory(prefix="wowdash-catalog-browser-") as tmp:
        target = Target("sqlite", tmp, "catalog-browser")
        setup(wowdash, target.conninfo, tmp)
        server = Server(wowdash, target.conninfo, tmp)
        rc = 1
        try:
            expect = {
                "base": f"http://127.0.0.1:{server.port}",
                "outdir": outdir,
                "modules": os.path.join(modules, "node_modules"),
                "admin": {"user": "admin", "password": "pw-admin-browser"},
                "head": {"user": "head-a", "password": "pw-head-a-browser",
                         "department": "alpha"},
                "other_department": "bravo",
                "other_department_name": "Bravo clinic",
                "label": LABEL,
                "saved_version": 2,
            }
            path = os.path.join(tmp, "expect.json")
            with open(path, "w") as f:
                json.dump(expect, f, ensure_ascii=False)
            rc = subprocess.run(["node", os.path.join(HERE, "test_catalog_browser.mjs"), path],
                                timeout=240).returncode
        finally:
            serve_rc = server.stop()
            if rc != 0 or serve_rc != 0:
                print(f"--- serve log (exit {serve_rc}) ---\n{server.text_log()[-4000:]}")
        problems = check_database(target.conninfo)
        for p in problems:
            print(f"FAIL database: {p}")
    return 1 if rc or serve_rc or problems else 0


if __name__ == "__main__":
    sys.exit(main())
