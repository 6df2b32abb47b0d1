#!/usr/bin/env python3
"""Runs test_lang_browser.mjs: the dashboard in English, Finnish and German, in Debian's
chromium, headless.

Usage: run_lang_browser.py WOWDASH OUTDIR

Seeds a SQLite database with tests/dash/seed.py (and delta's alert rule, so an alert is
open), and starts `wowdash serve --assets DIR` with a copy of assets/dash that adds two
catalogs only this test has:

- qps.po, a pseudo-language made from wowdash.pot: every msgstr is its msgid inside ⟦ ⟧.  A
  page in it shows every translated text bracketed, so any English word left outside the
  brackets (and outside the seed's own names) is a text that did not go through the catalog:
  the node script fails on it, page by page.
- xx.po, whose one entry drops its msgid's %s: the server must leave the language out and log
  the file and line, not serve a format that reads what was never passed.

The node script gets the seed's names (department, group, site, kiosk, reason labels), which
are data in any language, and the organisation's response count to find on the pages.
Screenshots: OUTDIR/lang-*.png.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(HERE, "..", "dash"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import dash_pot  # noqa: E402
import seed as seedmod  # noqa: E402
from run_browser import node_modules  # noqa: E402
from test_dash_http import Server, Target, ZONE, clear_of_midnight, period_range  # noqa: E402

BROKEN_LINE = 4  # the line of xx.po's msgid below


def pseudo_po(path):
    """qps.po: every msgid of the sources, translated as ⟦msgid⟧."""
    out = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"', ""]
    for msgid in dash_pot.collect():
        out += ["msgid " + dash_pot.po_quote(msgid),
                "msgstr " + dash_pot.po_quote("⟦" + msgid + "⟧"), ""]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


def assets(tmp):
    """A copy of assets/dash with qps.po and the broken xx.po beside fi.po and de.po."""
    dst = os.path.join(tmp, "assets")
    shutil.copytree(os.path.join(ROOT, "assets", "dash"), dst)
    pseudo_po(os.path.join(dst, "po", "qps.po"))
    with open(os.path.join(dst, "po", "xx.po"), "w", encoding="utf-8") as f:
        f.write('msgid ""\nmsgstr ""\n\nmsgid "Site %s only."\nmsgstr "Nur Standort."\n')
    return dst


def data_words(s):
    """Texts from the seed that pages show as they are, in every language."""
    words = set()
    for d in s.departments.values():
        words.add(d["name"])
    words.update(s.groups.values())
    for k, v in s.kiosks.items():
        words.update([k, v["site"], v["label"]])
    for key in s.reasons:
        words.add(key[4])
    words.update(s.users)
    return sorted((w for w in words if w), key=len, reverse=True)


def main():
    wowdash, outdir = sys.argv[1], os.path.abspath(sys.argv[2])
    os.makedirs(outdir, exist_ok=True)
    modules = node_modules(outdir)
    with tempfile.TemporaryDirectory(prefix="wowdash-lang-browser-") as tmp:
        clear_of_midnight()
        target = Target("sqlite", tmp, "lang")
        s = seedmod.seed(wowdash, target.conninfo, zone=ZONE)
        seedmod.seed_rule(wowdash, target.conninfo)
        out = subprocess.run([wowdash, "token", "add", "admin", "--label", "lobby TV",
                              "--db", target.conninfo], check=True, capture_output=True,
                             text=True).stdout
        wall_key = re.search(r"wdt_[A-Za-z0-9_-]+", out).group(0)
        subprocess.run([wowdash, "alerts", "evaluate", "--db", target.conninfo], check=True,
                       capture_output=True)
        server = Server(wowdash, target.conninfo, tmp, extra=("--assets", assets(tmp)))
        rc = 1
        try:
            log = server.text_log()
            broken = re.search(r"xx\.po:(\d+): expected msgstr with the msgid's conversions", log)
            if not broken or int(broken.group(1)) != BROKEN_LINE:
                print(f"FAIL the broken xx.po was not refused naming its line {BROKEN_LINE}:\n{log}")
                return 1
            expect = {
                "base": f"http://127.0.0.1:{server.port}",
                "outdir": outdir,
                "modules": os.path.join(modules, "node_modules"),
                "admin": {"user": "admin", "password": s.users["admin"].password},
                "wall_key": wall_key,
                "data": data_words(s),
                "department": "bravo",
                "department_name": s.departments["bravo"]["name"],
                "org_n": sum(s.counts(set(s.departments), period_range("last_30_days", s.today))),
            }
            path = os.path.join(tmp, "expect.json")
            with open(path, "w") as f:
                json.dump(expect, f, ensure_ascii=False)
            rc = subprocess.run(["node", os.path.join(HERE, "test_lang_browser.mjs"), path],
                                timeout=300).returncode
        finally:
            serve_rc = server.stop()
            if rc != 0 or serve_rc != 0:
                print(f"--- serve log (exit {serve_rc}) ---\n{server.text_log()[-4000:]}")
    return rc or (1 if serve_rc != 0 else 0)


if __name__ == "__main__":
    sys.exit(main())
