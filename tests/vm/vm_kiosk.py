#!/usr/bin/env python3
"""The virtual kiosk: the built image booted in qemu-system-aarch64 and driven as a customer.

    vm_kiosk.py --image-dir DIR --wowdash PATH [--work DIR] [--taps N]

DIR is build-image.sh's --out (DIR/wowkiosk.img and DIR/rootfs/boot's kernel and initrd).
The image is never changed: a sparse copy boots, with this kiosk's settings
(/boot/firmware/wowkiosk.conf) and tests/vm/guest-probe.sh written into its boot
partition. The machine is qemu's generic "virt" (not a Pi): virtio-gpu (the kiosk on
kmsdrm through its own dumb-buffer presenter, platform/sdl/kms.c), a virtio tablet and a
USB tablet (absolute pointers, as many USB touch screens present themselves), a QMP
socket (input-send-event, screendump) and user networking in its restricted mode: the
guest reaches nothing but 10.0.2.100:5432, forwarded (guestfwd, socat) to a PostgreSQL
this test starts on the host's loopback.

Checks:
  * the kiosk shows its rating screen, and the follow-up and thank-you screens, as the
    references in tests/ref_imgs/*-en-1280x800.png (QMP screendump; a pixel differs when
    a channel differs by more than PIXEL_TOLERANCE; at most SCREEN_TOLERANCE of the pixels
    may differ: the references are drawn by the same code on the host, so only font
    rasterising may differ between amd64 and arm64);
  * taps at the faces' centres through the kernel's evdev path: exactly those counts in the
    kiosk's store (read from the data partition after a clean shutdown; integrity_check ok)
    and in PostgreSQL;
  * a second pointer tapping face 4 while the first holds face 1 adds no tap: the episode
    is one tap, on face 1;
  * hangs (docs/DEPLOY.md, "Hangs and crash loops"; --no-hangs skips them): the kiosk
    stopped with SIGSTOP is killed by systemd's watchdog and restarted within WatchdogSec
    plus RestartSec plus its start-up, shows the rating screen again and takes a tap; then
    a crash loop (each new kiosk killed with SIGSEGV) ends with the unit failed
    (start-limit-hit), wowkiosk-headless.service running in its place and its heartbeat's
    last_error in PostgreSQL and on the fleet page (wowdash serve on the same database);
    the store keeps every tap (checked after the shutdown, as above);
  * figures: vm_boot_to_first_frame_s, first_frame_ms_kmsdrm, pss_mb_kmsdrm,
    idle_cpu_pct_kmsdrm, vm_input_to_screen_p95_ms, input_to_frame_p99_ms_kmsdrm,
    vm_watchdog_restart_s, vm_crashloop_to_fleet_s.
--guest-dropin FILE installs FILE as a drop-in of wowkiosk.service in the guest (to see a
check fail: "[Service]\nWatchdogSec=90s" fails the watchdog check, "[Unit]\nOnFailure="
the crash-loop check).
Exit status 0 when every check passes. Logs go to --work (serial.log, screens/*.png).
"""
import argparse
import json
import os
import re
import shutil
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SOURCE, "tests", "sync"))
from pg_cluster import Cluster  # noqa: E402
sys.path.insert(0, os.path.join(SOURCE, "tests", "dash"))
from test_dash_http import Client, Server  # noqa: E402

REF_DIR = os.path.join(SOURCE, "tests", "ref_imgs")
W, H = 1280, 800  # virtio-gpu's preferred mode, the kiosk's screen
PIXEL_TOLERANCE = 24  # per channel, 0..255
SCREEN_TOLERANCE = 0.01  # share of pixels allowed to differ
KIOSK_ID = "vm-1"
PG_GUEST = ("10.0.2.100", 5432)

# Centres of the targets on the 1280x800 screen, read off the references of the same size
# (rating-en, followup-negative-en); the screen checks fail first when the layout moves.
FACES = {1: (182, 390), 2: (487, 390), 3: (792, 390), 4: (1097, 390)}
REASON_2 = (950, 305)  # the second reason button (the negative follow-up: "Unfriendly staff")
REASON_2_BOX = (640, 195, 1260, 420)  # it, with its shadow
SKIP = (640, 720)
# platform/rpi/systemd/wowkiosk.service
WATCHDOG_S, RESTART_S, START_LIMIT_BURST = 30, 2, 10
SLACK_S = 1.5  # systemd's timers and the old kiosk's death, under TCG
DASH_PASSWORD = "vm-fleet-password"
# qemu's machine: what the guest's device tree depends on (vm_firmware.py dumps it)
MACHINE = ["-M", "virt", "-cpu", "cortex-a72", "-smp", "2", "-m", "1024"]


