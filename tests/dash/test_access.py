#!/usr/bin/env python3
"""Who may see what in the dashboard, end to end: `wowdash serve` on the real binary against a
database seeded by seed.py (SQLite, or PostgreSQL from the CTest fixture `pg`).

Usage: test_access.py WOWDASH OUTDIR sqlite|postgres [CHECK...]

Users (seed.py): admin; head-a (department alpha); head-g (group g1 = bravo, charlie); tech.
Checks:
  head       head-a cannot reach bravo: page (/department/bravo 404, /department/bravo/,
             %62, case), ?department=bravo and ?group=g1 on pages, the API and its CSV (404 or no
             rows), its API token alike, delta's alert (page, acknowledge); sees only alpha
  group      head-g sees bravo and charlie (pages and API sums) and not alpha
  tech       technician: 403 on /overview, a department and the counts API (session and
             token), 200 on /fleet and /api/v1/kiosks, / goes to /fleet
  anonymous  no session: pages 303 to /login?next=..., the API 401 JSON; a forged, a
             malformed and an expired session cookie: the same; a bad token 401
  login      next= only to a local path; unknown user and wrong password look the same
  csrf       POST without csrf, or with another session's, is 403 and changes nothing
  hashed     the database holds the session cookie and the API token only as SHA-256 hex
  logout     POST /logout ends the session in the database: the old cookie no longer works
  throttle   after 3 failures a login answers 429 with Retry-After; after the wait a right
             password logs in (last: it throttles this client's address)
"""
import html
import os
import re
import secrets
import sqlite3
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from test_dash_http import (CheckFailed, Client, api_all, check, find_csrf,  # noqa: E402
                            page_text, period_range, setup, sum_by_department, wait_alert)

OTHER = ["Bravo clinic", "Charlie desk", "Delta lab", "=cmd"]  # what head-a must never see


class Ctx:
    def __init__(self, engine, target, s, server):
        self.engine, self.target, self.s, self.server = engine, target, s, server
        self.port = server.port
        self.alert = None

    def client(self, user=None, token=False):
        if token:
            return Client(self.port, token=self.s.users[user].token)
        c = Client(self.port)
        if user:
            c.login(user, self.s.users[user].password)
        return c

    def sql(self, statement):
        """Runs one statement on the seeded database, beside the server."""
        if self.target.pg:
            self.target.pg.psql(statement, dbname=self.target.dbname)
        else:
            con = sqlite3.connect(self.target.conninfo, timeout=30)
            with con:
                con.execute(statement)
            con.close()

    def dump(self, table):
        """Every row of table as text."""
        if self.target.pg:
            return self.target.pg.psql(f"SELECT * FROM {table}", dbname=self.target.dbname)
        con = sqlite3.connect(self.target.conninfo, timeout=30)
        try:
            return "\n".join("|".join(map(str, row)) for row in con.execute(f"SELECT * FROM {table}"))
        finally:
            con.close()

    def delta_alert(self):
        if self.alert is None:
            self.alert = wait_alert(self.client("admin", token=True))
        return self.alert


def not_found_or_empty(r, where):
    """A department out of scope: 404, or 200 with no rows (the API), never its data."""
    if r.status == 404:
        return
    check(r.status == 200, f"{where}: expected 404 or an empty 200, got {r!r}")
    if (r.header("Content-Type") or "").startswith("text/csv"):
        lines = [x for x in r.body[3:].split(b"\r\n") if x]
        check(len(lines) == 1, f"{where}: {len(lines) - 1} CSV rows out of scope")
    else:
        check(r.json().get("items") == [], f"{where}: rows out of scope: {r.body[:300]!r}")


def no_other_names(r, where, names=OTHER):
    shown = [n for n in names if html.escape(n) in r.text or n in page_text(r.text)]
    check(not shown, f"{where}: shows {shown}, out of this user's scope")


