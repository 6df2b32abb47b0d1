#!/usr/bin/env python3
"""wowdash serve on the real binary, against a SQLite shared.db and against
PostgreSQL (the CTest fixture `pg`, tests/sync/pg_cluster.py, env WOW_PG_STATE).

Usage: test_serve.py WOWDASH OUTDIR      (OUTDIR gets fleet.html, one fleet page)

For each engine: the schema by `wowdash migrate`, kiosks by `wowdash kiosk add`
and by direct INSERTs of heartbeat values, a technician by `wowdash user add`;
then `wowdash serve` on a free loopback port with a fake NOTIFY_SOCKET (a
datagram socket here) that must receive READY=1; then:
  - /healthz 200 "ok";
  - without a session /fleet and / answer 303 to /login?next=..., the API 401;
    a 20 KB form 413, a 5 KB URL 414, a text/plain form 415, a login from
    another Origin 403; a wrong
    password 403 and no cookie; the right one 303 with a session cookie that is
    HttpOnly, SameSite=Lax, Path=/ (and Secure with --secure-cookies);
  - with the session, /fleet lists every kiosk, silent ones (never seen, or
    quiet for longer than --silent-after) marked silent and first, an error
    text holding <script> escaped, the summary counts; / redirects there (a
    technician's home); HEAD works;
  - 404 for other paths, 405 (with Allow) for other methods;
  - every response has Content-Type with charset, nosniff, the CSP, and the
    pages Cache-Control: no-store;
  - the refresh thread ran at start (dash_rollup_state stamped, SQLite);
  - the database going away (file deleted; database dropped) -> /healthz 503
    with the reason, and /fleet 503;
  - SIGTERM (SIGINT for PostgreSQL) -> exit 0 within a second (the refresh
    thread waits on a condition variable, not in sleep), STOPPING=1.
A database missing at start: the server starts all the same, 503.
Any --listen address is allowed now (0.0.0.0 is served, with a warning in the
log); malformed ones are refused with exit 2 and a message saying why; a bad
--silent-after, --refresh, --timezone or --webhook is exit 2; a missing
stylesheet exit 1.  The time zone the server counts "today" in is logged.
"""
import html
import http.cookies
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sync"))
from pg_cluster import Cluster  # noqa: E402

WOWDASH, OUTDIR = sys.argv[1], sys.argv[2]
TAG = str(os.getpid())
MIN = 60 * 1000


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def dash(*args):
    r = subprocess.run([WOWDASH, *args], capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, f"wowdash {' '.join(args)} failed ({r.returncode}): {r.stderr}")
    return r


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def now_ms():
    return int(time.time() * 1000)


# --- the fleet both engines get ---------------------------------------------------------------
def fleet_rows(now):
    """(kiosk_id, site, label, department, app_version, last_seen_ms, last_success_ms, backlog,
    last_error) inserted directly; silent after 30 min in this test."""
    return [
        ("fresh-1", "HQ", "Front desk", "front", "0.1.0", now - 1 * MIN, now - 1 * MIN, 0, ""),
        # 20 min: silent with the default 15m, not with --silent-after 30m
        ("mid-1", "HQ", "Canteen", "food", "0.1.0", now - 20 * MIN, now - 25 * MIN, 2, ""),
        # 45 min: silent after 30 min (the threshold counts on both sides)
        ("quiet-1", "Depot", "Office", "it", "0.1.0", now - 45 * MIN, now - 50 * MIN, 0, ""),
        ("stale-1", "Depot", "Gate", "it", "0.0.9", now - 120 * MIN, now - 130 * MIN, 41,
         "cannot connect to PostgreSQL: connection refused"),
        (f"x<script>alert('{TAG}')</script>", "B&B", 'the "lab"', "it", "0.1.0", now - 10_000,
         0, 7, '<script>alert("pwned")</script> & more'),
    ]


NEVER = f"never-{TAG}"  # added with wowdash kiosk add: provisioned, never seen
EXPECTED_SILENT = {NEVER, "quiet-1", "stale-1"}


KIOSK_COLUMNS = ("kiosks(kiosk_id, site, label, department, timezone, app_version, incarnation,"
                 " kiosk_clock_ms, last_seen_ms, last_success_ms, backlog, last_error)")