def log(msg):
    print(f"vm-kiosk: {msg}", file=sys.stderr, flush=True)


def fail(msg):
    raise AssertionError(msg)


def check(cond, msg):
    if not cond:
        fail(msg)


def run(main):
    """Runs main and exits with its code; a failed check ends it with FAILED and the
    "0 passed, 1 failed" line the test runners read."""
    try:
        sys.exit(main())
    except AssertionError as e:
        log(f"FAILED: {e}")
        print("0 passed, 1 failed")
        sys.exit(1)


# --- images -------------------------------------------------------------------------------
def png_read(path):
    """(w, h, rows of RGB bytes) of an 8-bit RGB or RGBA, non-interlaced PNG."""
    data = open(path, "rb").read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG")
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            check(depth == 8 and ctype in (2, 6) and interlace == 0,
                  f"{path}: expected an 8-bit RGB/RGBA PNG, got depth {depth} type {ctype}")
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        prev = line
        rows.append(bytes(line) if bpp == 3 else bytes(
            v for j in range(0, stride, 4) for v in line[j:j + 3]))
    return w, h, rows


def png_write(path, w, h, rows):
    raw = b"".join(b"\x00" + r for r in rows)

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b""))


def ppm_read(path):
    data = open(path, "rb").read()
    m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", data)
    check(m is not None, f"{path}: not a binary PPM")
    w, h = int(m.group(1)), int(m.group(2))
    px = data[m.end():]
    return w, h, [px[y * w * 3:(y + 1) * w * 3] for y in range(h)]


def differing(a, b, mask=None):
    """Share of pixels of two same-sized images that differ beyond PIXEL_TOLERANCE; mask
    (x0, y0, x1, y1) is a rectangle left out."""
    (w, h, ra), (w2, h2, rb) = a, b
    if (w, h) != (w2, h2):
        return 1.0
    bad = 0
    for y, (la, lb) in enumerate(zip(ra, rb)):
        if la == lb:
            continue
        for i in range(0, len(la), 3):
            if mask and mask[0] <= i // 3 < mask[2] and mask[1] <= y < mask[3]:
                continue
            if (abs(la[i] - lb[i]) > PIXEL_TOLERANCE or abs(la[i + 1] - lb[i + 1]) > PIXEL_TOLERANCE
                    or abs(la[i + 2] - lb[i + 2]) > PIXEL_TOLERANCE):
                bad += 1
    return bad / float(w * h)