def check_head(ctx):
    s = ctx.s
    c = ctx.client("head-a")
    r = c.get("/")
    check(r.status == 303 and r.header("Location") == "/overview", f"/ as head-a: {r!r}")
    r = c.get("/department/alpha")
    check(r.status == 200, f"/department/alpha as head-a: {r!r}")
    no_other_names(r, "/department/alpha as head-a")
    for path in ("/department/bravo", "/department/bravo/", "/department/%62ravo",
                 "/department/%62%72%61%76%6f", "/department/BRAVO", "/department/bravo?x=1",
                 "/department/delta", "/department/nope", "/department/bravo%2F..%2Falpha"):
        r = c.get(path)
        check(r.status in (404, 400), f"{path} as head-a: expected 404, got {r!r}")
        check("Bravo clinic" not in r.text and "Delta lab" not in r.text,
              f"{path} as head-a: the page names another department")
    r = c.get("/overview")
    check(r.status == 200 and "Alpha ward" in r.text, f"/overview as head-a: {r!r}")
    no_other_names(r, "/overview as head-a")
    for q in ("department=bravo", "group=g1", "department=delta&group=g2"):
        for path in (f"/overview?{q}", f"/department/alpha?{q}", f"/alerts?{q}"):
            r = c.get(path)
            # a department out of scope is 404 (dash-contract.md); a group may filter to nothing
            check(r.status == 404 or (r.status == 200 and "department" not in q),
                  f"{path} as head-a: expected 404, got {r!r}")
            no_other_names(r, f"{path} as head-a")
    # an existing department out of scope answers exactly like one that does not exist
    for a, b in (("/department/bravo", "/department/no-such"),
                 ("/overview?department=bravo", "/overview?department=no-such")):
        ra, rb = c.get(a), c.get(b)
        check(ra.status == rb.status and page_text(ra.text).replace("bravo", "X") ==
              page_text(rb.text).replace("no-such", "X"),
              f"head-a tells {a} ({ra.status}) from {b} ({rb.status}): existence leaks")
    alert = ctx.delta_alert()
    r = c.get(f"/alerts/{alert['id']}")
    check(r.status == 404, f"/alerts/{alert['id']} (delta) as head-a: expected 404, got {r!r}")
    token = c.csrf("/overview")
    r = c.post(f"/alerts/{alert['id']}/acknowledge", {"csrf": token})
    check(r.status == 404, f"acknowledging delta's alert as head-a: expected 404, got {r!r}")
    r = c.post(f"/alerts/{alert['id']}/comment", {"csrf": token, "body": "mine now"})
    check(r.status == 404, f"commenting delta's alert as head-a: expected 404, got {r!r}")
    check_alert_state(ctx, alert["id"], "open", "head-a's acknowledge and comment")
    for client, how in ((c, "session"), (ctx.client("head-a", token=True), "token")):
        check_head_api(ctx, client, how)


