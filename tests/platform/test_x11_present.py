#!/usr/bin/env python3
"""test_x11_present: the kiosk on SDL's x11 driver in an Xvfb presents its
frames without a GL stack.

  python3 tests/platform/test_x11_present.py WOWKIOSK

Starts Xvfb (800x480x24, a free display number), runs the kiosk there with
SDL_VIDEODRIVER=x11, waits for its first frame and checks its memory map:
no libGL, libEGL, libLLVM or DRI driver is mapped, and a System V shared
memory segment is (the XShm image SDL's own framebuffer uses).  Then a tap
script runs through the rating and thanks screens and the kiosk must exit 0.
Exits 77 (skipped) when Xvfb is not installed.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

GL_NAMES = ("libGL", "libEGL", "libLLVM", "swrast", "_dri.so", "libgallium")


def main():
    kiosk = sys.argv[1]
    if shutil.which("Xvfb") is None:
        print("test_x11_present: Xvfb is not installed; skipped")
        return 77
    slow = 4 if os.environ.get("WOW_ASAN") else 1
    tmp = tempfile.mkdtemp(prefix="wowtest-x11-")
    r, w = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "800x480x24",
                             "-nolisten", "tcp"], pass_fds=(w,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    try:
        with os.fdopen(r) as f:
            display = ":" + f.readline().strip()
        with open(os.path.join(tmp, "kiosk.conf"), "w") as f:
            f.write("[kiosk]\nid = x11-test\n[followup]\nenabled = false\n"
                    "[screen]\nthanks_s = 0.3\n")
        with open(os.path.join(tmp, "taps.script"), "w") as f:
            f.write("wait %d\ntap face:4\nwait 600\ntap face:1\nwait 600\nquit\n" % (1500 * slow))
        env = dict(os.environ, SDL_VIDEODRIVER="x11", DISPLAY=display, SDL_AUDIODRIVER="dummy",
                   XDG_DATA_HOME=tmp)
        supp = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lsan-x11.supp")
        env["LSAN_OPTIONS"] = "suppressions=" + supp
        env.pop("SDL_FRAMEBUFFER_ACCELERATION", None)
        env.pop("SDL_RENDER_DRIVER", None)
        p = subprocess.Popen([kiosk, "--windowed", "800x480", "--config",
                              os.path.join(tmp, "kiosk.conf"), "--store",
                              os.path.join(tmp, "kiosk.db"), "--sync", "off", "--script",
                              os.path.join(tmp, "taps.script")],
                             env=env, stderr=subprocess.PIPE, text=True)
        log = []
        for line in p.stderr:
            log.append(line)
            if "first frame presented" in line:
                break
        else:
            print("".join(log))
            print("FAIL: no first frame on x11")
            return 1
        time.sleep(0.3 * slow)
        with open("/proc/%d/maps" % p.pid) as f:
            maps = f.read().splitlines()
        log += p.stderr.readlines()
        status = p.wait(timeout=60 * slow)
        gl = sorted({m.split()[-1] for m in maps if any(n in m for n in GL_NAMES)})
        shm = [m for m in maps if "SYSV" in m]
        ok = True
        if gl:
            print("FAIL: GL libraries mapped on the x11 path: " + ", ".join(gl))
            ok = False
        if not shm:
            print("FAIL: no shared-memory image mapped (XShm not used)")
            ok = False
        if status != 0:
            print("".join(log))
            print("FAIL: the kiosk exited %d" % status)
            ok = False
        if ok:
            print("test_x11_present: first frame on x11, no GL library mapped, XShm image mapped")
        return 0 if ok else 1
    finally:
        xvfb.terminate()
        xvfb.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
