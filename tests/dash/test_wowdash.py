#!/usr/bin/env python3
"""wowdash migrate and wowdash kiosk add, on the real binaries, against the
PostgreSQL fixture (pg_cluster.py, env WOW_PG_STATE) and a SQLite file.

Usage: test_wowdash.py WOWDASH WOWKIOSK

  - migrate on an empty database reaches the newest version; again is a
    no-op that changes nothing; a database at version 1 with rows keeps
    them and gains row-level security;
  - kiosk add prints config lines that wowkiosk --check-config accepts and
    whose conninfo logs in as the kiosk's own role, which can write its own
    rows and no one else's; a second add is refused, --replace rotates the
    password;
  - bad input says what was wrong and exits non-zero.
"""
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sync"))
from pg_cluster import Cluster  # noqa: E402

# the newest schema version, as the source says
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../app/sync/schema.h")) as f:
    NEWEST = int(re.search(r"#define SCHEMA_VERSION (\d+)", f.read()).group(1))
# the step that made skipped and timed-out follow-ups columns of tap_counts, as the source says
# and the step that made each question's first chosen reason columns of it
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../app/sync/schema.c")) as f:
    SCHEMA_C = f.read()
ENDS_STEP = int(re.search(r"\{(\d+),\s*\"follow-ups skipped or timed out", SCHEMA_C).group(1))
FIRSTS_STEP = int(re.search(r"\{(\d+),\s*\"each question's first chosen reason", SCHEMA_C).group(1))

WOWDASH, WOWKIOSK = sys.argv[1], sys.argv[2]
PG = Cluster.from_state(os.environ["WOW_PG_STATE"])
TAG = str(os.getpid())


def dash(*args, ok=True):
    r = subprocess.run([WOWDASH, *args], capture_output=True, text=True, timeout=60)
    if ok and r.returncode != 0:
        raise AssertionError(f"wowdash {' '.join(args)} failed ({r.returncode}): {r.stderr}")
    return r


def new_pg_db(name):
    db = f"wd_{name}_{TAG}"
    PG.create_database(db)
    return db, PG.conninfo(dbname=db)


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def check_refused(engine, run, statements):
    """Each of statements, run, fails with the only-grows rule's message."""
    for sql in statements:
        try:
            run(sql)
            check(False, f"{engine} allowed {sql!r}: counts only grow")
        except (RuntimeError, sqlite3.IntegrityError) as e:
            check("counts only grow" in str(e), f"{engine}: {sql!r}: {e}")


def test_migrate_postgres():
    db, conninfo = new_pg_db("migrate")
    r = dash("migrate", "--db", conninfo)
    check(f"from version 0 to {NEWEST}" in r.stdout, f"first migrate said {r.stdout!r}")
    before = PG.psql("SELECT version, applied_ms FROM wow_schema ORDER BY 1", dbname=db)
    r = dash("migrate", "--db", conninfo)
    check(f"already at version {NEWEST}; nothing to do" in r.stdout, f"second migrate said {r.stdout!r}")
    after = PG.psql("SELECT version, applied_ms FROM wow_schema ORDER BY 1", dbname=db)
    check(before == after and before.count("\n") == NEWEST, f"wow_schema {before!r} -> {after!r}")
    # an older database with data: version 1, rows, then the rest
    db, conninfo = new_pg_db("older")
    r = dash("migrate", "--db", conninfo, "--to", "1")
    check("from version 0 to 1" in r.stdout, r.stdout)
    PG.psql("INSERT INTO tap_counts VALUES ('k', 'i', 1000, 'front', 0, 0, 0, 7, 0, 0, 0, 0);"
            "INSERT INTO reason_counts VALUES ('k', 'i', 1000, 'front', 'positive', 'fast',"
            " 'chosen', 0, 3);"
            "INSERT INTO kiosks VALUES ('k', 's', 'l', 'front', 'UTC', 'v', 'i', 1, 2, 3, 0, '')",
            dbname=db)
    rls = "SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE relname = 'tap_counts'"
    check(PG.psql(rls, dbname=db).strip() == "f", "version 1 already had row-level security")
    r = dash("migrate", "--db", conninfo)
    check(f"from version 1 to {NEWEST}" in r.stdout, r.stdout)
    rows = PG.psql("SELECT rating_4 FROM tap_counts UNION ALL SELECT n FROM reason_counts "
                   "UNION ALL SELECT backlog FROM kiosks", dbname=db).split()
    check(rows == ["7", "3", "0"], f"rows after migrating: {rows}")
    check(PG.psql(rls, dbname=db).strip() == "t", "version 2 has no forced row-level security")
    # step 15: a store that synced here before has its cursor not known (-1): its next push is
    # believed, so an upgrade does not make every kiosk send its whole store again
    cursors = PG.psql("SELECT kiosk_id, incarnation, seq FROM sync_cursors", dbname=db).split()
    check(cursors == ["k|i|-1"], f"sync_cursors after migrating: {cursors}")
    # step 3: rows from before it are stamped 0 (the first rollup reads them); new and grown rows
    # are stamped with the server's clock by the trigger
    stamps = PG.psql("SELECT synced_ms FROM tap_counts", dbname=db).split()
    check(stamps == ["0"], f"old rows' synced_ms: {stamps}")
    PG.psql("INSERT INTO tap_counts VALUES ('k', 'i', 1000, 'front', 0, 0, 0, 9, 0, 0, 0, 0)"
            " ON CONFLICT (kiosk_id, incarnation, bucket_start_ms, department)"
            " DO UPDATE SET rating_4 = excluded.rating_4", dbname=db)
    stamped = int(PG.psql("SELECT synced_ms FROM tap_counts", dbname=db).strip())
    check(abs(stamped - time.time() * 1000) < 60_000, f"a grown row is stamped {stamped}")


