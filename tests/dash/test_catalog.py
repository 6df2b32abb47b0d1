#!/usr/bin/env python3
"""The catalog on the dashboard's side (docs/CATALOG.md), end to end on the real binary against a
fresh SQLite file or a PostgreSQL database (the CTest fixture `pg`).

Usage: test_catalog.py WOWDASH sqlite|postgres [CHECK...]

Checks:
  cli         catalog import writes version 1 (versions: who, note), every kiosk's rendering
              and the names; export prints it and importing the export gives the same bytes;
              export --version N; department add and group add are new versions
  refused     a bad file (FILE:LINE: key: message, exit 1), a local key, an unreadable file,
              a catalog a known kiosk would refuse: nothing written anywhere
  concurrent  8 imports at once: 8 new versions, each its own number, none lost
  kiosk_add   kiosk add writes the new kiosk's kiosk_catalog row from the newest version
  web         the Catalog page and its POSTs: an admin's reason edit is a new version whose
              kiosk_catalog rows carry it; a bad edit names the field and changes nothing;
              hostile labels (HTML, a line break, ' ;'); a stale document; a huge post
  csrf        every catalog POST without csrf, or with another session's, is 403 and changes
              nothing
  seeded      a file holding only a version and a kiosk's row (a kiosk seeded it): serve derives
              the names at its first refresh
  roles       a technician gets 403; a head may post only the question of a department in its
              scope that an admin opened to it (404 otherwise, a forged id too), never a
              reason, a name or the document
"""
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "sync"))
from test_dash_http import CheckFailed, Client, Server, Target, check  # noqa: E402

FLEET = """\
[kiosk]
languages = en, fi
mode = picker

[site hq]
name = Head office
timezone = Europe/Helsinki

[group site1]
name = Main site

[group g1]
name = Group one
parent = site1

[department alpha]
name = Alpha ward
name.fi = Alfa
group = g1
question = How was Alpha?

[department bravo]
name = Bravo clinic

[department charlie]
name = Charlie desk
customer_facing = false

[reason fast]
label = Fast
label.fi = Nopea
for = positive

[reason slow]
label = Slow
for = negative

[kiosk k1]
site = hq
mode = single
department = alpha
"""



def with_head_edits(doc):
    """doc with alpha and bravo opened to their heads (docs/CATALOG.md, head_edits)."""
    return (doc.replace("question = How was Alpha?\n", "question = How was Alpha?\nhead_edits = true\n")
            .replace("name = Bravo clinic\n", "name = Bravo clinic\nhead_edits = true\n"))


USERS = [("admin", "admin", []), ("head-a", "head", ["alpha"]), ("head-c", "head", ["charlie"]),
         ("tech", "technician", [])]


class Ctx:
    def __init__(self, wowdash, engine, tmp):
        self.wowdash, self.engine, self.tmp = wowdash, engine, tmp
        self.target = Target(engine, tmp, "catalog")
        self.db = self.target.conninfo
        self.server = None
        self.passwords = {}
        self.head_edits = False  # whether the parser knows [department ID] head_edits yet

    def dash(self, *args, ok=True, stdin=None):
        r = subprocess.run([self.wowdash, *args], capture_output=True, text=True, timeout=120,
                           input=stdin)
        if ok and r.returncode != 0:
            raise CheckFailed(f"wowdash {' '.join(args)} failed ({r.returncode}): {r.stderr}")
        return r

    def rows(self, sql):
        """Every row of a query as a list of tuples of text."""
        if self.target.pg:
            out = self.target.pg.psql(sql, dbname=self.target.dbname)
            return [tuple(line.split("|")) for line in out.splitlines() if line]
        con = sqlite3.connect(self.db, timeout=30)
        try:
            return [tuple("" if v is None else str(v) for v in row) for row in con.execute(sql)]
        finally:
            con.close()

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def snapshot(self):
        """What a refused change must leave as it was."""
        return [self.rows(f"SELECT * FROM {t} ORDER BY 1, 2")
                for t in ("catalog_versions", "kiosk_catalog", "catalog_names",
                          "catalog_reasons", "dash_departments", "dash_groups")]

    def sql(self, statement):
        if self.target.pg:
            self.target.pg.psql(statement, dbname=self.target.dbname)
            return
        con = sqlite3.connect(self.db, timeout=30)
        with con:
            con.execute(statement)
        con.close()

    def newest(self):
        return int(self.rows("SELECT coalesce(max(version), 0) FROM catalog_versions")[0][0])

    def client(self, user):
        c = Client(self.server.port)
        c.login(user, self.passwords[user])
        return c


