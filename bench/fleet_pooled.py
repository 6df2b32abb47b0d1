#!/usr/bin/env python3
"""The fleet benchmark (bench_sync_fleet) through a real pooler: Debian's PgBouncer 1.18 in
transaction pooling in front of a throwaway PostgreSQL, as docs/SYNC.md puts it before a large
fleet.  1000 kiosks, each logging in as its own role to the pooler, which keeps at most
--pool-size server connections.  The set-up and the final check of the totals go straight to
the server.  Figures are bench_sync_fleet's, renamed fleet_pooled_*, and the pooler's own CPU.

Usage: python3 bench/fleet_pooled.py BUILD [--kiosks N] [--pool-size N] [--seconds S]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "sync"))
from pg_cluster import Cluster  # noqa: E402
from pgbouncer import Pgbouncer  # noqa: E402


def cpu_s(pid):
    """utime + stime of pid, seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--kiosks", type=int, default=1000)
    ap.add_argument("--pool-size", type=int, default=20)
    ap.add_argument("--seconds", type=int, default=60)
    a = ap.parse_args()
    bench = os.path.join(a.build, "bench", "bench_sync_fleet")
    cluster = Cluster().start()  # 300 connections: the pooler's few and the set-up's
    try:
        users = ["postgres"] + [f"kiosk_fleet{i:04d}" for i in range(a.kiosks)]
        with Pgbouncer(cluster, users=users, pool_size=a.pool_size,
                       max_clients=a.kiosks + 100) as bouncer, \
                tempfile.TemporaryDirectory(prefix="wowbench-pooled-") as tmp:
            before = cpu_s(bouncer.proc.pid)
            argv = [bench, cluster.conninfo(), "--kiosks", str(a.kiosks), "--seconds",
                    str(a.seconds), "--saturate-seconds", "15", "--pooled-seconds", "1",
                    "--kiosk-port", str(bouncer.port), "--dir", tmp]
            r = subprocess.run(argv, capture_output=True, text=True, timeout=1800)
            used = cpu_s(bouncer.proc.pid) - before
            for line in r.stdout.splitlines():
                if line.startswith("figure: fleet_pooled_") or line.startswith("reproduce:"):
                    continue  # the bench's own estimate without a pooler, its own command
                print(re.sub(r"^figure: fleet_", "figure: fleet_pooled_", line))
            sys.stderr.write(r.stderr[-3000:])
            print(f"figure: fleet_pooled_pgbouncer_cpu_s {used:.1f} s (the pooler's own CPU over "
                  f"the whole run; {a.pool_size} server connections for {a.kiosks} kiosks)")
            print(f"reproduce: python3 bench/fleet_pooled.py {a.build}")
            return r.returncode
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
