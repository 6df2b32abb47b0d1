#!/usr/bin/env python3
"""A rollout reaches a real kiosk and its root updater, and their reports come back
(docs/DEPLOY.md, "Rolling out from the dashboard").

Usage: test_rollout_kiosk.py WOWDASH sqlite|postgres WOWKIOSK UPDATER

The dashboard's database (a SQLite file, or PostgreSQL with the kiosk's own role), a bundle
signed here with a development key, served by the dashboard itself (`wowdash serve --bundles
DIR` on loopback) and published with its /updates/ URL, a rollout whose canary is the kiosk,
and the real wowkiosk (SDL's dummy driver) syncing to it, closed (its clock on a Sunday night,
open on weekdays):
  publish     a URL kiosks would refuse (quotes) is refused by `bundle publish`, as is a
              --bundles copy the URL does not name; then `--bundles DIR` copies the bundle
              where the dashboard serves it
  serving     the dashboard answers GET and HEAD of /updates/NAME.raucb with the file, one
              byte range as 206 with Content-Range, a range past the end 416, a POST 405, and
              no file for a name with a slash or an escape, a symbolic link or a missing file
  offer       the kiosk's sync writes update/offer with the bundle's version, URL, SHA-256 and
              size, and keeps update/may-install fresh (closed, nobody at it)
  updater     the real wowkiosk-updater (as this user; rauc's D-Bus service unreachable)
              resumes the download from a part file holding its first half (a Range request
              to the dashboard), checks its size, SHA-256 and signature (rauc
              info with the development CA), finds may-install fresh and tries to install:
              rauc install fails, it writes state=failed; the kiosk's heartbeat carries it to
              the kiosks row (slot A, version, failed, rauc's error), and `rollout status`
              pauses the rollout by itself, naming the kiosk
  stopped     the rollout stopped, the kiosk removes its offer file
  refused     a download that does not match (the server now sends other bytes) is refused
              by the updater and reported "refused"
  hostile     an offer whose URL the kiosk must not hand to root (file://, a newline) is not
              written: the offer file goes, and the heartbeat says "refused" with the reason
Exit 77 (skipped) without rauc or curl.
"""
import hashlib
import http.client
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "dash"))
WOWDASH, ENGINE, WOWKIOSK, UPDATER = sys.argv[1:5]
from test_rollout import dash, make_bundle, make_key, run  # noqa: E402
from test_dash_http import CheckFailed, Server, Target, check  # noqa: E402

SUNDAY_NIGHT = "2024-03-03T03:00:00Z"
# PostgreSQL roles are the cluster's, shared by tests running side by side: an id of our own
KID = "rk%d" % os.getpid()


class Fleet:
    """The dashboard's database with one kiosk, KID, added."""

    def __init__(self, tmp):
        self.target = Target(ENGINE, tmp, "rolloutkiosk")
        self.db = self.target.conninfo
        dash(self.db, "migrate")
        extra = ["--sslmode", "disable"] if ENGINE == "postgres" else []
        r = dash(self.db, "kiosk", "add", KID, "--department", "front", *extra)
        m = re.search(r"^target = (.*)$", r.stdout, re.M)
        self.kiosk_target = m.group(1) if ENGINE == "postgres" and m else self.db
        check(self.kiosk_target, f"kiosk add printed no target: {r.stdout}")

    def sql(self, statement):
        """Runs statement as the owner; the rows, '|'-joined."""
        if ENGINE == "sqlite":
            con = sqlite3.connect(self.db)
            try:
                rows = con.execute(statement).fetchall()
                con.commit()
            finally:
                con.close()
            return ["|".join("" if v is None else str(v) for v in row) for row in rows]
        r = run(["psql", self.db, "-AtX", "-v", "ON_ERROR_STOP=1", "-c", statement])
        return [line for line in r.stdout.splitlines() if line]

    def stage(self):
        return self.sql("SELECT stage, note FROM update_rollouts ORDER BY rollout_id DESC"
                        " LIMIT 1")[0].split("|", 1)

    def drop(self):
        self.target.drop()
        if ENGINE == "postgres":  # the role is the cluster's
            self.target.pg.psql(f'DROP ROLE IF EXISTS "kiosk_{KID}"')