def test_migrate_stamp_default():
    """The newest step on a database one step older, with rows in it: the rows and their
    stamps stay; inserts are stamped by the column default, updates by the only-grows
    trigger (which still refuses a lowered count); a kiosk role cannot write synced_ms."""
    db, conninfo = new_pg_db("stampdef")
    r = dash("migrate", "--db", conninfo, "--to", str(NEWEST - 1))
    check(f"from version 0 to {NEWEST - 1}" in r.stdout, r.stdout)
    PG.psql("INSERT INTO tap_counts VALUES ('k', 'i', 1000, 'front', 0, 0, 0, 7, 0, 0, 0, 0);"
            "INSERT INTO reason_counts VALUES ('k', 'i', 1000, 'front', 'positive', 'fast',"
            " 'chosen', 0, 3);"
            "ALTER TABLE tap_counts DISABLE TRIGGER USER; ALTER TABLE reason_counts DISABLE TRIGGER USER;"
            "UPDATE tap_counts SET synced_ms = 5; UPDATE reason_counts SET synced_ms = 5;"
            "ALTER TABLE tap_counts ENABLE TRIGGER USER; ALTER TABLE reason_counts ENABLE TRIGGER USER",
            dbname=db)
    r = dash("migrate", "--db", conninfo)
    check(f"from version {NEWEST - 1} to {NEWEST}" in r.stdout, r.stdout)
    rows = PG.psql("SELECT rating_4, synced_ms FROM tap_counts UNION ALL"
                   " SELECT n, synced_ms FROM reason_counts", dbname=db).split()
    check(rows == ["7|5", "3|5"], f"rows after the upgrade: {rows}")
    stamp = PG.psql("SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%counts_synced'", dbname=db)
    check(stamp.strip() == "0", f"stamp triggers left: {stamp!r}")
    role = f"kiosk_sd{TAG}"
    PG.psql(f"CREATE ROLE {role} LOGIN PASSWORD 'pw' IN ROLE wowkiosk_fleet", dbname=db)
    try:
        kid = role[len("kiosk_"):]
        as_kiosk = dict(user=role, password="pw", dbname=db)
        PG.psql(f"INSERT INTO tap_counts(kiosk_id, incarnation, bucket_start_ms, department,"
                f" rating_1, rating_2, rating_3, rating_4, misuse_1, misuse_2, misuse_3, misuse_4)"
                f" VALUES ('{kid}', 'i', 1000, 'front', 1, 0, 0, 0, 0, 0, 0, 0);"
                f"INSERT INTO reason_counts(kiosk_id, incarnation, bucket_start_ms, department,"
                f" question, reason, ended_by, misuse, n)"
                f" VALUES ('{kid}', 'i', 1000, 'front', 'negative', '', 'skipped', 0, 2)",
                **as_kiosk)
        stamps = PG.psql(f"SELECT synced_ms FROM tap_counts WHERE kiosk_id = '{kid}' UNION ALL"
                         f" SELECT synced_ms FROM reason_counts WHERE kiosk_id = '{kid}'",
                         dbname=db).split()
        check(len(stamps) == 2 and all(abs(int(t) - time.time() * 1000) < 60_000 for t in stamps),
              f"a kiosk's new rows are stamped {stamps}")
        for forged in (f"INSERT INTO tap_counts(kiosk_id, incarnation, bucket_start_ms, department,"
                       f" rating_1, rating_2, rating_3, rating_4, misuse_1, misuse_2, misuse_3,"
                       f" misuse_4, synced_ms) VALUES ('{kid}', 'i', 2000, 'front', 1, 0, 0, 0,"
                       f" 0, 0, 0, 0, 1)",
                       f"UPDATE tap_counts SET synced_ms = 1 WHERE kiosk_id = '{kid}'",
                       f"UPDATE reason_counts SET synced_ms = 1 WHERE kiosk_id = '{kid}'"):
            try:
                PG.psql(forged, **as_kiosk)
                check(False, f"a kiosk forged its stamp: {forged!r}")
            except RuntimeError as e:
                check("permission denied" in str(e), f"{forged!r}: {e}")
    finally:
        PG.psql(f"DROP OWNED BY {role}; DROP ROLE {role}", dbname=db)
    # an update (the merge) is stamped by the only-grows trigger; lowering is still refused
    PG.psql("UPDATE tap_counts SET rating_4 = 9 WHERE kiosk_id = 'k';"
            "UPDATE reason_counts SET n = 4 WHERE kiosk_id = 'k'", dbname=db)
    stamps = PG.psql("SELECT synced_ms FROM tap_counts WHERE kiosk_id = 'k' UNION ALL"
                     " SELECT synced_ms FROM reason_counts WHERE kiosk_id = 'k'", dbname=db).split()
    check(len(stamps) == 2 and all(abs(int(t) - time.time() * 1000) < 60_000 for t in stamps),
          f"grown rows are stamped {stamps}")
    check_refused("PostgreSQL", lambda sql: PG.psql(sql, dbname=db),
                  ("UPDATE tap_counts SET rating_4 = 1", "UPDATE reason_counts SET n = 1"))


