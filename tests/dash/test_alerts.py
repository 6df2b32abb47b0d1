#!/usr/bin/env python3
"""Alerts on the real binary (`wowdash rule ...`, `wowdash alerts evaluate`), against a SQLite
shared.db and against PostgreSQL (the CTest fixture `pg`, env WOW_PG_STATE).

Usage: test_alerts.py WOWDASH TEST_ALERTS_ACCESS

For each engine, dash_hour is seeded directly (10 opening hours a day, 5 answers an hour, 60
days of history) for two departments:
  - "front" (one kiosk, UTC): 15 % negative answers, then from DROP 08:00 40 % for five days,
    then 5 % with mostly WOW answers (a clear rise);
  - "calm" (a UTC and a Tokyo kiosk): 15 % throughout, plus many "very unhappy" taps flagged as
    misuse, which the alerts must not count.
Then `alerts evaluate --now` steps forward (hourly over the first day of the drop, then every
6 hours) with a webhook on a local http.server, and checks after every step:
  - the slip alert opens on "front" within the drop's first day (not before the drop);
  - the rule neg7 (negative share > 25 % over 7 days, >= 100 responses, every department)
    opens exactly when the window's share (summed here from the seeded rows) first passes
    25 %, with that share as value and that window's responses as n;
  - nothing ever opens on "calm";
  - at most one open (or acknowledged) alert per source and department;
  - every opened alert is POSTed exactly once with the expected JSON; a webhook answering 500,
    then one refusing connections, leave webhook_error set and the alert is POSTed again on the
    next evaluation until delivered;
  - a disabled rule's alert closes; slip and neg7 close once the data recovers;
  - the slip's change point within CHANGE_TOLERANCE_H of DROP 08:00, and the rise after the
    recovery opens a "rise" alert (direction up, good news) whose change point is within the
    same tolerance of RECOVER_DAY 08:00.
Also the command line's refusals (each names the argument and what was expected), and
TEST_ALERTS_ACCESS (tests/dash/test_alerts.c: list, get, acknowledge, comment, scopes) run
against the same database.
"""
import datetime
import http.server
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seed as seed_data  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sync"))
from pg_cluster import Cluster  # noqa: E402

WOWDASH, ACCESS = sys.argv[1], sys.argv[2]
TAG = str(os.getpid())
EPOCH = datetime.date(1970, 1, 1)
DROP = datetime.date(2026, 3, 2)  # the drop starts at 08:00 UTC that day
DROP_DAY = (DROP - EPOCH).days
RECOVER_DAY = DROP_DAY + 5
FIRST_DAY = DROP_DAY - 60
LAST_DAY = DROP_DAY + 12
OPEN_HOURS = range(8, 18)
# How far the detector's change point may be from the injected start: the hour the
# statistic last left 0 (docs/DASHBOARD.md, Recognise and act).
CHANGE_TOLERANCE_H = 3


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def dash(*args, expect=0):
    r = subprocess.run([WOWDASH, *args], capture_output=True, text=True, timeout=60)
    check(r.returncode == expect,
          f"wowdash {' '.join(args)}: exit {r.returncode}, expected {expect}: {r.stdout}{r.stderr}")
    return r


# --- the seeded counts -------------------------------------------------------------------------
def faces(department, day, hour):
    """(very unhappy, unhappy, happy, wow) of one opening hour, by local day and hour."""
    i = day * 10 + hour - 8
    if department == "front" and DROP_DAY <= day < RECOVER_DAY and (day > DROP_DAY or hour >= 8):
        return (1, 1, 2, 1)  # 40 % negative
    if department == "front" and day >= RECOVER_DAY:
        if i % 4 != 0:
            return (0, 0, 2, 3)  # better than ever: mostly WOW (a rise to celebrate)
        neg = 1  # 5 % negative over the day
    else:
        neg = 0 if i % 4 == 3 else 1  # 15 %
    return (0, neg, 4 - neg, 1)


KIOSKS = [("k-front", "front", "UTC", 0), ("k-calm", "calm", "UTC", 0),
          ("k-tokyo", "calm", "Asia/Tokyo", 9)]