def check_head_api(ctx, c, how):
    s = ctx.s
    days = period_range("last_30_days", s.today)
    for path in ("/api/v1/counts?department=bravo", "/api/v1/counts.csv?department=bravo",
                 "/api/v1/counts?department=bravo&format=csv", "/api/v1/reasons?department=bravo",
                 "/api/v1/counts?department=bravo&by=kiosk", "/api/v1/alerts?department=delta",
                 "/api/v1/counts?department=bravo&granularity=hour"):
        r = c.get(path)
        check(r.status == 404, f"{path} as head-a ({how}): expected 404, got {r!r}")
        nope = c.get(path.replace("bravo", "no-such").replace("delta", "no-such"))
        check(nope.status == r.status and nope.body == r.body,
              f"{path} as head-a ({how}) differs from a department that does not exist: "
              f"{r!r} / {nope!r}")
    for path in ("/api/v1/counts?group=g1", "/api/v1/reasons?group=g1"):
        not_found_or_empty(c.get(path), f"{path} as head-a ({how})")
    got = sum_by_department(api_all(c, "/api/v1/counts?period=last_30_days"), how)
    want = {"alpha": s.counts({"alpha"}, days)}
    check(got == want, f"/api/v1/counts as head-a ({how}): {got}, expected alpha only {want}")
    reasons = {it["department"] for it in api_all(c, "/api/v1/reasons?period=last_30_days")}
    check(reasons == {"alpha"}, f"/api/v1/reasons as head-a ({how}): {reasons}")
    deps = {it["id"] for it in api_all(c, "/api/v1/departments")}
    check(deps == {"alpha"}, f"/api/v1/departments as head-a ({how}): {deps}")
    kiosks = {it["kiosk_id"] for it in api_all(c, "/api/v1/kiosks")}
    check(kiosks == {"k-alpha-1", "k-alpha-2"}, f"/api/v1/kiosks as head-a ({how}): {kiosks}")
    alerts = {it["department"] for it in api_all(c, "/api/v1/alerts?state=all")}
    check(alerts <= {"alpha"}, f"/api/v1/alerts as head-a ({how}): {alerts}")
    r = c.get("/api/v1/departments?format=csv")
    check(r.status == 200 and b"bravo" not in r.body and b"cmd" not in r.body,
          f"/api/v1/departments.csv as head-a ({how}): {r.body[:300]!r}")


def check_group(ctx):
    s = ctx.s
    days = period_range("last_30_days", s.today)
    c = ctx.client("head-g")
    for dept in ("bravo", "charlie"):
        r = c.get(f"/department/{dept}")
        check(r.status == 200, f"/department/{dept} as head-g: {r!r}")
    for dept in ("alpha", "delta", "cmd"):
        r = c.get(f"/department/{dept}")
        check(r.status == 404, f"/department/{dept} as head-g: expected 404, got {r!r}")
    r = c.get("/overview")
    check(r.status == 200 and "Bravo clinic" in r.text and "Charlie desk" in r.text,
          f"/overview as head-g: {r!r}")
    no_other_names(r, "/overview as head-g", ["Alpha ward", "Delta lab", "=cmd"])
    for client, how in ((c, "session"), (ctx.client("head-g", token=True), "token")):
        got = sum_by_department(api_all(client, "/api/v1/counts?period=last_30_days"), how)
        want = {d: s.counts({d}, days) for d in ("bravo", "charlie")}
        check(got == want, f"/api/v1/counts as head-g ({how}): {got}, expected {want}")
        not_found_or_empty(client.get("/api/v1/counts?department=alpha"),
                           f"/api/v1/counts?department=alpha as head-g ({how})")
        got = sum_by_department(api_all(client, "/api/v1/counts?group=g1"), how)
        check(got == want, f"/api/v1/counts?group=g1 as head-g ({how}): {got}")


def check_tech(ctx):
    c = ctx.client("tech")
    r = c.get("/")
    check(r.status == 303 and r.header("Location") == "/fleet", f"/ as tech: {r!r}")
    for path in ("/overview", "/department/alpha", "/alerts"):
        r = c.get(path)
        check(r.status == 403, f"{path} as technician: expected 403, got {r!r}")
        no_other_names(r, f"{path} as technician", ["Alpha ward"] + OTHER)
    r = c.get("/fleet")
    check(r.status == 200 and "k-alpha-1" in r.text, f"/fleet as technician: {r!r}")
    # a technician's bookmarked /overview: the login sends it home (/), not to a 403
    b = Client(ctx.port)
    r = b.login("tech", ctx.s.users["tech"].password, next_path="/overview?period=today")
    check(r.header("Location") == "/", f"login as tech with next=/overview: {r!r}")
    r = Client(ctx.port).login("admin", ctx.s.users["admin"].password, next_path="/fleet?x=1")
    check(r.header("Location") == "/fleet?x=1", f"login as admin with next=/fleet: {r!r}")
    for client, how in ((c, "session"), (ctx.client("tech", token=True), "token")):
        for path in ("/api/v1/counts", "/api/v1/counts.csv", "/api/v1/reasons",
                     "/api/v1/alerts", "/api/v1/departments"):
            r = client.get(path)
            check(r.status == 403, f"{path} as technician ({how}): expected 403, got {r!r}")
        kiosks = {it["kiosk_id"] for it in api_all(client, "/api/v1/kiosks")}
        check(kiosks == set(ctx.s.kiosks), f"/api/v1/kiosks as technician ({how}): {kiosks}")