def insert_sqlite(path, rows):
    con = sqlite3.connect(path)
    con.executemany(f"INSERT INTO {KIOSK_COLUMNS}"
                    " VALUES (?, ?, ?, ?, 'UTC', ?, 'inc', 0, ?, ?, ?, ?)",
                    [r[:6] + (r[6] or None,) + r[7:] for r in rows])
    con.commit()
    con.close()


def sql_literal(text):
    return "'" + text.replace("'", "''") + "'"


def insert_postgres(pg, db, rows):
    values = ",".join(
        f"({sql_literal(r[0])}, {sql_literal(r[1])}, {sql_literal(r[2])}, {sql_literal(r[3])},"
        f" 'UTC', {sql_literal(r[4])}, 'inc', 0, {r[5]}, {r[6] or 'NULL'}, {r[7]},"
        f" {sql_literal(r[8])})" for r in rows)
    pg.psql(f"INSERT INTO {KIOSK_COLUMNS} VALUES {values}", dbname=db)


# --- HTTP without following redirects -----------------------------------------------------------
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)
TECH, PASSWORD = "tech", "correct horse battery"


def request(port, path, method="GET", cookie=None, data=None, host="127.0.0.1"):
    """(status, headers, body text) of one request."""
    req = urllib.request.Request(f"http://{host}:{port}{path}", method=method,
                                 data=data.encode() if data is not None else None)
    if cookie:
        # a bare value is the plain session cookie's; "NAME=VALUE" is sent as it is
        req.add_header("Cookie", cookie if "=" in cookie else f"wowdash_session={cookie}")
    try:
        with OPENER.open(req, timeout=10) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def check_common_headers(status, headers, path, page):
    where = f"{path} ({status})"
    check("charset=utf-8" in headers.get("Content-Type", ""),
          f"{where}: Content-Type {headers.get('Content-Type')!r} has no charset")
    check(headers.get("X-Content-Type-Options") == "nosniff", f"{where}: no nosniff")
    csp = headers.get("Content-Security-Policy", "")
    check(csp.startswith("default-src 'self'"), f"{where}: Content-Security-Policy {csp!r}")
    if page:
        check(headers.get("Cache-Control") == "no-store",
              f"{where}: Cache-Control {headers.get('Cache-Control')!r}")


# --- the server and its fake systemd ------------------------------------------------------------
class Server:
    """wowdash serve with NOTIFY_SOCKET pointing at a datagram socket of ours."""

    def __init__(self, tmp, db, *extra, host="127.0.0.1"):
        self.port = free_port()
        self.sock_path = os.path.join(tmp, f"notify-{self.port}.sock")
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(self.sock_path)
        self.messages = []
        self.log_path = os.path.join(tmp, f"serve-{self.port}.log")
        self.log = open(self.log_path, "w")
        env = dict(os.environ, NOTIFY_SOCKET=self.sock_path)
        self.proc = subprocess.Popen(
            [WOWDASH, "serve", "--db", db, "--listen", f"{host}:{self.port}", *extra],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)

    def wait_message(self, key, timeout=10.0):
        """The first datagram holding the line key (e.g. "READY=1"), waiting up to timeout."""
        deadline = time.monotonic() + timeout
        while True:
            for m in self.messages:
                if key in m.split("\n"):
                    return m
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None and not self._pending():
                raise AssertionError(f"no {key} from wowdash serve (exit {self.proc.poll()});"
                                     f" got {self.messages}; log:\n{self.text_log()}")
            self.notify.settimeout(min(left, 0.5))
            try:
                self.messages.append(self.notify.recv(4096).decode())
            except socket.timeout:
                pass

    def _pending(self):
        self.notify.settimeout(0.05)
        try:
            self.messages.append(self.notify.recv(4096).decode())
            return True
        except socket.timeout:
            return False

    def text_log(self):
        with open(self.log_path) as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM):
        """Sends sig; returns (exit status, seconds until exit)."""
        start = time.monotonic()
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        took = time.monotonic() - start
        self.log.close()
        return rc, took

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.notify.close()
        os.unlink(self.sock_path)


