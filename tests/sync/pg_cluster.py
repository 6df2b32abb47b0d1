#!/usr/bin/env python3
"""A throwaway PostgreSQL 15 cluster for the sync tests (Python standard library only).

Command line:
  pg_cluster.py start STATEFILE [--opt NAME=VALUE]...
      initdb + start a cluster in a fresh temp dir (tempfile.mkdtemp, prefix
      "wowkiosk-pg."), listening on 127.0.0.1 on a free port, trust
      authentication, superuser "postgres".  Writes STATEFILE (JSON):
        {"dir", "port", "host": "127.0.0.1", "superuser": "postgres",
         "conninfo": "host=127.0.0.1 port=PORT user=postgres dbname=postgres sslmode=disable",
         "pid": postmaster pid}
      The server settings fsync=off, max_connections=300, shared_buffers=128MB
      are defaults; --opt NAME=VALUE overrides one or adds another.
      A leftover STATEFILE from an earlier run is stopped first.
  pg_cluster.py stop STATEFILE
      pg_ctl -m immediate stop (falls back to SIGKILL of the server's
      processes), removes the temp dir and STATEFILE.  Exits 0 even when the
      cluster or STATEFILE is already gone.
  pg_cluster.py psql STATEFILE [--] ARGS...
      psql -X -v ON_ERROR_STOP=1 against the cluster, ARGS appended.

Module:
  from pg_cluster import Cluster
  with Cluster() as pg:                     # start()s; stop()s on exit, even on exceptions
      pg.create_database("sync_test")
      pg.psql("create table t(x int)", dbname="sync_test")   # -> stdout of psql -XAtq
      pg.conninfo(user="kiosk", password="pw", dbname="sync_test")
  pg = Cluster.from_state(os.environ["WOW_PG_STATE"])       # the CTest fixture's cluster
  A started cluster is also stopped at exit (atexit) and on SIGTERM.  A
  cluster attached with from_state() is only stopped by an explicit stop().

Running as root (the CI does): the temp dir is chowned to the "postgres" user
and initdb/pg_ctl run through `runuser -u postgres --` (or `su postgres -s
/bin/sh -c` when runuser is missing); PostgreSQL refuses to run as root.
As another user they run as that user.  The binaries are looked up in
$WOW_PG_BINDIR, /usr/lib/postgresql/15/bin, then `pg_config --bindir`.
Everything it does is logged to stderr, prefixed "pg_cluster:".
"""
import argparse
import atexit
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

DEFAULT_OPTS = {"fsync": "off", "max_connections": "300", "shared_buffers": "128MB"}
SUPERUSER = "postgres"
HOST = "127.0.0.1"
OS_USER = "postgres"  # who runs the server when we are root


def log(msg):
    print(f"pg_cluster: {msg}", file=sys.stderr, flush=True)


def find_bindir():
    """The directory holding initdb, pg_ctl and psql."""
    candidates = [os.environ.get("WOW_PG_BINDIR"), "/usr/lib/postgresql/15/bin"]
    for d in candidates:
        if d and os.path.isfile(os.path.join(d, "pg_ctl")):
            return d
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True,
                             check=True).stdout.strip()
        if os.path.isfile(os.path.join(out, "pg_ctl")):
            return out
    except (OSError, subprocess.CalledProcessError):
        pass
    raise RuntimeError("PostgreSQL binaries not found (looked in $WOW_PG_BINDIR, "
                       "/usr/lib/postgresql/15/bin, pg_config --bindir); "
                       "install postgresql-15")


def free_port():
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _is_root():
    return os.geteuid() == 0


def _as_server_user(argv):
    """argv wrapped so that it runs as the user who owns the cluster."""
    if not _is_root():
        return argv
    if shutil.which("runuser"):
        return ["runuser", "-u", OS_USER, "--"] + argv
    return ["su", OS_USER, "-s", "/bin/sh", "-c", "exec " + shlex.join(argv)]


