#!/usr/bin/env python3
"""Internal teams and the customers' answers traced to them, over HTTP, against sums computed here.

Usage: test_attributed_http.py WOWDASH sqlite|postgres

The world: `wowdash catalog import` of a fleet with two customer-facing departments (front,
shop) and two internal teams (it, billing: customer_facing = false); the negative reasons
"wifi" and "slowpc" are owned by it, "bill" by billing, "wait" by nobody.  Follow-up rows are
drawn with a seeded random over the last 60 days at front, shop and at it's own staff kiosk
(colleagues' answers: never counted for a team), some skipped, timed out or flagged misuse.
Then:
  owner     a reason owned by an undefined department is refused: FILE:LINE, reason x.owner
  api       /api/v1/attributed.json?department=it: answers, previous period, all negative
            answers and the share equal this script's sums; per department, per reason and per
            day too; ?include_misuse=1 adds the flagged ones; CSV has the same rows
  league    /api/v1/attributed.json: the internal teams, the most answers first
  page      /department/it says its ratings are colleagues' and shows the section with the
            same numbers and places; a customer-facing department has neither
  audience  the departments, counts and reasons APIs say customers or colleagues; ?audience=
            keeps those rated by them (counts equal to the seed's), a bad value is 400; the
            league marks it as rated by colleagues and its filter keeps internal teams
  report    /api/v1/report and /report/it: the team's rows are colleagues', the attributed
            rows and the page's section equal the sums; front's report has neither
  catalog   the Catalog page's reason form shows and sets the owner: an undefined team is 422
            naming reason wait.owner; wait given to billing adds wait's answers to billing's
  scope     head-it sees it's page and API, and 404 for front's page and front's numbers
"""
import csv
import html
import io
import os
import random
import subprocess
import sys
import tempfile
import time
import traceback
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seed as seedmod  # noqa: E402
from test_dash_http import (CheckFailed, Client, Server, Target, ZONE, check,  # noqa: E402
                            clear_of_midnight, period_range)

FLEET = """\
[kiosk]
languages = en, fi
mode = picker

[department front]
name = Front desk

[department shop]
name = Shop

[department it]
name = IT support
customer_facing = false

[department billing]
name = Billing
customer_facing = false

[reason friendly]
label = Friendly
for = positive
owner = front

[reason wait]
label = Waiting time
for = negative

[reason wifi]
label = No wifi
for = negative
owner = it

[reason slowpc]
label = Slow computers
for = negative
owner = it

[reason bill]
label = My bill was wrong
for = negative
owner = billing
"""
OWNERS = {"wifi": "it", "slowpc": "it", "bill": "billing"}
CUSTOMER_FACING = {"front", "shop"}
KIOSKS = [("k-front", "front"), ("k-shop", "shop"), ("k-it", "it")]
REASONS = ["wait", "wifi", "slowpc", "bill"]
DAYS_BACK = 60


def make_rows(today, rng):
    """reason_counts rows and {(department, day, reason, ended_by, misuse): n}."""
    rows, sums = [], defaultdict(int)
    for kiosk, dept in KIOSKS:
        for back in range(DAYS_BACK, -1, -1):
            day = today - back
            bucket = seedmod.local_ms(seedmod.day_date(day), 12, ZONE)
            tally = defaultdict(int)
            for _ in range(rng.randint(0, 6)):
                roll = rng.random()
                key = ((rng.choice(REASONS), "chosen", 0) if roll < 0.7 else
                       ("", "skipped", 0) if roll < 0.85 else
                       (rng.choice(REASONS), "chosen", 1) if roll < 0.93 else ("", "timeout", 0))
                tally[key] += 1
            tally[("friendly", "chosen", 0)] += rng.randint(0, 2)  # positive: never counted
            for (reason, ended_by, misuse), n in tally.items():
                if n == 0:
                    continue
                question = "positive" if reason == "friendly" else "negative"
                rows.append((kiosk, "inc-1", bucket, dept, question, reason, ended_by, misuse, n))
                if question == "negative":
                    sums[(dept, day, reason, ended_by, misuse)] += n
    return rows, sums


