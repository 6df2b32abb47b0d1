#!/usr/bin/env python3
"""Kiosk benchmarks on the real binary (SDL dummy driver, software renderer).

Prints one line per figure, "figure: NAME VALUE UNIT", and how to reproduce:
  python3 bench/kiosk_bench.py BUILD_DIR [--idle-seconds 30] [--pg-state FILE]

  With --pg-state (a pg_cluster.py state file) the input latency is measured three
  times side by side: sync off, sync to the local SQLite default, and sync every
  second to PostgreSQL behind the fault proxy delaying every packet by 500 ms (so a
  push is always in flight): the render loop must not notice.

  first_frame_ms         exec -> first frame presented (median of 10 starts; max too)
  input_to_frame_p99_ms  injected touch (SDL event timestamp) -> acknowledging frame presented
  idle_cpu_percent       CPU of one core while idle on the rating screen
  peak_rss_mb            peak resident set size over a scripted session

  With --accessible, the same taps with the accessibility mode switched on first
  (larger, high contrast, spoken through espeak-ng into SDL's disk audio driver)
  are measured beside plain ones, alternating, 3 rounds each:
  input_to_frame_p99_ms_accessible, peak_rss_mb_accessible and their ratios.
"""
import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

CONFIG = """\
[kiosk]
id = bench-kiosk
languages = en, fi, de
[followup]
enabled = false
[screen]
ack_ms = 100
thanks_s = 0.3
"""


def env():
    e = dict(os.environ)
    e.update(SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", SDL_RENDER_DRIVER="software")
    e.setdefault("XDG_DATA_HOME", tempfile.mkdtemp(prefix="wowbench-data-"))
    return e


def kiosk_cmd(build, tmp, script=None, extra=()):
    cmd = [os.path.join(build, "wowkiosk"), "--windowed", "800x480",
           "--config", os.path.join(tmp, "kiosk.conf"),
           "--store", os.path.join(tmp, "kiosk.db")]
    if script:
        cmd += ["--script", script]
    return cmd + list(extra)


def pct(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(p / 100.0 * len(values) + 0.5)) - 1))
    return values[k]


def first_frame(build, tmp, runs=10):
    script = os.path.join(tmp, "quit.script")
    with open(script, "w") as f:
        f.write("quit\n")
    times = []
    for _ in range(runs):
        t0 = time.monotonic()
        p = subprocess.Popen(kiosk_cmd(build, tmp, script), env=env(),
                             stderr=subprocess.PIPE, text=True)
        for line in p.stderr:
            if "first frame presented" in line:
                times.append((time.monotonic() - t0) * 1000.0)
                break
        p.stderr.read()
        p.wait()
    return statistics.median(times), max(times)


def input_latency(build, tmp, rounds=150, extra=()):
    script = os.path.join(tmp, "taps.script")
    with open(script, "w") as f:
        f.write("wait 300\n")
        for i in range(rounds):
            # A language switch redraws the whole rating screen; a face tap
            # shows the acknowledging frame, then the thanks screen.
            f.write("tap lang:%s\nwait 40\n" % ("fi" if i % 2 == 0 else "en"))
            f.write("tap face:%d\nwait 520\n" % (i % 4 + 1))
        f.write("quit\n")
    p = subprocess.Popen(kiosk_cmd(build, tmp, script, ["--trace-latency", *extra]), env=env(),
                         stderr=subprocess.PIPE, text=True)
    lat = []
    for line in p.stderr:
        if "latency: input to frame" in line:
            lat.append(float(line.split("frame")[1].split("ms")[0]))
    _, status, usage = os.wait4(p.pid, 0)
    return lat, usage.ru_maxrss / 1024.0, status


def visit_latency(build, tmp, accessible, rounds=25):
    """Input latency and peak RSS of visits (a face, the thanks), with or
    without the accessibility mode switched on at the start of each."""
    script = os.path.join(tmp, "visits.script")
    with open(script, "w") as f:
        f.write("wait 300\n")
        for i in range(rounds):
            if accessible:
                f.write("tap accessible\nwait 300\n")
            # the thanks screen lasts twice as long in the mode
            f.write("tap face:%d\nwait %d\n" % (i % 4 + 1, 1400 if accessible else 800))
        f.write("quit\n")
    e = env()
    e.update(SDL_AUDIODRIVER="disk", SDL_DISKAUDIOFILE=os.devnull)
    p = subprocess.Popen(kiosk_cmd(build, tmp, script, ["--trace-latency"]), env=e,
                         stderr=subprocess.PIPE, text=True)
    lat, spoke = [], False
    for line in p.stderr:
        if "latency: input to frame" in line:
            lat.append(float(line.split("frame")[1].split("ms")[0]))
        spoke = spoke or "speech: audio on disk" in line
    _, status, usage = os.wait4(p.pid, 0)
    if status != 0 or not lat or spoke != accessible:
        raise RuntimeError("visit run (accessible=%s) failed: status %d, %d samples, speech %s"
                           % (accessible, status, len(lat), spoke))
    return lat, usage.ru_maxrss / 1024.0