def _traversable_by_others(path):
    """True if every directory from / down to path has the x bit for others,
    so the postgres user can reach path (as root we create it for postgres)."""
    path = os.path.abspath(path)
    while True:
        try:
            if not os.stat(path).st_mode & 0o001:
                return False
        except OSError:
            return False
        parent = os.path.dirname(path)
        if parent == path:
            return True
        path = parent


def _tail(path, lines=40):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError as e:
        return f"(no log: {e})\n"


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _pid_is_postgres_of(pid, datadir):
    """True if pid is a postgres process of this cluster (guards against a reused pid)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().split(b"\0")
    except OSError:
        return False
    return bool(cmd) and os.path.basename(cmd[0]) in (b"postgres", b"postmaster") and \
        datadir.encode() in cmd


def _children(pid):
    """Direct children of pid, from /proc."""
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # comm may hold spaces and parentheses: the fields after the last ")" are fixed.
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            kids.append(int(entry))
    return kids


# Every cluster this process started and has not stopped yet: stopped at exit
# and on SIGTERM so that a dying test leaves no server behind.
_live = []
_live_lock = threading.Lock()
_sigterm_installed = False
_previous_sigterm = None


def _stop_all():
    with _live_lock:
        clusters = list(_live)
    for c in clusters:
        try:
            c.stop()
        except Exception as e:  # noqa: BLE001 - best effort at exit
            log(f"stopping {c.dir} failed: {e}")


def _on_sigterm(signum, frame):
    log("SIGTERM: stopping the clusters of this process")
    _stop_all()
    prev = _previous_sigterm
    if callable(prev):
        prev(signum, frame)
    else:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)


def _register(cluster):
    global _sigterm_installed, _previous_sigterm
    with _live_lock:
        _live.append(cluster)
    if not _sigterm_installed and threading.current_thread() is threading.main_thread():
        _previous_sigterm = signal.signal(signal.SIGTERM, _on_sigterm)
        _sigterm_installed = True


def _unregister(cluster):
    with _live_lock:
        if cluster in _live:
            _live.remove(cluster)


atexit.register(_stop_all)


class Cluster:
    """One PostgreSQL cluster in a temp dir; see the module docstring."""

    def __init__(self, opts=None, bindir=None):
        self.opts = dict(DEFAULT_OPTS)
        self.opts.update(opts or {})
        self._bindir = bindir
        self.dir = None
        self.port = None
        self.host = HOST
        self.superuser = SUPERUSER
        self.pid = None
        self.owned = True  # started here: stop at exit / in __exit__

    # --- paths and commands ---------------------------------------------------------------
    @property
    def bindir(self):
        if self._bindir is None:
            self._bindir = find_bindir()
        return self._bindir

    @property
    def datadir(self):
        return os.path.join(self.dir, "data")

    @property
    def logfile(self):
        return os.path.join(self.dir, "log")

    def _bin(self, name):
        return os.path.join(self.bindir, name)

    def _run_server_cmd(self, argv, timeout=120):
        """Runs initdb/pg_ctl as the cluster's owner; returns the CompletedProcess."""
        return subprocess.run(_as_server_user(argv), capture_output=True, text=True,
                              cwd=self.dir, timeout=timeout, stdin=subprocess.DEVNULL)

    # --- start / stop ---------------------------------------------------------------------
    def start(self):
        """initdb + pg_ctl start; returns self.  Raises RuntimeError (with the server log's
        tail on stderr) on failure, leaving nothing behind."""
        if self.dir is not None:
            raise RuntimeError("cluster already started")
        base = tempfile.gettempdir()
        if _is_root() and not _traversable_by_others(base):
            log(f"{base} is not reachable by the {OS_USER} user; using /tmp")
            base = "/tmp"
        self.dir = tempfile.mkdtemp(prefix="wowkiosk-pg.", dir=base)
        _register(self)
        try:
            if _is_root():
                shutil.chown(self.dir, user=OS_USER, group=OS_USER)
            os.chmod(self.dir, 0o700)
            self._initdb()
            self._start_server()
        except BaseException:
            self.stop()
            raise
        return self

    def _initdb(self):
        log(f"initdb in {self.datadir}")
        r = self._run_server_cmd([self._bin("initdb"), "-D", self.datadir, "-U", SUPERUSER,
                                  "--auth=trust", "--encoding=UTF8", "--locale=C"])
        if r.returncode != 0:
            sys.stderr.write(r.stdout + r.stderr)
            raise RuntimeError(f"initdb failed (exit {r.returncode})")

    def _start_server(self):
        # The port is free when we look but may be taken before the server binds it:
        # try a few ports before giving up.
        for attempt in range(5):
            self.port = free_port()
            # pg_ctl hands -o to a shell: quote the values.
            opts = [f"-c listen_addresses={HOST}", f"-p {self.port}", f"-k {shlex.quote(self.dir)}"]
            opts += [f"-c {shlex.quote(f'{k}={v}')}" for k, v in self.opts.items()]
            r = self._run_server_cmd([self._bin("pg_ctl"), "-D", self.datadir, "-w", "-t", "60",
                                      "start", "-l", self.logfile, "-o", " ".join(opts)])
            if r.returncode == 0:
                self.pid = self._read_pid()
                log(f"started PostgreSQL on {HOST}:{self.port} pid {self.pid} dir {self.dir}")
                return
            log_tail = _tail(self.logfile)
            if "could not bind" in log_tail and attempt < 4:
                log(f"port {self.port} taken, trying another")
                continue
            sys.stderr.write(r.stdout + r.stderr)
            log(f"server log {self.logfile}, last lines:")
            sys.stderr.write(log_tail)
            raise RuntimeError(f"pg_ctl start failed (exit {r.returncode})")

    def _read_pid(self):
        with open(os.path.join(self.datadir, "postmaster.pid")) as f:
            return int(f.readline().strip())

    def stop(self):
        """Stops the server (immediate mode) and removes its dir.  Safe to call again and
        when the server is already gone."""
        if self.dir is None:
            return
        d = self.dir
        if os.path.isdir(self.datadir):
            r = None
            if os.path.exists(os.path.join(self.datadir, "postmaster.pid")):
                try:
                    r = self._run_server_cmd([self._bin("pg_ctl"), "-D", self.datadir, "-m",
                                              "immediate", "-w", "-t", "30", "stop"], timeout=60)
                except (OSError, RuntimeError, subprocess.TimeoutExpired) as e:
                    log(f"pg_ctl stop: {e}")
            if r is not None and r.returncode != 0:
                sys.stderr.write(r.stdout + r.stderr)
            self._kill_leftovers()
        shutil.rmtree(d, ignore_errors=True)
        log(f"stopped and removed {d}" + (f" (port {self.port})" if self.port else ""))
        self.dir = None
        self.pid = None
        _unregister(self)

    def _kill_leftovers(self):
        """SIGKILLs the postmaster and its children if pg_ctl did not stop them."""
        pid = self.pid
        if pid is None:
            try:
                pid = self._read_pid()
            except (OSError, ValueError):
                return
        if not _pid_alive(pid) or not _pid_is_postgres_of(pid, self.datadir):
            return
        log(f"server pid {pid} still running: SIGKILL")
        for p in [pid] + _children(pid):
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        while _pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)

    def __enter__(self):
        if self.dir is None:
            self.start()
        return self

    def __exit__(self, *exc):
        if self.owned:
            self.stop()
        return False

    # --- state file -----------------------------------------------------------------------
    def state(self):
        return {"dir": self.dir, "port": self.port, "host": self.host,
                "superuser": self.superuser, "conninfo": self.conninfo(), "pid": self.pid}

    def write_state(self, path):
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.state(), f, indent=2)
            f.write("\n")
        os.replace(tmp, path)

    @classmethod
    def from_state(cls, path):
        """A Cluster for the running cluster described by a state file (not owned: only an
        explicit stop() stops it)."""
        with open(path) as f:
            st = json.load(f)
        c = cls()
        c.dir, c.port, c.host = st["dir"], int(st["port"]), st.get("host", HOST)
        c.superuser, c.pid = st.get("superuser", SUPERUSER), st.get("pid")
        c.owned = False
        return c

    # --- clients --------------------------------------------------------------------------
    def conninfo(self, user=None, password=None, dbname="postgres", **extra):
        """A libpq conninfo string (values quoted as libpq wants)."""
        def q(v):
            v = str(v)
            if v and not any(ch in v for ch in " '\\"):
                return v
            return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"
        parts = {"host": self.host, "port": self.port, "user": user or self.superuser}
        if password is not None:
            parts["password"] = password
        parts["dbname"] = dbname
        parts["sslmode"] = "disable"
        parts.update(extra)
        return " ".join(f"{k}={q(v)}" for k, v in parts.items())

    def psql_argv(self, user=None, dbname="postgres", password=None):
        return [self._bin("psql"), "-X", "-v", "ON_ERROR_STOP=1", "-d",
                self.conninfo(user=user, password=password, dbname=dbname)]

    def psql(self, sql, user=None, dbname="postgres", password=None, timeout=60):
        """Runs sql (one or more statements, fed on stdin) with psql -XAtq; returns stdout.
        Raises RuntimeError with psql's stderr on failure."""
        argv = self.psql_argv(user, dbname, password) + ["-A", "-t", "-q"]
        r = subprocess.run(argv, input=sql, capture_output=True, text=True, timeout=timeout)
        if r.returncode != 0:
            raise RuntimeError(f"psql failed (exit {r.returncode}) on {sql!r}: {r.stderr.strip()}")
        return r.stdout

    def create_database(self, name):
        ident = '"' + name.replace('"', '""') + '"'
        self.psql(f"CREATE DATABASE {ident}")
        return name