# --- QMP ----------------------------------------------------------------------------------
class Qmp:
    def __init__(self, path, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                check(time.monotonic() < deadline, f"QMP socket {path} did not open")
                time.sleep(0.1)
        self.file = self.sock.makefile("rwb")
        json.loads(self.file.readline())  # the greeting
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.file.write(json.dumps(msg).encode() + b"\n")
        self.file.flush()
        while True:
            reply = json.loads(self.file.readline())
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                fail(f"QMP {name} {args}: {reply['error']}")
            # events ("event": ...) are skipped

    def pointer(self, x, y, down, device=None):
        """Moves the absolute pointer to screen pixel (x, y), button left down or up."""
        events = [
            {"type": "abs", "data": {"axis": "x", "value": int((x + 0.5) * 0x7fff / W)}},
            {"type": "abs", "data": {"axis": "y", "value": int((y + 0.5) * 0x7fff / H)}},
            {"type": "btn", "data": {"down": down, "button": "left"}},
        ]
        args = {"events": events}
        if device:
            args["device"] = device
        self.cmd("input-send-event", **args)

    def tap(self, xy, device=None):
        self.pointer(xy[0], xy[1], True, device)
        time.sleep(0.08)
        self.pointer(xy[0], xy[1], False, device)


# --- the machine --------------------------------------------------------------------------
class Vm:
    # the script on the boot partition that systemd.run= starts (start(probe_run=True)), and
    # more arguments for qemu (vm_firmware.FirmwareVm: the device tree)
    PROBE = "wowvm-probe.sh"
    extra_args = ()
    # more ports the guest may reach besides PostgreSQL's: ((guest address, port), host port)
    forwards = ()

    def __init__(self, image_dir, work, pg_port):
        self.image_dir, self.work = image_dir, work
        self.serial = os.path.join(work, "serial.log")
        self.qmp_path = os.path.join(work, "qmp.sock")
        self.ctl_path = os.path.join(work, "ctl.sock")
        self.img = os.path.join(work, "kiosk.img")
        self.pg_port = pg_port
        self.proc = None

    def boot_files(self):
        boot = os.path.join(self.image_dir, "rootfs", "boot")

        def newest(prefix):
            names = sorted(n for n in os.listdir(boot) if n.startswith(prefix))
            check(names, f"{boot}: no {prefix}*")
            return os.path.join(boot, names[-1])
        cmdline = open(os.path.join(boot, "firmware", "cmdline.txt")).read().split()
        cmdline = [w for w in cmdline if not w.startswith("console=") and w != "quiet"]
        return newest("vmlinuz-"), newest("initrd.img-"), " ".join(cmdline)

    def partition_offsets(self):
        out = subprocess.run(["sfdisk", "-J", self.img], capture_output=True, text=True,
                             check=True).stdout
        parts = json.loads(out)["partitiontable"]["partitions"]
        return [(p["start"] * 512, p["size"] * 512) for p in parts]

    def prepare(self, conf_text, data_image=None, dropin=None):
        """The copy to boot, with conf_text as its wowkiosk.conf; with data_image, the data
        partition moves into that file (a disk of its own) and leaves the copy."""
        src = os.path.join(self.image_dir, "wowkiosk.img")
        check(os.path.isfile(src), f"{src}: no image (build-image.sh --out {self.image_dir})")
        subprocess.run(["cp", "--sparse=always", src, self.img], check=True)
        parts = self.partition_offsets()
        boot_off = parts[0][0]
        conf = os.path.join(self.work, "wowkiosk.conf")
        with open(conf, "w") as f:
            f.write(conf_text)
        files = [(conf, "wowkiosk.conf"), (os.path.join(HERE, "guest-probe.sh"), "wowvm-probe.sh")]
        if dropin:
            files.append((dropin, "wowvm-dropin.conf"))
        for local, name in files:
            subprocess.run(["mcopy", "-o", "-i", f"{self.img}@@{boot_off}", local, f"::/{name}"],
                           check=True, env=dict(os.environ, MTOOLS_SKIP_CHECK="1"))
        if data_image:
            self.copy_out(parts[2], data_image)
            with open(self.img, "r+b") as f:  # no second filesystem labelled wowdata
                f.seek(parts[2][0])
                f.write(b"\0" * 65536)

    def copy_out(self, part, path):
        off, size = part
        with open(self.img, "rb") as src, open(path, "wb") as dst:
            src.seek(off)
            left = size
            while left:
                block = src.read(min(left, 1 << 22))
                if not block:
                    break
                dst.write(block)
                left -= len(block)

    def start(self, probe_run=True, nbd_socket=None, serial_name="serial.log"):
        """Boots the copy; probe_run: guest-probe.sh reports and waits for "stop"; nbd_socket:
        the data partition is that NBD export (nbd_cache.py), a second virtio disk."""
        self.serial = os.path.join(self.work, serial_name)
        kernel, initrd, cmdline = self.boot_files()
        probe = (f"/bin/sh -c 'until [ -f /boot/firmware/{self.PROBE} ]; do sleep 1; done; "
                 f"exec /bin/sh /boot/firmware/{self.PROBE}'")
        append = (f"console=ttyAMA0 {cmdline} systemd.journald.forward_to_console=1 "
                  "systemd.unit=multi-user.target systemd.wants=kernel-command-line.service "
                  "systemd.mask=serial-getty@hvc0.service" +
                  (f' systemd.run="{probe}"' if probe_run else ""))
        data = []
        if nbd_socket:
            data = ["-drive", "if=none,id=data,format=raw,file.driver=nbd,file.server.type=unix,"
                    f"file.server.path={nbd_socket}",
                    "-device", "virtio-blk-pci,drive=data"]
        fwd = ",".join(f"guestfwd=tcp:{ip}:{port}-cmd:socat STDIO TCP:127.0.0.1:{host_port}"
                       for (ip, port), host_port in ((PG_GUEST, self.pg_port), *self.forwards))
        argv = ["qemu-system-aarch64", *MACHINE, "-display", "none", "-no-reboot", *self.extra_args,
                "-kernel", kernel, "-initrd", initrd, "-append", append,
                "-drive", f"if=none,file={self.img},format=raw,id=hd0,cache=unsafe",
                "-device", "virtio-blk-pci,drive=hd0", *data,
                "-device", "virtio-gpu-pci,id=gpu0",
                "-device", "virtio-tablet-pci,id=tablet0",
                # The second pointer is bound to the screen: QMP events name it
                # (device=gpu0); unnamed ones go to the first.
                "-device", "qemu-xhci,id=xhci", "-device", "usb-tablet,id=tablet1,display=gpu0",
                "-netdev", f"user,id=n0,restrict=on,{fwd}",
                "-device", "virtio-net-pci,netdev=n0,romfile=",
                "-chardev", f"socket,id=ctl,path={self.ctl_path},server=on,wait=off",
                "-device", "virtio-serial-pci", "-device", "virtconsole,chardev=ctl",
                "-qmp", f"unix:{self.qmp_path},server=on,wait=off",
                "-serial", f"file:{self.serial}"]
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=open(os.path.join(self.work, "qemu.out"), "w"),
                                     stderr=subprocess.STDOUT)
        self.qmp = Qmp(self.qmp_path)
        self.ctl = socket.socket(socket.AF_UNIX)
        self.ctl.connect(self.ctl_path)

    def text(self):
        try:
            with open(self.serial, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def wait_line(self, pattern, timeout, what):
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern, re.M)
        while True:
            # Whole lines only: qemu writes the console as the guest's UART
            # sends it, so the last line may still be arriving (a report cut
            # to "headless:_see_th" once failed the crash-loop check).
            text = self.text()
            m = rx.search(text[:text.rfind("\n") + 1])
            if m:
                return m
            check(self.proc.poll() is None, f"qemu ended (status {self.proc.returncode}) "
                  f"before {what}; see {self.serial}")
            check(time.monotonic() < deadline, f"no {what} within {timeout} s; see {self.serial}")
            time.sleep(0.05)

    def screen(self):
        path = os.path.join(self.work, "screendump.ppm")
        self.qmp.cmd("screendump", filename=path)
        return ppm_read(path)

    def stop(self, timeout):
        """Asks the probe to stop the kiosk cleanly; waits for the power-off."""
        self.ctl.sendall(b"stop\n")
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            fail(f"the machine did not power off within {timeout} s; see {self.serial}")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def read_store(self, data_image=None):
        """The kiosk's store from the data partition (or the data_image file): {rating: taps},
        integrity_check's answer, {tap id: rating}."""
        part = data_image or os.path.join(self.work, "data.ext4")
        if not data_image:
            self.copy_out(self.partition_offsets()[2], part)
        out = os.path.join(self.work, "store")
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        listing = subprocess.run(["debugfs", "-R", "ls -p /", part], capture_output=True,
                                 text=True).stdout
        names = [f.split("/")[5] for f in listing.splitlines() if f.count("/") >= 6]
        check("kiosk.db" in names, f"no kiosk.db on the data partition (it holds {names})")
        for name in names:
            if name.startswith("kiosk.db"):
                subprocess.run(["debugfs", "-R", f"dump /{name} {out}/{name}", part],
                               capture_output=True, check=True)
        if not data_image:
            os.unlink(part)
        con = sqlite3.connect(os.path.join(out, "kiosk.db"))
        try:
            integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
            taps = dict(con.execute("SELECT rating, sum(n) FROM counts GROUP BY rating"))
            ids = dict(con.execute("SELECT id, rating FROM taps"))
        finally:
            con.close()
        return taps, integrity, ids


