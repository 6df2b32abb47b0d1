#!/usr/bin/env python3
"""Email reports end to end: `wowdash report` and `wowdash serve --smtp` on the real binary, a
world of seed.py (SQLite or PostgreSQL from the CTest fixture `pg`), and a real SMTP
conversation with the mail sink the test starts (smtp_sink.py).

Usage: test_mail.py WOWDASH sqlite|postgres

  - a head's daily report, an admin's weekly and monthly ones: every department line's
    responses, index and WOW equal the seeder's sums and the API's for the same period and
    scope; a head's mail names no department outside its scope
  - an alert mail per open alert the subscriber sees, and none for alerts it does not
  - run again: nothing is sent twice
  - the sink refusing (451): the run says so (exit 1), the mail waits, the next run after the
    back-off sends it once
  - a day without responses (a closed day) is remembered, not sent
  - the server (--smtp, --refresh 2s) sends a due report by itself
  - bad input: an address with a line break, an unknown kind, --hour 25, a bad --smtp URL
"""
import datetime
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
import zoneinfo

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from smtp_sink import SmtpSink  # noqa: E402
from test_dash_http import (ZONE, CheckFailed, Client, Server, Target, api_all, check,  # noqa: E402
                            clear_of_midnight, item_counts, score)
import seed as seedmod  # noqa: E402

FROM = "reports@wow.test"


def dash(wowdash, *args, code=0):
    r = subprocess.run([wowdash, *args], capture_output=True, text=True, timeout=120)
    if code is not None and r.returncode != code:
        raise CheckFailed(f"wowdash {' '.join(args)}: exit {r.returncode}, expected {code}: "
                          f"{r.stdout!r} {r.stderr!r}")
    return r


def local_now_iso(today_day, hour):
    """--now for local (ZONE) hour:00 on day number today_day, in UTC."""
    d = datetime.date(1970, 1, 1) + datetime.timedelta(days=today_day)
    t = datetime.datetime(d.year, d.month, d.day, hour, tzinfo=zoneinfo.ZoneInfo(ZONE))
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


def send(ctx, sink, now=None, code=0):
    args = ["report", "send", "--db", ctx.target.conninfo, "--smtp", sink.url, "--mail-from",
            FROM, "--timezone", ZONE, "--public-url", "https://dash.wow.test"]
    if now:
        args += ["--now", now]
    return dash(ctx.wowdash, *args, code=code)


def mails_to(sink, address, kind=None):
    return [m for m in sink.messages if m["to"] == [f"<{address}>"]
            and (kind is None or f"wowdash {kind}" in m["subject"])]


def department_lines(body):
    """{name: (index, csat, wow, responses)} of the 'Departments' section."""
    out = {}
    section = body.split("Departments, best first:", 1)[-1].split("To compare with:", 1)[0]
    for line in section.splitlines():
        m = re.match(r"\s+(.+?): index ([\d.]+) · CSAT ([\d.]+) % · WOW ([\d.]+) % · ([\d,]+) "
                     r"responses?", line)
        if m:
            out[m.group(1)] = (float(m.group(2)), float(m.group(3)), float(m.group(4)),
                               int(m.group(5).replace(",", "")))
    return out


class Ctx:
    def sql(self, statement):
        if self.target.pg:
            self.target.pg.psql(statement, dbname=self.target.dbname)
            return
        con = sqlite3.connect(self.target.conninfo)
        with con:
            con.execute(statement)
        con.close()


