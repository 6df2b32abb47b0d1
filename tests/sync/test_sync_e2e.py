#!/usr/bin/env python3
"""End-to-end sync: the real wowkiosk binary, through the fault proxy, into PostgreSQL.

Usage: WOW_PG_STATE=STATEFILE test_sync_e2e.py WOWKIOSK WOWDASH
  STATEFILE is the JSON of `pg_cluster.py start` (CTest's fixture "pg" writes it);
  without WOW_PG_STATE the test starts and stops a cluster of its own.
  WOW_SYNC_E2E_ONLY=faults,latency,sigkill runs only the checks named.
  WOW_SYNC_E2E_POOLER=pgbouncer puts Debian's PgBouncer (transaction pooling, pgbouncer.py)
  between the fault proxy and the server, as docs/SYNC.md does for a large fleet: the
  pipeline, the outages and the SIGKILL between COMMIT and its answer, through a real pooler.

Each check runs on a database of its own (CREATE DATABASE + `wowdash migrate`) and a temp
dir of its own, whatever the others did, and prints PASS or FAIL; the exit status is 1 if
any failed.  The kiosk is driven by --script (SDL dummy driver), its stderr is echoed with
a prefix, and its store is read with sqlite3.

  faults     ~20 taps with follow-ups (skipped, timed out, answered) while the proxy delays
             (300 ms), cuts, stalls for a few seconds and cuts after 1000 bytes; once it
             lets everything pass, the shared tap_counts and reason_counts of this kiosk and
             incarnation equal the store's counts exactly, and synced_seq == seq.
  latency    the UI never waits for the database: with --trace-latency, a tap every 1.5 s
             while the proxy stalls for 6 s (the sync thread is stuck in a push) and then
             delays 500 ms; every input-to-frame latency stays small (a kiosk with --sync
             off runs alongside for comparison), the taps go on during the stall, on time
             (scripted taps are injected by the kiosk's loop, so a loop held up elsewhere
             shows as late taps, not as latency), every tap is committed, and the store
             still reaches the server.
  sigkill    the proxy holds the answer to COMMIT (stall_on_commit): the server has the
             rows, the kiosk has not heard; SIGKILL there leaves the rows in PostgreSQL and
             the store's synced_seq below seq; a restarted kiosk resends, adds two taps, and
             the totals equal the store exactly (nothing doubled) with synced_seq == seq.
  heartbeat  (part of faults and sigkill) the kiosks row exists for the kiosk with its
             incarnation, backlog 0 and an empty last_error, as written by a round after
             the last one that sent rows.

faults and sigkill run side by side, then latency alone.  The latency limit is 50 ms a tap
(200 ms under WOW_ASAN, the sanitizer build), raised to twice the --sync off kiosk's maximum
when the machine is so loaded that that one is slow too, and never above 400 ms (the proxy's
delay is 500 ms each way, its stall seconds); a run over the limit is repeated once, and
fails when it is over the limit again.
"""
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)
from fault_proxy import FaultProxy  # noqa: E402
from pg_cluster import Cluster  # noqa: E402

ASAN = bool(os.environ.get("WOW_ASAN"))
SLOW = 4 if ASAN else 1
LATENCY_LIMIT_MS = 50 * SLOW  # per tap, input to the frame that answers it
LATENCY_CAP_MS = 400  # the most the limit grows on a loaded machine: below the 500 ms delay
TAP_GAP_LIMIT_S = 3.0  # between taps scripted 1.5 s apart (the stall lasts 6 s)
CLOCK_START = "2024-03-05T09:14:50Z"  # taps of the faults run straddle the 09:15 bucket edge

WOWKIOSK = WOWDASH = None
PG = None

COMMITTED = "tap committed id="
# A follow-up is recorded after its tap (a timed-out one seconds later): the totals are
# final only once every tap's follow-up is in too.
FOLLOWUP_COMMITTED = "followup committed tap="
SENT = re.compile(r"sync: sent (\d+) rows")
LATENCY = re.compile(r"latency: input to frame (-?\d+) ms")

T0 = time.monotonic()
OUT_LOCK = threading.Lock()  # whole lines from every thread


