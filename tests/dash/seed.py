#!/usr/bin/env python3
"""Seeds a shared database for the dashboard's end-to-end tests, and says what it put there.

The numbers the tests expect come from the rows this file inserts, summed here in
Python, never from the server: a test compares the dashboard's answer with these
independent sums.

Command line:
  seed.py WOWDASH TARGET [--zone ZONE] [--today YYYY-MM-DD] [--seed N] [--json OUT]
      TARGET is a SQLite path or a PostgreSQL conninfo ("host=... dbname=..." or
      "postgresql://..."); the database must exist (a SQLite file is created).
      Prints a summary; --json writes the full expectation (Seeded.to_json()).

Module:
  from seed import seed
  s = seed(wowdash, target, zone="Europe/Helsinki")   # -> Seeded
  s.counts(departments={"alpha"}, days=(from_day, to_day), misuse=False)  # -> [r1, r2, r3, r4]
  s.users["head-a"].password, .token

What it writes (deterministic for a given --seed and --today):
  - `wowdash migrate`; group g1 ("Group G": bravo, charlie) and g2 ("Ops": delta);
    departments alpha, bravo, charlie, delta and cmd (named "=cmd", in no group:
    the CSV formula guard);
  - kiosks in two zones (Europe/Helsinki and America/New_York, whatever the
    dashboard's zone), one of alpha's with a second incarnation;
  - tap_counts for the 61 local days today-60 .. today, one row per kiosk and local
    opening hour 09..16 (the bucket at HH:00 local, so its day and hour are plain in
    the kiosk's zone), faces drawn from a per-department distribution by a seeded
    random.Random; delta's negative share jumps from about 15 % to about 70 % over
    its last three days; about one row in eight also has misuse counts;
  - reason_counts: negative follow-ups after faces 1-2, positive after 3-4, chosen
    (reasons include 'Käsittely hidas, "jono"' and "+1 quick"), skipped or timeout
    (reason ''), a few flagged misuse;
  - users admin, head-a (department alpha), head-g (group g1), tech (technician),
    each with a password and an API token (`wowdash token add`);
  - then `wowdash rollup`.
  seed_rule() adds the negative-share rule on delta that the alert tests count on.
"""
import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from zoneinfo import ZoneInfo

EPOCH = dt.date(1970, 1, 1)
HOURS = range(9, 17)  # local opening hours, one bucket at HH:00 each
DAYS_BACK = 60
SLIP_DAYS = 3  # delta's last days with the jump
REASON_QUOTED = 'Käsittely hidas, "jono"'
REASON_FORMULA = "+1 quick"
NEGATIVE_REASONS = ["Waiting time", REASON_QUOTED, "Staff"]
POSITIVE_REASONS = ["Friendly staff", REASON_FORMULA, "Clean"]

GROUPS = [("g1", "Group G"), ("g2", "Ops")]
# id, name, group, face distribution (very unhappy .. WOW), taps per bucket (lo, hi)
DEPARTMENTS = [
    ("alpha", "Alpha ward", None, (0.05, 0.10, 0.35, 0.50), (0, 6)),
    ("bravo", "Bravo clinic", "g1", (0.10, 0.15, 0.45, 0.30), (0, 5)),
    ("charlie", "Charlie desk", "g1", (0.20, 0.20, 0.40, 0.20), (0, 4)),
    ("delta", "Delta lab", "g2", (0.05, 0.10, 0.45, 0.40), (4, 10)),
    ("cmd", "=cmd", None, (0.10, 0.10, 0.40, 0.40), (0, 3)),
]
DELTA_SLIP = (0.40, 0.30, 0.20, 0.10)
# kiosk id, department, zone, site, label
KIOSKS = [
    ("k-alpha-1", "alpha", "Europe/Helsinki", "HQ", "Alpha entrance"),
    ("k-alpha-2", "alpha", "America/New_York", "NYC", "Alpha annex"),
    ("k-bravo-1", "bravo", "Europe/Helsinki", "HQ", "Bravo lobby"),
    ("k-charlie-1", "charlie", "America/New_York", "NYC", "Charlie desk"),
    ("k-delta-1", "delta", "Europe/Helsinki", "Lab", "Delta front"),
    ("k-cmd-1", "cmd", "America/New_York", "NYC", "Cmd corner"),
]
SECOND_INCARNATION = "k-alpha-1"  # re-installed 20 days ago: later rows under inc-2

USERS = [  # name, role, departments, groups
    ("admin", "admin", [], []),
    ("head-a", "head", ["alpha"], []),
    ("head-g", "head", [], ["g1"]),
    ("tech", "technician", [], []),
]


def day_number(date):
    return (date - EPOCH).days


def day_date(day):
    return EPOCH + dt.timedelta(days=day)


