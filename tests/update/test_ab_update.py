#!/usr/bin/env python3
"""A/B updates on the host, with the real parts: RAUC's own service (on a
private system bus the test starts), the project's autoboot backend, the
slot-check script and the kiosk's real --self-test; the Pi firmware's choice
of boot partition emulated from autoboot.txt and the one-shot tryboot flag
(pi_firmware.py). The slots are files (RAUC's raw type), so no partition is
touched; the bundles are signed with a development key made here.

Usage: test_ab_update.py WOWKIOSK SOURCE_DIR

What it proves, each from a fresh kiosk on slot A:
  good      a good update is installed, tried, marked good and kept
  selftest  an update whose kiosk fails its self-test is marked bad and the
            old slot boots again, the store untouched
  by_hand   the same try installed by hand (no updater): reported under the
            new slot's own version
  cut-install  a power cut while the bundle is written leaves A booting
  cut-boot  a power cut (or a crash loop) on the new slot's first boot: A
            boots, and the try is marked bad
  signature a bundle signed by another key, or changed after signing, is
            refused and nothing is written
  updater   the kiosk's side of a rollout: an offer downloaded across a dropped
            link (resumed with a Range request), held while the kiosk is open,
            installed, tried and kept, its report "good"; a wrong checksum and
            a bundle signed by another key refused and removed
  backend_errors  a malformed autoboot.txt is refused with FILE:LINE; a cut
            before the backend's rename leaves the old file whole
Exit 77 (skipped) when not root or RAUC is missing.

The host has no device-mapper, so the bundles here are RAUC's "plain"
format; the kiosk's own system.conf accepts only "verity" (checked below),
which the virtual kiosk's kernel can mount.
"""
import hashlib
import http.server
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from pi_firmware import boot_partition  # noqa: E402

WOWKIOSK, SRC = sys.argv[1], sys.argv[2]
UPDATE = os.path.join(SRC, "platform", "rpi", "update")
SLOW = 3 if os.environ.get("WOW_ASAN") else 1
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAILED: " + what, file=sys.stderr)
    return ok


def run(cmd, env=None, timeout=120, **kw):
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout * SLOW,
                          **kw)


BUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="root"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
"""

AUTOBOOT_A = "[all]\ntryboot_a_b=1\nboot_partition=2\n[tryboot]\nboot_partition=3\n"

KIOSK_CONF = """[kiosk]
id = ab-kiosk
[sync]
target = off
"""


class Kiosk:
    """One A/B kiosk on files: partition 1 (autoboot.txt), four raw slots,
    RAUC's data directory, the store on its data partition, the firmware's
    tryboot flag, and the RAUC service for the slot it booted."""

    def __init__(self, root, name, keyring):
        self.dir = os.path.join(root, name)
        self.p1 = os.path.join(self.dir, "p1")
        os.makedirs(self.p1)
        os.makedirs(os.path.join(self.dir, "rauc"))
        with open(os.path.join(self.p1, "autoboot.txt"), "w") as f:
            f.write(AUTOBOOT_A)
        for slot in ("root-a", "root-b", "boot-a", "boot-b"):
            with open(self.slot_file(slot), "wb") as f:
                f.write(b"SYSTEM=old\n".ljust(4096, b"\0"))
        self.cmdline = os.path.join(self.dir, "cmdline")
        self.backend = os.path.join(self.dir, "backend")
        with open(self.backend, "w") as f:
            f.write("#!/bin/sh\nWOWKIOSK_AUTOBOOT_DIR='%s' WOWKIOSK_CMDLINE='%s' exec '%s' \"$@\"\n"
                    % (self.p1, self.cmdline, os.path.join(UPDATE, "autoboot-backend")))
        os.chmod(self.backend, 0o755)
        self.keyring = keyring
        self.conf = os.path.join(self.dir, "system.conf")
        with open(os.path.join(UPDATE, "system.conf")) as f:
            real = f.read()
        check("bundle-formats=-plain" in real, "the kiosk's system.conf must refuse plain bundles")
        with open(self.conf, "w") as f:
            f.write("[system]\ncompatible=wowkiosk-rpi-arm64\nbootloader=custom\n"
                    "data-directory=%s\n[handlers]\nbootloader-custom-backend=%s\n"
                    "[keyring]\npath=%s\n" % (os.path.join(self.dir, "rauc"), self.backend, keyring))
            for i, (slot, boot) in enumerate((("A", "a"), ("B", "b"))):
                f.write("[slot.rootfs.%d]\ndevice=%s\ntype=raw\nbootname=%s\n"
                        "[slot.boot.%d]\ndevice=%s\ntype=raw\nparent=rootfs.%d\n"
                        % (i, self.slot_file("root-" + boot), slot, i,
                           self.slot_file("boot-" + boot), i))
        self.kconf = os.path.join(self.dir, "kiosk.conf")
        with open(self.kconf, "w") as f:
            f.write(KIOSK_CONF)
        self.store = os.path.join(self.dir, "data", "kiosk.db")
        os.makedirs(os.path.dirname(self.store))
        self.bus = os.path.join(self.dir, "bus")
        with open(os.path.join(self.dir, "bus.conf"), "w") as f:
            f.write(BUS_CONF % self.bus)
        self.bus_proc = subprocess.Popen(
            ["dbus-daemon", "--nofork", "--config-file=" + os.path.join(self.dir, "bus.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS="unix:path=" + self.bus)
        self.service = None
        self.tryboot = False
        self.booted = None
        self.journal = []
        wait_for(lambda: os.path.exists(self.bus), "the private system bus")

    def slot_file(self, name):
        return os.path.join(self.dir, name + ".img")

    def autoboot(self):
        with open(os.path.join(self.p1, "autoboot.txt")) as f:
            return f.read()

    def boot(self):
        """A power-on or reboot: the firmware picks a partition from
        autoboot.txt and the tryboot flag (which it clears), then the system
        on it starts RAUC and runs slot-check. Returns the slot booted."""
        self.stop_service()
        part = boot_partition(self.autoboot(), self.tryboot)
        tried, self.tryboot = self.tryboot, False
        self.booted = {2: "A", 3: "B"}[part]
        with open(self.cmdline, "w") as f:
            f.write("console=ttyAMA0 root=LABEL=wowroot-%s rauc.slot=%s%s\n"
                    % (self.booted.lower(), self.booted, " wowkiosk.tryboot=1" if tried else ""))
        self.service = subprocess.Popen(
            ["rauc", "service", "--conf=" + self.conf, "--override-boot-slot=" + self.booted,
             "--mount=" + os.path.join(self.dir, "mnt")],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wait_for(lambda: run(["rauc", "status"], env=self.env).returncode == 0, "rauc service")
        return self.booted

    def system_on(self, slot):
        with open(self.slot_file("root-" + slot.lower()), "rb") as f:
            return f.read(64).split(b"\n")[0].decode(errors="replace")

    def slot_check(self):
        """The boot's wowkiosk-slot.service: slot-check with the kiosk of the
        booted system (a broken configuration stands for a broken system)."""
        broken = self.system_on(self.booted) == "SYSTEM=broken"
        conf = self.kconf
        if broken:
            conf = os.path.join(self.dir, "broken.conf")
            with open(conf, "w") as f:
                f.write("[kiosk]\nid = ab-kiosk\nno_such_key = 1\n")
        shims = os.path.join(self.dir, "shims")
        os.makedirs(shims, exist_ok=True)
        with open(os.path.join(shims, "systemctl"), "w") as f:
            f.write("#!/bin/sh\necho \"$@\" >> '%s/systemctl.log'\n" % self.dir)
        os.chmod(os.path.join(shims, "systemctl"), 0o755)
        env = dict(self.env, WOWKIOSK_CMDLINE=self.cmdline, XDG_DATA_HOME=self.dir,
                   WOWKIOSK_STATE_DIR=os.path.dirname(self.store),
                   WOWKIOSK_TRYBOOT_FILE=os.path.join(self.dir, "no-device-tree"),
                   SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy",
                   PATH=shims + os.pathsep + os.environ["PATH"],
                   WOWKIOSK_SYSTEM_VERSION=self.system_on(self.booted).split("=", 1)[1],
                   WOWKIOSK_SELF_TEST="%s --config %s --store %s --self-test"
                   % (WOWKIOSK, conf, self.store))
        r = run([os.path.join(UPDATE, "slot-check")], env=env)
        self.journal.append(r.stdout + r.stderr)
        return r

    def reboot_requested(self):
        path = os.path.join(self.dir, "systemctl.log")
        if not os.path.exists(path):
            return False
        with open(path) as f:
            asked = "reboot" in f.read()
        os.unlink(path)
        return asked

    def install(self, bundle):
        r = run(["rauc", "install", bundle], env=self.env, timeout=300)
        if r.returncode == 0:
            self.tryboot = True  # the kiosk's `reboot '0 tryboot'`
        return r

    def state(self, slot):
        r = run([self.backend, "get-state", slot])
        return r.stdout.strip()

    def primary(self):
        return run([self.backend, "get-primary"]).stdout.strip()

    def stop_service(self, sig=signal.SIGTERM):
        if self.service:
            self.service.send_signal(sig)
            try:
                self.service.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.service.kill()
                self.service.wait()
            self.service = None

    def close(self):
        self.stop_service()
        self.bus_proc.terminate()
        self.bus_proc.wait()


def wait_for(cond, what, seconds=20):
    end = time.monotonic() + seconds * SLOW
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.05)
    raise RuntimeError("timed out waiting for " + what)


def make_key(dir, name):
    key, cert = os.path.join(dir, name + ".key.pem"), os.path.join(dir, name + ".cert.pem")
    r = run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out",
             cert, "-subj", "/O=wowkiosk tests/CN=" + name, "-days", "2"])
    if r.returncode != 0:
        raise RuntimeError("openssl: " + r.stderr)
    return key, cert


def make_bundle(tmp, name, system, key, cert, size=1 << 20):
    """A plain bundle whose root image starts 'SYSTEM=<system>'."""
    d = os.path.join(tmp, name + ".in")
    os.makedirs(d)
    with open(os.path.join(d, "root.ext4"), "wb") as f:
        f.write(("SYSTEM=%s\n" % system).encode().ljust(size, b"\0"))
        f.write(os.urandom(4096))  # squashfs must not fold it away to nothing
    with open(os.path.join(d, "boot.vfat"), "wb") as f:
        f.write(b"BOOT\n".ljust(8192, b"\0"))
    with open(os.path.join(d, "manifest.raucm"), "w") as f:
        f.write("[update]\ncompatible=wowkiosk-rpi-arm64\nversion=%s\n"
                "[image.boot]\nfilename=boot.vfat\n[image.rootfs]\nfilename=root.ext4\n" % name)
    out = os.path.join(tmp, name + ".raucb")
    r = run(["rauc", "bundle", "--cert", cert, "--key", key, d, out])
    if r.returncode != 0:
        raise RuntimeError("rauc bundle: " + r.stderr)
    return out


def store_taps(k):
    con = sqlite3.connect(k.store)
    try:
        return con.execute("SELECT count(*) FROM taps").fetchone()[0]
    finally:
        con.close()


def fresh(tmp, name, cert):
    k = Kiosk(tmp, name, cert)
    check(k.boot() == "A", name + ": a new kiosk boots slot A")
    r = k.slot_check()
    check(r.returncode == 0, name + ": slot A's self-test passes: " + r.stdout + r.stderr)
    return k


def scenario_good(tmp, key, cert):
    bundle = make_bundle(tmp, "good", "new", key, cert)
    k = fresh(tmp, "good", cert)
    try:
        r = k.install(bundle)
        check(r.returncode == 0, "good: install: " + r.stdout + r.stderr)
        check(k.system_on("B") == "SYSTEM=new", "good: slot B holds the new system")
        check(k.system_on("A") == "SYSTEM=old", "good: slot A untouched")
        check(boot_partition(k.autoboot(), False) == 2, "good: a normal boot would still start A")
        check(k.boot() == "B", "good: the tryboot starts B")
        r = k.slot_check()
        check(r.returncode == 0 and "kept" in r.stdout, "good: B's self-test keeps it: " + r.stdout)
        check(k.primary() == "B" and k.state("B") == "good", "good: B is primary and good")
        check(k.boot() == "B", "good: the next normal boot starts B")
        check(k.boot() == "B", "good: and the one after")
        check(not k.reboot_requested(), "good: no reboot asked")
    finally:
        k.close()


def scenario_selftest(tmp, key, cert):
    bundle = make_bundle(tmp, "broken", "broken", key, cert)
    k = fresh(tmp, "selftest", cert)
    try:
        run([WOWKIOSK, "--config", k.kconf, "--store", k.store, "--script", "/dev/null"],
            env=dict(os.environ, SDL_VIDEODRIVER="dummy", XDG_DATA_HOME=k.dir))
        taps_before = os.path.exists(k.store) and store_taps(k)
        with open(k.store, "rb") as f:
            store_before = f.read()
        r = k.install(bundle)
        check(r.returncode == 0, "selftest: install: " + r.stderr)
        check(k.boot() == "B", "selftest: the tryboot starts B")
        # the updater's report of the install it started (wowkiosk-updater writes it)
        update = os.path.join(os.path.dirname(k.store), "update")
        os.makedirs(update, exist_ok=True)
        with open(os.path.join(update, "state"), "w") as f:
            f.write("slot=A\nversion=2.0.0\nstate=trying\nerror=\n")
        r = k.slot_check()
        check("FAIL config" in r.stdout and "marked bad" in r.stderr,
              "selftest: B's failing self-test marks it bad: " + r.stdout + r.stderr)
        # why, where the old slot and the heartbeat can read it: B's journal stays on B's root
        with open(os.path.join(update, "state")) as f:
            state = f.read()
        check(re.search(r"^state=failed$", state, re.M) and
              re.search(r"^error=self-test exit 1 on slot B: config: \S*broken\.conf:3: "
                        r"kiosk\.no_such_key: unknown key", state, re.M),
              "selftest: the report does not say which check failed: " + state)
        with open(os.path.join(update, "self-test")) as f:
            kept = f.read()
        check("FAIL config" in kept and "self-test: FAILED" in kept,
              "selftest: the self-test's output is not kept: " + kept)
        check(k.reboot_requested(), "selftest: slot-check reboots")
        check(k.state("B") == "bad", "selftest: B is bad (%s)" % k.state("B"))
        check(k.boot() == "A", "selftest: the old slot boots again")
        r = k.slot_check()
        check(r.returncode == 0, "selftest: A still passes: " + r.stdout + r.stderr)
        check(k.primary() == "A", "selftest: A is primary")
        with open(k.store, "rb") as f:
            check(f.read() == store_before, "selftest: the store is byte for byte as before")
        check(taps_before is not None, "selftest: a store existed")
    finally:
        k.close()


def scenario_by_hand(tmp, key, cert):
    """A technician's `rauc install` from a USB stick and `reboot '0 tryboot'`:
    no updater wrote its file (no update/ directory at all), so slot-check
    reports the try under the new slot's own version, for the heartbeat."""
    bundle = make_bundle(tmp, "broken-by-hand", "broken", key, cert)
    k = fresh(tmp, "by-hand", cert)
    try:
        update = os.path.join(os.path.dirname(k.store), "update")
        shutil.rmtree(update, ignore_errors=True)
        r = k.install(bundle)
        check(r.returncode == 0, "by hand: install: " + r.stderr)
        check(k.boot() == "B", "by hand: the tryboot starts B")
        r = k.slot_check()
        check("marked bad" in r.stderr, "by hand: B's failing self-test marks it bad: " + r.stderr)
        st = update_state(k)
        check(st.get("version") == "broken" and st.get("state") == "failed" and
              st.get("error", "").startswith("self-test exit 1 on slot B: config: "),
              "by hand: no report of the failed try under B's own version: %r" % st)
        check(os.path.exists(os.path.join(update, "self-test")),
              "by hand: the self-test's output is not kept")
        check(k.reboot_requested() and k.boot() == "A", "by hand: the old slot boots again")
        r = k.slot_check()
        after = update_state(k)
        check(r.returncode == 0 and after == st,
              "by hand: A's normal boot keeps the report as it was: %r" % after)
    finally:
        k.close()