def say(line):
    with OUT_LOCK:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def log(msg):
    say(f"[{time.monotonic() - T0:6.1f} s] {msg}")


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def wait_until(cond, timeout, what):
    """Polls cond() every 0.1 s until it returns a true value (returned) or timeout."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


# --- the shared database -------------------------------------------------------------------
class SharedDb:
    """A database of this test's own on the cluster, migrated by wowdash; dropped by drop()."""

    def __init__(self, name):
        # the pooled run (WOW_SYNC_E2E_POOLER) shares the cluster with the plain one and may run
        # beside it: its databases are its own, or one run's DROP ... FORCE ends the other's
        if os.environ.get("WOW_SYNC_E2E_POOLER"):
            name += "_pooled"
        self.name = name
        PG.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        PG.create_database(name)
        r = subprocess.run([WOWDASH, "migrate", "--db", self.conninfo()],
                           capture_output=True, text=True, timeout=60)
        check(r.returncode == 0, f"wowdash migrate --db {self.conninfo()} exited "
              f"{r.returncode}: {r.stdout}{r.stderr}")
        # tap_counts keys a count by rating and misuse (rating, misuse, n) or holds the
        # eight of a bucket in one row (rating_1..rating_4, misuse_1..misuse_4): both read
        # back as the store's (department, bucket, rating, misuse, n) rows.
        cols = {c for (c,) in self.rows("SELECT column_name FROM information_schema.columns "
                                         "WHERE table_name = 'tap_counts'")}
        self.wide = "rating_1" in cols
        check(self.wide or {"rating", "misuse", "n"} <= cols,
              f"tap_counts has neither layout the test knows: {sorted(cols)}")

    def conninfo(self, port=None):
        return (f"host=127.0.0.1 port={port or PG.port} user=postgres dbname={self.name} "
                "sslmode=disable")

    def rows(self, sql):
        """Rows of sql (straight to the server, not through the proxy) as tuples of str."""
        argv = PG.psql_argv(dbname=self.name) + ["-A", "-t", "-q", "-F", "\x1f", "-c", sql]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        check(r.returncode == 0, f"psql {sql!r}: {r.stderr.strip()}")
        return [tuple(line.split("\x1f")) for line in r.stdout.splitlines() if line]

    def counts(self, kiosk_id, incarnation):
        """(tap totals, reason totals) of one kiosk incarnation, as the store keys them."""
        where = f"WHERE kiosk_id = '{kiosk_id}' AND incarnation = '{incarnation}'"
        source = "tap_counts"
        if self.wide:
            source = ("(SELECT kiosk_id, incarnation, department, bucket_start_ms, rating, "
                      "misuse, n FROM tap_counts, LATERAL (VALUES (1, 0, rating_1), "
                      "(2, 0, rating_2), (3, 0, rating_3), (4, 0, rating_4), (1, 1, misuse_1), "
                      "(2, 1, misuse_2), (3, 1, misuse_3), (4, 1, misuse_4)) AS v(rating, "
                      "misuse, n) WHERE n > 0) AS t")
        taps = [(d, int(b), int(r), int(m), int(n)) for d, b, r, m, n in self.rows(
            f"SELECT department, bucket_start_ms, rating, misuse, sum(n) FROM {source} "
            f"{where} GROUP BY 1, 2, 3, 4")]
        reasons_source = "reason_counts"
        if self.wide:  # schema steps 14 and 19: some follow-ups are tap_counts columns
            reasons_source = "followup_counts"
        reasons = [(d, int(b), q, r, e, int(m), int(n)) for d, b, q, r, e, m, n in self.rows(
            "SELECT department, bucket_start_ms, question, reason, ended_by, misuse, sum(n) "
            f"FROM {reasons_source} {where} GROUP BY 1, 2, 3, 4, 5, 6")]
        return sorted(taps), sorted(reasons)

    def foreign_rows(self, kiosk_id, incarnation):
        """Rows of any other kiosk or incarnation (this database is the test's own: none)."""
        return [int(n) for (n,) in self.rows(
            "SELECT (SELECT count(*) FROM tap_counts WHERE (kiosk_id, incarnation) <> "
            f"('{kiosk_id}', '{incarnation}')) + (SELECT count(*) FROM reason_counts WHERE "
            f"(kiosk_id, incarnation) <> ('{kiosk_id}', '{incarnation}'))")][0]

    def heartbeat(self, kiosk_id):
        """{incarnation, backlog, last_error, last_seen_ms} of the kiosks row, or None."""
        rows = self.rows("SELECT incarnation, backlog, last_error, last_seen_ms FROM kiosks "
                         f"WHERE kiosk_id = '{kiosk_id}'")
        if not rows:
            return None
        inc, backlog, err, seen = rows[0]
        return {"incarnation": inc, "backlog": int(backlog), "last_error": err,
                "last_seen_ms": int(seen)}

    def drop(self):
        try:
            PG.psql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        except Exception as e:  # noqa: BLE001 - cleanup, reported
            log(f"dropping {self.name}: {e}")


