#!/usr/bin/env python3
"""End-to-end: the catalog flows down to a real wowkiosk (docs/CATALOG.md).

Usage: WOW_PG_STATE=STATEFILE test_catalog.py WOWKIOSK WOWDASH

Against the PostgreSQL fixture, with kiosks made by `wowdash kiosk add`:
  role     as the kiosk's own role: it reads its own kiosk_catalog row and
           no other kiosk's, cannot INSERT, UPDATE or DELETE kiosk_catalog,
           and cannot read catalog_versions or catalog_names.
  kiosk    the real binary (SDL dummy driver, --script, --screenshot) syncing
           through a fault proxy as its own role:
           - version 2 arrives while a customer is on the follow-up screen: it
             is checked at once but applied only after the flow ends; the
             follow-up on screen does not change, the next one shows version
             2's reason labels;
           - version 3 is refused (a value out of range): the kiosk keeps
             version 2, and kiosks.catalog_error says why, naming the line;
           - offline (the proxy refuses) through versions 4 and 5, then back
             online: it fetches and runs 5, never 4.
  seed     the SQLite default: a picker kiosk whose shared file has no catalog
           seeds it from its own config (version 1, made by kiosk:ID), fetches
           its own rendering, runs it and reports it with its departments; a
           second start seeds nothing.
"""
import os
import re
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "sync"))
from e2e_checks import SLOW, expect, finish, temp_dir  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402
from pg_cluster import Cluster  # noqa: E402

WOWKIOSK, WOWDASH = sys.argv[1], sys.argv[2]
PG = Cluster.from_state(os.environ["WOW_PG_STATE"])
TAG = str(os.getpid())
DB = f"wow_catalog_{TAG}"
KIOSK, OTHER = f"cat{TAG}", f"other{TAG}"


def dash(*args):
    r = subprocess.run([WOWDASH, *args], capture_output=True, text=True, timeout=60 * SLOW)
    assert r.returncode == 0, f"wowdash {' '.join(args)} failed ({r.returncode}): {r.stderr}"
    return r.stdout


def owner(sql):
    return PG.psql(sql, dbname=DB).strip()


def sql_text(s):
    return "'" + s.replace("'", "''") + "'"


def catalog(version, negative_label, extra=""):
    """A rendering for the kiosk: what `wowdash catalog import` writes into kiosk_catalog."""
    return (f"[catalog]\nversion = {version}\n\n[kiosk]\nlanguages = en\nmode = single\n"
            "department = front\n\n[department front]\nname = Front desk\n\n"
            f"[reason slow]\nlabel = {negative_label}\nfor = negative\n\n"
            f"[reason fast]\nlabel = Fast service v{version}\nfor = positive\n\n"
            f"[followup]\ntimeout_s = 60\n{extra}")


def publish(version, body):
    owner(f"INSERT INTO kiosk_catalog VALUES ({sql_text(KIOSK)}, {version}, {sql_text(body)})"
          " ON CONFLICT (kiosk_id) DO UPDATE SET version = excluded.version,"
          " body = excluded.body")


def target_of(config_text):
    m = re.search(r"^target = (.*)$", config_text, re.M)
    assert m, f"no target line in {config_text!r}"
    return m.group(1)


# ---- role ----

def as_role(target, sql):
    """(ok, stdout or stderr) of sql run as the kiosk's own role."""
    r = subprocess.run([PG._bin("psql"), "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1",
                        "-d", target, "-c", sql], capture_output=True, text=True, timeout=60)
    return r.returncode == 0, (r.stdout if r.returncode == 0 else r.stderr).strip()