# --- the checks, the same for both engines ------------------------------------------------------
ROW = re.compile(r'<tr class="kiosk([^"]*)"><td data-label="Status" class="status">(.*?)</td>'
                 r'<th scope="row" data-label="Kiosk">(.*?)</th>(.*?)</tr>')


def login(port, engine, secure=False):
    """Logs the technician in; returns the session cookie as NAME=VALUE (__Host-wowdash_session
    when secure)."""
    status, headers, body = request(port, "/login", "POST",
                                    data=f"user={TECH}&password=wrong+one&next=%2Ffleet")
    check(status == 403 and headers.get("Set-Cookie") is None
          and "Wrong user name or password" in body,
          f"{engine}: a wrong password gave {status} {headers.get('Set-Cookie')!r}")
    status, headers, body = request(port, "/login", "POST",
                                    data=f"user={TECH}&password={PASSWORD.replace(' ', '+')}"
                                         "&next=%2Ffleet")
    cookie = headers.get("Set-Cookie", "")
    check(status == 303 and headers.get("Location") == "/fleet",
          f"{engine}: login gave {status} Location {headers.get('Location')!r}: {body[:300]}")
    attrs = [a.strip() for a in cookie.split(";")]
    want = {"HttpOnly", "SameSite=Lax", "Path=/"} | ({"Secure"} if secure else set())
    check(want <= set(attrs) and (secure or "Secure" not in attrs),
          f"{engine}: Set-Cookie {cookie!r}, expected the attributes {want}")
    name = "__Host-wowdash_session" if secure else "wowdash_session"
    parsed = http.cookies.SimpleCookie(cookie)
    check(name in parsed, f"{engine}: Set-Cookie {cookie!r}, expected the cookie {name}")
    value = parsed[name].value
    check(re.fullmatch(r"[A-Za-z0-9_-]{43}", value) is not None, f"{engine}: cookie {value!r}")
    return f"{name}={value}"