# --- PostgreSQL ---------------------------------------------------------------------------
def pg_taps(pg, dbname):
    cols = set(pg.psql("SELECT column_name FROM information_schema.columns "
                       "WHERE table_name = 'tap_counts'", dbname=dbname).split())
    where = f"WHERE kiosk_id = '{KIOSK_ID}'"
    if "rating_1" in cols:
        sql = ("SELECT r, sum(n) FROM tap_counts, LATERAL (VALUES (1, rating_1 + misuse_1), "
               "(2, rating_2 + misuse_2), (3, rating_3 + misuse_3), (4, rating_4 + misuse_4)) "
               f"AS v(r, n) {where} GROUP BY r HAVING sum(n) > 0")
    else:
        sql = f"SELECT rating, sum(n) FROM tap_counts {where} GROUP BY rating"
    out = pg.psql(sql, dbname=dbname)
    return {int(r): int(n) for r, n in (line.split("|") for line in out.split())}


# --- the test -----------------------------------------------------------------------------
class Run:
    def __init__(self, vm, refs):
        self.vm, self.refs = vm, refs
        self.shots = os.path.join(vm.work, "screens")
        os.makedirs(self.shots, exist_ok=True)
        self.latencies = []
        self.compared = []

    def save(self, name, img):
        png_write(os.path.join(self.shots, name + ".png"), *img)

    def wait_screen(self, ref, timeout, what, mask=None):
        """Waits until the screen matches reference ref (outside mask); returns it."""
        deadline = time.monotonic() + timeout
        best, closest = 1.0, None
        while True:
            img = self.vm.screen()
            d = differing(self.refs[ref], img, mask)
            if d < best:
                best, closest = d, img
            if d <= SCREEN_TOLERANCE:
                self.save(f"{len(self.compared):02d}-{ref}", img)
                self.compared.append((ref, d))
                return img
            if time.monotonic() > deadline:
                self.save(f"{len(self.compared):02d}-{ref}-MISMATCH", closest)
                fail(f"{what}: the screen never matched {ref} within {timeout} s "
                     f"(closest: {100 * best:.2f} % of pixels differ; see {self.shots})")
            time.sleep(0.05)

    def wait_change(self, before, timeout):
        """Polls screendump until the screen differs from before; returns (ms, image)."""
        start = time.monotonic()
        while True:
            img = self.vm.screen()
            if img[2] != before[2]:
                return (time.monotonic() - start) * 1000.0, img
            check(time.monotonic() - start < timeout, f"the screen did not change in {timeout} s")

    def wait_stable(self, timeout=15, quiet=0.4):
        """Waits until two screendumps quiet seconds apart are the same."""
        deadline = time.monotonic() + timeout
        last = self.vm.screen()
        while time.monotonic() < deadline:
            time.sleep(quiet)
            img = self.vm.screen()
            if img[2] == last[2]:
                return img
            last = img
        fail(f"the screen did not settle within {timeout} s")

    def tap_face(self, rating, device=None):
        before = self.wait_screen("rating-en", 20, f"the rating screen before tapping face {rating}")
        t0 = time.monotonic()
        self.vm.qmp.pointer(*FACES[rating], True, device)
        ms, _ = self.wait_change(before, 10)
        self.latencies.append(ms)
        self.vm.qmp.pointer(*FACES[rating], False, device)
        return t0

    def answer_and_thank(self, rating, first_of):
        """Ends the follow-up of a tapped face; checks the screens the first time."""
        if rating == 4 and "followup-positive-en" not in first_of:
            first_of.add("followup-positive-en")
            self.wait_screen("followup-positive-en", 10, "the follow-up after WOW")
        elif rating == 2 and "followup-negative-en" not in first_of:
            first_of.add("followup-negative-en")
            # the follow-up as the reference shows it but for the pressed button, then the
            # press: the kiosk takes the reason at once and shows it pressed (ack_ms above),
            # as the reference does
            self.wait_screen("followup-negative-en", 10, "the follow-up after Unhappy",
                             mask=REASON_2_BOX)
            self.compared[-1] = ("followup-negative-en (unpressed, button masked)",
                                 self.compared[-1][1])
            time.sleep(0.3)
            self.vm.qmp.pointer(*REASON_2, True)
            self.wait_screen("followup-negative-en", 10, "the follow-up after Unhappy, pressed")
            self.vm.qmp.pointer(*REASON_2, False)
            return self.thanks(rating, first_of)
        # settled for longer than the tapped face's acknowledgement (ack_ms below), so it is
        # the follow-up, not the pressed face, that Skip is tapped on
        self.wait_stable(quiet=1.5)
        self.vm.qmp.tap(SKIP)
        return self.thanks(rating, first_of)

    def thanks(self, rating, first_of):
        if rating == 3 and "thanks-en" not in first_of:
            first_of.add("thanks-en")
            self.wait_screen("thanks-en", 10, "the thank-you after Happy")
        self.wait_screen("rating-en", 20, "the rating screen after the thank-you")