ENDS_DAY = 20000  # 2024-10-04, UTC: the kiosk's zone below
ENDS_BUCKET = ENDS_DAY * 86_400_000 + 9 * 3_600_000


def engine_db(engine, tmp, name):
    """(target, run, query) of a new shared database of the engine: run executes SQL (raising
    on an error), query returns its rows as lists of text."""
    if engine == "PostgreSQL":
        db, target = new_pg_db(name)

        def run(sql):
            PG.psql(sql, dbname=db)

        def query(sql):
            return [line.split("|") for line in PG.psql(sql, dbname=db).splitlines() if line]
        return target, run, query
    target = os.path.join(tmp, name + ".db")

    def run(sql):
        con = sqlite3.connect(target)
        try:
            con.executescript(sql)
        finally:
            con.close()

    def query(sql):
        con = sqlite3.connect(target)
        try:
            return [[str(v) for v in row] for row in con.execute(sql)]
        finally:
            con.close()
    return target, run, query


def across_step(engine, tmp, name, step, tap_columns, tap_values, follow_ups):
    """A new database of the engine at the step before step, holding kiosk k's row, its
    tap_counts row of ENDS_BUCKET (with tap_columns, tap_values: more of them) and a
    reason_counts row for each of follow_ups ({(question, reason, ended_by, misuse): n}),
    then migrated to the newest: the rollup's follow-up totals are follow_ups, as before the
    step.  Returns (target, run, query) as engine_db's."""
    target, run, query = engine_db(engine, tmp, name)
    r = dash("migrate", "--db", target, "--to", str(step - 1))
    check(f"to {step - 1}" in r.stdout, r.stdout)
    b = ENDS_BUCKET
    # before step 14 every follow-up is a row; from it on only the chosen ones (tap_columns
    # hold the others)
    rows = ", ".join(f"('k', 'i', {b}, 'front', '{q}', '{why}', '{e}', {m}, {n})"
                     for (q, why, e, m), n in follow_ups.items()
                     if e == "chosen" or step <= ENDS_STEP)
    run("INSERT INTO kiosks(kiosk_id, site, label, department, timezone, app_version,"
        " incarnation, kiosk_clock_ms, last_seen_ms, last_success_ms, backlog, last_error)"
        " VALUES ('k', 's', 'l', 'front', 'UTC', 'v', 'i', 1, 2, 3, 0, '');"
        "INSERT INTO tap_counts(kiosk_id, incarnation, bucket_start_ms, department, rating_1,"
        f" rating_2, rating_3, rating_4, misuse_1, misuse_2, misuse_3, misuse_4{tap_columns})"
        f" VALUES ('k', 'i', {b}, 'front', 3, 0, 1, 4, 1, 0, 0, 0{tap_values});"
        "INSERT INTO reason_counts(kiosk_id, incarnation, bucket_start_ms, department,"
        f" question, reason, ended_by, misuse, n) VALUES {rows}")
    r = dash("migrate", "--db", target)
    check(f"to {NEWEST}" in r.stdout, r.stdout)
    dash("rollup", "--db", target)
    after = ends_totals(query)
    check(after == follow_ups,
          f"{engine}: the upgrade changed synced totals: {follow_ups} -> {after}")
    return target, run, query


