#!/usr/bin/env python3
"""Comments where the dashboard shows them, on the real binary, SQLite or PostgreSQL (the CTest
fixture `pg`, env WOW_PG_STATE): kiosk comments inserted as the kiosk's sync would, one sent
through the phone form with a token python3's hmac made.

Usage: test_comments_http.py WOWDASH sqlite|postgres

  department  the section: newest first, each comment's face, time in its kiosk's zone
              (Europe/Helsinki), source (kiosk or phone), tags; e-mail and phone number masked;
              markup escaped; the admin sees spam and abusive ones marked "Hidden from heads",
              the head does not (nor their tags among the filter's choices); cface and ctag
              narrow; 20 a page with a next page; a bad cface is 400
  report      the period's comments and their counts by tag
  api         /api/v1/comments JSON and CSV: masked text, tags, hidden left out by default;
              includeHidden=1 gives an admin the hidden ones marked, a head 403; a head asking
              for another department 404; face and tag narrow
  alert       an alert's page: the three most common complaints of unhappy comments while it
              was open, not those from before it opened
Exit 1 when any check failed.
"""
import csv
import io
import os
import re
import subprocess
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import seed as seedmod  # noqa: E402
from comments_fixture import COMMENT_COLUMNS, KIOSK_COLUMNS, kiosk_row, now_ms, token  # noqa
from test_dash_http import CheckFailed, Client, Server, Target, check  # noqa: E402

PASSWORD = "comments-http-password"
KEY = "33" * 32
MIN = 60_000


def comment(tap, department, rating, ago_min, body, lang="en", kiosk="k-front"):
    t = now_ms() - ago_min * MIN
    return (kiosk, "i1", tap, "kiosk", department, rating, t, lang, body, t + 30_000)


SAMPLES = [
    (1, 4, 10, "Thank you, the staff were friendly!"),
    (2, 1, 20, "We waited 40 minutes in the queue. Call me +358 40 123 4567 or jane@example.com"),
    (3, 1, 30, "fuck this place"),
    (4, 2, 40, "asdfasdfasdfasdf"),
    (5, 1, 50, "Smoke in the corridor, somebody call the fire brigade"),
    (6, 2, 60, "<script>alert(1)</script> slow service & long queue"),
]


def seed(binary, db):
    subprocess.run([binary, "migrate", "--db", db], check=True, capture_output=True, timeout=60)
    w = seedmod.Writer(db)
    row = list(kiosk_row("k-front", "front", KEY))
    row[4] = "Europe/Helsinki"
    w.insert("kiosks", KIOSK_COLUMNS, [tuple(row), kiosk_row("k-spa", "spa", KEY)])
    now = now_ms()
    bucket = now - now % 900_000 - 900_000
    w.insert("tap_counts", ["kiosk_id", "incarnation", "bucket_start_ms", "department",
                            "rating_1", "rating_2", "rating_3", "rating_4",
                            "misuse_1", "misuse_2", "misuse_3", "misuse_4"],
             [("k-front", "i1", bucket, "front", 5, 5, 30, 5, 0, 0, 0, 0),
              ("k-spa", "i1", bucket, "spa", 1, 0, 0, 0, 0, 0, 0, 0)])
    rows = [comment(tap, "front", r, ago, body) for tap, r, ago, body in SAMPLES]
    rows += [comment(100 + i, "front", 3, 70 + i, f"Fine visit number {i}") for i in range(25)]
    # before the alert opened: must not count among its complaints
    rows += [comment(200 + i, "front", 1, 600 + i, "dirty tables again") for i in range(4)]
    rows.append(comment(300, "spa", 1, 15, "Spa was cold", kiosk="k-spa"))
    w.insert("comments", COMMENT_COLUMNS, rows)
    w.insert("dash_alerts", ["alert_id", "source", "kind", "department", "state", "opened_ms",
                             "value", "responses", "baseline", "detail"],
             [(1, "slip", "slip", "front", "open", now - 120 * MIN, 50.0, 20, 80.0,
               "fell from 80 to 50")])
    w.commit()
    for user, extra in [("ada", ["--role", "admin"]),
                        ("hank", ["--role", "head", "--department", "front"])]:
        subprocess.run([binary, "user", "add", user, *extra, "--password-stdin", "--db", db],
                       input=PASSWORD + "\n", text=True, check=True, capture_output=True)
    subprocess.run([binary, "rollup", "--db", db], check=True, capture_output=True)


