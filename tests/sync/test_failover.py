#!/usr/bin/env python3
"""High availability on PostgreSQL's own streaming replication: a primary and a synchronous
standby started here, the real kiosk and `wowdash serve` given a two-host conninfo
(target_session_attrs=read-write); the primary is killed (immediate shutdown) while the kiosk
taps, the standby promoted.

Usage: test_failover.py WOWKIOSK WOWDASH

  - every tap reaches the promoted server: its totals equal the kiosk's store exactly, and the
    store's synced_seq reaches its seq (no kiosk stuck on the dead host)
  - the dashboard, started on both hosts, answers /healthz again once the standby is promoted
    (its pool and its listener find the new primary)
  - why synchronous: with asynchronous replication a push the primary acknowledged may not
    have reached the standby when the primary dies; the kiosk, told COMMIT succeeded, never
    sends those rows again.  docs/SYNC.md says so; this test runs the synchronous set-up.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "dash"))
import test_sync_e2e as e2e  # noqa: E402
from pg_cluster import HOST, SUPERUSER, Cluster  # noqa: E402

DB = f"wow_failover_{os.getpid()}"


class Standby(Cluster):
    """A hot standby of primary: pg_basebackup -R instead of initdb."""

    def __init__(self, primary):
        super().__init__()
        self.primary = primary

    def _initdb(self):
        r = self._run_server_cmd([self._bin("pg_basebackup"), "-h", HOST, "-p",
                                  str(self.primary.port), "-U", SUPERUSER, "-D", self.datadir,
                                  "-R", "-X", "stream", "--checkpoint=fast"])
        if r.returncode != 0:
            raise RuntimeError(f"pg_basebackup failed: {r.stdout}{r.stderr}")

    def promote(self):
        r = self._run_server_cmd([self._bin("pg_ctl"), "-D", self.datadir, "-w", "promote"])
        if r.returncode != 0:
            raise RuntimeError(f"pg_ctl promote failed: {r.stdout}{r.stderr}")


def kill_now(cluster):
    """The primary dies: an immediate shutdown, no checkpoint, clients cut."""
    cluster._run_server_cmd([cluster._bin("pg_ctl"), "-D", cluster.datadir, "-m", "immediate",
                             "stop"])


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read()
    except Exception as e:  # noqa: BLE001 - any failure is "not yet"
        return 0, str(e).encode()


def main():
    e2e.WOWKIOSK, e2e.WOWDASH = (os.path.abspath(a) for a in sys.argv[1:3])
    for k, v in (("SDL_VIDEODRIVER", "dummy"), ("SDL_AUDIODRIVER", "dummy"),
                 ("SDL_RENDER_DRIVER", "software")):
        os.environ.setdefault(k, v)
    primary = Cluster().start()
    standby = None
    e2e.PG = primary
    tmp = tempfile.mkdtemp(prefix="wow-failover-")
    server = None
    try:
        db = e2e.SharedDb(DB)
        standby = Standby(primary).start()
        e2e.wait_until(lambda: primary.psql("SELECT count(*) FROM pg_stat_replication WHERE "
                                            "state = 'streaming'").strip() == "1", 30,
                       "the standby streaming")
        primary.psql("ALTER SYSTEM SET synchronous_standby_names = '*'")
        primary.psql("SELECT pg_reload_conf()")
        both = (f"host={HOST},{HOST} port={primary.port},{standby.port} user={SUPERUSER} "
                f"dbname={DB} sslmode=disable target_session_attrs=read-write "
                "connect_timeout=2")
        # the dashboard on both hosts, refreshing often
        from test_dash_http import Server
        server = Server(e2e.WOWDASH, both, tmp, extra=("--refresh", "2s"))
        taps = 16
        with e2e.Kiosk("failover", tmp, e2e.config("e2e-failover"),
                       e2e.script(["wait 500"] + e2e.followup_taps(taps) + ["wait 120000",
                                                                             "quit"]),
                       both) as k:
            t = 30 * e2e.SLOW
            k.wait_count(e2e.COMMITTED, 6, t)
            k.wait_count("sync: sent", 2, t)
            e2e.log("failover: killing the primary")
            kill_now(primary)
            k.wait_count(e2e.COMMITTED, 9, t)  # the kiosk taps on while the database is gone
            e2e.log("failover: promoting the standby")
            standby.promote()
            e2e.PG = standby  # reads go to the new primary
            k.wait_count(e2e.COMMITTED, taps, t)
            k.wait_count(e2e.FOLLOWUP_COMMITTED, taps, t)
            e2e.settle(db, k, k.store, 60 * e2e.SLOW)
            status = k.stop()
        e2e.check(status == 0, f"failover: the kiosk exited with {status}")
        st = e2e.check_totals(db, k.store, "failover")
        e2e.check(sum(r[-1] for r in st["taps"]) == taps,
                  f"failover: the store counts {sum(r[-1] for r in st['taps'])} taps")
        failed = k.count("sync: round failed")
        e2e.check(failed >= 1, "failover: no round failed: the primary was not killed mid-run")
        # the dashboard: /healthz again, and the API counts every tap
        deadline = time.monotonic() + 60 * e2e.SLOW
        got = None
        while time.monotonic() < deadline:
            code, _ = get(f"http://127.0.0.1:{server.port}/healthz")
            if code == 200:
                got = code
                break
            time.sleep(0.5)
        e2e.check(got == 200, f"failover: the dashboard's /healthz never came back:\n"
                              f"{server.text_log()[-1500:]}")
        e2e.log(f"PASS failover: {taps} taps equal on the promoted server after {failed} failed "
                f"rounds; the dashboard answers again")
        return 0
    except AssertionError as err:
        e2e.log(f"FAIL failover: {err}")
        return 1
    finally:
        if server:
            server.stop()
        if standby:
            standby.stop()
        primary.stop()


if __name__ == "__main__":
    sys.exit(main())
