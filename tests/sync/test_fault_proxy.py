#!/usr/bin/env python3
"""Self-test of fault_proxy.py in front of a real PostgreSQL, checked with psql.

Usage: WOW_PG_STATE=STATEFILE test_fault_proxy.py
  STATEFILE is the JSON of `pg_cluster.py start` (CTest's fixture "pg" writes it).
  Without WOW_PG_STATE the test starts and stops a cluster of its own.

Every check runs even when an earlier one failed; each prints PASS or FAIL with what it
saw; the exit status is 1 if any failed.  The checks: pass forwards; stats counts
connections and bytes; refuse makes psql fail; delay 300 makes a query measurably
slower; stall makes a psql with a short connect_timeout fail and holds an open session
until pass; cut kills an open session; cut_after cuts a long result after exactly N
bytes; stall_on_commit fires its event on BEGIN; CREATE TABLE; COMMIT while the client
waits, and the table then exists when checked directly; the command line (stdin and
control socket) answers as documented.
"""
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)
from fault_proxy import FaultProxy  # noqa: E402
from pg_cluster import Cluster  # noqa: E402

PG = None   # the Cluster
DB = None   # this test's own database


def conninfo(port, **extra):
    info = f"host=127.0.0.1 port={port} user=postgres dbname={DB} sslmode=disable"
    return " ".join([info] + [f"{k}={v}" for k, v in extra.items()])


def psql(port, sql, timeout=30, **extra):
    """psql -XAtq through port; returns (exit code, stdout, stderr, seconds)."""
    argv = [os.path.join(PG.bindir, "psql"), "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1",
            "-d", conninfo(port, **extra), "-c", sql]
    t0 = time.monotonic()
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout.strip(), r.stderr.strip(), time.monotonic() - t0


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