# --- hangs and crash loops ----------------------------------------------------------------
def probe_report(vm, what, timeout):
    """The fields of the probe's "wowvm-WHAT ..." line, or a failure with its error line."""
    m = vm.wait_line(rf"^wowvm-(?:{what} |error: {what}: )(.*)$", timeout, f"the probe's {what} report")
    check(not m.group(0).startswith("wowvm-error"), m.group(0))
    return m.group(1).split()


def watchdog_check(vm, run):
    """SIGSTOP the kiosk; systemd's watchdog must kill it and restart it in time; the new
    kiosk shows the rating screen and takes a tap.  Returns (problems, seconds)."""
    problems = []
    timeouts = vm.text().count("wowkiosk.service: Watchdog timeout")
    frames = vm.text().count("first frame presented")
    vm.ctl.sendall(b"watchdog\n")
    old, new, stop_fire, fire_exec, exec_ready, total = map(int, probe_report(vm, "watchdog", 330))
    log(f"watchdog: SIGSTOP of {old}; watchdog timeout after {stop_fire} ms, new kiosk {new} "
        f"exec'd {fire_exec} ms later, ready {exec_ready} ms after that: {total} ms in all")
    if vm.text().count("wowkiosk.service: Watchdog timeout") <= timeouts:
        problems.append("no 'wowkiosk.service: Watchdog timeout' on the console after the SIGSTOP")
    if stop_fire / 1000.0 > WATCHDOG_S + SLACK_S:
        problems.append(f"systemd's watchdog fired {stop_fire / 1000.0:.1f} s after SIGSTOP, "
                        f"expected within WatchdogSec={WATCHDOG_S} s")
    if fire_exec / 1000.0 > RESTART_S + 2 * SLACK_S:
        problems.append(f"the new kiosk started {fire_exec / 1000.0:.1f} s after the watchdog "
                        f"fired, expected RestartSec={RESTART_S} s (and the old one's death)")
    if total / 1000.0 > WATCHDOG_S + RESTART_S + exec_ready / 1000.0 + 2 * SLACK_S:
        problems.append(f"SIGSTOP to a ready kiosk took {total / 1000.0:.1f} s, expected at most "
                        f"{WATCHDOG_S} + {RESTART_S} + its start-up {exec_ready / 1000.0:.1f} s")
    deadline = time.monotonic() + 60
    while vm.text().count("first frame presented") <= frames:
        check(time.monotonic() < deadline, "no first frame of the restarted kiosk within 60 s")
        time.sleep(0.1)
    run.wait_screen("rating-en", 60, "the rating screen after the watchdog's restart")
    return problems, total / 1000.0


