#!/usr/bin/env python3
"""The dashboard's consistency over HTTP, against sums computed here from the seed.

Usage: test_consistency_http.py WOWDASH sqlite|postgres

Seeds the world of seed.py, then makes alpha's second kiosk (k-alpha-2, site NYC, New York
time) serve badly at 16:00 on the Tuesdays of the last 30 days: 60 more taps each, mostly very
unhappy.  Then:
  api       /api/v1/consistency.json?department=alpha: the department's responses and its
            spread equal what this script computes from the seed's cells (the spread as
            docs/DASHBOARD.md defines it: weekday x local-hour cells shrunk by 30 responses, the
            response-weighted deviation); k-alpha-2, site NYC and the hour 16:00 are listed,
            each with the seed's own responses and index, beyond chance; CSV has the same rows
  page      the department page's Consistency section names k-alpha-2 and the spread
  league    the overview's Spread column: every department with responses has one, alpha's is
            the widest, and ?sort=spread puts it last
  scope     head-a (alpha) may ask for alpha, not bravo (404)
"""
import csv
import io
import math
import os
import sys
import tempfile
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seed as seedmod  # noqa: E402
from test_dash_http import (CheckFailed, Client, Server, Target, ZONE, check,  # noqa: E402
                            clear_of_midnight, period_range)

WEAK_KIOSK, WEAK_HOUR, WEAK_ZONE, WEAK_WEEKDAY = "k-alpha-2", 16, "America/New_York", 1
WEAK_FACES = [40, 12, 5, 3]
K = 30.0


def index(c):
    return (c[1] + 2 * c[2] + 3 * c[3]) * 100.0 / (3 * sum(c)) if sum(c) else None


def inject(s, target, days):
    """The weak Tuesday afternoons: rows in the database and in the seed's own cells."""
    rows = []
    for day in range(*days):
        date = seedmod.day_date(day)
        if date.weekday() != WEAK_WEEKDAY:
            continue
        rows.append((WEAK_KIOSK, "weak-1", seedmod.local_ms(date, WEAK_HOUR, WEAK_ZONE), "alpha",
                     *WEAK_FACES, 0, 0, 0, 0))
        cell = s.taps[("alpha", day, WEAK_KIOSK, WEAK_HOUR)]
        for i in range(4):
            cell[i] += WEAK_FACES[i]
    w = seedmod.Writer(target.conninfo)
    w.insert("tap_counts", ["kiosk_id", "incarnation", "bucket_start_ms", "department",
                            "rating_1", "rating_2", "rating_3", "rating_4",
                            "misuse_1", "misuse_2", "misuse_3", "misuse_4"], rows)
    w.commit()
    return len(rows)


def expected(s, dept, days):
    """Responses, spread and the per-kiosk, per-site and per-hour counts of dept over days."""
    cells, kiosks, sites, hours = {}, {}, {}, {}
    for (d, day, kiosk, hour), v in s.taps.items():
        if d != dept or not days[0] <= day < days[1]:
            continue
        faces = v[:4]
        key = (seedmod.day_date(day).weekday(), hour)
        for bucket, k in ((cells, key), (kiosks, kiosk), (sites, s.kiosks[kiosk]["site"]),
                          (hours, hour)):
            bucket.setdefault(k, [0] * 4)
            for i in range(4):
                bucket[k][i] += faces[i]
    total = [sum(c[i] for c in cells.values()) for i in range(4)]
    m = index(total)
    weighted = 0.0
    for c in cells.values():
        n = sum(c)
        if n:
            shrunk = (index(c) * n + K * m) / (n + K)
            weighted += n * (shrunk - m) ** 2
    return {"n": sum(total), "index": m, "spread": math.sqrt(weighted / sum(total)),
            "kiosks": kiosks, "sites": sites, "hours": hours}