def check_report(ctx, mail, user, days, where):
    s = ctx.s
    lines = department_lines(mail["body"])
    seen = s.visible(user)
    check(lines, f"{where}: no department lines in {mail['body'][:400]!r}")
    api = Client(ctx.server.port, token=s.users[user].token)
    first = (datetime.date(1970, 1, 1) + datetime.timedelta(days=days[0])).isoformat()
    last = (datetime.date(1970, 1, 1) + datetime.timedelta(days=days[1] - 1)).isoformat()
    items = api_all(api, f"/api/v1/counts?period=custom&from={first}&to={last}")
    from_api = {}
    for it in items:
        c = from_api.setdefault(it["department"], [0] * 4)
        for i, v in enumerate(item_counts(it, where)):
            c[i] += v
    for dept in seen:
        name = s.departments[dept]["name"]
        counts = s.counts({dept}, days)
        n, index, csat, wow = score(counts)
        if n == 0:
            check(name not in lines, f"{where}: {name} has no responses but a line")
            continue
        check(name in lines, f"{where}: no line for {name}: {sorted(lines)}")
        got = lines[name]
        check(got[3] == n == sum(from_api.get(dept, [0])),
              f"{where}: {name} responses mail {got[3]}, seed {n}, API "
              f"{sum(from_api.get(dept, [0]))}")
        check(abs(got[0] - index) < 0.06 and abs(got[2] - wow * 100) < 0.06,
              f"{where}: {name} index/WOW mail {got[0]}/{got[2]}, seed {index:.2f}/{wow * 100:.2f}")
    others = [v["name"] for d, v in s.departments.items() if d not in seen]
    section = mail["body"].split("To compare with:", 1)[0]
    for name in others:
        check(name not in section, f"{where}: {user}'s mail names {name}, outside its scope")


def check_reports(ctx, sink):
    s, w = ctx.s, ctx.wowdash
    db = ctx.target.conninfo
    dash(w, "report", "add", "head-a", "--every", "daily", "--email", "head-a@wow.test",
         "--db", db)
    dash(w, "report", "add", "admin", "--every", "weekly", "--hour", "8", "--email",
         "admin@wow.test", "--db", db)
    dash(w, "report", "add", "admin", "--every", "monthly", "--email", "admin@wow.test",
         "--db", db)
    dash(w, "report", "add", "admin", "--every", "alerts", "--email", "admin@wow.test",
         "--db", db)
    dash(w, "report", "add", "head-a", "--every", "alerts", "--email", "head-a@wow.test",
         "--db", db)
    dash(w, "alerts", "evaluate", "--db", db)  # after the subscriptions: these alerts are news
    ctx.server = Server(w, db, ctx.tmp)  # for the API's side of the comparison
    now = local_now_iso(s.today, 23)
    r = send(ctx, sink, now)
    check("failed" in r.stdout, r.stdout)
    daily = mails_to(sink, "head-a@wow.test", "daily")
    check(len(daily) == 1, f"head-a's daily mails: {len(daily)}")
    check_report(ctx, daily[0], "head-a", (s.today - 1, s.today), "head-a daily")
    monday = s.today - datetime.date(1970, 1, 1).__add__(
        datetime.timedelta(days=s.today)).weekday()
    weekly = mails_to(sink, "admin@wow.test", "weekly")
    check(len(weekly) == 1, f"admin's weekly mails: {len(weekly)}")
    check_report(ctx, weekly[0], "admin", (monday - 7, monday), "admin weekly")
    today = datetime.date(1970, 1, 1) + datetime.timedelta(days=s.today)
    first = today.replace(day=1)
    prev = (first - datetime.timedelta(days=1)).replace(day=1)
    epoch = datetime.date(1970, 1, 1)
    monthly = mails_to(sink, "admin@wow.test", "monthly")
    check(len(monthly) == 1, f"admin's monthly mails: {len(monthly)}")
    check_report(ctx, monthly[0], "admin", ((prev - epoch).days, (first - epoch).days),
                 "admin monthly")
    # alerts: one mail per open alert each subscriber sees
    api = Client(ctx.server.port, token=s.users["admin"].token)
    open_alerts = [a for a in api.get("/api/v1/alerts.json?state=open").json()["items"]]
    check(open_alerts, "the seeded world has no open alert to mail")
    alert_mails = mails_to(sink, "admin@wow.test", "alert")
    check(len(alert_mails) == len(open_alerts),
          f"admin's alert mails {len(alert_mails)}, open alerts {len(open_alerts)}")
    check(all("delta" not in s.visible("head-a") for _ in [0]) and
          not mails_to(sink, "head-a@wow.test", "alert"),
          "head-a got an alert mail for a department outside its scope")
    check(all("Delta lab" in m["subject"] for m in alert_mails),
          f"alert subjects: {[m['subject'] for m in alert_mails]}")
    check(all("https://dash.wow.test/alerts/" in m["body"] for m in alert_mails),
          "an alert mail without its link")
    for m in sink.messages:
        check(m["from"] == f"<{FROM}>" and m["headers"].get("Message-ID"),
              f"envelope/headers: {m['from']} {m['headers']}")
    count = len(sink.messages)
    send(ctx, sink, now)
    check(len(sink.messages) == count, f"a second run sent {len(sink.messages) - count} again")
    print(f"  reports: daily, weekly, monthly equal the seed and the API; {len(alert_mails)} "
          f"alert mails; nothing twice", flush=True)


