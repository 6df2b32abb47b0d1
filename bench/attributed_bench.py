#!/usr/bin/env python3
"""Internal teams' figures against a year of follow-ups in PostgreSQL (docs/DASHBOARD.md,
"Internal teams").

  python3 bench/attributed_bench.py BUILD_DIR [--kiosks 400] [--days 365] [--requests 30]

Starts a throwaway PostgreSQL (tests/sync/pg_cluster.py; stopped at exit), `wowdash migrate`,
imports a catalog of 20 customer-facing departments and 4 internal teams owning 4 of the 6
negative reasons, and writes the follow-up rollup (dash_reason_day) straight in SQL: every
kiosk, every day, every reason, chosen answers and skips.  Then `wowdash serve` and, after a
warm-up, sequential requests on one keep-alive connection (the API with a token, the pages
with a session).  Prints
"figure: NAME VALUE UNIT": attributed_reason_day_rows, attributed_team_p50_ms /
attributed_team_p95_ms (/api/v1/attributed?department=it, last 30 days),
attributed_league_p95_ms (every internal team, last 90 days), attributed_page_p95_ms
(/department/it, last 30 days), attributed_overview_p95_ms (/overview with the impact section).
"""
import argparse
import http.client
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "sync"))
from pg_cluster import Cluster  # noqa: E402

FACING = [f"d{i:02d}" for i in range(20)]
TEAMS = ["it", "billing", "warehouse", "facilities"]
REASONS = [(f"r{i:02d}", TEAMS[i] if i < 4 else "") for i in range(6)]


def catalog():
    lines = ["[kiosk]", "languages = en", "mode = picker", ""]
    for d in FACING:
        lines += [f"[department {d}]", f"name = Department {d}", ""]
    for t in TEAMS:
        lines += [f"[department {t}]", f"name = {t.title()}", "customer_facing = false", ""]
    for r, owner in REASONS:
        lines += [f"[reason {r}]", f"label = Reason {r}", "for = negative"]
        lines += [f"owner = {owner}"] if owner else []
        lines += [""]
    return "\n".join(lines)


def generate_sql(kiosks, days):
    reasons = ", ".join(f"('{r}')" for r, _ in REASONS)
    departments = ", ".join(f"('{d}', {i})" for i, d in enumerate(FACING))
    return f"""
INSERT INTO dash_reason_day(department, day, kiosk_id, question, reason, ended_by, misuse, n)
SELECT d.department, day, 'k' || k, 'negative', r.reason, 'chosen', 0,
       1 + ((k * 7 + day * 13 + length(r.reason) * 3) % 5)
FROM generate_series(0, {kiosks - 1}) AS k
JOIN (VALUES {departments}) AS d(department, i) ON d.i = k % {len(FACING)}
CROSS JOIN generate_series(CAST(extract(epoch FROM now()) / 86400 AS integer) - {days - 1},
                           CAST(extract(epoch FROM now()) / 86400 AS integer)) AS day
CROSS JOIN (VALUES {reasons}) AS r(reason);
INSERT INTO dash_reason_day(department, day, kiosk_id, question, reason, ended_by, misuse, n)
SELECT department, day, kiosk_id, question, '', 'skipped', 0, 2 FROM dash_reason_day
WHERE reason = 'r00';
ANALYZE;
"""


def login(conn, password):
    """A session cookie (the pages take no API token)."""
    body = urllib.parse.urlencode({"user": "admin", "password": password})
    conn.request("POST", "/login", body=body,
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    r = conn.getresponse()
    r.read()
    return r.getheader("Set-Cookie").split(";")[0]


def timed(conn, path, auth, n):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        conn.request("GET", path, headers=auth)
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            raise RuntimeError(f"{path}: {r.status}")
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.95))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--kiosks", type=int, default=400)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--requests", type=int, default=30)
    a = ap.parse_args()
    wowdash = os.path.join(a.build, "app", "dash", "wowdash")
    with tempfile.TemporaryDirectory(prefix="wowbench-attributed-") as tmp, Cluster() as pg:
        pg.create_database("attributed")
        db = pg.conninfo(dbname="attributed")
        run = lambda *args, **kw: subprocess.run([wowdash, *args, "--db", db], check=True,  # noqa
                                                 capture_output=True, text=True, **kw).stdout
        run("migrate")
        path = os.path.join(tmp, "fleet.conf")
        with open(path, "w") as f:
            f.write(catalog())
        run("catalog", "import", path)
        t = time.perf_counter()
        pg.psql(generate_sql(a.kiosks, a.days), dbname="attributed")
        rows = int(pg.psql("SELECT count(*) FROM dash_reason_day", dbname="attributed").strip())
        print(f"generated {rows} rows in {time.perf_counter() - t:.1f} s", flush=True)
        print(f"figure: attributed_reason_day_rows {rows} rows")
        run("user", "add", "admin", "--role", "admin", "--password-stdin",
            input="bench-password-1\n")
        token = re.search(r"wdt_[A-Za-z0-9_-]+", run("token", "add", "admin", "--label",
                                                     "bench")).group(0)
        port = 18000 + os.getpid() % 1000
        log = open(os.path.join(tmp, "serve.log"), "w")
        serve = subprocess.Popen([wowdash, "serve", "--db", db, "--listen", f"127.0.0.1:{port}"],
                                 stdout=log, stderr=subprocess.STDOUT)
        try:
            for _ in range(100):
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    conn.request("GET", "/healthz")
                    conn.getresponse().read()
                    break
                except OSError:
                    time.sleep(0.2)
            bearer = {"Authorization": f"Bearer {token}"}
            cookie = {"Cookie": login(conn, "bench-password-1")}
            for name, path in (
                    ("team", "/api/v1/attributed.json?department=it&period=last_30_days"),
                    ("league", "/api/v1/attributed.json?period=last_90_days"),
                    ("page", "/department/it?period=last_30_days"),
                    ("overview", "/overview?period=last_30_days")):
                auth = bearer if path.startswith("/api/") else cookie
                timed(conn, path, auth, 3)  # warm-up
                p50, p95 = timed(conn, path, auth, a.requests)
                print(f"figure: attributed_{name}_p50_ms {p50:.1f} ms")
                print(f"figure: attributed_{name}_p95_ms {p95:.1f} ms", flush=True)
        finally:
            serve.terminate()
            serve.wait(timeout=30)
            log.close()


if __name__ == "__main__":
    main()
