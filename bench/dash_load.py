#!/usr/bin/env python3
"""The dashboard under load: 100 keep-alive clients, each from its own loopback address (as 100
users), asking /overview as fast as they are answered, for a while; the latency of every
request, and the server's memory before and after.

Usage: python3 bench/dash_load.py BUILD [--clients N] [--seconds S] [--baseline WOWDASH]

The world is tests/dash/seed.py's (SQLite, the embedded default).  With --baseline another
wowdash binary is measured the same way right after, on the same world, for a ratio.

Prints:
  figure: dash_load_p99_ms       p99 latency of /overview, ms (goal: <= 500 at 100 clients)
  figure: dash_load_p50_ms       median
  figure: dash_load_max_ms       the slowest request
  figure: dash_load_rps          requests answered per second
  figure: dash_load_rss_growth_mb  VmRSS after minus after warm-up (memory flat: ~0)
  figure: dash_load_fewest_per_client  requests answered to the client served least
"""
import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "dash"))
from test_dash_http import Client, Server, Target, clear_of_midnight  # noqa: E402
import seed as seedmod  # noqa: E402


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


async def client(port, source, cookie, until, latencies, errors, counts):
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    request = (f"GET /overview HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               f"Cookie: wowdash_session={cookie}\r\n\r\n").encode()
    try:
        while time.monotonic() < until:
            t = time.monotonic()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            if not head.startswith(b"HTTP/1.1 200"):
                errors.append(head[:40])
            latencies.append(time.monotonic() - t)
            counts[source] = counts.get(source, 0) + 1
    except (asyncio.IncompleteReadError, ConnectionError) as e:
        errors.append(repr(e))
    finally:
        writer.close()


async def load(port, cookie, clients, seconds):
    latencies, errors, counts = [], [], {}
    until = time.monotonic() + seconds
    sources = [f"127.0.{100 + i // 250}.{i % 250 + 1}" for i in range(clients)]
    await asyncio.gather(*(client(port, src, cookie, until, latencies, errors, counts)
                           for src in sources))
    return latencies, errors, min(counts.get(src, 0) for src in sources)


def measure(wowdash, target, s, tmp, clients, seconds, label):
    server = Server(wowdash, target.conninfo, tmp)
    try:
        c = Client(server.port)
        c.login("admin", s.users["admin"].password)
        cookie = c.cookies["wowdash_session"]
        asyncio.run(load(server.port, cookie, clients, 3.0))  # warm-up: caches, threads
        rss_before = rss_mb(server.proc.pid)
        t = time.monotonic()
        latencies, errors, fewest = asyncio.run(load(server.port, cookie, clients, seconds))
        took = time.monotonic() - t
        rss_after = rss_mb(server.proc.pid)
    finally:
        server.stop()
    if not latencies:
        print(f"{label}: no request answered ({errors[:3]})")
        return None
    q = statistics.quantiles(latencies, n=100)
    return {"p50": statistics.median(latencies) * 1000, "p99": q[98] * 1000,
            "max": max(latencies) * 1000, "rps": len(latencies) / took,
            "rss_growth": rss_after - rss_before, "n": len(latencies), "errors": len(errors),
            "fewest": fewest}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--baseline", help="another wowdash binary, measured after, for a ratio")
    a = ap.parse_args()
    wowdash = os.path.join(a.build, "app", "dash", "wowdash")
    with tempfile.TemporaryDirectory(prefix="wowdash-load-") as tmp:
        clear_of_midnight()
        target = Target("sqlite", tmp, "load")
        s = seedmod.seed(wowdash, target.conninfo)
        r = measure(wowdash, target, s, tmp, a.clients, a.seconds, "wowdash")
        if r is None:
            return 1
        print(f"{a.clients} keep-alive clients on /overview for {a.seconds:.0f} s: {r['n']} "
              f"requests, {r['errors']} errors")
        print(f"figure: dash_load_p99_ms {r['p99']:.0f} ms")
        print(f"figure: dash_load_p50_ms {r['p50']:.1f} ms")
        print(f"figure: dash_load_max_ms {r['max']:.0f} ms")
        print(f"figure: dash_load_rps {r['rps']:.0f} requests/s")
        print(f"figure: dash_load_rss_growth_mb {r['rss_growth']:.1f} MB")
        print(f"figure: dash_load_fewest_per_client {r['fewest']} requests (the client served "
              f"least; 0-1: starved)")
        if a.baseline:
            b = measure(a.baseline, target, s, tmp, a.clients, a.seconds, "baseline")
            if b:
                print(f"baseline {a.baseline}: p99 {b['p99']:.0f} ms, p50 {b['p50']:.1f} ms, "
                      f"max {b['max']:.0f} ms, {b['rps']:.0f} requests/s, {b['errors']} errors, "
                      f"fewest per client {b['fewest']}")
                print(f"figure: dash_load_p99_ratio_to_baseline {r['p99'] / b['p99']:.2f} x")
        print(f"reproduce: python3 bench/dash_load.py {a.build}"
              + (f" --baseline {a.baseline}" if a.baseline else ""))
        return 0 if r["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