def items(page):
    return re.findall(r'<li class="comment( hidden)?" data-tags="([^"]*)" data-face="(\d)">'
                      r'(.*?)</li>', page, re.S)


def section(page):
    i = page.find('id="comments"')
    check(i >= 0, "no comments section")
    return page[i:page.find("</section>", i)]


def check_department(admin, head):
    r = admin.get("/department/front")
    check(r.status == 200, f"department: {r!r}")
    s = section(r.text)
    got = items(s)
    check(len(got) == 20, f"a page of 20: {len(got)}")
    words = [re.search(r'<p class="words"[^>]*>(.*?)</p>', g[3], re.S).group(1) for g in got]
    check(words[:2] == ["Sent from my phone: slow queue", "Thank you, the staff were friendly!"],
          f"newest first: {words[:2]}")
    check("by phone, kiosk k-front" in got[0][3], "source phone")
    check("***" in words[2] and "4567" not in s and "jane@" not in s, f"masked: {words[2]}")
    check("&lt;script&gt;alert(1)&lt;/script&gt; slow service &amp; long queue" in s
          and "<script>" not in s, "escaped")
    check(sum(1 for g in got if g[0]) == 2 and "Hidden from heads" in s, "admin: 2 hidden, marked")
    check("+02:00" in s or "+03:00" in s, "the kiosk's zone (Europe/Helsinki)")
    check('data-tags="urgent improvement' in s or "tag-urgent" in s, "urgent tagged")
    check("at kiosk k-front" in s, "source kiosk")
    check('rel="next"' in s, "a next page")
    r2 = admin.get("/department/front?offset=20&limit=20")
    # 36 in all: 6 samples, 25 fine, 4 dirty, 1 by phone
    check(len(items(section(r2.text))) == 16, f"page 2: {len(items(section(r2.text)))}")
    h = section(head.get("/department/front").text)
    check("Hidden from heads" not in h and "fuck" not in h and "asdf" not in h, "head: no hidden")
    check('value="spam"' not in h and 'value="abusive"' not in h, "head: no hidden tags offered")
    check('value="spam"' in s, "admin: spam offered")
    f1 = items(section(admin.get("/department/front?cface=1").text))
    check(f1 and all(g[2] == "1" for g in f1), f"cface=1: {[g[2] for g in f1]}")
    u = items(section(admin.get("/department/front?ctag=urgent").text))
    check(len(u) == 1 and "Smoke" in u[0][3], f"ctag=urgent: {u}")
    r = admin.get("/department/front?cface=9")
    check(r.status == 400, f"cface=9: {r!r}")
    r = admin.get("/department/front?lang=fi")
    check("Kommentit" in r.text and "kioskilla k-front" in r.text, "the section in Finnish")
    admin.get("/overview?lang=en")


def check_report(admin, head):
    r = admin.get("/report/front")
    check(r.status == 200 and ("The period&#39;s comments" in r.text or
                               "The period's comments" in r.text), f"report: {r.status}")
    m = re.search(r'data-tag="urgent">(\d+)<', r.text)
    check(m and m.group(1) == "1", f"report: 1 urgent: {m and m.group(1)}")
    h = head.get("/report/front").text
    check("fuck" not in h, "report: head sees no abusive comment")


