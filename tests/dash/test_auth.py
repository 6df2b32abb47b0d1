#!/usr/bin/env python3
"""wowdash user and token on the real binary, against a SQLite file and a
PostgreSQL database of the pg fixture (pg_cluster.py, env WOW_PG_STATE); then
test_auth (the C test of auth.h) once more against PostgreSQL.

Usage: test_auth.py WOWDASH TEST_AUTH

  - user add (admin, head with departments and groups, technician) stores an
    argon2id hash, never the password; list shows name, role, scope and
    disabled; password changes the hash and ends the sessions; disable ends
    sessions and tokens;
  - token add prints the token once, alone on stdout; the database keeps only
    its SHA-256; list never shows it; revoke deletes it;
  - the password asked on a terminal (a pty) twice, with echo off;
  - bad arguments exit 2 with a message naming the argument.
"""
import hashlib
import os
import pty
import re
import select
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sync"))
from pg_cluster import Cluster  # noqa: E402

WOWDASH, TEST_AUTH = sys.argv[1], sys.argv[2]
TAG = str(os.getpid())
PASSWORD = "a long enough password"


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def dash(*args, stdin=None, code=0):
    r = subprocess.run([WOWDASH, *args], input=stdin, capture_output=True, text=True, timeout=60)
    if code is not None and r.returncode != code:
        raise AssertionError(f"wowdash {' '.join(args)}: exit {r.returncode}, expected {code}: "
                             f"stdout {r.stdout!r} stderr {r.stderr!r}")
    return r


class SqliteDb:
    def __init__(self, path):
        self.target = path

    def rows(self, sql):
        con = sqlite3.connect(self.target)
        try:
            out = []
            for statement in sql.split(";"):
                out = [tuple("" if v is None else str(v) for v in row)
                       for row in con.execute(statement)]
            con.commit()
            return out
        finally:
            con.close()


class PgDb:
    def __init__(self, cluster, name):
        self.pg, self.name = cluster, cluster.create_database(name)
        self.target = cluster.conninfo(dbname=name)

    def rows(self, sql):
        out = self.pg.psql(sql, dbname=self.name)
        return [tuple(line.split("|")) for line in out.splitlines() if line]


def table(stdout):
    lines = stdout.splitlines()
    return lines[0].split("\t"), [line.split("\t") for line in lines[1:]]