def setup(ctx):
    ctx.dash("migrate", "--db", ctx.db)
    # a kiosk the database knows before the catalog does: every version is rendered for it
    ctx.dash("kiosk", "add", "k0", "--department", "alpha", "--db", ctx.db,
             *(["--sslmode", "disable"] if ctx.engine == "postgres" else []))
    path = ctx.write("fleet.conf", FLEET)
    r = ctx.dash("catalog", "import", path, "--db", ctx.db, "--note", "first import", "--by",
                 "alice")
    check("catalog version 1 made by alice" in r.stdout, f"import said {r.stdout!r}")
    # head_edits is a key of the config's key table (app/core/config_keys.c): once it is
    # there, alpha and bravo are opened to their heads from version 2 on
    probe = ctx.write("probe.conf", with_head_edits(FLEET))
    r = ctx.dash("catalog", "import", probe, "--db", ctx.db, "--note", "heads", ok=False)
    ctx.head_edits = r.returncode == 0
    if not ctx.head_edits:
        check("head_edits: unknown key" in r.stderr, f"the head_edits probe: {r.stderr!r}")
        print("NOTE: [department ID] head_edits is not a key of the parser yet: the checks of a "
              "head's allowed edit are skipped, its refusals still run", flush=True)
    for name, role, departments in USERS:
        password = f"pw-{name}-catalog"
        scope = [a for d in departments for a in ("--department", d)]
        ctx.dash("user", "add", name, "--role", role, *scope, "--password-stdin", "--db", ctx.db,
                 stdin=password + "\n")
        ctx.passwords[name] = password


def check_cli(ctx):
    versions = ctx.dash("catalog", "versions", "--db", ctx.db).stdout.splitlines()
    n = 2 if ctx.head_edits else 1
    check(len(versions) == n and versions[-1].startswith("1\t") and
          versions[-1].endswith("\talice\tfirst import") and " UTC\t" in versions[-1],
          f"versions: {versions}")
    kiosks = ctx.rows("SELECT kiosk_id, version FROM kiosk_catalog ORDER BY kiosk_id")
    check(kiosks == [("k0", str(n)), ("k1", str(n))], f"kiosk_catalog after the import: {kiosks}")
    names = set(ctx.rows("SELECT kind, id, lang, name FROM catalog_names"))
    for row in (("department", "alpha", "", "Alpha ward"), ("department", "alpha", "fi", "Alfa"),
                ("reason", "fast", "fi", "Nopea"), ("group", "g1", "", "Group one"),
                ("site", "hq", "", "Head office")):
        check(row in names, f"catalog_names lacks {row}: {sorted(names)}")
    reasons = ctx.rows("SELECT reason, list, position FROM catalog_reasons ORDER BY reason")
    check([r[:2] for r in reasons] == [("fast", "positive"), ("slow", "negative")],
          f"catalog_reasons: {reasons}")
    groups = ctx.rows("SELECT group_id, name, parent_id FROM dash_groups ORDER BY group_id")
    check(groups == [("g1", "Group one", "site1"), ("site1", "Main site", "")],
          f"dash_groups: {groups}")
    deps = ctx.rows("SELECT department, name, group_id, customer_facing FROM dash_departments"
                    " ORDER BY department")
    check(deps == [("alpha", "Alpha ward", "g1", "1"), ("bravo", "Bravo clinic", "", "1"),
                   ("charlie", "Charlie desk", "", "0")], f"dash_departments: {deps}")
    # export, import the export: the same bytes
    first = ctx.dash("catalog", "export", "--db", ctx.db).stdout
    check("[department alpha]" in first and "Nopea" in first, f"export: {first!r}")
    again = ctx.write("exported.conf", first)
    ctx.dash("catalog", "import", again, "--db", ctx.db, "--note", "round trip")
    second = ctx.dash("catalog", "export", "--db", ctx.db).stdout
    check(first == second, f"export of the re-import differs:\n{first}\n---\n{second}")
    check(ctx.dash("catalog", "export", "--version", str(n), "--db", ctx.db).stdout == first,
          f"export --version {n} differs from the newest export")
    check("How was Alpha?" in ctx.dash("catalog", "export", "--version", "1", "--db",
                                       ctx.db).stdout, "export --version 1")
    r = ctx.dash("catalog", "export", "--version", "99", "--db", ctx.db, ok=False)
    check(r.returncode == 1 and "no version 99" in r.stderr, f"export --version 99: {r.stderr!r}")
    # department and group add are catalog edits: new versions, the names derived from them
    before = ctx.newest()
    ctx.dash("group", "add", "g2", "--name", "Ops", "--db", ctx.db)
    ctx.dash("department", "add", "delta", "--name", "Delta lab", "--group", "g2", "--db", ctx.db)
    check(ctx.newest() == before + 2, f"department/group add made {ctx.newest() - before} versions")
    doc = ctx.dash("catalog", "export", "--db", ctx.db).stdout
    check("[department delta]" in doc and "Delta lab" in doc and "[group g2]" in doc,
          f"the export after department add: {doc!r}")
    check(("delta", "Delta lab", "g2") in ctx.rows("SELECT department, name, group_id FROM "
                                                   "dash_departments"), "delta not derived")
    versions = ctx.dash("catalog", "versions", "--db", ctx.db).stdout.splitlines()
    check("wowdash department add delta" in versions[0], f"newest version: {versions[0]!r}")