# --- the kiosk's store ---------------------------------------------------------------------
def read_store(path):
    """{kiosk_id, incarnation, seq, synced_seq, taps, reasons} in one read transaction."""
    con = sqlite3.connect(path, timeout=10, isolation_level=None)
    try:
        con.execute("BEGIN")
        meta = dict(con.execute("SELECT key, value FROM meta"))
        taps = sorted(con.execute(
            "SELECT department, bucket_start_ms_utc, rating, misuse, sum(n) FROM counts "
            "GROUP BY 1, 2, 3, 4"))
        reasons = sorted(con.execute(
            "SELECT department, bucket_start_ms_utc, question, coalesce(reason, ''), ended_by, "
            "misuse, sum(n) FROM reason_counts GROUP BY 1, 2, 3, 4, 5, 6"))
        con.execute("COMMIT")
    finally:
        con.close()
    return {"kiosk_id": meta["kiosk_id"], "incarnation": meta["incarnation"],
            "seq": int(meta["seq"]), "synced_seq": int(meta["synced_seq"]),
            "taps": [tuple(r) for r in taps], "reasons": [tuple(r) for r in reasons]}


def diff(name, shared, local):
    """A readable difference of two sorted row lists."""
    only_s = [r for r in shared if r not in local]
    only_l = [r for r in local if r not in shared]
    return (f"{name}: shared has {len(shared)} rows, store {len(local)}; only in shared: "
            f"{only_s}; only in the store: {only_l}")


def in_sync(db, store_path):
    """The store as read, if everything in it is on the server and marked sent, else None."""
    st = read_store(store_path)
    taps, reasons = db.counts(st["kiosk_id"], st["incarnation"])
    if st["synced_seq"] == st["seq"] and taps == st["taps"] and reasons == st["reasons"]:
        return st
    return None


def check_totals(db, store_path, label):
    """The real assertion: the shared totals of the store's kiosk and incarnation equal the
    store's counts exactly, nothing else is in the database, and synced_seq == seq."""
    st = read_store(store_path)
    taps, reasons = db.counts(st["kiosk_id"], st["incarnation"])
    check(taps == st["taps"], f"{label}: tap totals differ: " + diff("tap_counts", taps,
                                                                      st["taps"]))
    check(reasons == st["reasons"], f"{label}: reason totals differ: "
          + diff("reason_counts", reasons, st["reasons"]))
    foreign = db.foreign_rows(st["kiosk_id"], st["incarnation"])
    check(foreign == 0, f"{label}: {foreign} shared rows of another kiosk or incarnation")
    check(st["synced_seq"] == st["seq"],
          f"{label}: store synced_seq {st['synced_seq']} != seq {st['seq']}")
    return st


def check_heartbeat(db, st, label):
    hb = db.heartbeat(st["kiosk_id"])
    check(hb is not None, f"{label}: no kiosks row for {st['kiosk_id']}")
    check(hb["incarnation"] == st["incarnation"],
          f"{label}: kiosks row has incarnation {hb['incarnation']}, the store "
          f"{st['incarnation']}")
    check(hb["backlog"] == 0, f"{label}: kiosks row has backlog {hb['backlog']}, expected 0")
    check(hb["last_error"] == "",
          f"{label}: kiosks row has last_error {hb['last_error']!r}, expected ''")
    check(hb["last_seen_ms"] > 0, f"{label}: kiosks row was never written by the kiosk")
    return hb