def check_api(client, want):
    r = client.get("/api/v1/consistency.json?department=alpha&period=last_30_days")
    check(r.status == 200, f"consistency.json: {r!r}")
    items = r.json()["items"]
    head = items[0]
    check(head["kind"] == "department" and head["responses"] == want["n"],
          f"department row {head}, expected {want['n']} responses")
    check(abs(head["spread"] - want["spread"]) < 0.051,
          f"spread {head['spread']}, expected {want['spread']:.2f}")
    found = {(i["kind"], i["id"] or str(i["at"])): i for i in items[1:]}
    for kind, key, counts in (("kiosk", WEAK_KIOSK, want["kiosks"][WEAK_KIOSK]),
                              ("site", "NYC", want["sites"]["NYC"]),
                              ("hour", str(WEAK_HOUR), want["hours"][WEAK_HOUR])):
        item = found.get((kind, key))
        check(item is not None, f"{kind} {key} not among the weakest: {list(found)}")
        check(item["responses"] == sum(counts), f"{kind} {key}: {item['responses']} responses, "
              f"expected {sum(counts)}")
        check(abs(item["index"] - index(counts)) < 0.051,
              f"{kind} {key}: index {item['index']}, expected {index(counts):.2f}")
        check(item["significant"] is True, f"{kind} {key} not beyond chance: {item}")
        check(abs(item["below_by"] - (want["index"] - index(counts))) < 0.11,
              f"{kind} {key}: below by {item['below_by']}")
    gaps = [i["below_by"] for i in items[1:]]
    check(gaps == sorted(gaps, reverse=True), f"not the widest first: {gaps}")
    r = client.get("/api/v1/consistency.csv?department=alpha&period=last_30_days")
    rows = list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))
    check(len(rows) == len(items) and rows[0]["responses"] == str(want["n"]),
          f"CSV {len(rows)} rows, JSON {len(items)}")


def check_page(client, want):
    text = client.get("/department/alpha?period=last_30_days").text
    check('<h2 id="consistency">Consistency</h2>' in text, "no Consistency section")
    section = text[text.index('id="consistency"'):]
    check(WEAK_KIOSK in section[:6000], "the section does not name the weak kiosk")
    check(f"±{want['spread']:.1f}" in section[:2000] or f"±{want['spread'] + 0.05:.1f}"
          in section[:2000] or f"±{want['spread'] - 0.05:.1f}" in section[:2000],
          f"the section does not show the spread ±{want['spread']:.1f}")


def spreads(text):
    """{department name: spread} from the overview's league rows."""
    out = {}
    for row in text.split("<tr>")[1:]:
        if 'scope="row"><a href="/department/' not in row:
            continue
        name = row.split('">', 2)[2].split("</a>")[0]
        cells = row.split("<td")
        spread = [c for c in cells if c.startswith(">±")]
        out[name] = float(spread[0][2:].split("<")[0]) if spread else None
    return out


def check_league(client, s):
    got = spreads(client.get("/overview?period=last_30_days").text)
    names = {v["name"]: d for d, v in s.departments.items()}
    with_responses = [n for n in got if names.get(n) and s.counts({names[n]},
                                                                  period_range("last_30_days",
                                                                               s.today))]
    check(all(got[n] is not None for n in with_responses), f"a spread missing: {got}")
    alpha = s.departments["alpha"]["name"]
    check(got[alpha] == max(v for v in got.values() if v is not None),
          f"alpha's spread is not the widest: {got}")
    order = list(spreads(client.get("/overview?period=last_30_days&sort=spread").text).items())
    values = [v for _, v in order if v is not None]
    check(values == sorted(values), f"?sort=spread not the most consistent first: {order}")


def main():
    binary, engine = sys.argv[1], sys.argv[2]
    failed = []
    with tempfile.TemporaryDirectory(prefix="wowdash-consistency-") as tmp:
        target = server = None
        try:
            clear_of_midnight()
            target = Target(engine, tmp, "consistency")
            s = seedmod.seed(binary, target.conninfo, zone=ZONE)
            days = period_range("last_30_days", s.today)
            n = inject(s, target, days)
            seedmod.wowdash(binary, target.conninfo, "rollup")
            print(f"injected {n} weak Tuesday afternoons at {WEAK_KIOSK}", flush=True)
            want = expected(s, "alpha", days)
            server = Server(binary, target.conninfo, tmp)
            admin = Client(server.port)
            admin.login("admin", s.users["admin"].password)
            head = Client(server.port)
            head.login("head-a", s.users["head-a"].password)
            for name, fn in [("api", lambda: check_api(admin, want)),
                             ("page", lambda: check_page(admin, want)),
                             ("league", lambda: check_league(admin, s)),
                             ("scope", lambda: check(
                                 head.get("/api/v1/consistency.json?department=bravo").status
                                 == 404 and head.get("/api/v1/consistency.json?department=alpha")
                                 .status == 200, "head-a's scope"))]:
                try:
                    fn()
                    print(f"ok {engine} {name}", flush=True)
                except CheckFailed as e:
                    print(f"FAIL {engine} {name}: {e}", flush=True)
                    failed.append(name)
        except Exception:  # noqa: BLE001 - set-up failed: nothing else can run
            print(f"FAIL {engine} setup: {traceback.format_exc()}", flush=True)
            failed.append("setup")
        finally:
            if server:
                server.stop()
            if target:
                target.drop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