def refused(ctx, args, words, what):
    before = ctx.snapshot()
    r = ctx.dash("catalog", "import", *args, "--db", ctx.db, ok=False)
    check(r.returncode == 1, f"{what}: exit {r.returncode}, stderr {r.stderr!r}")
    for w in words:
        check(w in r.stderr, f"{what}: stderr lacks {w!r}: {r.stderr!r}")
    check(ctx.snapshot() == before, f"{what}: the database changed")


def check_refused(ctx):
    bad = ctx.write("bad.conf", FLEET.replace("for = negative", "for = sideways"))
    line = FLEET.replace("for = negative", "for = sideways").splitlines().index("for = sideways")
    refused(ctx, [bad], [f"bad.conf:{line + 1}: ", "for"], "a bad value")
    local = ctx.write("local.conf", FLEET + "\n[sync]\ntarget = off\n")
    refused(ctx, [local], ["local.conf:", "sync"], "a local key")
    refused(ctx, [os.path.join(ctx.tmp, "missing.conf")], ["missing.conf:0: "], "a missing file")
    # a kiosk the database knows would be refused: k0 runs single with an unknown department
    unknown = ctx.write("unknown.conf", FLEET + "\n[kiosk k0]\nmode = single\n"
                        "department = nowhere\n")
    refused(ctx, [unknown], ["unknown.conf:", "nowhere"], "a kiosk's rendering refused")
    # only k0, which the database knows and the catalog does not name, runs the fleet-wide
    # keys: single mode without a department among three is refused for it
    fleetwide = ctx.write("fleetwide.conf", FLEET.replace("mode = picker", "mode = single"))
    refused(ctx, [fleetwide], ["fleetwide.conf:", "department"], "a known kiosk's rendering")


def check_concurrent(ctx):
    before = ctx.newest()
    path = ctx.write("same.conf", with_head_edits(FLEET) if ctx.head_edits else FLEET)

    def one(i):
        return ctx.dash("catalog", "import", path, "--db", ctx.db, "--note", f"racer {i}",
                        ok=False)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(8)))
    failed = [r.stderr for r in results if r.returncode != 0]
    check(not failed, f"concurrent imports failed: {failed}")
    rows = ctx.rows(f"SELECT version, note FROM catalog_versions WHERE version > {before}"
                    " ORDER BY version")
    check([int(v) for v, _ in rows] == list(range(before + 1, before + 9)),
          f"versions after 8 imports at once: {rows}")
    check(sorted(n for _, n in rows) == sorted(f"racer {i}" for i in range(8)),
          f"a racer's version is lost: {rows}")
    kiosks = set(ctx.rows("SELECT version FROM kiosk_catalog"))
    check(kiosks == {(str(before + 8),)}, f"kiosk_catalog versions after the race: {kiosks}")