def test_users(db):
    t = db.target
    dash("migrate", "--db", t)
    db.rows("INSERT INTO dash_groups(group_id, name) VALUES ('g1', 'North');"
            "INSERT INTO dash_departments(department, name, group_id) VALUES ('d1', 'One', 'g1')")
    r = dash("user", "add", "alice", "--role", "admin", "--db", t, "--password-stdin",
             stdin=PASSWORD + "\n")
    check("user alice added" in r.stdout, r.stdout)
    dash("user", "add", "hannah", "--role", "head", "--department", "d1", "--group", "g1",
         "--db", t, "--password-stdin", stdin=PASSWORD + "\r\n")
    r = dash("user", "add", "tina", "--role", "technician", "--db", t, "--password-stdin",
             stdin=PASSWORD)  # no line end: fine too
    r = dash("user", "add", "theo", "--role", "technician", "--rollouts", "--db", t,
             "--password-stdin", stdin=PASSWORD + "\n")
    check("user theo added (technician, may act on rollouts)" in r.stdout, r.stdout)
    r = dash("user", "add", "nora", "--role", "head", "--department", "nowhere", "--db", t,
             "--password-stdin", stdin=PASSWORD + "\n")
    check("warning: --department nowhere" in r.stderr, f"no warning: {r.stderr!r}")
    r = dash("user", "add", "alice", "--role", "admin", "--db", t, "--password-stdin",
             stdin=PASSWORD + "\n", code=1)
    check("user alice exists already" in r.stderr, r.stderr)
    r = dash("user", "add", "gus", "--role", "head", "--group", "g9", "--db", t,
             "--password-stdin", stdin=PASSWORD + "\n", code=1)
    check("--group g9: no such group" in r.stderr, r.stderr)
    r = dash("user", "add", "sam", "--role", "admin", "--db", t, "--password-stdin",
             stdin="short ü\n", code=1)
    check("has 7 characters; expected at least 10" in r.stderr, r.stderr)
    r = dash("user", "add", "sam", "--role", "admin", "--db", t, "--password-stdin", stdin="",
             code=1)
    check("no password given" in r.stderr, r.stderr)
    check(db.rows("SELECT count(*) FROM dash_users WHERE user_name IN ('gus', 'sam')") == [("0",)],
          "a refused user was stored")

    hashes = dict(db.rows("SELECT user_name, password_hash FROM dash_users"))
    check(all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes.values()),
          f"password hashes {hashes}")
    check(len(set(hashes.values())) == len(hashes), "two users share a hash (no salt?)")
    scopes = db.rows("SELECT kind, scope_id FROM dash_user_scopes WHERE user_name = 'hannah'"
                     " ORDER BY 1")
    check(scopes == [("department", "d1"), ("group", "g1")], f"hannah's scopes {scopes}")

    head, rows = table(dash("user", "list", "--db", t).stdout)
    check(head == ["NAME", "ROLE", "SCOPE", "ROLLOUTS", "DISABLED"], head)
    check(rows == [["alice", "admin", "everything", "yes", "no"],
                   ["hannah", "head", "department:d1,group:g1", "no", "no"],
                   ["nora", "head", "department:nowhere", "no", "no"],
                   ["theo", "technician", "fleet", "yes", "no"],
                   ["tina", "technician", "fleet", "no", "no"]], f"user list {rows}")

    # who may act on rollouts: a technician an admin allows, and no one else
    r = dash("user", "rollouts", "tina", "on", "--db", t)
    check("tina may now act on rollouts" in r.stdout, r.stdout)
    r = dash("user", "rollouts", "theo", "off", "--db", t)
    check("theo may no longer act on rollouts" in r.stdout, r.stdout)
    rollouts = db.rows("SELECT user_name, rollouts FROM dash_users ORDER BY 1")
    check(rollouts == [("alice", "0"), ("hannah", "0"), ("nora", "0"), ("theo", "0"),
                       ("tina", "1")], f"rollouts {rollouts}")
    for name, why in (("alice", "alice is not a technician (an admin always may"),
                      ("hannah", "hannah is not a technician"), ("ghost", "no user ghost")):
        r = dash("user", "rollouts", name, "on", "--db", t, code=1)
        check(why in r.stderr and not r.stdout, f"user rollouts {name} on: {r.stderr!r}")
    # the database keeps it, whatever writes the row
    for sql in ("UPDATE dash_users SET rollouts = 1 WHERE user_name = 'hannah'",
                "UPDATE dash_users SET rollouts = 2 WHERE user_name = 'tina'",
                "UPDATE dash_users SET role = 'head' WHERE user_name = 'tina'"):
        try:
            db.rows(sql)
        except Exception as e:  # noqa: BLE001 (either engine's error)
            check("check" in str(e).lower() or "constraint" in str(e).lower(), f"{sql}: {e}")
        else:
            raise AssertionError(f"the database took {sql!r}")

    # a new password: a new hash, and the user's sessions end
    db.rows("INSERT INTO dash_sessions VALUES ('h1', 'alice', 'c', 0, 0, 1);"
            "INSERT INTO dash_sessions VALUES ('h2', 'tina', 'c', 0, 0, 1)")
    dash("user", "password", "alice", "--db", t, "--password-stdin", stdin="another password\n")
    new = db.rows("SELECT password_hash FROM dash_users WHERE user_name = 'alice'")[0][0]
    check(new != hashes["alice"] and new.startswith("$argon2id$"), "password hash unchanged")
    check(db.rows("SELECT user_name FROM dash_sessions") == [("tina",)], "sessions after password")
    r = dash("user", "password", "ghost", "--db", t, "--password-stdin", stdin=PASSWORD, code=1)
    check("no user ghost" in r.stderr, r.stderr)