def scenario_cut_install(tmp, key, cert):
    bundle = make_bundle(tmp, "big", "new", key, cert, size=128 << 20)
    k = fresh(tmp, "cut-install", cert)
    try:
        p = subprocess.Popen(["rauc", "install", bundle], env=k.env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        target = k.slot_file("root-b")
        wait_for(lambda: os.path.getsize(target) > 4096 or p.poll() is not None,
                 "slot B being written", 120)
        k.stop_service(signal.SIGKILL)  # the power goes: the service dies mid-write
        p.wait()
        with open(target, "rb") as f:
            written = f.read(64).split(b"\n")[0]
        check(p.returncode != 0, "cut-install: the install was cut, yet rauc said it finished")
        print("test_ab_update: cut-install: slot B cut at %d bytes, starting %r"
              % (os.path.getsize(target), written))
        check(boot_partition(k.autoboot(), False) == 2, "cut-install: autoboot.txt still boots A")
        check(k.boot() == "A", "cut-install: the kiosk boots A")
        r = k.slot_check()
        check(r.returncode == 0, "cut-install: A serves: " + r.stdout + r.stderr)
        check(k.state("B") == "bad", "cut-install: half-written B is bad (%s)" % k.state("B"))
        check(k.primary() == "A", "cut-install: A is primary")
    finally:
        k.close()


def scenario_cut_boot(tmp, key, cert):
    bundle = make_bundle(tmp, "hangs", "new", key, cert)
    k = fresh(tmp, "cut-boot", cert)
    try:
        r = k.install(bundle)
        check(r.returncode == 0, "cut-boot: install: " + r.stderr)
        check(k.boot() == "B", "cut-boot: the tryboot starts B")
        # the power goes (or B crashes in a loop) before slot-check runs
        check(k.boot() == "A", "cut-boot: the next boot, without the flag, starts A")
        r = k.slot_check()
        check(r.returncode == 0, "cut-boot: A serves: " + r.stdout + r.stderr)
        check(k.state("B") == "bad", "cut-boot: the unconfirmed try is bad (%s)" % k.state("B"))
        check(k.boot() == "A", "cut-boot: A stays")
    finally:
        k.close()


def scenario_signature(tmp, key, cert):
    okey, ocert = make_key(tmp, "someone-else")
    forged = make_bundle(tmp, "forged", "evil", okey, ocert)
    good = make_bundle(tmp, "tampered", "new", key, cert)
    tampered = os.path.join(tmp, "tampered-changed.raucb")
    shutil.copy(good, tampered)
    with open(tampered, "r+b") as f:
        f.seek(2048)
        b = f.read(1)
        f.seek(2048)
        f.write(bytes([b[0] ^ 0x40]))
    k = fresh(tmp, "signature", cert)
    try:
        before = k.autoboot()
        for name, bundle in (("another key", forged), ("changed after signing", tampered)):
            r = k.install(bundle)
            check(r.returncode != 0, "signature: a bundle signed by %s was installed" % name)
            check(k.system_on("B") == "SYSTEM=old", "signature: %s: slot B written" % name)
            check(k.autoboot() == before, "signature: %s: autoboot.txt changed" % name)
            check(not k.tryboot, "signature: %s: a tryboot would follow" % name)
        r = run(["rauc", "info", "--keyring", cert, forged])
        check(r.returncode != 0 and "signature verification failed" in r.stderr,
              "signature: rauc info refuses the forged bundle: " + r.stderr[-200:])
    finally:
        k.close()


def scenario_backend_errors(tmp, key, cert):
    """The backend refuses what it does not understand, naming the file and
    line, and a cut before its rename leaves the old autoboot.txt whole."""
    d = os.path.join(tmp, "errors")
    os.makedirs(d)
    path = os.path.join(d, "autoboot.txt")
    cmdline = os.path.join(d, "cmdline")
    with open(cmdline, "w") as f:
        f.write("rauc.slot=A\n")
    backend = os.path.join(UPDATE, "autoboot-backend")
    env = dict(os.environ, WOWKIOSK_AUTOBOOT_DIR=d, WOWKIOSK_CMDLINE=cmdline)
    for text, want in (("[all]\ntryboot_a_b=1\nboot_partition=7\n", "autoboot.txt:3: boot_partition:"),
                       ("[all]\ntryboot_a_b=1\nboot_partition=2\nkernel=x\n", "autoboot.txt:4: expected"),
                       ("[tryboot]\nboot_partition=3\n", "no boot_partition under [all]")):
        with open(path, "w") as f:
            f.write(text)
        r = run([backend, "get-primary"], env=env)
        check(r.returncode != 0 and want in r.stderr and path in r.stderr,
              "backend: %r: expected an error with %r, got %r" % (text, want, r.stderr))
    for args, want in ((["set-state", "C", "good"], "slot 'C': expected A or B"),
                       (["set-state", "B", "fine"], "expected good or bad"),
                       (["reboot"], "expected get-primary")):
        with open(path, "w") as f:
            f.write(AUTOBOOT_A)
        r = run([backend] + args, env=env)
        check(r.returncode != 0 and want in r.stderr, "backend %s: %r" % (args, r.stderr))
    # the power goes after the new file is written, before the rename
    shims = os.path.join(d, "shims")
    os.makedirs(shims)
    with open(os.path.join(shims, "mv"), "w") as f:
        f.write("#!/bin/sh\nkill -9 $PPID\n")
    os.chmod(os.path.join(shims, "mv"), 0o755)
    r = run([backend, "set-primary", "B"], env=dict(env, PATH=shims + os.pathsep + os.environ["PATH"]))
    with open(path) as f:
        check(f.read() == AUTOBOOT_A, "backend: a cut before the rename changed autoboot.txt")
    check(r.returncode != 0, "backend: the cut backend reported success")
    r = run([backend, "get-primary"], env=env)
    check(r.stdout.strip() == "A", "backend: after the cut, get-primary says %r" % r.stdout)


class BundleServer:
    """HTTP on loopback with byte ranges, as a dashboard or a CDN serves a
    bundle; the first answer can be cut after cut_at bytes."""

    def __init__(self, path, cut_at=None):
        self.path, self.cut_at, self.ranges = path, cut_at, []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                with open(outer.path, "rb") as f:
                    data = f.read()
                start = 0
                rng = self.headers.get("Range")
                if rng and rng.startswith("bytes="):
                    start = int(rng[6:].split("-")[0])
                    outer.ranges.append(start)
                self.send_response(206 if start else 200)
                if start:
                    self.send_header("Content-Range",
                                     "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
                self.send_header("Content-Length", str(len(data) - start))
                self.end_headers()
                body = data[start:]
                if outer.cut_at is not None:
                    body, outer.cut_at = body[:outer.cut_at], None
                    self.wfile.write(body)
                    self.wfile.flush()
                    self.connection.shutdown(2)  # the link drops mid-download
                    return
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/bundle.raucb" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def updater(k, version_running="old"):
    """One run of wowkiosk-updater (its timer's), as root, for kiosk k."""
    shims = os.path.join(k.dir, "shims")
    os.makedirs(shims, exist_ok=True)
    with open(os.path.join(shims, "systemctl"), "w") as f:
        f.write("#!/bin/sh\necho \"$@\" >> '%s/systemctl.log'\n" % k.dir)
    os.chmod(os.path.join(shims, "systemctl"), 0o755)
    env = dict(k.env, WOWKIOSK_STATE_DIR=os.path.dirname(k.store), WOWKIOSK_CMDLINE=k.cmdline,
               WOWKIOSK_SYSTEM_VERSION=version_running, WOWKIOSK_KEYRING=k.keyring,
               PATH=shims + os.pathsep + os.environ["PATH"])
    r = run([os.path.join(UPDATE, "wowkiosk-updater")], env=env, timeout=300)
    log = os.path.join(k.dir, "systemctl.log")
    if os.path.exists(log):
        with open(log) as f:
            if "reboot 0 tryboot" in f.read():
                k.tryboot = True
        os.unlink(log)
    return r


def update_state(k):
    path = os.path.join(os.path.dirname(k.store), "update", "state")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)


def write_offer(k, version, url, sha256, size):
    d = os.path.join(os.path.dirname(k.store), "update")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "offer"), "w") as f:
        f.write("version=%s\nurl=%s\nsha256=%s\nsize=%d\n" % (version, url, sha256, size))


