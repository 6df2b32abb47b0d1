#!/usr/bin/env python3
"""The kiosk on each display path this machine can run, side by side, and a
four-face page in Chromium --kiosk beside it.

  python3 bench/display_bench.py BUILD_DIR [--rounds 3] [--idle-seconds 10]

Starts its own Xvfb (800x480x24, a free display number found by -displayfd)
and, alternating in each round: wowkiosk on SDL's dummy driver, wowkiosk on
SDL's x11 driver in that Xvfb, Chromium --kiosk showing bench/four_faces.html
in the same Xvfb.  Prints "figure: NAME VALUE UNIT" lines:

  first_frame_ms[_x11]          exec -> first frame presented (median over rounds)
  pss_mb[_x11]                  proportional set size after 10 s on the rating screen
  input_to_frame_p99_ms[_x11]   injected touch -> acknowledging frame presented
  idle_cpu_pct[_x11]            CPU of one core while idle on the rating screen
  chromium_*                    the same for the browser page (first frame: the page's
                                first animation frame, reported back over loopback HTTP;
                                memory and CPU: every process of the browser)
  pss_ratio_chromium_x11        Chromium's PSS / the kiosk's on X11
  gl_libraries_x11              GL/LLVM libraries mapped by the kiosk on X11 (want 0)
"""
import argparse
import http.server
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import kiosk_bench  # noqa: E402  (CONFIG, kiosk_cmd, pct)

GL_NAMES = ("libGL", "libEGL", "libLLVM", "swrast", "_dri.so", "libgallium")


def start_xvfb():
    r, w = os.pipe()
    p = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "800x480x24",
                          "-nolisten", "tcp", "-noreset"], pass_fds=(w,),
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    with os.fdopen(r) as f:
        num = f.readline().strip()
    if not num:
        p.kill()
        raise RuntimeError("Xvfb did not start")
    return p, ":" + num


def kiosk_env(driver, display):
    e = dict(os.environ)
    e.update(SDL_VIDEODRIVER=driver, SDL_AUDIODRIVER="dummy")
    if driver == "dummy":
        e["SDL_RENDER_DRIVER"] = "software"
    else:
        e["DISPLAY"] = display
    e.setdefault("XDG_DATA_HOME", tempfile.mkdtemp(prefix="wowbench-data-"))
    return e


def tree(pid):
    """pid and all its descendants."""
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(d))
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out


def pss_mb(pids):
    total = 0
    for p in pids:
        try:
            with open("/proc/%d/smaps_rollup" % p) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024.0


def cpu_ns(pids):
    total = 0
    for p in pids:
        try:
            for tid in os.listdir("/proc/%d/task" % p):
                with open("/proc/%d/task/%s/schedstat" % (p, tid)) as f:
                    total += int(f.read().split()[0])
        except OSError:
            pass
    return total


def idle_cpu_pct(pid, seconds):
    pids = tree(pid)
    t0, c0 = time.monotonic(), cpu_ns(pids)
    time.sleep(seconds)
    return (cpu_ns(pids) - c0) / 1e9 / (time.monotonic() - t0) * 100.0


def gl_libraries(pid):
    with open("/proc/%d/maps" % pid) as f:
        libs = {line.split()[-1] for line in f if any(n in line for n in GL_NAMES)}
    return sorted(libs)


def kiosk_round(build, tmp, driver, display, idle_s):
    """One kiosk run: first frame, then memory and idle CPU on the rating screen."""
    t0 = time.monotonic()
    p = subprocess.Popen(kiosk_bench.kiosk_cmd(build, tmp, None, ["--sync", "off"]),
                         env=kiosk_env(driver, display), stderr=subprocess.PIPE, text=True)
    first = None
    for line in p.stderr:
        if "first frame presented" in line:
            first = (time.monotonic() - t0) * 1000.0
            break
    drain = threading.Thread(target=p.stderr.read, daemon=True)
    drain.start()
    time.sleep(max(0.0, 10.0 - (time.monotonic() - t0)))  # PSS after 10 s
    pss = pss_mb([p.pid])
    libs = gl_libraries(p.pid)
    cpu = idle_cpu_pct(p.pid, idle_s)
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=20)
    return first, pss, cpu, libs


def kiosk_latency(build, tmp, driver, display, rounds):
    script = os.path.join(tmp, "taps-%s.script" % driver)
    with open(script, "w") as f:
        f.write("wait 300\n")
        for i in range(rounds):
            f.write("tap lang:%s\nwait 40\n" % ("fi" if i % 2 == 0 else "en"))
            f.write("tap face:%d\nwait 520\n" % (i % 4 + 1))
        f.write("quit\n")
    cmd = kiosk_bench.kiosk_cmd(build, tmp, script, ["--trace-latency", "--sync", "off"])
    p = subprocess.run(cmd, env=kiosk_env(driver, display), stderr=subprocess.PIPE, text=True)
    lat = [float(line.split("frame")[1].split("ms")[0]) for line in p.stderr.splitlines()
           if "latency: input to frame" in line]
    if p.returncode != 0 or not lat:
        raise RuntimeError("%s latency run failed (status %d)" % (driver, p.returncode))
    return lat