def ends_totals(query):
    """{(question, reason, ended_by, misuse): n} of the follow-ups the rollup holds for ENDS_DAY."""
    rows = query("SELECT question, reason, ended_by, misuse, SUM(n) FROM dash_reason_day"
                 f" WHERE day = {ENDS_DAY} GROUP BY 1, 2, 3, 4")
    return {(q, r, e, int(m)): int(n) for q, r, e, m, n in rows}


def test_migrate_followup_columns(tmp):
    """The step that makes skipped and timed-out follow-ups columns of tap_counts, on a database
    one step older with rows in it, in both engines: the rollup's totals are the same before and
    after it (old reason_counts rows are read beside the new columns), a kiosk's new column for
    a follow-up an old row already counted is the greater of the two (absolute counts, not a
    sum), the new columns only grow, and SQLite stamps a row whose column grew."""
    for engine in ("PostgreSQL", "SQLite"):
        b = ENDS_BUCKET
        # what the rollup made of these rows before the step: one total per row
        before = {("positive", "fast", "chosen", 0): 2, ("negative", "", "skipped", 0): 2,
                  ("positive", "", "timeout", 0): 1, ("negative", "", "timeout", 1): 1}
        target, run, query = across_step(engine, tmp, "ends", ENDS_STEP, "", "", before)
        # the kiosk, upgraded: its store counts 3 skipped negative follow-ups in the bucket (the 2
        # sent before as a row, and 1 more), now sent as a column; and a bucket of its own
        merge = ("INSERT INTO tap_counts(kiosk_id, incarnation, bucket_start_ms, department,"
                 " rating_1, rating_2, rating_3, rating_4, misuse_1, misuse_2, misuse_3, misuse_4,"
                 " skipped_neg, timeout_neg) VALUES ('k', 'i', {}, 'front', {}, 0, 1, 2, 1, 0, 0,"
                 " 0, {}, {}) ON CONFLICT (kiosk_id, incarnation, bucket_start_ms, department)"
                 " DO UPDATE SET skipped_neg = excluded.skipped_neg,"
                 " timeout_neg = excluded.timeout_neg")
        if engine == "SQLite":  # a stamp from before: the growth below must renew it
            run("UPDATE tap_counts SET synced_ms = 5")
        run(merge.format(b, 4, 3, 0) + ";" + merge.format(b + 900_000, 1, 0, 1))
        stamps = [int(t) for (t,) in query("SELECT synced_ms FROM tap_counts")]
        check(all(abs(t - time.time() * 1000) < 60_000 for t in stamps),
              f"{engine}: rows whose follow-up columns grew are stamped {stamps}")
        dash("rollup", "--db", target)
        grown = ends_totals(query)
        want = dict(before)
        want[("negative", "", "skipped", 0)] = 3  # the greater of the row's 2 and the column's 3
        want[("negative", "", "timeout", 0)] = 1
        check(grown == want, f"{engine}: after the kiosk's columns: {grown}, expected {want}")
        check_refused(engine, run, ("UPDATE tap_counts SET skipped_neg = 1",
                                    "UPDATE tap_counts SET timeout_neg = timeout_neg - 1"))