def crashloop_check(vm, pg, wowdash, work):
    """A kiosk crashing at every start: the unit must give up at its start limit and
    wowkiosk-headless.service report it, on the fleet page.  Returns (problems, seconds from
    the end of the loop to the fleet page)."""
    problems = []
    vm.ctl.sendall(b"crashloop\n")
    kills, result, limit_ms, later, headless, status = probe_report(vm, "crashloop", 330)
    seen = time.monotonic()
    kills, limit_ms = int(kills), int(limit_ms)
    log(f"crash loop: {kills} kiosks killed with SIGSEGV in {limit_ms / 1000.0:.1f} s; "
        f"unit {result}, 10 s later {later}; wowkiosk-headless.service {headless} ({status})")
    # systemd 252 keeps the last crash's result ("signal") when the start limit refuses the
    # next start; the limit shows in the journal
    if result not in ("start-limit-hit", "signal", "core-dump"):
        problems.append(f"wowkiosk.service ended the crash loop with result {result}, "
                        "expected the crashes' (signal) or start-limit-hit")
    if kills > START_LIMIT_BURST + 1:
        problems.append(f"{kills} kiosks were started in the crash loop, expected at most "
                        f"StartLimitBurst={START_LIMIT_BURST} after the first")
    if later != "failed":
        problems.append(f"wowkiosk.service was {later} 10 s after the start limit, expected failed")
    if "wowkiosk.service: Start request repeated too quickly." not in vm.text():
        problems.append("no 'Start request repeated too quickly' for wowkiosk.service")
    if headless != "active" or status != "headless:_see_the_journal":
        problems.append(f"wowkiosk-headless.service is {headless} (status {status}), expected "
                        "active, saying 'headless: see the journal'")
    want = "headless: wowkiosk.service stopped restarting ("
    deadline = time.monotonic() + 60
    error = ""
    while time.monotonic() < deadline:
        error = pg.psql(f"SELECT last_error FROM kiosks WHERE kiosk_id = '{KIOSK_ID}'",
                        dbname="wowvm").strip()
        if error.startswith(want):
            break
        time.sleep(0.5)
    to_fleet = time.monotonic() - seen
    if not error.startswith(want):
        problems.append(f"kiosks.last_error of {KIOSK_ID} is {error!r} 60 s after the crash loop, "
                        f"expected it to start with {want!r}")
        return problems, to_fleet
    log(f"crash loop: kiosks.last_error = {error!r}")
    seen_ms = [pg.psql(f"SELECT last_seen_ms FROM kiosks WHERE kiosk_id = '{KIOSK_ID}'",
                       dbname="wowvm").strip()]
    time.sleep(3)
    seen_ms.append(pg.psql(f"SELECT last_seen_ms FROM kiosks WHERE kiosk_id = '{KIOSK_ID}'",
                           dbname="wowvm").strip())
    if seen_ms[0] == seen_ms[1]:
        problems.append(f"the headless kiosk's heartbeat did not move in 3 s: {seen_ms}")
    conninfo = f"host=127.0.0.1 port={pg.port} user=postgres dbname=wowvm sslmode=disable"
    subprocess.run([wowdash, "user", "add", "fleet", "--role", "admin", "--password-stdin",
                    "--db", conninfo], input=DASH_PASSWORD + "\n", text=True, check=True,
                   capture_output=True)
    server = Server(wowdash, conninfo, work, zone="UTC")
    try:
        client = Client(server.port)
        client.login("fleet", DASH_PASSWORD)
        page = client.get("/fleet").text
        with open(os.path.join(work, "fleet.html"), "w") as f:
            f.write(page)
        row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*%s(?:(?!</tr>).)*</tr>" % re.escape(KIOSK_ID),
                        page, re.S)
        if row is None or want not in row.group(0):
            problems.append(f"the fleet page's row of {KIOSK_ID} does not say {want!r} "
                            f"(see {work}/fleet.html)")
        else:
            cls = re.match(r'<tr class="([^"]*)"', row.group(0))
            classes = cls.group(1).split() if cls else []
            if "error" not in classes or "silent" in classes:
                problems.append(f"the fleet page marks {KIOSK_ID} {classes}, expected an error "
                                f"and not silent (see {work}/fleet.html)")
    finally:
        server.stop()
    return problems, to_fleet


