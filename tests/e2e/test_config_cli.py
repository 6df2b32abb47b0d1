#!/usr/bin/env python3
"""The config from the technician's side, on the real binary.

Usage: test_config_cli.py WOWKIOSK

  - --check-config on a good file: exit 0;
  - --check-config on a bad file: exit 1 and one "FILE:LINE: key: message"
    line per error, with the right lines;
  - a kiosk started with that bad file does not crash or exit: it shows the
    error screen (a frame is presented) until told to stop, and stores nothing;
  - after a good config has run, a bad one falls back on it (kept as last-good.conf);
  - with no config at all it starts on the development defaults and keeps
    its store under the user's data directory ($XDG_DATA_HOME/wowkiosk).
"""
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

GOOD = """\
[kiosk]
id = front-1
languages = en, de
"""

BAD = """\
[kiosk]
id = front 1
languages = en, de

[screen]
rotation = 45
colour = blue
"""


def run(binary, args, env, timeout=60):
    return subprocess.run([binary] + args, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=timeout)


def main():
    binary = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="wowcli-")
    env = dict(os.environ, XDG_DATA_HOME=os.path.join(tmp, "data"))
    good, bad, quit_script = (os.path.join(tmp, n) for n in ("good.conf", "bad.conf", "q.script"))
    for path, text in ((good, GOOD), (bad, BAD), (quit_script, "wait 300\nquit\n")):
        with open(path, "w") as f:
            f.write(text)

    r = run(binary, ["--check-config", good], env)
    assert r.returncode == 0, "good config rejected: %s" % r.stderr

    r = run(binary, ["--check-config", bad], env)
    assert r.returncode == 1, "bad config accepted (exit %d)" % r.returncode
    errors = [l for l in r.stderr.splitlines() if l.startswith(bad + ":")]
    where = [(int(re.match(re.escape(bad) + r":(\d+): ([\w.]+):", l).group(1)),
              re.match(re.escape(bad) + r":\d+: ([\w.]+):", l).group(1)) for l in errors]
    assert [w[0] for w in where] == [2, 6, 7], "error lines %s in\n%s" % (where, r.stderr)
    assert "id" in where[0][1] and "rotation" in where[1][1] and "colour" in where[2][1], where

    shots = os.path.join(tmp, "shots")
    os.mkdir(shots)
    store = os.path.join(tmp, "bad.db")
    r = run(binary, ["--windowed", "800x480", "--config", bad, "--store", store,
                     "--script", quit_script, "--screenshot", shots], env)
    assert r.returncode == 0, "kiosk with a bad config exited %d: %s" % (r.returncode, r.stderr)
    assert "first frame presented" in r.stderr, r.stderr
    assert os.listdir(shots), "no frame written for the error screen"
    assert not os.path.exists(store), "a kiosk with a bad config opened its store"

    r = run(binary, ["--windowed", "800x480", "--script", quit_script], env)
    assert r.returncode == 0, r.stderr
    assert not os.path.exists(os.path.join(tmp, "data", "wowkiosk", "last-good.conf")), \
        "the defaults were kept as a last good config file"

    # A config that loaded is kept; a later bad edit falls back on it (after
    # showing its errors) instead of stopping the kiosk collecting.
    good_store = os.path.join(tmp, "good.db")
    r = run(binary, ["--windowed", "800x480", "--config", good, "--store", good_store,
                     "--script", quit_script], env)
    assert r.returncode == 0, r.stderr
    kept = os.path.join(tmp, "data", "wowkiosk", "last-good.conf")
    assert open(kept).read() == GOOD, "last-good.conf does not hold the good config"
    r = run(binary, ["--windowed", "800x480", "--config", bad, "--script", quit_script], env)
    assert r.returncode == 0, r.stderr
    assert "running on the last good config" in r.stderr, r.stderr
    assert open(kept).read() == GOOD, "the bad config replaced the last good one"
    default_store = os.path.join(tmp, "data", "wowkiosk", "kiosk.db")
    assert os.path.exists(default_store), "no store at %s" % default_store
    con = sqlite3.connect(default_store)
    (n,) = con.execute("SELECT count(*) FROM meta WHERE key = 'incarnation'").fetchone()
    assert n == 1, "the default store has no incarnation"
    print("config cli: check-config, error screen and defaults behave")


if __name__ == "__main__":
    main()
