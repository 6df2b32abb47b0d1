#!/usr/bin/env python3
"""Staged rollouts of signed system bundles (docs/DEPLOY.md, "Rolling out from the dashboard").

Usage: test_rollout.py WOWDASH sqlite|postgres

Bundles are made here with RAUC and a development key (plain format: the host has no
device-mapper); the kiosks' heartbeats are written as each kiosk's own role would (on
PostgreSQL, through that role: row-level security applies).
  publish   a bundle signed by another key, or changed after signing, is refused with RAUC's
            reason and nothing recorded; a good one is recorded with its SHA-256 and size; the
            same version twice is refused
  canary    a rollout to an unknown kiosk is refused; to k1 offers it to k1 only (PostgreSQL:
            k1's role reads its own offer, k2's role none, and neither may write one)
  promote   with k1 on the version, the fleet stage offers it to the others, not to k1
  pause     k2 reports "failed": `rollout status` (and the server's refresh) pauses it by
            itself, naming k2; nobody is offered it; resuming does not offer it to k2 again
  page      the fleet page (wowdash serve, logged in) shows the rollout paused, the note
            naming k2, and k2's "failed its self-test"; a technician sees it and may not act
            on it (403) until `wowdash user rollouts tom on`, then resumes and pauses it (its
            name kept as who changed it), and is refused again after `off`
  done      with every kiosk on the version, the fleet stage ends as done
Exit 77 (skipped) without rauc.
"""
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_dash_http import CheckFailed, Client, Server, Target, check  # noqa: E402

WOWDASH, ENGINE = sys.argv[1], sys.argv[2]
K2_ERROR = "self-test exit 1 on slot B: display: no display device"


def run(cmd, ok=True, stdin=None):
    r = subprocess.run(cmd, capture_output=True, text=True, input=stdin, timeout=120)
    if ok and r.returncode != 0:
        raise CheckFailed(f"{' '.join(cmd)} exited {r.returncode}: {r.stderr}")
    return r


def dash(db, *args, ok=True, stdin=None):
    return run([WOWDASH, *args, "--db", db], ok=ok, stdin=stdin)


def make_key(tmp, name):
    key, cert = os.path.join(tmp, name + ".key"), os.path.join(tmp, name + ".pem")
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
         "-subj", "/O=wowkiosk tests/CN=" + name, "-days", "2"])
    return key, cert


def make_bundle(tmp, version, key, cert):
    d = os.path.join(tmp, "in-" + version)
    os.makedirs(d)
    with open(os.path.join(d, "root.ext4"), "wb") as f:
        f.write(os.urandom(64 * 1024))
    with open(os.path.join(d, "boot.vfat"), "wb") as f:
        f.write(os.urandom(8 * 1024))
    with open(os.path.join(d, "manifest.raucm"), "w") as f:
        f.write("[update]\ncompatible=wowkiosk-rpi-arm64\nversion=%s\n[image.boot]\n"
                "filename=boot.vfat\n[image.rootfs]\nfilename=root.ext4\n" % version)
    out = os.path.join(tmp, "wowkiosk-%s.raucb" % version)
    run(["rauc", "bundle", "--cert", cert, "--key", key, d, out])
    return out


