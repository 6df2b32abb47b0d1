#!/usr/bin/env python3
"""check_layers: the house's shape, checked from the code's own #include lines.

Rooms are folders (lib, platform/os, app/core, ... app/dash/web).  A room may
include headers only from the rooms ALLOWED names for it, so no arrow runs
from a lower layer up (lib < platform < app/core, app/store < app/sync <
app/kiosk, app/dash).  Headers of I/O libraries are
allowed only in the files named in IO_HEADERS, and clock_gettime() and
getenv("SDL_...") only in platform/.  No two files call each other, directly
or round a loop: a call to a function that another file defines is an
arrow to that file, and the arrows have no circles (a module whose files
call each other is one knot, not a layering).

Prints FILE:LINE: what is wrong, for every violation; exit status 1 if any.
Run from anywhere: python3 scripts/check_layers.py [--root DIR]
(--root: check another tree, as tests/deploy/test_check_layers.py does).
"""
import os
import re
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Which rooms each room may include (itself always).  tests/ and bench/
# may include anything and are not listed.
ALLOWED = {
    "lib": set(),
    "platform/os": {"lib"},
    "platform/sdl": {"lib", "platform/os"},
    "platform/speech": {"lib", "platform/os"},
    "app/core": {"lib", "platform/os"},
    "app/store": {"lib", "platform/os"},
    "app/sync": {"lib", "platform/os", "app/store"},
    "app/ui": {"lib", "platform/os", "app/core"},
    "app/kiosk": {"lib", "platform/os", "platform/sdl", "platform/speech", "app/core",
                  "app/store", "app/sync", "app/ui"},
    # The dashboard: model (its values and the numbers computed from them,
    # pure) and data (the database) at the bottom, then alerts, render, web;
    # cli, the commands, on top.
    # app/core: the catalog (docs/CATALOG.md) is parsed and rendered with
    # the kiosk's own config code, so the dashboard's words are the kiosk's.
    "app/dash/model": {"lib", "platform/os"},
    "app/dash/data": {"lib", "platform/os", "app/core", "app/sync", "app/dash/model"},
    "app/dash/alerts": {"lib", "platform/os", "app/dash/model", "app/dash/data"},
    "app/dash/render": {"lib", "platform/os", "app/core", "app/dash/model", "app/dash/data",
                        "app/dash/alerts"},
    "app/dash/web": {"lib", "platform/os", "app/core", "app/sync", "app/dash/model",
                     "app/dash/data", "app/dash/alerts", "app/dash/render"},
    "app/dash/cli": {"lib", "platform/os", "app/core", "app/sync", "app/dash/model",
                     "app/dash/data", "app/dash/alerts", "app/dash/web"},
    "app/dash": {"lib", "platform/os", "app/dash/cli"},
}