def may_install(k, yes):
    path = os.path.join(os.path.dirname(k.store), "update", "may-install")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if yes:
        open(path, "w").close()
    elif os.path.exists(path):
        os.unlink(path)


def scenario_updater(tmp, key, cert):
    """The kiosk's side of a rollout: the offer fetched, downloaded across a
    dropped link (resumed), checked, held until the kiosk may install,
    installed, tried and kept; a wrong checksum and a forged bundle refused."""
    bundle = make_bundle(tmp, "offered", "new", key, cert, size=4 << 20)
    with open(bundle, "rb") as f:
        data = f.read()
    sha = hashlib.sha256(data).hexdigest()
    server = BundleServer(bundle, cut_at=len(data) // 3)
    k = fresh(tmp, "updater", cert)
    try:
        write_offer(k, "2.0.0", server.url, sha, len(data))
        r = updater(k)
        st = update_state(k)
        check(r.returncode != 0 and st.get("state") == "downloading" and st.get("error"),
              "updater: a dropped link leaves it downloading with the error: %s %s" % (st, r.stderr))
        r = updater(k)
        st = update_state(k)
        check(server.ranges and server.ranges[0] > 0,
              "updater: the second run resumed with a Range request (%s)" % server.ranges)
        check(st.get("state") == "downloaded" and not k.tryboot,
              "updater: downloaded, and held while the kiosk is open: %s %s" % (st, r.stderr))
        check(k.system_on("B") == "SYSTEM=old", "updater: installed while the kiosk was open")
        may_install(k, True)
        r = updater(k)
        st = update_state(k)
        check(st.get("state") == "installed" and k.tryboot,
              "updater: installed and a tryboot asked: %s %s" % (st, r.stderr))
        check(k.system_on("B") == "SYSTEM=new", "updater: slot B holds the offered system")
        check(k.boot() == "B", "updater: the tryboot starts B")
        r = k.slot_check()
        st = update_state(k)
        check(st == {"slot": "B", "version": "2.0.0", "state": "good", "error": ""},
              "updater: after B's self-test the report says %s" % st)
        check(updater(k, version_running="2.0.0").returncode == 0 and not k.tryboot,
              "updater: the version running is not installed again")
    finally:
        k.close()
        server.close()
    # a checksum that does not match, and a bundle signed by another key
    okey, ocert = make_key(tmp, "not-the-fleet")
    forged = make_bundle(tmp, "forged-offer", "evil", okey, ocert)
    with open(forged, "rb") as f:
        fdata = f.read()
    for name, path, digest, why in (
            ("checksum", bundle, "0" * 64, "SHA-256"),
            ("signature", forged, hashlib.sha256(fdata).hexdigest(), "signature")):
        server = BundleServer(path)
        k = fresh(tmp, "refuse-" + name, cert)
        try:
            may_install(k, True)
            with open(path, "rb") as f:
                size = len(f.read())
            write_offer(k, "3.0.0", server.url, digest, size)
            r = updater(k)
            st = update_state(k)
            check(st.get("state") == "refused" and why in st.get("error", ""),
                  "updater: %s: the report says %s" % (name, st))
            check(k.system_on("B") == "SYSTEM=old" and not k.tryboot,
                  "updater: %s: something was installed" % name)
            left = os.listdir(os.path.join(os.path.dirname(k.store), "update", "download"))
            check(left == [], "updater: %s: the refused download is kept: %s" % (name, left))
        finally:
            k.close()
            server.close()


def main():
    if os.geteuid() != 0 or not shutil.which("rauc") or not shutil.which("dbus-daemon"):
        print("test_ab_update: skipped (needs root, rauc and dbus-daemon)")
        return 77
    tmp = tempfile.mkdtemp(prefix="wowab-")
    try:
        key, cert = make_key(tmp, "wowkiosk-dev")
        for scenario in (scenario_backend_errors, scenario_updater, scenario_good, scenario_selftest, scenario_by_hand,
                         scenario_cut_install,
                         scenario_cut_boot, scenario_signature):
            t0 = time.monotonic()
            scenario(tmp, key, cert)
            print("test_ab_update: %s (%.1f s)" % (scenario.__name__[9:], time.monotonic() - t0))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print("test_ab_update: %d failure(s)" % len(failures), file=sys.stderr)
        return 1
    print("test_ab_update: good update kept; failing self-test, cut install, cut first boot fall "
          "back to A; forged and changed bundles refused")
    return 0


if __name__ == "__main__":
    sys.exit(main())