class Fleet:
    """The database, and a way to write each kiosk's heartbeat as its own role."""

    def __init__(self, tmp):
        self.target = Target(ENGINE, tmp, "rollout")
        self.db = self.target.conninfo
        dash(self.db, "migrate")
        self.roles = {}
        for k in ("k1", "k2", "k3"):
            extra = ["--sslmode", "disable"] if ENGINE == "postgres" else []
            r = dash(self.db, "kiosk", "add", k, "--department", "front", *extra)
            m = re.search(r"^target = (.*)$", r.stdout, re.M)
            self.roles[k] = m.group(1) if m else None
        self.heartbeat("k1", "1.0.0")
        self.heartbeat("k2", "1.0.0")
        self.heartbeat("k3", "1.0.0")

    def sql(self, statement, role=None):
        """Runs statement as the owner, or as kiosk role's conninfo; the rows, '|'-joined."""
        if ENGINE == "sqlite":
            con = sqlite3.connect(self.db)
            try:
                rows = con.execute(statement).fetchall()
                con.commit()
            finally:
                con.close()
            return ["|".join("" if v is None else str(v) for v in row) for row in rows]
        conninfo = self.roles[role] if role else self.db
        r = run(["psql", conninfo, "-AtX", "-v", "ON_ERROR_STOP=1", "-c", statement], ok=False)
        if r.returncode != 0:
            raise PermissionError(r.stderr.strip())
        return [line for line in r.stdout.splitlines() if line]

    def heartbeat(self, kiosk, version, update_version="", state="", error=""):
        self.sql("UPDATE kiosks SET app_version = '%s', update_version = '%s', update_state = '%s',"
                 " update_error = '%s', slot = 'A', last_seen_ms = %d WHERE kiosk_id = '%s'"
                 % (version, update_version, state, error, int(time.time() * 1000), kiosk),
                 role=kiosk)

    def offers(self):
        return sorted(r.split("|")[0] for r in self.sql("SELECT kiosk_id FROM kiosk_update"))

    def stage(self):
        return self.sql("SELECT stage, note FROM update_rollouts ORDER BY rollout_id DESC"
                        " LIMIT 1")[0].split("|", 1)


def check_publish(fleet, tmp, key, cert):
    okey, ocert = make_key(tmp, "someone-else")
    forged = make_bundle(tmp, "9.9.9", okey, ocert)
    good = make_bundle(tmp, "1.1.0", key, cert)
    changed = os.path.join(tmp, "changed.raucb")
    shutil.copy(good, changed)
    with open(changed, "r+b") as f:
        f.seek(1024)
        b = f.read(1)
        f.seek(1024)
        f.write(bytes([b[0] ^ 1]))
    url = "http://127.0.0.1:9/wowkiosk-1.1.0.raucb"
    for bundle, why in ((forged, "signature verification failed"),
                        (changed, "refused: ")):
        r = dash(fleet.db, "bundle", "publish", bundle, "--url", url, "--keyring", cert, ok=False)
        check(r.returncode == 1 and why in r.stderr, f"publish {bundle}: {r.returncode} {r.stderr}")
    check(fleet.sql("SELECT count(*) FROM update_bundles") == ["0"], "a refused bundle recorded")
    r = dash(fleet.db, "bundle", "publish", good, "--url", url, "--keyring", cert)
    with open(good, "rb") as f:
        data = f.read()
    row = fleet.sql("SELECT version, url, sha256, size, signer FROM update_bundles")
    want = "1.1.0|%s|%s|%d|O = wowkiosk tests, CN = wowkiosk-dev" % (
        url, hashlib.sha256(data).hexdigest(), len(data))
    check(row == [want], f"published {row}, expected {want!r} ({r.stdout})")
    r = dash(fleet.db, "bundle", "publish", good, "--url", url, "--keyring", cert, ok=False)
    check(r.returncode == 1 and "already published" in r.stderr, f"twice: {r.stderr}")
    r = dash(fleet.db, "bundle", "publish", good, "--url", "file:///x", "--keyring", cert,
             ok=False)
    check(r.returncode == 2 and "--url" in r.stderr, f"file URL: {r.stderr}")