def check_role(target):
    owner("INSERT INTO catalog_versions VALUES (1, 0, 'test', 'role check', '[catalog]');"
          "INSERT INTO catalog_names VALUES ('department', 'front', '', 'Front desk');"
          f"INSERT INTO kiosk_catalog VALUES ({sql_text(OTHER)}, 1, 'not yours')")
    publish(1, catalog(1, "Waiting time v1"))
    ok, out = as_role(target, "SELECT kiosk_id || ':' || version FROM kiosk_catalog")
    expect(ok and out == f"{KIOSK}:1", f"role: its kiosk_catalog reads {out!r}, expected only "
                                       f"its own row {KIOSK}:1")
    ok, out = as_role(target, f"SELECT count(*) FROM kiosk_catalog WHERE kiosk_id = '{OTHER}'")
    expect(ok and out == "0", f"role: sees another kiosk's catalog: {out!r}")
    for sql in (f"INSERT INTO kiosk_catalog VALUES ('{KIOSK}x', 9, 'x')",
                f"UPDATE kiosk_catalog SET body = 'mine' WHERE kiosk_id = '{KIOSK}'",
                f"DELETE FROM kiosk_catalog WHERE kiosk_id = '{KIOSK}'",
                "SELECT count(*) FROM catalog_versions",
                "SELECT count(*) FROM catalog_names"):
        ok, out = as_role(target, sql)
        expect(not ok and "permission denied" in out,
               f"role: {sql!r} was not refused with permission denied: {ok} {out!r}")
    expect(owner(f"SELECT body FROM kiosk_catalog WHERE kiosk_id = '{KIOSK}'")
           .startswith("[catalog]"), "role: its catalog row changed")


# ---- kiosk ----

class Script:
    """A --script; mark(name) is a marker the test acts on when the kiosk logs it."""

    def __init__(self):
        self.lines, self.marks = [], {}

    def add(self, *lines):
        self.lines.extend(lines)

    def mark(self, name):
        self.lines.append("advance 0")
        self.marks[len(self.lines)] = name

    def text(self):
        return "\n".join(self.lines + ["quit", ""])


def kiosk_config(target):
    return (f"[kiosk]\nid = {KIOSK}\nsite = HQ\nlanguages = en\nmode = single\n"
            "department = front\n\n[department front]\nname = Front desk\n\n"
            "[reason slow]\nlabel = Waiting time v1\nfor = negative\n\n"
            "[reason fast]\nlabel = Fast service v1\nfor = positive\n\n"
            "[followup]\ntimeout_s = 60\n\n[screen]\nack_ms = 100\nthanks_s = 1\n\n"
            "[press_filter]\nmin_interval_s = 0\nburst_count = 0\n\n"
            f"[sync]\ntarget = {target}\ninterval_s = 1\n")


def script():
    s = Script()
    follow = ["tap face:1", "wait 800"]
    s.add("wait 3000")  # first rounds: the heartbeat; version 1 is fetched and applied
    s.add(*follow, "screenshot")                     # shot-001: the follow-up, version 1
    s.mark("midflow")                                # version 2 published
    s.add("wait %d" % (6000 * SLOW), "screenshot")   # shot-002: the same follow-up
    s.add("tap reason:1", "wait 3000")               # thanks, then idle: version 2 applied
    s.add(*follow, "screenshot", "tap skip", "wait 2000")   # shot-003: version 2's labels
    s.mark("refuse")                                 # version 3, refused
    s.add("wait %d" % (6000 * SLOW))
    s.add(*follow, "screenshot", "tap skip", "wait 2000")   # shot-004: still version 2
    s.mark("offline")                                # proxy refuses; version 4 published
    s.add("wait 2500")
    s.mark("v5")                                     # version 5 published
    s.add("wait 2500")
    s.mark("online")                                 # proxy passes again
    s.add("wait %d" % (20000 * SLOW))
    s.add(*follow, "screenshot", "tap skip", "wait 2000")   # shot-005: version 5's labels
    s.mark("end")
    return s