class Lines:
    """Line reader on a pipe with timeouts (select + os.read)."""

    def __init__(self, f):
        self.fd = f.fileno()
        self.buf = b""

    def readline(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                return None
            chunk = os.read(self.fd, 4096)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()


class Session:
    """A long-lived psql reading statements from its stdin, through the proxy."""

    def __init__(self, port):
        argv = [os.path.join(PG.bindir, "psql"), "-X", "-A", "-t", "-q", "-v",
                "ON_ERROR_STOP=1", "-d", conninfo(port)]
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        self.out = Lines(self.p.stdout)

    def send(self, sql):
        self.p.stdin.write(sql.encode() + b"\n")
        self.p.stdin.flush()

    def query(self, sql, timeout=10):
        self.send(sql)
        return self.out.readline(timeout)

    def finish(self, timeout=10):
        """Closes stdin; returns (exit code, stderr)."""
        try:
            self.p.stdin.close()
        except BrokenPipeError:
            pass
        try:
            rc = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = self.p.wait()
        return rc, self.p.stderr.read().decode(errors="replace").strip()


def table_exists(name):
    return PG.psql(f"select to_regclass('{name}') is not null", dbname=DB).strip() == "t"


# --- the checks -------------------------------------------------------------------------
def check_pass():
    with FaultProxy(PG.port) as fp:
        rc, out, err, _ = psql(fp.port, "select 42")
        check(rc == 0 and out == "42", f"psql through the proxy: rc={rc} out={out!r} err={err}")


def check_stats():
    with FaultProxy(PG.port) as fp:
        s0 = fp.stats()
        check(s0 == {"connections": 0, "bytes_up": 0, "bytes_down": 0, "cuts": 0, "open": 0},
              f"fresh proxy stats {s0}")
        for i in range(3):
            rc, out, err, _ = psql(fp.port, f"select {i}")
            check(rc == 0 and out == str(i), f"psql {i}: rc={rc} out={out!r} err={err}")
        s = fp.stats()
        check(s["connections"] == 3, f"3 psql runs, stats says connections={s['connections']}")
        check(s["bytes_up"] > 0 and s["bytes_down"] > 0, f"no bytes counted: {s}")
        check(s["cuts"] == 0, f"cuts without faults: {s}")


def check_refuse():
    with FaultProxy(PG.port) as fp:
        fp.refuse()
        rc, out, err, _ = psql(fp.port, "select 1")
        check(rc != 0, f"psql succeeded through a refusing proxy: out={out!r}")
        s = fp.stats()
        check(s["connections"] == 1 and s["cuts"] == 1, f"refused connection not counted: {s}")
        fp.passthrough()
        rc, out, err, _ = psql(fp.port, "select 1")
        check(rc == 0 and out == "1", f"after pass: rc={rc} out={out!r} err={err}")


def check_delay():
    with FaultProxy(PG.port) as fp:
        base = min(psql(fp.port, "select 1")[3] for _ in range(3))
        fp.delay(300)
        rc, out, err, slow = psql(fp.port, "select 1")
        check(rc == 0 and out == "1", f"delayed psql: rc={rc} out={out!r} err={err}")
        # Connecting and one query cross the proxy at least 4 times one way
        # (startup, authentication ok, query, result): 4 x 300 ms.
        check(slow - base >= 0.9,
              f"delay 300 made psql only {slow - base:.3f} s slower ({base:.3f} -> {slow:.3f} s)")
        fp.passthrough()
        again = psql(fp.port, "select 1")[3]
        check(again < base + 0.9, f"still slow after pass: {again:.3f} s (base {base:.3f} s)")


def check_stall_new_connection():
    with FaultProxy(PG.port) as fp:
        fp.stall()
        rc, out, err, t = psql(fp.port, "select 1", connect_timeout=2)
        check(rc != 0, f"psql got through a stalled proxy: out={out!r}")
        check(1.5 <= t < 15, f"psql with connect_timeout=2 gave up after {t:.2f} s: {err}")
        check("timeout" in err, f"expected a timeout, psql said: {err}")
        fp.passthrough()
        rc, out, err, _ = psql(fp.port, "select 1", connect_timeout=2)
        check(rc == 0 and out == "1", f"after pass: rc={rc} out={out!r} err={err}")


def check_stall_open_session():
    with FaultProxy(PG.port) as fp:
        s = Session(fp.port)
        try:
            check(s.query("select 1;") == "1", "session: first query")
            fp.stall()
            s.send("select 2;")
            got = s.out.readline(1.5)
            check(got is None, f"stalled proxy let an answer through: {got!r}")
            fp.passthrough()
            got = s.out.readline(10)
            check(got == "2", f"after pass the held query answered {got!r}, not '2'")
        finally:
            rc, err = s.finish()
        check(rc == 0, f"session ended with {rc}: {err}")


def check_cut():
    with FaultProxy(PG.port) as fp:
        s = Session(fp.port)
        try:
            check(s.query("select 1;") == "1", "session: first query")
            fp.cut()
            got = s.query("select 2;", timeout=5)
            check(got is None, f"cut session still answered {got!r}")
        finally:
            rc, err = s.finish()
        check(rc != 0, "psql exited 0 after its connection was cut")
        check("connection" in err or "server closed" in err, f"psql's error: {err}")
        st = fp.stats()
        check(st["cuts"] == 1 and st["open"] == 0, f"stats after cut: {st}")
        rc, out, err, _ = psql(fp.port, "select 3")
        check(rc == 0 and out == "3", f"cut is not a mode, a new psql failed: {err}")


def check_cut_after():
    with FaultProxy(PG.port) as fp:
        fp.cut_after(1_000_000)
        rc, out, err, _ = psql(fp.port, "select 1")
        check(rc == 0 and out == "1", f"small query under cut_after 1000000: rc={rc} err={err}")
        fp.cut_after(20000)
        s0 = fp.stats()
        rc, out, err, _ = psql(fp.port, "select repeat('x', 500000)")
        check(rc != 0, "a 500 kB result went through cut_after 20000")
        check("closed" in err or "lost" in err or "reset" in err, f"psql's error: {err}")
        s1 = fp.stats()
        moved = s1["bytes_up"] + s1["bytes_down"] - s0["bytes_up"] - s0["bytes_down"]
        check(moved == 20000, f"cut_after 20000 forwarded {moved} bytes")
        check(s1["cuts"] == s0["cuts"] + 1, f"cut not counted: {s0} -> {s1}")
        fp.passthrough()
        rc, out, err, _ = psql(fp.port, "select length(repeat('x', 500000))")
        check(rc == 0 and out == "500000", f"after pass: rc={rc} out={out!r} err={err}")


def check_stall_on_commit():
    name = f"fp_commit_{os.getpid()}"
    check(not table_exists(name), f"{name} exists before the test")
    with FaultProxy(PG.port) as fp:
        event = fp.stall_on_commit()
        rc, out, err, _ = psql(fp.port, "select 7", timeout=10)
        check(rc == 0 and out == "7", f"a query without COMMIT was held: rc={rc} err={err}")
        check(not event.is_set(), "commit_stalled fired without a COMMIT")
        argv = [os.path.join(PG.bindir, "psql"), "-X", "-v", "ON_ERROR_STOP=1",
                "-d", conninfo(fp.port), "-c", f"BEGIN; CREATE TABLE {name}(); COMMIT;"]
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            check(event.wait(10), "no commit_stalled event within 10 s")
            time.sleep(0.5)
            check(p.poll() is None, f"psql saw the COMMIT's answer and exited {p.returncode}")
            check(table_exists(name), f"commit_stalled fired but {name} does not exist")
            fp.cut()
            rc = p.wait(10)
            check(rc != 0, "psql exited 0 although it never saw the COMMIT's answer")
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            PG.psql(f"DROP TABLE IF EXISTS {name}", dbname=DB)


def check_cli_stdin():
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "fault_proxy.py"),
                          "--listen", "127.0.0.1:0", "--upstream", f"127.0.0.1:{PG.port}"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    out = Lines(p.stdout)

    def say(line):
        p.stdin.write(line.encode() + b"\n")
        p.stdin.flush()
        return out.readline(10)

    try:
        first = out.readline(10)
        check(first is not None and first.startswith("listening "), f"first line {first!r}")
        port = int(first.split()[1])
        check(port > 0, f"port {port}")
        got = say("stats")
        check(got == "ok connections=0 bytes_up=0 bytes_down=0 cuts=0 open=0", f"stats: {got!r}")
        rc, o, err, _ = psql(port, "select 5")
        check(rc == 0 and o == "5", f"psql through the CLI proxy: rc={rc} err={err}")
        check(say("refuse") == "ok", "refuse not ok")
        rc, o, err, _ = psql(port, "select 5")
        check(rc != 0, "psql went through a refusing CLI proxy")
        check(say("pass") == "ok", "pass not ok")
        got = say("bogus")
        check(got is not None and got.startswith("error "), f"bogus answered {got!r}")
        got = say("delay soon")
        check(got is not None and got.startswith("error "), f"'delay soon' answered {got!r}")
        check(say("stall_on_commit") == "ok", "stall_on_commit not ok")
        argv = [os.path.join(PG.bindir, "psql"), "-X", "-d", conninfo(port),
                "-c", "BEGIN; SELECT 1; COMMIT;"]
        q = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            got = out.readline(10)
            check(got == "event commit_stalled", f"expected the event line, got {got!r}")
            check(say("cut") == "ok", "cut not ok")
            q.wait(10)
        finally:
            if q.poll() is None:
                q.kill()
                q.wait()
        p.stdin.close()
        check(p.wait(10) == 0, f"proxy exit status {p.returncode} at end of stdin")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def check_cli_control_socket():
    with tempfile.TemporaryDirectory(prefix="wowkiosk-fp.") as d:
        path = os.path.join(d, "control")
        p = subprocess.Popen([sys.executable, os.path.join(HERE, "fault_proxy.py"),
                              "--upstream", f"127.0.0.1:{PG.port}", "--control-socket", path],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
        try:
            first = Lines(p.stdout).readline(10)
            check(first is not None and first.startswith("listening "), f"first line {first!r}")
            port = int(first.split()[1])
            with socket.socket(socket.AF_UNIX) as s:
                s.connect(path)
                s.settimeout(10)
                f = s.makefile("rw")

                def say(line):
                    f.write(line + "\n")
                    f.flush()
                    return f.readline().rstrip("\n")

                check(say("stall") == "ok", "stall not ok")
                rc, o, err, t = psql(port, "select 1", connect_timeout=2)
                check(rc != 0, "psql went through a stalled proxy (control socket)")
                check(say("pass") == "ok", "pass not ok")
                rc, o, err, t = psql(port, "select 1")
                check(rc == 0 and o == "1", f"after pass: {err}")
                got = say("wait_commit 100")
                check(got == "error timeout", f"wait_commit without a commit: {got!r}")
                got = say("stats")
                check(got.startswith("ok connections=2 "), f"stats: {got!r}")
            p.send_signal(signal.SIGTERM)
            check(p.wait(10) == 0, f"exit status {p.returncode} after SIGTERM")
            check(not os.path.exists(path), "control socket left behind")
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()


CHECKS = [check_pass, check_stats, check_refuse, check_delay, check_stall_new_connection,
          check_stall_open_session, check_cut, check_cut_after, check_stall_on_commit,
          check_cli_stdin, check_cli_control_socket]


def main():
    global PG, DB
    state = os.environ.get("WOW_PG_STATE")
    if state:
        PG = Cluster.from_state(state)
    else:
        print("WOW_PG_STATE not set: starting a cluster for this run", flush=True)
        PG = Cluster().start()
    DB = f"fault_proxy_selftest_{os.getpid()}"
    PG.create_database(DB)
    failed = []
    try:
        for c in CHECKS:
            t0 = time.monotonic()
            try:
                c()
                print(f"PASS {c.__name__} ({time.monotonic() - t0:.1f} s)", flush=True)
            except Exception as e:  # noqa: BLE001 - report every check
                failed.append(c.__name__)
                print(f"FAIL {c.__name__}: {e}", flush=True)
                if not isinstance(e, AssertionError):
                    traceback.print_exc()
    finally:
        try:
            PG.psql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        except RuntimeError as e:
            print(f"cleanup: {e}", flush=True)
        if PG.owned:
            PG.stop()
    print(f"{len(CHECKS) - len(failed)}/{len(CHECKS)} checks passed"
          + (f"; failed: {', '.join(failed)}" if failed else ""), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