# --- command line ---------------------------------------------------------------------------
def _cmd_start(args):
    if os.path.exists(args.statefile):
        log(f"{args.statefile} exists: stopping that cluster first")
        _cmd_stop(args)
    opts = {}
    for o in args.opt:
        name, sep, value = o.partition("=")
        if not sep or not name:
            log(f"--opt wants NAME=VALUE, not {o!r}")
            return 2
        opts[name] = value
    c = Cluster(opts=opts)
    try:
        c.start()
        c.write_state(args.statefile)
    except Exception as e:  # noqa: BLE001 - report and exit non-zero
        log(f"start failed: {e}")
        c.stop()
        return 1
    _unregister(c)  # keeps running after this process exits: `stop` ends it
    log(f"state in {args.statefile}: {c.conninfo()}")
    return 0


def _cmd_stop(args):
    try:
        c = Cluster.from_state(args.statefile)
    except FileNotFoundError:
        log(f"{args.statefile} not found: nothing to stop")
        return 0
    except (ValueError, KeyError) as e:
        log(f"{args.statefile} unreadable ({e}): removing it")
        os.unlink(args.statefile)
        return 0
    c.stop()
    try:
        os.unlink(args.statefile)
    except FileNotFoundError:
        pass
    return 0


def _cmd_psql(args):
    c = Cluster.from_state(args.statefile)
    rest = args.args[1:] if args.args[:1] == ["--"] else args.args
    return subprocess.call(c.psql_argv() + rest)


def main(argv=None):
    p = argparse.ArgumentParser(description="A throwaway PostgreSQL 15 cluster for tests.")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("start", help="initdb + start; write STATEFILE")
    s.add_argument("statefile")
    s.add_argument("--opt", action="append", default=[], metavar="NAME=VALUE",
                   help="server setting (-c NAME=VALUE), repeatable; overrides the defaults "
                        + ", ".join(f"{k}={v}" for k, v in DEFAULT_OPTS.items()))
    s = sub.add_parser("stop", help="stop, remove the dir and STATEFILE")
    s.add_argument("statefile")
    s = sub.add_parser("psql", help="psql against the cluster: psql STATEFILE -- ARGS...")
    s.add_argument("statefile")
    s.add_argument("args", nargs=argparse.REMAINDER)
    args = p.parse_args(argv)
    return {"start": _cmd_start, "stop": _cmd_stop, "psql": _cmd_psql}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
