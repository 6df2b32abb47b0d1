#!/usr/bin/env python3
"""The dashboard benchmark (issue #4): a year of a 1000-kiosk fleet in PostgreSQL, then
wowdash's rollup and pages timed against it.

  python3 bench/dash_bench.py BUILD_DIR [--kiosks 1000] [--days 365] [--requests 50]
                              [--seed 42] [--chunk 50] [--margin-s 300] [--save DIR]
                              [--keep | --reuse STATE]

Starts its own throwaway PostgreSQL (tests/sync/pg_cluster.py: a temp dir, 127.0.0.1, trust
auth, fsync=off; stopped at exit), creates a database, then:
  1. `wowdash migrate`; bench/dash_gen.sql generates the counts inside the server (INSERT ..
     SELECT over generate_series, one transaction per --chunk kiosks; the synced_ms trigger
     fires on every row, as for rows pushed by kiosks), then VACUUM ANALYZE;
  2. departments and groups (`wowdash group add`, `department add`), one admin user and an API
     token (`wowdash user add --password-stdin`, `token add`);
  3. a wait until the rollup's 5-minute margin no longer reaches back into the generated rows
     (--margin-s), one sync round, then the first full `wowdash rollup`, the rollups' row
     counts, and a check of the rollup against the same sums computed by SQL straight from
     tap_counts (per department and local day over the last 31 days; per department over
     everything);
  4. one sync round (1000 rows grown through the sync's upsert), then one incremental rollup;
  5. `wowdash serve` on 127.0.0.1; after a warm-up, sequential requests on one keep-alive
     connection: /overview and /department/ID (last 30 days, and today), /fleet, and the CSV
     export of last month's counts per department and day (every page of it).
Prints "figure: NAME VALUE UNIT" lines:
  dash_gen_s, dash_gen_rows_per_s, dash_rows, dash_reason_rows, dash_rollup_full_s,
  dash_day_rows, dash_hour_rows, dash_reason_day_rows, dash_rollup_incr_s,
  dash_overview_p50_ms, dash_overview_p95_ms, dash_department_p50_ms, dash_department_p95_ms,
  dash_department_today_p50_ms, dash_department_today_p95_ms, dash_fleet_p95_ms,
  dash_csv_month_s (median whole-file time), dash_csv_month_kiosk_s (the same per kiosk),
  dash_page_kb (largest page), dash_external_requests (must be 0),
  dash_overview_raw_sql_ms (the 30-day league computed from tap_counts, no rollup: why rollups);
and "check: ..." lines for what it verified.  PostgreSQL logs the server's statements over 20 ms
while the pages are measured (log_min_duration_statement); when a page's p95 misses 100 ms the
slowest of them are printed with EXPLAIN (ANALYZE, BUFFERS) run again on their parameters.
A piece of wowdash that is not there yet is reported as "skipped: NAME: why" and the exit
status is 1; a failed check is exit 1 too.

Quick run: --kiosks 100 --days 30 --margin-s 0 (about a minute; the incremental rollup then
re-reads the generated rows the margin reaches).  --save DIR keeps the measured pages.  --keep
leaves the cluster running and prints its conninfo (stop it with `python3
tests/sync/pg_cluster.py stop STATE`); --reuse STATE then measures that kept database again
without generating it (rollup incremental only).
"""
import argparse
import csv
import datetime
import html.parser
import http.client
import io
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "sync"))
from pg_cluster import Cluster  # noqa: E402

DBNAME = "wowdash_bench"
ADMIN, ADMIN_PASSWORD = "bench-admin", "bench-password-correct-horse"
PAGE_GOAL_MS = 100.0
GOAL_KB = 100.0
DAY_MS = 86400 * 1000

problems = []  # "skipped: ..." and failed checks: exit 1 at the end


def log(msg):
    print(f"dash_bench: {msg}", file=sys.stderr, flush=True)


