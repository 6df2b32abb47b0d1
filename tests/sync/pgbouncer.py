"""A PgBouncer (Debian's, 1.18) in front of a test cluster (pg_cluster.py), on a free loopback
port, in transaction pooling as docs/SYNC.md puts it in front of a fleet; stopped and removed
after.  The cluster trusts loopback, so the pooler does too (auth_type = trust): the users it
lets in are listed in its auth_file (`users`), and it logs in to the server as them.

    with Pgbouncer(cluster, users=["postgres", "kiosk_a"]) as bouncer:
        conninfo = f"host=127.0.0.1 port={bouncer.port} user=kiosk_a dbname=x sslmode=disable"

PgBouncer refuses to run as root: run as root (CI), it is started with -u nobody, its files
readable by that user.
"""
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Pgbouncer:
    def __init__(self, cluster, users=("postgres",), pool_mode="transaction", pool_size=20,
                 max_clients=4000):
        self.dir = tempfile.mkdtemp(prefix="wow-pgbouncer-")
        os.chmod(self.dir, 0o755)
        self.port = free_port()
        self.log_path = os.path.join(self.dir, "pgbouncer.log")
        with open(os.path.join(self.dir, "users.txt"), "w") as f:
            for u in users:
                f.write(f'"{u}" ""\n')
        self.ini = os.path.join(self.dir, "pgbouncer.ini")
        with open(self.ini, "w") as f:
            f.write(f"""[databases]
* = host=127.0.0.1 port={cluster.port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
auth_type = trust
auth_file = {self.dir}/users.txt
pool_mode = {pool_mode}
default_pool_size = {pool_size}
max_client_conn = {max_clients}
max_db_connections = {pool_size}
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = {self.log_path}
pidfile = {self.dir}/pgbouncer.pid
admin_users = postgres
""")
        for name in os.listdir(self.dir):
            os.chmod(os.path.join(self.dir, name), 0o644)
        argv = ["pgbouncer", "-q", self.ini]
        if os.getuid() == 0:
            argv[1:1] = ["-u", "nobody"]
            nobody = pwd.getpwnam("nobody")
            os.chown(self.dir, nobody.pw_uid, nobody.pw_gid)
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait_listening()

    def _wait_listening(self, timeout=15.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"pgbouncer exited {self.proc.returncode}: "
                                   f"{self.proc.stderr.read().decode(errors='replace')}\n"
                                   f"{self.text_log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"pgbouncer does not listen on {self.port}:\n{self.text_log()}")

    def text_log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