def check_kiosk_add(ctx):
    newest = ctx.newest()
    ctx.dash("kiosk", "add", "k9", "--department", "bravo", "--db", ctx.db,
             *(["--sslmode", "disable"] if ctx.engine == "postgres" else []))
    version, body = body_of(ctx, "k9")
    check(version == newest, f"k9's kiosk_catalog row: version {version}, newest {newest}")
    check("Nopea" in body and "[catalog]" in body, f"k9's rendering lacks the reasons: {body!r}")


def body_of(ctx, kiosk):
    """(version, body) of kiosk's kiosk_catalog row; (0, '') when it has none."""
    newline = "chr(10)" if ctx.target.pg else "char(10)"  # one line per row for psql
    rows = ctx.rows(f"SELECT version, replace(body, {newline}, '~NL~') FROM kiosk_catalog"
                    f" WHERE kiosk_id = '{kiosk}'")
    check(len(rows) <= 1, f"{kiosk}: {len(rows)} kiosk_catalog rows")
    return (int(rows[0][0]), rows[0][1].replace("~NL~", "\n")) if rows else (0, "")


def check_web(ctx):
    admin = ctx.client("admin")
    r = admin.get("/catalog")
    check(r.status == 200 and 'action="/catalog/reason/fast"' in r.text and "first import" in
          r.text and 'name="document"' in r.text and 'name="label.fi"' in r.text,
          f"GET /catalog as admin: {r!r}")
    token = admin.csrf("/catalog")
    before = ctx.newest()
    r = admin.post("/catalog/reason/fast", {"csrf": token, "label": "Quick", "label.fi": "Nopea",
                                            "note": "quicker"})
    check(r.status == 303 and r.header("Location") == f"/catalog?saved={before + 1}",
          f"reason edit: {r!r}")
    version, body = body_of(ctx, "k1")
    check(version == before + 1 and "Quick" in body, f"k1's row after the edit: {version} {body!r}")
    check(("reason", "fast", "", "Quick") in ctx.rows("SELECT kind, id, lang, name FROM "
                                                      "catalog_names"), "the label not derived")
    r = admin.get(f"/catalog?saved={before + 1}")
    check(f"Version {before + 1} saved" in r.text and "quicker" in r.text, "no saved notice")
    # refused edits name the field, change nothing
    cases = [
        ({"label": "Fast ; cut"}, "reason fast.label:", "' ;'"),
        ({"label.fi": "two\nlines"}, "reason fast.label.fi:", "a line break"),
        ({"label": ""}, "label", "an empty label"),
        ({"label": "x" * 200}, "reason fast.label:", "200 bytes"),
    ]
    for fields, words, what in cases:
        snap = ctx.snapshot()
        r = admin.post("/catalog/reason/fast", {"csrf": token, **fields})
        check(r.status == 422 and words in r.text and "Not saved" in r.text,
              f"{what}: expected 422 naming {words!r}, got {r!r}")
        check(ctx.snapshot() == snap, f"{what}: the database changed")
    r = admin.post("/catalog/reason/fast", {"csrf": token, "label": "<i>x</i> ; y"})
    check(r.status == 422 and 'value="&lt;i&gt;x&lt;/i&gt; ; y"' in r.text and "<i>x" not in r.text,
          "a refused label is not shown back, escaped, in its field")
    # HTML is kept as text, shown escaped
    r = admin.post("/catalog/reason/slow", {"csrf": token, "label": "<b>Slow</b> & \"late\""})
    check(r.status == 303, f"an HTML label: {r!r}")
    page = admin.get("/catalog").text
    check("<b>Slow</b>" not in page and "&lt;b&gt;Slow&lt;/b&gt; &amp;" in page,
          "the HTML label is not escaped on the page")
    # the document: a stale base is refused, a bad document names file, line and key
    doc = ctx.dash("catalog", "export", "--db", ctx.db).stdout
    snap = ctx.snapshot()
    r = admin.post("/catalog/document", {"csrf": token, "base": "1", "document": doc})
    check(r.status == 409 and "reload" in r.text, f"a stale document: {r!r}")
    bad = doc.replace("[reason slow]", "[reason slow]\ncolour = red")
    r = admin.post("/catalog/document", {"csrf": token, "base": str(ctx.newest()),
                                         "document": bad})
    check(r.status == 422 and "catalog:" in r.text and "colour" in r.text,
          f"a bad document: {r!r}")
    check("colour = red" in r.text, "the refused document is not shown again in the editor")
    check(ctx.snapshot() == snap, "a refused document changed the database")
    r = admin.post("/catalog/document", {"csrf": token, "base": str(ctx.newest()),
                                         "document": doc.replace("Charlie desk", "Charlie's")})
    check(r.status == 303, f"a good document: {r!r}")
    check(("charlie", "Charlie's") in ctx.rows("SELECT department, name FROM dash_departments"),
          "the document's new name not derived")
    # a huge post is refused before it is read
    snap = ctx.snapshot()
    r = admin.post("/catalog/document", {"csrf": token, "base": str(ctx.newest()),
                                         "document": "x" * 100000})
    check(r.status == 413, f"a 100 kB post: {r!r}")
    check(ctx.snapshot() == snap, "a huge post changed the database")
    r = admin.post("/catalog/reason/nope", {"csrf": token, "label": "x"})
    check(r.status == 404, f"an unknown reason: {r!r}")


