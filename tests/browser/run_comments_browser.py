#!/usr/bin/env python3
"""Runs test_comments_browser.mjs: comments in Debian's chromium, headless.

Usage: run_comments_browser.py WOWDASH OUTDIR

Seeds a SQLite database as tests/dash/test_comments_http.py does (kiosks with their
comment_key as the heartbeat sends it, kiosk-typed comments inserted as the sync would, an open
alert, an admin and a head of "front"); makes phone tokens with python3's hmac
(docs/COMMENTS.md); starts `wowdash serve`, installs playwright-core as run_browser.py does,
and runs the node script.  Screenshots land in OUTDIR as comments-*.png.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "dash"))
from comments_fixture import now_ms, token  # noqa: E402
from run_browser import node_modules  # noqa: E402
from test_comments_http import KEY, PASSWORD, seed  # noqa: E402
from test_dash_http import Server, Target  # noqa: E402


def main():
    wowdash, outdir = sys.argv[1], os.path.abspath(sys.argv[2])
    os.makedirs(outdir, exist_ok=True)
    modules = node_modules(outdir)
    with tempfile.TemporaryDirectory(prefix="wowdash-comments-browser-") as tmp:
        target = Target("sqlite", tmp, "comments")
        seed(wowdash, target.conninfo)
        server = Server(wowdash, target.conninfo, tmp, zone="UTC")
        rc = 1
        try:
            now = now_ms()
            expect = {"base": f"http://127.0.0.1:{server.port}", "outdir": outdir,
                      "modules": os.path.join(modules, "node_modules"),
                      "admin": {"user": "ada", "password": PASSWORD},
                      "head": {"user": "hank", "password": PASSWORD},
                      "phone": {
                          "fi": token(KEY, "k-front", "i1", 901, "front", 1, now - 60_000, "fi"),
                          "de": token(KEY, "k-front", "i1", 902, "front", 2, now - 60_000, "de"),
                          "expired": token(KEY, "k-front", "i1", 903, "front", 1,
                                           now - 40 * 60_000, "en")}}
            path = os.path.join(tmp, "expect.json")
            with open(path, "w") as f:
                json.dump(expect, f, ensure_ascii=False)
            rc = subprocess.run(["node", os.path.join(HERE, "test_comments_browser.mjs"), path],
                                timeout=240).returncode
        finally:
            serve_rc = server.stop()
            if rc != 0 or serve_rc != 0:
                print(f"--- serve log (exit {serve_rc}) ---\n{server.text_log()[-4000:]}")
    return rc or (1 if serve_rc != 0 else 0)


if __name__ == "__main__":
    sys.exit(main())
