#!/usr/bin/env python3
"""What a backlog's follow-up reasons cost the server in each shape the shared database could
hold them in (docs/SYNC.md, "Measured since"): the inserts alone, in one throwaway PostgreSQL,
each shape's table built as schema step 18 builds its kind (primary key, synced_ms index and
default, CHECKs), rounds alternating, the tables emptied and a checkpoint between rounds.

The rows are the 30-day backlog's (bench/sync_backlog.c): 16 departments x 2 880 buckets, each
bucket and department with one chosen positive and one chosen negative reason, and its
tap_counts row.

  reasons_as_rows     today's reason_counts: one row per reason (92 160 rows)
  reasons_per_bucket  one row per bucket and department, its reasons in arrays (46 080)
  counts_alone        the tap_counts rows alone (46 080), for the two below
  counts_with_reasons the tap_counts rows carrying their reasons in arrays (46 080)

No kiosk, no sync engine, no parameters: what each shape asks of the server's insert, the part
of the backlog that the kiosk cannot overlap.  Prints one figure per shape, the median of the
rounds.

Usage: python3 bench/reason_shapes.py [--rounds N]
"""
import argparse
import os
import re
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "sync"))
from pg_cluster import Cluster  # noqa: E402

STAMP = "(date_part('epoch', clock_timestamp()) * 1000)::bigint"
KEY = "kiosk_id text NOT NULL, incarnation text NOT NULL, bucket_start_ms bigint NOT NULL," \
      " department text NOT NULL"
COLUMNS = (["rating_%d" % i for i in range(1, 5)] + ["misuse_%d" % i for i in range(1, 5)] +
           ["end_%d" % i for i in range(1, 9)])
COUNTS = ", ".join(f"{c} bigint NOT NULL CHECK ({c} >= 0)" for c in COLUMNS)
COUNT_NAMES = ", ".join(COLUMNS)
BOUNDED = "CHECK (length(incarnation) <= 64 AND length(department) <= 64)"

SETUP = f"""
CREATE TABLE src_sets AS SELECT 'backlog0000'::text AS kiosk_id,
  md5('incarnation') AS incarnation,
  1700000000000::bigint + (i / 16) * 900000::bigint AS bucket_start_ms,
  (ARRAY['front','it','lab','pharmacy','radiology','reception','billing','cafeteria','parking',
         'security','cleaning','xray','dental','eye','children','emergency'])[1 + i % 16]
    AS department,
  ARRAY['positive/' || (ARRAY['helpful','friendly','fast'])[1 + (i / 3) % 3] || '/chosen/0',
        'negative/' || (ARRAY['unclear','waiting','unfriendly'])[1 + (i / 5) % 3] || '/chosen/0']
    AS reasons,
  ARRAY[(1 + i % 2)::bigint, 1::bigint] AS n
  FROM generate_series(0, 46079) AS i;
CREATE TABLE src_rows AS SELECT kiosk_id, incarnation, bucket_start_ms, department,
  split_part(r, '/', 1) AS question, split_part(r, '/', 2) AS reason,
  split_part(r, '/', 3) AS ended_by, split_part(r, '/', 4)::smallint AS misuse, k AS n
  FROM src_sets, unnest(reasons, n) AS u(r, k);
CREATE TABLE reasons_as_rows ({KEY}, question text NOT NULL CHECK (question IN ('positive', 'negative')),
  reason text NOT NULL, ended_by text NOT NULL CHECK (ended_by IN ('chosen', 'skipped', 'timeout')),
  misuse smallint NOT NULL CHECK (misuse IN (0, 1)), n bigint NOT NULL CHECK (n > 0),
  synced_ms bigint NOT NULL DEFAULT {STAMP},
  PRIMARY KEY (kiosk_id, incarnation, bucket_start_ms, department, question, reason, ended_by, misuse),
  {BOUNDED}, CHECK (length(reason) <= 64));
CREATE INDEX ON reasons_as_rows (synced_ms);
CREATE TABLE reasons_per_bucket ({KEY}, reasons text[] NOT NULL, n bigint[] NOT NULL,
  synced_ms bigint NOT NULL DEFAULT {STAMP},
  PRIMARY KEY (kiosk_id, incarnation, bucket_start_ms, department),
  {BOUNDED}, CHECK (cardinality(reasons) = cardinality(n)));
CREATE INDEX ON reasons_per_bucket (synced_ms);
CREATE TABLE counts_alone ({KEY}, {COUNTS}, synced_ms bigint NOT NULL DEFAULT {STAMP},
  PRIMARY KEY (kiosk_id, incarnation, bucket_start_ms, department), {BOUNDED});
CREATE INDEX ON counts_alone (synced_ms);
CREATE TABLE counts_with_reasons ({KEY}, {COUNTS}, reasons text[] NOT NULL, n bigint[] NOT NULL,
  synced_ms bigint NOT NULL DEFAULT {STAMP},
  PRIMARY KEY (kiosk_id, incarnation, bucket_start_ms, department),
  {BOUNDED}, CHECK (cardinality(reasons) = cardinality(n)));
CREATE INDEX ON counts_with_reasons (synced_ms);
"""

