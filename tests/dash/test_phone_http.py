#!/usr/bin/env python3
"""The phone's comment form, GET and POST /c/TOKEN (docs/COMMENTS.md), on the real binary, SQLite
or PostgreSQL (the CTest fixture `pg`, env WOW_PG_STATE).  Tokens are made here with python3's
hmac as the design says, not by the C code under test.

Usage: test_phone_http.py WOWDASH sqlite|postgres

  form       GET: 200, the token's language (fi, de, en), a textarea of at most 500, no script,
             the action the token itself; no login asked
  send       POST: 200 thank-you, the phone row written as sent (source phone, the token's
             tap, rating, lang); a second POST and a GET then 409 (already sent)
  tokens     malformed (404), forged: wrong key, unknown kiosk, another kiosk's department,
             a payload changed after signing, a tap from the future (403); expired past 30 min
             (410); a kiosk whose clock runs an hour ahead is measured on its own clock;
             hostile text in the path is never echoed
  words      empty, 501 characters, a bidi control, a control character, invalid UTF-8: 422 with
             the form again (a long text kept, escaped); 500 'ä' kept whole; markup stored as
             typed and escaped on the page; a body over the server's limit 413
  bucket     once the tap's bucket has arrived, no more phone comments per face than its taps
  origin     a POST from another site's page: 403
  floods     one address: 429 + Retry-After after PHONE_LIMIT_ADDRESS requests, X-Forwarded-For
             changes nothing (no trusted proxy), another address still served; one kiosk's tokens:
             429 after PHONE_LIMIT_KIOSK posts from many addresses
Exit 1 when any check failed.
"""
import os
import re
import subprocess
import sys
import tempfile
import traceback
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import seed as seedmod  # noqa: E402
from comments_fixture import (KIOSK_COLUMNS, kiosk_row, now_ms, query, token,  # noqa: E402
                              b64)
from test_dash_http import CheckFailed, Client, Server, Target, check  # noqa: E402

KEY = "11" * 32
OTHER_KEY = "22" * 32
LIMIT_ADDRESS = 30  # phone_limits.h
LIMIT_KIOSK = 30


class Ctx:
    def __init__(self, db, server):
        self.db = db
        self.server = server
        self.tap = 100
        self.n = 0

    def client(self):
        """A client from its own loopback address: the per-address limit counts each apart."""
        self.n += 1
        return Client(self.server.port, source=f"127.0.{1 + self.n // 200}.{1 + self.n % 200}")

    def token(self, kiosk="k-front", department="front", rating=1, age_ms=60_000, lang="fi",
              key=KEY, offset_ms=0):
        self.tap += 1
        return token(key, kiosk, "i1", self.tap, department, rating,
                     now_ms() + offset_ms - age_ms, lang)


def check_form(ctx):
    c = ctx.client()
    for lang, word in [("fi", "Kerro lisää"), ("de", "Erzählen Sie mehr"), ("en", "Tell us more")]:
        t = ctx.token(lang=lang)
        r = c.get(f"/c/{t}")
        check(r.status == 200, f"GET form {lang}: {r!r}")
        check(f'<html lang="{lang}">' in r.text and word in r.text, f"{lang}: {r.text[:600]}")
        check(f'action="/c/{t}"' in r.text, "the form posts to its own token")
        check('maxlength="500"' in r.text and "<textarea" in r.text, "a textarea of 500")
        check("<script" not in r.text, "no script on the phone's page")
        check("/logout" not in r.text, "no nav bar: nobody is signed in")


def check_send(ctx):
    c = ctx.client()
    t = ctx.token(rating=2, lang="de")
    tap = ctx.tap
    r = c.post(f"/c/{t}", {"body": "  Zu lange gewartet,\r\naber freundlich.  "})
    check(r.status == 200 and "Vielen Dank" in r.text, f"POST: {r!r}")
    rows = query(ctx.db, "SELECT source, department, rating, lang, body, tap_id FROM comments "
                 f"WHERE kiosk_id = 'k-front' AND tap_id = {tap}")
    check(rows == [["phone", "front", "2", "de", "Zu lange gewartet,\naber freundlich.",
                    str(tap)]], f"the phone row: {rows}")
    r = c.post(f"/c/{t}", {"body": "noch einmal"})
    check(r.status == 409 and 'lang="de"' in r.text, f"second POST: {r!r}")
    r = c.get(f"/c/{t}")
    check(r.status == 409, f"GET after sending: {r!r}")
    n = query(ctx.db, f"SELECT count(*) FROM comments WHERE tap_id = {tap}")
    check(n == [["1"]], f"one row: {n}")


