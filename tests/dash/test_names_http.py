#!/usr/bin/env python3
"""Names everywhere and the picker regression (issue 13) on the real binaries, SQLite or
PostgreSQL (the CTest fixture `pg`, env WOW_PG_STATE).

Usage: test_names_http.py WOWDASH sqlite|postgres

A picker kiosk (kiosks.department '' and departments "front, spa") and its taps for "pool":
  user-add   `wowdash user add X --role head --department D` warns for nobody's department
             only: not for front (a single kiosk), spa (only a picker lists it), pool (only
             taps), calm (only the catalog names it)
  picker     /api/v1/departments.json (JSON and CSV) has no id "", the Department filter no
             blank option, the league no blank row
  language   with the catalog (catalog_fixture.sql): Accept-Language picks the names (q-values
             honoured), ?lang=fi picks them and is kept in a cookie; the department page's
             heading and reasons, the overview, the API's department_name and the fleet page's
             picker names follow it; ids stay ids
  imported   the same names when the catalog comes from `wowdash catalog import` of a fleet
             document (IMPORTED) on a fresh database: the importer's rows and these readers
             agree (lang '' the first language, reasons' positions per list, sites)
Exit 1 when any check failed.
"""
import csv
import io
import os
import re
import subprocess
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import seed as seedmod  # noqa: E402
from test_dash_http import CheckFailed, Client, Server, Target, check  # noqa: E402

PASSWORD = "names-e2e-password"

IMPORTED = """\
[kiosk]
languages = en, fi
mode = single
department = front

[site hq]
name = Head office
timezone = UTC
always = true

[group lobby]
name = Lobby
name.fi = Aula

[department front]
name = Front desk
name.fi = Vastaanotto
group = lobby

[department bar]
name = Lobby bar
group = lobby

[reason wait]
label = Long wait
for = negative

[reason friendly]
label = Friendly staff
label.fi = Ystävällinen henkilökunta
for = positive

[reason slow]
label = Slow service
label.fi = Hidas palvelu
for = negative

[kiosk k-pick]
site = hq
mode = picker
departments = front, bar
"""


def wowdash(binary, target, *args, stdin=None):
    r = subprocess.run([binary, *args, "--db", target], input=stdin, capture_output=True,
                       text=True, timeout=60)
    check(r.returncode == 0, f"wowdash {' '.join(args)}: exit {r.returncode}: {r.stderr}")
    return r


def seed_fleet(binary, target):
    """The kiosks and taps every check reads (the heartbeat's columns as the sync writes them)."""
    wowdash(binary, target, "migrate")
    w = seedmod.Writer(target)
    w.insert("kiosks", ["kiosk_id", "site", "label", "department", "timezone", "app_version",
                        "incarnation", "kiosk_clock_ms", "last_seen_ms", "last_success_ms",
                        "backlog", "last_error", "catalog_version", "catalog_error", "mode",
                        "departments"],
             [("k-pick", "HQ", "Lobby picker", "", "UTC", "1.0", "i1", 1, 2, 3, 0, "", 2, "",
               "picker", "front, spa"),
              ("k-one", "HQ", "Front", "front", "UTC", "1.0", "i1", 1, 2, 3, 0, "", 1,
               "<b>bad</b> [kiosk] mode: expected single or picker", "single", "")])
    w.insert("tap_counts", ["kiosk_id", "incarnation", "bucket_start_ms", "department",
                            "rating_1", "rating_2", "rating_3", "rating_4",
                            "misuse_1", "misuse_2", "misuse_3", "misuse_4"],
             [("k-pick", "i1", 1_700_000_000_000, "pool", 1, 0, 2, 3, 0, 0, 0, 0)])
    w.commit()


