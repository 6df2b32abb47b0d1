#!/usr/bin/env python3
"""A/B updates in the virtual kiosk: the A/B image, RAUC in the guest, the Pi firmware emulated.

    vm_ab.py --image-dir DIR --keys KEYS [--work DIR] [--upto N] [--break firmware|slot-install]

DIR is build-image.sh --ab's --out (DIR/wowkiosk.img); KEYS holds the development CA the image
trusts (dev.cert.pem, dev.key.pem; vm-test.sh with WOW_VM_AB=1 makes it). The image is never
changed: a sparse copy boots through vm_firmware.FirmwareVm, which reads autoboot.txt on
partition 1 and the one-shot tryboot flag before every boot, as a Pi 4's bootloader does.

Bundles are made on the host by platform/rpi/update/make-bundle.sh (RAUC's verity format,
signed with the development key) from the image's own slot A (boot partition 2, root
partition 5), with another version in /etc/wowkiosk/system-version:
  good     the same system, version V2;
  selftest its /etc/wowkiosk/kiosk.conf has an unknown key: `wowkiosk --self-test` fails;
  crash    its cmdline.txt has init=/bin/false panic=3: the kernel panics and resets at
           every boot of it;
  forged   good, signed again by a key the kiosk does not trust (rauc resign).
They reach the guest read-only over virtio-9p; the guest's own RAUC installs them with
`rauc install` (not wowkiosk-updater: its download, checksum and install window are
tested on the host by test_rollout_kiosk; here what is new is the slots, the firmware and
RAUC's real verity install), then `systemctl reboot '0 tryboot'`, as the updater does.
tests/vm/guest-ab.sh runs the test's commands in the guest.

Scenarios, in order on one kiosk (each needs the ones before; --upto N stops after N):
  1 good      a bundle signed by another key is refused with nothing changed; the good
              bundle is installed into B, tried (tryboot: partition 3, the device tree's
              tryboot = 1), marked good by slot-check and kept over a normal reboot;
  2 selftest  the selftest bundle is installed into A (the other slot now), tried, its
              self-test fails: slot-check marks A bad and reboots; B boots again and serves;
  3 cut-install  power cut while RAUC writes A: B boots and serves;
  4 cut-boot  the good bundle installed into A, power cut during A's first boot (before
              slot-check): B boots, serves, and marks the unconfirmed try bad;
  5 crash     the crash bundle into A: its first boot panics and resets; B boots, serves,
              marks A bad.
Every boot checks the slot booted (rauc status, /proc/cmdline, the firmware's choice), and
every boot that serves takes a tap; at the end a clean power-off, and the store read from
the data partition (partition 7) must hold every tap, ids in order, integrity_check ok.
To see it fail (scenario 1 must): --break firmware makes the firmware ignore the tryboot flag;
--break slot-install replaces the guest's post-install handler with /bin/true (a bind mount,
before the install), so the new slot keeps the bundle's labels and cmdline.txt.
Figures: vm_ab_install_s (rauc install of the good bundle), vm_ab_update_s (install start to
the new slot marked good), vm_ab_fallback_s (the failing self-test's boot to the old slot
serving again), vm_ab_bundle_mb.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vm_kiosk as vk  # noqa: E402
from vm_firmware import TRYBOOT_LINE, FirmwareVm, partitions, fat_read, fat_write  # noqa: E402
from vm_kiosk import check, fail, log  # noqa: E402

MAKE_BUNDLE = os.path.join(vk.SOURCE, "platform", "rpi", "update", "make-bundle.sh")
KIOSK_CONF = f"""[kiosk]
id = ab-1
site = Virtual A/B kiosk

[followup]
enabled = false

[screen]
thanks_s = 0.3

