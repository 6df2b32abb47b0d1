#!/usr/bin/env python3
"""wowdash serve under hostile traffic, on the real binary against a SQLite world of seed.py.
Each check that counts on the server's memory (throttle, connections) has a server of its own.
Clients come from their own loopback addresses (127.0.0.0/8) where the address matters.

Usage: test_guard.py WOWDASH [CHECK...]

  slow     64 sockets trickling a header line every 2 s and 200 silent sockets from one
           address: another address's requests keep their pace; the attacker's address holds
           at most 32 connections; the trickling ones are cut off within the request deadline
  flood    32 addresses posting wrong passwords as fast as they are answered: /healthz and a
           page keep their pace (the logins wait on a lane of their own, 503 when it is full)
  proxy    --trusted-proxy: X-Forwarded-For names the client (one address's failures throttle
           that address only); a client that is not the proxy cannot choose its address
  lockout  10 wrong passwords for a name: a new address gets 429 for it (the documented trade-
           off), the address its owner logged in from before logs in
  origin   POST with Origin "null", with a forged Host and a matching Origin, to a Host that is
           not --allowed-host: 403; the right ones pass
  csv      " =1+1" (leading blank) and "\\t=1" in a department name go out as text in CSV
  bidi     U+202E refused in a form, a comment and a department name; one already in the
           database is shown as U+FFFD on pages and in CSV, escaped in JSON
  headers  __Host- session cookie when secure; CSP script-src 'none' on a page without
           script, 'self' on one with live.js, object-src 'none'; OPTIONS and 405 name only
           the methods a path answers; Content-Length with Transfer-Encoding is 400
"""
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from test_dash_http import (CheckFailed, Client, Server, Target, check,  # noqa: E402
                            clear_of_midnight)
import seed as seedmod  # noqa: E402

SLOW = 3.0 if os.environ.get("WOW_ASAN") else 1.0
DEADLINE_S = 10  # SERVE_REQUEST_MS


def timed(fn):
    t = time.monotonic()
    r = fn()
    return r, time.monotonic() - t