def settle(db, kiosk, store_path, timeout):
    """Waits until the store is entirely on the server and marked sent, then for a heartbeat
    written after that (a later round), so that the final state is the last round's."""
    st = wait_until(lambda: in_sync(db, store_path), timeout,
                    f"{kiosk.name}: the shared totals to equal the store")
    seen = (db.heartbeat(st["kiosk_id"]) or {}).get("last_seen_ms", 0)
    wait_until(lambda: (db.heartbeat(st["kiosk_id"]) or {}).get("last_seen_ms", 0) > seen,
               10 * SLOW, f"{kiosk.name}: a heartbeat after the last push")
    check(kiosk.running(), f"{kiosk.name}: the kiosk exited before the test stopped it")


# --- the kiosk -----------------------------------------------------------------------------
class Kiosk:
    """One run of the real binary; stderr is collected (with arrival times) and echoed."""

    def __init__(self, name, tmp, config, script, sync, extra=(), store="kiosk.db"):
        self.name = name
        conf = os.path.join(tmp, f"{name}.conf")
        scr = os.path.join(tmp, f"{name}.script")
        self.store = os.path.join(tmp, store)
        with open(conf, "w") as f:
            f.write(config)
        with open(scr, "w") as f:
            f.write(script)
        argv = [WOWKIOSK, "--windowed", "800x480", "--config", conf, "--store", self.store,
                "--script", scr, "--sync", sync] + list(extra)
        self.lines = []  # (time.monotonic(), line)
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True,
                                     env=dict(os.environ, XDG_DATA_HOME=tmp))
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stderr:
            line = line.rstrip("\n")
            with self.lock:
                self.lines.append((time.monotonic(), line))
            say(f"  [{time.monotonic() - T0:6.1f} s {self.name}] {line}")

    def text(self):
        with self.lock:
            return [line for _, line in self.lines]

    def count(self, needle):
        return sum(needle in line for line in self.text())

    def wait_count(self, needle, n, timeout):
        wait_until(lambda: self.count(needle) >= n or not self.running(), timeout,
                   f"{self.name}: {n} lines with {needle!r}")
        check(self.count(needle) >= n, f"{self.name} exited (status {self.proc.returncode}) "
              f"after {self.count(needle)} lines with {needle!r}, expected {n}")

    def running(self):
        return self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Sends sig if still running; returns the exit status."""
        if self.running():
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout * SLOW)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"{self.name} did not stop within {timeout * SLOW} s of "
                                 f"signal {sig}")
        finally:
            self.reader.join(10)
        return self.proc.returncode

    def finish(self, timeout):
        """Waits for the script's own quit; returns the exit status."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop(signal.SIGKILL)
            raise AssertionError(f"{self.name}: the script did not end within {timeout} s")
        self.reader.join(10)
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.running():
            self.proc.kill()
            self.proc.wait()
        self.reader.join(10)
        return False


# Script waits around a follow-up: the follow-up shows 50 ms (ack) after the face, times out
# after 1 s, and thanks for 0.2 s; the rest is slack for a loaded machine (a tap on a target
# that is not on the screen yet ends the script with an error).
ANSWER_MS = 600 if ASAN else 400      # face -> the follow-up's answer
AFTER_ANSWER_MS = 1000 if ASAN else 700  # answer -> the next face
TIMEOUT_MS = 2500 if ASAN else 1900   # face -> the next face, the follow-up timing out
MISUSE_S = 2 if ASAN else 1.5  # the press filter: taps after a skip or an answer are misuse


def config(kiosk_id, followup=True):
    return f"""\
[kiosk]
id = {kiosk_id}
languages = en

[followup]
enabled = {"true" if followup else "false"}
timeout_s = 1

[screen]
ack_ms = 50
thanks_s = 0.2

[press_filter]
min_interval_s = {MISUSE_S}
burst_count = 0

[sync]
interval_s = 1
backoff_max_s = 1
"""