def check_api(admin, head):
    r = admin.get("/api/v1/comments.json?department=front&limit=1000")
    check(r.status == 200, f"api: {r!r}")
    got = r.json()["items"]
    check(len(got) == 34 and all(i["hidden"] == 0 for i in got), f"default: {len(got)} visible")
    two = [i for i in got if i["text"].startswith("We waited")][0]
    check("***" in two["text"] and "jane" not in two["text"] and two["face"] == 1
          and "improvement" in two["tags"], f"masked row: {two}")
    r = admin.get("/api/v1/comments.json?department=front&includeHidden=1&limit=1000")
    got = r.json()["items"]
    hidden = [i for i in got if i["hidden"]]
    check(len(got) == 36 and len(hidden) == 2 and
          {"spam" in i["tags"] or "abusive" in i["tags"] for i in hidden} == {True},
          f"includeHidden: {len(got)}, {hidden}")
    r = head.get("/api/v1/comments.json?includeHidden=1")
    check(r.status == 403, f"head includeHidden: {r!r}")
    r = head.get("/api/v1/comments.json?limit=1000")
    check(r.status == 200 and {i["department"] for i in r.json()["items"]} == {"front"},
          "head: own department only")
    r = head.get("/api/v1/comments.json?department=spa")
    check(r.status == 404, f"head, spa: {r!r}")
    r = admin.get("/api/v1/comments.csv?department=front&tag=urgent")
    rows = list(csv.DictReader(io.StringIO(r.body.decode("utf-8-sig"))))
    check(len(rows) == 1 and rows[0]["tags"] == "improvement urgent" and rows[0]["source"] ==
          "kiosk", f"csv urgent: {rows}")
    r = admin.get("/api/v1/comments.json?face=7")
    check(r.status == 400, f"face=7: {r!r}")


def check_alert(admin, head):
    r = admin.get("/alerts/1")
    check(r.status == 200, f"alert: {r!r}")
    i = r.text.find('id="alert-complaints"')
    check(i >= 0, "no complaints section")
    s = r.text[i:r.text.find("</section>", i)]
    whats = re.findall(r'<span class="what">(.*?)</span> <span class="n">(.*?)</span>', s)
    check(len(whats) == 3, f"three complaints: {whats}")
    check("dirty" not in s, "before the alert opened: not counted")
    check(any(w == "queue" for w, _ in whats), f"queue among them: {whats}")
    check(not any("fuck" in w for w, _ in whats), "a hidden comment is not a complaint")


def main():
    binary, engine = sys.argv[1], sys.argv[2]
    failed = []
    with tempfile.TemporaryDirectory(prefix="wowdash-comments-") as tmp:
        target = server = None
        try:
            target = Target(engine, tmp, "comments_http")
            db = target.conninfo
            seed(binary, db)
            server = Server(binary, db, tmp, zone="UTC")
            admin, head = Client(server.port), Client(server.port)
            admin.login("ada", PASSWORD)
            head.login("hank", PASSWORD)
            t = token(KEY, "k-front", "i1", 999, "front", 2, now_ms() - 5 * MIN, "en")
            r = Client(server.port).post(f"/c/{t}", {"body": "Sent from my phone: slow queue"})
            check(r.status == 200, f"phone comment: {r!r}")
            for name, fn in [("department", check_department), ("report", check_report),
                             ("api", check_api), ("alert", check_alert)]:
                try:
                    fn(admin, head)
                    print(f"ok {engine} {name}", flush=True)
                except CheckFailed as e:
                    print(f"FAIL {engine} {name}: {e}", flush=True)
                    failed.append(name)
        except Exception:  # noqa: BLE001 - set-up failed: nothing else can run
            print(f"FAIL {engine} setup: {traceback.format_exc()}", flush=True)
            failed.append("setup")
        finally:
            if server:
                if failed:
                    print(server.text_log()[-3000:])
                rc = server.stop()
                if rc != 0:  # a sanitizer's report at exit, or a crash
                    print(f"FAIL {engine} serve exited {rc}:\n{server.text_log()[-3000:]}")
                    failed.append("serve")
            if target:
                target.drop()
    print(f"{engine}: " + (f"failed: {', '.join(failed)}" if failed else "every check passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