# I/O library headers (a regex on the <name>) and the only files that may
# include them: the seams where the program meets a device, a database or
# the network.  Everything else goes through those files' interfaces.
IO_HEADERS = [
    (r"SDL", ["platform/sdl/*", "platform/speech/*"]),
    (r"espeak-ng/", ["platform/speech/*"]),
    (r"libpq-fe\.h", ["app/sync/postgres.c", "app/sync/migrate_postgres.c", "app/sync/sync_probe.c",
                      "app/dash/data/dashdb.c", "app/dash/data/provision.c"]),
    (r"sqlite3\.h", ["app/store/*", "app/sync/*", "app/dash/data/dashdb.c",
                     "app/dash/data/provision.c"]),
    (r"microhttpd\.h", ["app/dash/web/serve.c"]),
    (r"curl/", ["app/dash/alerts/webhook.c", "app/dash/alerts/smtp.c"]),
    (r"sodium\.h", ["app/core/technician.c", "app/core/comment_token.c", "app/store/store_comments.c",
                    "app/kiosk/*", "app/dash/data/auth.c", "app/dash/data/phone_token.c",
                    "app/dash/cli/cli_update.c"]),
    (r"(sys/socket|netinet/|arpa/|netdb)\b", ["platform/os/*", "app/dash/web/*"]),
]

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def sources():
    try:
        out = subprocess.run(["git", "ls-files", "lib", "platform", "app"], cwd=TOP, check=True,
                             capture_output=True, text=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        out = [os.path.relpath(os.path.join(d, f), TOP)
               for base in ("lib", "platform", "app")
               for d, _, files in os.walk(os.path.join(TOP, base)) for f in files]
    return sorted(p for p in out if p.endswith((".c", ".h")) and os.path.exists(os.path.join(TOP, p)))


def room_of(path):
    return os.path.dirname(path)


def matches(path, patterns):
    for p in patterns:
        if p.endswith("/*") and path.startswith(p[:-1]) or path == p:
            return True
    return False


STATIC_DEFINITION = re.compile(r"^static\b[^;{=]*?\b([a-z_][a-z0-9_]*)\s*\(")
DEFINITION = re.compile(r"^(?!static\b)[A-Za-z_][^;{]*?\b([a-z_][a-z0-9_]*)\s*\(")
DECLARATION = re.compile(r"^(?!typedef\b|#)[A-Za-z_][^{=]*?\b([a-z_][a-z0-9_]*)\s*\([^)]*[),]")


def definitions(path, lines):
    """The non-static functions path defines: {name: line}."""
    found = {}
    for n, line in enumerate(lines, 1):
        if line.startswith("{") and n >= 2:
            k = n - 2
            while k > 0 and lines[k][:1] in (" ", "\t"):
                k -= 1  # back over a wrapped parameter list
            m = DEFINITION.match(lines[k])
            if m:
                found[m.group(1)] = k + 1
    return found


CALL = re.compile(r"\b([a-z_][a-z0-9_]*)\s*\(")


def strip_code(text):
    """text without comments, strings and character constants."""
    return re.sub(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'',
                  lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)


def strongly_connected(graph):
    """The graph's circles: its strongly connected parts of two or more."""
    index, low, stack, on, parts, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        work = [(v, iter(sorted(graph.get(v, ()))))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        while work:
            node, it = work[-1]
            w = next(it, None)
            if w is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    part = []
                    while True:
                        x = stack.pop()
                        on.discard(x)
                        part.append(x)
                        if x == node:
                            break
                    if len(part) > 1:
                        parts.append(sorted(part))
            elif w not in index:
                index[w] = low[w] = counter[0]
                counter[0] += 1
                stack.append(w)
                on.add(w)
                work.append((w, iter(sorted(graph.get(w, ())))))
            elif w in on:
                low[node] = min(low[node], index[w])

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return parts


def main():
    global TOP
    if len(sys.argv) == 3 and sys.argv[1] == "--root":
        TOP = os.path.abspath(sys.argv[2])
    elif len(sys.argv) != 1:
        print("usage: check_layers.py [--root DIR]", file=sys.stderr)
        return 2
    files = sources()
    problems = []
    headers = {}
    for f in files:
        if f.endswith(".h"):
            base = os.path.basename(f)
            if base in headers:
                problems.append(f"{f}:1: header name also used by {headers[base]} "
                                "(includes name headers by file name alone)")
            headers[base] = f
    defined_in = {}
    texts = {}
    for f in files:
        with open(os.path.join(TOP, f), encoding="utf-8", errors="replace") as fh:
            texts[f] = fh.read()
        if f.endswith(".c"):
            for name in definitions(f, texts[f].split("\n")):
                defined_in[name] = f
    calls = {}
    for f in files:
        if f.endswith(".c"):
            # a file's own static functions shadow another file's of that name
            own = {m.group(1) for m in map(STATIC_DEFINITION.match, texts[f].split("\n")) if m}
            called = set(CALL.findall(strip_code(texts[f]))) - own
            calls[f] = {defined_in[n] for n in called if defined_in.get(n, f) != f}
    for f in files:
        room = room_of(f)
        if room not in ALLOWED:
            problems.append(f"{f}:1: room {room} is not in scripts/check_layers.py ALLOWED")
            continue
        lines = texts[f].split("\n")
        in_comment = False
        for n, line in enumerate(lines, 1):
            code = line
            if in_comment:
                if "*/" not in code:
                    continue
                code = code.split("*/", 1)[1]
                in_comment = False
            code = re.sub(r"/\*.*?\*/", "", re.sub(r"//.*", "", code))
            if "/*" in code:
                code, in_comment = code.split("/*", 1)[0], True
            m = INCLUDE.match(code)
            if m and m.group(1) == '"':
                target = headers.get(os.path.basename(m.group(2)))
                if target is None:
                    continue
                to_room = room_of(target)
                if to_room != room and to_room not in ALLOWED[room]:
                    problems.append(f"{f}:{n}: {room} may not include {target} ({to_room}): "
                                    "that arrow runs up or across the layers")
            elif m:
                for pattern, allowed in IO_HEADERS:
                    if re.match(pattern, m.group(2)) and not matches(f, allowed):
                        problems.append(f"{f}:{n}: <{m.group(2)}> is an I/O library header; only "
                                        f"{', '.join(allowed)} may include it")
            if not f.startswith("platform/"):
                if re.search(r"\bclock_gettime\s*\(", code):
                    problems.append(f"{f}:{n}: clock_gettime() outside platform/: use clock.h")
                if re.search(r'\bgetenv\s*\(\s*"SDL_', code):
                    problems.append(f"{f}:{n}: SDL's environment read outside platform/")
    for part in strongly_connected(calls):
        ties = "; ".join(f"{a} -> {', '.join(sorted(b for b in calls[a] if b in part))}"
                         for a in part)
        problems.append(f"{part[0]}:1: these files call each other round a circle: {ties}")
    for p in problems:
        print(p)
    if problems:
        print("check-layers: the layer rules above are broken (scripts/check_layers.py says why)")
        return 1
    print(f"check-layers: ok ({len(files)} files, {len(calls)} sources, no circles)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