def figure(name, value, unit, note=""):
    fmt = "%d" if isinstance(value, int) else "%.4f" if value < 1 else "%.3f" if value < 10 \
        else "%.1f"
    print(f"figure: {name} {fmt % value} {unit}" + (f" ({note})" if note else ""), flush=True)


def skipped(name, why):
    print(f"skipped: {name}: {why}", flush=True)
    problems.append(f"{name}: {why}")


def check(ok, what):
    print(f"check: {'ok' if ok else 'FAILED'}: {what}", flush=True)
    if not ok:
        problems.append(what)
    return ok


def pct(values, p):
    """Nearest-rank percentile."""
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(p / 100.0 * len(values) + 0.5)) - 1))
    return values[k]


class Bench:
    def __init__(self, args):
        self.args = args
        self.wowdash = os.path.join(args.build, "app", "dash", "wowdash")
        self.pg = None
        self.db = None  # conninfo of the bench database
        self.now_ms = int(time.time() * 1000)
        self.departments = []  # ids

    # --- helpers -------------------------------------------------------------------------
    def sql(self, text, timeout=3600):
        return self.pg.psql(text, dbname=DBNAME, timeout=timeout)

    def sql_ints(self, text):
        return [int(float(x)) if x else 0 for x in self.sql(text).strip().split("|")]

    def dash(self, *argv, stdin=None, timeout=3600):
        """Runs wowdash; returns the CompletedProcess (never raises on exit status)."""
        return subprocess.run([self.wowdash, *argv], input=stdin, capture_output=True, text=True,
                              timeout=timeout)

    # --- 1. database and data ------------------------------------------------------------
    def start_database(self):
        self.pg = Cluster(opts={"max_wal_size": "8GB", "checkpoint_timeout": "30min"}).start()
        self.pg.create_database(DBNAME)
        self.db = self.pg.conninfo(dbname=DBNAME)
        r = self.dash("migrate", "--db", self.db)
        if r.returncode != 0:
            raise RuntimeError(f"wowdash migrate failed ({r.returncode}): {r.stderr.strip()}")

    def generate(self):
        a = self.args
        gen = os.path.join(HERE, "dash_gen.sql")
        t0 = time.monotonic()
        r = subprocess.run(self.pg.psql_argv(dbname=DBNAME) + [
            "-q", "-v", f"kiosks={a.kiosks}", "-v", f"days={a.days}", "-v", f"seed={a.seed}",
            "-v", f"now_ms={self.now_ms}", "-f", gen], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"{gen} failed: {r.stderr.strip()}")
        for k in range(1, a.kiosks + 1, a.chunk):
            self.sql(f"CALL dash_gen.fill({k}, {min(k + a.chunk, a.kiosks + 1)})")
            done = min(k + a.chunk - 1, a.kiosks)
            log(f"generated kiosks 1..{done} of {a.kiosks} ({time.monotonic() - t0:.0f} s)")
        gen_s = time.monotonic() - t0
        rows, reasons = self.sql_ints("SELECT (SELECT count(*) FROM tap_counts), "
                                      "(SELECT count(*) FROM reason_counts)")
        taps, misuse = self.sql_ints(
            "SELECT sum(rating_1 + rating_2 + rating_3 + rating_4),"
            " sum(misuse_1 + misuse_2 + misuse_3 + misuse_4) FROM tap_counts")
        figure("dash_gen_s", gen_s, "s", f"{a.kiosks} kiosks x {a.days} days, synced_ms trigger "
               "on, fsync=off, tap_counts and reason_counts")
        figure("dash_gen_rows_per_s", (rows + reasons) / gen_s, "rows/s")
        figure("dash_rows", rows, "rows", "tap_counts")
        figure("dash_reason_rows", reasons, "rows", "reason_counts")
        kiosk_days = a.kiosks * a.days
        print(f"data: {taps} taps ({taps / kiosk_days:.1f} a kiosk a day), misuse {misuse} "
              f"({100.0 * misuse / (taps + misuse):.1f} %), {rows / kiosk_days:.1f} rows a "
              "kiosk a day", flush=True)
        t0 = time.monotonic()
        self.sql("VACUUM ANALYZE")
        log(f"VACUUM ANALYZE {time.monotonic() - t0:.0f} s")
        self.departments = self.sql("SELECT department FROM dash_gen.department "
                                    "ORDER BY dept_no").split()

    def attach(self, state):
        """--reuse: the kept cluster and database of an earlier run."""
        self.pg = Cluster.from_state(state)
        self.db = self.pg.conninfo(dbname=DBNAME)
        self.now_ms = self.sql_ints("SELECT now_ms FROM dash_gen.params")[0]
        self.departments = self.sql("SELECT department FROM dash_gen.department "
                                    "ORDER BY dept_no").split()

    def new_token(self):
        r = self.dash("token", "add", ADMIN, "--label", f"bench-{os.getpid()}-{time.time():.0f}",
                      "--db", self.db)
        m = re.search(r"wdt_[A-Za-z0-9_-]{43}", r.stdout)
        if r.returncode != 0 or not m:
            skipped("wowdash token add", (r.stderr or r.stdout).strip())
            return None
        return m.group(0)

    def organise(self):
        """Groups and departments by the CLI (SQL when the CLI is not there yet); the admin
        user and its API token.  Returns the token or None."""
        groups = [ln.split("|") for ln in self.sql(
            "SELECT group_id, name FROM dash_gen.grp ORDER BY 1").splitlines()]
        depts = [ln.split("|") for ln in self.sql(
            "SELECT department, name, group_id FROM dash_gen.department ORDER BY 1").splitlines()]
        r = self.dash("group", "add", groups[0][0], "--name", groups[0][1], "--db", self.db)
        if r.returncode == 0:
            for g, name in groups[1:]:
                self.must(self.dash("group", "add", g, "--name", name, "--db", self.db))
            for d, name, g in depts:
                self.must(self.dash("department", "add", d, "--name", name, "--group", g,
                                    "--db", self.db))
        else:
            skipped("wowdash group/department add", r.stderr.strip() + " (written by SQL)")
            self.sql("INSERT INTO dash_groups SELECT group_id, name FROM dash_gen.grp;"
                     "INSERT INTO dash_departments SELECT department, name, group_id"
                     " FROM dash_gen.department")
        r = self.dash("user", "add", ADMIN, "--role", "admin", "--password-stdin", "--db", self.db,
                      stdin=ADMIN_PASSWORD + "\n")
        if r.returncode != 0:
            skipped("wowdash user add", r.stderr.strip())
            return None
        return self.new_token()

    def must(self, r):
        if r.returncode != 0:
            raise RuntimeError(f"{shlex.join(r.args)} failed ({r.returncode}): {r.stderr.strip()}")
        return r

    # --- 2. rollups ----------------------------------------------------------------------
    def rollup(self, name, note):
        t0 = time.monotonic()
        r = self.dash("rollup", "--db", self.db)
        took = time.monotonic() - t0
        if r.returncode != 0:
            skipped(name, f"wowdash rollup: {r.stderr.strip()}")
            return False
        figure(name, took, "s", note)
        return True

    def rollup_rows(self):
        for table in ("dash_day", "dash_hour", "dash_reason_day"):
            figure(f"{table}_rows", self.sql_ints(f"SELECT count(*) FROM {table}")[0], "rows")

    def check_rollup(self, what):
        """The rollup against the same sums straight from tap_counts: per department and local
        day over the last 31 days, and per department over everything."""
        first_day = self.now_ms // DAY_MS - 30
        cols = ["rating_1", "rating_2", "rating_3", "rating_4",
                "misuse_1", "misuse_2", "misuse_3", "misuse_4"]
        sums = ", ".join(f"sum({c}) AS {c}" for c in cols)
        differs = " OR ".join(f"r.{c} IS DISTINCT FROM d.{c}" for c in cols)
        raw = f"""
          SELECT t.department,
                 (to_timestamp(t.bucket_start_ms / 1000.0) AT TIME ZONE k.timezone)::date
                   - date '1970-01-01' AS day, {", ".join("t." + c for c in cols)}
          FROM tap_counts t JOIN kiosks k USING (kiosk_id)
          WHERE t.bucket_start_ms >= {(first_day - 1) * DAY_MS}"""
        n = self.sql_ints(f"""
          WITH r AS (SELECT department, day, {sums} FROM ({raw}) x WHERE day >= {first_day}
                     GROUP BY 1, 2),
               d AS (SELECT department, day, {sums} FROM dash_day WHERE day >= {first_day}
                     GROUP BY 1, 2)
          SELECT count(*), (SELECT count(*) FROM r) FROM r FULL JOIN d USING (department, day)
          WHERE {differs}""")
        check(n[0] == 0, f"{what}: dash_day = tap_counts per department and local day over the "
              f"last 31 days ({n[1]} department-days; {n[0]} differ)")
        n = self.sql_ints(f"""
          WITH r AS (SELECT department, {sums} FROM tap_counts GROUP BY 1),
               d AS (SELECT department, {sums} FROM dash_day GROUP BY 1)
          SELECT count(*) FROM r FULL JOIN d USING (department) WHERE {differs}""")
        check(n[0] == 0, f"{what}: dash_day = tap_counts per department over all days "
              f"({n[0]} departments differ)")
        n = self.sql_ints("""
          WITH r AS (SELECT department, sum(n) AS n FROM reason_counts GROUP BY 1),
               d AS (SELECT department, sum(n) AS n FROM dash_reason_day GROUP BY 1)
          SELECT count(*) FROM r FULL JOIN d USING (department) WHERE r.n IS DISTINCT FROM d.n""")
        check(n[0] == 0, f"{what}: dash_reason_day = reason_counts per department "
              f"({n[0]} departments differ)")

    def raw_overview(self):
        """The 30-day league straight from tap_counts (what a page would cost without
        rollups), and the same from dash_day when it exists: printed side by side."""
        first_day = self.now_ms // DAY_MS - 30
        league = """
          SELECT department, sum(r1 + r2 + r3 + r4) AS n,
                 round(100.0 * sum(r2 / 3.0 + r3 * 2 / 3.0 + r4) / nullif(sum(r1 + r2 + r3 + r4), 0), 1)
          FROM ({src}) s WHERE day >= {first_day} GROUP BY 1 ORDER BY 3 DESC"""
        raw = f"""
          SELECT t.department, rating_1 AS r1, rating_2 AS r2, rating_3 AS r3, rating_4 AS r4,
                 (to_timestamp(t.bucket_start_ms / 1000.0) AT TIME ZONE k.timezone)::date
                   - date '1970-01-01' AS day
          FROM tap_counts t JOIN kiosks k USING (kiosk_id)
          WHERE t.bucket_start_ms >= {(first_day - 1) * DAY_MS}"""
        t0 = time.monotonic()
        rows = self.sql(league.format(src=raw, first_day=first_day)).splitlines()
        figure("dash_overview_raw_sql_ms", (time.monotonic() - t0) * 1000.0, "ms",
               "30-day league from tap_counts by psql, no rollup")
        top = ", ".join(r.replace("|", " n=", 1).replace("|", " index=") for r in rows[:3])
        low = ", ".join(r.replace("|", " n=", 1).replace("|", " index=") for r in rows[-3:])
        print(f"data: last 30 days from tap_counts: {len(rows)} departments; top {top}; "
              f"bottom {low}", flush=True)
        return rows

    def settle(self):
        """Waits until the rollup's margin (rollup.c: rows stamped within MARGIN_MS of the
        watermark are read again, for transactions still open) no longer reaches back into the
        generated rows: otherwise the incremental rollup re-reads the last minutes of the bulk
        load and measures that, not one sync round."""
        wait = self.sql_ints("SELECT (max(synced_ms) - (extract(epoch FROM clock_timestamp())"
                             " * 1000)::bigint) FROM tap_counts")[0] / 1000.0
        wait += self.args.margin_s + 5
        if wait > 0:
            print(f"note: waiting {wait:.0f} s: the rollup's {self.args.margin_s} s margin must "
                  "not reach back into the generated rows (--margin-s)", flush=True)
            time.sleep(wait)

    def sync_round(self):
        self.sql(f"CALL dash_gen.sync_round({self.args.sync_rows})")

    # --- 3. the server -------------------------------------------------------------------
    def start_server(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.port = port
        self.serve_log = tempfile.NamedTemporaryFile(prefix="wowdash-bench-serve.", suffix=".log",
                                                     delete=False)
        argv = [self.wowdash, "serve", "--db", self.db, "--listen", f"127.0.0.1:{port}",
                "--timezone", "UTC", "--refresh", "1d"]
        self.server = subprocess.Popen(argv, stdout=self.serve_log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError(f"wowdash serve exited {self.server.returncode}: "
                                   + self.server_log_tail())
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    c.close()
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("wowdash serve: /healthz not 200 within 60 s: " + self.server_log_tail())

    def server_log_tail(self):
        with open(self.serve_log.name, errors="replace") as f:
            return "".join(f.readlines()[-20:])

    def stop_server(self):
        if getattr(self, "server", None) and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()

    def cpu_ticks(self):
        """CPU ticks of the server and of every PostgreSQL process of the cluster."""
        pids = [self.server.pid, self.pg.pid] + _children(self.pg.pid)
        total = 0
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
            except (OSError, IndexError, ValueError):
                pass
        return total

    def wait_quiet(self, limit_s=600):
        """Waits until the server's start-up refresh (rollup, alerts) is done: no CPU used by
        the server or PostgreSQL for 2 s."""
        t0 = time.monotonic()
        last, quiet_since = self.cpu_ticks(), time.monotonic()
        while time.monotonic() - t0 < limit_s:
            time.sleep(0.5)
            now = self.cpu_ticks()
            if now - last > 2:  # ticks are 10 ms: a little noise is allowed
                quiet_since = time.monotonic()
            last = now
            if time.monotonic() - quiet_since >= 2.0:
                log(f"server quiet after {time.monotonic() - t0:.0f} s")
                return
        log(f"server still busy after {limit_s} s: measuring anyway")


def _children(pid):
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                kids.append(int(entry))
    return kids


class Client:
    """One keep-alive HTTP/1.1 connection; sequential requests, each timed to its last byte."""

    def __init__(self, port, cookie=None, token=None):
        self.port, self.cookie, self.token = port, cookie, token
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method, path, body=None, headers=None):
        h = dict(headers or {})
        if self.cookie:
            h["Cookie"] = self.cookie
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        for attempt in (0, 1):
            try:
                t0 = time.perf_counter()
                self.conn.request(method, path, body=body, headers=h)
                r = self.conn.getresponse()
                data = r.read()
                ms = (time.perf_counter() - t0) * 1000.0
                if r.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                return r, data, ms
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()  # the server closed the idle connection: once more
                if attempt:
                    raise
        raise AssertionError("unreachable")


class Links(html.parser.HTMLParser):
    """Every src=, href= and action= value of a page."""

    def __init__(self):
        super().__init__()
        self.urls = []
        self.hidden = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in ("src", "href", "action"):
            if a.get(name) is not None:
                self.urls.append(a[name])
        if tag == "input" and a.get("type") == "hidden" and a.get("name"):
            self.hidden[a["name"]] = a.get("value") or ""


def external(url):
    """True if fetching url would ask another host (a scheme other than data:, or //host)."""
    u = url.strip()
    if u.startswith("//"):
        return True
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", u)
    return bool(scheme) and scheme.group(1).lower() not in ("data", "mailto")


def login(port):
    """A session cookie for the admin, or None (reported) when /login is not there yet."""
    c = Client(port)
    r, body, _ = c.request("GET", "/login")
    if r.status != 200:
        skipped("login", f"GET /login answered {r.status}")
        return None
    form = Links()
    form.feed(body.decode("utf-8", "replace"))
    fields = dict(form.hidden)
    fields.update(user=ADMIN, password=ADMIN_PASSWORD, next="/overview")
    r, body, _ = c.request("POST", "/login", body=urllib.parse.urlencode(fields),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    m = re.search(r"wowdash_session=([A-Za-z0-9_-]+)", r.getheader("Set-Cookie") or "")
    if r.status != 303 or not m:
        skipped("login", f"POST /login answered {r.status} without a session cookie: "
                + body[:200].decode("utf-8", "replace"))
        return None
    return "wowdash_session=" + m.group(1)


def measure(client, path, n, warmup=5):
    """n timed GETs of path after warmup untimed ones; returns (times_ms, last body) or
    (None, why) when the path does not answer 200."""
    for _ in range(warmup):
        r, body, _ = client.request("GET", path)
        if r.status != 200:
            return None, f"GET {path} answered {r.status}: {body[:200].decode('utf-8', 'replace')}"
    times = []
    for _ in range(n):
        r, body, ms = client.request("GET", path)
        if r.status != 200:
            return None, f"GET {path} answered {r.status} after the warm-up"
        times.append(ms)
    return times, body


def fetch_csv(client, path):
    """The whole CSV export, following Link rel=next; returns (seconds, rows, pages)."""
    t0 = time.perf_counter()
    rows, pages = [], 0
    while path:
        r, body, _ = client.request("GET", path)
        if r.status != 200:
            raise RuntimeError(f"GET {path} answered {r.status}: "
                               + body[:200].decode("utf-8", "replace"))
        pages += 1
        text = body.decode("utf-8")
        if text.startswith("\ufeff"):
            text = text[1:]
        page = list(csv.DictReader(io.StringIO(text, newline="")))
        rows += page
        path = None
        m = re.search(r"<([^>]+)>\s*;\s*rel=\"?next\"?", r.getheader("Link") or "")
        if (r.getheader("X-More-Available") or "").lower() == "true" and m:
            u = urllib.parse.urlsplit(m.group(1))
            path = u.path + ("?" + u.query if u.query else "")
    return time.perf_counter() - t0, rows, pages


def last_month(now_ms):
    today = datetime.datetime.fromtimestamp(now_ms / 1000, datetime.timezone.utc).date()
    last = today.replace(day=1) - datetime.timedelta(days=1)
    return last.replace(day=1), last


def run_pages(b, token):
    """Step 5: the timed requests; returns the paths that missed the goal."""
    a = b.args
    cookie = login(b.port)
    slow = []
    if cookie is None:
        return slow
    client = Client(b.port, cookie=cookie)
    dept = b.departments[min(19, len(b.departments) - 1)]  # d020 slips in the last 10 days
    pages = [("overview", "/overview?period=last_30_days"),
             ("department", f"/department/{dept}?period=last_30_days"),
             ("department_today", f"/department/{dept}?period=today"),
             ("fleet", "/fleet")]
    weights, urls = {}, []
    for name, path in pages:
        times, body = measure(client, path, a.requests)
        if times is None:
            skipped(f"dash_{name}", body)
            continue
        p50, p95 = pct(times, 50), pct(times, 95)
        figure(f"dash_{name}_p50_ms", p50, "ms", f"n={len(times)} {path}")
        figure(f"dash_{name}_p95_ms", p95, "ms", f"n={len(times)}; max {max(times):.1f}")
        if p95 > PAGE_GOAL_MS:
            slow.append(path)
        weights[name] = len(body)
        if a.save:
            os.makedirs(a.save, exist_ok=True)
            with open(os.path.join(a.save, name + ".html"), "wb") as f:
                f.write(body)
        parser = Links()
        parser.feed(body.decode("utf-8", "replace"))
        urls += parser.urls
    r, css, _ = client.request("GET", "/assets/dash.css")
    css_urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", css.decode("utf-8", "replace")) \
        if r.status == 200 else []
    if weights:
        name = max(weights, key=weights.get)
        figure("dash_page_kb", weights[name] / 1024.0, "KB", f"largest: {name}; "
               + ", ".join(f"{k} {v / 1024.0:.1f}" for k, v in weights.items()))
        check(weights[name] / 1024.0 <= GOAL_KB, f"every page <= {GOAL_KB:.0f} KB")
        ext = [u for u in urls + css_urls if external(u)]
        figure("dash_external_requests", len(ext), "urls",
               f"of {len(urls)} src/href/action values and {len(css_urls)} CSS url()s"
               + (": " + " ".join(sorted(set(ext))[:5]) if ext else ""))
        check(not ext, "no page asks another host")
    if token:
        run_csv(b, token)
    return slow


def run_csv(b, token):
    first, last = last_month(b.now_ms)
    client = Client(b.port, token=token)
    q = f"period=custom&from={first}&to={last}&limit=10000"
    d0 = (first - datetime.date(1970, 1, 1)).days
    d1 = (last - datetime.date(1970, 1, 1)).days + 1
    want = b.sql_ints(f"SELECT sum(rating_1 + rating_2 + rating_3 + rating_4) FROM dash_day "
                      f"WHERE day >= {d0} AND day < {d1}")[0]
    for name, path, n in (("dash_csv_month_s", f"/api/v1/counts.csv?{q}", b.args.requests),
                          ("dash_csv_month_kiosk_s", f"/api/v1/counts.csv?{q}&by=kiosk", 10)):
        try:
            fetch_csv(client, path)  # warm-up
            runs = [fetch_csv(client, path) for _ in range(n)]
        except RuntimeError as e:
            skipped(name, str(e))
            continue
        secs = [r[0] for r in runs]
        _, rows, pages = runs[-1]
        figure(name, pct(secs, 50), "s", f"median of {n}; p95 {pct(secs, 95):.3f} s; "
               f"{len(rows)} rows in {pages} page(s); {first}..{last}")
        got = sum(int(r.get("responses") or 0) for r in rows)
        check(got == want, f"{name}: the CSV's responses sum to the rollup's ({got} vs {want})")


SLOW_MS = 20  # statements of the server's connections slower than this get logged


def log_slow_statements(b):
    """From now on PostgreSQL logs the server's statements over SLOW_MS ms with their
    parameters (log_min_duration_statement: nothing is timed that was not before).  Call
    before the server starts: settings of a database reach new connections only.  Returns the
    log's current end."""
    b.sql(f"ALTER DATABASE {DBNAME} SET log_min_duration_statement = '{SLOW_MS}ms'")
    with open(b.pg.logfile, errors="replace") as f:
        f.seek(0, os.SEEK_END)
        return f.tell()


def slow_statements(logfile, offset):
    """(ms, statement, parameters) of the log's duration lines after offset, slowest first,
    one per statement text."""
    with open(logfile, errors="replace") as f:
        f.seek(offset)
        lines = f.read().splitlines()
    stamp = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
    found, cur = {}, None
    for line in lines:
        if stamp.match(line):
            m = re.search(r"LOG:  duration: ([\d.]+) ms  (?:execute [^:]*|statement): (.*)", line)
            if m:
                cur = [float(m.group(1)), m.group(2), ""]
                if cur[1] not in found or found[cur[1]][0] < cur[0]:
                    found[cur[1]] = cur
                continue
            m = re.search(r"DETAIL:  parameters: (.*)", line)
            if m and cur is not None:
                cur[2] = m.group(1)
            cur = None if not m else cur
        elif cur is not None:
            cur[1] += "\n" + line  # a statement's further lines
    return sorted(found.values(), key=lambda x: -x[0])


def explain_slow(b, paths, offset, limit=4):
    """Prints the slowest statements logged while the pages were measured, each with
    EXPLAIN (ANALYZE, BUFFERS) run again on its logged parameters."""
    stmts = slow_statements(b.pg.logfile, offset)
    print(f"slow: pages over {PAGE_GOAL_MS:.0f} ms p95: {' '.join(paths)}; {len(stmts)} distinct "
          f"statements over {SLOW_MS} ms while measuring" + (":" if stmts else
                                                            " (the time is spent in wowdash)"))
    for ms, text, params in stmts[:limit]:
        values = [v for _, v in re.findall(r"\$(\d+) = ('(?:[^']|'')*'|NULL)", params)]
        sql = (f"PREPARE slow AS {text};\nEXPLAIN (ANALYZE, BUFFERS) EXECUTE slow"
               + (f"({', '.join(values)})" if values else "") + ";")
        try:
            plan = b.sql(sql, timeout=120)
        except RuntimeError as e:
            plan = f"(EXPLAIN failed: {e})"
        print(f"slow: {ms:.1f} ms: {text}\n  parameters: {params or '-'}\n{plan}", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("build", help="the build directory (holds app/dash/wowdash)")
    p.add_argument("--kiosks", type=int, default=1000)
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--requests", type=int, default=50, help="timed requests per page (>= 50)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--chunk", type=int, default=50, help="kiosks per generating transaction")
    p.add_argument("--sync-rows", type=int, default=1000, help="rows grown before the "
                   "incremental rollup")
    p.add_argument("--keep", action="store_true", help="leave the cluster running")
    p.add_argument("--reuse", metavar="STATE", help="measure the database a --keep run left")
    p.add_argument("--margin-s", type=int, default=300, help="rollup.c's MARGIN_MS in seconds: "
                   "how long to wait after generating before the first sync round")
    p.add_argument("--save", metavar="DIR", help="write the measured pages there")
    a = p.parse_args()
    if a.kiosks < 1 or a.days < 1 or a.requests < 1 or a.chunk < 1:
        p.error("--kiosks, --days, --requests and --chunk must be positive")
    b = Bench(a)
    print("command: python3 bench/dash_bench.py " + shlex.join(
        [a.build, "--kiosks", str(a.kiosks), "--days", str(a.days), "--requests", str(a.requests),
         "--seed", str(a.seed)]), flush=True)
    try:
        if a.reuse:
            b.attach(a.reuse)
            token = b.new_token()
            full = b.rollup("dash_rollup_s", "whatever a --reuse database had left to do")
        else:
            b.start_database()
            b.generate()
            token = b.organise()
            b.raw_overview()
            b.settle()
            b.sync_round()
            full = b.rollup("dash_rollup_full_s", "first rollup of every row")
        if full:
            b.rollup_rows()
            b.check_rollup("full rollup")
            b.sync_round()
            if b.rollup("dash_rollup_incr_s", f"after one sync round of {a.sync_rows} grown rows"):
                b.check_rollup("incremental rollup")
        offset = log_slow_statements(b)
        try:
            b.start_server()
        except RuntimeError as e:
            skipped("wowdash serve", str(e))
        else:
            b.wait_quiet()
            with open(b.pg.logfile, errors="replace") as f:
                offset = f.seek(0, os.SEEK_END)  # the start-up refresh's statements are not ours
            slow = run_pages(b, token)
            if slow:
                explain_slow(b, slow, offset)
            else:
                stmts = slow_statements(b.pg.logfile, offset)
                print(f"note: {len(stmts)} distinct statements of the server over {SLOW_MS} ms "
                      "while measuring" + "".join(f"; {ms:.0f} ms: {text[:160]}"
                                                  for ms, text, _ in stmts[:3]), flush=True)
    finally:
        b.stop_server()
        if a.reuse:
            pass  # not ours to stop
        elif a.keep and b.pg:
            state = os.path.join(tempfile.gettempdir(), "dash_bench_cluster.json")
            b.pg.write_state(state)
            b.pg.owned = False
            from pg_cluster import _unregister
            _unregister(b.pg)
            print(f"kept: {b.db} (stop: python3 tests/sync/pg_cluster.py stop {state})")
        elif b.pg:
            b.pg.stop()
    if problems:
        print(f"dash_bench: {len(problems)} problem(s): " + "; ".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