def test_migrate_first_reasons(tmp):
    """The step that makes each question's first chosen reason columns of tap_counts, on a
    database one step older with reason rows in it, in both engines: the rollup's totals and the
    view followup_counts are the same before and after it; an upgraded kiosk's column for a
    reason a row already counted is the greater of the two; a first reason, once there, stays,
    and its count only grows."""
    for engine in ("PostgreSQL", "SQLite"):
        b = ENDS_BUCKET
        before = {("positive", "fast", "chosen", 0): 2, ("positive", "friendly", "chosen", 0): 1,
                  ("negative", "slow", "chosen", 1): 1, ("negative", "", "skipped", 0): 1}
        target, run, query = across_step(engine, tmp, "firsts", FIRSTS_STEP, ", skipped_neg",
                                         ", 1", before)

        def view():
            return {(q, r, e, int(m)): int(n) for q, r, e, m, n in query(
                "SELECT question, reason, ended_by, misuse, n FROM followup_counts"
                f" WHERE kiosk_id = 'k' AND bucket_start_ms = {b}")}
        check(view() == before, f"{engine}: followup_counts {view()}, expected {before}")
        # the kiosk, upgraded: fast is its positive question's first reason, 3 in its store
        # (the 2 sent before as a row, and 1 more), now a column (the merge itself, a different
        # reason sent in fast's place included, is test_sync's test_first_reason_merge)
        run("UPDATE tap_counts SET first_reason_pos = 'fast', first_reason_pos_n = 3,"
            " rating_4 = 5")
        dash("rollup", "--db", target)
        grown = ends_totals(query)
        want = dict(before)
        want[("positive", "fast", "chosen", 0)] = 3  # the greater of the row's 2 and the column's 3
        check(grown == want, f"{engine}: after the kiosk's column: {grown}, expected {want}")
        check(view() == want, f"{engine}: followup_counts {view()}, expected {want}")
        check_refused(engine, run, ("UPDATE tap_counts SET first_reason_pos_n = 1",
                                    "UPDATE tap_counts SET first_reason_pos = 'other'",
                                    "UPDATE tap_counts SET first_reason_pos = '',"
                                    " first_reason_pos_n = 0"))


