#!/usr/bin/env python3
"""`wowkiosk --self-test` and the sync target, on the real binaries, against the PostgreSQL
fixture (WOW_PG_STATE) with a kiosk role made by `wowdash kiosk add`.

Usage: test_self_test_sync.py WOWKIOSK WOWDASH

A kiosk that can serve but not sync passes its serving checks and exits 3 with a "FAIL sync
(WHY)" line naming why, distinct from a kiosk that cannot serve (exit 1):
  - the conninfo `kiosk add` prints (sslmode=disable asked): ok, exit 0, schema version named
  - its default sslmode=verify-full against a server without TLS: tls, exit 3
  - a role the server does not know: credentials, exit 3
  - a port nobody listens on: unreachable, exit 3
  - a database whose shared schema is a step behind: schema, exit 3 ("run wowdash migrate")
  - [sync] target = off: ok (off), exit 0; the SQLite default: ok, exit 0
  - a config with errors still exits 1 (cannot serve), whatever the sync target
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "sync"))
from e2e_checks import expect, finish  # noqa: E402
from pg_cluster import Cluster  # noqa: E402
from test_deploy_cli import MAIN, Place, self_test  # noqa: E402

WOWKIOSK, WOWDASH = sys.argv[1], sys.argv[2]
PG = Cluster.from_state(os.environ["WOW_PG_STATE"])
TAG = str(os.getpid())
DB, OLD_DB = f"selftest_{TAG}", f"selftest_old_{TAG}"
KIOSK = f"st{TAG}"


def dash(*args):
    r = subprocess.run([WOWDASH, *args], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"wowdash {' '.join(args)}: {r.stderr}"
    return r.stdout


def target_of(config_text):
    m = re.search(r"^target = (.*)$", config_text, re.M)
    assert m, f"no target line in {config_text!r}"
    return m.group(1)


def with_target(p, name, target):
    return p.write(f"{name}.conf", MAIN + f"\n[sync]\ntarget = {target}\n")


def check(p, name, target, code, why, words=()):
    r = self_test(WOWKIOSK, p, with_target(p, name, target))
    line = next((l for l in r.stdout.splitlines() if " sync (" in l), "")
    last = r.stdout.splitlines()[-1:] or [""]
    expect(r.returncode == code, f"{name}: exit {r.returncode}, expected {code}\n{r.stdout}")
    expect(f"sync ({why})" in line, f"{name}: the sync line {line!r} should say ({why})")
    expect(line.startswith("ok  " if code == 0 else "FAIL"), f"{name}: {line!r}")
    for w in words:
        expect(w in line, f"{name}: the sync line {line!r} should name {w!r}")
    if code == 3:
        expect("cannot sync" in last[0] and "passed" in last[0],
               f"{name}: the verdict {last!r} should say it serves but cannot sync")
        expect(not [l for l in r.stdout.splitlines()
                    if l.startswith("FAIL") and " sync (" not in l],
               f"{name}: a serving check failed too:\n{r.stdout}")
    expect("password=" not in r.stdout, f"{name}: the password is printed:\n{r.stdout}")
    print(f"  {name}: exit {r.returncode}: {line}", flush=True)


def main():
    PG.psql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    PG.psql(f'DROP DATABASE IF EXISTS "{OLD_DB}" WITH (FORCE)')
    PG.create_database(DB)
    PG.create_database(OLD_DB)
    try:
        conninfo = PG.conninfo(dbname=DB)
        dash("migrate", "--db", conninfo)
        plain = target_of(dash("kiosk", "add", KIOSK, "--department", "front", "--db", conninfo,
                               "--sslmode", "disable", "--kiosk-host", "127.0.0.1"))
        strict = target_of(dash("kiosk", "add", KIOSK, "--department", "front", "--db",
                                conninfo, "--kiosk-host", "127.0.0.1", "--replace"))
        plain = re.sub(r"password=\S+", re.search(r"password=\S+", strict).group(0), plain)
        expect("sslmode=verify-full" in strict, f"kiosk add's default: {strict!r}")
        p = Place("selftest-sync")
        check(p, "reachable", plain, 0, "ok", ("schema version", f"kiosk_{KIOSK}"))
        check(p, "verify-full", strict, 3, "tls")
        # the fixture trusts loopback, so a wrong password passes there: a role that is not
        check(p, "role", re.sub(r"user=\S+", "user=kiosk_nobody", plain), 3, "credentials")
        check(p, "unreachable", re.sub(r"port=\d+", "port=1", plain), 3, "unreachable")
        dash("migrate", "--db", PG.conninfo(dbname=OLD_DB), "--to", "6")
        check(p, "schema", PG.conninfo(dbname=OLD_DB), 3, "schema", ("wowdash migrate",))
        check(p, "off", "off", 0, "off")
        check(p, "sqlite", p.path("shared.db"), 0, "ok", ("sqlite",))
        bad = p.write("bad.conf", MAIN + "\n[kiosk]\nlanguages = xx\n[sync]\ntarget = off\n")
        r = self_test(WOWKIOSK, p, bad)
        expect(r.returncode == 1, f"a config with errors: exit {r.returncode}\n{r.stdout}")
    finally:
        PG.psql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        PG.psql(f'DROP DATABASE IF EXISTS "{OLD_DB}" WITH (FORCE)')
        PG.psql(f'DROP ROLE IF EXISTS "kiosk_{KIOSK}"')
    finish("self-test sync", "self-test: the sync target checked apart, each failure named")


if __name__ == "__main__":
    main()