def followup_taps(n, first=0):
    """Script lines for n face taps, each answered: skipped, timed out or with a reason."""
    lines = []
    for i in range(first, first + n):
        lines.append(f"tap face:{i % 4 + 1}")
        kind = i % 3
        if kind == 0:
            lines += [f"wait {ANSWER_MS}", "tap skip", f"wait {AFTER_ANSWER_MS}"]
        elif kind == 1:
            lines += [f"wait {TIMEOUT_MS}"]
        else:
            lines += [f"wait {ANSWER_MS}", "tap reason:1", f"wait {AFTER_ANSWER_MS}"]
    return lines


def script(lines):
    return "\n".join(lines) + "\n"


# --- 1. faults ------------------------------------------------------------------------------
def test_faults(tmp):
    taps = 20
    db = SharedDb("wow_e2e_faults")
    try:
        with FaultProxy(UPSTREAM) as proxy, \
                Kiosk("faults", tmp, config("e2e-faults"),
                      script(["wait 500"] + followup_taps(taps) + ["wait 120000", "quit"]),
                      db.conninfo(proxy.port), ["--clock-start", CLOCK_START]) as k:
            t = 30 * SLOW
            k.wait_count(COMMITTED, 1, t)
            k.wait_count("sync: sent", 1, t)     # a push through the proxy, nothing wrong
            k.wait_count(COMMITTED, 3, t)
            log("faults: delay 300")
            proxy.delay(300)
            k.wait_count(COMMITTED, 6, t)
            log("faults: cut (delay stays)")
            proxy.cut()
            k.wait_count(COMMITTED, 8, t)
            log("faults: stall for 3 s")
            proxy.passthrough()
            proxy.stall()
            time.sleep(3)
            log("faults: pass")
            proxy.passthrough()
            k.wait_count(COMMITTED, 13, t)
            log("faults: cut_after 1000")
            proxy.cut_after(1000)
            k.wait_count(COMMITTED, 17, t)
            log("faults: pass")
            proxy.passthrough()
            k.wait_count(COMMITTED, taps, t)
            k.wait_count(FOLLOWUP_COMMITTED, taps, t)
            settle(db, k, k.store, 30 * SLOW)
            status = k.stop()
            stats = proxy.stats()
        check(status == 0, f"faults: the kiosk exited with {status} on SIGTERM")
        committed = k.count(COMMITTED)
        check(committed == taps, f"faults: {committed} 'tap committed' lines, expected {taps}")
        failed = k.count("sync: round failed")
        log(f"faults: proxy {stats}; {failed} failed rounds, "
            f"{k.count('sync: connected')} connections")
        check(failed >= 2, f"faults: only {failed} failed sync rounds: the cuts did not hit")
        check(stats["cuts"] >= 2, f"faults: the proxy cut {stats['cuts']} connections")
        st = check_totals(db, k.store, "faults")
        check(sum(r[-1] for r in st["taps"]) == taps,
              f"faults: the store counts {sum(r[-1] for r in st['taps'])} taps, expected {taps}")
        check(sum(r[-1] for r in st["reasons"]) == taps,
              f"faults: the store counts {sum(r[-1] for r in st['reasons'])} follow-ups")
        buckets = {r[1] for r in st["taps"]}
        check(len(buckets) >= 2, f"faults: all taps in one bucket {buckets}; "
              "--clock-start should make them straddle a bucket edge")
        check_heartbeat(db, st, "faults")
        return (f"{taps} taps, {len(st['taps'])} count and {len(st['reasons'])} reason rows in "
                f"{len(buckets)} buckets equal on both sides after {failed} failed rounds")
    finally:
        db.drop()


# --- 2. latency -----------------------------------------------------------------------------
def latency_script(taps, tail, start_ms=1000):
    lines = [f"wait {start_ms}"]
    for i in range(taps):
        lines += [f"tap face:{i % 4 + 1}", "wait 1500"]
    return script(lines + tail)


def latencies(kiosk):
    return [int(m.group(1)) for m in map(LATENCY.search, kiosk.text()) if m]