def check_retry(ctx, sink):
    s, w, db = ctx.s, ctx.wowdash, ctx.target.conninfo
    dash(w, "report", "add", "head-g", "--every", "daily", "--email", "head-g@wow.test",
         "--db", db)
    now = local_now_iso(s.today, 23)
    sink.refuse = True
    r = send(ctx, sink, now, code=1)
    check("1 failed" in r.stdout and "451" in r.stderr, f"a refused mail: {r.stdout!r} "
                                                       f"{r.stderr!r}")
    check(not mails_to(sink, "head-g@wow.test"), "a refused mail was kept by the sink")
    listed = dash(w, "report", "list", "--db", db).stdout
    check("1 waiting" in listed, f"report list after a refusal: {listed!r}")
    sink.refuse = False
    send(ctx, sink, now)  # within the back-off: not yet
    check(not mails_to(sink, "head-g@wow.test"), "sent again before its back-off")
    later = local_now_iso(s.today, 23).replace(":00Z", ":02Z")
    send(ctx, sink, later)
    check(len(mails_to(sink, "head-g@wow.test", "daily")) == 1,
          f"after the back-off: {len(mails_to(sink, 'head-g@wow.test', 'daily'))} mails")
    send(ctx, sink, later)
    check(len(mails_to(sink, "head-g@wow.test", "daily")) == 1, "sent twice after a retry")
    print("  retry: refused (451), kept, sent once after the back-off", flush=True)


def check_closed_day(ctx, sink):
    count = len(sink.messages)
    r = send(ctx, sink, local_now_iso(ctx.s.today + 400, 23))
    daily = [m for m in sink.messages[count:] if "daily" in m["subject"]]
    check(not daily and "skipped" in r.stdout,
          f"a day without responses: {len(daily)} daily mails, {r.stdout!r}")
    check(re.search(r"[1-9]\d* skipped", r.stdout), f"nothing skipped: {r.stdout!r}")
    print("  closed day: remembered, not sent", flush=True)


def check_opening(ctx, sink):
    """Without --hour a report goes out when the fleet opens after its period: with a site open
    Mon-Fri 08:00-17:00, a Friday's daily report waits for Monday 08:00."""
    s, w, db = ctx.s, ctx.wowdash, ctx.target.conninfo
    doc = dash(w, "catalog", "export", "--db", db).stdout
    hours = "".join(f"{d} = 08:00-17:00\n" for d in ("mon", "tue", "wed", "thu", "fri"))
    path = os.path.join(ctx.tmp, "hours.catalog")
    with open(path, "w") as f:
        f.write(doc + f"\n[site hq]\nname = HQ\n{hours}sat = closed\nsun = closed\n")
    dash(w, "catalog", "import", path, "--db", db, "--note", "opening hours")
    dash(w, "report", "add", "tech", "--every", "daily", "--email", "t@wow.test", "--db", db)
    dash(w, "report", "add", "head-a", "--every", "daily", "--email", "open@wow.test", "--db",
         db)
    # subscribed long ago: the reports it is owed since are queued, not only the newest
    ctx.sql("UPDATE dash_reports SET created_ms = 0 WHERE address = 'open@wow.test'")
    friday = s.today - 7
    while (datetime.date(1970, 1, 1) + datetime.timedelta(days=friday)).weekday() != 4:
        friday -= 1
    monday = friday + 3
    key = (datetime.date(1970, 1, 1) + datetime.timedelta(days=friday)).strftime("%a %-d %b")
    for day, hour, sent in ((friday + 1, 9, False), (monday, 7, False), (monday, 8, True)):
        send(ctx, sink, local_now_iso(day, hour))
        got = [m for m in mails_to(sink, "open@wow.test", "daily") if key in m["subject"]]
        check(bool(got) == sent, f"Friday's report at day {day - friday} after, {hour}:00: "
                                 f"{'sent' if got else 'not sent'}; expected the opposite")
    check(len(got) == 1, f"Friday's report sent {len(got)} times")
    print("  opening: a Friday's report waits for Monday 08:00", flush=True)


