#!/usr/bin/env python3
"""comments_bench: what showing comments costs wowdash (moderated on read, docs/DASHBOARD.md):
a department with 5000 comments (the most a page reads) in the period, on SQLite; the median of
20 requests of the department page and of /api/v1/comments.json (every comment, moderated and
masked), and of the phone form's POST.

Usage: comments_bench.py BUILD      prints figure: NAME VALUE UNIT lines
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "dash"))
import seed as seedmod  # noqa: E402
from comments_fixture import (COMMENT_COLUMNS, KIOSK_COLUMNS, kiosk_row, now_ms,  # noqa: E402
                              token)
from test_dash_http import Client, Server, Target  # noqa: E402

KEY = "44" * 32
WORDS = ["We waited 40 minutes in the queue, call me at +358 40 123 4567",
         "Thank you, the staff were friendly and quick!",
         "Jono oli pitkä mutta henkilökunta ystävällistä", "Danke, alles gut, gerne wieder.",
         "The toilets were dirty and nobody came", "asdfasdfasdfasdf"]


def timed(fn, n=20):
    ms = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t) * 1000)
    return statistics.median(ms)


def main():
    binary = os.path.join(sys.argv[1] if len(sys.argv) > 1 else "build", "app/dash/wowdash")
    with tempfile.TemporaryDirectory(prefix="wowdash-comments-bench-") as tmp:
        target = Target("sqlite", tmp, "bench")
        db = target.conninfo
        subprocess.run([binary, "migrate", "--db", db], check=True, capture_output=True)
        w = seedmod.Writer(db)
        w.insert("kiosks", KIOSK_COLUMNS, [kiosk_row("k1", "front", KEY)])
        now = now_ms()
        w.insert("comments", COMMENT_COLUMNS,
                 [("k1", "i1", i + 1, "kiosk", "front", 1 + i % 4, now - i * 300_000, "en",
                   f"{WORDS[i % len(WORDS)]} #{i}", now - i * 300_000) for i in range(5000)])
        w.commit()
        subprocess.run([binary, "user", "add", "ada", "--role", "admin", "--password-stdin",
                        "--db", db], input="bench-password\n", text=True, check=True,
                       capture_output=True)
        server = Server(binary, db, tmp, zone="UTC")
        try:
            c = Client(server.port)
            c.login("ada", "bench-password")
            page = timed(lambda: c.get("/department/front"))
            api = timed(lambda: c.get("/api/v1/comments.json?limit=10000&includeHidden=1"))
            taps = iter(range(100000, 100100))
            post = timed(lambda: Client(server.port, source=f"127.0.9.{next(taps) % 200 + 1}")
                         .post("/c/" + token(KEY, "k1", "i1", next(taps), "front", 1,
                                             now_ms() - 60_000, "en"), {"body": "slow queue"}))
        finally:
            server.stop()
    print(f"figure: comments_department_page_5000 {page:.1f} ms")
    print(f"figure: comments_api_json_5000 {api:.1f} ms")
    print(f"figure: comments_phone_post {post:.1f} ms")


if __name__ == "__main__":
    main()