def run_kiosk(tmp, proxy, target):
    conf = os.path.join(tmp, "kiosk.conf")
    shots = os.path.join(tmp, "shots")
    state = os.path.join(tmp, "state")
    os.mkdir(shots)
    os.mkdir(state)
    via_proxy = re.sub(r"port=\d+", f"port={proxy.port}", target)
    with open(conf, "w") as f:
        f.write(kiosk_config(via_proxy))
    sc = script()
    script_path = os.path.join(tmp, "run.script")
    with open(script_path, "w") as f:
        f.write(sc.text())
    seen = {}

    def on_mark(name):
        if name == "midflow":
            publish(2, catalog(2, "Waiting time v2"))
        elif name == "refuse":
            publish(3, catalog(3, "Waiting time v3", "\n[screen]\nthanks_s = 999\n"))
        elif name == "offline":
            seen["refused"] = owner("SELECT catalog_version || '|' || catalog_error FROM kiosks "
                                    f"WHERE kiosk_id = '{KIOSK}'")
            proxy.refuse()
            publish(4, catalog(4, "Waiting time v4"))
        elif name == "v5":
            publish(5, catalog(5, "Waiting time v5"))
        elif name == "online":
            proxy.passthrough()
        elif name == "end":
            seen["end"] = owner("SELECT catalog_version || '|' || catalog_error || '|' || mode"
                                f" FROM kiosks WHERE kiosk_id = '{KIOSK}'")

    env = dict(os.environ, STATE_DIRECTORY=state, XDG_DATA_HOME=os.path.join(tmp, "xdg"))
    argv = [WOWKIOSK, "--config", conf, "--override", "none", "--windowed", "800x480",
            "--store", os.path.join(tmp, "kiosk.db"), "--screenshot", shots,
            "--script", script_path]
    proc = subprocess.Popen(argv, env=env, stderr=subprocess.PIPE, text=True)
    lines = []
    marks = {}

    def read():
        for line in proc.stderr:
            line = line.rstrip("\n")
            m = re.search(r"script: wall clock advanced 0 ms at line (\d+)", line)
            if m and int(m.group(1)) in sc.marks:
                name = sc.marks[int(m.group(1))]
                marks[name] = len(lines)
                on_mark(name)
            lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        rc = proc.wait(180 * SLOW)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        rc = "timeout"
    reader.join(10)
    sys.stderr.write("\n".join(lines) + "\n")
    expect(rc == 0, f"wowkiosk exited {rc}")
    return lines, marks, seen, shots, os.path.join(tmp, "kiosk.db")


def first(lines, pattern, start=0):
    for i in range(start, len(lines)):
        if re.search(pattern, lines[i]):
            return i
    return None


def png(shots, n):
    path = os.path.join(shots, "shot-%03d.png" % n)
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        return f.read()


def check_kiosk(lines, marks, seen, shots, store):
    for name in ("midflow", "refuse", "offline", "online", "end"):
        expect(name in marks, f"the kiosk never reached marker {name}")
    if len(marks) < 5:
        return
    passes = first(lines, r"catalog: version 2 passes")
    ended = first(lines, r"followup committed tap=", marks["midflow"])
    applied = first(lines, r"catalog: version 2 applied")
    expect(None not in (passes, ended, applied) and marks["midflow"] < passes < ended < applied,
           f"version 2: published at line {marks['midflow']}, passed at {passes}, the "
           f"follow-up ended at {ended}, applied at {applied}: expected in that order")
    expect(first(lines, r"catalog: version 3 refused.*thanks_s") is not None,
           "version 3 was not refused naming screen.thanks_s")
    expect(seen.get("refused", "").startswith("2|version 3: catalog v3:") and
           "thanks_s" in seen.get("refused", ""),
           f"kiosks after the refusal: {seen.get('refused')!r}, expected catalog_version 2 and "
           "catalog_error 'version 3: catalog v3:LINE: screen.thanks_s: ...'")
    expect(first(lines, r"catalog version 4 received") is None,
           "version 4, published and replaced while the kiosk was offline, was fetched")
    received5 = first(lines, r"catalog version 5 received", marks["online"])
    applied5 = first(lines, r"catalog: version 5 applied", marks["online"])
    expect(received5 is not None and applied5 is not None,
           "back online, the kiosk did not fetch and apply version 5")
    expect(seen.get("end") == "5||single",
           f"kiosks at the end: {seen.get('end')!r}, expected '5||single'")
    import sqlite3
    con = sqlite3.connect(store)
    rows = con.execute("SELECT version, state FROM catalogs ORDER BY seq").fetchall()
    con.close()
    expect(rows == [(1, "applied"), (2, "applied"), (3, "refused"), (5, "applied")],
           f"the store's catalogs: {rows}")
    shot = [None] + [png(shots, n) for n in range(1, 6)]
    expect(None not in shot[1:], f"screenshots missing in {shots}: {os.listdir(shots)}")
    if None in shot[1:]:
        return
    expect(shot[1] == shot[2], "the follow-up on screen changed while the customer was on it")
    expect(shot[3] != shot[2], "the follow-up after version 2 looks as version 1's did")
    expect(shot[4] == shot[3], "after the refused version 3 the follow-up changed")
    expect(shot[5] != shot[4], "after version 5 the follow-up looks as version 2's did")