def is_postgres(target):
    return target.startswith("postgresql://") or target.startswith("postgres://") or "=" in target


class User:
    def __init__(self, name, role, departments, groups, password):
        self.name, self.role = name, role
        self.departments, self.groups = departments, groups
        self.password = password
        self.token = None


class Seeded:
    """What seed() inserted: raw rows and sums over them."""

    def __init__(self, target, zone, today):
        self.target, self.zone, self.today = target, zone, today  # today: a day number
        self.departments = {d[0]: {"name": d[1], "group": d[2]} for d in DEPARTMENTS}
        self.groups = dict(GROUPS)
        self.kiosks = {k[0]: {"department": k[1], "zone": k[2], "site": k[3], "label": k[4]}
                       for k in KIOSKS}
        # (department, day, kiosk, hour) -> [r1..r4, m1..m4]; day and hour local to the kiosk
        self.taps = defaultdict(lambda: [0] * 8)
        # (department, day, kiosk, question, reason, ended_by, misuse) -> n
        self.reasons = defaultdict(int)
        self.users = {}
        self.tap_rows = 0

    # ---- sums ----------------------------------------------------------------------------
    def departments_of_group(self, group):
        return {d for d, v in self.departments.items() if v["group"] == group}

    def visible(self, user_name):
        """The departments a user sees (None: a technician sees none)."""
        u = self.users[user_name]
        if u.role == "admin":
            return set(self.departments)
        if u.role == "technician":
            return set()
        seen = set(u.departments)
        for g in u.groups:
            seen |= self.departments_of_group(g)
        return seen

    def _match(self, key, departments, days, kiosk=None):
        dept, day = key[0], key[1]
        return ((departments is None or dept in departments)
                and (days is None or days[0] <= day < days[1])
                and (kiosk is None or key[2] == kiosk))

    def counts(self, departments=None, days=None, misuse=False, kiosk=None):
        """[r1, r2, r3, r4] summed; with misuse the flagged taps are added to their face."""
        out = [0] * 4
        for key, v in self.taps.items():
            if self._match(key, departments, days, kiosk):
                for i in range(4):
                    out[i] += v[i] + (v[4 + i] if misuse else 0)
        return out

    def misuse_counts(self, departments=None, days=None):
        out = [0] * 4
        for key, v in self.taps.items():
            if self._match(key, departments, days):
                for i in range(4):
                    out[i] += v[4 + i]
        return out

    def daily(self, departments=None, days=None, misuse=False, per_kiosk=False, hourly=False):
        """{(day, department[, kiosk][, hour]): ([r1..r4], [m1..m4])} of days with a tap."""
        out = {}
        for key, v in self.taps.items():
            if not self._match(key, departments, days):
                continue
            k = (key[1], key[0]) + ((key[2],) if per_kiosk else ()) + ((key[3],) if hourly else ())
            c, m = out.setdefault(k, ([0] * 4, [0] * 4))
            for i in range(4):
                c[i] += v[i] + (v[4 + i] if misuse else 0)
                m[i] += v[4 + i]
        return {k: v for k, v in out.items() if sum(v[0]) + sum(v[1]) > 0}

    def reason_sums(self, departments=None, days=None, misuse=False):
        """{(day, department, question, reason, ended_by, misuse): n}; misuse rows only with misuse."""
        out = defaultdict(int)
        for key, n in self.reasons.items():
            if self._match(key, departments, days) and (misuse or not key[6]):
                out[(key[1], key[0], key[3], key[4], key[5], key[6])] += n
        return dict(out)

    def to_json(self):
        return {
            "target": self.target, "zone": self.zone, "today": day_date(self.today).isoformat(),
            "departments": self.departments, "groups": self.groups, "kiosks": self.kiosks,
            "users": {n: {"role": u.role, "password": u.password, "token": u.token,
                          "departments": u.departments, "groups": u.groups,
                          "visible": sorted(self.visible(n))}
                      for n, u in self.users.items()},
            "taps": [[k[0], day_date(k[1]).isoformat(), k[2], k[3], *v]
                     for k, v in sorted(self.taps.items())],
            "reasons": [[k[0], day_date(k[1]).isoformat(), *k[2:], n]
                        for k, n in sorted(self.reasons.items())],
        }


# ---- running things --------------------------------------------------------------------------
def run(argv, stdin=None, timeout=120):
    r = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r.stdout


def wowdash(binary, target, *args, stdin=None):
    return run([binary, *args, "--db", target], stdin=stdin)


def psql_binary():
    for d in (os.environ.get("WOW_PG_BINDIR"), "/usr/lib/postgresql/15/bin"):
        if d and os.path.isfile(os.path.join(d, "psql")):
            return os.path.join(d, "psql")
    found = shutil.which("psql")
    if not found:
        raise RuntimeError("psql not found (WOW_PG_BINDIR, /usr/lib/postgresql/15/bin, PATH)")
    return found