[sync]
target = off
"""
V2 = "2.0.0-ab"
BOOT_TIMEOUT = 600


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


# --- bundles ------------------------------------------------------------------------------
def extract(img, part, dest):
    off, size = partitions(img)[part]
    sh(["dd", f"if={img}", f"of={dest}", "bs=1M", f"skip={off >> 20}", f"count={size >> 20}",
        "conv=sparse", "status=none"])


def ext4_write(image, path, text, work):
    local = os.path.join(work, "file.tmp")
    with open(local, "w") as f:
        f.write(text)
    subprocess.run(["debugfs", "-w", "-R", f"rm {path}", image], capture_output=True)
    sh(["debugfs", "-w", "-R", f"write {local} {path}", image])
    got = sh(["debugfs", "-R", f"cat {path}", image]).stdout
    check(got == text, f"debugfs could not write {path} into {image}")


BUNDLES = ("good", "selftest", "crash", "forged")


def make_bundles(image, keys, work, names=BUNDLES):
    """{name: path} of the test's bundles names (forged needs good), made once per image (kept
    in work/bundles, with the image's key in .key)."""
    out = os.path.join(work, "bundles")
    key = open(image + ".sha256").read().split()[0] + sh(["sha256sum", MAKE_BUNDLE]).stdout[:16]
    stamp = os.path.join(out, ".key")
    names = [n for n in BUNDLES if n in names or (n == "good" and "forged" in names)]
    paths = {n: os.path.join(out, n + ".raucb") for n in names}
    if os.path.exists(stamp) and open(stamp).read() == key:
        names = [n for n in names if not os.path.exists(paths[n])]
        if not names:
            log(f"bundles: made before ({out})")
            return paths
    else:
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        if os.path.exists(stamp):
            os.unlink(stamp)
    src = os.path.join(work, "bundle-src")
    shutil.rmtree(src, ignore_errors=True)
    os.makedirs(src)
    t = time.monotonic()
    dev = [os.path.join(keys, "dev.cert.pem"), os.path.join(keys, "dev.key.pem")]
    systems = {}  # name: (boot, root) images of the system it holds
    if set(names) & {"good", "selftest", "crash"}:
        boot, root = os.path.join(src, "boot.vfat"), os.path.join(src, "root.ext4")
        extract(image, 2, boot)
        extract(image, 5, root)
        ext4_write(root, "/etc/wowkiosk/system-version", V2 + "\n", src)
        systems["good"] = (boot, root)
    if "selftest" in names:
        kiosk_conf = sh(["debugfs", "-R", "cat /etc/wowkiosk/kiosk.conf", root]).stdout
        check("[kiosk]" in kiosk_conf, "the image's /etc/wowkiosk/kiosk.conf has no [kiosk]")
        bad_root = os.path.join(src, "root-selftest.ext4")
        sh(["cp", "--sparse=always", root, bad_root])
        ext4_write(bad_root, "/etc/wowkiosk/kiosk.conf",
                   kiosk_conf + "\n[kiosk]\nno_such_key = 1\n", src)
        systems["selftest"] = (boot, bad_root)
    if "crash" in names:
        crash_boot = os.path.join(src, "boot-crash.vfat")
        sh(["cp", "--sparse=always", boot, crash_boot])
        cmdline = fat_read(crash_boot, 0, "cmdline.txt").decode().strip()
        with open(os.path.join(src, "cmdline.txt"), "w") as f:
            f.write(cmdline + " init=/bin/false panic=3\n")
        fat_write(crash_boot, 0, os.path.join(src, "cmdline.txt"), "cmdline.txt")
        systems["crash"] = (crash_boot, root)
    for name in ("good", "selftest", "crash"):
        if name in names:
            log(f"bundles: {name}")
            b, r = systems[name]
            sh([MAKE_BUNDLE, "--boot", b, "--root", r, "--version",
                V2 if name == "good" else f"{V2}-{name}", "--cert", dev[0], "--key", dev[1],
                "--keyring", dev[0], "--out", paths[name]])
    if "forged" in names:
        other = [os.path.join(src, "other.cert.pem"), os.path.join(src, "other.key.pem")]
        sh(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", other[1],
            "-out", other[0], "-subj", "/O=not the fleet/CN=someone else", "-days", "60"])
        r = subprocess.run(["rauc", "resign", "--cert", other[0], "--key", other[1], "--keyring",
                            dev[0], "--signing-keyring", other[0], paths["good"], paths["forged"]],
                           capture_output=True, text=True)
        check(r.returncode == 0, f"rauc resign: {r.stderr.strip()}")
    shutil.rmtree(src)
    with open(stamp, "w") as f:
        f.write(key)
    log(f"bundles: made in {time.monotonic() - t:.0f} s")
    return paths


