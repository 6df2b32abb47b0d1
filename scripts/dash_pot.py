#!/usr/bin/env python3
"""dash_pot: the dashboard's page texts, collected from the C sources into
assets/dash/po/wowdash.pot, and the catalogs checked against them.

Every visible text of a page is an English msgid passed to one of the
page_tr() family (app/dash/render/pages_private.h) or marked N_() in a table;
the router's error messages (route_fail) and the login page's messages
(page_lang_get) are msgids too.  Usage:

  dash_pot.py write     rewrite assets/dash/po/wowdash.pot from the sources
  dash_pot.py check     exit 1 naming what is wrong: the .pot is not what the
                        sources say, or a LANG.po lacks a translation of a
                        msgid (or has one the sources no longer use)
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = ["app/dash/render", "app/dash/web"]
PO_DIR = os.path.join(ROOT, "assets/dash/po")
POT = os.path.join(PO_DIR, "wowdash.pot")

# function name -> the index of the argument that is the msgid
MARKERS = {"N_": 0, "page_tr": 1, "page_text": 2, "page_textf": 2, "page_trf": 3,
           "tagged": 3, "field_open": 3, "page_cell_open": 3, "page_lang_get": 1,
           "route_fail": 2}

STRING = r'"(?:[^"\\\n]|\\.)*"'


def c_unescape(body):
    out, i = [], 0
    simple = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "'": "'"}
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            n = body[i + 1]
            if n in simple:
                out.append(simple[n])
                i += 2
                continue
            if n == "u":
                out.append(chr(int(body[i + 2:i + 6], 16)))
                i += 6
                continue
        out.append(c)
        i += 1
    return "".join(out)


def split_args(text, start):
    """The arguments of the call whose '(' is at start: (list of raw args, end)."""
    depth, i, args, cur = 0, start, [], []
    while i < len(text):
        c = text[i]
        if c == '"':
            m = re.match(STRING, text[i:])
            cur.append(m.group(0))
            i += len(m.group(0))
            continue
        if c == "'":
            m = re.match(r"'(?:[^'\\]|\\.)*'", text[i:])
            cur.append(m.group(0))
            i += len(m.group(0))
            continue
        if c in "([{":
            depth += 1
            if depth == 1 and c == "(":
                i += 1
                continue
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append("".join(cur).strip())
                return args, i
        elif c == "," and depth == 1:
            args.append("".join(cur).strip())
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    return args, i


def literal(arg):
    """The text of arg when it is only string literals (C's concatenation)."""
    parts = re.findall(STRING, arg)
    if not parts or re.sub(STRING, "", arg).strip():
        return None
    return "".join(c_unescape(p[1:-1]) for p in parts)


def collect():
    """msgid -> list of "file:line" where it is used, in source order."""
    found = {}
    pattern = re.compile(r"\b(" + "|".join(MARKERS) + r")\s*\(")
    for folder in SOURCES:
        for name in sorted(os.listdir(os.path.join(ROOT, folder))):
            if not name.endswith(".c"):
                continue
            rel = os.path.join(folder, name)
            text = open(os.path.join(ROOT, rel), encoding="utf-8").read()
            for m in pattern.finditer(text):
                if text[:m.start()].rstrip().endswith(("void", "*", "char")):
                    continue  # the definition itself
                args, _ = split_args(text, m.end() - 1)
                at = MARKERS[m.group(1)]
                if len(args) <= at:
                    continue
                msgid = literal(args[at])
                if msgid:
                    line = text.count("\n", 0, m.start()) + 1
                    found.setdefault(msgid, []).append(f"{rel}:{line}")
    return found


def po_quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def pot_text(found):
    out = ["# wowdash: the dashboard's page texts (scripts/dash_pot.py write makes this file).",
           "# English is the source language: msgids are the English texts.",
           'msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"', ""]
    for msgid, where in found.items():
        files = list(dict.fromkeys(w.split(":")[0] for w in where))  # lines move; files stay
        out.append("#: " + " ".join(files[:3]))
        if "%" in msgid.replace("%%", ""):
            out.append("#, c-format")
        out.append("msgid " + po_quote(msgid))
        out.append('msgstr ""')
        out.append("")
    return "\n".join(out)


def read_po(path):
    """msgid -> (msgstr, fuzzy, line) of a .po file (singular entries)."""
    entries, cur, field, fuzzy, line_no = {}, None, None, False, 0
    def finish():
        if cur and cur.get("msgid"):
            entries[cur["msgid"]] = (cur.get("msgstr", ""), cur["fuzzy"], cur["line"])
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            finish()
            cur = {"msgid": c_unescape(line[7:-1]), "fuzzy": fuzzy, "line": n}
            field, fuzzy = "msgid", False
        elif line.startswith("msgstr "):
            cur["msgstr"] = c_unescape(line[8:-1])
            field = "msgstr"
        elif line.startswith('"') and cur is not None and field:
            cur[field] = cur.get(field, "") + c_unescape(line[1:-1])
        elif not line.strip():
            field = None
    finish()
    return entries


def check(found):
    problems = []
    want = pot_text(found)
    have = open(POT, encoding="utf-8").read() if os.path.exists(POT) else ""
    if want.strip() != have.strip():
        problems.append(f"{os.path.relpath(POT, ROOT)}: not what the sources say: run "
                        "scripts/dash_pot.py write")
    for name in sorted(os.listdir(PO_DIR)):
        if not name.endswith(".po"):
            continue
        path = os.path.join(PO_DIR, name)
        rel = os.path.relpath(path, ROOT)
        po = read_po(path)
        for msgid, where in found.items():
            msgstr, fuzzy, line = po.get(msgid, ("", False, 0))
            if not msgstr or fuzzy:
                problems.append(f"{rel}: expected a translation of {msgid!r} "
                                f"(used at {where[0]}){' (fuzzy)' if fuzzy else ''}")
        for msgid, (_, _, line) in po.items():
            if msgid not in found:
                problems.append(f"{rel}:{line}: {msgid!r} is no longer used by any page")
    return problems


def main():
    found = collect()
    if len(sys.argv) == 2 and sys.argv[1] == "write":
        with open(POT, "w", encoding="utf-8") as f:
            f.write(pot_text(found) + "\n")
        print(f"{os.path.relpath(POT, ROOT)}: {len(found)} texts")
        return 0
    if len(sys.argv) == 2 and sys.argv[1] == "check":
        problems = check(found)
        for p in problems:
            print(p)
        print(f"dash_pot: {len(found)} texts, {len(problems)} problems")
        return 1 if problems else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