def check_csrf(ctx):
    admin, other = ctx.client("admin"), ctx.client("admin")
    stale = other.csrf("/catalog")
    snap = ctx.snapshot()
    for path, form in (("/catalog/reason/fast", {"label": "Hacked"}),
                       ("/catalog/department/alpha", {"question": "Hacked?"}),
                       ("/catalog/document", {"base": str(ctx.newest()), "document": FLEET})):
        for what, extra in (("no csrf", {}), ("another session's csrf", {"csrf": stale})):
            r = admin.post(path, {**form, **extra})
            check(r.status == 403, f"POST {path} with {what}: expected 403, got {r!r}")
        r = admin.post(path, {**form, "csrf": admin.csrf("/catalog")},
                       headers={"Origin": "http://evil.example"})
        check(r.status == 403, f"POST {path} from another Origin: expected 403, got {r!r}")
    check(ctx.snapshot() == snap, "a csrf-less post changed the database")


def check_roles(ctx):
    tech = ctx.client("tech")
    check(tech.get("/catalog").status == 403, "a technician reaches /catalog")
    head = ctx.client("head-a")
    r = head.get("/catalog")
    check(r.status == 200, f"head-a's catalog page: {r!r}")
    check(('action="/catalog/department/alpha"' in r.text) == ctx.head_edits,
          f"head-a's catalog page and alpha's form (head_edits {ctx.head_edits}): {r.text!r}")
    for hidden in ("/catalog/department/bravo", "/catalog/reason/", 'name="document"',
                   'name="name"', "head_edits", "Bravo clinic"):
        check(hidden not in r.text, f"head-a's catalog page shows {hidden!r}")
    token = head.csrf("/catalog")
    snap = ctx.snapshot()
    for path, form, status in (
            ("/catalog/department/bravo", {"question": "Mine?"}, 404),   # out of scope
            ("/catalog/department/nope", {"question": "Mine?"}, 404),    # no such department
            ("/catalog/department/alpha%2Fbravo", {"question": "x"}, 404),
            ("/catalog/department/charlie", {"question": "Mine?"}, 404),
            ("/catalog/reason/fast", {"label": "Mine"}, 403),            # admins only
            ("/catalog/document", {"base": str(ctx.newest()), "document": FLEET}, 403)):
        r = head.post(path, {"csrf": token, **form})
        check(r.status == status, f"head-a POST {path}: expected {status}, got {r!r}")
    # bravo out of scope answers as a department that does not exist
    a = head.post("/catalog/department/bravo", {"csrf": token, "question": "x"})
    b = head.post("/catalog/department/no-such", {"csrf": token, "question": "x"})
    check(a.body.replace(b"bravo", b"X") == b.body.replace(b"no-such", b"X"),
          "head-a tells an out-of-scope department from a missing one")
    check(ctx.snapshot() == snap, "a head's refused post changed the database")
    # charlie is head-c's, but nobody opened it to its head
    head_c = ctx.client("head-c")
    r = head_c.post("/catalog/department/charlie", {"csrf": head_c.csrf("/catalog"),
                                                    "question": "Mine?"})
    check(r.status == 404, f"head-c on charlie (head_edits not set): {r!r}")
    if not ctx.head_edits:
        r = head.post("/catalog/department/alpha", {"csrf": token, "question": "Mine?"})
        check(r.status == 404, f"head-a on alpha without head_edits: {r!r}")
        check(ctx.snapshot() == snap, "a head's refused post changed the database")
        return
    # its own question: yes; a name smuggled into the form: ignored
    r = head.post("/catalog/department/alpha", {"csrf": token, "question": "Was Alpha good?",
                                                "name": "Pwned", "head_edits": "false"})
    check(r.status == 303, f"head-a edits alpha's question: {r!r}")
    doc = ctx.dash("catalog", "export", "--db", ctx.db).stdout
    check("Was Alpha good?" in doc and "Pwned" not in doc, f"after head-a's edit: {doc!r}")
    newest = ctx.dash("catalog", "versions", "--db", ctx.db).stdout.splitlines()[0]
    check("\thead-a\t" in newest, f"the version's author: {newest!r}")
    check_we_did(ctx, head, token)


