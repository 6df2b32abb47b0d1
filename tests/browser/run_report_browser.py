#!/usr/bin/env python3
"""Runs test_report_browser.mjs: a team's evaluation report in Debian's chromium, printed to PDF.

Usage: run_report_browser.py WOWDASH OUTDIR [sqlite|postgres]

Seeds a SQLite database with tests/dash/seed.py (with delta's alert rule, so delta has
alerts), adds head-b (head of bravo, in Group G), and computes from seed.py's own sums what
the report of bravo over the year to date must say: its responses and index, the period
before, Group G's and the organisation's.  The node script checks the page and the API
against them, the scope rules, and prints the report to OUTDIR/report-*.pdf; then this
script reads each PDF page (pdftotext, poppler-utils) and checks the print: a header naming
the team on every page, no table row cut across a page, every page holding week rows also
holding the weeks table's head (repeated), and the API's numbers in the printed text.
Screenshots: OUTDIR/report-ENGINE-*.png and .pdf.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "dash"))
import seed as seedmod  # noqa: E402
from run_browser import node_modules  # noqa: E402
from test_dash_http import Server, Target, ZONE, clear_of_midnight, period_range  # noqa: E402

HEAD_PASSWORD = "head-b-report-1"
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print(f"FAIL {what}")
    return cond


def index(c):
    return (c[1] + 2 * c[2] + 3 * c[3]) * 100.0 / 3 / sum(c) if sum(c) else None


def expected(s, days):
    span = days[1] - days[0]
    before = (days[0] - span, days[0])
    team = s.counts({"bravo"}, days)
    prev = s.counts({"bravo"}, before)
    group = s.counts(s.departments_of_group("g1"), days)
    org = s.counts(set(s.departments), days)
    return {name: {"n": sum(c), "index": round(index(c), 1) if sum(c) else None}
            for name, c in (("team", team), ("previous", prev), ("group", group),
                            ("organisation", org))}


def pdf_pages(path):
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
    n = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return [subprocess.run(["pdftotext", "-layout", "-f", str(i), "-l", str(i), path, "-"],
                           capture_output=True, text=True, check=True).stdout
            for i in range(1, n + 1)]


def check_pdf(path, want):
    """The printed report: header on each page, rows whole, the weeks' head repeated, the
    API's numbers in the text."""
    pages = pdf_pages(path)
    name = want["name"]
    check(len(pages) >= 2, f"{path}: {len(pages)} page(s); a year of weeks should need more")
    week_row = re.compile(r"^\s*\d{1,2} \w{3}( \d{4})?\s?–\s?\d{1,2} \w{3} \d{4}\s", re.M)
    for i, text in enumerate(pages, 1):
        head = text.strip().splitlines()[0] if text.strip() else ""
        check(name in head and "Evaluation report" in head,
              f"{path} page {i}: no header naming {name!r}: first line {head!r}")
        if week_row.search(text):
            check(re.search(r"Week\s+Responses\s+Index", text),
                  f"{path} page {i}: week rows without the table's head")
        # a row cut across pages would leave a date range without its numbers
        for line in text.splitlines():
            m = week_row.match(line + " ")
            if m and not re.search(r"[\d%–]$", line.strip()):
                check(False, f"{path} page {i}: a week row cut: {line!r}")
    whole = "\n".join(pages)
    check(f"{want['team_index']}" in whole, f"{path}: the team's index {want['team_index']} not printed")
    check(f"{want['team_n']:,}" in whole, f"{path}: the team's responses {want['team_n']:,} not printed")
    return len(pages)


def main():
    wowdash, outdir = sys.argv[1], os.path.abspath(sys.argv[2])
    engine = sys.argv[3] if len(sys.argv) > 3 else "sqlite"
    os.makedirs(outdir, exist_ok=True)
    modules = node_modules(outdir)
    with tempfile.TemporaryDirectory(prefix="wowdash-report-browser-") as tmp:
        clear_of_midnight()
        target = Target(engine, tmp, "report")
        s = seedmod.seed(wowdash, target.conninfo, zone=ZONE)
        seedmod.seed_rule(wowdash, target.conninfo)
        subprocess.run([wowdash, "user", "add", "head-b", "--role", "head", "--department",
                        "bravo", "--password-stdin", "--db", target.conninfo],
                       input=HEAD_PASSWORD + "\n", text=True, check=True, capture_output=True)
        subprocess.run([wowdash, "alerts", "evaluate", "--db", target.conninfo], check=True,
                       capture_output=True)
        server = Server(wowdash, target.conninfo, tmp)
        rc = 1
        try:
            want = expected(s, period_range("this_year", s.today))
            tech = [u for u, v in s.users.items() if v.role == "technician"]
            expect = {
                "base": f"http://127.0.0.1:{server.port}",
                "outdir": outdir,
                "modules": os.path.join(modules, "node_modules"),
                "admin": {"user": "admin", "password": s.users["admin"].password},
                "head": {"user": "head-b", "password": HEAD_PASSWORD},
                "tech": {"user": tech[0], "password": s.users[tech[0]].password} if tech else None,
                "name": s.departments["bravo"]["name"],
                "other": "alpha",
                "want": want,
                "prefix": f"report-{engine}",
            }
            path = os.path.join(tmp, "expect.json")
            with open(path, "w") as f:
                json.dump(expect, f, ensure_ascii=False)
            rc = subprocess.run(["node", os.path.join(HERE, "test_report_browser.mjs"), path],
                                timeout=300).returncode
            for who in ("head", "admin"):
                pdf = os.path.join(outdir, f"report-{engine}-{who}.pdf")
                if os.path.exists(pdf):
                    n = check_pdf(pdf, {"name": expect["name"],
                                        "team_index": f"{want['team']['index']:.1f}",
                                        "team_n": want["team"]["n"]})
                    print(f"{pdf}: {n} pages checked")
                else:
                    check(False, f"{pdf}: not printed")
        finally:
            serve_rc = server.stop()
            target.drop()
            if rc != 0 or serve_rc != 0 or failures:
                print(f"--- serve log (exit {serve_rc}) ---\n{server.text_log()[-4000:]}")
    return rc or (1 if failures or serve_rc != 0 else 0)


if __name__ == "__main__":
    sys.exit(main())