def test_tokens(db):
    t = db.target
    r = dash("token", "add", "hannah", "--label", "ci export", "--db", t)
    check(re.fullmatch(r"wdt_[A-Za-z0-9_-]{43}\n", r.stdout), f"token stdout {r.stdout!r}")
    token = r.stdout.strip()
    stored = db.rows("SELECT token_hash, user_name, label, last_used_ms FROM dash_api_tokens")
    check(stored == [(hashlib.sha256(token.encode()).hexdigest(), "hannah", "ci export", "")],
          f"stored token {stored}")
    r = dash("token", "add", "hannah", "--label", "ci export", "--db", t, code=1)
    check("already has a token labelled 'ci export'" in r.stderr and not r.stdout, r.stderr)
    dash("token", "add", "alice", "--label", "bi", "--db", t)
    r = dash("token", "list", "--db", t)
    check(token not in r.stdout and token[4:] not in r.stdout, "token list shows the token")
    head, rows = table(r.stdout)
    check(head == ["LABEL", "USER", "CREATED", "LAST USED"], head)
    check([row[:2] + row[3:] for row in rows] == [["bi", "alice", "never"],
                                                  ["ci export", "hannah", "never"]], rows)
    check(all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row[2]) for row in rows), rows)
    r = dash("token", "revoke", "alice", "bi", "--db", t)
    r = dash("token", "revoke", "alice", "bi", "--db", t, code=1)
    check("no token labelled 'bi' for user alice" in r.stderr, r.stderr)
    r = dash("token", "add", "ghost", "--label", "x", "--db", t, code=1)
    check("no user ghost" in r.stderr, r.stderr)

    # disable: sessions and tokens end, and no new token
    db.rows("INSERT INTO dash_sessions VALUES ('h3', 'hannah', 'c', 0, 0, 1)")
    r = dash("user", "disable", "hannah", "--db", t)
    check("1 sessions and 1 API tokens ended" in r.stdout, r.stdout)
    check(db.rows("SELECT count(*) FROM dash_api_tokens WHERE user_name = 'hannah'") == [("0",)]
          and db.rows("SELECT count(*) FROM dash_sessions WHERE user_name = 'hannah'") == [("0",)],
          "hannah's token or session survived disable")
    check(["hannah", "head", "department:d1,group:g1", "no", "yes"] in
          table(dash("user", "list", "--db", t).stdout)[1], "list does not show disabled")
    dash("token", "add", "hannah", "--label", "again", "--db", t, code=1)
    r = dash("user", "disable", "ghost", "--db", t, code=1)
    check("no user ghost" in r.stderr, r.stderr)