def test_migrate_sqlite(tmp):
    path = os.path.join(tmp, "shared.db")
    r = dash("migrate", "--db", path, "--to", "1")
    check("from version 0 to 1" in r.stdout, r.stdout)
    con = sqlite3.connect(path)
    con.execute("INSERT INTO tap_counts VALUES ('k', 'i', 1000, 'front', 0, 0, 0, 7, 0, 0, 0, 0)")
    con.commit()
    con.close()
    r = dash("migrate", "--db", path)
    check(f"from version 1 to {NEWEST}" in r.stdout, r.stdout)
    r = dash("migrate", "--db", path)
    check("nothing to do" in r.stdout, r.stdout)
    con = sqlite3.connect(path)
    check(con.execute("SELECT rating_4 FROM tap_counts").fetchall() == [(7,)], "SQLite row lost")
    check(con.execute("SELECT synced_ms FROM tap_counts").fetchall() == [(0,)], "old row stamped")
    cursors = con.execute("SELECT kiosk_id, incarnation, seq FROM sync_cursors").fetchall()
    check(cursors == [("k", "i", -1)], f"sync_cursors after migrating: {cursors}")
    con.execute("UPDATE tap_counts SET rating_4 = 8")  # a count grows: allowed
    check_refused("SQLite", con.execute, ("UPDATE tap_counts SET rating_4 = 1",
                                          "UPDATE tap_counts SET department = 'elsewhere'"))
    con.execute("INSERT INTO tap_counts(kiosk_id, incarnation, bucket_start_ms, department,"
                " rating_1, rating_2, rating_3, rating_4, misuse_1, misuse_2, misuse_3, misuse_4,"
                " synced_ms) VALUES ('k', 'i', 2000, 'front', 1, 0, 0, 0, 0, 0, 0, 0, 0)")
    con.commit()
    stamps = [r[0] for r in con.execute("SELECT synced_ms FROM tap_counts ORDER BY bucket_start_ms")]
    check(all(abs(t - time.time() * 1000) < 60_000 for t in stamps), f"SQLite stamps {stamps}")
    check(con.execute("SELECT count(*) FROM wow_schema").fetchone() == (NEWEST,), "wow_schema rows")
    # comments: written once, stamped, never changed or deleted, body 1..500 characters
    con.execute("INSERT INTO comments(kiosk_id, incarnation, tap_id, source, department, rating,"
                " tap_ms, lang, body, written_ms) VALUES ('k', 'i', 1, 'kiosk', 'front', 1, 5,"
                " 'en', 'slow', 6)")
    con.execute("INSERT INTO comments(kiosk_id, incarnation, tap_id, source, department, rating,"
                " tap_ms, lang, body, written_ms) VALUES ('k', 'i', 1, 'kiosk', 'front', 1, 5,"
                " 'en', 'resent', 6) ON CONFLICT DO NOTHING")
    con.commit()
    rows = con.execute("SELECT body, synced_ms FROM comments").fetchall()
    check(len(rows) == 1 and rows[0][0] == "slow" and abs(rows[0][1] - time.time() * 1000) < 60_000,
          f"SQLite comments {rows}")
    for changing in ("UPDATE comments SET body = 'changed'", "DELETE FROM comments"):
        try:
            con.execute(changing)
            check(False, f"SQLite allowed {changing!r}: a comment is written once")
        except sqlite3.IntegrityError as e:
            check("written once" in str(e), f"{changing!r}: {e}")
    for body in ("''", "'" + "x" * 501 + "'"):
        try:
            con.execute("INSERT INTO comments(kiosk_id, incarnation, tap_id, source, department,"
                        " rating, tap_ms, lang, body, written_ms) VALUES ('k', 'i', 2, 'kiosk',"
                        f" 'front', 1, 5, 'en', {body}, 6)")
            check(False, f"SQLite took a comment of {len(body) - 2} characters")
        except sqlite3.IntegrityError as e:
            check("CHECK constraint failed" in str(e), f"body of {len(body) - 2}: {e}")


def target_of(config_text):
    m = re.search(r"^target = (.*)$", config_text, re.M)
    check(m is not None, f"no target line in {config_text!r}")
    return m.group(1)