def check_canary(fleet):
    r = dash(fleet.db, "rollout", "start", "1.1.0", "--canary", "k1,nobody", ok=False)
    check(r.returncode == 1 and "no kiosk 'nobody'" in r.stderr, f"unknown canary: {r.stderr}")
    r = dash(fleet.db, "rollout", "start", "2.0.0", "--canary", "k1", ok=False)
    check(r.returncode == 1 and "not published" in r.stderr, f"unpublished: {r.stderr}")
    dash(fleet.db, "rollout", "start", "1.1.0", "--canary", "k1", "--by", "alice")
    check(fleet.offers() == ["k1"], f"canary offers {fleet.offers()}")
    r = dash(fleet.db, "rollout", "start", "1.1.0", "--canary", "k2", ok=False)
    check("before starting another" in r.stderr, f"a second rollout: {r.stderr}")
    if ENGINE != "postgres":
        return
    check(fleet.sql("SELECT version FROM kiosk_update", role="k1") == ["1.1.0"],
          "k1's role reads its own offer")
    check(fleet.sql("SELECT count(*) FROM kiosk_update", role="k2") == ["0"],
          "k2's role reads k1's offer")
    for forged in ("INSERT INTO kiosk_update VALUES ('k2', 1, '1.1.0', 'http://evil/', '%s', 1)"
                   % ("0" * 64), "DELETE FROM kiosk_update",
                   "UPDATE update_rollouts SET stage = 'fleet'"):
        try:
            fleet.sql(forged, role="k2")
            check(False, f"k2's role may {forged!r}")
        except PermissionError as e:
            check("permission denied" in str(e), f"{forged!r}: {e}")


def check_promote_and_pause(fleet):
    fleet.heartbeat("k1", "1.0.0", "1.1.0", "installing")
    dash(fleet.db, "rollout", "status")
    check(fleet.stage()[0] == "canary", f"installing paused it: {fleet.stage()}")
    fleet.heartbeat("k1", "1.1.0", "1.1.0", "good")
    dash(fleet.db, "rollout", "promote", "--by", "alice")
    check(fleet.offers() == ["k2", "k3"], f"fleet offers {fleet.offers()}")
    fleet.heartbeat("k2", "1.0.0", "1.1.0", "failed", K2_ERROR)
    r = dash(fleet.db, "rollout", "status")
    stage, note = fleet.stage()
    check(stage == "paused" and "k2" in note and "failed" in note, f"after k2 failed: {stage} {note}")
    check("paused (from fleet)" in r.stdout, f"status says {r.stdout!r}")
    check(fleet.offers() == [], f"paused, yet offered to {fleet.offers()}")


def check_page(fleet, tmp):
    dash(fleet.db, "user", "add", "admin", "--role", "admin", "--password-stdin",
         stdin="pw-admin-rollout\n")
    server = Server(WOWDASH, fleet.db, tmp)
    try:
        c = Client(server.port)
        c.login("admin", "pw-admin-rollout")
        r = c.get("/fleet")
        body = r.text
        for want in ("Update 1.1.0", "paused", "kiosk k2 reports 1.1.0 failed",
                     "failed its self-test", "update to 1.1.0:"):
            check(want in body, f"the fleet page lacks {want!r}")
        check("1 of 3 kiosks in this stage run it" in body, "the fleet page's progress")
        check(K2_ERROR in body, "the fleet page does not say why k2's update failed")
        r = c.get("/api/v1/kiosks")
        k2 = [k for k in r.json()["items"] if k["kiosk_id"] == "k2"]
        check(r.status == 200 and k2 and
              (k2[0]["slot"], k2[0]["update_version"], k2[0]["update_state"],
               k2[0]["update_error"]) == ("A", "1.1.0", "failed", K2_ERROR),
              f"/api/v1/kiosks: k2's update report {k2}")
        with open(os.path.join(tmp, "fleet-rollout.html"), "w") as f:
            f.write(body)
        check_technician(fleet, server)
    finally:
        server.stop()


def rollout_post(client, action, note=""):
    csrf = client.csrf("/fleet")
    return client.post("/fleet/rollout", {"action": action, "note": note, "csrf": csrf})