def expected(sums, team, days, misuse=False, owners=None):
    owners = owners or OWNERS
    span = days[1] - days[0]
    want = {"n": 0, "prev": 0, "negative": 0, "places": defaultdict(int),
            "reasons": defaultdict(int), "daily": defaultdict(int)}
    for (dept, day, reason, ended_by, flag), n in sums.items():
        if dept not in CUSTOMER_FACING or ended_by != "chosen" or (flag and not misuse):
            continue
        if days[0] <= day < days[1]:
            want["negative"] += n
            if owners.get(reason) == team:
                want["n"] += n
                want["places"][dept] += n
                want["reasons"][reason] += n
                want["daily"][day] += n
        elif days[0] - span <= day < days[0] and owners.get(reason) == team:
            want["prev"] += n
    return want


def seed_world(binary, target, tmp, today):
    seedmod.wowdash(binary, target, "migrate")
    bad = os.path.join(tmp, "bad.conf")
    with open(bad, "w") as f:
        f.write(FLEET.replace("owner = billing", "owner = nobody"))
    r = subprocess.run([binary, "catalog", "import", bad, "--db", target], capture_output=True,
                       text=True, timeout=120)
    line = FLEET.replace("owner = billing", "owner = nobody").splitlines().index("owner = nobody")
    check(r.returncode == 1 and f"bad.conf:{line + 1}: reason bill.owner: department 'nobody' is "
          "not defined" in r.stderr, f"an unknown owner: exit {r.returncode}, {r.stderr!r}")
    path = os.path.join(tmp, "fleet.conf")
    with open(path, "w") as f:
        f.write(FLEET)
    seedmod.wowdash(binary, target, "catalog", "import", path)
    rows, sums = make_rows(today, random.Random(14))
    now = int(time.time() * 1000)
    w = seedmod.Writer(target)
    w.insert("kiosks", ["kiosk_id", "site", "label", "department", "timezone", "app_version",
                        "incarnation", "kiosk_clock_ms", "last_seen_ms", "last_success_ms",
                        "backlog", "last_error"],
             [(k, "HQ", k, d, ZONE, "1.4.0", "inc-1", now, now, now, 0, "") for k, d in KIOSKS])
    w.insert("tap_counts", ["kiosk_id", "incarnation", "bucket_start_ms", "department",
                            "rating_1", "rating_2", "rating_3", "rating_4",
                            "misuse_1", "misuse_2", "misuse_3", "misuse_4"],
             [(k, "inc-1", seedmod.local_ms(seedmod.day_date(today - b), 12, ZONE), d,
               1, 2, 3, 4, 0, 0, 0, 0) for k, d in KIOSKS for b in range(5)])
    w.insert("reason_counts", ["kiosk_id", "incarnation", "bucket_start_ms", "department",
                               "question", "reason", "ended_by", "misuse", "n"], rows)
    w.commit()
    passwords = {}
    for name, scope in (("admin", []), ("head-it", ["--department", "it"])):
        passwords[name] = f"pw-{name}-attributed-0001"
        role = "admin" if name == "admin" else "head"
        seedmod.wowdash(binary, target, "user", "add", name, "--role", role, *scope,
                        "--password-stdin", stdin=passwords[name] + "\n")
    seedmod.wowdash(binary, target, "rollup")
    return sums, passwords