def latency_attempt(tmp, attempt):
    """One run of the latency scenario; returns (sync latencies, reference latencies,
    taps during the stall, largest gap between taps in s).  Raises on anything but the
    latency limit."""
    taps = 8
    db = SharedDb(f"wow_e2e_latency{attempt}")
    kiosks = []
    try:
        # The reference, a kiosk with --sync off, runs alongside; its taps come 750 ms after
        # the other's, so that the two never draw at the same moment.
        with FaultProxy(UPSTREAM) as proxy, \
                Kiosk("nosync", tmp, config("e2e-nosync", followup=False),
                      latency_script(taps, ["wait 300", "quit"], 1750), "off",
                      ["--trace-latency"], store="nosync.db") as ref_kiosk, \
                Kiosk("latency", tmp, config("e2e-latency", followup=False),
                      latency_script(taps, ["wait 120000", "quit"]),
                      db.conninfo(proxy.port), ["--trace-latency"]) as k:
            kiosks.append(k)
            t = 30 * SLOW
            k.wait_count(COMMITTED, 1, t)
            k.wait_count("sync: sent", 1, t)
            # By the clock, not by the taps: a kiosk whose loop waited for the database
            # would not tap at all until the stall ends.
            log("latency: stall for 6 s")
            proxy.stall()
            t_stall = time.monotonic()
            time.sleep(6)
            t_delay = time.monotonic()
            log("latency: pass, delay 500 for 4.5 s")
            proxy.passthrough()
            proxy.delay(500)
            time.sleep(4.5)
            log("latency: pass")
            proxy.passthrough()
            k.wait_count(COMMITTED, taps, t)
            ref_status = ref_kiosk.finish(t)
            settle(db, k, k.store, 30 * SLOW)
            status = k.stop()
        check(ref_status == 0, f"latency: the kiosk with --sync off exited with {ref_status}")
        check(status == 0, f"latency: the kiosk exited with {status} on SIGTERM")
        ref = latencies(ref_kiosk)
        check(ref_kiosk.count(COMMITTED) == taps,
              f"latency: --sync off: {ref_kiosk.count(COMMITTED)} taps committed, "
              f"expected {taps}")
        check(len(ref) == taps, f"latency: --sync off: {len(ref)} latency lines, expected {taps}")
        with k.lock:
            lines = list(k.lines)
        # Scripted taps are injected by the kiosk's own loop, so --trace-latency measures
        # from the injection: a loop stuck elsewhere shows as taps that come late instead.
        tap_times = [at for at, line in lines if COMMITTED in line]
        gaps = [b - a for a, b in zip(tap_times, tap_times[1:])]
        check(max(gaps) < TAP_GAP_LIMIT_S, f"latency: taps scripted 1.5 s apart were "
              f"committed up to {max(gaps):.1f} s apart: the kiosk's loop was held up")
        stalled = [line for at, line in lines if t_stall + 1.0 < at < t_delay]
        sent_in_stall = [line for line in stalled if SENT.search(line)]
        taps_in_stall = sum(COMMITTED in line for line in stalled)
        check(not sent_in_stall, f"latency: the sync thread pushed during the stall: "
              f"{sent_in_stall}")
        check(taps_in_stall >= 3, f"latency: only {taps_in_stall} taps committed during the "
              f"{t_delay - t_stall:.1f} s stall")
        got = latencies(k)
        check(k.count(COMMITTED) == taps,
              f"latency: {k.count(COMMITTED)} taps committed, expected {taps}")
        check(len(got) == taps, f"latency: {len(got)} latency lines, expected {taps}")
        check_totals(db, k.store, "latency")
        return got, ref, taps_in_stall, max(gaps)
    except AssertionError as e:
        if kiosks:  # what the taps waited, whatever went wrong
            raise AssertionError(f"{e} (input-to-frame latencies: {latencies(kiosks[0])} ms)")
        raise
    finally:
        db.drop()