def check_fleet_page(port, rows, engine, cookie):
    status, headers, body = request(port, "/fleet", cookie=cookie)
    check(status == 200, f"{engine}: /fleet {status}: {body[:500]}")
    check_common_headers(status, headers, "/fleet", page=True)
    check(headers.get("Content-Type") == "text/html; charset=utf-8", headers.get("Content-Type"))
    check('<meta name="viewport"' in body and '<link rel="stylesheet" href="/assets/dash.css">'
          in body, f"{engine}: no viewport or stylesheet link")
    # the page's one script is the live update's file; any other is a kiosk's string let through
    page = body.replace('<script src="/assets/live.js" defer></script>', "", 1)
    check("<script" not in page, f"{engine}: an unescaped <script> on the page")
    found = [(html.unescape(m.group(3)), m.group(1).split(), m.group(2), m.group(4))
             for m in ROW.finditer(body)]
    ids = [f[0] for f in found]
    expected_ids = {r[0] for r in rows} | {NEVER}
    check(set(ids) == expected_ids and len(ids) == len(expected_ids),
          f"{engine}: kiosks on the page {ids}, expected {sorted(expected_ids)}")
    silent = {f[0] for f in found if "silent" in f[1]}
    check(silent == EXPECTED_SILENT, f"{engine}: silent {silent}, expected {EXPECTED_SILENT}")
    for kiosk_id, classes, status_cell, _ in found:
        word = "silent" in status_cell
        check(word == (kiosk_id in EXPECTED_SILENT),
              f"{engine}: {kiosk_id}: status cell {status_cell!r} (classes {classes})")
    # problem kiosks first: the silent ones, then those reporting an error, then the rest
    erring = {r[0] for r in rows if r[8]} - EXPECTED_SILENT
    expected_order = (sorted(EXPECTED_SILENT) + sorted(erring)
                      + sorted(expected_ids - EXPECTED_SILENT - erring))
    check(ids == expected_order, f"{engine}: order {ids}, expected {expected_order}")
    evil = rows[-1]
    check(html.escape(evil[8], quote=True).replace("&#x27;", "&#39;") in body,
          f"{engine}: the error text {evil[8]!r} is not there, escaped")
    check("6 kiosks, 3 silent, 2 with errors" in body,
          f"{engine}: summary: {re.findall(r'<p class=.summary.>(.*?)</p>', body)}")
    # the last heartbeat of fresh-1 as "1 min ago" and its UTC time
    fresh = next(f for f in found if f[0] == "fresh-1")
    iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(rows[0][5] // 1000))
    check(f'<time datetime="{iso}"' in fresh[3] and "1 min ago" in fresh[3],
          f"{engine}: fresh-1's heartbeat cell: {fresh[3][:400]}")
    check("never" in next(f for f in found if f[0] == NEVER)[3], f"{engine}: never-1 not 'never'")
    return body


def check_no_session(port, engine):
    for path, to in (("/fleet", "/login?next=/fleet"), ("/", "/login"),
                     ("/fleet?limit=5", "/login?next=/fleet%3Flimit%3D5")):
        status, headers, body = request(port, path)
        check(status == 303 and headers.get("Location") == to,
              f"{engine}: {path} without a session gave {status} to {headers.get('Location')!r}")
        check_common_headers(status, headers, path, page=True)
        check("kiosk" not in body, f"{engine}: {path} without a session shows {body[:200]!r}")
    status, headers, body = request(port, "/fleet", cookie="A" * 43)
    check(status == 303, f"{engine}: /fleet with an unknown session gave {status}")
    status, headers, body = request(port, "/api/v1/kiosks")
    check(status == 401 and body.startswith('{"error": ')
          and headers.get("WWW-Authenticate", "").startswith("Bearer"),
          f"{engine}: /api/v1/kiosks without a session gave {status} {body[:200]!r}")
    # the limits: a form over 16 KB, a URL over 4 KB; another content type; another origin
    for what, path, data, want in (("a 20 KB form", "/login", "user=a&password=" + "x" * 20000,
                                    413),
                                   ("a 5 KB URL", "/x" + "a" * 5000, None, 414)):
        status, headers, body = request(port, path, "POST" if data else "GET", data=data)
        check(status == want, f"{engine}: {what} gave {status}, expected {want}")
        check_common_headers(status, headers, what, page=True)
    req = urllib.request.Request(f"http://127.0.0.1:{port}/login", data=b"user=a&password=b",
                                 headers={"Content-Type": "text/plain"})
    try:
        OPENER.open(req, timeout=10)
        check(False, f"{engine}: a text/plain login was answered 2xx")
    except urllib.error.HTTPError as e:
        check(e.code == 415, f"{engine}: a text/plain login gave {e.code}")
    req = urllib.request.Request(f"http://127.0.0.1:{port}/login", data=b"user=a&password=b",
                                 headers={"Origin": "http://evil.example"})
    try:
        OPENER.open(req, timeout=10)
        check(False, f"{engine}: a login from another origin was answered 2xx")
    except urllib.error.HTTPError as e:
        check(e.code == 403, f"{engine}: a login from another origin gave {e.code}")


def check_routes(port, engine, cookie):
    status, headers, body = request(port, "/healthz")
    check(status == 200 and body == "ok\n", f"{engine}: /healthz {status} {body!r}")
    check_common_headers(status, headers, "/healthz", page=True)
    status, headers, body = request(port, "/assets/dash.css")
    check(status == 200 and headers.get("Content-Type") == "text/css; charset=utf-8"
          and "@media" in body, f"{engine}: /assets/dash.css {status} {headers.get('Content-Type')}")
    check_common_headers(status, headers, "/assets/dash.css", page=False)
    status, headers, body = request(port, "/", cookie=cookie)
    check(status == 303 and headers.get("Location") == "/fleet",
          f"{engine}: / gave {status} Location {headers.get('Location')!r}")
    check_common_headers(status, headers, "/", page=True)
    status, headers, body = request(port, "/fleet", method="HEAD", cookie=cookie)
    check(status == 200 and body == "", f"{engine}: HEAD /fleet {status} {body[:80]!r}")
    status, headers, body = request(port, "/overview", cookie=cookie)
    check(status == 403, f"{engine}: a technician's /overview gave {status}")
    for path in ("/nope", "/fleet/", "/assets/other.css", "/healthz/x"):
        status, headers, body = request(port, path, cookie=cookie)
        check(status == 404, f"{engine}: {path} gave {status}")
        check_common_headers(status, headers, path, page=True)
    for method in ("POST", "PUT", "DELETE"):
        status, headers, body = request(port, "/fleet", method=method, cookie=cookie)
        check(status == 405 and "GET" in headers.get("Allow", ""),
              f"{engine}: {method} /fleet gave {status}, Allow {headers.get('Allow')!r}")
        check_common_headers(status, headers, f"{method} /fleet", page=True)


def check_gone(port, engine, what, cookie):
    status, headers, body = request(port, "/healthz")
    check(status == 503 and what in body, f"{engine}: /healthz after the database went away: "
                                          f"{status} {body!r}, expected 503 with {what!r}")
    check_common_headers(status, headers, "/healthz (503)", page=True)
    status, headers, body = request(port, "/fleet", cookie=cookie)
    page = body.replace('<script src="/assets/live.js" defer></script>', "", 1)
    check(status == 503 and "cannot be read" in body and "<script" not in page,
          f"{engine}: /fleet after the database went away: {status} {body[:300]!r}")


def check_stop(server, engine, sig):
    rc, took = server.stop(sig)
    check(rc == 0, f"{engine}: exit {rc} after {sig.name}; log:\n{server.text_log()}")
    check(took < 1.0, f"{engine}: {took:.2f} s to stop after {sig.name}")
    server.wait_message("STOPPING=1", timeout=1.0)
    log = server.text_log()
    check(re.search(r"GET /fleet 200 [0-9.]+ ms", log) is not None,
          f"{engine}: no request line in the log:\n{log}")
    return took


def run_engine(tmp, engine, target, rows, make_gone, gone_text, sig, refreshed=None):
    secure = engine == "postgresql"
    server = Server(tmp, target, "--silent-after", "30m", "--timezone", "Europe/Helsinki",
                    *(["--secure-cookies"] if secure else []))
    try:
        ready = server.wait_message("READY=1")
        check(f"STATUS=listening on http://127.0.0.1:{server.port}/" in ready.split("\n"),
              f"{engine}: READY datagram {ready!r}")
        check("time zone: Europe/Helsinki (from --timezone)" in server.text_log(),
              f"{engine}: the zone is not in the log:\n{server.text_log()}")
        check_no_session(server.port, engine)
        cookie = login(server.port, engine, secure)
        check_routes(server.port, engine, cookie)
        body = check_fleet_page(server.port, rows, engine, cookie)
        if refreshed:
            refreshed()
        make_gone()
        check_gone(server.port, engine, gone_text, cookie)
        took = check_stop(server, engine, sig)
    finally:
        server.close()
    print(f"{engine}: READY, routes, fleet page, 503 when gone, {sig.name} -> exit 0 in "
          f"{took * 1000:.0f} ms")
    return body


def test_sqlite(tmp):
    path = os.path.join(tmp, "shared.db")
    dash("migrate", "--db", path)
    dash("kiosk", "add", NEVER, "--department", "it", "--db", path)
    add_technician(path)
    rows = fleet_rows(now_ms())
    insert_sqlite(path, rows)

    def refreshed():
        """The refresh thread ran rollup_refresh at start: its state row is stamped."""
        deadline = time.monotonic() + 10
        while True:
            con = sqlite3.connect(path)
            got = con.execute("SELECT refreshed_ms FROM dash_rollup_state").fetchall()
            con.close()
            if got and all(r[0] > 0 for r in got):
                return
            check(time.monotonic() < deadline, f"sqlite: no refresh after 10 s: {got}")
            time.sleep(0.1)

    def gone():
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.unlink(path + suffix)
    body = run_engine(tmp, "sqlite", path, rows, gone, "unable to open", signal.SIGTERM,
                      refreshed)
    with open(os.path.join(OUTDIR, "fleet.html"), "w") as f:
        f.write(body)


def test_postgres(tmp):
    pg = Cluster.from_state(os.environ["WOW_PG_STATE"])
    db = f"serve_{TAG}"
    pg.create_database(db)
    conninfo = pg.conninfo(dbname=db)
    dash("migrate", "--db", conninfo)
    never = f"{NEVER}"
    role = f"kiosk_{never}"
    # roles are per cluster: one left by an earlier, killed run would refuse the add
    pg.psql(f'DROP ROLE IF EXISTS "{role}"')
    dash("kiosk", "add", never, "--department", "it", "--db", conninfo, "--sslmode", "disable")
    add_technician(conninfo)
    rows = fleet_rows(now_ms())
    insert_postgres(pg, db, rows)

    def gone():
        pg.psql(f'DROP DATABASE "{db}" WITH (FORCE)')
    try:
        run_engine(tmp, "postgresql", conninfo, rows, gone, "does not exist", signal.SIGINT)
    finally:
        pg.psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        pg.psql(f'DROP ROLE IF EXISTS "{role}"')


def add_technician(target):
    r = subprocess.run([WOWDASH, "user", "add", TECH, "--role", "technician", "--db", target,
                        "--password-stdin"], input=PASSWORD + "\n", capture_output=True,
                       text=True, timeout=60)
    check(r.returncode == 0, f"user add: {r.returncode} {r.stderr}")


def test_any_listen(tmp):
    """0.0.0.0 is served now (there are sessions), with a warning in the log."""
    server = Server(tmp, os.path.join(tmp, "x.db"), host="0.0.0.0")
    try:
        server.wait_message("READY=1")
        status, _, body = request(server.port, "/login")
        check(status == 200 and "<form" in body, f"0.0.0.0: /login {status}")
        rc, _ = server.stop()
        check(rc == 0, f"exit {rc}")
        check("not a loopback address" in server.text_log(), server.text_log())
    finally:
        server.close()
    print("any --listen: 0.0.0.0 served, with a warning")


def test_refusals(tmp):
    css_dir = os.path.join(tmp, "no-assets")
    cases = [
        (["--listen", "8080"], 2, ["expected ADDR:PORT"]),
        (["--listen", "127.0.0.1:99999"], 2, ["expected ADDR:PORT"]),
        (["--listen", "::1:8080"], 2, ["expected ADDR:PORT"]),
        (["--listen", "host.example:80"], 2, ["expected ADDR:PORT"]),
        (["--silent-after", "0"], 2, ["--silent-after", "15m"]),
        (["--silent-after", "15 minutes"], 2, ["--silent-after"]),
        (["--refresh", "0"], 2, ["--refresh"]),
        (["--timezone", "Mars/Olympus_Mons"], 2, ["--timezone Mars/Olympus_Mons"]),
        (["--timezone", "../../etc/passwd"], 2, ["--timezone"]),
        (["--webhook", "ftp://example.com/x"], 2, ["--webhook", "http"]),
        (["--assets", css_dir, "--listen", f"127.0.0.1:{free_port()}"], 1,
         [f"{css_dir}/dash.css"]),
    ]
    for args, code, texts in cases:
        r = subprocess.run([WOWDASH, "serve", "--db", os.path.join(tmp, "x.db"), *args],
                           capture_output=True, text=True, timeout=10)
        check(r.returncode == code and all(t in r.stderr for t in texts),
              f"serve {args}: exit {r.returncode}, stderr {r.stderr!r}; expected {code}, {texts}")
    r = subprocess.run([WOWDASH, "serve"], capture_output=True, text=True, timeout=10)
    check(r.returncode == 2 and "--db TARGET is required" in r.stderr, r.stderr)
    print("refusals: malformed --listen, bad --silent-after, --refresh, --timezone, --webhook, "
          "no stylesheet")


def test_database_down_at_start(tmp):
    """A database that is not there at start: the server starts all the same (READY=1), says
    503 until it answers, and stops cleanly."""
    server = Server(tmp, os.path.join(tmp, "missing", "shared.db"))
    try:
        server.wait_message("READY=1")
        status, _, body = request(server.port, "/healthz")
        check(status == 503 and "unable to open" in body, f"/healthz {status} {body!r}")
        rc, _ = server.stop()
        check(rc == 0, f"exit {rc}")
        check("does not answer" in server.text_log(), server.text_log())
    finally:
        server.close()
    print("down at start: READY, 503, clean stop")


def main():
    os.makedirs(OUTDIR, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wowdash-serve-") as tmp:
        test_refusals(tmp)
        test_any_listen(tmp)
        test_database_down_at_start(tmp)
        test_sqlite(tmp)
        test_postgres(tmp)
    print("wowdash serve: all checks passed")


if __name__ == "__main__":
    main()
