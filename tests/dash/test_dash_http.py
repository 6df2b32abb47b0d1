#!/usr/bin/env python3
"""The dashboard end to end over HTTP: `wowdash serve` on the real binary against a database
seeded by seed.py, SQLite or PostgreSQL (the CTest fixture `pg`, env WOW_PG_STATE).

Usage: test_dash_http.py WOWDASH OUTDIR sqlite|postgres [CHECK...]

Every number is compared with seed.py's own sums of the rows it inserted.  Checks:
  pages      login by a real POST /login; every page route 200; the overview's row of each
             department and the department page show its index, CSAT and n for the period
  periods    each preset (today .. this_month) with --timezone fixed, a custom range (both
             ends inclusive), a department, a group: API counts per department = seed's sums,
             and the department page shows the same n
  misuse     misuse=1 adds exactly the flagged taps; the misuse column counts them always
  hourly     granularity=hour and by=kiosk rows = seed's rows
  badparams  bad parameters are 400 naming the parameter (pages and API)
  csv        counts, reasons, departments, kiosks, alerts: CSV (BOM, CRLF, RFC 4180, attachment
             name) parsed by the csv module = the JSON; the quoted reason byte-exact in UTF-8;
             the formula guard on the department named "=cmd" and the reason "+1 quick"
  paging     limit=5 walks every row exactly once by Link, X-More-Available false at the end
  alerts     delta's rule opens an alert; acknowledge and comment by POST with the csrf
The harness (Server, Client, target()) is imported by test_access.py and tests/browser.
Exit 1 when any check failed; each failure says what was expected and what came back.
"""
import csv
import datetime as dt
import html
import io
import json
import math
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse
import http.client
from zoneinfo import ZoneInfo

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "sync"))
import seed as seedmod  # noqa: E402

ZONE = "Europe/Helsinki"
TAG = str(os.getpid())


class CheckFailed(AssertionError):
    pass


def check(cond, message):
    if not cond:
        raise CheckFailed(message)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- databases ---------------------------------------------------------------------------------