def expect_login_redirect(r, path, where):
    loc = r.header("Location") or ""
    check(r.status == 303 and loc.startswith("/login"),
          f"{where}: {path} should be 303 to /login, got {r!r}")
    check(re.search(r"[?&]next=(%2F|/)", loc) is not None, f"{where}: no next= in {loc!r}")


def check_anonymous(ctx):
    alert = ctx.delta_alert()
    pages = ["/overview", "/department/alpha", "/alerts", f"/alerts/{alert['id']}", "/fleet",
             "/overview?period=today"]
    apis = ["/api/v1/counts", "/api/v1/counts.csv", "/api/v1/reasons", "/api/v1/departments",
            "/api/v1/kiosks", "/api/v1/alerts"]
    cookies = {
        "none": None,
        "forged": secrets.token_urlsafe(32),
        "malformed": "x;y=\"z",
    }
    # a real session, then expired in the database (12 h idle and 7 days absolute passed)
    expired = ctx.client("head-g")
    ctx.sql("UPDATE dash_sessions SET seen_ms = 1, expires_ms = 2 WHERE user_name = 'head-g'")
    cookies["expired"] = expired.cookies["wowdash_session"]
    for label, value in cookies.items():
        c = Client(ctx.port)
        if value is not None:
            c.cookies["wowdash_session"] = value
        for p in pages:
            expect_login_redirect(c.get(p), p, f"cookie {label}")
        for p in apis:
            r = c.get(p)
            check(r.status == 401 and (r.header("Content-Type") or "").startswith(
                "application/json") and "error" in r.json(),
                f"{p} with cookie {label}: expected 401 JSON {{error}}, got {r!r}")
    r = Client(ctx.port).get("/overview?period=today")
    check("next=%2Foverview%3Fperiod%3Dtoday" in (r.header("Location") or "") or
          "next=/overview%3Fperiod%3Dtoday" in (r.header("Location") or ""),
          f"next= should keep the query: {r.header('Location')!r}")
    for token in ("wdt_" + secrets.token_urlsafe(32), "nonsense", ""):
        r = Client(ctx.port, token=token).get("/api/v1/counts")
        check(r.status == 401, f"/api/v1/counts with Bearer {token!r}: {r!r}")
    r = Client(ctx.port).post(f"/alerts/{alert['id']}/acknowledge", {"csrf": "x" * 43})
    check(r.status in (303, 401, 403), f"anonymous acknowledge: {r!r}")
    check_alert_state(ctx, alert["id"], "open", "an anonymous acknowledge")