# ---- seed ----

SEED_CONFIG = """\
[kiosk]
id = seed-kiosk
languages = en
mode = picker

[department front]
name = Front desk

[department it]
name = IT support

[reason slow]
label = Waiting time
for = negative

[sync]
interval_s = 1
"""


def run_plain(tmp, conf, shared, name):
    state = os.path.join(tmp, "state")
    os.makedirs(state, exist_ok=True)
    script_path = os.path.join(tmp, f"{name}.script")
    with open(script_path, "w") as f:
        f.write("wait %d\nquit\n" % (4000 * SLOW))
    env = dict(os.environ, STATE_DIRECTORY=state, XDG_DATA_HOME=os.path.join(tmp, "xdg"))
    r = subprocess.run([WOWKIOSK, "--config", conf, "--override", "none", "--windowed", "800x480",
                        "--store", os.path.join(tmp, "kiosk.db"), "--sync", shared,
                        "--script", script_path], env=env, capture_output=True, text=True,
                       timeout=120 * SLOW)
    sys.stderr.write(r.stderr)
    expect(r.returncode == 0, f"seed {name}: wowkiosk exited {r.returncode}")
    return r.stderr


def check_seed():
    import sqlite3
    tmp = temp_dir("wowseed-")
    conf = os.path.join(tmp, "kiosk.conf")
    shared = os.path.join(tmp, "shared.db")
    with open(conf, "w") as f:
        f.write(SEED_CONFIG)
    log = run_plain(tmp, conf, shared, "first")
    expect("seeded version 1" in log, "seed: the first start did not seed the empty catalog")
    con = sqlite3.connect(shared)
    versions = con.execute("SELECT version, made_by, note, body FROM catalog_versions").fetchall()
    mine = con.execute("SELECT kiosk_id, version, body FROM kiosk_catalog").fetchall()
    beat = con.execute("SELECT catalog_version, catalog_error, mode, department, departments"
                       " FROM kiosks").fetchall()
    con.close()
    expect(len(versions) == 1 and versions[0][:3] == (1, "kiosk:seed-kiosk",
                                                      "seeded from the kiosk's config"),
           f"seed: catalog_versions {[v[:3] for v in versions]}")
    expect(versions and "[department front]" in versions[0][3] and "Front desk" in versions[0][3]
           and "[department it]" in versions[0][3], f"seed: the fleet document {versions}")
    expect(len(mine) == 1 and mine[0][:2] == ("seed-kiosk", 1) and "version = 1" in mine[0][2],
           f"seed: kiosk_catalog {mine}")
    expect(beat == [(1, "", "picker", "", "front,it")],
           f"seed: the heartbeat {beat}, expected version 1, picker, '' and 'front,it'")
    with open(conf, "a") as f:
        f.write("\n[department cafe]\nname = Cafe\n")
    log = run_plain(tmp, conf, shared, "second")
    expect("seeded" not in log, "seed: a second start seeded again")
    con = sqlite3.connect(shared)
    n = con.execute("SELECT count(*) FROM catalog_versions").fetchone()[0]
    con.close()
    expect(n == 1, f"seed: {n} catalog versions after a second start")


def main():
    check_seed()
    tmp = temp_dir("wowcatalog-")
    PG.psql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    PG.create_database(DB)
    try:
        conninfo = PG.conninfo(dbname=DB)
        dash("migrate", "--db", conninfo)
        target = target_of(dash("kiosk", "add", KIOSK, "--department", "front", "--site", "HQ",
                                "--db", conninfo, "--sslmode", "disable"))
        dash("kiosk", "add", OTHER, "--department", "front", "--db", conninfo,
             "--sslmode", "disable")
        check_role(target)
        with FaultProxy(PG.port) as proxy:
            check_kiosk(*run_kiosk(tmp, proxy, target))
    finally:
        for role in (KIOSK, OTHER):
            try:
                PG.psql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE);'
                        f'DROP ROLE IF EXISTS "kiosk_{role}"')
            except RuntimeError as e:
                sys.stderr.write(f"cleanup: {e}\n")
    finish("test_catalog", "test_catalog: role, mid-flow, refused and offline checks passed")


if __name__ == "__main__":
    main()