def check_user_add(binary, target):
    for i, department in enumerate(["front", "spa", "pool", "calm"]):
        r = wowdash(binary, target, "user", "add", f"head{i}", "--role", "head", "--department",
                    department, "--password-stdin", stdin=PASSWORD + "\n")
        check("warning" not in r.stderr, f"user add --department {department}: {r.stderr}")
    r = wowdash(binary, target, "user", "add", "head9", "--role", "head", "--department",
                "nowhere", "--password-stdin", stdin=PASSWORD + "\n")
    check("warning: --department nowhere" in r.stderr, f"nowhere: no warning: {r.stderr!r}")


def check_picker(client):
    r = client.get("/api/v1/departments.json")
    check(r.status == 200, f"departments.json: {r!r}")
    ids = [d["id"] for d in r.json()["items"]]
    check("" not in ids, f"departments.json lists a department '': {ids}")
    check({"front", "spa", "pool"} <= set(ids), f"departments.json: {ids}")
    r = client.get("/api/v1/departments.csv")
    rows = list(csv.DictReader(io.StringIO(r.body.decode("utf-8-sig"))))
    check(all(row["id"] for row in rows), f"departments.csv: a blank id in {rows}")
    page = client.get("/overview").text
    check('"></option>' not in page, "the overview's filter has a blank option")
    blank = re.findall(r'<option value=""[^>]*>([^<]*)</option>', page)
    check(sorted(blank) == ["All departments", "All groups", "All kiosks", "All sites"],
          f"only the 'All ...' choices may be '': {blank}")
    check('href="/department/?' not in page, "the league links a department ''")


def check_language(client):
    en = client.get("/api/v1/departments.json").json()["items"]
    names = {d["id"]: d["name"] for d in en}
    check(names.get("front") == "Front desk" and names.get("spa") == "spa", f"en: {names}")
    fi = client.get("/api/v1/departments.json",
                    headers={"Accept-Language": "de;q=1, en;q=0.5, fi-FI;q=0.8"}).json()["items"]
    names = {d["id"]: d["name"] for d in fi}
    check(names.get("front") == "Vastaanotto", f"Accept-Language fi-FI;q=0.8: {names}")
    check(names.get("bar") == "Lobby bar", f"no Finnish name falls back: {names}")
    en = client.get("/api/v1/departments.json",
                    headers={"Accept-Language": "fi;q=0.3, en"}).json()["items"]
    check({d["id"]: d["name"] for d in en}.get("front") == "Front desk", "q=0.3 < en")

    r = client.get("/department/front?lang=fi")
    check(r.status == 200 and "<h1>Vastaanotto</h1>" in r.text, f"?lang=fi heading: {r!r}")
    check(client.cookies.get("wowdash_lang") == "fi", f"cookie: {client.cookies}")
    page = client.get("/overview").text  # the cookie keeps the choice
    check(">Vastaanotto</option>" in page and ">Aula</option>" in page, "overview in fi")
    fleet = client.get("/fleet").text
    # the page's own words follow the language too (docs/DASHBOARD.md, Languages)
    check("valitsin: Vastaanotto, spa" in fleet or "valitsin: Vastaanotto, <strong" in fleet,
          "the fleet page's picker names")
    check("&lt;b&gt;bad&lt;/b&gt; [kiosk] mode" in fleet and "<b>bad" not in fleet,
          "the refused catalog's error, escaped")
    kiosks = client.get("/api/v1/kiosks.json").json()["items"]
    pick = [k for k in kiosks if k["kiosk_id"] == "k-pick"][0]
    check(pick["department"] == "" and pick["departments"] == "front, spa"
          and pick["department_names"].startswith("Vastaanotto"), f"kiosks.json: {pick}")
    client.get("/overview?lang=en")
    page = client.get("/department/front").text
    check("<h1>Front desk</h1>" in page, "?lang=en back to the first language")