def check_login(ctx):
    pw = ctx.s.users["admin"].password
    for nxt, want in (("/department/alpha?period=today", "/department/alpha?period=today"),
                      ("https://evil.example/", "/"), ("//evil.example/x", "/"),
                      ("/\\evil.example", "/"), ("javascript:alert(1)", "/")):
        c = Client(ctx.port)
        r = c.login("admin", pw, next_path=nxt)
        loc = r.header("Location") or ""
        check(loc == want or (want == "/" and loc in ("/", "/overview")),
              f"login with next={nxt!r}: Location {loc!r}, expected {want!r}")
        cookie = next((x for x in r.set_cookies if x.startswith("wowdash_session=")), "")
        value = cookie.split(";")[0].split("=", 1)[1]
        check(re.fullmatch(r"[A-Za-z0-9_-]{43}", value) is not None, f"session cookie {value!r}")
        attrs = [a.strip().lower() for a in cookie.split(";")[1:]]
        check("httponly" in attrs and "samesite=lax" in attrs and "path=/" in attrs,
              f"session cookie attributes: {cookie!r}")
    # one failure each, under the throttle's 3
    a = Client(ctx.port).post("/login", {"user": "admin", "password": "wrong"})
    b = Client(ctx.port).post("/login", {"user": "nobody-" + secrets.token_hex(4),
                                         "password": "wrong"})
    check(a.status == b.status and a.status in (200, 401, 403) and
          "wowdash_session" not in " ".join(a.set_cookies + b.set_cookies),
          f"failed logins: {a!r} / {b!r}")
    ta, tb = page_text(a.text), page_text(b.text)
    check(ta == tb, f"unknown user and wrong password answer differently:\n{ta}\n{tb}")


def check_alert_state(ctx, aid, state, after):
    items = api_all(ctx.client("admin", token=True), "/api/v1/alerts?state=all")
    now = [it for it in items if it["id"] == aid]
    check(now and now[0]["state"] == state, f"after {after}: alert {aid} is {now}, expected "
          f"{state}")