def check_we_did(ctx, head, token):
    """"You said, we did": head-a publishes alpha's note with its days; it reaches k1's
    rendering (the catalog's flow to the kiosk); bad days are refused naming the field."""
    r = head.get("/catalog")
    check('name="we_did"' in r.text and 'name="we_did.fi"' in r.text and
          'type="date"' in r.text and 'name="we_did_until"' in r.text,
          f"head-a's form lacks the note's fields: {r.text!r}")
    snap = ctx.snapshot()
    for form, words in (({"we_did_from": "2026-02-30"}, "we_did_from: expected a date YYYY-MM-DD"),
                        ({"we_did_from": "2026-12-05", "we_did_until": "2026-12-01"},
                         "would end (20261201) before it starts (20261205)"),
                        ({"we_did": "x" * 200}, "we_did")):
        r = head.post("/catalog/department/alpha", {"csrf": token, **form})
        check(r.status == 422 and words in r.text,
              f"head-a's note {form}: expected 422 naming {words!r}, got {r!r}")
    check(ctx.snapshot() == snap, "a refused note changed the database")
    r = head.post("/catalog/department/alpha", {
        "csrf": token, "we_did": "You said: slow. We did: a second desk.",
        "we_did.fi": "Toinen tiski avattu.", "we_did_from": "2026-12-01",
        "we_did_until": "2026-12-31", "we_did_shown": "1", "we_did_score": "true"})
    check(r.status == 303, f"head-a publishes alpha's note: {r!r}")
    _, body = body_of(ctx, "k1")
    for line in ("we_did = You said: slow. We did: a second desk.", "we_did.fi = Toinen tiski avattu.",
                 "we_did_from = 2026-12-01", "we_did_until = 2026-12-31", "we_did_score = true"):
        check(line in body, f"k1's rendering lacks {line!r}: {body!r}")
    r = head.get("/catalog")
    check('value="2026-12-31"' in r.text and "Toinen tiski avattu." in r.text,
          f"the form does not show the note back: {r.text!r}")
    # an empty field removes the key; an unchecked box (the form's marker sent) too
    r = head.post("/catalog/department/alpha", {"csrf": token, "we_did_until": "",
                                                "we_did_shown": "1"})
    body = body_of(ctx, "k1")[1]
    check(r.status == 303 and "we_did_until" not in body and "we_did_score" not in body,
          f"an emptied we_did_until or unchecked we_did_score stays: {r!r} {body!r}")
    check_comments_choice(ctx, head, token)