class Target:
    """A fresh database: a SQLite file in tmp, or a database in the fixture's cluster."""

    def __init__(self, engine, tmp, name="dash"):
        self.engine = engine
        self.pg = None
        if engine == "sqlite":
            self.conninfo = os.path.join(tmp, f"{name}.db")
        else:
            from pg_cluster import Cluster
            self.pg = Cluster.from_state(os.environ["WOW_PG_STATE"])
            self.dbname = f"{name}_{TAG}"
            self.pg.psql(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')
            self.pg.create_database(self.dbname)
            self.conninfo = self.pg.conninfo(dbname=self.dbname)

    def drop(self):
        if self.pg:
            self.pg.psql(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')


# ---- the server ---------------------------------------------------------------------------------
class Server:
    """wowdash serve on a free loopback port; READY=1 through a NOTIFY_SOCKET of ours (or, if it
    never comes, /healthz answering)."""

    def __init__(self, wowdash, db, tmp, zone=ZONE, extra=()):
        self.port = free_port()
        self.sock_path = os.path.join(tmp, f"notify-{self.port}.sock")
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(self.sock_path)
        self.log_path = os.path.join(tmp, f"serve-{self.port}.log")
        self.log = open(self.log_path, "w")
        env = dict(os.environ, NOTIFY_SOCKET=self.sock_path)
        self.argv = [wowdash, "serve", "--db", db, "--listen", f"127.0.0.1:{self.port}",
                     "--timezone", zone, *extra]
        self.proc = subprocess.Popen(self.argv, stdout=self.log, stderr=subprocess.STDOUT,
                                     env=env)
        self._wait_ready()

    def _wait_ready(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise CheckFailed(f"wowdash serve exited {self.proc.returncode}: "
                                  f"{' '.join(self.argv)}\n{self.text_log()}")
            self.notify.settimeout(0.2)
            try:
                if "READY=1" in self.notify.recv(4096).decode().split("\n"):
                    return
            except socket.timeout:
                pass
        raise CheckFailed(f"no READY=1 from wowdash serve in {timeout} s:\n{self.text_log()}")

    def text_log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        self.notify.close()
        if os.path.exists(self.sock_path):
            os.unlink(self.sock_path)
        return self.proc.returncode


# ---- the client ---------------------------------------------------------------------------------
class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        return self.headers.get(name.lower())

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise CheckFailed(f"not JSON ({e}): {self.status} {self.body[:300]!r}")

    def __repr__(self):
        return f"<{self.status} {dict(self.headers)} {self.body[:400]!r}>"


class Client:
    """One browser-like user: its own cookies, no redirects followed, raw bytes kept."""

    def __init__(self, port, token=None, source=None):
        self.port = port
        self.cookies = {}
        self.token = token
        self.source = source  # a loopback address to connect from (127.0.0.0/8), or None

    def request(self, method, path, form=None, headers=None, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30,
                                          source_address=(self.source, 0) if self.source else None)
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            headers_out = {}
            cookies = []
            for k, v in r.getheaders():
                if k.lower() == "set-cookie":
                    cookies.append(v)
                headers_out[k.lower()] = v if k.lower() not in headers_out \
                    else headers_out[k.lower()] + ", " + v
            data = r.read()
        finally:
            conn.close()
        for c in cookies:
            name, _, rest = c.partition("=")
            value = rest.split(";")[0]
            if value == "" or "max-age=0" in c.lower() or "expires=thu, 01 jan 1970" in c.lower():
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        resp = Response(r.status, headers_out, data)
        resp.set_cookies = cookies
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, form, **kw):
        return self.request("POST", path, form=form, **kw)

    def login(self, user, password, next_path=None):
        form = {"user": user, "password": password}
        if next_path:
            form["next"] = next_path
        r = self.post("/login", form)
        check(r.status == 303 and "wowdash_session" in self.cookies,
              f"login {user}: expected 303 and a wowdash_session cookie, got {r!r}")
        return r

    def csrf(self, path="/alerts"):
        """The csrf token from the hidden field of a page's forms."""
        r = self.get(path)
        check(r.status == 200, f"GET {path} for the csrf token: {r!r}")
        return find_csrf(r.text, path)


def find_csrf(text, where):
    for tag in re.findall(r"<input[^>]*>", text):
        if re.search(r'name="csrf"', tag):
            m = re.search(r'value="([A-Za-z0-9_-]{43})"', tag)
            if m:
                return m.group(1)
    raise CheckFailed(f"{where}: no <input name=\"csrf\" value=43 chars> on the page")


# ---- numbers -------------------------------------------------------------------------------------
def score(c):
    """(n, index 0..100, csat 0..1, wow 0..1) of [r1..r4]; None numbers for n = 0."""
    n = sum(c)
    if n == 0:
        return 0, None, None, None
    return n, (c[1] + 2 * c[2] + 3 * c[3]) * 100.0 / (3 * n), (c[2] + c[3]) / n, c[3] / n


def page_text(fragment):
    """Visible text: tags gone, entities decoded, white space collapsed."""
    t = re.sub(r"<(script|style)\b.*?</\1>", " ", fragment, flags=re.S)
    t = re.sub(r"<[^>]+>", " ", t)
    return re.sub(r"\s+", " ", html.unescape(t))


def has_int(text, n):
    forms = {str(n), f"{n:,}", f"{n:,}".replace(",", "\u202f"), f"{n:,}".replace(",", "\u2009"),
             f"{n:,}".replace(",", "\u00a0"), f"{n:,}".replace(",", " ")}
    return any(re.search(rf"(?<![\d.,]){re.escape(f)}(?![\d])", text) for f in forms)


def rounded(x, digits=0):
    """x to digits decimals; both neighbours when x lies (within float noise) halfway."""
    scaled = x * 10 ** digits
    if abs(scaled - math.floor(scaled) - 0.5) < 1e-6:
        return [f"{math.floor(scaled) / 10 ** digits:.{digits}f}",
                f"{math.ceil(scaled) / 10 ** digits:.{digits}f}"]
    return [f"{x:.{digits}f}"]


def has_fixed(text, x, digits=1):
    return any(re.search(rf"(?<![\d.]){re.escape(f)}(?![\d])", text) for f in rounded(x, digits))


def has_percent(text, share):
    """A share shown as a percentage: 84.1 % or 84 % (either precision, optional space)."""
    return any(re.search(rf"(?<![\d.]){re.escape(f)}\s?%", text)
               for d in (1, 0) for f in rounded(share * 100, d))


# ---- dates ---------------------------------------------------------------------------------------
def iso(day):
    return seedmod.day_date(day).isoformat()


def period_range(period, today):
    """[from, to) day numbers of a preset for a local "today" (the contract's meanings)."""
    weekday = seedmod.day_date(today).weekday()  # 0 = Monday
    first = seedmod.day_date(today).replace(day=1)
    return {
        "today": (today, today + 1),
        "yesterday": (today - 1, today),
        "this_week": (today - weekday, today + 1),
        "last_week": (today - weekday - 7, today - weekday),
        "last_30_days": (today - 29, today + 1),
        "this_month": (seedmod.day_number(first), today + 1),
        "last_7_days": (today - 6, today + 1),
        "last_90_days": (today - 89, today + 1),
        "this_quarter": (seedmod.day_number(first.replace(month=(first.month - 1) // 3 * 3 + 1)),
                         today + 1),
        "this_year": (seedmod.day_number(first.replace(month=1)), today + 1),
    }[period]


PERIODS = ["today", "yesterday", "this_week", "last_week", "last_30_days", "this_month",
           "last_7_days", "last_90_days", "this_quarter", "this_year"]


# ---- API helpers ---------------------------------------------------------------------------------
def api_all(client, path, limit=10000):
    """Every item of a JSON API list (one page of up to 10000, which must say more=false)."""
    sep = "&" if "?" in path else "?"
    r = client.get(f"{path}{sep}limit={limit}")
    check(r.status == 200, f"GET {path}: {r!r}")
    doc = r.json()
    check(isinstance(doc, dict) and isinstance(doc.get("items"), list),
          f"GET {path}: expected {{offset, limit, more, items}}, got {str(doc)[:300]}")
    check(doc.get("more") is False and r.header("X-More-Available") == "false",
          f"GET {path}: more={doc.get('more')} X-More-Available={r.header('X-More-Available')}")
    return doc["items"]


FACES = ["very_unhappy", "unhappy", "happy", "wow"]


def item_counts(item, where):
    for k in FACES + ["responses"]:
        check(isinstance(item.get(k), int), f"{where}: {k} is not a number in {item}")
    c = [item[k] for k in FACES]
    check(item["responses"] == sum(c), f"{where}: responses {item['responses']} != sum {c}")
    return c


def check_scores(item, c, where):
    n, index, csat, wow = score(c)
    for key, want, tol in (("index", index, 0.051), ("csat", csat, 0.0006),
                           ("wow_rate", wow, 0.0006)):
        got = item.get(key)
        if want is None:
            check(got is None, f"{where}: {key} {got!r}, expected null for n = 0")
        else:
            check(isinstance(got, (int, float)) and abs(got - want) <= tol,
                  f"{where}: {key} {got!r}, expected {want:.4f} (faces {c})")


def diff(got, want, limit=4):
    """A few keys where two dicts differ, with both values (for a failure message)."""
    keys = sorted((k for k in set(got) | set(want) if got.get(k) != want.get(k)), key=str)
    return [(k, got.get(k), want.get(k)) for k in keys[:limit]]


def sum_by_department(items, where):
    out = {}
    for it in items:
        c = item_counts(it, where)
        acc = out.setdefault(it["department"], [0] * 4)
        for i in range(4):
            acc[i] += c[i]
    return out


def expected_by_department(s, departments, days, misuse=False):
    out = {}
    for d in departments:
        c = s.counts({d}, days, misuse)
        if sum(c):
            out[d] = c
    return out


# ---- the checks ------------------------------------------------------------------------------------
class Ctx:
    def __init__(self, engine, s, server, outdir):
        self.engine, self.s, self.server, self.outdir = engine, s, server, outdir
        self.admin = Client(server.port)
        self.admin.login("admin", s.users["admin"].password)
        self.api = Client(server.port, token=s.users["admin"].token)


def check_pages(ctx):
    s, c = ctx.s, ctx.admin
    days = period_range("last_30_days", s.today)
    r = c.get("/")
    check(r.status in (302, 303) and r.header("Location") == "/overview",
          f"/ as admin: expected 303 to /overview, got {r!r}")
    paths = ["/overview", "/alerts", "/alerts?state=open", "/alerts?state=closed",
             "/alerts?state=all", "/fleet", "/fleet?problems=1", "/fleet?offset=0&limit=2"]
    paths += [f"/department/{d}" for d in s.departments]
    for p in paths:
        r = c.get(p)
        check(r.status == 200 and (r.header("Content-Type") or "").startswith("text/html"),
              f"GET {p}: expected 200 text/html, got {r!r}")
        # the one script is the live update's file, never inline
        live = '<script src="/assets/live.js" defer></script>'
        check(r.text.count(live) == 1 and "<script" not in r.text.replace(live, ""),
              f"GET {p}: a <script> on the page other than {live}")
        check(r.header("Cache-Control") == "no-store", f"GET {p}: Cache-Control "
              f"{r.header('Cache-Control')!r}")
    body = c.get("/overview").text
    with open(os.path.join(ctx.outdir, f"e2e-overview-{ctx.engine}.html"), "w") as f:
        f.write(body)
    rows = re.findall(r"<tr\b.*?</tr>", body, flags=re.S)
    # a row naming the department (or group) shows its n, index and CSAT; a department's row
    # may name its group too, so any row naming it will do
    for dept, info in s.departments.items():
        n, index, csat, _ = score(s.counts({dept}, days))
        mine = [page_text(row) for row in rows if html.escape(info["name"]) in row]
        check(any(has_int(t, n) and has_fixed(t, index) and has_percent(t, csat) for t in mine),
              f"/overview: {dept}'s row should show n {n}, index {index:.1f}, CSAT "
              f"{csat * 100:.1f} %; rows naming it: {[t[:300] for t in mine]}")
    for gid, gname in s.groups.items():
        n, index, _, _ = score(s.counts(s.departments_of_group(gid), days))
        mine = [page_text(row) for row in rows if html.escape(gname) in row]
        check(any(has_int(t, n) and has_fixed(t, index) for t in mine),
              f"/overview: group {gid}'s row should show n {n}, index {index:.1f}: "
              f"{[t[:300] for t in mine]}")
    for dept in s.departments:
        check_department_page(ctx, dept, "", days)
    for dept in ("alpha", "charlie"):
        check_department_detail(ctx, dept, days)


WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def check_department_detail(ctx, dept, days):
    """The department page's heat map (weekday x local hour, kiosks in two zones), reasons and
    kiosks against seed's sums."""
    s = ctx.s
    body = ctx.admin.get(f"/department/{dept}").text
    heat = {}
    for key, v in s.taps.items():
        if key[0] == dept and days[0] <= key[1] < days[1]:
            cell = heat.setdefault((seedmod.day_date(key[1]).weekday(), key[3]), [0] * 4)
            for i in range(4):
                cell[i] += v[i]
    shown = {}
    for wd, hour, rest in re.findall(r"<title>(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d\d):00 – ([^<]*)"
                                     r"</title>", body):
        shown[(WEEKDAYS.index(wd), int(hour))] = html.unescape(rest)
    # only the hours someone answered in, first to last (the night's empty columns left out)
    hours = [h for (_, h), c in heat.items() if sum(c) > 0] or list(range(24))
    want_cells = 7 * (max(hours) - min(hours) + 1)
    check(len(shown) == want_cells and {h for _, h in shown} == set(range(min(hours), max(hours) + 1)),
          f"/department/{dept}: {len(shown)} heat map cells, expected {want_cells} "
          f"(hours {min(hours)} to {max(hours)})")
    for (wd, hour), text in sorted(shown.items()):
        c = heat.get((wd, hour), [0] * 4)
        n, index, _, _ = score(c)
        # an index exactly halfway (62.5) may round either way
        want = {f"index {r}, n = {n}" for r in rounded(index)} if n else {"no responses"}
        check(text in want, f"/department/{dept}: heat cell {WEEKDAYS[wd]} {hour:02d}:00 says "
              f"{text!r}, seed {sorted(want)}")
    rows = [page_text(r).strip() for r in re.findall(r"<tr\b.*?</tr>", body, flags=re.S)]
    reasons = {}
    for k, n in s.reason_sums(departments={dept}, days=days).items():
        reasons[(k[2], k[3], k[4])] = reasons.get((k[2], k[3], k[4]), 0) + n
    for (question, reason, ended_by), n in reasons.items():
        if ended_by == "chosen":
            check(any(r.startswith(reason + " ") and has_int(r[len(reason):], n) for r in rows),
                  f"/department/{dept}: no reasons row '{reason}' with n {n} ({question})")
    text = page_text(body)
    for question in ("positive", "negative"):
        for ended_by, word in (("skipped", "Skipped"), ("timeout", "timed out")):
            n = sum(v for k, v in reasons.items() if k[0] == question and k[2] == ended_by)
            check(f"{word}: {n}" in text, f"/department/{dept}: '{word}: {n}' ({question}) "
                  "is not on the page")
    for kiosk, info in s.kiosks.items():
        if info["department"] != dept:
            continue
        n = sum(s.counts({dept}, days, kiosk=kiosk))
        check(any(r.startswith(kiosk + " ") and has_int(r, n) for r in rows),
              f"/department/{dept}: no kiosks row for {kiosk} with n {n}")


def check_department_page(ctx, dept, query, days, misuse=False):
    s = ctx.s
    n, index, csat, _ = score(s.counts({dept}, days, misuse))
    r = ctx.admin.get(f"/department/{dept}{query}")
    check(r.status == 200, f"/department/{dept}{query}: {r!r}")
    text = page_text(r.text)
    if n == 0:
        check("–" in text, f"/department/{dept}{query}: n = 0 and no '–' on the page")
        return
    check(has_int(text, n) and has_fixed(text, index) and has_percent(text, csat),
          f"/department/{dept}{query}: expected n {n}, index {index:.1f}, CSAT {csat * 100:.1f} %"
          f" somewhere on the page; it reads: {text[:600]!r}")
    check(re.search(r"<svg\b", r.text) is not None, f"/department/{dept}: no inline SVG")


def check_counts_api(ctx, query, departments, days, misuse=False, where=None):
    where = where or f"/api/v1/counts?{query}"
    items = api_all(ctx.api, f"/api/v1/counts?{query}")
    got = {k: v for k, v in sum_by_department(items, where).items() if sum(v)}
    want = expected_by_department(ctx.s, departments, days, misuse)
    check(got == want, f"{where}: per department {got}, seed says {want}")
    first, last = iso(days[0]), iso(days[1] - 1)
    for it in items:
        check(first <= it.get("date", "") <= last,
              f"{where}: row dated {it.get('date')!r} outside {first}..{last}")
    return items


def check_periods(ctx):
    s = ctx.s
    every = set(s.departments)
    for p in PERIODS:
        days = period_range(p, s.today)
        check_counts_api(ctx, f"period={p}", every, days)
        check_department_page(ctx, "alpha", f"?period={p}", days)
    # custom: both ends inclusive
    days = (s.today - 44, s.today - 39)
    q = f"period=custom&from={iso(days[0])}&to={iso(days[1] - 1)}"
    check_counts_api(ctx, q, every, days)
    check_department_page(ctx, "bravo", "?" + q, days)
    # from/to without period
    check_counts_api(ctx, f"from={iso(days[0])}&to={iso(days[1] - 1)}", every, days)
    # a department, a group
    days = period_range("last_30_days", s.today)
    check_counts_api(ctx, "department=charlie", {"charlie"}, days)
    check_counts_api(ctx, "group=g1", s.departments_of_group("g1"), days)
    r = ctx.admin.get("/overview?group=g1")
    check(r.status == 200, f"/overview?group=g1: {r!r}")
    rows = re.findall(r"<tr\b.*?</tr>", r.text, flags=re.S)  # not the filter form's options
    for dept, info in s.departments.items():
        shown = any(html.escape(info["name"]) in row for row in rows)
        check(shown == (info["group"] == "g1"),
              f"/overview?group=g1: {info['name']!r} {'shown' if shown else 'missing'}")


def check_misuse(ctx):
    s = ctx.s
    days = period_range("last_30_days", s.today)
    every = set(s.departments)
    plain = check_counts_api(ctx, "period=last_30_days", every, days)
    flagged = check_counts_api(ctx, "period=last_30_days&misuse=1", every, days, misuse=True)
    n_plain = sum(it["responses"] for it in plain)
    n_flag = sum(it["responses"] for it in flagged)
    m = sum(s.misuse_counts(every, days))
    check(m > 0 and n_flag - n_plain == m,
          f"misuse=1 should add exactly the {m} flagged taps: {n_plain} -> {n_flag}")
    for items, label in ((plain, "misuse=0"), (flagged, "misuse=1")):
        total = sum(it.get("misuse", -10**9) for it in items)
        check(total == m, f"{label}: the misuse column sums to {total}, seed flagged {m}")
    check_department_page(ctx, "alpha", "?misuse=1", days, misuse=True)
    check_reason_sums(ctx, api_all(ctx.api, "/api/v1/reasons?period=last_30_days&misuse=1"),
                      days, misuse=True)
    n0 = sum(s.counts({"alpha"}, days))
    n1 = sum(s.counts({"alpha"}, days, misuse=True))
    check(n1 != n0, "seed: alpha has no misuse in 30 days (the check could not fail)")


def check_hourly(ctx):
    s = ctx.s
    days = (s.today - 3, s.today - 1)
    q = f"period=custom&from={iso(days[0])}&to={iso(days[1] - 1)}"
    items = api_all(ctx.api, f"/api/v1/counts?{q}&granularity=hour")
    got = {}
    for it in items:
        check(isinstance(it.get("hour"), int) and 0 <= it["hour"] <= 23, f"hourly row {it}")
        got[(it["date"], it["department"], it["hour"])] = item_counts(it, "hourly")
        check_scores(it, got[(it["date"], it["department"], it["hour"])], "hourly")
    want = {(iso(k[0]), k[1], k[2]): v[0] for k, v in s.daily(days=days, hourly=True).items()}
    check(got == want, f"granularity=hour: {len(got)} rows, seed {len(want)}; "
          f"differ at {diff(got, want)}")
    items = api_all(ctx.api, f"/api/v1/counts?{q}&by=kiosk")
    got = {(it["date"], it["department"], it["kiosk_id"]): item_counts(it, "by=kiosk")
           for it in items}
    want = {(iso(k[0]), k[1], k[2]): v[0]
            for k, v in s.daily(days=days, per_kiosk=True).items()}
    check(got == want, f"by=kiosk: {len(got)} rows, seed {len(want)}; "
          f"differ at {diff(got, want)}")
    for it in api_all(ctx.api, "/api/v1/counts?period=last_30_days"):
        check_scores(it, item_counts(it, "daily"), f"daily {it.get('date')} {it['department']}")
    # granularity=week: a row per week (named by its Monday) and department, the period's days
    days = period_range("last_30_days", s.today)
    got = {(it["date"], it["department"]): item_counts(it, "weekly")
           for it in api_all(ctx.api, "/api/v1/counts?period=last_30_days&granularity=week")}
    want = {}
    for (day, dept), v in s.daily(days=days).items():
        key = (iso(day - seedmod.day_date(day).weekday()), dept)
        want[key] = [a + b for a, b in zip(want.get(key, [0] * 4), v[0])]
    check(got == want, f"granularity=week: {len(got)} rows, seed {len(want)}; "
          f"differ at {diff(got, want)}")


BAD = [  # (query, what the message must hold: the parameter as "name:", and the value)
    ("period=fortnight", ["period:", "fortnight"]),
    ("period=custom&from=2026-02-30&to=2026-03-01", ["from:", "2026-02-30"]),
    ("period=custom&from=2026-03-01&to=yesterday", ["to:", "yesterday"]),
    ("period=custom&from=2026-03-10&to=2026-03-01", ["to:", "2026-03-01"]),
    ("period=custom&from=2024-01-01&to=2025-06-01", ["from", "366"]),
    ("limit=0", ["limit:", "0"]),
    ("limit=10001", ["limit:", "10001"]),
    ("limit=ten", ["limit:", "ten"]),
    ("offset=-1", ["offset:", "-1"]),
    ("misuse=maybe", ["misuse:", "maybe"]),
]
PAGE_BAD = BAD[:5] + [BAD[-1]]


def says(text, words):
    return all(w in text for w in words)


def check_bad_params(ctx):
    for q, words in BAD + [("format=xml", ["format:", "xml"]),
                           ("granularity=minute", ["granularity:", "minute"]),
                           ("by=site", ["by:", "site"])]:
        r = ctx.api.get(f"/api/v1/counts?{q}")
        check(r.status == 400 and (r.header("Content-Type") or "").startswith("application/json"),
              f"/api/v1/counts?{q}: expected 400 JSON, got {r!r}")
        message = str(r.json().get("error", ""))
        check(says(message, words), f"/api/v1/counts?{q}: the error {message!r} should name "
              f"{words}")
    for q, words in PAGE_BAD:
        for page in ("/overview", "/department/alpha", "/alerts"):
            r = ctx.admin.get(f"{page}?{q}")
            check(r.status == 400 and says(page_text(r.text), words),
                  f"{page}?{q}: expected 400 naming {words}, got {r!r}")
    for page, q, words in (("/alerts", "state=maybe", ["state:", "maybe"]),
                           ("/fleet", "limit=0", ["limit:"]), ("/fleet", "problems=2", ["problems"])):
        r = ctx.admin.get(f"{page}?{q}")
        check(r.status == 400 and says(page_text(r.text), words), f"{page}?{q}: {r!r}")


def place_counts(s, kiosks, days):
    """{department: [r1..r4]} summed over kiosks (ids), days with a tap only."""
    out = {}
    for d in s.departments:
        c = [0] * 4
        for k in kiosks:
            for i, v in enumerate(s.counts({d}, days, kiosk=k)):
                c[i] += v
        if sum(c):
            out[d] = c
    return out


def check_places(ctx):
    """The site and kiosk filters: the API, the overview, a department page, the selects (a
    head sees only its departments' kiosks), and a bad kiosk id."""
    s = ctx.s
    days = period_range("last_30_days", s.today)
    by_site = {}
    for k, info in s.kiosks.items():
        by_site.setdefault(info["site"], []).append(k)
    cases = [("site=NYC", by_site["NYC"]), ("kiosk=k-alpha-2", ["k-alpha-2"]),
             ("site=HQ&kiosk=k-alpha-1", ["k-alpha-1"]), ("site=NYC&kiosk=k-alpha-1", []),
             ("site=Nowhere", [])]
    for query, kiosks in cases:
        items = api_all(ctx.api, f"/api/v1/counts?{query}")
        got = {k: v for k, v in sum_by_department(items, query).items() if sum(v)}
        want = place_counts(s, kiosks, days)
        check(got == want, f"/api/v1/counts?{query}: {diff(got, want)}")
    check(place_counts(s, by_site["NYC"], days) != place_counts(s, list(s.kiosks), days),
          "the seeded world gives the site filter nothing to narrow")
    # a department page narrowed to one kiosk
    want = place_counts(s, ["k-alpha-2"], days).get("alpha", [0] * 4)
    n, index, _, _ = score(want)
    r = ctx.admin.get("/department/alpha?kiosk=k-alpha-2")
    check(r.status == 200 and has_int(page_text(r.text), n),
          f"/department/alpha?kiosk=k-alpha-2: expected n {n} on the page: {r!r}")
    check("k-alpha-1" not in re.sub(r"<form.*?</form>", "", r.text, flags=re.S),
          "/department/alpha?kiosk=k-alpha-2 lists k-alpha-1 outside the filter")
    # the overview narrowed to a site: Alpha's row counts HQ's kiosk only
    r = ctx.admin.get("/overview?site=HQ")
    check(r.status == 200, f"/overview?site=HQ: {r!r}")
    want = place_counts(s, by_site["HQ"], days)
    row = next((x for x in re.findall(r"<tr\b.*?</tr>", r.text, flags=re.S)
                if "Alpha ward" in x), "")
    check(has_int(page_text(row), sum(want.get("alpha", [0]))),
          f"/overview?site=HQ: Alpha's row should count {sum(want.get('alpha', [0]))}: {row!r}")
    # the selects, and their choices kept in the links
    for path in ("/overview?site=HQ", "/department/alpha?site=HQ"):
        r = ctx.admin.get(path)
        check('name="site"' in r.text and 'name="kiosk"' in r.text,
              f"{path}: no site and kiosk selects")
        check(re.search(r'<option value="HQ" selected>', r.text) is not None,
              f"{path}: HQ not selected")
    r = ctx.admin.get("/alerts")
    check('name="site"' not in r.text, "/alerts offers a site filter that narrows nothing")
    head = Client(ctx.server.port)
    head.login("head-a", s.users["head-a"].password)
    r = head.get("/overview")
    kiosks = set(re.findall(r'<option value="(k-[a-z0-9-]+)"', r.text))
    check(kiosks == {"k-alpha-1", "k-alpha-2"},
          f"head-a's kiosk choices: {sorted(kiosks)}, expected alpha's two")
    r = head.get("/api/v1/counts?site=HQ")
    check(r.status == 200 and all(it["department"] == "alpha" for it in r.json()["items"]),
          "head-a with site=HQ sees another department's counts")
    r = ctx.api.get("/api/v1/counts?kiosk=a%20b")
    check(r.status == 400 and "kiosk" in str(r.json().get("error", "")),
          f"kiosk=a b: expected 400 naming kiosk, got {r!r}")


def check_poster(ctx):
    """/poster/ID: the WOW share, index and answers of the seed, no script or form; a head's
    poster of another department is 404; the filter (a site) narrows it."""
    s = ctx.s
    days = period_range("last_30_days", s.today)
    for dept, query, kiosks in (("alpha", "", None), ("alpha", "?site=NYC", ["k-alpha-2"])):
        counts = (s.counts({dept}, days) if kiosks is None
                  else place_counts(s, kiosks, days).get(dept, [0] * 4))
        n, index, csat, wow = score(counts)
        r = ctx.admin.get(f"/poster/{dept}{query}")
        check(r.status == 200, f"/poster/{dept}{query}: {r!r}")
        text = page_text(r.text)
        check(f"{wow * 100:.0f}\u00a0%" in r.text and f">{index:.0f}<" in r.text.replace(
              "<small>", "<"), f"/poster/{dept}{query}: WOW {wow * 100:.0f} % and index "
              f"{index:.0f} expected: {text[:400]!r}")
        check(has_int(text.replace("\u202f", ","), n), f"/poster/{dept}{query}: {n} answers")
        check("<script" not in r.text and "<form" not in r.text, "the poster has a script or form")
    head = Client(ctx.server.port)
    head.login("head-a", s.users["head-a"].password)
    r = head.get("/poster/bravo")
    check(r.status == 404, f"head-a's /poster/bravo: expected 404, got {r!r}")
    r = head.get("/poster/alpha")
    check(r.status == 200, f"head-a's /poster/alpha: {r!r}")
    with open(os.path.join(ctx.outdir, f"e2e-poster-{ctx.engine}.html"), "w") as f:
        f.write(ctx.admin.get("/poster/alpha").text)


# ---- CSV ------------------------------------------------------------------------------------------
FORMULA = ("=", "+", "-", "@")


def parse_csv(r, where, kind):
    check(r.status == 200, f"{where}: {r!r}")
    check((r.header("Content-Type") or "").startswith("text/csv"),
          f"{where}: Content-Type {r.header('Content-Type')!r}")
    disp = r.header("Content-Disposition") or ""
    check(re.fullmatch(rf'attachment; filename="wowdash-{kind}(-[0-9A-Za-z_.-]+)?\.csv"', disp)
          is not None, f"{where}: Content-Disposition {disp!r}")
    check(r.body.startswith(b"\xef\xbb\xbf"), f"{where}: no UTF-8 BOM: {r.body[:20]!r}")
    raw = r.body[3:]
    check(raw.endswith(b"\r\n"), f"{where}: the last line does not end in CRLF")
    # every line break outside quotes is CRLF: drop quoted fields, then look for a bare LF
    unquoted = re.sub(rb'"(?:[^"]|"")*"', b"", raw)
    check(b"\n" not in unquoted.replace(b"\r\n", b""), f"{where}: a bare LF outside quotes")
    text = raw.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    check(rows and all(len(x) == len(rows[0]) for x in rows),
          f"{where}: ragged rows: {[len(x) for x in rows][:10]}")
    return rows[0], rows[1:], raw


def csv_cell_equals(cell, value):
    if value is None:
        return cell == ""
    if isinstance(value, bool):
        return cell in ("true", "false", "1", "0") and (cell in ("true", "1")) == value
    if isinstance(value, int):
        return cell == str(value)
    if isinstance(value, float):
        try:
            got = float(cell)
        except ValueError:
            return False
        decimals = len(cell.split(".")[1]) if "." in cell else 0
        return abs(got - value) <= 0.5 * 10 ** -decimals + 1e-9
    text = str(value)
    if text[:1] in FORMULA:
        return cell == "'" + text
    return cell == text


def check_csv_matches(ctx, path, kind, key_columns=None):
    """path's CSV = its JSON, row for row; returns (header, rows, raw bytes, json items)."""
    sep = "&" if "?" in path else "?"
    items = api_all(ctx.api, path)
    header, rows, raw = parse_csv(ctx.api.get(f"{path}{sep}format=csv&limit=10000"),
                                  f"{path} (csv)", kind)
    if key_columns:
        check(header == key_columns, f"{path}: CSV header {header}, contract says {key_columns}")
    check(len(rows) == len(items), f"{path}: {len(rows)} CSV rows, {len(items)} JSON items")
    for i, (row, it) in enumerate(zip(rows, items)):
        check(set(header) <= set(it), f"{path}: CSV columns {header} not all in JSON {sorted(it)}")
        for col, cell in zip(header, row):
            check(csv_cell_equals(cell, it[col]),
                  f"{path}: row {i} column {col}: CSV {cell!r}, JSON {it[col]!r}")
    return header, rows, raw, items


# department_name: issue 13 added the catalog's name after the columns readers already had;
# audience (customers or colleagues) came after it with internal teams
COUNT_COLUMNS = ["date", "hour", "department", "kiosk_id", "very_unhappy", "unhappy", "happy",
                 "wow", "responses", "index", "csat", "wow_rate", "misuse", "department_name",
                 "audience"]


def check_csv(ctx):
    s = ctx.s
    days = period_range("last_30_days", s.today)
    check_csv_matches(ctx, "/api/v1/counts?period=last_30_days", "counts", COUNT_COLUMNS)
    r = ctx.api.get("/api/v1/counts.csv?period=last_30_days&limit=10000")
    header, rows, _ = parse_csv(r, "/api/v1/counts.csv", "counts")
    want = f'filename="wowdash-counts-{iso(days[0])}-{iso(days[1] - 1)}.csv"'
    check(want in r.header("Content-Disposition"),
          f"/api/v1/counts.csv: Content-Disposition {r.header('Content-Disposition')!r}, "
          f"expected {want}")
    r = ctx.api.get("/api/v1/counts.json?period=last_30_days")
    check(r.status == 200 and "items" in r.json(), f"/api/v1/counts.json: {r!r}")
    header, rows, raw, items = check_csv_matches(ctx, "/api/v1/reasons?period=last_30_days",
                                                 "reasons")
    quoted = '"' + seedmod.REASON_QUOTED.replace('"', '""') + '"'
    check(quoted.encode("utf-8") in raw,
          f"reasons CSV: {quoted!r} not byte-exact in UTF-8 in the file")
    col = header.index("reason")
    check(any(row[col] == seedmod.REASON_QUOTED for row in rows),
          "reasons CSV: the csv module does not read the quoted reason back")
    check(any(row[col] == "'" + seedmod.REASON_FORMULA for row in rows) and
          not any(row[col] == seedmod.REASON_FORMULA for row in rows),
          f"reasons CSV: {seedmod.REASON_FORMULA!r} is not guarded with a quote")
    check_reason_sums(ctx, items, days)
    header, rows, raw, items = check_csv_matches(ctx, "/api/v1/departments", "departments")
    names = {row[header.index("name")] for row in rows}
    check("'=cmd" in names and "=cmd" not in names,
          f"departments CSV: the name =cmd should be '=cmd: {sorted(names)}")
    got = {it["id"]: (it["name"], it.get("group") or "") for it in items}
    want = {d: (v["name"], v["group"] or "") for d, v in s.departments.items()}
    check(got == want, f"/api/v1/departments: {got}, seed {want}")
    _, _, _, items = check_csv_matches(ctx, "/api/v1/kiosks", "kiosks")
    got = {it["kiosk_id"]: it["department"] for it in items}
    want = {k: v["department"] for k, v in s.kiosks.items()}
    check(got == want, f"/api/v1/kiosks: {got}, seed {want}")
    check_csv_matches(ctx, "/api/v1/alerts?state=all", "alerts")


def check_reason_sums(ctx, items, days, misuse=False):
    got = {}
    for it in items:
        n = it.get("responses", it.get("n"))
        check(isinstance(n, int), f"/api/v1/reasons: no count in {it}")
        key = (it["date"], it["department"], it["question"], it["reason"], it["ended_by"])
        got[key] = got.get(key, 0) + n
    want = {}
    for k, n in ctx.s.reason_sums(days=days, misuse=misuse).items():
        key = (iso(k[0]), k[1], k[2], k[3], k[4])
        want[key] = want.get(key, 0) + n
    check(got == want, f"/api/v1/reasons: {len(got)} keys, seed {len(want)}; "
          f"differ at {diff(got, want)}")


# ---- paging ---------------------------------------------------------------------------------------
def walk(client, path, limit):
    """Every item by following Link rel=next; returns (items, pages)."""
    items, pages = [], 0
    url = f"{path}&limit={limit}" if "?" in path else f"{path}?limit={limit}"
    while url:
        r = client.get(url)
        check(r.status == 200, f"paging {url}: {r!r}")
        doc = r.json()
        pages += 1
        more = r.header("X-More-Available")
        check(more in ("true", "false") and doc.get("more") == (more == "true"),
              f"paging {url}: X-More-Available {more!r}, JSON more {doc.get('more')!r}")
        check(len(doc["items"]) <= limit, f"paging {url}: {len(doc['items'])} items > {limit}")
        items += doc["items"]
        link = r.header("Link")
        if more == "false":
            check(link is None, f"paging {url}: a Link on the last page: {link}")
            break
        check(len(doc["items"]) == limit, f"paging {url}: a short page that says more")
        m = re.fullmatch(r'<([^>]+)>; rel="next"', link or "")
        check(m is not None, f"paging {url}: Link {link!r}")
        nxt = urllib.parse.urlsplit(m.group(1))
        check(nxt.netloc in ("", f"127.0.0.1:{client.port}"), f"Link to another host: {link}")
        q = urllib.parse.parse_qs(nxt.query)
        check(q.get("offset") == [str(len(items))], f"paging: next offset {q.get('offset')}, "
              f"{len(items)} read")
        url = nxt.path + "?" + nxt.query
        check(pages < 1000, "paging does not end")
    return items, pages


def check_paging(ctx):
    for path in ("/api/v1/counts?period=last_30_days", "/api/v1/reasons?period=last_week",
                 "/api/v1/kiosks"):
        whole = api_all(ctx.api, path)
        items, pages = walk(ctx.api, path, 5)
        check(items == whole, f"{path}: the walk by 5 ({len(items)} in {pages} pages) differs "
              f"from one page of {len(whole)}")
        check(len({json.dumps(i, sort_keys=True) for i in items}) == len(items),
              f"{path}: a row twice")
        # limit + 1 rows read: a last page that is full already knows nothing follows
        check(pages == max(1, -(-len(whole) // 5)), f"{path}: {pages} pages for {len(whole)} rows")
    # the CSV pages the same way, each page with its header row
    whole = api_all(ctx.api, "/api/v1/counts?period=last_30_days")
    url, rows, pages = "/api/v1/counts.csv?period=last_30_days&limit=7", [], 0
    while url:
        r = ctx.api.get(url)
        header, page, _ = parse_csv(r, url, "counts")
        rows += page
        pages += 1
        link = r.header("Link")
        url = re.fullmatch(r'<([^>]+)>; rel="next"', link).group(1) if link else None
        check((r.header("X-More-Available") == "true") == bool(url), f"{url}: Link {link!r} "
              f"with X-More-Available {r.header('X-More-Available')!r}")
        check(pages < 1000, "CSV paging does not end")
    check(len(rows) == len(whole) and pages == max(1, -(-len(whole) // 7)),
          f"CSV by 7: {len(rows)} rows in {pages} pages, JSON has {len(whole)}")
    for row, it in zip(rows, whole):
        for col, cell in zip(header, row):
            check(csv_cell_equals(cell, it[col]), f"CSV paging: {col} {cell!r} vs {it[col]!r}")
    r = ctx.api.get("/api/v1/counts?period=last_30_days&offset=100000")
    check(r.status == 200 and r.json()["items"] == [] and r.header("X-More-Available") == "false",
          f"offset past the end: {r!r}")


# ---- alerts ---------------------------------------------------------------------------------------
def wait_alert(api, department="delta", source="delta-negative", timeout=60.0):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = api.get("/api/v1/alerts?state=all")
        if last.status == 200:
            for it in last.json().get("items", []):
                if it.get("department") == department and it.get("source") == source:
                    return it
        time.sleep(0.5)
    raise CheckFailed(f"no alert from {source} on {department} within {timeout} s: {last!r}")


def check_alerts(ctx):
    alert = wait_alert(ctx.api)
    aid = alert["id"]
    check(alert.get("state") == "open", f"the new alert's state: {alert}")
    r = ctx.admin.get("/overview")
    check(f"/alerts/{aid}" in r.text, f"/overview does not link the open alert {aid}")
    r = ctx.admin.get(f"/alerts/{aid}")
    check(r.status == 200 and "Delta lab" in r.text, f"/alerts/{aid}: {r!r}")
    token = find_csrf(r.text, f"/alerts/{aid}")
    r = ctx.admin.post(f"/alerts/{aid}/acknowledge", {"csrf": token})
    check(r.status == 303 and (r.header("Location") or "").startswith(f"/alerts/{aid}"),
          f"POST acknowledge: expected 303 back to /alerts/{aid}, got {r!r}")
    now = [it for it in api_all(ctx.api, "/api/v1/alerts?state=all") if it["id"] == aid]
    check(now and now[0]["state"] == "acknowledged" and now[0].get("acknowledged_by") == "admin",
          f"after acknowledge: {now}")
    body = f'Checked <b>"the queue"</b> – Käsittely {TAG}'
    r = ctx.admin.post(f"/alerts/{aid}/comment", {"csrf": token, "body": body})
    check(r.status == 303, f"POST comment: {r!r}")
    r = ctx.admin.get(f"/alerts/{aid}")
    check(html.escape(body, quote=False) in r.text or html.escape(body) in r.text,
          f"/alerts/{aid}: the comment is not shown escaped")
    check('<b>"the queue"</b>' not in r.text, "the comment's <b> is not escaped")
    r = ctx.admin.post(f"/alerts/{aid}/comment", {"csrf": token, "body": "x" * 2001})
    check(r.status in (400, 413), f"a 2001-byte comment: expected 400, got {r!r}")
    r = ctx.admin.post(f"/alerts/{aid}/comment", {"csrf": token, "body": " \t\r\n "})
    check(r.status == 400 and "white space" in r.text,
          f"a comment of white space only: expected 400 naming it, got {r!r}")
    r = ctx.admin.get("/alerts?state=open")
    check(f"/alerts/{aid}" in r.text, "an acknowledged alert should still list under open")
    check_act(ctx, aid, token)


def check_act(ctx, aid, token):
    """Recognise and act over HTTP: assign (refused without the csrf, for a user who does not
    exist), resolve with a note (shown escaped, in the API), the alert stays open until the data
    recovers; the organisation's table and its CSV count the alert with its times."""
    before = [it for it in api_all(ctx.api, "/api/v1/alerts?state=all") if it["id"] == aid][0]
    for path, form in ((f"/alerts/{aid}/assign", {"assignee": "admin"}),
                       (f"/alerts/{aid}/resolve", {"note": "Pwned"})):
        r = ctx.admin.post(path, form)
        check(r.status == 403, f"POST {path} without the csrf: expected 403, got {r!r}")
    r = ctx.admin.post(f"/alerts/{aid}/assign", {"csrf": token, "assignee": "no-such-user"})
    check(r.status == 400 and "assignee" in r.text, f"assign to nobody: expected 400, got {r!r}")
    r = ctx.admin.post(f"/alerts/{aid}/resolve", {"csrf": token, "note": "  \n "})
    check(r.status == 400 and "note" in r.text, f"an empty note: expected 400, got {r!r}")
    r = ctx.admin.post(f"/alerts/{aid}/assign", {"csrf": token, "assignee": "admin"})
    check(r.status == 303, f"POST assign: {r!r}")
    note = f'Extra staff on <i>Mondays</i> {TAG}'
    r = ctx.admin.post(f"/alerts/{aid}/resolve", {"csrf": token, "note": note})
    check(r.status == 303 and (r.header("Location") or "").startswith(f"/alerts/{aid}"),
          f"POST resolve: {r!r}")
    now = [it for it in api_all(ctx.api, "/api/v1/alerts?state=all") if it["id"] == aid][0]
    check(now["assignee"] == "admin" and now["resolution"] == note and now["resolved_by"] == "admin"
          and now["resolved"] and now["state"] != "closed" and now["recovered"] is None,
          f"after assign and resolve: {now}")
    check(now["acknowledged"] == before["acknowledged"], "resolving moved the acknowledgement")
    check(now["direction"] == "down" and now["change_point"] is None and
          now["time_to_recognise_s"] is None, f"a rule's alert has no change point: {now}")
    r = ctx.admin.get(f"/alerts/{aid}")
    check(html.escape(note, quote=False) in r.text and "<i>Mondays</i>" not in r.text,
          "the resolution is not shown escaped")
    r = ctx.admin.get("/alerts/times?period=last_30_days")
    check(r.status == 200 and "Delta lab" in r.text and "n = 1" in r.text,
          f"/alerts/times: {r.status} {r.text[:400]!r}")
    rows = ctx.api.get("/api/v1/alert-times?period=last_30_days").json()["items"]
    delta = [it for it in rows if it["department"] == "delta"]
    total = [it for it in rows if it["department"] == ""]
    check(delta and delta[0]["alerts"] >= 1 and delta[0]["act_n"] >= 1 and total and
          total[0]["alerts"] >= delta[0]["alerts"], f"/api/v1/alert-times: {rows}")
    csv = ctx.api.get("/api/v1/alert-times.csv?period=last_30_days").text
    check(csv.lstrip("\ufeff").startswith("department,department_name,alerts,open_now,rises,"),
          f"the times' CSV header: {csv[:200]!r}")


CHECKS = {
    "pages": check_pages, "periods": check_periods, "misuse": check_misuse,
    "hourly": check_hourly, "badparams": check_bad_params, "csv": check_csv,
    "paging": check_paging, "alerts": check_alerts, "places": check_places,
    "poster": check_poster,
}


def run_checks(name, checks, ctx):
    """Runs each check, keeps going after a failure; returns the failures."""
    failed = []
    for key, fn in checks.items():
        start = time.monotonic()
        try:
            fn(ctx)
            print(f"PASS {name} {key} ({time.monotonic() - start:.1f} s)", flush=True)
        except Exception as e:  # noqa: BLE001 - every failure is reported, then the next check
            failed.append(key)
            detail = str(e) if isinstance(e, CheckFailed) else traceback.format_exc()
            print(f"FAIL {name} {key}: {detail}", flush=True)
    return failed


def clear_of_midnight(zone=ZONE, margin_s=180):
    """Waits out the last minutes before midnight in zone: seed.py's "today" and the server's
    must be the same day for the whole run (a run takes well under a minute)."""
    now = dt.datetime.now(ZoneInfo(zone))
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), ZoneInfo(zone))
    left = (midnight - now).total_seconds()
    if left < margin_s:
        print(f"waiting {left + 2:.0f} s for midnight in {zone}", flush=True)
        time.sleep(left + 2)


def setup(wowdash, engine, tmp, name, rule=True):
    """(target, seeded, server) on a fresh database."""
    clear_of_midnight()
    target = Target(engine, tmp, name)
    s = seedmod.seed(wowdash, target.conninfo, zone=ZONE)
    if rule:
        seedmod.seed_rule(wowdash, target.conninfo)
    return target, s, Server(wowdash, target.conninfo, tmp)


def main():
    wowdash, outdir, engine = sys.argv[1], sys.argv[2], sys.argv[3]
    only = sys.argv[4:]
    os.makedirs(outdir, exist_ok=True)
    checks = {k: v for k, v in CHECKS.items() if not only or k in only}
    with tempfile.TemporaryDirectory(prefix="wowdash-e2e-") as tmp:
        target = server = None
        try:
            target, s, server = setup(wowdash, engine, tmp, "dash_http")
            ctx = Ctx(engine, s, server, outdir)
            failed = run_checks(engine, checks, ctx)
        except Exception:  # noqa: BLE001 - set-up failed: nothing else can run
            print(f"FAIL {engine} setup: {traceback.format_exc()}", flush=True)
            failed = ["setup"]
        finally:
            if server:
                rc = server.stop()
                log = server.text_log()
                if failed or rc != 0:
                    print(f"--- serve log (exit {rc}) ---\n{log[-4000:]}")
                if rc != 0:
                    failed.append("exit")
            if target:
                target.drop()
    print(f"{engine}: {len(checks) - len(failed)} of {len(checks)} checks passed"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