def check_technician(fleet, server):
    """A technician sees the rollout; acts on it only while an admin allows it (schema step 16),
    from the next request on, in the same session."""
    dash(fleet.db, "user", "add", "tom", "--role", "technician", "--password-stdin",
         stdin="pw-tech-rollout\n")
    tom = Client(server.port)
    tom.login("tom", "pw-tech-rollout")
    body = tom.get("/fleet").text
    check("Update 1.1.0" in body and "rollout-act" not in body,
          "a technician not allowed: the rollout, without its actions")
    r = rollout_post(tom, "resume")
    check(r.status == 403 and "wowdash user rollouts NAME on" in r.text,
          f"a technician not allowed resumed: {r!r}")
    check(fleet.stage()[0] == "paused", f"after the refused resume: {fleet.stage()}")
    r = tom.post("/fleet/rollout/start", {"version": "1.1.0", "canary": "k1",
                                          "csrf": tom.csrf("/fleet")})
    check(r.status == 403 and "wowdash user rollouts NAME on" in r.text,
          f"a technician not allowed started a rollout: {r!r}")

    dash(fleet.db, "user", "rollouts", "tom", "on")
    body = tom.get("/fleet").text
    check('action="/fleet/rollout"' in body and 'value="resume"' in body,
          "the allowed technician is not offered Resume")
    r = rollout_post(tom, "resume", "tom: k2 has a new card")
    check(r.status == 303, f"the allowed technician's resume: {r!r}")
    by = fleet.sql("SELECT stage, changed_by, note FROM update_rollouts ORDER BY rollout_id DESC"
                   " LIMIT 1")[0]
    check(by == "fleet|tom|tom: k2 has a new card", f"after tom's resume: {by}")
    note = re.search(r'<section class="rollout[^"]*">.*?<p class="note">(.*?)</p>',
                     tom.get("/fleet").text, re.S)
    check(note and "tom: k2 has a new card" in note.group(1) and "by tom" in note.group(1),
          f"the page does not say who resumed it: {note and note.group(1)!r}")
    r = rollout_post(tom, "pause", "tom: back to paused")
    check(r.status == 303 and fleet.stage()[0] == "paused", f"tom's pause: {r!r} {fleet.stage()}")

    dash(fleet.db, "user", "rollouts", "tom", "off")
    r = rollout_post(tom, "stop")
    check(r.status == 403 and fleet.stage()[0] == "paused",
          f"no longer allowed, yet: {r!r} {fleet.stage()}")
    check("rollout-act" not in tom.get("/fleet").text, "no longer allowed, yet offered actions")


def check_resume_and_done(fleet):
    dash(fleet.db, "rollout", "resume")
    check(fleet.stage()[0] == "fleet", f"resumed: {fleet.stage()}")
    check(fleet.offers() == ["k3"], f"resumed offers {fleet.offers()} (k2 failed it)")
    fleet.heartbeat("k2", "1.1.0", "1.1.0", "good")  # a technician installed it by hand
    fleet.heartbeat("k3", "1.1.0", "1.1.0", "good")
    dash(fleet.db, "rollout", "status")
    check(fleet.stage() == ["done", "every kiosk runs it"], f"at the end: {fleet.stage()}")
    check(fleet.offers() == [], f"done, yet offered to {fleet.offers()}")
    r = dash(fleet.db, "rollout", "promote", ok=False)
    check(r.returncode == 1 and "cannot promote a rollout that is done" in r.stderr, r.stderr)


def main():
    if not shutil.which("rauc"):
        print("test_rollout: skipped (rauc is not installed)")
        return 77
    with tempfile.TemporaryDirectory(prefix="wowrollout-") as tmp:
        fleet = None
        try:
            key, cert = make_key(tmp, "wowkiosk-dev")
            fleet = Fleet(tmp)
            for name, step in (("publish", lambda: check_publish(fleet, tmp, key, cert)),
                               ("canary", lambda: check_canary(fleet)),
                               ("promote and pause", lambda: check_promote_and_pause(fleet)),
                               ("page", lambda: check_page(fleet, tmp)),
                               ("resume and done", lambda: check_resume_and_done(fleet))):
                step()
                print(f"ok {ENGINE} {name}", flush=True)
        except CheckFailed as e:
            print(f"FAILED: {e}", file=sys.stderr)
            return 1
        finally:
            if fleet:
                fleet.target.drop()
    print(f"test_rollout {ENGINE}: publish, canary, promote, pause by itself, page, done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