KEYS = "kiosk_id, incarnation, bucket_start_ms, department"
COUNT_VALUES = ", ".join(str(v) for v in [1, 2, 3, 4] + [0] * 12)
INSERTS = {
    "reasons_as_rows": "INSERT INTO reasons_as_rows SELECT * FROM src_rows",
    "reasons_per_bucket": "INSERT INTO reasons_per_bucket SELECT * FROM src_sets",
    "counts_alone": f"INSERT INTO counts_alone ({KEYS}, {COUNT_NAMES})"
                    f" SELECT {KEYS}, {COUNT_VALUES} FROM src_sets",
    "counts_with_reasons": f"INSERT INTO counts_with_reasons ({KEYS}, {COUNT_NAMES}, reasons, n)"
                           f" SELECT {KEYS}, {COUNT_VALUES}, reasons, n FROM src_sets",
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    a = ap.parse_args()
    cluster = Cluster().start()
    try:
        cluster.psql("CREATE DATABASE shapes")
        cluster.psql(SETUP, dbname="shapes", timeout=300)
        rows = {t: 0 for t in INSERTS}
        script = "\\timing on\n"
        for _ in range(a.rounds):
            script += "TRUNCATE " + ", ".join(INSERTS) + ";\nCHECKPOINT;\n"
            script += "".join(sql + ";\n" for sql in INSERTS.values())
        out = cluster.psql(script, dbname="shapes", timeout=600)
        times = [float(x) for x in re.findall(r"Time: ([\d.]+) ms", out)]
        per_round = 2 + len(INSERTS)
        if len(times) != a.rounds * per_round:
            sys.exit("reason_shapes: psql said something else than expected:\n" + out[-2000:])
        ms = {t: [times[r * per_round + 2 + i] for r in range(a.rounds)]
              for i, t in enumerate(INSERTS)}
        for t in INSERTS:  # what the last round left
            rows[t] = int(cluster.psql(f"SELECT count(*) FROM {t}", dbname="shapes").strip())
        want = {"reasons_as_rows": 92160, "reasons_per_bucket": 46080, "counts_alone": 46080,
                "counts_with_reasons": 46080}
        if rows != want:
            sys.exit(f"reason_shapes: rows inserted {rows}, expected {want}")
        for t in INSERTS:
            print(f"figure: reason_shape_{t}_ms {statistics.median(ms[t]):.0f} ms "
                  f"({rows[t]} rows; median of {a.rounds}, {min(ms[t]):.0f}-{max(ms[t]):.0f})")
        today = statistics.median(ms["counts_alone"]) + statistics.median(ms["reasons_as_rows"])
        for t, other in (("reasons_per_bucket", "counts_alone"), ("counts_with_reasons", None)):
            shape = statistics.median(ms[t]) + (statistics.median(ms[other]) if other else 0)
            print(f"figure: reason_shape_{t}_ratio {shape / today:.2f} "
                  f"(counts and reasons inserted, beside today's two tables)")
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