def check_server(ctx, sink):
    s, w, db = ctx.s, ctx.wowdash, ctx.target.conninfo
    dash(w, "report", "add", "head-g", "--every", "weekly", "--hour", "0", "--email",
         "head-g@wow.test", "--db", db)
    server = Server(w, db, ctx.tmp, extra=("--smtp", sink.url, "--mail-from", FROM,
                                           "--refresh", "2s"))
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not mails_to(sink, "head-g@wow.test", "weekly"):
            time.sleep(0.5)
        got = mails_to(sink, "head-g@wow.test", "weekly")
        check(len(got) == 1, f"the server sent {len(got)} weekly mails to head-g in 30 s:\n"
                             f"{server.text_log()[-1500:]}")
    finally:
        check(server.stop() == 0, server.text_log()[-1500:])
    print("  server: a due report sent by the refresh thread", flush=True)


def check_bad_input(ctx):
    w, db = ctx.wowdash, ctx.target.conninfo
    for args, words in (
            (["--every", "daily", "--email", "a@wow.test\r\nBcc: x@evil.test"], "--email"),
            (["--every", "daily", "--email", "a@wow.test,b@evil.test"], "--email"),
            (["--every", "hourly", "--email", "a@wow.test"], "daily|weekly"),
            (["--every", "daily", "--hour", "25", "--email", "a@wow.test"], "--hour")):
        r = dash(w, "report", "add", "admin", *args, "--db", db, code=2)
        check(words in r.stderr, f"report add {args}: {r.stderr!r} should name {words}")
    r = subprocess.run([w, "serve", "--db", db, "--smtp", "ftp://x", "--mail-from", FROM],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 2 and "--smtp" in r.stderr, f"serve --smtp ftp://x: {r.stderr!r}")
    print("  bad input: refused with the option named", flush=True)


def main():
    wowdash, engine = sys.argv[1], sys.argv[2]
    failed = False
    with tempfile.TemporaryDirectory(prefix="wowdash-mail-") as tmp:
        clear_of_midnight()
        ctx = Ctx()
        ctx.wowdash, ctx.tmp = wowdash, tmp
        ctx.target = Target(engine, tmp, "mail")
        ctx.s = seedmod.seed(wowdash, ctx.target.conninfo, zone=ZONE)
        seedmod.seed_rule(wowdash, ctx.target.conninfo)
        ctx.server = None
        sink = SmtpSink()
        try:
            for name, fn in (("reports", lambda: check_reports(ctx, sink)),
                             ("retry", lambda: check_retry(ctx, sink)),
                             ("closed", lambda: check_closed_day(ctx, sink)),
                             ("opening", lambda: check_opening(ctx, sink)),
                             ("server", lambda: check_server(ctx, sink)),
                             ("badinput", lambda: check_bad_input(ctx))):
                try:
                    fn()
                    print(f"ok {engine} {name}", flush=True)
                except Exception:  # noqa: BLE001 - report each, go on
                    print(f"FAIL {engine} {name}: {traceback.format_exc()}", flush=True)
                    failed = True
        finally:
            sink.stop()
            if ctx.server:
                ctx.server.stop()
            ctx.target.drop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