def raw(port, data, source="127.0.0.1", timeout=10.0):
    """The bytes answered to data, sent as is."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                 source_address=(source, 0))
    try:
        s.sendall(data)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
            if b"\r\n\r\n" in out and b"Content-Length: 0" in out:
                break
        return out
    finally:
        s.close()


class Ctx:
    def __init__(self, wowdash, tmp, target, s):
        self.wowdash, self.tmp, self.target, self.s = wowdash, tmp, target, s

    def server(self, *extra):
        return Server(self.wowdash, self.target.conninfo, self.tmp, extra=extra)

    def password(self, user):
        return self.s.users[user].password


# ---- S1: slow clients -------------------------------------------------------------------------
def check_slow(ctx):
    server = ctx.server()
    trickling, silent, stop = [], [], threading.Event()
    try:
        port = server.port
        for _ in range(64):
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=5,
                                             source_address=("127.0.0.1", 0))
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                trickling.append(s)
            except OSError:
                pass
        for _ in range(200):
            try:
                silent.append(socket.create_connection(("127.0.0.1", port), timeout=5,
                                                       source_address=("127.0.0.1", 0)))
            except OSError:
                pass

        def trickle():
            while not stop.wait(2.0):
                for s in trickling:
                    try:
                        s.sendall(b"X-Slow: 1\r\n")
                    except OSError:
                        pass
        t = threading.Thread(target=trickle, daemon=True)
        t.start()
        time.sleep(1.0)
        c = Client(port, source="127.0.0.2")
        times = []
        for _ in range(10):
            r, took = timed(lambda: c.get("/login"))
            check(r.status == 200, f"/login from another address under attack: {r!r}")
            times.append(took)
        check(max(times) < 3.0 * SLOW,
              f"/login from another address took up to {max(times):.2f} s under 64 trickling "
              f"and 200 silent sockets: {times}")
        # the attacker's own address holds at most 32 connections: count the ones still open
        alive = 0
        for s in trickling + silent:
            s.setblocking(False)
            try:
                alive += 0 if s.recv(1) == b"" else 1
            except BlockingIOError:
                alive += 1
            except OSError:
                pass
        check(alive <= 32, f"{alive} of the attacker's sockets are open; at most 32 expected")
        # the trickling ones: cut off within the deadline although each keeps sending
        time.sleep(DEADLINE_S + 2.0)
        still = 0
        for s in trickling:
            s.settimeout(0.1)
            try:
                s.sendall(b"X-Slow: 2\r\n")
                still += s.recv(1) != b""
            except socket.timeout:
                still += 1
            except OSError:
                pass
        check(still == 0, f"{still} trickling sockets still open after {DEADLINE_S + 2} s")
        print(f"  slow: /login from another address max {max(times) * 1000:.0f} ms; "
              f"{alive} attacker sockets admitted; all trickling ones cut", flush=True)
    finally:
        stop.set()
        for s in trickling + silent:
            s.close()
        check(server.stop() == 0, f"server: {server.text_log()[-2000:]}")
    log = server.text_log()
    check("took over 10 s to arrive" in log, "the log says nothing of the cut connections")
    check("connections already: one more refused" in log, "the log says nothing of the refusals")


# ---- S2: a login flood ------------------------------------------------------------------------
def check_flood(ctx):
    server = ctx.server()
    stop = threading.Event()
    statuses = []
    try:
        port = server.port
        viewer = Client(port, source="127.0.0.2")
        viewer.login("admin", ctx.password("admin"))
        quiet = [timed(lambda: viewer.get("/overview"))[1] for _ in range(5)]

        def flood(i):
            # a new address every 3 tries and a new name each time: no throttle answers for
            # the server, every POST costs a password check
            n = 0
            while not stop.is_set():
                k = n // 3
                c = Client(port, source=f"127.{10 + i}.{k // 250 % 250}.{k % 250 + 1}")
                r = c.post("/login", {"user": f"flood{i}-{n}", "password": f"wrong{n}"})
                statuses.append(r.status)
                n += 1
        threads = [threading.Thread(target=flood, args=(i,), daemon=True) for i in range(32)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        health, pages = [], []
        end = time.monotonic() + 6.0
        while time.monotonic() < end:
            r, took = timed(lambda: Client(port, source="127.0.0.3").get("/healthz"))
            check(r.status == 200, f"/healthz under a login flood: {r!r}")
            health.append(took)
            r, took = timed(lambda: viewer.get("/overview"))
            check(r.status == 200, f"/overview under a login flood: {r!r}")
            pages.append(took)
        stop.set()
        for t in threads:
            t.join(timeout=30)
        med_q, med_h, med_p = (statistics.median(x) for x in (quiet, health, pages))
        print(f"  flood: {len(statuses)} login POSTs answered "
              f"({', '.join(f'{s}: {statuses.count(s)}' for s in sorted(set(statuses)))}); "
              f"/healthz median {med_h * 1000:.0f} ms max {max(health) * 1000:.0f} ms; "
              f"/overview median {med_p * 1000:.0f} ms (quiet {med_q * 1000:.0f}) "
              f"max {max(pages) * 1000:.0f} ms", flush=True)
        check(set(statuses) <= {403, 429, 503}, f"flood statuses: {sorted(set(statuses))}")
        # before the lane: 1.1 s median for /healthz, 0.7 s for /overview (both with the same
        # flood); the limits leave room for a machine busy with other tests
        check(med_h < 0.25 * SLOW and max(health) < 2.0 * SLOW,
              f"/healthz under a login flood: median {med_h:.3f} s, max {max(health):.3f} s")
        check(med_p < max(0.35 * SLOW, 3 * med_q) and max(pages) < 3.0 * SLOW,
              f"/overview under a login flood: median {med_p:.3f} s (quiet {med_q:.3f}), "
              f"max {max(pages):.3f} s")
    finally:
        stop.set()
        check(server.stop() == 0, f"server: {server.text_log()[-2000:]}")


# ---- S3: behind a proxy -------------------------------------------------------------------
def fail_three(port, source, xff=None, user="nobody"):
    headers = {"X-Forwarded-For": xff} if xff else None
    for n in range(3):
        r = Client(port, source=source).post("/login", {"user": f"{user}{n}", "password": "x"},
                                             headers=headers)
        check(r.status == 403, f"wrong password {n + 1} via {source} ({xff}): {r!r}")


def check_proxy(ctx):
    server = ctx.server("--trusted-proxy", "127.0.0.10,127.0.0.11")
    try:
        port = server.port
        # three users behind the proxy fail from 10.0.0.1: that address is throttled ...
        fail_three(port, "127.0.0.10", "10.0.0.1")
        r = Client(port, source="127.0.0.10").post(
            "/login", {"user": "head-a", "password": ctx.password("head-a")},
            headers={"X-Forwarded-For": "10.0.0.1"})
        check(r.status == 429, f"10.0.0.1 after 3 failures: expected 429, got {r!r}")
        # ... and nobody else behind the same proxy is
        c = Client(port, source="127.0.0.10")
        r = c.post("/login", {"user": "head-a", "password": ctx.password("head-a")},
                   headers={"X-Forwarded-For": "203.0.113.9, 10.0.0.2"})
        check(r.status == 303, f"10.0.0.2 behind the same proxy: expected 303, got {r!r}")
        # two proxies: the right-most untrusted address counts, whatever the client prepends
        r = Client(port, source="127.0.0.11").post(
            "/login", {"user": "head-a", "password": ctx.password("head-a")},
            headers={"X-Forwarded-For": "10.0.0.2, 10.0.0.1, 127.0.0.10"})
        check(r.status == 429, f"10.0.0.1 through two proxies: expected 429, got {r!r}")
        # a client that is not a proxy cannot name its address
        fail_three(port, "127.0.0.12", "10.0.0.50")
        r = Client(port, source="127.0.0.12").post(
            "/login", {"user": "head-a", "password": ctx.password("head-a")},
            headers={"X-Forwarded-For": "10.0.0.51"})
        check(r.status == 429, f"a forged X-Forwarded-For from a non-proxy: expected 429, "
                               f"got {r!r}")
        print("  proxy: throttled per forwarded address; forged headers from others ignored",
              flush=True)
    finally:
        check(server.stop() == 0, f"server: {server.text_log()[-2000:]}")
    p = subprocess.run([ctx.wowdash, "serve", "--db", ctx.target.conninfo, "--trusted-proxy",
                        "10.0.0.0/33"], capture_output=True, text=True, timeout=30)
    check(p.returncode == 2 and "--trusted-proxy" in p.stderr and "10.0.0.0/33" in p.stderr,
          f"--trusted-proxy 10.0.0.0/33: exit {p.returncode}, {p.stderr!r}")


# ---- S4: targeted lockout ---------------------------------------------------------------------
def check_lockout(ctx):
    server = ctx.server()
    try:
        port = server.port
        user, pw = "head-g", ctx.password("head-g")
        owner = Client(port, source="127.0.0.20")
        owner.login(user, pw)
        statuses = [Client(port, source="127.0.0.21").post(
            "/login", {"user": user, "password": f"guess{n}"}).status for n in range(10)]
        check(statuses.count(429) >= 1, f"10 wrong passwords for {user}: {statuses}, no 429")
        r = Client(port, source="127.0.0.22").post("/login", {"user": user, "password": pw})
        check(r.status == 429, f"{user} from a new address while the name is throttled: "
                               f"expected 429 (the documented trade-off), got {r!r}")
        r = Client(port, source="127.0.0.20").post("/login", {"user": user, "password": pw})
        check(r.status == 303, f"{user} from the address it logged in from before: expected "
                               f"303, got {r!r}")
        r = Client(port, source="127.0.0.20").post("/login", {"user": "head-a", "password": "x"})
        check(r.status == 403, f"another name from that address is not let through: {r!r}")
        print("  lockout: a known address passes the name's throttle; a new one waits",
              flush=True)
    finally:
        check(server.stop() == 0, f"server: {server.text_log()[-2000:]}")


# ---- S5: Origin and Host ----------------------------------------------------------------------
def check_origin(ctx):
    server = ctx.server()
    try:
        port = server.port
        c = Client(port)
        c.login("admin", ctx.password("admin"))
        token = c.csrf("/alerts")
        here = f"127.0.0.1:{port}"
        bad = [("Origin null", {"Origin": "null"}),
               ("forged Host and Origin", {"Host": "evil.example", "Origin": "http://evil.example"}),
               ("another Origin", {"Origin": "http://evil.example"})]
        for what, headers in bad:
            r = c.post("/logout", {"csrf": token}, headers=headers)
            check(r.status == 403, f"POST /logout with {what}: expected 403, got {r!r}")
            r = Client(port).post("/login", {"user": "admin", "password": ctx.password("admin")},
                                  headers=headers)
            check(r.status == 403, f"POST /login with {what}: expected 403, got {r!r}")
        r = c.get("/overview")
        check(r.status == 200, f"the session survived the refused posts: {r!r}")
        r = c.post("/logout", {"csrf": token}, headers={"Origin": f"http://{here}"})
        check(r.status == 303, f"POST /logout from this Origin: expected 303, got {r!r}")
    finally:
        check(server.stop() == 0, f"server: {server.text_log()[-2000:]}")
    server = ctx.server("--allowed-host", "dash.example.org")
    try:
        c = Client(server.port)
        r = c.post("/login", {"user": "admin", "password": ctx.password("admin")},
                   headers={"Host": f"127.0.0.1:{server.port}"})
        check(r.status == 403, f"POST to a Host not in --allowed-host: expected 403, got {r!r}")
        r = c.post("/login", {"user": "admin", "password": ctx.password("admin")},
                   headers={"Host": "dash.example.org", "Origin": "https://dash.example.org"})
        check(r.status == 303, f"POST to the --allowed-host: expected 303, got {r!r}")
        print("  origin: null, forged Host, foreign Origin and unlisted Host refused", flush=True)
    finally:
        check(server.stop() == 0, f"server: {server.text_log()[-2000:]}")


# ---- S6, S7: CSV and bidi ---------------------------------------------------------------------
RLO = "\u202e"


def set_name_in_db(ctx, department, name):
    """The department's name as stored, in the descriptions and the catalog's names (the
    command line refuses what this writes)."""
    con = sqlite3.connect(ctx.target.conninfo)
    try:
        n = con.execute("UPDATE dash_departments SET name = ? WHERE department = ?",
                        (name, department)).rowcount
        n += con.execute("UPDATE catalog_names SET name = ? WHERE kind = 'department' AND id = ?",
                         (name, department)).rowcount
        con.commit()
        check(n >= 1, f"renaming {department} in the database changed no row")
    finally:
        con.close()


def check_csv(ctx):
    server = ctx.server()
    try:
        c = Client(server.port, token=ctx.s.users["admin"].token)
        for name in (" =1+1", "\t=2+2", "  @SUM(A1)"):
            p = subprocess.run([ctx.wowdash, "department", "add", "cmd", "--name", name, "--db",
                                ctx.target.conninfo], capture_output=True, text=True, timeout=60)
            if p.returncode != 0:  # the command line refuses a tab: put it there by hand
                set_name_in_db(ctx, "cmd", name)
            r = c.get("/api/v1/departments.csv")
            check(r.status == 200, f"departments.csv: {r!r}")
            cells = [line for line in r.text.splitlines() if "cmd" in line]
            check(cells, f"departments.csv has no row for cmd: {r.text[:500]!r}")
            stripped = name.lstrip(" \t")
            check(all(f"'{name}" in line or f"\"'{name}\"" in line for line in cells) and
                  not any(f",{name}," in line or f",\"{name}\"" in line for line in cells),
                  f"department name {name!r} in departments.csv unguarded: {cells}")
            check(stripped[0] in "=@", "the case is a formula")
        print("  csv: names with blanks before = and @ go out with a leading '", flush=True)
    finally:
        check(server.stop() == 0, f"server: {server.text_log()[-2000:]}")


def check_bidi(ctx):
    p = subprocess.run([ctx.wowdash, "department", "add", "cmd", "--name", f"Evil{RLO}gnp.exe",
                        "--db", ctx.target.conninfo], capture_output=True, text=True,
                       timeout=60)
    check(p.returncode == 2 and "bidirectional" in p.stderr,
          f"department add with U+202E: exit {p.returncode}, {p.stderr!r}")
    server = ctx.server()
    try:
        port = server.port
        c = Client(port)
        c.login("admin", ctx.password("admin"))
        alerts = Client(port, token=ctx.s.users["admin"].token).get("/api/v1/alerts.json").json()
        items = alerts.get("items", [])
        if items:
            aid = items[0]["id"]
            token = c.csrf(f"/alerts/{aid}")
            r = c.post(f"/alerts/{aid}/comment", {"csrf": token, "body": f"fine {RLO}gnp"})
            check(r.status == 400 and "bidirectional" in r.text,
                  f"a comment with U+202E: expected 400 naming it, got {r!r}")
        r = c.get("/overview?lang=en%E2%80%AE")
        check(r.status == 400, f"a parameter with U+202E: expected 400, got {r!r}")
        set_name_in_db(ctx, "cmd", f"Evil{RLO}gnp.exe")
        for path in ("/overview", "/department/cmd"):
            r = c.get(path)
            check(r.status == 200, f"{path}: {r!r}")
            check(RLO not in r.text and "Evil\ufffdgnp.exe" in r.text,
                  f"{path}: U+202E shown raw, or the name is missing")
        api = Client(port, token=ctx.s.users["admin"].token)
        r = api.get("/api/v1/departments.csv")
        check(RLO not in r.text and "Evil\ufffdgnp.exe" in r.text,
              f"departments.csv: U+202E raw or name missing: {r.text[:600]!r}")
        r = api.get("/api/v1/departments.json")
        check(RLO.encode() not in r.body and b"Evil\\u202egnp.exe" in r.body,
              f"departments.json: U+202E not escaped: {r.body[:600]!r}")
        check(any(d.get("name") == f"Evil{RLO}gnp.exe" for d in r.json()["items"]),
              "departments.json: the name does not decode to what is stored")
        print("  bidi: refused where it enters; U+FFFD on pages and CSV, \\u202e in JSON",
              flush=True)
    finally:
        check(server.stop() == 0, f"server: {server.text_log()[-2000:]}")


# ---- S9: headers ------------------------------------------------------------------------------
def check_headers(ctx):
    server = ctx.server("--secure-cookies")
    try:
        port = server.port
        c = Client(port)
        r = c.post("/login", {"user": "admin", "password": ctx.password("admin")})
        cookie = next((x for x in getattr(r, "set_cookies", []) if "session" in x), "")
        check(r.status == 303 and cookie.startswith("__Host-wowdash_session=") and
              "; Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie,
              f"secure login: expected a __Host- cookie, got {r.status} {cookie!r}")
        r = c.get("/overview")
        check(r.status == 200, f"/overview with the __Host- cookie: {r!r}")
        csp = r.header("Content-Security-Policy") or ""
        check("script-src 'self'" in csp and "object-src 'none'" in csp,
              f"/overview (loads live.js): CSP {csp!r}")
        r = c.get("/login")
        csp = r.header("Content-Security-Policy") or ""
        check("script-src 'none'" in csp and "object-src 'none'" in csp,
              f"/login (no script): CSP {csp!r}")
        r = c.get("/api/v1/departments.json")
        csp = r.header("Content-Security-Policy") or ""
        check("script-src 'none'" in csp, f"the API: CSP {csp!r}")
        for path, allow in (("/overview", "GET, HEAD"), ("/logout", "POST"),
                            ("/login", "GET, HEAD, POST")):
            r = c.request("OPTIONS", path)
            check(r.status == 405 and r.header("Allow") == allow,
                  f"OPTIONS {path}: expected 405 with Allow: {allow}, got {r!r}")
        r = c.request("OPTIONS", "/nowhere")
        check(r.status == 404, f"OPTIONS /nowhere: expected 404, got {r!r}")
        out = raw(port, b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
                        b"Transfer-Encoding: chunked\r\nContent-Type: "
                        b"application/x-www-form-urlencoded\r\n\r\n0\r\n\r\n")
        check(out.startswith(b"HTTP/1.1 400"),
              f"Content-Length and Transfer-Encoding: expected 400, got {out[:200]!r}")
        print("  headers: __Host- cookie, CSP per page, Allow per path, CL+TE refused",
              flush=True)
    finally:
        check(server.stop() == 0, f"server: {server.text_log()[-2000:]}")


CHECKS = {"slow": check_slow, "flood": check_flood, "proxy": check_proxy,
          "lockout": check_lockout, "origin": check_origin, "csv": check_csv,
          "bidi": check_bidi, "headers": check_headers}


def main():
    wowdash = sys.argv[1]
    only = sys.argv[2:]
    failed = []
    with tempfile.TemporaryDirectory(prefix="wowdash-guard-") as tmp:
        clear_of_midnight()
        target = Target("sqlite", tmp, "guard")
        s = seedmod.seed(wowdash, target.conninfo)
        ctx = Ctx(wowdash, tmp, target, s)
        for name, fn in CHECKS.items():
            if only and name not in only:
                continue
            t = time.monotonic()
            try:
                fn(ctx)
                print(f"ok {name} ({time.monotonic() - t:.1f} s)", flush=True)
            except Exception:  # noqa: BLE001 - each check reports, the others still run
                print(f"FAIL {name}: {traceback.format_exc()}", flush=True)
                failed.append(name)
    if failed:
        print(f"FAILED: {' '.join(failed)}")
        return 1
    print("all guard checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
