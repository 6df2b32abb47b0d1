#!/usr/bin/env python3
"""The dashboard learns of new counts within seconds, with the full refresh an hour away.

Usage: test_dash_live.py WOWDASH ENGINE   (ENGINE: sqlite or postgres)

On a database seeded by seed.py, `wowdash serve --refresh 3600s`:
  listen   a tap written as a kiosk's sync round writes it shows in /api/v1/counts within
           LIVE_WITHIN_S (PostgreSQL: LISTEN/NOTIFY; SQLite: PRAGMA data_version)
  longpoll /api/v1/live?since=G is held back while nothing changes and answers with a new
           generation within LIVE_WITHIN_S of a tap; without a session 401
  limits   with 4 long-polls of one client waiting, its 5th is answered at once
  relisten (PostgreSQL) the listening backend killed: the server says so, listens again
           with back-off, and a tap written while it was deaf still shows within seconds
Exit 1 with every failure listed.
"""
import os
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "sync"))
import seed as seedmod  # noqa: E402
from test_dash_http import (CheckFailed, Client, Server, Target, ZONE, check,  # noqa: E402
                            clear_of_midnight)

LIVE_WITHIN_S = 5.0
ADD_TAP = os.path.join(HERE, "..", "browser", "add_tap.py")
UPSERT_PG = (
    "INSERT INTO tap_counts(kiosk_id, incarnation, bucket_start_ms, department, rating_1,"
    " rating_2, rating_3, rating_4, misuse_1, misuse_2, misuse_3, misuse_4)"
    " VALUES ('k-alpha-1', 'live-test', (extract(epoch FROM now()) * 1000)::bigint"
    " / 900000 * 900000, 'alpha', 0, 0, 0, 1, 0, 0, 0, 0)"
    " ON CONFLICT (kiosk_id, incarnation, bucket_start_ms, department)"
    " DO UPDATE SET rating_4 = tap_counts.rating_4 + 1")


class Ctx:
    def __init__(self, wowdash, engine, tmp):
        clear_of_midnight()
        self.engine = engine
        self.target = Target(engine, tmp, "dash_live")
        s = seedmod.seed(wowdash, self.target.conninfo, zone=ZONE)
        self.server = Server(wowdash, self.target.conninfo, tmp, extra=("--refresh", "3600s"))
        self.client = Client(self.server.port)
        self.client.login("admin", s.users["admin"].password)
        # settled: the first full refresh done (generation 1) and the listener up
        deadline = time.monotonic() + 60
        while self.generation() < 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)

    def add_tap(self):
        """One WOW for alpha, written as a kiosk's sync round writes it."""
        if self.engine == "sqlite":
            subprocess.run([sys.executable, ADD_TAP, self.target.conninfo, "k-alpha-1", "alpha",
                            "4"], check=True, timeout=30)
        else:
            self.target.pg.psql(UPSERT_PG, dbname=self.target.dbname)

    def alpha_total(self):
        r = self.client.get("/api/v1/counts?period=last_30_days&department=alpha&limit=10000")
        check(r.status == 200, f"counts: {r!r}")
        return sum(it["responses"] for it in r.json()["items"])

    def generation(self, since=None, client=None):
        r = (client or self.client).get("/api/v1/live" + ("" if since is None
                                                          else f"?since={since}"))
        check(r.status == 200, f"/api/v1/live: {r!r}")
        return r.json()["generation"]


def wait_total(ctx, want, within):
    t0 = time.monotonic()
    while time.monotonic() - t0 < within:
        if ctx.alpha_total() == want:
            return time.monotonic() - t0
        time.sleep(0.1)
    return None


def check_listen(ctx):
    before = ctx.alpha_total()
    ctx.add_tap()
    took = wait_total(ctx, before + 1, LIVE_WITHIN_S)
    print(f"listen: the tap was in the API after {took} s")
    check(took is not None, f"listen: alpha's total did not reach {before + 1} within "
          f"{LIVE_WITHIN_S} s (the full refresh is an hour away)")