def test_kiosk_add_postgres(tmp):
    db, conninfo = new_pg_db("kiosk")
    dash("migrate", "--db", conninfo)
    kiosk = f"desk-{TAG}"
    r = dash("kiosk", "add", kiosk, "--department", "front", "--site", "HQ", "--db", conninfo,
             "--sslmode", "disable")
    conf = os.path.join(tmp, "kiosk.conf")
    with open(conf, "w") as f:
        f.write(r.stdout)
    c = subprocess.run([WOWKIOSK, "--check-config", conf], capture_output=True, text=True)
    check(c.returncode == 0, f"printed config fails --check-config: {c.stdout}{c.stderr}")
    target = target_of(r.stdout)
    check(f"user=kiosk_{kiosk}" in target and "password=" in target, target)
    check("provisioned, never seen" in PG.psql(
        f"SELECT last_error FROM kiosks WHERE kiosk_id = '{kiosk}'", dbname=db),
        "no heartbeat row made for the provisioned kiosk")
    PG.psql("INSERT INTO tap_counts VALUES ('someone-else', 'i', 0, 'front', 9, 0, 0, 0, 0, 0, 0, 0)",
            dbname=db)

    def as_kiosk(sql, conninfo=target):
        return subprocess.run(["psql", "-XAtq", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c", sql],
                              capture_output=True, text=True, timeout=30)
    own = as_kiosk(f"INSERT INTO tap_counts VALUES ('{kiosk}', 'i', 0, 'front', 5, 0, 0, 0, 0, 0, 0, 0)")
    check(own.returncode == 0, f"the kiosk cannot write its own row: {own.stderr}")
    other = as_kiosk("INSERT INTO tap_counts VALUES ('someone-else', 'j', 0, 'front', 5, 0, 0, 0, 0, 0, 0, 0)")
    check(other.returncode != 0 and "row-level security" in other.stderr,
          f"the kiosk wrote another kiosk's row: {other.returncode} {other.stderr}")
    seen = as_kiosk("SELECT string_agg(DISTINCT kiosk_id, ',') FROM tap_counts")
    check(seen.stdout.strip() == kiosk, f"the kiosk reads {seen.stdout.strip()!r}")
    # once only, unless replaced; the new password works and the old does not
    again = dash("kiosk", "add", kiosk, "--department", "front", "--db", conninfo, ok=False)
    check(again.returncode != 0 and "exists already" in again.stderr, again.stderr)
    r2 = dash("kiosk", "add", kiosk, "--department", "front", "--db", conninfo, "--replace",
              "--sslmode", "disable")
    check(as_kiosk("SELECT 1", target_of(r2.stdout)).returncode == 0, "new password refused")
    roles = PG.psql(f"SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles "
                    f"WHERE rolname = 'kiosk_{kiosk}'", dbname=db).strip()
    check(roles == "f|f|t", f"kiosk role attributes {roles}")
    PG.psql(f"DROP OWNED BY \"kiosk_{kiosk}\"; DROP ROLE \"kiosk_{kiosk}\"", dbname=db)


def test_kiosk_add_sqlite(tmp):
    path = os.path.join(tmp, "shared-kiosks.db")
    longest = "\u00e4" * 63 + "x"  # 127 bytes: the most the kiosk's config holds
    r = dash("kiosk", "add", "lab-1", "--department", "it", "--db", path, "--label", longest)
    check(target_of(r.stdout) == path, r.stdout)
    check(f"label = {longest}\n" in r.stdout, f"the label's line: {r.stdout!r}")
    con = sqlite3.connect(path)
    check(con.execute("SELECT department, label FROM kiosks WHERE kiosk_id = 'lab-1'").fetchall()
          == [("it", longest)], "no kiosks row in the SQLite file")


def test_bad_input():
    cases = [
        (["migrate"], 2, "--db TARGET is required"),
        (["migrate", "--db", "x.db", "--to", str(NEWEST + 1)], 2,
         f"expected a version from 1 to {NEWEST}"),
        (["kiosk", "add", "bad id!", "--department", "d", "--db", "x.db"], 2, "A-Z a-z 0-9"),
        (["kiosk", "add", "k", "--db", "x.db"], 2, "--department D"),
        (["kiosk", "add", "k", "--department", "d", "--db", "x.db", "--site", "\u00e4" * 64], 2,
         "--site: 128 bytes; expected at most 127"),
        (["frobnicate"], 2, "usage: wowdash"),
        (["migrate", "--db", "host=127.0.0.1 port=1 dbname=x connect_timeout=2"], 1,
         "cannot connect to PostgreSQL"),
    ]
    for args, code, text in cases:
        r = dash(*args, ok=False)
        check(r.returncode == code and text in r.stderr,
              f"wowdash {args}: exit {r.returncode}, stderr {r.stderr!r}; expected {code}, {text!r}")


def test_org_names_utf8(tmp):
    """department add and group add refuse a --name that is not UTF-8 (exit 2,
    naming the field) and write nothing; a UTF-8 name is kept byte for byte."""
    path = os.path.join(tmp, "org.db")
    dash("migrate", "--db", path)
    for what in ("group", "department"):
        bad = [WOWDASH.encode(), what.encode(), b"add", b"x1", b"--name", b"Caf\xe9 \xff",
               b"--db", path.encode()]
        r = subprocess.run(bad, capture_output=True, timeout=60)
        err = r.stderr.decode("utf-8", "replace")
        check(r.returncode == 2 and "--name: not valid UTF-8" in err,
              f"{what} add with a Latin-1 name: exit {r.returncode}, stderr {err!r}")
        dash(what, "add", "x2", "--name", "Caf\u00e9", "--db", path)
    con = sqlite3.connect(path)
    names = con.execute("SELECT name FROM dash_departments UNION ALL"
                        " SELECT name FROM dash_groups").fetchall()
    con.close()
    check(names == [("Caf\u00e9",), ("Caf\u00e9",)], f"names stored: {names}")


def bad_clock_sql():
    """Two kiosks: 'early' with a clock before 1970 (and one row at year 0) in New York,
    'good' as usual; both with a kiosks row for their zone.  Literals only: ours."""
    sql = []
    for kiosk, zone in (("early", "America/New_York"), ("good", "UTC")):
        sql.append("INSERT INTO kiosks(kiosk_id, site, label, department, timezone, app_version,"
                   " incarnation, kiosk_clock_ms, last_seen_ms, backlog, last_error)"
                   f" VALUES ('{kiosk}', '', '', 'front', '{zone}', 't', 'i', 0, 0, 0, '')")
    rows = (("early", -3 * 3600_000, 5),     # 1969-12-31 21:00 UTC: 16:00 local, a Wednesday
            ("early", -62167219200000, 1),   # 0000-01-01 00:00 UTC
            ("good", 1796428800000, 7))      # 2026-12-05 00:00 UTC
    for kiosk, bucket, n in rows:
        sql.append("INSERT INTO tap_counts(kiosk_id, incarnation, bucket_start_ms, department,"
                   " rating_1, rating_2, rating_3, rating_4, misuse_1, misuse_2, misuse_3,"
                   f" misuse_4) VALUES ('{kiosk}', 'i', {bucket}, 'front', 0, 0, 0, {n},"
                   " 0, 0, 0, 0)")
    return sql


def check_bad_clock_rollup(r, rows, engine):
    check(r.returncode == 0, f"{engine}: rollup with a pre-1970 kiosk failed ({r.returncode}):"
          f" {r.stderr}")
    days, hours = rows
    check(days.get(("good", 1796428800000 // 86400000)) == 7,
          f"{engine}: the good kiosk's day: {days}")
    check(days.get(("early", -1)) == 5, f"{engine}: the pre-1970 day is day -1: {days}")
    check(hours == [(16, 2, 5)], f"{engine}: the pre-1970 hour (16:00, a Wednesday): {hours}")


def test_rollup_bad_clock(tmp):
    """A kiosk whose clock or zone puts its rows before 1970 never stops the rollups for
    everyone: floor division gives its day and hour, and the good kiosk's numbers come."""
    path = os.path.join(tmp, "clock.db")
    dash("migrate", "--db", path)
    con = sqlite3.connect(path)
    for stmt in bad_clock_sql():
        con.execute(stmt)
    con.commit()
    r = dash("rollup", "--db", path, ok=False)
    days = dict(((k, d), n) for k, d, n in con.execute(
        "SELECT kiosk_id, day, rating_4 FROM dash_day"))
    hours = con.execute("SELECT hour, weekday, rating_4 FROM dash_hour WHERE kiosk_id = 'early'"
                        " AND day = -1").fetchall()
    con.close()
    check_bad_clock_rollup(r, (days, hours), "SQLite")

    db, conninfo = new_pg_db("clock")
    dash("migrate", "--db", conninfo)
    PG.psql(";".join(bad_clock_sql()), dbname=db)
    r = dash("rollup", "--db", conninfo, ok=False)
    out = PG.psql("SELECT kiosk_id, day, rating_4 FROM dash_day", dbname=db)
    days = {}
    for line in out.splitlines():
        k, d, n = line.split("|")
        days[(k, int(d))] = int(n)
    out = PG.psql("SELECT hour, weekday, rating_4 FROM dash_hour WHERE kiosk_id = 'early'"
                  " AND day = -1", dbname=db)
    hours = [tuple(int(x) for x in line.split("|")) for line in out.splitlines()]
    check_bad_clock_rollup(r, (days, hours), "PostgreSQL")


def main():
    with tempfile.TemporaryDirectory(prefix="wowdash-") as tmp:
        os.chdir(tmp)
        test_migrate_postgres()
        test_migrate_stamp_default()
        test_migrate_sqlite(tmp)
        test_migrate_followup_columns(tmp)
        test_migrate_first_reasons(tmp)
        test_kiosk_add_postgres(tmp)
        test_kiosk_add_sqlite(tmp)
        test_bad_input()
        test_org_names_utf8(tmp)
        test_rollup_bad_clock(tmp)
    print("wowdash: migrate, kiosk add and bad input as expected")


if __name__ == "__main__":
    main()