def check_imported(binary, engine, tmp):
    target = server = None
    try:
        target = Target(engine, tmp, "names_import")
        db = target.conninfo
        wowdash(binary, db, "migrate")
        path = os.path.join(tmp, "fleet.ini")
        with open(path, "w", encoding="utf-8") as f:
            f.write(IMPORTED)
        wowdash(binary, db, "catalog", "import", path, "--note", "names")
        w = seedmod.Writer(db)
        w.insert("kiosks", ["kiosk_id", "site", "label", "department", "timezone", "app_version",
                            "incarnation", "kiosk_clock_ms", "last_seen_ms", "last_success_ms",
                            "backlog", "last_error", "catalog_version", "mode", "departments"],
                 [("k-pick", "hq", "Lobby", "", "UTC", "1.0", "i1", 1, 2, 3, 0, "", 1, "picker",
                   "front, bar")])
        w.insert("reason_counts", ["kiosk_id", "incarnation", "bucket_start_ms", "department",
                                   "question", "reason", "ended_by", "misuse", "n"],
                 [("k-pick", "i1", 1_700_000_000_000, "front", q, r, "chosen", 0, n)
                  for q, r, n in [("positive", "friendly", 2), ("negative", "slow", 9),
                                  ("negative", "wait", 1)]])
        w.commit()
        wowdash(binary, db, "rollup")
        wowdash(binary, db, "user", "add", "ada", "--role", "admin", "--password-stdin",
                stdin=PASSWORD + "\n")
        server = Server(binary, db, tmp, zone="UTC")
        client = Client(server.port)
        client.login("ada", PASSWORD)
        fi = {"Accept-Language": "fi"}
        names = {d["id"]: (d["name"], d["group_name"]) for d in
                 client.get("/api/v1/departments.json", headers=fi).json()["items"]}
        check(names == {"front": ("Vastaanotto", "Aula"), "bar": ("Lobby bar", "Aula")},
              f"imported, in fi: {names}")
        page = client.get("/department/front?period=custom&from=2023-11-01&to=2023-11-30",
                          headers=fi).text
        check("<h1>Vastaanotto</h1>" in page, "imported: the heading in fi")
        # the document lists wait first: neither frequency nor the ids' order puts it there
        order = [page.find(t) for t in ("Long wait", "Hidas palvelu")]
        check(-1 not in order and order == sorted(order),
              f"imported: the negative list in the catalog's order (wait before slow): {order}")
        reasons = client.get("/api/v1/reasons.json?period=custom&from=2023-11-01&to=2023-11-30",
                             headers=fi).json()["items"]
        labels = {r["reason"]: r["reason_label"] for r in reasons}
        check(labels == {"friendly": "Ystävällinen henkilökunta", "slow": "Hidas palvelu",
                         "wait": "Long wait"}, f"imported: reason labels {labels}")
        kiosk = client.get("/api/v1/kiosks.json").json()["items"][0]
        check(kiosk["site_name"] == "Head office"
              and kiosk["department_names"] == "Front desk, Lobby bar", f"imported: {kiosk}")
    finally:
        if server:
            server.stop()
        if target:
            target.drop()


def main():
    binary, engine = sys.argv[1], sys.argv[2]
    failed = []
    with tempfile.TemporaryDirectory(prefix="wowdash-names-") as tmp:
        target = server = None
        try:
            target = Target(engine, tmp, "names_http")
            db = target.conninfo
            seed_fleet(binary, db)
            seedmod.seed_catalog(db)
            wowdash(binary, db, "user", "add", "ada", "--role", "admin", "--password-stdin",
                    stdin=PASSWORD + "\n")
            server = Server(binary, db, tmp, zone="UTC")
            client = Client(server.port)
            client.login("ada", PASSWORD)
            for name, fn in [("user-add", lambda _: check_user_add(binary, db)),
                             ("picker", check_picker), ("language", check_language),
                             ("imported", lambda _: check_imported(binary, engine, tmp))]:
                try:
                    fn(client)
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
    print(f"{engine}: " + (f"failed: {', '.join(failed)}" if failed else "every check passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