def check_longpoll(ctx):
    g = ctx.generation()
    got = {}
    # a second connection with the admin's session cookie
    other = Client(ctx.server.port)
    other.cookies = dict(ctx.client.cookies)
    t = threading.Thread(target=lambda: got.update(
        g=other.get(f"/api/v1/live?since={g}").json()["generation"]))
    t0 = time.monotonic()
    t.start()
    time.sleep(1.5)
    check(t.is_alive(), f"longpoll: ?since={g} (the current generation) answered at once")
    ctx.add_tap()
    t.join(LIVE_WITHIN_S + 1)
    took = time.monotonic() - t0 - 1.5
    check(not t.is_alive(), f"longpoll: no answer within {LIVE_WITHIN_S} s of a new tap")
    check(got.get("g", g) != g, f"longpoll: answered with the old generation {got}")
    print(f"longpoll: answered {took:.2f} s after the tap with generation {got.get('g')}")
    r = Client(ctx.server.port).get("/api/v1/live")
    check(r.status == 401, f"longpoll: without a session: {r!r}")


def check_limits(ctx):
    g = ctx.generation()
    waiting = []
    for _ in range(4):
        c = Client(ctx.server.port)
        c.cookies = dict(ctx.client.cookies)
        th = threading.Thread(target=c.get, args=(f"/api/v1/live?since={g}",), daemon=True)
        th.start()
        waiting.append(th)
    time.sleep(1.0)
    check(all(th.is_alive() for th in waiting), "limits: the first 4 long-polls did not wait")
    t0 = time.monotonic()
    fifth = ctx.generation(since=g)
    took = time.monotonic() - t0
    check(took < 1.0 and fifth == g,
          f"limits: the 5th long-poll of one client took {took:.2f} s (generation {fifth})")
    ctx.add_tap()  # lets the four go
    for th in waiting:
        th.join(LIVE_WITHIN_S + 1)
    check(not any(th.is_alive() for th in waiting), "limits: the waiting long-polls never ended")


def check_relisten(ctx):
    killed = ctx.target.pg.psql(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE "
        f"'LISTEN%' AND datname = '{ctx.target.dbname}'")
    check(killed.strip() == "1", f"relisten: expected one listening backend, killed {killed!r}")
    before = ctx.alpha_total()
    ctx.add_tap()  # while nobody listens
    took = wait_total(ctx, before + 1, LIVE_WITHIN_S + 65)
    log = ctx.server.text_log()
    check("not listening for new counts" in log, "relisten: the lost listener was not logged")
    check("listening for new counts again" in log, "relisten: it never listened again")
    print(f"relisten: the tap written while deaf was in the API after {took} s")
    check(took is not None and took < LIVE_WITHIN_S + 3,
          f"relisten: the tap took {took} s (back-off starts at 1-2 s)")
    before += 1
    ctx.add_tap()
    took = wait_total(ctx, before + 1, LIVE_WITHIN_S)
    check(took is not None, "relisten: after listening again, a tap did not show within "
          f"{LIVE_WITHIN_S} s")


def main():
    wowdash, engine = sys.argv[1], sys.argv[2]
    checks = [check_listen, check_longpoll, check_limits]
    if engine == "postgres":
        checks.append(check_relisten)
    failed = []
    with tempfile.TemporaryDirectory(prefix="wowdash-live-") as tmp:
        ctx = None
        try:
            ctx = Ctx(wowdash, engine, tmp)
            for fn in checks:
                try:
                    fn(ctx)
                except (CheckFailed, Exception):  # noqa: BLE001 - each check on its own
                    print(f"FAIL {fn.__name__}: {traceback.format_exc()}", flush=True)
                    failed.append(fn.__name__)
        except Exception:  # noqa: BLE001
            print(f"FAIL setup: {traceback.format_exc()}", flush=True)
            failed.append("setup")
        finally:
            if ctx:
                rc = ctx.server.stop()
                if failed or rc != 0:
                    print(f"--- serve log (exit {rc}) ---\n{ctx.server.text_log()[-4000:]}")
                if rc != 0:
                    failed.append("exit")
                ctx.target.drop()
    print(f"{engine}: {len(checks) - len(failed)} of {len(checks)} checks passed"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
