#!/usr/bin/env python3
"""test_dashq on PostgreSQL: makes a fresh database in the CTest fixture's cluster
(tests/sync/pg_cluster.py, env WOW_PG_STATE), runs the test_dashq binary on it
(WOW_DASHQ_TARGET), drops it.  Usage: test_dashq.py PATH/TO/test_dashq"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sync"))
from pg_cluster import Cluster  # noqa: E402


def main():
    binary = sys.argv[1]
    pg = Cluster.from_state(os.environ["WOW_PG_STATE"])
    name = f"dashq_{os.getpid()}"
    pg.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    pg.create_database(name)
    try:
        env = dict(os.environ, WOW_DASHQ_TARGET=pg.conninfo(dbname=name))
        rc = subprocess.run([binary], env=env, timeout=100).returncode
    finally:
        pg.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"test_dashq on PostgreSQL: exit {rc}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