def read_until(fd, text, seen, timeout=30):
    end = time.monotonic() + timeout
    while text not in seen[0]:
        left = end - time.monotonic()
        check(left > 0, f"no {text!r} on the terminal; got {seen[0]!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                chunk = b""
            check(chunk, f"terminal closed before {text!r}; got {seen[0]!r}")
            seen[0] += chunk.decode(errors="replace")


def on_terminal(args, first, second):
    """Runs wowdash on a pty, answering the two prompts; (exit status, what the terminal showed)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(WOWDASH, [WOWDASH, *args])
    seen = [""]
    read_until(fd, "Password for ", seen)
    os.write(fd, (first + "\n").encode())
    read_until(fd, "Again: ", seen)
    os.write(fd, (second + "\n").encode())
    while True:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        seen[0] += chunk.decode(errors="replace")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), seen[0]


def test_terminal(db):
    secret = "typed on the terminal"
    code, shown = on_terminal(["user", "add", "pat", "--role", "admin", "--db", db.target],
                              secret, secret)
    check(code == 0 and "user pat added" in shown, f"exit {code}: {shown!r}")
    check(secret not in shown, f"the password was echoed: {shown!r}")
    code, shown = on_terminal(["user", "password", "pat", "--db", db.target],
                              "first one here", "second one here")
    check(code == 1 and "the two passwords differ" in shown, f"exit {code}: {shown!r}")


def test_bad_arguments(path):
    cases = [
        (["user", "add", "bob", "--db", path], "--role is required"),
        (["user", "add", "bob", "--role", "boss", "--db", path], "--role: expected admin, head"),
        (["user", "add", "bob", "--role", "head", "--db", path],
         "expected at least one --department D or --group G"),
        (["user", "add", "bob", "--role", "admin", "--department", "d1", "--db", path],
         "--department: only a head"),
        (["user", "add", "bob", "--role", "admin", "--rollouts", "--db", path],
         "--rollouts: only a technician is allowed"),
        (["user", "add", "bob", "--role", "head", "--department", "d1", "--rollouts", "--db",
          path], "--rollouts: only a technician is allowed"),
        (["user", "rollouts", "bob", "--db", path], "expected NAME on|off"),
        (["user", "rollouts", "bob", "yes", "--db", path], "expected on or off after NAME"),
        (["user", "rollouts", "bob", "on", "--db", path, "--rollouts"], "unknown option"),
        (["user", "add", "bob", "--role", "head", "--department", "bad id!", "--db", path],
         "--department: expected an id"),
        (["user", "add", "bad name", "--role", "admin", "--db", path], "NAME: expected 1 to 63"),
        # the fleet page names no one for the dashboard's own rollout changes
        (["user", "add", "wowdash", "--role", "admin", "--db", path],
         "'wowdash' is the name the dashboard signs its own rollout changes with"),
        (["user", "add", "bob", "--role", "admin"], "--db TARGET is required"),
        (["user", "add", "bob", "--role", "admin", "--db"], "--db needs a value"),
        (["user", "add", "bob", "--role", "admin", "--db", path, "--frob"],
         "unknown option --frob"),
        (["user", "add", "--role", "admin", "--db", path], "expected NAME"),
        (["user", "list", "--db", path, "extra"], "unexpected argument 'extra'"),
        (["user", "disable", "--db", path], "expected NAME"),
        (["user", "list", "--db", path, "--password-stdin"], "unknown option --password-stdin"),
        (["user"], "usage: wowdash user add"),
        (["user", "remove", "x"], "unknown verb 'remove'"),
        (["token", "add", "alice", "--db", path], "--label L is required"),
        (["token", "add", "alice", "--label", "", "--db", path], "--label: expected 1 to 100"),
        (["token", "revoke", "alice", "--db", path], "expected USER LABEL"),
        (["token", "frob"], "usage: wowdash token add"),
    ]
    for args, text in cases:
        r = dash(*args, code=None)
        check(r.returncode == 2 and text in r.stderr and not r.stdout,
              f"wowdash {args}: exit {r.returncode}, stderr {r.stderr!r}; expected 2, {text!r}")
    r = dash("user", "list", "--db", os.path.join(os.path.dirname(path), "missing.db"), code=1)
    check("cannot open the SQLite file" in r.stderr, r.stderr)


def main():
    pg = Cluster.from_state(os.environ["WOW_PG_STATE"])
    with tempfile.TemporaryDirectory(prefix="wowdash-auth-") as tmp:
        engines = [("SQLite", SqliteDb(os.path.join(tmp, "shared.db"))),
                   ("PostgreSQL", PgDb(pg, f"wd_auth_{TAG}"))]
        for name, db in engines:
            test_users(db)
            test_tokens(db)
            test_terminal(db)
            print(f"{name}: user and token commands as expected")
        test_bad_arguments(engines[0][1].target)
        # auth.h's own test, on PostgreSQL this time
        c_db = PgDb(pg, f"wd_auth_c_{TAG}")
        dash("migrate", "--db", c_db.target)
        r = subprocess.run([TEST_AUTH], env={**os.environ, "WOW_AUTH_TARGET": c_db.target},
                           capture_output=True, text=True, timeout=240)
        check(r.returncode == 0, f"test_auth on PostgreSQL failed:\n{r.stdout}\n{r.stderr}")
        print("test_auth on PostgreSQL: " + r.stdout.strip().splitlines()[-1])
    print("wowdash user/token: as expected on both engines")


if __name__ == "__main__":
    main()