def check_csrf(ctx):
    alert = ctx.delta_alert()
    aid = alert["id"]
    one, two = ctx.client("admin"), ctx.client("admin")
    t1, t2 = one.csrf(f"/alerts/{aid}"), two.csrf(f"/alerts/{aid}")
    check(t1 != t2, "two sessions got the same csrf token")
    for form, label in (({}, "no csrf"), ({"csrf": ""}, "an empty csrf"),
                        ({"csrf": t2}, "the other session's csrf"),
                        ({"csrf": t1[:-1] + ("A" if t1[-1] != "A" else "B")}, "a changed csrf")):
        r = one.post(f"/alerts/{aid}/acknowledge", form)
        check(r.status == 403, f"acknowledge with {label}: expected 403, got {r!r}")
        r = one.post(f"/alerts/{aid}/comment", dict(form, body=f"csrf {label}"))
        check(r.status == 403, f"comment with {label}: expected 403, got {r!r}")
        r = one.post("/logout", form)
        check(r.status == 403, f"logout with {label}: expected 403, got {r!r}")
    check_alert_state(ctx, aid, "open", "POSTs without the right csrf")
    r = one.get(f"/alerts/{aid}")
    check(r.status == 200 and "csrf no csrf" not in r.text and "other session" not in r.text,
          "a comment without the right csrf was stored")
    r = one.get("/overview")
    check(r.status == 200, f"the session should survive a logout without csrf: {r!r}")
    # a token in the query string is not a form field
    r = one.request("POST", f"/alerts/{aid}/acknowledge?csrf={t1}", body=b"",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    check(r.status == 403, f"csrf in the query string: expected 403, got {r!r}")
    check_alert_state(ctx, aid, "open", "a csrf in the query")


def check_hashed(ctx):
    """The database keeps a session cookie and an API token only as SHA-256 hex: a copy of it
    logs nobody in."""
    import hashlib
    c = ctx.client("head-a")
    cookie = c.cookies["wowdash_session"]
    token = ctx.s.users["head-a"].token
    dump = ctx.dump("dash_sessions") + ctx.dump("dash_api_tokens")
    check(cookie not in dump and token not in dump and token[4:] not in dump,
          "a session cookie or API token is stored in clear")
    hashes = {hashlib.sha256(x.encode()).hexdigest() for x in (cookie, token)}
    check(all(h in dump for h in hashes), "the SHA-256 hex of the cookie and of the token are "
          f"not in dash_sessions / dash_api_tokens: {dump[:300]}")
    check(find_csrf(c.get("/overview").text, "/overview") != cookie, "csrf = the session cookie")


def check_logout(ctx):
    c = ctx.client("head-a")
    old = c.cookies["wowdash_session"]
    token = c.csrf("/overview")
    r = c.post("/logout", {"csrf": token})
    check(r.status == 303 and (r.header("Location") or "").startswith("/login"),
          f"logout: expected 303 to /login, got {r!r}")
    again = Client(ctx.port)
    again.cookies["wowdash_session"] = old
    expect_login_redirect(again.get("/overview"), "/overview", "the cookie after logout")
    r = again.get("/api/v1/counts")
    check(r.status == 401, f"/api/v1/counts with the cookie after logout: {r!r}")
    r = again.post("/logout", {"csrf": token})
    check(r.status in (303, 403), f"logout again with the old cookie: {r!r}")


def check_throttle(ctx):
    """On a server of its own (the throttle lives in the server's memory), so the failures of
    the other checks from this same address do not count."""
    from test_dash_http import Server
    server = Server(ctx.wowdash, ctx.target.conninfo, ctx.tmp)
    try:
        throttle(ctx, server.port)
    finally:
        check(server.stop() == 0, f"the throttle's server: {server.text_log()[-2000:]}")


def throttle(ctx, port):
    user = "head-g"
    statuses = []
    r = None
    for _ in range(6):
        r = Client(port).post("/login", {"user": user, "password": "wrong"})
        statuses.append(r.status)
        if r.status == 429:
            break
    check(r.status == 429, f"6 wrong passwords for {user}: statuses {statuses}, no 429")
    check(len(statuses) == 4, f"the 429 should come after 3 failures: {statuses}")
    retry = r.header("Retry-After") or ""
    check(retry.isdigit() and 1 <= int(retry) <= 300, f"Retry-After {retry!r}")
    c = Client(port)
    r = c.post("/login", {"user": user, "password": ctx.s.users[user].password})
    check(r.status == 429, f"a right password while throttled: expected 429, got {r!r}")
    retry = r.header("Retry-After") or ""
    check(retry.isdigit() and 1 <= int(retry) <= 300, f"Retry-After {retry!r}")
    time.sleep(int(retry) + 0.2)
    r = c.post("/login", {"user": user, "password": ctx.s.users[user].password})
    check(r.status == 303 and "wowdash_session" in c.cookies,
          f"after Retry-After the right password should log in: {r!r}")


CHECKS = {
    "head": check_head, "group": check_group, "tech": check_tech, "anonymous": check_anonymous,
    "login": check_login, "csrf": check_csrf, "hashed": check_hashed, "logout": check_logout,
    "throttle": check_throttle,
}


def main():
    from test_dash_http import run_checks
    wowdash, outdir, engine = sys.argv[1], sys.argv[2], sys.argv[3]
    only = sys.argv[4:]
    os.makedirs(outdir, exist_ok=True)
    checks = {k: v for k, v in CHECKS.items() if not only or k in only}
    failed = []
    with tempfile.TemporaryDirectory(prefix="wowdash-access-") as tmp:
        target = server = None
        try:
            target, s, server = setup(wowdash, engine, tmp, "dash_access")
            ctx = Ctx(engine, target, s, server)
            ctx.wowdash, ctx.tmp = wowdash, tmp
            failed = run_checks(f"{engine} access", checks, ctx)
        except Exception:  # noqa: BLE001 - set-up failed: nothing else can run
            print(f"FAIL {engine} access setup: {traceback.format_exc()}", flush=True)
            failed = ["setup"]
        finally:
            if server:
                rc = server.stop()
                if failed or rc != 0:
                    print(f"--- serve log (exit {rc}) ---\n{server.text_log()[-4000:]}")
                if rc != 0:
                    failed.append("exit")
            if target:
                target.drop()
    print(f"{engine} access: {len(checks) - len(failed)} of {len(checks)} checks passed"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