def print_figures(figures, rows):
    """figure: lines for each (name, unit, what) of rows that figures (name: value) holds."""
    for name, unit, what in rows:
        if name in figures:
            print(f"figure: {name} {figures[name]:.1f} {unit} ({what})")


def taps_committed(text):
    return [int(m.group(1)) for m in re.finditer(r"tap committed id=\d+ department=\S+ rating=(\d)",
                                                  text)]


def percentile(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(p / 100.0 * len(v) + 0.5)) - 1))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--image-dir", required=True)
    ap.add_argument("--wowdash", required=True)
    ap.add_argument("--work", default=None)
    ap.add_argument("--taps", type=int, default=8)
    ap.add_argument("--boot-timeout", type=int, default=600)
    ap.add_argument("--no-hangs", action="store_true",
                    help="skip the watchdog and crash-loop checks")
    ap.add_argument("--guest-dropin", default=None,
                    help="a drop-in for wowkiosk.service in the guest (to see a check fail)")
    a = ap.parse_args()
    work = os.path.abspath(a.work or tempfile.mkdtemp(prefix="wowkiosk-vm."))
    os.makedirs(work, exist_ok=True)
    refs = {name: png_read(os.path.join(REF_DIR, f"{name}-{W}x{H}.png"))
            for name in ("rating-en", "followup-positive-en", "followup-negative-en", "thanks-en")}
    plan = [(4, 2, 3, 1)[i % 4] if i < 4 else (3, 1, 4, 2, 2, 4, 1, 3)[i % 8] for i in range(a.taps)]
    with Cluster() as pg:
        pg.create_database("wowvm")
        conninfo = f"host=127.0.0.1 port={pg.port} user=postgres dbname=wowvm sslmode=disable"
        subprocess.run([a.wowdash, "migrate", "--db", conninfo], check=True, capture_output=True)
        vm = Vm(os.path.abspath(a.image_dir), work, pg.port)
        vm.prepare(f"""[kiosk]
id = {KIOSK_ID}
site = Virtual kiosk

[sync]
target = host={PG_GUEST[0]} port={PG_GUEST[1]} user=postgres dbname=wowvm sslmode=disable
interval_s = 1
backoff_max_s = 2

[screen]
# the kiosk takes a reason on the press and shows it pressed for ack_ms (150 ms by
# default) before the thank-you: held for a second here, so that the emulator's
# screendump (about 0.4 s) sees the pressed button the reference shows
ack_ms = 1000
""", dropin=a.guest_dropin and os.path.abspath(a.guest_dropin))
        try:
            vm.start()
            m = vm.wait_line(r"first frame presented", a.boot_timeout, "first frame")
            boot_s = time.monotonic() - vm.started
            kms = re.search(r"kms: (\S+) (\S+), dumb buffers", vm.text())
            check(kms is not None, f"the kiosk did not present through its kms presenter "
                  f"(no 'kms: ... dumb buffers' line in {vm.serial})")
            check(kms.group(2).startswith(f"{W}x{H}"),
                  f"the kiosk's mode is {kms.group(2)}, expected {W}x{H}")
            vm.wait_line(r"^wowvm-ready", a.boot_timeout, "the probe's wowvm-ready")
            text = vm.text()
            ff_ms = int(re.search(r"wowvm-first-frame-ms (\d+)", text).group(1))
            pss_kb = int(re.search(r"wowvm-pss-kb (\d+)", text).group(1))
            ticks, secs, hz = map(int, re.search(r"wowvm-idle-cpu-ticks (\d+) (\d+) (\d+)",
                                                 text).groups())
            run = Run(vm, refs)
            first_of = set()
            for rating in plan:
                run.tap_face(rating)
                run.answer_and_thank(rating, first_of)
            # A second pointer presses face 4 and lets go while the first holds face 1:
            # one press at a time; the episode adds at most one tap.
            before_two = len(taps_committed(vm.text()))
            run.wait_screen("rating-en", 20, "the rating screen before two pointers")
            vm.qmp.pointer(*FACES[1], True)
            time.sleep(0.2)
            vm.qmp.tap(FACES[4], device="gpu0")
            time.sleep(0.2)
            vm.qmp.pointer(*FACES[1], False)
            time.sleep(1.0)
            run.wait_stable()
            if len(taps_committed(vm.text())) > before_two:
                run.answer_and_thank(taps_committed(vm.text())[-1], first_of)
            time.sleep(2.0)
            committed = taps_committed(vm.text())
            check(committed[before_two:] == [1],
                  f"two pointers at once (face 1 held, face 4 tapped) gave taps "
                  f"{committed[before_two:]}, expected one, on face 1")
            check(committed[:len(plan)] == plan,
                  f"the kiosk committed ratings {committed[:len(plan)]}, expected {plan}")
            expected = {}
            for r in committed:
                expected[r] = expected.get(r, 0) + 1
            deadline = time.monotonic() + 60
            while pg_taps(pg, "wowvm") != expected:
                check(time.monotonic() < deadline, f"PostgreSQL holds {pg_taps(pg, 'wowvm')}, "
                      f"expected {expected} within 60 s")
                time.sleep(0.5)
            latency_lines = [int(x) for x in re.findall(r"latency: input to frame (\d+) ms",
                                                        vm.text())]
            hang_problems, watchdog_s, to_fleet_s = [], None, None
            if not a.no_hangs:
                problems, watchdog_s = watchdog_check(vm, run)
                hang_problems += problems
                # the restarted kiosk takes a tap (no --trace-latency now: the runtime
                # drop-in stays, but the figures above are taken)
                run.tap_face(3)
                run.answer_and_thank(3, first_of)
                time.sleep(2.0)
                committed = taps_committed(vm.text())
                check(committed[-1] == 3 and len(committed) == len(plan) + 2,
                      f"after the watchdog's restart a tap on face 3 gave {committed}")
                expected[3] = expected.get(3, 0) + 1
                problems, to_fleet_s = crashloop_check(vm, pg, a.wowdash, work)
                hang_problems += problems
                check(not hang_problems, "; ".join(hang_problems))
                deadline = time.monotonic() + 60
                while pg_taps(pg, "wowvm") != expected:
                    check(time.monotonic() < deadline, f"PostgreSQL holds {pg_taps(pg, 'wowvm')}, "
                          f"expected {expected} within 60 s after the crash loop")
                    time.sleep(0.5)
            vm.stop(120)
            check("wowvm-stopped" in vm.text(), "the probe did not stop the kiosk cleanly")
        finally:
            vm.kill()
        store, integrity, _ = vm.read_store()
        check(integrity == "ok", f"integrity_check of the store: {integrity}")
        check(store == expected, f"the store holds {store}, expected {expected}")
    log(f"screens matched: " + ", ".join(f"{r} ({100 * d:.2f} %)" for r, d in run.compared))
    log(f"taps {committed}: store {store}, PostgreSQL {expected}; integrity_check ok")
    print(f"figure: vm_boot_to_first_frame_s {boot_s:.1f} s (qemu start to the kiosk's log line)")
    print(f"figure: first_frame_ms_kmsdrm {ff_ms} ms (exec to READY=1, in the VM)")
    print(f"figure: pss_mb_kmsdrm {pss_kb / 1024.0:.1f} MB (after {secs} s idle, in the VM)")
    print(f"figure: idle_cpu_pct_kmsdrm {100.0 * ticks / hz / secs:.2f} % "
          f"({ticks} ticks of 1/{hz} s in {secs} s, in the VM under TCG)")
    print(f"figure: vm_input_to_screen_p95_ms {percentile(run.latencies, 95):.0f} ms "
          f"(n={len(run.latencies)}; QMP press to changed screendump)")
    if latency_lines:
        print(f"figure: input_to_frame_p99_ms_kmsdrm {percentile(latency_lines, 99)} ms "
              f"(n={len(latency_lines)}; the kiosk's --trace-latency, in the VM)")
    if watchdog_s is not None:
        print(f"figure: vm_watchdog_restart_s {watchdog_s:.1f} s (SIGSTOP to the new kiosk's "
              f"READY=1; WatchdogSec={WATCHDOG_S}, RestartSec={RESTART_S}, in the VM)")
        print(f"figure: vm_crashloop_to_fleet_s {to_fleet_s:.1f} s (the probe's report of the "
              "failed unit to last_error in PostgreSQL, heartbeat every 1 s)")
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    run(main)