def dash_hour_rows():
    rows = []
    for kiosk, dept, _zone, _offset in KIOSKS:
        for day in range(FIRST_DAY, LAST_DAY):
            for hour in OPEN_HOURS:
                f = faces(dept, day, hour)
                misuse = (7, 0, 0, 0) if dept == "calm" else (0, 0, 0, 0)
                rows.append((dept, day, hour, kiosk, (day + 3) % 7) + f + misuse)
    return rows


def window_counts(department, now_hour, hours):
    """Faces summed over the `hours` complete UTC hours before now_hour (UTC kiosks only)."""
    total = [0, 0, 0, 0]
    for t in range(now_hour - hours, now_hour):
        day, hour = divmod(t, 24)
        if hour in OPEN_HOURS and FIRST_DAY <= day < LAST_DAY:
            for i, n in enumerate(faces(department, day, hour)):
                total[i] += n
    return total


# slip_index_params_default(): the baseline's days end gap days before the window's first day
SLIP_WINDOW_DAYS, SLIP_GAP_DAYS, SLIP_BASELINE_DAYS = 21, 7, 56


def slip_baseline_share(department, now_hour):
    """The negative share of the slip detector's baseline days at now_hour (UTC kiosks only)."""
    window_from = now_hour // 24 - (SLIP_WINDOW_DAYS - 1)
    to = window_from - SLIP_GAP_DAYS
    neg = total = 0
    for day in range(max(FIRST_DAY, to - SLIP_BASELINE_DAYS), to):
        for hour in OPEN_HOURS:
            f = faces(department, day, hour)
            neg, total = neg + f[0] + f[1], total + sum(f)
    return neg / total


# --- engines -----------------------------------------------------------------------------------
class SqliteDb:
    def __init__(self, path):
        self.target = path

    def sql(self, query, params=()):
        con = sqlite3.connect(self.target)
        try:
            rows = con.execute(query, params).fetchall()
            con.commit()
            return rows
        finally:
            con.close()

    def insert_many(self, table, rows):
        con = sqlite3.connect(self.target)
        marks = ",".join("?" * len(rows[0]))
        con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
        con.commit()
        con.close()


def literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, (int, float)):
        return repr(v)
    return "'" + str(v).replace("'", "''") + "'"


class PostgresDb:
    def __init__(self, pg, dbname):
        self.pg, self.dbname = pg, dbname
        self.target = pg.conninfo(dbname=dbname)

    def sql(self, query, params=()):
        for p in params:
            query = query.replace("?", literal(p), 1)
        out = self.pg.psql(query, dbname=self.dbname).strip()
        return [tuple(None if c == "" else c for c in line.split("|"))
                for line in out.splitlines() if line]

    def insert_many(self, table, rows):
        for i in range(0, len(rows), 500):
            values = ",".join("(" + ",".join(literal(v) for v in r) + ")" for r in rows[i:i + 500])
            self.pg.psql(f"INSERT INTO {table} VALUES {values}", dbname=self.dbname)


# the columns of kiosks these rows give (schema step 4 added more, with defaults)
KIOSK_COLUMNS = ("kiosks(kiosk_id, site, label, department, timezone, app_version, incarnation,"
                 " kiosk_clock_ms, last_seen_ms, last_success_ms, backlog, last_error)")


def seed(db):
    dash("migrate", "--db", db.target)
    db.insert_many("dash_hour", dash_hour_rows())
    db.insert_many(KIOSK_COLUMNS, [(k, "HQ", k, d, z, "0.1.0", "inc", 0, 0, None, 0, "")
                                   for k, d, z, _ in KIOSKS])
    for statement in seed_data.catalog_statements():  # calm is named only by the catalog
        db.sql(statement)
    db.sql("INSERT INTO dash_departments (department, name) VALUES ('front', 'Front desk')"
           " ON CONFLICT (department) DO NOTHING")


# --- the webhook receiver ----------------------------------------------------------------------
class Receiver:
    """An http.server on 127.0.0.1 recording every POST; answers self.status."""

    def __init__(self):
        self.posts, self.gets, self.status = [], [], 200
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.posts.append((receiver.status, dict(self.headers), body))
                self.send_response(receiver.status)
                if 300 <= receiver.status < 400:
                    self.send_header("Location", "/moved")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self):
                receiver.gets.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def bodies(self, status=None):
        return [json.loads(b) for s, _h, b in self.posts if status is None or s == status]


