#!/usr/bin/env python3
"""test_check_layers: scripts/check_layers.py finds each kind of breach.

Each case builds a small tree in a temporary folder, runs the checker on it
with --root and looks for the line that names the breach.  A checker that
saw nothing would pass the clean tree and fail every other case.
Usage: test_check_layers.py SOURCE_DIR
"""
import os
import subprocess
import sys
import tempfile

CLEAN = {
    "lib/a.h": "int a_f(void);\n",
    "lib/a.c": '#include "a.h"\nint a_f(void)\n{\n    return 1;\n}\n',
    "app/core/b.h": "int b_f(void);\n",
    "app/core/b.c": '#include "a.h"\n#include "b.h"\nint b_f(void)\n{\n    return a_f();\n}\n',
}

# Trees that must pass: a file's own static function shadows another
# file's function of the same name, so calling it is no arrow.
FINE = [
    ("a static namesake", {
        "app/core/x.c": "int y_f(void);\nint x_f(void)\n{\n    return y_f();\n}\n",
        "app/core/y.c": ("static int x_f(void)\n{\n    return 0;\n}\n"
                         "int y_f(void)\n{\n    return x_f();\n}\n")}),
]

CASES = [
    ("an arrow up", {"lib/a.c": '#include "a.h"\n#include "b.h"\nint a_f(void)\n{\n    return 1;\n}\n'},
     "lib/a.c:2: lib may not include app/core/b.h"),
    ("a call circle", {
        "app/core/x.c": "int y_f(void);\nint x_f(void)\n{\n    return y_f();\n}\n",
        "app/core/y.c": "int x_f(void);\nint y_f(void)\n{\n    return x_f();\n}\n"},
     "call each other round a circle: app/core/x.c -> app/core/y.c; app/core/y.c -> app/core/x.c"),
    ("an I/O header outside its seam", {"app/core/z.c": "#include <SDL.h>\n"},
     "app/core/z.c:1: <SDL.h> is an I/O library header"),
    ("clock_gettime outside platform", {
        "app/core/t.c": "void t_f(void)\n{\n    clock_gettime(0, 0);\n}\n"},
     "app/core/t.c:3: clock_gettime() outside platform/"),
    ("SDL's environment outside platform", {
        "app/core/e.c": 'void e_f(void)\n{\n    getenv("SDL_VIDEODRIVER");\n}\n'},
     "app/core/e.c:3: SDL's environment read outside platform/"),
    ("a room nobody placed", {"app/loose.c": "int l;\n"},
     "app/loose.c:1: room app is not in scripts/check_layers.py ALLOWED"),
]


def run(checker, files):
    with tempfile.TemporaryDirectory() as root:
        for path, text in files.items():
            os.makedirs(os.path.join(root, os.path.dirname(path)), exist_ok=True)
            with open(os.path.join(root, path), "w") as f:
                f.write(text)
        p = subprocess.run([sys.executable, checker, "--root", root], capture_output=True,
                           text=True, timeout=60)
        return p.returncode, p.stdout + p.stderr


def main():
    checker = os.path.join(sys.argv[1], "scripts", "check_layers.py")
    failed = 0
    code, out = run(checker, CLEAN)
    if code != 0 or "check-layers: ok" not in out:
        print(f"FAIL clean tree: exit {code}\n{out}")
        failed += 1
    for name, extra in FINE:
        code, out = run(checker, {**CLEAN, **extra})
        if code != 0:
            print(f"FAIL {name}: exit {code}, expected a clean pass; got:\n{out}")
            failed += 1
    for name, extra, expected in CASES:
        code, out = run(checker, {**CLEAN, **extra})
        if code != 1 or expected not in out:
            print(f"FAIL {name}: exit {code}, expected a line with {expected!r}; got:\n{out}")
            failed += 1
    print(f"{1 + len(FINE) + len(CASES) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