def sql_text(value):
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


class Writer:
    """INSERTs into SQLite (sqlite3) or PostgreSQL (psql), in one transaction."""

    def __init__(self, target):
        self.target = target
        self.pg = is_postgres(target)
        self.statements = []

    def insert(self, table, columns, rows):
        if not rows:
            return
        if not self.pg:
            self.statements.append((f"INSERT INTO {table}({', '.join(columns)}) VALUES "
                                    f"({', '.join('?' * len(columns))})", rows))
            return
        for i in range(0, len(rows), 500):
            values = ",\n".join("(" + ", ".join(sql_text(v) for v in r) + ")"
                                for r in rows[i:i + 500])
            self.statements.append(f"INSERT INTO {table}({', '.join(columns)}) VALUES\n{values};")

    def commit(self):
        if not self.pg:
            con = sqlite3.connect(self.target, timeout=30)
            try:
                with con:
                    for sql, rows in self.statements:
                        con.executemany(sql, rows)
            finally:
                con.close()
        else:
            script = "BEGIN;\n" + "\n".join(self.statements) + "\nCOMMIT;\n"
            run([psql_binary(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.target, "-f", "-"],
                stdin=script)
        self.statements = []


# ---- the catalog -----------------------------------------------------------------------------
CATALOG_FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "catalog_fixture.sql")


def catalog_statements():
    """The statements of catalog_fixture.sql: the catalog a `wowdash catalog import` would
    leave (docs/CATALOG.md), the one place tests get a catalog from until the import exists."""
    statements, one = [], []
    with open(CATALOG_FIXTURE, encoding="utf-8") as f:
        for line in f:
            if line.startswith("--"):
                continue
            one.append(line)
            if line.rstrip().endswith(";"):
                statements.append("".join(one))
                one = []
    return statements