def closed_port_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/hook"


# --- the scenario ------------------------------------------------------------------------------
def iso(hour_index):
    return (datetime.datetime(1970, 1, 1) + datetime.timedelta(hours=hour_index)).strftime(
        "%Y-%m-%dT%H:%MZ")


class Scenario:
    def __init__(self, db, receiver):
        self.db, self.rx = db, receiver
        self.neg7_open_at = None

    def alerts(self):
        rows = self.db.sql("SELECT alert_id, source, department, state, opened_ms, value,"
                           " responses, baseline, detail, webhook_ms, webhook_error, closed_ms,"
                           " change_ms, direction FROM dash_alerts ORDER BY alert_id")
        keys = ("id", "source", "department", "state", "opened_ms", "value", "responses",
                "baseline", "detail", "webhook_ms", "webhook_error", "closed_ms", "change_ms",
                "direction")
        return [dict(zip(keys, r)) for r in rows]

    def evaluate(self, hour_index, url=None):
        args = ["alerts", "evaluate", "--db", self.db.target, "--now", iso(hour_index)]
        if url:
            args += ["--webhook", url]
        out = dash(*args).stdout
        alerts = self.alerts()
        self.check_invariants(alerts, iso(hour_index), out)
        return alerts, out

    def check_invariants(self, alerts, when, out):
        where = f"at {when}"
        check(all(a["department"] != "calm" for a in alerts),
              f"{where}: an alert opened on the stable department: {alerts}\n{out}")
        live = [(a["source"], a["department"]) for a in alerts if a["state"] != "closed"]
        check(len(live) == len(set(live)), f"{where}: two open alerts for one source: {live}")
        delivered = [int(a["id"]) for a in alerts if a["webhook_ms"] is not None]
        ok_posts = [b["alert_id"] for b in self.rx.bodies(200)]
        check(sorted(ok_posts) == sorted(delivered),
              f"{where}: POSTs answered 200 {ok_posts}, alerts marked delivered {delivered}")

    def run_drop(self):
        start = DROP_DAY * 24
        alerts, _ = self.evaluate(start, self.rx.url)
        check(alerts == [], f"before the drop: {alerts}")
        slip_at = None
        for t in range(start + 1, start + 72):
            alerts, out = self.evaluate(t, self.rx.url)
            slip = [a for a in alerts if a["source"] == "slip"]
            if slip and slip_at is None:
                slip_at = t
                check(t > start + 8 and t <= start + 8 + 24,
                      f"slip alert opened at {iso(t)}, expected within 24 h after 08:00")
                check(f"opened alert {slip[0]['id']}: slip, department front" in out, out)
                base = slip_baseline_share("front", t)
                check(abs(float(slip[0]["baseline"]) - base) < 1e-9,
                      f"slip baseline {slip[0]['baseline']}, expected {base} (about 0.15)")
                check(float(slip[0]["value"]) > 0.3, f"slip value {slip[0]['value']}")
                # the change point: the detector's estimate of the injected start, DROP 08:00
                change_h = int(slip[0]["change_ms"]) // 3600000
                check(abs(change_h - (start + 8)) <= CHANGE_TOLERANCE_H and
                      slip[0]["direction"] == "down",
                      f"slip change point {iso(change_h)}, injected {iso(start + 8)} "
                      f"(tolerance {CHANGE_TOLERANCE_H} h)")
                check(int(slip[0]["opened_ms"]) > int(slip[0]["change_ms"]),
                      "the slip was recognised before it began")
            self.check_neg7(t, alerts)
        check(slip_at is not None, "no slip alert within three days of the drop")
        check(self.neg7_open_at is not None, "neg7 never opened")

    def check_neg7(self, t, alerts):
        """neg7 opens at the first evaluation whose 7-day window share passes 25 %."""
        neg7 = [a for a in alerts if a["source"] == "neg7"]
        f = window_counts("front", t, 168)
        n, share = sum(f), (f[0] + f[1]) / sum(f)
        if self.neg7_open_at is None:
            check(bool(neg7) == (share > 0.25 and n >= 100),
                  f"at {iso(t)}: window share {share:.4f} of {n}, neg7 alerts {neg7}")
            if neg7:
                self.neg7_open_at = t
                a = neg7[0]
                check(int(a["responses"]) == n, f"neg7 responses {a['responses']}, expected {n}")
                check(abs(float(a["value"]) - share) < 1e-9,
                      f"neg7 value {a['value']}, expected {share}")
                check(a["baseline"] is None, f"a rule has no baseline: {a['baseline']}")
                pct = f"{share * 100:.1f}" if round(share * 100) == 25 else f"{share * 100:.0f}"
                check(a["detail"] == f"Negative answers {pct} % over the last 7 days ({n}"
                      " responses), above the 25 % threshold", a["detail"])

    def check_posts(self):
        """Each delivered alert was POSTed (answered 200) exactly once, with its fields."""
        alerts = {int(a["id"]): a for a in self.alerts()}
        seen = {}
        for status, headers, body in self.rx.posts:
            check(headers.get("Content-Type") == "application/json", f"headers {headers}")
            check(headers.get("User-Agent", "").startswith("wowdash/"), f"headers {headers}")
            j = json.loads(body)
            a = alerts[j["alert_id"]]
            if status == 200:
                check(j["alert_id"] not in seen, f"alert {j['alert_id']} delivered twice")
                seen[j["alert_id"]] = j
            opened = datetime.datetime.fromtimestamp(int(a["opened_ms"]) / 1000,
                                                     datetime.timezone.utc)
            check(j["opened"] == opened.strftime("%Y-%m-%dT%H:%M:%SZ"), f"opened in {j}")
            check(j["link"] == f"/alerts/{j['alert_id']}", f"link in {j}")
            check(j["source"] == a["source"] and j["department"] == a["department"], f"{j}")
            check(j["detail"] == a["detail"], f"detail in {j}")
            check(j["responses"] == int(a["responses"]), f"responses in {j}")
            check(abs(j["value"] - float(a["value"])) < 1e-5, f"value in {j}")
            name = {"front": "Front desk", "calm": "Calm corner"}.get(a["department"],
                                                                     a["department"])
            check(j["department_name"] == name, f"department_name in {j}")
            check(j["text"] == f"{name}: {a['detail']}", f"text in {j}")
            check({"kind", "baseline"} <= j.keys(), f"fields of {j}")
            check(j["direction"] == ("up" if a["source"] == "rise" else "down"),
                  f"direction in {j}")
        return seen

    def run_webhook_failures(self):
        t = (DROP_DAY + 3) * 24 + 12
        dash("rule", "add", "happy", "--kind", "answer_count", "--rating", "3", "--threshold",
             "1", "--window", "24h", "--department", "front", "--db", self.db.target)
        self.rx.status = 302  # with a Location: not followed, a failure
        alerts, out = self.evaluate(t - 1, self.rx.url)
        happy = [a for a in alerts if a["source"] == "happy"]
        check(len(happy) == 1 and happy[0]["webhook_error"] == "HTTP 302",
              f"after a 302: {happy}\n{out}")
        check("1 failed" in out, out)
        self.rx.status = 500
        alerts, out = self.evaluate(t, self.rx.url)
        happy = [a for a in alerts if a["source"] == "happy"]
        check(len(happy) == 1 and happy[0]["webhook_error"] == "HTTP 500",
              f"after a 500: {happy}\n{out}")
        alerts, out = self.evaluate(t + 1, closed_port_url())
        happy = [a for a in alerts if a["source"] == "happy"]
        check(happy[0]["webhook_ms"] is None and "onnect" in (happy[0]["webhook_error"] or ""),
              f"after a refused connection: {happy}")
        self.rx.status = 200
        alerts, out = self.evaluate(t + 2, self.rx.url)
        happy = [a for a in alerts if a["source"] == "happy"]
        check(happy[0]["webhook_ms"] is not None and happy[0]["webhook_error"] is None,
              f"after the retry: {happy}\n{out}")
        tries = [b for b in self.rx.bodies() if b["alert_id"] == int(happy[0]["id"])]
        check(len(tries) == 3, f"POSTs of the happy alert: {tries} (302, 500, then 200)")
        check(not self.rx.gets, f"a redirect was followed: {self.rx.gets}")
        self.evaluate(t + 3, self.rx.url)
        check(len([b for b in self.rx.bodies() if b["alert_id"] == int(happy[0]["id"])]) == 3,
              "a delivered alert was POSTed again")
        dash("rule", "disable", "happy", "--db", self.db.target)
        alerts, out = self.evaluate(t + 4, self.rx.url)
        happy = [a for a in alerts if a["source"] == "happy"]
        check(happy[0]["state"] == "closed", f"the disabled rule's alert: {happy}\n{out}")
        check(f"closed alert {happy[0]['id']}: happy" in out, out)

    def run_recovery(self):
        closed = {}
        for t in range((DROP_DAY + 3) * 24 + 18, (LAST_DAY - 1) * 24, 6):
            alerts, _ = self.evaluate(t, self.rx.url)
            for a in alerts:
                if a["source"] in ("slip", "neg7") and a["state"] == "closed" and \
                        a["source"] not in closed:
                    closed[a["source"]] = t
                    check(int(a["closed_ms"]) == t * 3600 * 1000, f"closed_ms of {a}")
        check(closed.get("slip", 0) > RECOVER_DAY * 24, f"slip closed at {closed} (too early)")
        # the recovery went past the usual level (5 % against 15 %): good news, a rise
        rise = [a for a in self.alerts() if a["source"] == "rise"]
        check(len(rise) == 1 and rise[0]["department"] == "front" and
              rise[0]["direction"] == "up" and "Good news" in rise[0]["detail"],
              f"the rise after the recovery: {rise}")
        change_h = int(rise[0]["change_ms"]) // 3600000
        check(abs(change_h - (RECOVER_DAY * 24 + 8)) <= CHANGE_TOLERANCE_H,
              f"rise change point {iso(change_h)}, injected {iso(RECOVER_DAY * 24 + 8)}")
        check(closed.get("neg7", 0) > RECOVER_DAY * 24, f"neg7 closed at {closed}")
        f = window_counts("front", closed["neg7"], 168)
        check((f[0] + f[1]) / sum(f) <= 0.25, f"neg7 closed while the window was at {f}")
        # the same slip, still recovered: nothing reopens
        check(len([a for a in self.alerts() if a["source"] == "slip"]) == 1, "slip reopened")