def accessible_cost(build, tmp, repro):
    """The accessibility mode beside the plain kiosk, alternating, 3 rounds."""
    runs = {False: ([], []), True: ([], [])}
    for _ in range(3):
        for accessible in (False, True):
            lat, rss = visit_latency(build, tmp, accessible)
            runs[accessible][0].extend(lat)
            runs[accessible][1].append(rss)
    plain, mode = runs[False], runs[True]
    p99_plain, p99_mode = pct(plain[0], 99), pct(mode[0], 99)
    print("figure: input_to_frame_p99_ms_plain_visits %.1f ms (n=%d)" % (p99_plain, len(plain[0])))
    print("figure: input_to_frame_p99_ms_accessible %.1f ms (n=%d; max %.1f; speaking)"
          % (p99_mode, len(mode[0]), max(mode[0])))
    print("figure: input_to_frame_p99_accessible_ratio %.2f x (accessible / plain, side by side)"
          % (p99_mode / max(p99_plain, 0.1)))
    print("figure: peak_rss_mb_plain_visits %.1f MB" % max(plain[1]))
    print("figure: peak_rss_mb_accessible %.1f MB (espeak-ng and its voice loaded)" % max(mode[1]))
    print("reproduce: " + repro + " --accessible")


def idle_cpu(build, tmp, seconds):
    p = subprocess.Popen(kiosk_cmd(build, tmp), env=env(), stderr=subprocess.DEVNULL)
    time.sleep(3)

    def cpu_ns():
        # schedstat's first field: nanoseconds on a CPU, all threads of the
        # main task (utime/stime would only resolve 10 ms ticks).
        total = 0
        for tid in os.listdir("/proc/%d/task" % p.pid):
            with open("/proc/%d/task/%s/schedstat" % (p.pid, tid)) as f:
                total += int(f.read().split()[0])
        return total

    t0, c0 = time.monotonic(), cpu_ns()
    time.sleep(seconds)
    t1, c1 = time.monotonic(), cpu_ns()
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=10)
    return (c1 - c0) / 1e9 / (t1 - t0) * 100.0


def slow_db_latency(build, tmp, pg_state):
    """Input latency with sync off, to SQLite, and to a PostgreSQL that answers slowly."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "tests", "sync"))
    from pg_cluster import Cluster
    from fault_proxy import FaultProxy
    pg = Cluster.from_state(pg_state)
    db = "bench_latency_%d" % os.getpid()
    pg.create_database(db)
    subprocess.run([os.path.join(build, "app", "dash", "wowdash"), "migrate", "--db",
                    pg.conninfo(dbname=db)], check=True, capture_output=True)
    with open(os.path.join(tmp, "kiosk.conf"), "a") as f:
        f.write("[sync]\ninterval_s = 1\n")
    results = {}
    with FaultProxy(pg.port) as proxy:
        proxy.delay(500)
        target = "host=127.0.0.1 port=%d user=postgres dbname=%s sslmode=disable" % (proxy.port, db)
        for name, extra in (("sync_off", ["--sync", "off"]),
                            ("sqlite", ["--sync", os.path.join(tmp, "shared.db")]),
                            ("slow_postgres", ["--sync", target])):
            lat, _, status = input_latency(build, tmp, 100, extra)
            if not lat or status != 0:
                raise RuntimeError("latency run %s failed (status %d)" % (name, status))
            results[name] = lat
    sent = pg.psql("SELECT coalesce(sum(rating_1 + rating_2 + rating_3 + rating_4 + misuse_1 + "
                   "misuse_2 + misuse_3 + misuse_4), 0) FROM tap_counts", dbname=db).strip()
    pg.psql("DROP DATABASE %s WITH (FORCE)" % db)
    return results, sent


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--idle-seconds", type=float, default=30.0)
    ap.add_argument("--pg-state", help="pg_cluster.py state file: also measure with a slow database")
    ap.add_argument("--accessible", action="store_true",
                    help="also measure the accessibility mode beside plain visits")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="wowbench-")
    with open(os.path.join(tmp, "kiosk.conf"), "w") as f:
        f.write(CONFIG)
    repro = "python3 bench/kiosk_bench.py %s" % a.build

    med, worst = first_frame(a.build, tmp)
    print("figure: first_frame_ms %.1f ms (median of 10; max %.1f)" % (med, worst))
    lat, rss, status = input_latency(a.build, tmp)
    if not lat or status != 0:
        print("bench: scripted run failed (status %d, %d samples)" % (status, len(lat)))
        return 1
    # n counts the inputs that changed the screen (a tap on the language
    # already shown draws nothing, so it has no latency to measure).
    print("figure: input_to_frame_p50_ms %.1f ms (n=%d)" % (pct(lat, 50), len(lat)))
    print("figure: input_to_frame_p99_ms %.1f ms (n=%d; max %.1f)" % (pct(lat, 99), len(lat), max(lat)))
    print("figure: peak_rss_mb %.1f MB" % rss)
    print("figure: idle_cpu_percent %.4f %% (%.0f s on the rating screen)"
          % (idle_cpu(a.build, tmp, a.idle_seconds), a.idle_seconds))
    print("reproduce: " + repro)
    if a.accessible:
        accessible_cost(a.build, tmp, repro)
    if a.pg_state:
        results, sent = slow_db_latency(a.build, tmp, a.pg_state)
        for name, lat in results.items():
            print("figure: input_to_frame_p99_ms_%s %.1f ms (n=%d; max %.1f)"
                  % (name, pct(lat, 99), len(lat), max(lat)))
        ratio = pct(results["slow_postgres"], 99) / max(pct(results["sync_off"], 99), 0.1)
        print("figure: input_to_frame_p99_slow_db_ratio %.2f x (slow PostgreSQL / sync off, "
              "side by side; %s taps reached PostgreSQL through 500 ms of delay)" % (ratio, sent))
        print("reproduce: " + repro + " --pg-state STATE  (python3 tests/sync/pg_cluster.py start STATE)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