def check_api(client, sums, days):
    for misuse in (False, True):
        q = "&include_misuse=1" if misuse else ""
        want = expected(sums, "it", days, misuse)
        r = client.get(f"/api/v1/attributed.json?department=it&period=last_30_days{q}")
        check(r.status == 200, f"attributed.json: {r!r}")
        items = r.json()["items"]
        head = items[0]
        check(head["kind"] == "team" and head["team"] == "it" and head["audience"] == "customers",
              f"team row {head}")
        check(head["answers"] == want["n"] and head["previous"] == want["prev"]
              and head["negative"] == want["negative"],
              f"misuse={misuse}: {head}, expected n {want['n']} prev {want['prev']} "
              f"negative {want['negative']}")
        check(abs(head["share"] - want["n"] / want["negative"]) < 1e-4, f"share {head['share']}")
        got = {(i["kind"], i["id"] or i["date"]): i["answers"] for i in items[1:]}
        for dept, n in want["places"].items():
            check(got.get(("department", dept)) == n, f"at {dept}: {got.get(('department', dept))}"
                  f", expected {n}")
        check("it" not in {i["id"] for i in items if i["kind"] == "department"},
              "the team's own colleagues' answers were counted as customers'")
        for reason, n in want["reasons"].items():
            check(got.get(("reason", reason)) == n, f"reason {reason}: expected {n}")
        check({k[1] for k in got if k[0] == "reason"} <= {"wifi", "slowpc"},
              f"a reason it does not own: {got}")
        days_rows = [i for i in items if i["kind"] == "day"]
        check(len(days_rows) == days[1] - days[0], f"{len(days_rows)} day rows")
        for i in days_rows:
            day = seedmod.day_number(seedmod.dt.date.fromisoformat(i["date"]))
            check(i["answers"] == want["daily"].get(day, 0), f"day {i['date']}: {i['answers']}")
    r = client.get("/api/v1/attributed.csv?department=it&period=last_30_days")
    rows = list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))
    want = expected(sums, "it", days)
    check(len(rows) == len(items) and rows[0]["answers"] == str(want["n"])
          and rows[0]["audience"] == "customers", f"CSV {len(rows)} rows, JSON {len(items)}")


def check_league(client, sums, days):
    r = client.get("/api/v1/attributed.json?period=last_30_days")
    check(r.status == 200, f"attributed.json: {r!r}")
    items = r.json()["items"]
    want = sorted(((expected(sums, t, days)["n"], t) for t in ("it", "billing")),
                  key=lambda x: (-x[0], x[1]))
    check([(i["answers"], i["team"]) for i in items] == want, f"league {items}, expected {want}")
    text = client.get("/overview?period=last_30_days").text
    check('id="impact-table"' in text, "the overview has no internal teams by customer impact")
    table = text[text.index('id="impact-table"'):]
    table = table[:table.index("</table>")]
    got = [(int(row.split('<td class="num">')[1].split("<")[0]), row.split('"')[1])
           for row in table.split("<tr data-id=")[1:]]
    check(got == want, f"the overview's impact table {got}, expected {want}")


def check_page(client, sums, days):
    want = expected(sums, "it", days)
    text = client.get("/department/it?period=last_30_days").text
    check('data-audience="colleagues"' in text, "the internal team's page does not say its "
          "ratings are colleagues'")
    check('<h2 id="attributed">' in text, "no section of the customers' answers traced to it")
    section = text[text.index('<h2 id="attributed">'):]
    check(f'data-n="{want["n"]}" data-prev="{want["prev"]}" data-negative="{want["negative"]}"'
          in section, f"the section's numbers, expected {want['n']}/{want['prev']}/"
          f"{want['negative']}: {section[:600]}")
    check(f"Customers chose this team's reasons {want['n']} times" in html.unescape(section),
          "the sentence does not say the number")
    for dept, name in (("front", "Front desk"), ("shop", "Shop")):
        if want["places"].get(dept):
            check(f'<tr data-id="{dept}"><td>{name}</td><td class="num">'
                  f'{want["places"][dept]}</td>' in section, f"{dept}'s row")
    front = client.get("/department/front?period=last_30_days").text
    check('id="attributed"' not in front and 'data-audience="colleagues"' not in front,
          "a customer-facing department shows an internal team's section")