class Beacon(http.server.BaseHTTPRequestHandler):
    """Serves the four-face page and notes when it reports its first frame."""
    painted = None

    def do_GET(self):
        if self.path.startswith("/painted"):
            Beacon.painted = time.monotonic()
            body = b"ok"
        else:
            with open(os.path.join(HERE, "four_faces.html"), "rb") as f:
                body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def chromium_round(display, port, idle_s):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    profile = tempfile.mkdtemp(prefix="wowbench-chromium-")
    e = dict(os.environ, DISPLAY=display)
    Beacon.painted = None
    t0 = time.monotonic()
    p = subprocess.Popen([exe, "--kiosk", "--no-first-run", "--noerrdialogs",
                          "--disable-infobars", "--no-default-browser-check",
                          "--password-store=basic", "--user-data-dir=" + profile,
                          "--window-size=800,480", "--window-position=0,0"]
                         + (["--no-sandbox"] if os.geteuid() == 0 else [])
                         + ["http://127.0.0.1:%d/" % port],
                         env=e, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    deadline = t0 + 30
    while Beacon.painted is None and time.monotonic() < deadline:
        time.sleep(0.005)
    first = (Beacon.painted - t0) * 1000.0 if Beacon.painted else float("nan")
    time.sleep(max(0.0, 10.0 - (time.monotonic() - t0)))
    pss = pss_mb(tree(p.pid))
    cpu = idle_cpu_pct(p.pid, idle_s)
    os.killpg(p.pid, signal.SIGTERM)
    try:
        p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    shutil.rmtree(profile, ignore_errors=True)
    return first, pss, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--idle-seconds", type=float, default=10.0)
    ap.add_argument("--taps", type=int, default=60)
    ap.add_argument("--no-chromium", action="store_true")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="wowbench-display-")
    with open(os.path.join(tmp, "kiosk.conf"), "w") as f:
        f.write(kiosk_bench.CONFIG)
    xvfb, display = start_xvfb()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Beacon)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    res = {"": [], "_x11": [], "chromium": []}
    try:
        for _ in range(a.rounds):
            res[""].append(kiosk_round(a.build, tmp, "dummy", display, a.idle_seconds))
            res["_x11"].append(kiosk_round(a.build, tmp, "x11", display, a.idle_seconds))
            if not a.no_chromium:
                res["chromium"].append(chromium_round(display, server.server_address[1],
                                                      a.idle_seconds))
        lat = {"": kiosk_latency(a.build, tmp, "dummy", display, a.taps),
               "_x11": kiosk_latency(a.build, tmp, "x11", display, a.taps)}
    finally:
        server.shutdown()
        xvfb.terminate()
        xvfb.wait()
    med = lambda rows, i: statistics.median(r[i] for r in rows)  # noqa: E731
    n = a.rounds
    for sfx in ("", "_x11"):
        rows = res[sfx]
        print("figure: first_frame_ms%s %.1f ms (median of %d; max %.1f)"
              % (sfx, med(rows, 0), n, max(r[0] for r in rows)))
        print("figure: pss_mb%s %.1f MB (after 10 s, median of %d)" % (sfx, med(rows, 1), n))
        print("figure: input_to_frame_p99_ms%s %.1f ms (n=%d; p50 %.1f; max %.1f)"
              % (sfx, kiosk_bench.pct(lat[sfx], 99), len(lat[sfx]),
                 kiosk_bench.pct(lat[sfx], 50), max(lat[sfx])))
        print("figure: idle_cpu_pct%s %.3f %% (%.0f s on the rating screen, median of %d)"
              % (sfx, med(rows, 2), a.idle_seconds, n))
    libs = res["_x11"][-1][3]
    print("figure: gl_libraries_x11 %d libraries (%s)" % (len(libs), ", ".join(libs) or "none"))
    if res["chromium"]:
        rows = res["chromium"]
        print("figure: chromium_first_frame_ms %.1f ms (median of %d)" % (med(rows, 0), n))
        print("figure: chromium_pss_mb %.1f MB (all processes, after 10 s)" % med(rows, 1))
        print("figure: chromium_idle_cpu_pct %.3f %%" % med(rows, 2))
        print("figure: pss_ratio_chromium_x11 %.1f x" % (med(rows, 1) / med(res["_x11"], 1)))
        print("figure: first_frame_ratio_chromium_x11 %.1f x"
              % (med(rows, 0) / med(res["_x11"], 0)))
    print("reproduce: python3 bench/display_bench.py %s --rounds %d" % (a.build, n))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