def check_cli(db):
    t = db.target
    refusals = [
        (["rule", "add", "x", "--kind", "negative_share", "--threshold", "30", "--window", "7d"],
         ["--threshold", "0 to 1"]),
        (["rule", "add", "x", "--kind", "index_below", "--threshold", "120", "--window", "7d"],
         ["--threshold", "0 to 100"]),
        (["rule", "add", "x", "--kind", "negative", "--threshold", "0.3", "--window", "7d"],
         ["--kind", "negative_share"]),
        (["rule", "add", "x", "--kind", "negative_share", "--threshold", "0.3", "--window", "7w"],
         ["--window", "48h or 7d"]),
        (["rule", "add", "x", "--kind", "negative_share", "--threshold", "0.3", "--window", "91d"],
         ["--window", "90d"]),
        (["rule", "add", "x", "--kind", "answer_count", "--threshold", "5", "--window", "1d"],
         ["--rating", "1..4"]),
        (["rule", "add", "x", "--kind", "negative_share", "--threshold", "0.3", "--window", "1d",
          "--rating", "2"], ["--rating", "only answer_count"]),
        (["rule", "add", "x", "--kind", "negative_share", "--threshold", "0.3", "--window", "1d",
          "--min-responses", "-4"], ["--min-responses"]),
        (["rule", "add", "slip", "--kind", "negative_share", "--threshold", "0.3", "--window",
          "1d"], ["ID", "slip"]),
        (["alerts", "evaluate", "--now", "2026-13-01T00:00Z"], ["--now", "YYYY-MM-DDTHH:MMZ"]),
        (["alerts", "evaluate", "--webhook", "ftp://example.org/x"], ["--webhook", "http://"]),
        (["rule", "frob"], ["add, list or disable"]),
    ]
    for args, words in refusals:
        r = dash(*args, "--db", t, expect=2)
        for w in words:
            check(w in r.stderr, f"wowdash {' '.join(args)}: {r.stderr!r} does not say {w!r}")
    dash("rule", "add", "neg7", "--kind", "negative_share", "--threshold", "0.25", "--window",
         "7d", "--min-responses", "100", "--db", t)
    r = dash("rule", "add", "neg7", "--kind", "negative_share", "--threshold", "0.2", "--window",
             "7d", "--db", t, expect=1)
    check("exists" in r.stderr, r.stderr)
    dash("rule", "add", "idx", "--kind", "index_below", "--threshold", "5", "--window", "48h",
         "--db", t)
    dash("rule", "disable", "idx", "--db", t)
    r = dash("rule", "disable", "nope", "--db", t, expect=1)
    check("no rule nope" in r.stderr, r.stderr)
    listing = dash("rule", "list", "--db", t).stdout
    check("neg7" in listing and "negative_share" in listing and "168h" in listing, listing)
    check("disabled" in listing and "enabled" in listing, listing)


