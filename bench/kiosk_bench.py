#!/usr/bin/env python3
"""Kiosk benchmarks on the real binary (SDL dummy driver, software renderer).

Prints one line per figure, "figure: NAME VALUE UNIT", and how to reproduce:
  python3 bench/kiosk_bench.py BUILD_DIR [--idle-seconds 30]

  first_frame_ms         exec -> first frame presented (median of 10 starts; max too)
  input_to_frame_p99_ms  injected touch (SDL event timestamp) -> acknowledging frame presented
  idle_cpu_percent       CPU of one core while idle on the rating screen
  peak_rss_mb            peak resident set size over a scripted session
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


def input_latency(build, tmp, rounds=150):
    script = os.path.join(tmp, "taps.script")
    with open(script, "w") as f:
        f.write("wait 300\n")
        for i in range(rounds):
            # A language switch redraws the whole rating screen; a face tap
            # shows the acknowledging frame, then the thanks screen.
            f.write("tap lang:%s\nwait 40\n" % ("fi" if i % 2 == 0 else "en"))
            f.write("tap face:%d\nwait 520\n" % (i % 4 + 1))
        f.write("quit\n")
    p = subprocess.Popen(kiosk_cmd(build, tmp, script, ["--trace-latency"]), env=env(),
                         stderr=subprocess.PIPE, text=True)
    lat = []
    for line in p.stderr:
        if "latency: input to frame" in line:
            lat.append(float(line.split("frame")[1].split("ms")[0]))
    _, status, usage = os.wait4(p.pid, 0)
    return lat, usage.ru_maxrss / 1024.0, status


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--idle-seconds", type=float, default=30.0)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