def test_latency(tmp):
    for attempt in (1, 2):
        run_dir = os.path.join(tmp, f"attempt{attempt}")
        os.mkdir(run_dir)
        got, ref, taps_in_stall, gap = latency_attempt(run_dir, attempt)
        # A machine so loaded that the kiosk without sync is slow too gets twice that, but
        # never as much as the 500 ms delay: a tap that waited for the database still fails.
        limit = min(max(LATENCY_LIMIT_MS, 2 * max(ref)), LATENCY_CAP_MS)
        log(f"latency: input to frame, sync off: max {max(ref)} ms {ref}; "
            f"sync stalled/delayed: max {max(got)} ms {got}; limit {limit} ms")
        slow = [ms for ms in got if ms > limit]
        if not slow:
            return (f"{len(got)} taps, {taps_in_stall} during a 6 s stall, at most "
                    f"{gap:.1f} s apart; max latency {max(got)} ms (sync off {max(ref)} ms, "
                    f"limit {limit} ms)"
                    + ("" if attempt == 1 else " on the second attempt"))
        msg = (f"latency: taps waited {slow} ms for their frame with the database stalled or "
               f"slow (limit {limit} ms; sync off: max {max(ref)} ms)")
        check(attempt == 1, msg + ", twice")
        # Timing on a shared machine is noisy: a slow frame counts when it happens again.
        # A UI that waits for the database waits seconds in the stall, every time.
        log(msg + ": once more")


# --- 3. SIGKILL between the server's commit and the local mark -----------------------------
def test_sigkill(tmp):
    first, more = 6, 2
    # taps in the store, nothing sent
    with Kiosk("offline", tmp, config("e2e-kill"),
               script(["wait 500"] + followup_taps(first) + ["wait 300", "quit"]),
               "off", ["--clock-start", "2024-03-05T10:00:00Z"]) as k:
        status = k.finish(60 * SLOW)
    check(status == 0, f"sigkill: the offline kiosk exited with {status}")
    check(k.count(COMMITTED) == first,
          f"sigkill: offline run committed {k.count(COMMITTED)} taps, expected {first}")
    before = read_store(k.store)
    check(before["synced_seq"] == 0 < before["seq"],
          f"sigkill: offline store has seq {before['seq']}, synced_seq {before['synced_seq']}")

    db = SharedDb("wow_e2e_kill")
    try:
        with FaultProxy(UPSTREAM) as proxy:
            committed = proxy.stall_on_commit()
            with Kiosk("killed", tmp, config("e2e-kill"), script(["wait 120000", "quit"]),
                       db.conninfo(proxy.port), ["--clock-start", "2024-03-05T10:00:20Z"]) as k:
                ok = committed.wait(20 * SLOW)
                check(ok, "sigkill: no commit_stalled from the proxy within "
                      f"{20 * SLOW} s (the kiosk never committed a push)")
                log("sigkill: the server committed, the kiosk is waiting: SIGKILL")
                status = k.stop(signal.SIGKILL)
            check(status == -signal.SIGKILL, f"sigkill: the kiosk ended with {status}")
            check(k.count("sync: sent") == 0, "sigkill: the kiosk logged a push as sent although "
                  "the proxy held the answer to its COMMIT")
            mid = read_store(k.store)
            taps, reasons = db.counts(mid["kiosk_id"], mid["incarnation"])
            check(taps == mid["taps"] and reasons == mid["reasons"],
                  "sigkill: the server should hold the committed push: "
                  + diff("tap_counts", taps, mid["taps"]) + "; "
                  + diff("reason_counts", reasons, mid["reasons"]))
            check(mid["synced_seq"] < mid["seq"],
                  f"sigkill: store synced_seq {mid['synced_seq']} already reached seq "
                  f"{mid['seq']} although the kiosk never heard of the commit")
            log(f"sigkill: server has {sum(r[-1] for r in taps)} taps, store synced_seq "
                f"{mid['synced_seq']} < seq {mid['seq']}")

            proxy.passthrough()
            with Kiosk("restarted", tmp, config("e2e-kill"),
                       script(["wait 500"] + followup_taps(more, first)
                              + ["wait 120000", "quit"]),
                       db.conninfo(proxy.port), ["--clock-start", "2024-03-05T10:00:40Z"]) as k:
                k.wait_count(COMMITTED, more, 30 * SLOW)
                k.wait_count(FOLLOWUP_COMMITTED, more, 30 * SLOW)
                settle(db, k, k.store, 30 * SLOW)
                status = k.stop()
        check(status == 0, f"sigkill: the restarted kiosk exited with {status} on SIGTERM")
        check(k.count("sync: sent") >= 1, "sigkill: the restarted kiosk never sent a push")
        st = check_totals(db, k.store, "sigkill")
        check(st["incarnation"] == before["incarnation"], "sigkill: the store changed incarnation")
        n = sum(r[-1] for r in st["taps"])
        check(n == first + more, f"sigkill: the store counts {n} taps, expected {first + more}")
        check_heartbeat(db, st, "sigkill")
        return (f"the killed push was on the server ({sum(r[-1] for r in taps)} taps) with "
                f"synced_seq {mid['synced_seq']} < seq {mid['seq']}; after the restart "
                f"{n} taps on both sides, synced_seq == seq == {st['seq']}")
    finally:
        db.drop()