# --- the guest ----------------------------------------------------------------------------
class Kiosk:
    """The machine, its boots and the test's commands in it."""

    def __init__(self, vm, refs):
        self.vm, self.refs = vm, refs
        self.n = self.boot_no = 0
        self.taps = []  # (boot, id, rating) of every tap the kiosk logged as committed

    def boot(self, what, expect_part, expect_try, agent=True):
        self.boot_no += 1
        self.vm.start(serial_name=f"serial-{self.boot_no:02d}-{what}.log", probe_run=True)
        slot, got = None, self.vm.boot
        if agent:  # what the guest runs first, then the firmware's reason
            slot = self.vm.wait_line(r"wowab-up (\S+) ", BOOT_TIMEOUT, "the agent's wowab-up").group(1)
            want = {2: "A", 3: "B"}[expect_part]
            check(slot == want, f"boot {self.boot_no} ({what}): the guest runs slot {slot} "
                  f"(rauc.slot= in /proc/cmdline), expected {want}; the firmware booted partition "
                  f"{got[0]}{' (tryboot)' if got[1] else ''}")
        check(got == (expect_part, expect_try),
              f"boot {self.boot_no} ({what}): the firmware chose partition {got[0]}"
              f"{' (tryboot)' if got[1] else ''}, expected {expect_part}"
              f"{' (tryboot)' if expect_try else ''}")
        return slot

    def run(self, cmd, timeout=120, ok=True):
        """(status, output lines) of cmd run as root in the guest.  The agent's lines are
        matched anywhere on a console line: systemd's status output may be in front."""
        self.n += 1
        cid = f"c{self.n}"
        self.vm.ctl.sendall(f"{cid} {cmd}\n".encode())
        m = self.vm.wait_line(rf"wowab-rc {cid} (\d+)", timeout, f"the end of '{cmd}'")
        out = [line.rstrip("\r") for line in re.findall(rf"wowab-out {cid} (.*)$", self.vm.text(), re.M)]
        rc = int(m.group(1))
        if ok:
            check(rc == 0, f"'{cmd}' in the guest: exit {rc}: " + " | ".join(out[-5:]))
        return rc, out

    def send(self, cmd):
        """cmd without waiting for its end (a reboot, a power-off)."""
        self.n += 1
        self.vm.ctl.sendall(f"c{self.n} {cmd}\n".encode())

    def state(self):
        """What the slot bookkeeping says: booted slot, tryboot flag, autoboot.txt's choice,
        RAUC's view of each slot, the running system's version."""
        _, out = self.run("echo cmdline $(cat /proc/cmdline); "
                          "echo tryboot $(od -An -tu1 /proc/device-tree/chosen/bootloader/tryboot); "
                          "echo version $(cat /etc/wowkiosk/system-version); "
                          "sed 's/^/autoboot /' /boot/config/autoboot.txt; "
                          "sed 's/^/slots /' /boot/config/slots.txt 2>/dev/null; "
                          "rauc status --detailed --output-format=shell | sed 's/^/rauc /'")
        st = {"rauc": {}, "autoboot": [], "slots": []}
        for line in out:
            kind, _, rest = line.partition(" ")
            if kind == "rauc":
                if "=" in rest:
                    key, _, v = rest.partition("=")
                    st["rauc"][key] = v.strip("'")
            elif kind in ("autoboot", "slots"):
                st[kind].append(rest)
            else:
                st[kind] = rest
        words = st.get("cmdline", "").split()
        st["slot"] = next((w.split("=", 1)[1] for w in words if w.startswith("rauc.slot=")), None)
        st["root"] = next((w for w in words if w.startswith("root=")), None)
        st["all"] = st["try"] = None
        section = None
        for line in st["autoboot"]:
            if line in ("[all]", "[tryboot]"):
                section = line
            elif line.startswith("boot_partition="):
                st["all" if section == "[all]" else "try"] = int(line.split("=")[1])
        # each slot's boot status, by bootname
        r = st["rauc"]
        st["boot_status"] = {}
        for k, v in r.items():
            m = re.match(r"RAUC_SLOT_BOOTNAME_(\d+)$", k)
            if m and v:
                st["boot_status"][v] = r.get(f"RAUC_SLOT_BOOT_STATUS_{m.group(1)}")
        # the booted slot: the one RAUC's state calls booted (its bootname)
        booted = [r.get(f"RAUC_SLOT_BOOTNAME_{k.rsplit('_', 1)[1]}") for k, v in r.items()
                  if k.startswith("RAUC_SLOT_STATE_") and v == "booted"]
        st["booted"] = next((b for b in booted if b), None)
        log(f"state: slot {st['slot']} ({st['root']}), tryboot {st.get('tryboot')!r}, version "
            f"{st.get('version')}, autoboot [all] {st['all']} [tryboot] {st['try']}, slots.txt "
            f"{st['slots']}, RAUC booted {st['booted']} {st['boot_status']}")
        return st

    def expect_slot(self, st, slot, tryboot):
        lower = slot.lower()
        check(st["slot"] == slot and st["root"] == f"root=LABEL=wowroot-{lower}",
              f"boot {self.boot_no}: /proc/cmdline has rauc.slot={st['slot']} {st['root']}, "
              f"expected slot {slot} on wowroot-{lower}")
        check(st["booted"] == slot, f"boot {self.boot_no}: rauc status says {st['booted']} "
              f"booted, expected {slot}")
        flag = "0 0 0 1" if tryboot else "0 0 0 0"
        check(st.get("tryboot") == flag, f"boot {self.boot_no}: the device tree's "
              f"chosen/bootloader/tryboot reads {st.get('tryboot')!r}, expected {flag!r}")

    def serve(self, rating=3):
        """The kiosk shows its rating screen and commits a tap; returns the tap's id."""
        run = vk.Run(self.vm, self.refs)
        # the kiosk's own first frame: slot-check's self-test presents the rating screen too,
        # before the kiosk runs, and a tap then reaches nobody
        self.vm.wait_line(r"wowkiosk\[\d+\]: wowkiosk\[info\] first frame presented", BOOT_TIMEOUT,
                          f"boot {self.boot_no}: the kiosk's first frame")
        run.wait_screen("rating-en", BOOT_TIMEOUT, f"boot {self.boot_no}: the rating screen")
        before = len(vk.taps_committed(self.vm.text()))
        self.vm.qmp.tap(vk.FACES[rating])
        deadline = time.monotonic() + 30
        while True:
            found = re.findall(r"tap committed id=(\d+) department=\S+ rating=(\d)", self.vm.text())
            if len(found) > before:
                tap_id, got = int(found[before][0]), int(found[before][1])
                break
            check(time.monotonic() < deadline, f"boot {self.boot_no}: no tap committed 30 s after "
                  f"tapping face {rating}; see {self.vm.serial}")
            time.sleep(0.1)
        check(got == rating, f"boot {self.boot_no}: the tap committed rating {got}, expected {rating}")
        if self.taps:
            check(tap_id > self.taps[-1][1], f"boot {self.boot_no}: tap id {tap_id} after "
                  f"{self.taps[-1][1]}: the store started again (was it lost?)")
        self.taps.append((self.boot_no, tap_id, rating))
        log(f"boot {self.boot_no}: tap id={tap_id} rating={rating} committed")
        return tap_id

    def slot_check(self, timeout=BOOT_TIMEOUT):
        """slot-check's verdict on this boot: 'kept' or 'failed'."""
        m = self.vm.wait_line(r"slot-check: self-test (\d+): this slot is kept|"
                              r"slot-check: self-test failed \((\d+)\)", timeout, "slot-check's verdict")
        if "kept" not in m.group(0):
            return "failed"
        # mark-good has written slots.txt (and autoboot.txt) when the unit has finished
        self.vm.wait_line(r"systemd\[1\]: Finished wowkiosk-slot\.service", 120,
                          "wowkiosk-slot.service's end")
        return "kept"

    def back_on_b(self, name, what, rating):
        """After slot A failed (what): B boots from partition 3 without a try, slot-check
        keeps it, it serves a tap of rating, autoboot.txt's [all] stays 3 and RAUC says A
        bad."""
        self.boot(f"b-after-{name}", 3, False)
        check(self.slot_check() == "kept", f"slot B not kept after {what}")
        st = self.state()
        self.expect_slot(st, "B", False)
        self.serve(rating)
        check(st["all"] == 3 and st["boot_status"].get("A") == "bad",
              f"after {what}: autoboot.txt [all] {st['all']}, RAUC says A "
              f"{st['boot_status'].get('A')}; expected 3 and bad")

    def mount_bundles(self):
        self.run("modprobe 9pnet_virtio; mkdir -p /run/bundles; mountpoint -q /run/bundles || "
                 "mount -t 9p -o trans=virtio,version=9p2000.L,ro bundles /run/bundles")

    def install(self, name, timeout=1800):
        """rauc install of bundle name; returns its seconds."""
        self.mount_bundles()
        t = time.monotonic()
        rc, out = self.run(f"rauc install /run/bundles/{name}.raucb", timeout=timeout, ok=False)
        check(rc == 0, f"rauc install {name}: exit {rc}: " + " | ".join(out[-6:]))
        secs = time.monotonic() - t
        done = re.findall(r"slot-install: (.*)$", self.vm.text(), re.M)
        log(f"rauc install {name}: {secs:.0f} s; slot-install: " + " | ".join(d[:80] for d in done[-2:]))
        return secs

    def reboot(self, tryboot, timeout=300):
        self.send("systemctl reboot '0 tryboot'" if tryboot else "systemctl reboot")
        self.vm.wait_end(timeout)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--image-dir", required=True)
    ap.add_argument("--keys", required=True)
    ap.add_argument("--work", default=None)
    ap.add_argument("--upto", type=int, default=5)
    ap.add_argument("--break", dest="broken", choices=("firmware", "slot-install"), default=None,
                    help="break one piece, to see the test fail")
    a = ap.parse_args()
    work = os.path.abspath(a.work or tempfile.mkdtemp(prefix="wowkiosk-vm-ab."))
    os.makedirs(work, exist_ok=True)
    image = os.path.join(os.path.abspath(a.image_dir), "wowkiosk.img")
    check(os.path.isfile(image), f"{image}: no image (build-image.sh --ab --out {a.image_dir})")
    check(len(partitions(image)) == 7, f"{image}: expected the A/B image's 7 partitions "
          "(build-image.sh --ab)")
    started = time.monotonic()
    bundles = make_bundles(image, os.path.abspath(a.keys), work)
    bundle_mb = os.path.getsize(bundles["good"]) / 1e6
    refs = {"rating-en": vk.png_read(os.path.join(vk.REF_DIR, f"rating-en-{vk.W}x{vk.H}.png"))}
    vm = FirmwareVm(os.path.abspath(a.image_dir), work, ignore_tryboot=a.broken == "firmware")
    vm.prepare(KIOSK_CONF)
    fat_write(vm.img, partitions(vm.img)[1][0], os.path.join(HERE, "guest-ab.sh"), vm.PROBE)
    vm.shares = [("bundles", os.path.dirname(bundles["good"]))]
    k = Kiosk(vm, refs)
    figures = {}
    try:
        # 1: a forged bundle refused; the good one installed into B, tried, kept
        k.boot("a", 2, False)
        check(k.slot_check() == "kept", "boot 1: slot-check did not keep slot A")
        st = k.state()
        k.expect_slot(st, "A", False)
        k.serve(3)
        before = (st["autoboot"], st["slots"])
        k.mount_bundles()
        rc, out = k.run("rauc install /run/bundles/forged.raucb", timeout=600, ok=False)
        check(rc != 0, "the bundle signed by another key was installed")
        log("forged bundle refused: " + " | ".join(out[-2:]))
        st = k.state()
        check((st["autoboot"], st["slots"]) == before, f"the refused bundle changed autoboot.txt or "
              f"slots.txt: {before} -> {(st['autoboot'], st['slots'])}")
        if a.broken == "slot-install":
            k.run("mount --bind /bin/true /usr/lib/wowkiosk/slot-install")
        t_install = time.monotonic()
        figures["vm_ab_install_s"] = k.install("good")
        st = k.state()
        check(st["all"] == 2 and st["try"] == 3, f"after the install autoboot.txt says [all] "
              f"{st['all']} [tryboot] {st['try']}, expected 2 and 3")
        k.reboot(tryboot=True)
        check(vm.firmware.tryboot, "the guest's reboot '0 tryboot' did not reach the firmware "
              f"(no \"{TRYBOOT_LINE}\" on the console; see {vm.serial})")
        k.boot("b-try", 3, True)
        verdict = k.slot_check()
        st = k.state()
        k.expect_slot(st, "B", True)
        check(verdict == "kept", "the good update's self-test failed on slot B")
        figures["vm_ab_update_s"] = time.monotonic() - t_install
        check(st.get("version") == V2, f"slot B runs version {st.get('version')}, expected {V2}")
        check(st["all"] == 3 and st["boot_status"].get("B") == "good",
              f"B kept: autoboot.txt [all] {st['all']}, RAUC says B {st['boot_status'].get('B')}; "
              "expected 3 and good")
        k.serve(4)
        k.reboot(tryboot=False)
        k.boot("b-kept", 3, False)
        st = k.state()
        k.expect_slot(st, "B", False)
        check(k.slot_check() == "kept", "slot B not kept on its second boot")
        log("scenario 1 (good update): installed, tried, marked good, kept")
        if a.upto >= 2:
            # 2: an update whose self-test fails, into A (the other slot now)
            k.serve(1)
            k.install("selftest")
            k.reboot(tryboot=True)
            k.boot("a-selftest", 2, True, agent=False)
            t = time.monotonic()
            check(k.slot_check() == "failed", "the selftest bundle's self-test passed")
            vm.wait_end(300)
            check(not vm.firmware.tryboot, "slot-check's reboot after the failed self-test was a tryboot")
            k.boot("b-after-selftest", 3, False)
            st = k.state()
            k.expect_slot(st, "B", False)
            k.serve(2)
            figures["vm_ab_fallback_s"] = time.monotonic() - t
            check(st["all"] == 3 and st["boot_status"].get("A") == "bad",
                  f"after the failed self-test: autoboot.txt [all] {st['all']}, RAUC says A "
                  f"{st['boot_status'].get('A')}; expected 3 and bad")
            log("scenario 2 (failing self-test): A marked bad, B serves again")
        if a.upto >= 3:
            # 3: a power cut while RAUC writes the other slot
            k.mount_bundles()
            cut_after = max(5.0, figures["vm_ab_install_s"] / 3)
            k.send("rauc install /run/bundles/good.raucb")
            time.sleep(cut_after)
            check("wowab-rc c" + str(k.n) + " " not in vm.text(), "the install ended before the cut")
            writing = re.findall(r"rauc\[\d+\]: (.*)$", vm.text(), re.M)
            vm.cut()
            log(f"power cut {cut_after:.0f} s into rauc install; RAUC's last word: "
                f"{writing[-1] if writing else None}")
            k.boot("b-after-cut-install", 3, False)
            st = k.state()
            k.expect_slot(st, "B", False)
            check(k.slot_check() == "kept", "slot B not kept after the cut install")
            k.serve(3)
            # A was bad already (scenario 2); what the cut must not leave is a try of it
            check(st["all"] == 3 and st["boot_status"].get("A") != "good" and "pending=" in st["slots"],
                  f"after the cut install: autoboot.txt [all] {st['all']}, RAUC says A "
                  f"{st['boot_status'].get('A')}, slots.txt {st['slots']}; expected 3, not good, "
                  "no try pending")
            log("scenario 3 (power cut during the install): B serves")
        if a.upto >= 4:
            # 4: a power cut during the new slot's first boot
            k.install("good")
            k.reboot(tryboot=True)
            k.boot("a-cut-boot", 2, True, agent=False)
            # the new slot's systemd has started (loglevel=3: the kernel itself says little)
            vm.wait_line(r"Welcome to", 300, "the new slot's systemd")
            check("slot-check" not in vm.text(), "slot-check ran before the cut")
            vm.cut()
            log("power cut during slot A's first boot")
            k.back_on_b("cut-boot", "the cut first boot", 4)
            log("scenario 4 (power cut during the new slot's first boot): A bad, B serves")
        if a.upto >= 5:
            # 5: a new slot that crashes at every boot
            k.install("crash")
            k.reboot(tryboot=True)
            k.boot("a-crash", 2, True, agent=False)
            vm.wait_end(300)
            check("Kernel panic" in vm.text(), f"the crash slot did not panic; see {vm.serial}")
            check(not vm.firmware.tryboot, "the panic's reset was a tryboot")
            k.back_on_b("crash", "the crash", 1)
            log("scenario 5 (a new slot that crashes): A bad, B serves")
        k.send("systemctl poweroff")
        vm.wait_end(180)
    finally:
        vm.kill()
    data = os.path.join(work, "data.ext4")
    extract(vm.img, 7, data)
    store, integrity, ids = vm.read_store(data_image=data)
    check(integrity == "ok", f"integrity_check of the store: {integrity}")
    want = {tap_id: rating for _, tap_id, rating in k.taps}
    check(ids == want, f"the store's taps {ids}, expected {want} (every tap of every boot)")
    log(f"store: {len(ids)} taps over {k.boot_no} boots, integrity_check ok; boots "
        f"{vm.firmware.boots}")
    print(f"figure: vm_ab_bundle_mb {bundle_mb:.0f} MB (verity bundle of boot + root)")
    vk.print_figures(figures, (("vm_ab_install_s", "s", "rauc install of the good bundle, in the VM"),
                               ("vm_ab_update_s", "s", "install start to the new slot marked good"),
                               ("vm_ab_fallback_s", "s", "failed self-test to the old slot serving")))
    log(f"{a.upto} scenarios, {k.boot_no} boots in {time.monotonic() - started:.0f} s")
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    vk.run(main)