def wait_until(what, predicate, timeout_s=30):
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise CheckFailed(f"timed out after {timeout_s} s waiting for {what}")


def fetch(port, method, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def check_serving(port, site, bundle):
    """The dashboard's /updates/: whole, ranges, HEAD, and what it must not serve."""
    with open(bundle, "rb") as f:
        data = f.read()
    path = "/updates/" + os.path.basename(bundle)
    status, h, body = fetch(port, "GET", path)
    check(status == 200 and body == data and h.get("accept-ranges") == "bytes"
          and h.get("content-type") == "application/octet-stream",
          f"GET {path}: {status} {h} ({len(body)} of {len(data)} bytes)")
    status, h, body = fetch(port, "GET", path, {"Range": "bytes=100-199"})
    check(status == 206 and body == data[100:200]
          and h.get("content-range") == f"bytes 100-199/{len(data)}",
          f"Range 100-199: {status} {h} {len(body)} bytes")
    status, h, body = fetch(port, "GET", path, {"Range": "bytes=-10"})
    check(status == 206 and body == data[-10:], f"Range -10: {status} {len(body)} bytes")
    status, h, body = fetch(port, "GET", path, {"Range": f"bytes={len(data)}-"})
    check(status == 416 and h.get("content-range") == f"bytes */{len(data)}",
          f"Range past the end: {status} {h}")
    status, h, body = fetch(port, "HEAD", path)
    check(status == 200 and body == b"" and h.get("content-length") == str(len(data)),
          f"HEAD: {status} {h} {len(body)}")
    status, h, _ = fetch(port, "POST", path)
    check(status == 405 and h.get("allow") == "GET, HEAD", f"POST: {status} {h}")
    secret = os.path.join(os.path.dirname(site), "secret.raucb")
    with open(secret, "w") as f:
        f.write("not for kiosks")
    os.symlink(secret, os.path.join(site, "link.raucb"))
    for bad in ("/updates/link.raucb", "/updates/..%2Fsecret.raucb", "/updates/../secret.raucb",
                "/updates/none.raucb", "/updates/" + os.path.basename(bundle) + ".part"):
        status, _, body = fetch(port, "GET", bad)
        check(status == 404 and b"not for kiosks" not in body, f"GET {bad}: {status} {body[:80]}")


class Kiosk:
    def __init__(self, tmp, target):
        self.dir = os.path.join(tmp, "kiosk")
        os.makedirs(self.dir)
        self.update = os.path.join(self.dir, "update")
        conf = os.path.join(tmp, "kiosk.conf")
        with open(conf, "w") as f:
            f.write("[kiosk]\nid = %s\n" % KID + "languages = en\n\n[hours]\ntimezone = UTC\n"
                    + "".join(f"{d} = 09:00-17:00\n" for d in ("mon", "tue", "wed", "thu", "fri"))
                    + "\n[sync]\ninterval_s = 1\nbackoff_max_s = 1\n")
        # the system's version, as /etc/wowkiosk/system-version says on an image, and the
        # kernel's command line naming the slot booted (as run_updater tells the updater):
        # what the heartbeat reports
        self.cmdline = os.path.join(tmp, "cmdline")
        with open(self.cmdline, "w") as f:
            f.write("console=ttyAMA0 rauc.slot=A\n")
        env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy",
                   SDL_RENDER_DRIVER="software", WOWKIOSK_SYSTEM_VERSION="1.0.0",
                   WOWKIOSK_CMDLINE=self.cmdline)
        self.log = open(os.path.join(tmp, "kiosk.log"), "w")
        self.proc = subprocess.Popen(
            [WOWKIOSK, "--windowed", "800x480", "--config", conf, "--store",
             os.path.join(self.dir, "kiosk.db"), "--sync", target, "--clock-start", SUNDAY_NIGHT],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT, env=env)

    def offer(self):
        try:
            with open(os.path.join(self.update, "offer")) as f:
                return dict(line.split("=", 1) for line in f.read().splitlines())
        except FileNotFoundError:
            return None

    def may_install_age_s(self):
        try:
            return time.time() - os.stat(os.path.join(self.update, "may-install")).st_mtime
        except FileNotFoundError:
            return None

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def run_updater(kiosk, tmp, cert, **more_env):
    """The real updater as a timer would run it; its exit status and stderr."""
    env = dict(os.environ, **more_env, WOWKIOSK_STATE_DIR=kiosk.dir, WOWKIOSK_SYSTEM_VERSION="1.0.0",
               WOWKIOSK_KEYRING=cert, WOWKIOSK_CMDLINE=kiosk.cmdline, WOWKIOSK_USER="wow-nobody-here",
               DBUS_SYSTEM_BUS_ADDRESS="unix:path=" + os.path.join(tmp, "no-bus"))
    r = subprocess.run(["sh", UPDATER], capture_output=True, text=True, env=env, timeout=120)
    return r.returncode, r.stderr