def check_tokens(ctx):
    c = ctx.client()
    good = ctx.token()
    payload, mac = good.split(".")
    changed = b64(urllib.parse.unquote_to_bytes(
        __import__("base64").urlsafe_b64decode(payload + "==").replace(b"|1|", b"|4|")
    )) + "." + mac
    cases = [
        ("garbage", "abc", 404),
        ("two dots", good + ".x", 404),
        ("bad base64", "!!!." + mac, 404),
        ("rating 5", token(KEY, "k-front", "i1", 7, "front", 5, now_ms(), "fi"), 404),
        ("version 2", b64(b"2|k-front|i1|7|front|1|1|fi") + "." + mac, 404),
        ("wrong key", ctx.token(key=OTHER_KEY), 403),
        ("unknown kiosk", ctx.token(kiosk="k-nobody"), 403),
        ("no key yet", ctx.token(kiosk="k-nokey"), 403),
        ("not its department", ctx.token(department="spa"), 403),
        ("payload changed", changed, 403),
        ("from the future", ctx.token(age_ms=-20 * 60_000), 403),
        ("expired", ctx.token(age_ms=31 * 60_000), 410),
        ("29 minutes", ctx.token(age_ms=29 * 60_000), 200),
        ("kiosk an hour ahead, 10 min ago", ctx.token(kiosk="k-ahead", offset_ms=3_600_000,
                                                      age_ms=10 * 60_000), 200),
        ("kiosk an hour ahead, its clock's 40 min ago",
         ctx.token(kiosk="k-ahead", offset_ms=3_600_000, age_ms=40 * 60_000), 410),
        ("kiosk an hour ahead, the real clock's now", ctx.token(kiosk="k-ahead"), 410),
        ("picker's department", ctx.token(kiosk="k-pick", department="spa"), 200),
        ("picker, not its department", ctx.token(kiosk="k-pick", department="sp"), 403),
        ("too long", "A" * 600 + "." + mac, 404),
    ]
    for name, t, want in cases:
        r = c.get(f"/c/{t}")
        check(r.status == want, f"{name}: expected {want}, got {r.status} {r.text[:300]}")
        check("<script" not in r.text, f"{name}: a script")
    hostile = "%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E"
    r = c.get(f"/c/{hostile}")
    check(r.status in (400, 404) and "<script>alert" not in r.text, f"hostile path: {r!r}")
    r = c.get(f"/c/{good}", headers={"Accept-Language": "de"})
    check('lang="fi"' in r.text, "the token's language wins over Accept-Language")
    r = c.get("/c/abc", headers={"Accept-Language": "de"})
    check(r.status == 404 and 'lang="de"' in r.text and "Code" in r.text,
          f"malformed: Accept-Language's page: {r.text[:400]}")
    r = c.get(f"/c/{ctx.token(age_ms=31 * 60_000, lang='en')}")
    check("expired" in r.text and "30 minutes" in r.text, f"expired says so: {r.text[:500]}")