def check_audience(client, today):
    """Every count says whose it is; ?audience= keeps the departments rated by them."""
    deps = {d["id"]: d["audience"] for d in client.get("/api/v1/departments.json").json()["items"]}
    check(deps == {"front": "customers", "shop": "customers", "it": "colleagues",
                   "billing": "colleagues"}, f"departments' audience {deps}")
    for audience, want in (("colleagues", {"it"}), ("customers", {"front", "shop"}),
                           ("", {"it", "front", "shop"})):
        r = client.get(f"/api/v1/counts.json?period=last_7_days&audience={audience}")
        check(r.status == 200, f"counts ?audience={audience}: {r!r}")
        items = r.json()["items"]
        check({i["department"] for i in items} == want, f"?audience={audience}: {items[:3]}")
        for i in items:
            check(i["audience"] == ("colleagues" if i["department"] == "it" else "customers")
                  and i["responses"] == 10, f"a count row {i}")
        check(len(items) == 5 * len(want), f"?audience={audience}: {len(items)} rows")
        r = client.get(f"/api/v1/reasons.json?period=last_7_days&audience={audience}")
        check({i["department"] for i in r.json()["items"]} <= want and all(
            i["audience"] == ("colleagues" if i["department"] == "it" else "customers")
            for i in r.json()["items"]), f"reasons ?audience={audience}")
    r = client.get("/api/v1/counts.json?audience=robots")
    check(r.status == 400 and "audience" in r.text, f"a bad audience: {r!r}")
    text = client.get("/overview?period=last_7_days").text
    row = text[text.index('href="/department/it'):]
    row = row[:row.index("</th>")]
    check('data-audience="colleagues"' in row, "the league does not say it is rated by colleagues")
    front = text[text.index('href="/department/front'):]
    check('data-audience' not in front[:front.index("</th>")], "front marked as colleagues'")
    only = client.get("/overview?period=last_7_days&audience=colleagues").text
    check('href="/department/it' in only and 'href="/department/front' not in only
          and "Rated by colleagues only." in only, "?audience=colleagues on the league")
    check('id="f-audience"' in text, "no Rated by select in the filter")


def check_report(client, sums, days):
    """The evaluation report: an internal team's colleagues' ratings and the customers'
    answers traced to it, on the printable page and in /api/v1/report, alike."""
    want = expected(sums, "it", days)
    r = client.get("/api/v1/report.json?department=it&period=last_30_days")
    check(r.status == 200, f"report.json: {r!r}")
    rows = {i["section"]: i for i in r.json()["items"] if i["section"] != "week"}
    check(rows["team"]["audience"] == "colleagues" and rows["team"]["responses"] == 50,
          f"the team's row {rows['team']}: expected 50 colleagues' responses")
    check(rows["organisation"]["audience"] is None, f"organisation {rows['organisation']}")
    check(rows["attributed"]["responses"] == want["n"]
          and abs(rows["attributed"]["negative"] - want["n"] / want["negative"]) < 1e-4
          and rows["attributed_previous"]["responses"] == want["prev"]
          and rows["attributed"]["audience"] == "customers",
          f"attributed rows {rows.get('attributed')} {rows.get('attributed_previous')}, "
          f"expected {want['n']} / {want['prev']}")
    text = client.get("/report/it?period=last_30_days").text
    check('data-audience="colleagues"' in text and "What colleagues said" in text,
          "the report does not say its ratings are colleagues'")
    check(f'data-n="{want["n"]}" data-prev="{want["prev"]}" data-negative="{want["negative"]}"'
          in text, "the report's section of the customers' answers traced to it")
    front = client.get("/api/v1/report.json?department=front&period=last_30_days").json()
    sections = [i["section"] for i in front["items"]]
    check("attributed" not in sections and front["items"][0]["audience"] == "customers",
          f"front's report: {sections}")
    check('id="attributed"' not in client.get("/report/front?period=last_30_days").text,
          "front's report shows an internal team's section")