def reported(fleet, version, state):
    """The kiosks row once it reports state for version, else None."""
    row = kiosk_row(fleet)
    return row if row and row[1] == version and row[2] == state else None


def kiosk_row(fleet):
    rows = fleet.sql("SELECT slot, update_version, update_state, update_error FROM kiosks"
                     " WHERE kiosk_id = '%s'" % KID)
    return rows[0].split("|", 3) if rows else None


def check_publish_refusals(fleet, bundle, cert, site, url):
    """Publishing refuses what kiosks would refuse, and a --bundles copy the URL does not name;
    nothing is copied or recorded."""
    name = os.path.basename(bundle)
    for bad_url, why in (("http://x'$(reboot)'/updates/" + name, "kiosks would refuse this offer: url"),
                         (url.replace("/updates/", "/files/"), "expected it to end in /updates/")):
        r = dash(fleet.db, "bundle", "publish", bundle, "--url", bad_url, "--keyring", cert,
                 "--bundles", site, ok=False)
        check(r.returncode == 2 and why in r.stderr, f"publish {bad_url!r}: {r.returncode} "
                                                     f"{r.stderr}")
    check(os.listdir(site) == [], f"a refused publish left {os.listdir(site)}")
    check(fleet.sql("SELECT count(*) FROM update_bundles") == ["0"], "a refused bundle recorded")