def check_words(ctx):
    c = ctx.client()
    for name, body in [("empty", "   \r\n "), ("501 characters", "x" * 501),
                       ("bidi", "fine \u202eevil"), ("control", "bell \x07"),
                       ("NUL-free control", "esc \x1b[31m")]:
        t = ctx.token(lang="en")
        r = c.post(f"/c/{t}", {"body": body})
        # the form parser itself refuses bidi and control characters (400, http.c)
        check((r.status == 422 and "<textarea" in r.text) or r.status == 400, f"{name}: {r!r}")
        check(query(ctx.db, f"SELECT count(*) FROM comments WHERE tap_id = {ctx.tap}") ==
              [["0"]], f"{name}: stored")
    t = ctx.token(lang="en")
    r = c.request("POST", f"/c/{t}", body=b"body=bad%FF%FEbytes",
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    check(r.status in (400, 422), f"invalid UTF-8: {r!r}")
    long_markup = "<b>x</b>" * 70
    r = c.post(f"/c/{t}", {"body": long_markup})
    check(r.status == 422 and "&lt;b&gt;x&lt;/b&gt;" in r.text and "<b>x</b>" not in r.text,
          "a long text comes back escaped")
    r = c.post(f"/c/{t}", {"body": "ä" * 500})
    check(r.status == 200, f"500 'ä': {r!r}")
    t = ctx.token(lang="en")
    tap = ctx.tap
    r = c.post(f"/c/{t}", {"body": "<script>alert('x')</script> & \"quotes\""})
    check(r.status == 200, f"markup: {r!r}")
    rows = query(ctx.db, f"SELECT body FROM comments WHERE tap_id = {tap}")
    check(rows == [["<script>alert('x')</script> & \"quotes\""]], f"stored as typed: {rows}")
    t = ctx.token(lang="en")
    r = c.post(f"/c/{t}", {"body": "y" * 200_000})
    check(r.status == 413, f"a huge body: {r!r}")


def check_bucket(ctx):
    c = ctx.client()
    start = now_ms() - 60_000
    start -= start % 900_000
    w = seedmod.Writer(ctx.db)
    w.insert("tap_counts", ["kiosk_id", "incarnation", "bucket_start_ms", "department",
                            "rating_1", "rating_2", "rating_3", "rating_4",
                            "misuse_1", "misuse_2", "misuse_3", "misuse_4"],
             [("k-bucket", "i1", start, "front", 1, 0, 0, 0, 0, 0, 0, 0)])
    w.commit()
    age = now_ms() - start - 1000  # a tap in that bucket
    t1 = ctx.token(kiosk="k-bucket", age_ms=age)
    t2 = ctx.token(kiosk="k-bucket", age_ms=age)
    t3 = ctx.token(kiosk="k-bucket", age_ms=age, rating=2)
    r = c.post(f"/c/{t1}", {"body": "first"})
    check(r.status == 200, f"the bucket's one tap: {r!r}")
    r = c.get(f"/c/{t2}")
    check(r.status == 403, f"a second face-1 comment for one counted tap: {r!r}")
    r = c.post(f"/c/{t2}", {"body": "second"})
    check(r.status == 403, f"posted anyway: {r!r}")
    r = c.post(f"/c/{t3}", {"body": "face 2"})
    check(r.status == 403, f"face 2 has no taps counted: {r!r}")


def check_origin(ctx):
    c = ctx.client()
    t = ctx.token()
    r = c.post(f"/c/{t}", {"body": "from elsewhere"}, headers={"Origin": "https://evil.example"})
    check(r.status == 403, f"foreign Origin: {r!r}")
    r = c.get(f"/c/{t}")
    check(r.status == 200, "the refused POST used nothing")


def check_floods(ctx):
    c = ctx.client()
    t = ctx.token()
    statuses = [c.get(f"/c/{t}", headers={"X-Forwarded-For": f"10.0.0.{i}"}).status
                for i in range(LIMIT_ADDRESS + 1)]
    check(statuses[:LIMIT_ADDRESS] == [200] * LIMIT_ADDRESS and statuses[-1] == 429,
          f"per address: {statuses}")
    r = c.get(f"/c/{t}")
    check(r.status == 429 and int(r.header("Retry-After") or 0) > 0, f"Retry-After: {r!r}")
    check(ctx.client().get(f"/c/{t}").status == 200, "another address is still served")
    got = []
    for i in range(LIMIT_KIOSK + 1):
        t = ctx.token(kiosk="k-flood")
        got.append(ctx.client().post(f"/c/{t}", {"body": f"flood {i}"}).status)
    check(got[:LIMIT_KIOSK] == [200] * LIMIT_KIOSK and got[-1] == 429, f"per kiosk: {got}")
    n = query(ctx.db, "SELECT count(*) FROM comments WHERE kiosk_id = 'k-flood'")
    check(n == [[str(LIMIT_KIOSK)]], f"the flood's rows: {n}")


def main():
    binary, engine = sys.argv[1], sys.argv[2]
    failed = []
    with tempfile.TemporaryDirectory(prefix="wowdash-phone-") as tmp:
        target = server = None
        try:
            target = Target(engine, tmp, "phone_http")
            db = target.conninfo
            subprocess.run([binary, "migrate", "--db", db], check=True, capture_output=True,
                           timeout=60)
            w = seedmod.Writer(db)
            w.insert("kiosks", KIOSK_COLUMNS, [
                kiosk_row("k-front", "front", KEY), kiosk_row("k-nokey", "front", ""),
                kiosk_row("k-ahead", "front", KEY, offset_ms=3_600_000),
                kiosk_row("k-pick", "", KEY, departments="front, spa", mode="picker"),
                kiosk_row("k-bucket", "front", KEY), kiosk_row("k-flood", "front", KEY)])
            w.commit()
            server = Server(binary, db, tmp, zone="UTC")
            ctx = Ctx(db, server)
            for name, fn in [("form", check_form), ("send", check_send),
                             ("tokens", check_tokens), ("words", check_words),
                             ("bucket", check_bucket), ("origin", check_origin),
                             ("floods", check_floods)]:
                try:
                    fn(ctx)
                    print(f"ok {engine} {name}", flush=True)
                except CheckFailed as e:
                    print(f"FAIL {engine} {name}: {e}", flush=True)
                    print(server.text_log()[-2000:], flush=True)
                    failed.append(name)
        except Exception:  # noqa: BLE001 - set-up failed: nothing else can run
            print(f"FAIL {engine} setup: {traceback.format_exc()}", flush=True)
            failed.append("setup")
        finally:
            if server:
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