def run_engine(db, name):
    seed(db)
    check_cli(db)
    rx = Receiver()
    try:
        s = Scenario(db, rx)
        s.run_drop()
        s.run_webhook_failures()
        s.run_recovery()
        delivered = s.check_posts()
        check(len(delivered) == 4,
              f"{name}: delivered {sorted(delivered)}, expected 4 alerts (slip, neg7, happy, rise)")
    finally:
        rx.close()
    r = subprocess.run([ACCESS], env=dict(os.environ, WOW_ALERTS_DB=db.target),
                       capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, f"{name}: test_alerts (access) failed:\n{r.stdout}{r.stderr}")
    print(f"{name}: ok")


def check_webhook_utf8(tmp):
    """Invalid UTF-8 in a department's name or an alert's detail (a SQLite file
    written by another program) reaches the webhook as U+FFFD, so the body is
    valid UTF-8 JSON.  PostgreSQL refuses such text on insert: SQLite only."""
    path = os.path.join(tmp, "utf8.db")
    sqlite3.connect(path).close()
    dash("migrate", "--db", path)
    db = SqliteDb(path)
    db.sql("INSERT INTO dash_departments (department, name)"
           " VALUES ('bad', CAST(X'46726f6e74ff20646573' AS TEXT))")
    db.insert_many(KIOSK_COLUMNS, [("k-bad", "HQ", "k-bad", "bad", "UTC", "0.1.0", "inc", 0, 0, None,
                                0, "")])
    day = DROP_DAY
    db.insert_many("dash_hour", [("bad", day, 10, "k-bad", (day + 3) % 7, 0, 0, 9, 0, 0, 0, 0,
                                  0)])
    dash("rule", "add", "three", "--kind", "answer_count", "--rating", "3", "--threshold", "1",
         "--window", "24h", "--department", "bad", "--db", path)
    now = day * 24 + 12
    rx = Receiver()
    try:
        r = subprocess.run([WOWDASH, "alerts", "evaluate", "--db", path, "--now", iso(now),
                            "--webhook", rx.url], capture_output=True, timeout=60)
        out = r.stdout + r.stderr
        check(r.returncode == 0, f"alerts evaluate: exit {r.returncode}: {out!r}")
        check(len(rx.posts) == 1, f"POSTs {len(rx.posts)}, expected 1\n{out}")
        body = rx.posts[0][2]
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as e:
            check(False, f"webhook body is not valid UTF-8 ({e}): {body!r}")
        j = json.loads(text)
        check(j["department_name"] == "Front\ufffd des", f"department_name in {j}")
    finally:
        rx.close()
    print("webhook: invalid UTF-8 replaced")


def main():
    with tempfile.TemporaryDirectory(prefix="wowdash-alerts-") as tmp:
        path = os.path.join(tmp, "shared.db")
        sqlite3.connect(path).close()
        run_engine(SqliteDb(path), "sqlite")
        check_webhook_utf8(tmp)
    pg = Cluster.from_state(os.environ["WOW_PG_STATE"])
    dbname = f"alerts_{TAG}"
    pg.create_database(dbname)
    try:
        run_engine(PostgresDb(pg, dbname), "postgresql")
    finally:
        pg.psql(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
    print("alerts: all checks passed")


if __name__ == "__main__":
    main()