def check_offer_and_install(fleet, kiosk, tmp, cert, bundle, url, served):
    with open(bundle, "rb") as f:
        data = f.read()
    offer = wait_until("the kiosk's offer file", kiosk.offer)
    want = {"version": "1.2.0", "url": url, "sha256": hashlib.sha256(data).hexdigest(),
            "size": str(len(data))}
    check(offer == want, f"offer file {offer}, expected {want}")
    # before any update: the slot booted, from the command line, and the system's version
    row = wait_until("the kiosk's heartbeat", lambda: kiosk_row(fleet))
    version = fleet.sql("SELECT app_version FROM kiosks WHERE kiosk_id = '%s'" % KID)
    check(row[0] == "A" and version == ["1.0.0"], f"the first heartbeat says slot {row[0]!r}, "
          f"version {version} (expected A, from its command line, and the system's 1.0.0)")
    age = wait_until("update/may-install on the closed kiosk", kiosk.may_install_age_s)
    check(age is not None and age < 120, f"may-install is {age} s old")
    # a download cut halfway before: the updater resumes it with a Range request
    download = os.path.join(kiosk.update, "download")
    os.makedirs(download, exist_ok=True)
    with open(os.path.join(download, "1.2.0.raucb.part"), "wb") as f:
        f.write(data[:len(data) // 2])

    rc, err = run_updater(kiosk, tmp, cert)
    check(rc == 1, f"the updater exited {rc} (expected 1: rauc install cannot reach its "
                   f"service): {err}")
    check("1.2.0: downloaded" in err and "1.2.0: installing" in err, f"updater said: {err}")
    check(re.search(r"GET /updates/wowkiosk-1\.2\.0\.raucb 206 ", served.text_log()),
          "the updater did not resume with a Range request (no 206 in the dashboard's log)")
    with open(os.path.join(kiosk.update, "state")) as f:
        state = f.read()
    check("state=failed" in state and "slot=A" in state, f"state file: {state}")
    row = wait_until("the kiosk's heartbeat with the update's failure",
                     lambda: reported(fleet, "1.2.0", "failed"))
    check(row[0] == "A" and row[3].startswith("rauc install:"),
          f"kiosks row: {row}")

    dash(fleet.db, "rollout", "status")
    stage, note = fleet.stage()
    check(stage == "paused" and KID in note, f"rollout {stage}: {note}")


def check_stopped(fleet, kiosk):
    dash(fleet.db, "rollout", "stop", "--note", "test over")
    wait_until("the offer file removed after the rollout stopped", lambda: kiosk.offer() is None)


def offer_new(fleet, kiosk, tmp, cert, key, port, version):
    """A bundle of version published and rolled out to the kiosk, until its offer file says
    so; the bundle's path."""
    bundle = make_bundle(tmp, version, key, cert)
    url = "http://127.0.0.1:%d/updates/wowkiosk-%s.raucb" % (port, version)
    dash(fleet.db, "bundle", "publish", bundle, "--url", url, "--keyring", cert)
    dash(fleet.db, "rollout", "start", version, "--canary", KID)
    wait_until(f"the {version} offer", lambda: (kiosk.offer() or {}).get("version") == version)
    return bundle


def refused_and_stopped(fleet, kiosk, version, why):
    """The heartbeat reports version refused with why in its error; the rollout is then
    stopped and the offer file goes."""
    row = wait_until("the heartbeat's refusal", lambda: reported(fleet, version, "refused"))
    check(why in row[3], f"kiosks row: {row}")
    dash(fleet.db, "rollout", "stop", "--note", "next")
    wait_until("the offer file removed", lambda: kiosk.offer() is None)


def check_refused(fleet, kiosk, tmp, cert, key, port):
    bundle = offer_new(fleet, kiosk, tmp, cert, key, port, "1.3.0")
    with open(bundle, "r+b") as f:  # the server now sends other bytes of the same size
        f.seek(100)
        f.write(b"\x00" * 16 if f.read(16) != b"\x00" * 16 else b"\x01" * 16)
    rc, err = run_updater(kiosk, tmp, cert)
    check(rc == 1 and "refused" in err and "SHA-256" in err, f"updater ({rc}): {err}")
    check(not os.path.exists(os.path.join(kiosk.update, "download", "1.3.0.raucb")),
          "a refused download is kept")
    refused_and_stopped(fleet, kiosk, "1.3.0", "SHA-256")


def check_no_space(fleet, kiosk, tmp, cert, key, port):
    """A download that would leave the store less than its reserve is refused before a byte
    is fetched (the reserve raised past the disk's free space)."""
    offer_new(fleet, kiosk, tmp, cert, key, port, "1.3.1")
    rc, err = run_updater(kiosk, tmp, cert, WOWKIOSK_UPDATE_RESERVE_MB=str(1 << 40))
    check(rc == 1 and "refused" in err and "not enough space on the data partition" in err,
          f"updater ({rc}): {err}")
    check(not os.path.exists(os.path.join(kiosk.update, "download", "1.3.1.raucb.part")),
          "a download without room was started")
    refused_and_stopped(fleet, kiosk, "1.3.1", "MiB stay for the store")


def check_hostile(fleet, kiosk, tmp, cert, key):
    bundle = make_bundle(tmp, "1.4.0", key, cert)
    dash(fleet.db, "bundle", "publish", bundle, "--url", "http://127.0.0.1:9/b.raucb",
         "--keyring", cert)
    dash(fleet.db, "rollout", "start", "1.4.0", "--canary", KID)
    wait_until("the 1.4.0 offer", lambda: (kiosk.offer() or {}).get("version") == "1.4.0")
    for url, what in (("file:///etc/shadow", "file://"),
                      ("http://x/b.raucb\nsha256=" + "0" * 64, "a newline")):
        fleet.sql("UPDATE kiosk_update SET url = '%s' WHERE kiosk_id = '%s'"
                  % (url.replace("'", "''"), KID))
        wait_until(f"the offer file removed for a URL with {what}", lambda: kiosk.offer() is None)
        row = wait_until(f"the heartbeat's refusal of a URL with {what}",
                         lambda: reported(fleet, "1.4.0", "refused"))
        check(row[3].startswith("the offer's url: expected http://"),
              f"kiosks row: {row}")
        fleet.sql("UPDATE kiosk_update SET url = 'http://127.0.0.1:9/b.raucb'"
                  " WHERE kiosk_id = '%s'" % KID)
        wait_until("the offer written again", lambda: kiosk.offer() is not None)
        wait_until("the refusal withdrawn", lambda: kiosk_row(fleet)[1] != "1.4.0")


def main():
    if not shutil.which("rauc") or not shutil.which("curl"):
        print("test_rollout_kiosk: skipped (rauc or curl is not installed)")
        return 77
    with tempfile.TemporaryDirectory(prefix="wowrollout-kiosk-") as tmp:
        fleet = kiosk = served = None
        try:
            key, cert = make_key(tmp, "wowkiosk-dev")
            fleet = Fleet(tmp)
            site = os.path.join(tmp, "bundles")
            os.makedirs(site)
            served = Server(WOWDASH, fleet.db, tmp, extra=["--bundles", site])
            made = make_bundle(tmp, "1.2.0", key, cert)
            url = "http://127.0.0.1:%d/updates/%s" % (served.port, os.path.basename(made))
            check_publish_refusals(fleet, made, cert, site, url)
            dash(fleet.db, "bundle", "publish", made, "--url", url, "--keyring", cert,
                 "--bundles", site)  # copied where the dashboard serves it
            bundle = os.path.join(site, os.path.basename(made))
            with open(made, "rb") as a, open(bundle, "rb") as b:
                check(a.read() == b.read(), "the copy in --bundles differs from the bundle")
            dash(fleet.db, "rollout", "start", "1.2.0", "--canary", KID)
            kiosk = Kiosk(tmp, fleet.kiosk_target)
            for name, step in (
                    ("serving", lambda: check_serving(served.port, site, bundle)),
                    ("offer and install", lambda: check_offer_and_install(
                        fleet, kiosk, tmp, cert, bundle, url, served)),
                    ("stopped", lambda: check_stopped(fleet, kiosk)),
                    ("refused", lambda: check_refused(fleet, kiosk, site, cert, key, served.port)),
                    ("no space", lambda: check_no_space(fleet, kiosk, site, cert, key,
                                                        served.port)),
                    ("hostile", lambda: check_hostile(fleet, kiosk, tmp, cert, key))):
                step()
                check(kiosk.proc.poll() is None, f"the kiosk exited ({kiosk.proc.returncode})")
                print(f"ok {ENGINE} {name}", flush=True)
        except CheckFailed as e:
            print(f"FAILED: {e}", file=sys.stderr)
            if kiosk:
                kiosk.stop()
                with open(os.path.join(tmp, "kiosk.log")) as f:
                    sys.stderr.write("--- the kiosk's log (last 40 lines)\n"
                                     + "".join(f.readlines()[-40:]))
                kiosk = None
            return 1
        finally:
            if kiosk:
                kiosk.stop()
            if served:
                served.stop()
            if fleet:
                fleet.drop()
    print(f"test_rollout_kiosk {ENGINE}: offer, may-install, download, failed install reported "
          "and pausing, stop, refused download, no space, hostile offer")
    return 0


if __name__ == "__main__":
    sys.exit(main())