def check_catalog_edit(client, sums, days):
    """An admin gives "wait" to billing on the Catalog page: billing's traced answers grow by
    wait's; an undefined team is refused naming the key, and changes nothing."""
    page = client.get("/catalog").text
    form = page[page.index('action="/catalog/reason/bill"'):]
    check('<option value="billing" selected>' in form[:form.index("</form>")],
          "the bill reason's form does not show its owner")
    token = client.csrf("/catalog")
    url = "/api/v1/attributed.json?department=billing&period=last_30_days"
    before = client.get(url).json()["items"][0]["answers"]
    r = client.post("/catalog/reason/wait", {"csrf": token, "owner": "nobody"})
    check(r.status == 422 and "reason wait.owner" in r.text, f"an undefined owner: {r!r}")
    check(client.get(url).json()["items"][0]["answers"] == before, "a refused owner counted")
    r = client.post("/catalog/reason/wait", {"csrf": token, "owner": "billing"})
    check(r.status == 303, f"wait to billing: {r!r}")
    want = expected(sums, "billing", days, owners=dict(OWNERS, wait="billing"))["n"]
    got = client.get(url).json()["items"][0]["answers"]
    check(got == want and got > before, f"billing after the edit: {got}, expected {want}")


def check_scope(head):
    check(head.get("/department/it?period=last_30_days").status == 200, "head-it: its own page")
    check(head.get("/department/front").status == 404, "head-it sees front's page")
    check(head.get("/api/v1/attributed.json?department=front").status == 404,
          "head-it sees front's attributed numbers")
    check(head.get("/report/front").status == 404, "head-it sees front's report")
    check(head.get("/report/it?period=last_30_days").status == 200, "head-it: its own report")
    r = head.get("/api/v1/attributed.json?department=it&period=last_30_days")
    check(r.status == 200 and r.json()["items"][0]["team"] == "it", f"head-it: {r!r}")
    teams = [i["team"] for i in head.get("/api/v1/attributed.json").json()["items"]]
    check(teams == ["it"], f"head-it's league lists {teams}")


def main():
    binary, engine = sys.argv[1], sys.argv[2]
    failed = []
    with tempfile.TemporaryDirectory(prefix="wowdash-attributed-") as tmp:
        target = server = None
        try:
            clear_of_midnight()
            target = Target(engine, tmp, "attributed")
            today = seedmod.today_in(ZONE)
            sums, passwords = seed_world(binary, target.conninfo, tmp, today)
            print(f"ok {engine} owner", flush=True)
            days = period_range("last_30_days", today)
            server = Server(binary, target.conninfo, tmp)
            admin = Client(server.port)
            admin.login("admin", passwords["admin"])
            head = Client(server.port)
            head.login("head-it", passwords["head-it"])
            for name, fn in [("api", lambda: check_api(admin, sums, days)),
                             ("league", lambda: check_league(admin, sums, days)),
                             ("page", lambda: check_page(admin, sums, days)),
                             ("audience", lambda: check_audience(admin, today)),
                             ("report", lambda: check_report(admin, sums, days)),
                             ("scope", lambda: check_scope(head)),
                             ("catalog", lambda: check_catalog_edit(admin, sums, days))]:
                try:
                    fn()
                    print(f"ok {engine} {name}", flush=True)
                except CheckFailed as e:
                    print(f"FAIL {engine} {name}: {e}", flush=True)
                    failed.append(name)
        except Exception:  # noqa: BLE001 - set-up failed: nothing else can run
            print(f"FAIL {engine} setup: {traceback.format_exc()}", flush=True)
            failed.append("setup")
        finally:
            if server and server.stop() != 0:  # a sanitizer's report makes it non-zero
                print(f"FAIL {engine} serve exited non-zero:\n{server.text_log()[-3000:]}")
                failed.append("serve")
            if target:
                target.drop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