def check_comments_choice(ctx, head, token):
    """"Tell us more": the department form's choice reaches the kiosk's rendering; a value the
    kiosk's parser refuses is refused naming the key; "off" removes it (its default)."""
    r = head.get("/catalog")
    check('name="comments"' in r.text and 'value="negative"' in r.text,
          f"the form lacks the comments choice: {r.text!r}")
    snap = ctx.snapshot()
    r = head.post("/catalog/department/alpha", {"csrf": token, "comments": "always"})
    check(r.status == 422 and "comments: expected off, negative or any" in r.text,
          f"comments=always: expected 422 naming the key, got {r!r}")
    check(ctx.snapshot() == snap, "a refused comments choice changed the database")
    r = head.post("/catalog/department/alpha", {"csrf": token, "comments": "negative"})
    body = body_of(ctx, "k1")[1]
    check(r.status == 303 and "comments = negative" in body,
          f"k1's rendering lacks comments = negative: {r!r} {body!r}")
    r = head.get("/catalog")
    check('<option value="negative" selected>' in r.text,
          f"the form does not show the choice back: {r.text!r}")
    r = head.post("/catalog/department/alpha", {"csrf": token, "comments": "off"})
    body = body_of(ctx, "k1")[1]
    check(r.status == 303 and "comments =" not in body, f"comments = off stays: {r!r} {body!r}")


def check_seeded(ctx):
    """A kiosk seeds an empty SQLite file with only catalog_versions and its own row: the
    server's first refresh derives the names from the newest version."""
    body = ctx.dash("catalog", "export", "--db", ctx.db).stdout
    for table in ("catalog_versions", "kiosk_catalog", "catalog_names", "catalog_reasons",
                  "dash_departments", "dash_groups"):
        ctx.sql(f"DELETE FROM {table}")
    ctx.sql("INSERT INTO catalog_versions(version, made_ms, made_by, note, body)"
            f" VALUES (1, 0, 'kiosk:k1', 'seeded', '{body.replace(chr(39), chr(39) * 2)}')")
    server = Server(ctx.wowdash, ctx.db, ctx.tmp, extra=("--refresh", "1s"))
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not ctx.rows("SELECT 1 FROM catalog_names"):
            time.sleep(0.2)
    finally:
        server.stop()
    names = set(ctx.rows("SELECT kind, id, lang, name FROM catalog_names"))
    check(("reason", "fast", "fi", "Nopea") in names and ("site", "hq", "", "Head office") in names
          and ("department", "alpha", "", "Alpha ward") in names, f"derived names: {sorted(names)}")
    deps = ctx.rows("SELECT department, group_id FROM dash_departments ORDER BY department")
    check(("alpha", "g1") in deps, f"derived dash_departments: {deps}")


CHECKS = {"cli": check_cli, "refused": check_refused, "concurrent": check_concurrent,
          "kiosk_add": check_kiosk_add, "web": check_web, "csrf": check_csrf,
          "roles": check_roles, "seeded": check_seeded}


def main():
    wowdash, engine = sys.argv[1], sys.argv[2]
    only = sys.argv[3:]
    failed = []
    with tempfile.TemporaryDirectory(prefix="wowdash-catalog-") as tmp:
        ctx = Ctx(wowdash, engine, tmp)
        try:
            setup(ctx)
            ctx.server = Server(wowdash, ctx.db, tmp)
            for name, fn in CHECKS.items():
                if only and name not in only:
                    continue
                try:
                    fn(ctx)
                    print(f"ok {engine} {name}", flush=True)
                except Exception:  # noqa: BLE001 - report every check
                    print(f"FAIL {engine} {name}: {traceback.format_exc()}", flush=True)
                    failed.append(name)
        except Exception:  # noqa: BLE001
            print(f"FAIL {engine} setup: {traceback.format_exc()}", flush=True)
            failed.append("setup")
        finally:
            if ctx.server:
                rc = ctx.server.stop()
                if failed or rc != 0:
                    print(f"--- serve log (exit {rc}) ---\n{ctx.server.text_log()[-4000:]}")
            ctx.target.drop()
    print(f"catalog {engine}: " + (f"failed: {', '.join(failed)}" if failed else "all passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