def seed_catalog(target):
    """Writes the fixture's catalog into target (SQLite path or PostgreSQL conninfo)."""
    if is_postgres(target):
        script = "BEGIN;\n" + "".join(catalog_statements()) + "COMMIT;\n"
        run([psql_binary(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", target, "-f", "-"],
            stdin=script)
        return
    con = sqlite3.connect(target, timeout=30)
    try:
        with con:
            for statement in catalog_statements():
                con.execute(statement)
    finally:
        con.close()


# ---- the data --------------------------------------------------------------------------------
def local_ms(date, hour, zone):
    t = dt.datetime(date.year, date.month, date.day, hour, tzinfo=ZoneInfo(zone))
    return int(t.timestamp()) * 1000


def draw(rng, probabilities, n):
    faces = [0] * 4
    for _ in range(n):
        faces[rng.choices(range(4), weights=probabilities)[0]] += 1
    return faces


def follow_ups(rng, s, dept, day, kiosk, faces, flagged):
    """reason_counts rows for one bucket: a follow-up after some of its taps."""
    rows = []
    for question, reasons, asked in (("negative", NEGATIVE_REASONS, faces[0] + faces[1]),
                                     ("positive", POSITIVE_REASONS, faces[2] + faces[3])):
        tally = defaultdict(int)
        for _ in range(asked):
            roll = rng.random()
            if roll < 0.6:
                tally[(rng.choice(reasons), "chosen")] += 1
            elif roll < 0.8:
                tally[("", "skipped")] += 1
            else:
                tally[("", "timeout")] += 1
        for (reason, ended_by), n in tally.items():
            rows.append((question, reason, ended_by, 0, n))
    if flagged:
        rows.append(("negative", NEGATIVE_REASONS[1], "chosen", 1, 1))
    for question, reason, ended_by, misuse, n in rows:
        s.reasons[(dept, day, kiosk, question, reason, ended_by, misuse)] += n
    return rows


def make_rows(s, rng):
    """Fills s and returns (tap rows, reason rows) to insert."""
    dist = {d[0]: (d[3], d[4]) for d in DEPARTMENTS}
    taps, reasons = [], []
    for kiosk, dept, zone, _, _ in KIOSKS:
        for back in range(DAYS_BACK, -1, -1):
            day = s.today - back
            date = day_date(day)
            incarnation = "inc-2" if kiosk == SECOND_INCARNATION and back < 20 else "inc-1"
            for hour in HOURS:
                probabilities, (lo, hi) = dist[dept]
                if dept == "delta" and back < SLIP_DAYS:
                    probabilities = DELTA_SLIP
                faces = draw(rng, probabilities, rng.randint(lo, hi))
                misuse = [0] * 4
                if rng.random() < 0.125:
                    misuse[rng.choice((0, 3))] = rng.randint(1, 3)
                if sum(faces) + sum(misuse) == 0:
                    continue
                bucket = local_ms(date, hour, zone)
                taps.append((kiosk, incarnation, bucket, dept, *faces, *misuse))
                cell = s.taps[(dept, day, kiosk, hour)]
                for i in range(4):
                    cell[i] += faces[i]
                    cell[4 + i] += misuse[i]
                for q, reason, ended_by, flag, n in follow_ups(rng, s, dept, day, kiosk, faces,
                                                               sum(misuse) > 0):
                    reasons.append((kiosk, incarnation, bucket, dept, q, reason, ended_by, flag, n))
    s.tap_rows = len(taps)
    return taps, reasons


def kiosk_rows(now_ms):
    return [(k, site, label, dept, zone, "1.4.0", "inc-2" if k == SECOND_INCARNATION else "inc-1",
             now_ms, now_ms - 60_000, now_ms - 60_000, 0, "")
            for k, dept, zone, site, label in KIOSKS]


def today_in(zone):
    return day_number(dt.datetime.now(ZoneInfo(zone)).date())


def seed(binary, target, zone="Europe/Helsinki", today=None, seed_value=4):
    """Migrates target, writes everything listed at the top, runs the rollup; returns Seeded.
    today: a datetime.date (default: today in zone)."""
    s = Seeded(target, zone, day_number(today) if today else today_in(zone))
    rng = random.Random(seed_value)
    wowdash(binary, target, "migrate")
    for gid, name in GROUPS:
        wowdash(binary, target, "group", "add", gid, "--name", name)
    for dept, name, group, _, _ in DEPARTMENTS:
        wowdash(binary, target, "department", "add", dept, "--name", name,
                *(["--group", group] if group else []))
    taps, reasons = make_rows(s, rng)
    w = Writer(target)
    w.insert("kiosks", ["kiosk_id", "site", "label", "department", "timezone", "app_version",
                        "incarnation", "kiosk_clock_ms", "last_seen_ms", "last_success_ms",
                        "backlog", "last_error"], kiosk_rows(int(time.time() * 1000)))
    w.insert("tap_counts", ["kiosk_id", "incarnation", "bucket_start_ms", "department",
                            "rating_1", "rating_2", "rating_3", "rating_4",
                            "misuse_1", "misuse_2", "misuse_3", "misuse_4"], taps)
    w.insert("reason_counts", ["kiosk_id", "incarnation", "bucket_start_ms", "department",
                               "question", "reason", "ended_by", "misuse", "n"], reasons)
    w.commit()
    for name, role, departments, groups in USERS:
        password = f"pw-{name}-{rng.randrange(10**9):09d}"
        scope = [a for d in departments for a in ("--department", d)]
        scope += [a for g in groups for a in ("--group", g)]
        wowdash(binary, target, "user", "add", name, "--role", role, *scope, "--password-stdin",
                stdin=password + "\n")
        u = User(name, role, departments, groups, password)
        out = wowdash(binary, target, "token", "add", name, "--label", f"e2e {name}")
        m = re.search(r"wdt_[A-Za-z0-9_-]{43}", out)
        if not m:
            raise RuntimeError(f"wowdash token add {name}: no wdt_ token in its output {out!r}")
        u.token = m.group(0)
        s.users[name] = u
    wowdash(binary, target, "rollup")
    return s


def seed_rule(binary, target):
    """The fixed-threshold rule the alert tests count on: delta's negative share over 40 % in
    2 days with at least 50 responses (its last three days are about 70 % negative)."""
    wowdash(binary, target, "rule", "add", "delta-negative", "--kind", "negative_share",
            "--threshold", "0.4", "--window", "2d", "--min-responses", "50",
            "--department", "delta")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("wowdash")
    p.add_argument("target")
    p.add_argument("--zone", default="Europe/Helsinki")
    p.add_argument("--today", type=dt.date.fromisoformat)
    p.add_argument("--seed", type=int, default=4)
    p.add_argument("--rule", action="store_true", help="also add delta's negative-share rule")
    p.add_argument("--json", help="write the expectation here")
    a = p.parse_args()
    s = seed(a.wowdash, a.target, a.zone, a.today, a.seed)
    if a.rule:
        seed_rule(a.wowdash, a.target)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(s.to_json(), f, ensure_ascii=False, indent=1)
    last30 = (s.today - 29, s.today + 1)
    print(f"seeded {a.target}: {s.tap_rows} tap rows, {len(s.reasons)} reason keys, "
          f"today {day_date(s.today)} in {s.zone}")
    for dept in s.departments:
        c = s.counts({dept}, last30)
        m = s.misuse_counts({dept}, last30)
        print(f"  {dept:8} last 30 days: faces {c} (n {sum(c)}), misuse {m} (n {sum(m)})")
    for name, u in s.users.items():
        print(f"  user {name} ({u.role}) password {u.password} token {u.token}")


if __name__ == "__main__":
    sys.exit(main())