UPSTREAM = None  # the port the fault proxy forwards to: the server, or the pooler before it


def check_pooler_log(text):
    """Transaction pooling breaks named (protocol-level) prepared statements: the server would
    answer 'prepared statement ... does not exist' on another connection.  None may show."""
    bad = [line for line in text.splitlines()
           if "prepared statement" in line or "ERROR" in line and "closing because" not in line]
    logins = text.count("login attempt")
    if bad or logins < 2:
        log(f"FAIL pooler: {logins} logins through PgBouncer; it logged:\n" + "\n".join(bad[:10]))
        raise SystemExit(1)
    log(f"pooler: {logins} logins through PgBouncer, no prepared-statement or protocol error "
        "in its log")


def main():
    global WOWKIOSK, WOWDASH, PG
    if len(sys.argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    WOWKIOSK, WOWDASH = (os.path.abspath(a) for a in sys.argv[1:3])
    for k, v in (("SDL_VIDEODRIVER", "dummy"), ("SDL_AUDIODRIVER", "dummy"),
                 ("SDL_RENDER_DRIVER", "software")):
        os.environ.setdefault(k, v)
    state = os.environ.get("WOW_PG_STATE")
    PG = Cluster.from_state(state) if state else Cluster().start()
    global UPSTREAM
    UPSTREAM = PG.port
    bouncer = None
    if os.environ.get("WOW_SYNC_E2E_POOLER") == "pgbouncer":
        from pgbouncer import Pgbouncer
        bouncer = Pgbouncer(PG, users=["postgres"])
        UPSTREAM = bouncer.port
        log(f"through PgBouncer on port {bouncer.port} (transaction pooling)")

    # faults and sigkill run side by side, then latency alone (its timing wants a quiet
    # machine).
    groups = [[("faults", test_faults), ("sigkill", test_sigkill)], [("latency", test_latency)]]
    only = os.environ.get("WOW_SYNC_E2E_ONLY")  # e.g. "faults,sigkill", for a quicker rerun
    if only:
        groups = [[t for t in g if t[0] in only.split(",")] for g in groups]
    results = {}

    def run(name, fn):
        tmp = tempfile.mkdtemp(prefix=f"wow-sync-e2e-{name}.")
        t = time.monotonic()
        try:
            log(f"--- {name}")
            what = fn(tmp)
            results[name] = True
            log(f"PASS {name} ({time.monotonic() - t:.1f} s): {what}")
        except Exception as e:  # noqa: BLE001 - every check runs; reported
            results[name] = False
            if not isinstance(e, AssertionError):
                traceback.print_exc()
            log(f"FAIL {name} ({time.monotonic() - t:.1f} s): {e}")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    t0 = time.monotonic()
    for group in groups:
        threads = [threading.Thread(target=run, args=t, name=t[0]) for t in group]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    passed = sum(results.values())
    log(f"sync e2e: {passed} of {len(results)} passed in {time.monotonic() - t0:.1f} s"
        + (" (ASan timings)" if ASAN else "") + ": "
        + ", ".join(f"{n} {'ok' if ok else 'FAILED'}" for n, ok in results.items()))
    if bouncer:
        pooled = bouncer.text_log()
        bouncer.stop()
        check_pooler_log(pooled)
    if not state:
        PG.stop()
    return 0 if results and all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
