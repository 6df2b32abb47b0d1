-- dash_gen.sql: the dashboard benchmark's data, generated inside PostgreSQL
-- (bench/dash_bench.py runs it; see there).  A migrated database (schema
-- step 3, so the synced_ms trigger fires on every row, as it would for
-- rows pushed by kiosks) gets a fleet of kiosks with a year of 15-minute
-- buckets in tap_counts, follow-up answers in reason_counts and one
-- heartbeat row per kiosk in kiosks.
--
-- Run with psql variables:
--   psql -v kiosks=1000 -v days=365 -v seed=42 -v now_ms=... -f bench/dash_gen.sql
-- It only DEFINES things (schema dash_gen: parameter tables and the
-- procedure dash_gen.fill) and writes the kiosks' heartbeat rows; the
-- counts are written by CALL dash_gen.fill(k_from, k_to) per chunk of
-- kiosks (one transaction each, so the caller can show progress):
--   CALL dash_gen.fill(1, 51);   -- kiosks 1..50
--
-- The model (every figure a deliberate choice, so the data looks like a
-- real programme's):
--  * departments: max(10, min(24, kiosks / 10)) (24: what a catalog holds), in groups of 10; each
--    has a satisfied share (faces 3+4) between 0.70 and 0.95, a WOW share
--    of the satisfied and a very-unhappy share of the unhappy.  Every 20th
--    department slips by 0.15 for the last 10 days (alerts should find it),
--    every 25th slipped for a month half a year ago and recovered.
--  * sites: one per department's site number (20 at most); a site has a
--    time zone (Helsinki, Berlin, London, New York, Tokyo), opening hours
--    (08-18, 07-19 or 09-21 local) and a third of them close on Sundays.
--  * kiosks: kiosk n belongs to department ((n - 1) % departments) + 1,
--    about 50 taps a day (30..70 per kiosk, a day factor 0.7..1.3,
--    Saturdays 0.8), spread over the open hours with peaks at noon and
--    at 16:30; satisfaction dips a little at lunch and at weekends.
--    Each open bucket's count is the expected count rounded up or down at
--    random (low variance, so nearly every open bucket has a row: the
--    ~15 M rows of a 1000-kiosk year that issue #4's figure assumes).
--    One kiosk in 50 was reinstalled (a second incarnation) 60 % into
--    the period.
--  * misuse: 2 % of buckets carry a burst of 1..4 misuse taps on one face.
--  * reason_counts: 35 % of rows with taps carry one follow-up answer
--    (negative question when the bucket has a face 1 or 2), chosen 70 %,
--    skipped 15 %, timed out 15 %.
-- Random numbers come from random() after setseed() per chunk: the same
-- seed, kiosks, days and now_ms give the same rows.

DROP SCHEMA IF EXISTS dash_gen CASCADE;
CREATE SCHEMA dash_gen;

CREATE TABLE dash_gen.params AS
SELECT :kiosks::int AS kiosks, :days::int AS days, :seed::int AS seed,
       :now_ms::bigint AS now_ms,
       greatest(10, least(24, :kiosks::int / 10)) AS departments,
       (to_timestamp(:now_ms::bigint / 1000.0) AT TIME ZONE 'UTC')::date + 1 AS last_day;

SELECT setseed((SELECT (seed % 1000) / 1000.0 FROM dash_gen.params));

-- opening hours: profile -> [open_q, close_q) in quarters of an hour
CREATE TABLE dash_gen.profile(profile int PRIMARY KEY, open_q int, close_q int);
INSERT INTO dash_gen.profile VALUES (1, 32, 72), (2, 28, 76), (3, 36, 84);

-- each open quarter's share of the day's taps (sums to 1 per profile)
CREATE TABLE dash_gen.slot AS
SELECT profile, q, shape / sum(shape) OVER (PARTITION BY profile) AS weight
FROM (SELECT p.profile, q,
             1.0 + 0.6 * exp(-power(q / 4.0 - 12.0, 2) / 2.0)
                 + 0.3 * exp(-power(q / 4.0 - 16.5, 2)) AS shape
      FROM dash_gen.profile p, generate_series(p.open_q, p.close_q - 1) AS q) s;
CREATE INDEX ON dash_gen.slot(profile);

CREATE TABLE dash_gen.site AS
SELECT n AS site_no, 'site-' || lpad(n::text, 2, '0') AS site,
       (ARRAY['Europe/Helsinki', 'Europe/Helsinki', 'Europe/Berlin', 'Europe/Helsinki',
              'Europe/London', 'America/New_York', 'Europe/Berlin', 'Europe/Helsinki',
              'Asia/Tokyo', 'Europe/Berlin'])[1 + (n - 1) % 10] AS timezone,
       CASE WHEN n % 10 < 5 THEN 1 WHEN n % 10 < 8 THEN 2 ELSE 3 END AS profile,
       n % 3 = 0 AS closed_sunday
FROM generate_series(1, 20) AS n;

CREATE TABLE dash_gen.grp AS
SELECT n AS group_no, 'g' || lpad(n::text, 2, '0') AS group_id,
       (ARRAY['Emergency care', 'Surgery', 'Outpatient clinics', 'Wards', 'Diagnostics',
              'Family services', 'Pharmacy and shop', 'Front desks', 'Facilities',
              'Support services'])[n] AS name
FROM generate_series(1, (SELECT (departments + 9) / 10 FROM dash_gen.params)) AS n;

CREATE TABLE dash_gen.department AS
SELECT n AS dept_no, 'd' || lpad(n::text, 3, '0') AS department,
       g.name || ' ' || (1 + (n - 1) / 10) AS name, g.group_id,
       1 + (n - 1) % 20 AS site_no,
       0.70 + 0.25 * random() AS satisfied,      -- faces 3 + 4
       0.30 + 0.30 * random() AS wow,            -- face 4 among the satisfied
       0.30 + 0.30 * random() AS very_unhappy,   -- face 1 among the unhappy
       CASE WHEN n % 20 = 0 THEN 10 WHEN n % 25 = 0 THEN 200 ELSE 0 END AS slip_from,
       CASE WHEN n % 20 = 0 THEN 0 WHEN n % 25 = 0 THEN 170 ELSE 0 END AS slip_to
FROM generate_series(1, (SELECT departments FROM dash_gen.params)) AS n
JOIN dash_gen.grp g ON g.group_no = 1 + (n - 1) % (SELECT count(*) FROM dash_gen.grp);
-- slip_from/slip_to: days before the last day; satisfied drops 0.15 in [from, to)

CREATE TABLE dash_gen.kiosk AS
SELECT n AS kiosk_no, 'k' || lpad(n::text, 4, '0') AS kiosk_id, d.dept_no, d.department,
       s.site, s.timezone, s.profile, s.closed_sunday,
       30.0 + 40.0 * random() AS rate,            -- taps a day
       0.06 * random() - 0.03 AS adjust,          -- this kiosk's place against its department
       n % 50 = 7 AS reinstalled
FROM generate_series(1, (SELECT kiosks FROM dash_gen.params)) AS n
JOIN dash_gen.department d ON d.dept_no = 1 + (n - 1) % (SELECT departments FROM dash_gen.params)
JOIN dash_gen.site s ON s.site_no = d.site_no;
ALTER TABLE dash_gen.kiosk ADD PRIMARY KEY (kiosk_no);

-- a uniform number to a face, given the cumulative shares of faces 1..3
CREATE FUNCTION dash_gen.face(u float8, c1 float8, c2 float8, c3 float8)
RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN u < c1 THEN 1 WHEN u < c2 THEN 2 WHEN u < c3 THEN 3 ELSE 4 END
$$;

-- heartbeats: most kiosks seen in the last minute; 2 % silent for hours,
-- some with an error or a backlog, two app versions
INSERT INTO kiosks(kiosk_id, site, label, department, timezone, app_version, incarnation,
                   kiosk_clock_ms, last_seen_ms, last_success_ms, backlog, last_error)
SELECT k.kiosk_id, k.site, 'Kiosk ' || k.kiosk_no || ' at ' || k.site, k.department, k.timezone,
       CASE WHEN k.kiosk_no % 7 = 0 THEN '0.9.0' ELSE '1.0.0' END,
       CASE WHEN k.reinstalled THEN 'inc2-' ELSE 'inc1-' END || k.kiosk_id,
       seen, seen, CASE WHEN k.kiosk_no % 13 = 0 THEN seen - 3600000 ELSE seen END,
       CASE WHEN k.kiosk_no % 13 = 0 THEN 40 + k.kiosk_no % 100 ELSE 0 END,
       CASE WHEN k.kiosk_no % 13 = 0 THEN 'connection timed out' ELSE '' END
FROM dash_gen.kiosk k, dash_gen.params p,
     LATERAL (SELECT p.now_ms - CASE WHEN k.kiosk_no % 50 = 3 THEN 3600000 * (1 + k.kiosk_no % 24)
                                     ELSE (k.kiosk_no * 7919) % 60000 END AS seen) s;

-- The counts of kiosks [k_from, k_to), each open bucket of each day in
-- (now - days, now], and their follow-up answers.  Rows go in kiosk, day,
-- bucket order: each lands at the end of its kiosk's range of the key.
CREATE PROCEDURE dash_gen.fill(k_from int, k_to int) LANGUAGE plpgsql AS $proc$
DECLARE
  p dash_gen.params;
BEGIN
  SELECT * INTO p FROM dash_gen.params;
  PERFORM setseed(((p.seed * 7919 + k_from) % 100000) / 100000.0);
  WITH ins AS (
    INSERT INTO tap_counts(kiosk_id, incarnation, bucket_start_ms, department,
                           rating_1, rating_2, rating_3, rating_4,
                           misuse_1, misuse_2, misuse_3, misuse_4)
    SELECT kiosk_id, incarnation, bucket_start_ms, department,
           (g1 = 1)::int + (g2 = 1)::int + (g3 = 1)::int + (g4 = 1)::int + (g5 = 1)::int + (g6 = 1)::int,
           (g1 = 2)::int + (g2 = 2)::int + (g3 = 2)::int + (g4 = 2)::int + (g5 = 2)::int + (g6 = 2)::int,
           (g1 = 3)::int + (g2 = 3)::int + (g3 = 3)::int + (g4 = 3)::int + (g5 = 3)::int + (g6 = 3)::int,
           (g1 = 4)::int + (g2 = 4)::int + (g3 = 4)::int + (g4 = 4)::int + (g5 = 4)::int + (g6 = 4)::int,
           CASE WHEN mface = 1 THEN m ELSE 0 END, CASE WHEN mface = 2 THEN m ELSE 0 END,
           CASE WHEN mface = 3 THEN m ELSE 0 END, CASE WHEN mface = 4 THEN m ELSE 0 END
    FROM (
      -- each tap's face (0: no tap); at most 6 taps a bucket
      SELECT x.*,
             CASE WHEN t >= 1 THEN dash_gen.face(u1, c1, c2, c3) ELSE 0 END AS g1,
             CASE WHEN t >= 2 THEN dash_gen.face(u2, c1, c2, c3) ELSE 0 END AS g2,
             CASE WHEN t >= 3 THEN dash_gen.face(u3, c1, c2, c3) ELSE 0 END AS g3,
             CASE WHEN t >= 4 THEN dash_gen.face(u4, c1, c2, c3) ELSE 0 END AS g4,
             CASE WHEN t >= 5 THEN dash_gen.face(u5, c1, c2, c3) ELSE 0 END AS g5,
             CASE WHEN t >= 6 THEN dash_gen.face(u6, c1, c2, c3) ELSE 0 END AS g6
      FROM (
        SELECT b.*,
               least(6, floor(lambda + random()))::int AS t,
               random() AS u1, random() AS u2, random() AS u3,
               random() AS u4, random() AS u5, random() AS u6,
               CASE WHEN random() < 0.02 THEN 1 + floor(4 * random())::int ELSE 0 END AS m,
               1 + floor(4 * random())::int AS mface,
               (1 - sat) * very_unhappy AS c1, 1 - sat AS c2, 1 - sat * wow AS c3
        FROM (
          SELECT kd.kiosk_id, kd.incarnation, kd.department, kd.wow, kd.very_unhappy,
                 kd.midnight_ms + s.q * 900000 AS bucket_start_ms,
                 kd.rate * kd.day_factor * s.weight AS lambda,
                 least(0.99, greatest(0.05,
                       kd.sat_day - CASE WHEN s.q BETWEEN 44 AND 55 THEN 0.04 ELSE 0 END)) AS sat
          FROM (
            SELECT k.kiosk_id, k.department, k.profile, k.rate,
                   -- the reinstall 60 % into the period: a second incarnation
                   CASE WHEN k.reinstalled AND dd.day >= p.last_day - (p.days * 2) / 5
                        THEN 'inc2-' ELSE 'inc1-' END || k.kiosk_id AS incarnation,
                   d.wow, d.very_unhappy,
                   (extract(epoch FROM (dd.day + time '12:00') AT TIME ZONE k.timezone) * 1000)::bigint
                     - 43200000 AS midnight_ms,
                   (0.7 + 0.6 * random()) * CASE WHEN extract(isodow FROM dd.day) = 6 THEN 0.8 ELSE 1 END
                     AS day_factor,
                   d.satisfied + k.adjust
                     - CASE WHEN dd.day >= p.last_day - d.slip_from AND dd.day < p.last_day - d.slip_to
                            THEN 0.15 ELSE 0 END
                     - CASE WHEN extract(isodow FROM dd.day) >= 6 THEN 0.02 ELSE 0 END AS sat_day
            FROM dash_gen.kiosk k
            JOIN dash_gen.department d ON d.dept_no = k.dept_no
            CROSS JOIN LATERAL (SELECT g::date AS day
                                FROM generate_series(p.last_day - p.days - 1, p.last_day, interval '1 day') AS g) dd
            WHERE k.kiosk_no >= k_from AND k.kiosk_no < k_to
              AND NOT (k.closed_sunday AND extract(isodow FROM dd.day) = 7)
            ORDER BY k.kiosk_no, dd.day
          ) kd
          JOIN dash_gen.slot s ON s.profile = kd.profile
          WHERE kd.midnight_ms + s.q * 900000 <= p.now_ms - 900000
            AND kd.midnight_ms + s.q * 900000 > p.now_ms - p.days::bigint * 86400000
        ) b
      ) x
    ) y
    WHERE t > 0 OR m > 0
    RETURNING kiosk_id, incarnation, bucket_start_ms, department,
              rating_1 + rating_2 AS negative, rating_3 + rating_4 AS positive
  )
  INSERT INTO reason_counts(kiosk_id, incarnation, bucket_start_ms, department, question, reason,
                            ended_by, misuse, n)
  SELECT kiosk_id, incarnation, bucket_start_ms, department, question,
         CASE WHEN ended_by = 'chosen' THEN
           CASE WHEN question = 'negative'
                THEN (ARRAY['waiting', 'waiting', 'waiting', 'staff', 'staff', 'cleanliness',
                            'information', 'other'])[1 + floor(8 * ub)::int]
                ELSE (ARRAY['staff', 'staff', 'staff', 'speed', 'speed', 'cleanliness',
                            'information', 'other'])[1 + floor(8 * ub)::int] END
           ELSE '' END,
         ended_by, 0, 1
  FROM (SELECT ins.*, random() AS ua, random() AS ub,
               CASE WHEN negative > 0 THEN 'negative' ELSE 'positive' END AS question,
               CASE WHEN uc < 0.70 THEN 'chosen' WHEN uc < 0.85 THEN 'skipped' ELSE 'timeout' END
                 AS ended_by
        FROM (SELECT ins.*, random() AS uc FROM ins) ins) r
  WHERE ua < 0.35 AND negative + positive > 0;
END
$proc$;

-- One sync round of the fleet as the dashboard sees it: nrows rows (the
-- newest buckets of every kiosk, spread evenly) each grow by one tap, and
-- 35 % of them by a follow-up answer too, written by the sync's own
-- upserts (schema.h SCHEMA_TAP_COUNTS_MERGE, SCHEMA_REASON_COUNTS_MERGE:
-- each count the greater of the stored and the sent), so the trigger
-- stamps them and the next rollup has those rows to read.
CREATE PROCEDURE dash_gen.sync_round(nrows int) LANGUAGE plpgsql AS $proc$
BEGIN
  CREATE TEMPORARY TABLE grown ON COMMIT DROP AS
  SELECT t.*, 1 + floor(4 * random())::int AS face, random() < 0.35 AS answered
  FROM dash_gen.kiosk k
  CROSS JOIN LATERAL (
    SELECT * FROM tap_counts t
    WHERE t.kiosk_id = k.kiosk_id
    ORDER BY t.incarnation DESC, t.bucket_start_ms DESC
    LIMIT (nrows + (SELECT count(*) FROM dash_gen.kiosk) - 1) / (SELECT count(*) FROM dash_gen.kiosk)
  ) t
  LIMIT nrows;

  INSERT INTO tap_counts AS tc(kiosk_id, incarnation, bucket_start_ms, department,
                               rating_1, rating_2, rating_3, rating_4,
                               misuse_1, misuse_2, misuse_3, misuse_4)
  SELECT kiosk_id, incarnation, bucket_start_ms, department,
         rating_1 + (face = 1)::int, rating_2 + (face = 2)::int,
         rating_3 + (face = 3)::int, rating_4 + (face = 4)::int,
         misuse_1, misuse_2, misuse_3, misuse_4
  FROM grown
  ON CONFLICT (kiosk_id, incarnation, bucket_start_ms, department) DO UPDATE SET
    rating_1 = CASE WHEN excluded.rating_1 > tc.rating_1 THEN excluded.rating_1 ELSE tc.rating_1 END,
    rating_2 = CASE WHEN excluded.rating_2 > tc.rating_2 THEN excluded.rating_2 ELSE tc.rating_2 END,
    rating_3 = CASE WHEN excluded.rating_3 > tc.rating_3 THEN excluded.rating_3 ELSE tc.rating_3 END,
    rating_4 = CASE WHEN excluded.rating_4 > tc.rating_4 THEN excluded.rating_4 ELSE tc.rating_4 END,
    misuse_1 = CASE WHEN excluded.misuse_1 > tc.misuse_1 THEN excluded.misuse_1 ELSE tc.misuse_1 END,
    misuse_2 = CASE WHEN excluded.misuse_2 > tc.misuse_2 THEN excluded.misuse_2 ELSE tc.misuse_2 END,
    misuse_3 = CASE WHEN excluded.misuse_3 > tc.misuse_3 THEN excluded.misuse_3 ELSE tc.misuse_3 END,
    misuse_4 = CASE WHEN excluded.misuse_4 > tc.misuse_4 THEN excluded.misuse_4 ELSE tc.misuse_4 END
  WHERE excluded.rating_1 > tc.rating_1 OR excluded.rating_2 > tc.rating_2
     OR excluded.rating_3 > tc.rating_3 OR excluded.rating_4 > tc.rating_4
     OR excluded.misuse_1 > tc.misuse_1 OR excluded.misuse_2 > tc.misuse_2
     OR excluded.misuse_3 > tc.misuse_3 OR excluded.misuse_4 > tc.misuse_4;

  -- the kiosk sends the answer's absolute count: one more than stored
  INSERT INTO reason_counts AS rc(kiosk_id, incarnation, bucket_start_ms, department, question,
                                  reason, ended_by, misuse, n)
  SELECT g.kiosk_id, g.incarnation, g.bucket_start_ms, g.department, q.question, 'staff',
         'chosen', 0, coalesce(r.n, 0) + 1
  FROM grown g
  CROSS JOIN LATERAL (SELECT CASE WHEN g.face <= 2 THEN 'negative' ELSE 'positive' END
                        AS question) q
  LEFT JOIN reason_counts r
    ON r.kiosk_id = g.kiosk_id AND r.incarnation = g.incarnation
   AND r.bucket_start_ms = g.bucket_start_ms AND r.department = g.department
   AND r.question = q.question AND r.reason = 'staff' AND r.ended_by = 'chosen' AND r.misuse = 0
  WHERE g.answered
  ON CONFLICT (kiosk_id, incarnation, bucket_start_ms, department, question, reason, ended_by,
               misuse) DO UPDATE SET n = excluded.n WHERE excluded.n > rc.n;
END
$proc$;
