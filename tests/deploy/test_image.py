#!/usr/bin/env python3
"""The Raspberry Pi image builder (platform/rpi/image/build-image.sh), checked
without network, qemu, loop devices or mounts.

Usage: test_image.py [SOURCE_DIR]

  - every script of the builder passes `bash -n` (and shellcheck, where it is
    installed);
  - the configure stage, run on a fake root filesystem (a unit file and an
    empty /etc), enables wowkiosk.service, masks getty@tty1, writes fstab with
    root, boot and data by label at the right mount points, puts the boot
    template in /boot/firmware, binds the service to the data partition, orders
    it (and its headless stand-in) after the boot partition's mount without
    requiring it, waits BOOT_DEVICE_TIMEOUT for the boot device (a slow boot
    timed out at the default 90 s: the kiosk ran without its wowkiosk.conf), and
    with --read-only-root turns on overlayroot (only /, recurse=0), a read-only
    root and boot in fstab, and a journal in RAM; run again it changes nothing,
    and switched back it undoes the read-only parts;
  - the errors a technician meets first are clear (no unit, a unit without
    StateDirectory=wowkiosk, an amd64 .deb, a bad stage);
  - the image stage, on that fake tree, makes an MBR image whose three
    partitions hold the right filesystems and files (skipped when mtools,
    dosfstools or fdisk are not installed);
  - with --ab, the A/B image: configure writes RAUC's system.conf, the keyring,
    the version, slot-check's and the updater's units enabled, an fstab with
    partition 1 at /boot/config (bound at /boot/firmware) and no root line;
    the image has the seven partitions (disk id 776f776b), autoboot.txt and
    wowkiosk.conf on partition 1, each slot's labels and cmdline.txt; configure
    without --ab takes it all away;
  - WOW_IMAGE_FULL=1 (root and the Debian mirror needed): the first
    debootstrap stage (--foreign --arch arm64) into a temporary directory.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

SOURCE_DIR = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                             os.path.join(os.path.dirname(__file__), "..", ".."))
IMAGE_DIR = os.path.join(SOURCE_DIR, "platform", "rpi", "image")
SCRIPT = os.path.join(IMAGE_DIR, "build-image.sh")
TEMPLATE = os.path.join(SOURCE_DIR, "platform", "rpi", "wowkiosk.conf")
REAL_UNIT = os.path.join(SOURCE_DIR, "platform", "rpi", "systemd", "wowkiosk.service")

PLACEHOLDER_UNIT = """\
# Placeholder made by tests/deploy/test_image.py (no platform/rpi/systemd unit yet).
[Unit]
Description=wowkiosk placeholder

[Service]
ExecStart=/usr/bin/wowkiosk
StateDirectory=wowkiosk

[Install]
WantedBy=multi-user.target
"""


def run_builder(args, check=True):
    """Runs build-image.sh; returns the CompletedProcess (text)."""
    proc = subprocess.run(["bash", SCRIPT] + args, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError("build-image.sh %s: exit %d\n%s%s" % (
            " ".join(args), proc.returncode, proc.stdout, proc.stderr))
    return proc


def make_fake_rootfs(parent, unit_text=None):
    """A tree with just what configure needs: /etc and the kiosk's unit."""
    root = os.path.join(parent, "rootfs")
    os.makedirs(os.path.join(root, "etc"))
    unit_dir = os.path.join(root, "lib", "systemd", "system")
    os.makedirs(unit_dir)
    unit = os.path.join(unit_dir, "wowkiosk.service")
    if unit_text is not None:
        with open(unit, "w") as f:
            f.write(unit_text)
    elif os.path.exists(REAL_UNIT):
        shutil.copy(REAL_UNIT, unit)
    else:
        with open(unit, "w") as f:
            f.write(PLACEHOLDER_UNIT)
    return root


def read(path):
    with open(path) as f:
        return f.read()


def fstab_entries(root):
    """{mount point: (spec, type, [options])} of the tree's /etc/fstab.

    The table's lines, its header among them, start each field in the same
    column, whatever the options' lengths (the file is read by people)."""
    entries = {}
    columns = None
    for line in read(os.path.join(root, "etc", "fstab")).splitlines():
        if line.startswith("# <file system>") or (line and not line.startswith("#")):
            starts = [m.start() for m in re.finditer(r"(?:# )?<[^>]*>|[^\s<#]\S*", line)]
            assert columns is None or starts == columns, (
                "fstab not in columns: %r starts its fields at %s, the lines before at %s"
                % (line, starts, columns))
            columns = starts
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        assert len(fields) == 6, "fstab line without 6 fields: %r" % line
        assert fields[1] not in entries, "mount point %s twice in fstab" % fields[1]
        entries[fields[1]] = (fields[0], fields[2], fields[3].split(","))
    return entries


def ini_values(path):
    """key -> value of a systemd-style file (sections ignored)."""
    values = {}
    for line in read(path).splitlines():
        line = line.strip()
        if "=" in line and not line.startswith(("#", ";")):
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def assert_boot_device_opts(test, opts):
    """The boot partition's device line: not required for the boot, and waited for
    long enough for a slow boot (systemd's default, 90 s, ran out in the power-cut
    test), but not forever (0 would be)."""
    test.assertIn("nofail", opts)
    timeouts = [o.split("=", 1)[1] for o in opts if o.startswith("x-systemd.device-timeout=")]
    test.assertEqual(len(timeouts), 1, opts)
    match = re.fullmatch(r"(\d+)(s|min)", timeouts[0])
    test.assertIsNotNone(match, timeouts[0])
    seconds = int(match.group(1)) * (60 if match.group(2) == "min" else 1)
    test.assertTrue(180 <= seconds <= 600, timeouts[0])


def snapshot(root):
    """Every path of a tree with its link target or contents."""
    result = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            if os.path.islink(path):
                result[rel] = "-> " + os.readlink(path)
            elif os.path.isfile(path):
                result[rel] = read(path)
            else:
                result[rel] = "dir"
    return result


class ScriptSyntax(unittest.TestCase):
    def scripts(self):
        found = []
        for dirpath, _, filenames in os.walk(IMAGE_DIR):
            found += [os.path.join(dirpath, n) for n in filenames if n.endswith(".sh")]
        self.assertIn(SCRIPT, found)
        self.assertGreaterEqual(len(found), 5, "expected build-image.sh, lib/ and the stages")
        return sorted(found)

    def test_bash_n(self):
        for script in self.scripts():
            proc = subprocess.run(["bash", "-n", script], stderr=subprocess.PIPE, text=True)
            self.assertEqual(proc.returncode, 0, "%s: %s" % (script, proc.stderr))

    def test_shellcheck(self):
        if not shutil.which("shellcheck"):
            self.skipTest("shellcheck not installed")
        proc = subprocess.run(["shellcheck", "-x"] + self.scripts(), cwd=IMAGE_DIR,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.assertEqual(proc.returncode, 0, proc.stdout)

    def test_shellcheck_update(self):
        """The A/B update's scripts, which run as root on every kiosk (platform/rpi/update)."""
        if not shutil.which("shellcheck"):
            self.skipTest("shellcheck not installed")
        update = os.path.join(SOURCE_DIR, "platform", "rpi", "update")
        scripts = []
        for name in sorted(os.listdir(update)):
            with open(os.path.join(update, name), "rb") as f:
                if f.readline().startswith((b"#!/bin/sh", b"#!/bin/bash")):
                    scripts.append(name)
        for name in ("autoboot-backend", "make-bundle.sh", "slot-check", "slot-install",
                     "wowkiosk-updater"):
            self.assertIn(name, scripts)
        proc = subprocess.run(["shellcheck"] + scripts, cwd=update, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        self.assertEqual(proc.returncode, 0, proc.stdout)

    def test_help_names_every_stage(self):
        out = run_builder(["--help"]).stdout
        for stage in ("foreign", "second", "bootstrap", "packages", "configure", "image", "all"):
            self.assertIn(stage, out)


class Configure(unittest.TestCase):
    CMDLINE = "console=tty3 root=LABEL=wowroot rw fsck.repair=yes rootwait quiet\n"

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="wowimage-")
        self.root = make_fake_rootfs(self.tmp)
        # What raspi-firmware's hook leaves: a command line with "rw".
        for rel in (("etc", "default", "raspi-extra-cmdline"), ("boot", "firmware", "cmdline.txt")):
            os.makedirs(self.path(*rel[:-1]), exist_ok=True)
            with open(self.path(*rel), "w") as f:
                f.write(self.CMDLINE)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def cmdline_words(self):
        """The words of cmdline.txt and of the hook's extra command line."""
        return [read(self.path(*rel)).split() for rel in
                (("boot", "firmware", "cmdline.txt"), ("etc", "default", "raspi-extra-cmdline"))]

    def configure(self, *extra):
        return run_builder(["--stage", "configure", "--rootfs", self.root] + list(extra))

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def assert_common(self):
        wants = self.path("etc", "systemd", "system", "multi-user.target.wants", "wowkiosk.service")
        unit = read(self.path("lib", "systemd", "system", "wowkiosk.service"))
        if "WantedBy=multi-user.target" in unit:
            self.assertTrue(os.path.islink(wants), "wowkiosk.service not enabled")
            self.assertTrue(os.readlink(wants).endswith("/systemd/system/wowkiosk.service"))
        for tty_unit in ("getty@tty1.service", "autovt@tty1.service"):
            link = self.path("etc", "systemd", "system", tty_unit)
            self.assertTrue(os.path.islink(link), tty_unit + " not masked")
            self.assertEqual(os.readlink(link), "/dev/null")
        self.assertEqual(read(self.path("boot", "firmware", "wowkiosk.conf")), read(TEMPLATE))
        dropin = self.path("etc", "systemd", "system", "wowkiosk.service.d", "50-data-partition.conf")
        self.assertEqual(ini_values(dropin).get("RequiresMountsFor"), "/var/lib/wowkiosk")
        # the headless stand-in after a crash loop uses the same store
        dropin = self.path("etc", "systemd", "system", "wowkiosk-headless.service.d",
                           "50-data-partition.conf")
        self.assertEqual(ini_values(dropin).get("RequiresMountsFor"), "/var/lib/wowkiosk")
        # after the boot partition's mount (its wowkiosk.conf is read at start), but
        # never requiring it: a kiosk whose boot partition does not mount still collects
        for service in ("wowkiosk.service.d", "wowkiosk-headless.service.d"):
            boot = ini_values(self.path("etc", "systemd", "system", service,
                                        "50-boot-partition.conf"))
            self.assertEqual(boot, {"After": "boot-firmware.mount"}, service)
        self.assertEqual(read(self.path("etc", "machine-id")), "", "one image, many kiosks: no machine id")
        self.assertEqual(read(self.path("etc", "hostname")).strip(), "wowkiosk")
        for mount_point in ("boot/firmware", "var/lib/wowkiosk"):
            self.assertTrue(os.path.isdir(self.path(mount_point)), mount_point + " missing")
        entries = fstab_entries(self.root)
        self.assertEqual(set(entries), {"/", "/boot/firmware", "/var/lib/wowkiosk"})
        self.assertEqual(entries["/"][:2], ("LABEL=wowroot", "ext4"))
        self.assertEqual(entries["/boot/firmware"][:2], ("LABEL=WOWBOOT", "vfat"))
        self.assertEqual(entries["/var/lib/wowkiosk"][:2], ("LABEL=wowdata", "ext4"))
        data_opts = entries["/var/lib/wowkiosk"][2]
        self.assertNotIn("ro", data_opts, "the store's partition must be writable")
        assert_boot_device_opts(self, entries["/boot/firmware"][2])
        assert_boot_device_opts(self, data_opts)  # required by the kiosk: waited for as long
        return entries

    def test_boot_mount_as_systemd_reads_it(self):
        """systemd-fstab-generator's units for the fstab: the boot device waited for
        BOOT_DEVICE_TIMEOUT, its mount only wanted by local-fs.target and not ordered
        before it (the rest of the boot does not wait; only the kiosk, after it)."""
        generator = "/lib/systemd/system-generators/systemd-fstab-generator"
        if not os.access(generator, os.X_OK):
            self.skipTest("systemd-fstab-generator not installed")
        self.configure()
        out = [os.path.join(self.tmp, "gen" + n) for n in ("", "-early", "-late")]
        for d in out:
            os.mkdir(d)
        subprocess.run([generator] + out, check=True, env=dict(
            os.environ, SYSTEMD_FSTAB=self.path("etc", "fstab"), SYSTEMD_IN_INITRD="0"))
        device = ini_values(os.path.join(out[0], r"dev-disk-by\x2dlabel-WOWBOOT.device.d",
                                         "50-device-timeout.conf"))
        self.assertEqual(device.get("JobRunningTimeoutSec"), "5min")
        mount = read(os.path.join(out[0], "boot-firmware.mount"))
        self.assertNotIn("local-fs.target", mount)
        self.assertTrue(os.path.exists(os.path.join(out[0], "local-fs.target.wants",
                                                    "boot-firmware.mount")))
        self.assertFalse(os.path.exists(os.path.join(out[0], "local-fs.target.requires",
                                                     "boot-firmware.mount")))

    def test_read_write(self):
        self.configure()
        entries = self.assert_common()
        self.assertNotIn("ro", entries["/"][2])
        self.assertNotIn("ro", entries["/boot/firmware"][2])
        self.assertFalse(os.path.exists(self.path("etc", "overlayroot.local.conf")))
        for words in self.cmdline_words():
            self.assertEqual(words, self.CMDLINE.split())
        journald = ini_values(self.path("etc", "systemd", "journald.conf.d", "60-wowkiosk.conf"))
        self.assertEqual(journald.get("Storage"), "persistent")
        self.assertIn("SystemMaxUse", journald)

    def test_read_only_root(self):
        self.configure("--read-only-root")
        entries = self.assert_common()
        self.assertIn("ro", entries["/"][2])
        self.assertIn("ro", entries["/boot/firmware"][2])
        overlay = ini_values(self.path("etc", "overlayroot.local.conf"))["overlayroot"].strip('"')
        kind, _, params = overlay.partition(":")
        self.assertEqual(kind, "tmpfs")
        # recurse=0: the data partition is mounted from its device, never overlaid.
        self.assertIn("recurse=0", params.split(","))
        # "ro" last on the kernel command line: overlayroot then keeps the
        # root partition under the overlay read-only (the last of rw/ro wins).
        for words in self.cmdline_words():
            self.assertEqual(words[-1], "ro")
            self.assertEqual(words.count("ro"), 1)
            self.assertEqual(words[:-1], self.CMDLINE.split())
        journald = ini_values(self.path("etc", "systemd", "journald.conf.d", "60-wowkiosk.conf"))
        self.assertEqual(journald.get("Storage"), "volatile")
        self.assertRegex(journald.get("RuntimeMaxUse", ""), r"^[0-9]+M$")

    def test_idempotent_and_reversible(self):
        self.configure("--read-only-root")
        first = snapshot(self.root)
        self.configure("--read-only-root")
        self.assertEqual(snapshot(self.root), first, "a second configure changed the tree")
        self.configure()
        self.assertFalse(os.path.exists(self.path("etc", "overlayroot.local.conf")))
        self.assertNotIn("ro", fstab_entries(self.root)["/"][2])
        for words in self.cmdline_words():
            self.assertNotIn("ro", words)

    def test_dynamic_user_moves_the_data_mount(self):
        unit = self.path("lib", "systemd", "system", "wowkiosk.service")
        with open(unit, "w") as f:
            f.write(PLACEHOLDER_UNIT.replace("StateDirectory=", "DynamicUser=yes\nStateDirectory="))
        self.configure()
        entries = fstab_entries(self.root)
        self.assertEqual(entries["/var/lib/private/wowkiosk"][0], "LABEL=wowdata")
        self.assertNotIn("/var/lib/wowkiosk", entries)


class Errors(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="wowimage-")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def fails_with(self, args, words):
        proc = run_builder(args, check=False)
        self.assertNotEqual(proc.returncode, 0, "expected a failure: %s" % args)
        for word in words:
            self.assertIn(word, proc.stderr)

    def test_no_unit(self):
        root = make_fake_rootfs(self.tmp)
        os.remove(os.path.join(root, "lib", "systemd", "system", "wowkiosk.service"))
        self.fails_with(["--stage", "configure", "--rootfs", root], ["wowkiosk.service", "install"])

    def test_no_state_directory(self):
        root = make_fake_rootfs(self.tmp, PLACEHOLDER_UNIT.replace("StateDirectory=wowkiosk\n", ""))
        self.fails_with(["--stage", "configure", "--rootfs", root], ["StateDirectory", "expected 'wowkiosk'"])

    def test_not_a_tree(self):
        self.fails_with(["--stage", "configure", "--rootfs", os.path.join(self.tmp, "none")],
                        ["not a root filesystem tree"])

    def test_bad_stage_and_size(self):
        self.fails_with(["--stage", "everything", "--out", self.tmp], ["--stage: expected"])
        self.fails_with(["--stage", "image", "--out", self.tmp, "--data-size", "1x"], ["--data-size"])
        self.fails_with(["--stage", "image", "--out", self.tmp, "--initrd-modules", "virtio_blk ext4"],
                        ["--initrd-modules: expected", "'virtio_blk ext4'"])
        self.fails_with(["--stage", "image", "--out", self.tmp, "--initrd-modules", "../x"],
                        ["--initrd-modules: expected"])

    def initrd_modules(self, root, value):
        """Runs the packages stage's packages_initrd_modules on ROOT."""
        stage = os.path.join(os.path.dirname(SCRIPT), "stages", "20-packages.sh")
        subprocess.run(["bash", "-c", 'set -eu; . "$1"; ROOTFS=$2 INITRD_MODULES=$3 packages_initrd_modules',
                        "-", stage, root, value], check=True)

    def test_initrd_modules(self):
        """--initrd-modules LIST: MODULES=list and a hook adding LIST; 'most' takes both away."""
        root = make_fake_rootfs(self.tmp)
        conf = os.path.join(root, "etc", "initramfs-tools", "conf.d", "wowkiosk-modules.conf")
        hook = os.path.join(root, "etc", "initramfs-tools", "hooks", "wowkiosk-modules")
        self.initrd_modules(root, "most")
        self.assertFalse(os.path.exists(conf) or os.path.exists(hook))
        self.initrd_modules(root, "virtio_pci,virtio_blk,ext4")
        self.assertIn("\nMODULES=list\n", read(conf))
        self.assertTrue(os.access(hook, os.X_OK), "the hook must be executable: mkinitramfs skips it otherwise")
        self.assertIn("\nmanual_add_modules virtio_pci virtio_blk ext4\n", read(hook))
        # The hook as mkinitramfs runs it: "prereqs" first (nothing), then for
        # real, with the hook functions stubbed to record what is added.
        subprocess.run(["sh", "-n", hook], check=True)
        fake = os.path.join(self.tmp, "hook-functions")
        with open(fake, "w") as f:
            f.write('manual_add_modules() { echo "added: $*"; }\n')
        with open(hook) as f:
            text = f.read().replace("/usr/share/initramfs-tools/hook-functions", fake)
        self.assertEqual(subprocess.run(["sh", "-c", text, "hook", "prereqs"], capture_output=True,
                                        text=True, check=True).stdout, "")
        self.assertEqual(subprocess.run(["sh", "-c", text, "hook"], capture_output=True, text=True,
                                        check=True).stdout, "added: virtio_pci virtio_blk ext4\n")
        self.initrd_modules(root, "most")
        self.assertFalse(os.path.exists(conf) or os.path.exists(hook))

    def test_missing_and_foreign_debs(self):
        out = os.path.join(self.tmp, "out")
        self.fails_with(["--stage", "packages", "--out", out, "--deb", "/nonexistent/wowkiosk.deb"],
                        ["/nonexistent/wowkiosk.deb", "no such file"])
        if not shutil.which("dpkg-deb"):
            self.skipTest("dpkg-deb not installed")
        pkg = os.path.join(self.tmp, "pkg")
        os.makedirs(os.path.join(pkg, "DEBIAN"))
        with open(os.path.join(pkg, "DEBIAN", "control"), "w") as f:
            f.write("Package: wowkiosk\nVersion: 0.0.1\nArchitecture: amd64\n"
                    "Maintainer: test <test@example.invalid>\nDescription: test\n")
        deb = os.path.join(self.tmp, "wowkiosk_0.0.1_amd64.deb")
        subprocess.run(["dpkg-deb", "--build", "--root-owner-group", pkg, deb], check=True,
                       stdout=subprocess.DEVNULL)
        self.fails_with(["--stage", "packages", "--out", out, "--deb", deb], ["amd64", "expected arm64"])


IMAGE_TOOLS = ("mkfs.vfat", "fsck.vfat", "mcopy", "mtype", "fatlabel", "mke2fs", "e2fsck", "debugfs",
               "e2label", "sfdisk")


def which_sbin(tool):
    return shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin")


class Image(unittest.TestCase):
    """The image stage on the fake tree: partitions, labels and files."""

    def setUp(self):
        missing = [t for t in IMAGE_TOOLS if not which_sbin(t)]
        if missing:
            self.skipTest("not installed: %s (apt-get install dosfstools mtools fdisk e2fsprogs)"
                          % " ".join(missing))
        self.tmp = tempfile.mkdtemp(prefix="wowimage-")
        self.root = make_fake_rootfs(self.tmp)
        self.out = os.path.join(self.tmp, "out")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def partition(self, img, part, name):
        path = os.path.join(self.tmp, name)
        with open(img, "rb") as src, open(path, "wb") as dst:
            src.seek(part["start"] * 512)
            dst.write(src.read(part["size"] * 512))
        return path

    def debugfs(self, fs, request):
        proc = subprocess.run([which_sbin("debugfs"), "-R", request, fs], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, check=True)
        return proc.stdout

    def test_image(self):
        run_builder(["--stage", "configure", "--rootfs", self.root, "--read-only-root"])
        state = os.path.join(self.root, "var", "lib", "wowkiosk")
        with open(os.path.join(state, "kiosk.db"), "w") as f:
            f.write("store placeholder\n")
        run_builder(["--stage", "image", "--rootfs", self.root, "--out", self.out,
                     "--boot-size", "64", "--root-size", "48", "--data-size", "16"])
        img = os.path.join(self.out, "wowkiosk.img")
        self.assertEqual(os.path.getsize(img), (4 + 64 + 48 + 16) << 20)
        table = json.loads(subprocess.run([which_sbin("sfdisk"), "--json", img], check=True,
                                          stdout=subprocess.PIPE, text=True).stdout)["partitiontable"]
        self.assertEqual(table["label"], "dos")
        parts = table["partitions"]
        self.assertEqual([p["type"] for p in parts], ["c", "83", "83"])
        self.assertTrue(parts[0].get("bootable"))
        self.assertEqual([(p["start"], p["size"]) for p in parts],
                         [(8192, 64 * 2048), (8192 + 64 * 2048, 48 * 2048),
                          (8192 + 112 * 2048, 16 * 2048)])
        boot, root, data = (self.partition(img, p, n) for p, n in zip(parts, ("p1", "p2", "p3")))

        fat_label = subprocess.run([which_sbin("fatlabel"), boot], stdout=subprocess.PIPE, text=True)
        self.assertEqual(fat_label.stdout.strip(), "WOWBOOT")
        conf = subprocess.run(["mtype", "-i", boot, "::/wowkiosk.conf"], check=True,
                              stdout=subprocess.PIPE, text=True, env=dict(os.environ, MTOOLS_SKIP_CHECK="1"))
        self.assertEqual(conf.stdout.replace("\r\n", "\n"), read(TEMPLATE))

        for fs, label in ((root, "wowroot"), (data, "wowdata")):
            got = subprocess.run([which_sbin("e2label"), fs], stdout=subprocess.PIPE, text=True)
            self.assertEqual(got.stdout.strip(), label)
            subprocess.run([which_sbin("e2fsck"), "-fn", fs], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.assertEqual(self.debugfs(root, "cat /etc/fstab"), read(os.path.join(self.root, "etc", "fstab")))
        # The store is on the data partition only; root keeps the empty mount points.
        self.assertIn("kiosk.db", self.debugfs(data, "ls /"))
        self.assertEqual(self.debugfs(data, "cat /kiosk.db"), "store placeholder\n")
        self.assertNotIn("kiosk.db", self.debugfs(root, "ls /var/lib/wowkiosk"))
        self.assertNotIn("wowkiosk.conf", self.debugfs(root, "ls /boot/firmware"))
        self.assertIn("/dev/null", self.debugfs(root, "stat /etc/systemd/system/getty@tty1.service"))
        with open(os.path.join(self.out, "wowkiosk.img.sha256")) as f:
            self.assertTrue(f.read().endswith("  wowkiosk.img\n"))

    def test_image_ab(self):
        """--ab: the A/B layout, RAUC's files and units; without --ab, all of it gone."""
        update = os.path.join(SOURCE_DIR, "platform", "rpi", "update")
        units = os.path.join(self.root, "lib", "systemd", "system")
        for name in ("wowkiosk-slot.service", "wowkiosk-updater.service", "wowkiosk-updater.timer"):
            shutil.copy(os.path.join(update, name), units)
        keyring = os.path.join(self.tmp, "ca.cert.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        os.path.join(self.tmp, "ca.key.pem"), "-out", keyring, "-subj",
                        "/CN=test CA", "-days", "2"], check=True, capture_output=True)
        proc = run_builder(["--stage", "configure", "--rootfs", self.root, "--ab"], check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("--keyring", proc.stderr)
        ab = ["--ab", "--keyring", keyring, "--system-version", "1.2.3"]
        run_builder(["--stage", "configure", "--rootfs", self.root] + ab)
        fstab = fstab_entries(self.root)
        self.assertNotIn("/", fstab)
        self.assertEqual(fstab["/boot/config"][:2], ("LABEL=WOWBOOT", "vfat"))
        assert_boot_device_opts(self, fstab["/boot/config"][2])
        self.assertEqual(fstab["/boot/firmware"][:2], ("/boot/config", "none"))
        self.assertIn("bind", fstab["/boot/firmware"][2])
        self.assertEqual(read(os.path.join(self.root, "etc", "rauc", "system.conf")),
                         read(os.path.join(update, "system.conf")))
        self.assertEqual(read(os.path.join(self.root, "etc", "rauc", "keyring.pem")), read(keyring))
        self.assertEqual(read(os.path.join(self.root, "etc", "wowkiosk", "system-version")), "1.2.3\n")
        wants = os.path.join(self.root, "etc", "systemd", "system")
        self.assertTrue(os.path.islink(os.path.join(wants, "multi-user.target.wants",
                                                    "wowkiosk-slot.service")))
        self.assertTrue(os.path.islink(os.path.join(wants, "timers.target.wants",
                                                    "wowkiosk-updater.timer")))
        state = os.path.join(self.root, "var", "lib", "wowkiosk")
        with open(os.path.join(state, "kiosk.db"), "w") as f:
            f.write("store placeholder\n")
        with open(os.path.join(self.root, "boot", "firmware", "cmdline.txt"), "w") as f:
            f.write("console=tty3 root=LABEL=wowroot rw quiet\n")
        run_builder(["--stage", "image", "--rootfs", self.root, "--out", self.out, "--boot-size", "64",
                     "--root-size", "48", "--data-size", "16", "--config-size", "40"] + ab)
        img = os.path.join(self.out, "wowkiosk.img")
        table = json.loads(subprocess.run([which_sbin("sfdisk"), "--json", img], check=True,
                                          stdout=subprocess.PIPE, text=True).stdout)["partitiontable"]
        self.assertEqual(table["id"], "0x776f776b")
        parts = table["partitions"]
        self.assertEqual([p["type"] for p in parts], ["c", "c", "c", "5", "83", "83", "83"])
        self.assertEqual([p["size"] // 2048 for p in parts if p["type"] != "5"],
                         [40, 64, 64, 48, 48, 16])
        config, boot_a, boot_b, _, root_a, root_b, data = (
            self.partition(img, p, "p%d" % (i + 1)) for i, p in enumerate(parts))
        mtools = dict(os.environ, MTOOLS_SKIP_CHECK="1")

        def fat_file(fs, name):
            return subprocess.run(["mtype", "-i", fs, "::/" + name], check=True, env=mtools,
                                  stdout=subprocess.PIPE, text=True).stdout.replace("\r\n", "\n")
        autoboot = fat_file(config, "autoboot.txt")
        self.assertIn("[all]\ntryboot_a_b=1\nboot_partition=2\n[tryboot]\nboot_partition=3\n", autoboot)
        self.assertEqual(fat_file(config, "wowkiosk.conf"), read(TEMPLATE))
        for fs, slot in ((boot_a, "A"), (boot_b, "B")):
            label = subprocess.run([which_sbin("fatlabel"), fs], stdout=subprocess.PIPE, text=True)
            self.assertEqual(label.stdout.strip(), "WOWBOOT-" + slot)
            self.assertEqual(fat_file(fs, "cmdline.txt"), "console=tty3 root=LABEL=wowroot-%s rw "
                             "quiet rauc.slot=%s\n" % (slot.lower(), slot))
            listing = subprocess.run(["mdir", "-b", "-i", fs, "::/"], env=mtools,
                                     stdout=subprocess.PIPE, text=True).stdout
            self.assertNotIn("wowkiosk.conf", listing)
        for fs, label in ((root_a, "wowroot-a"), (root_b, "wowroot-b"), (data, "wowdata")):
            got = subprocess.run([which_sbin("e2label"), fs], stdout=subprocess.PIPE, text=True)
            self.assertEqual(got.stdout.strip(), label)
            subprocess.run([which_sbin("e2fsck"), "-fn", fs], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.assertEqual(self.debugfs(data, "cat /kiosk.db"), "store placeholder\n")
        self.assertIn("system.conf", self.debugfs(root_b, "ls /etc/rauc"))
        # switched back, the tree is the one-slot kiosk's again
        os.unlink(os.path.join(state, "kiosk.db"))
        os.unlink(os.path.join(self.root, "boot", "firmware", "cmdline.txt"))
        run_builder(["--stage", "configure", "--rootfs", self.root])
        run_builder(["--stage", "configure", "--rootfs", self.root])
        after = snapshot(self.root)
        self.assertNotIn(os.path.join("etc", "rauc", "system.conf"), after)
        self.assertNotIn(os.path.join("boot", "config"), after)
        self.assertEqual(fstab_entries(self.root)["/"][0], "LABEL=wowroot")
        self.assertFalse(os.path.lexists(os.path.join(wants, "multi-user.target.wants",
                                                      "wowkiosk-slot.service")))

    def test_image_needs_configure(self):
        proc = run_builder(["--stage", "image", "--rootfs", self.root, "--out", self.out], check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("run --stage configure first", proc.stderr)


@unittest.skipUnless(os.environ.get("WOW_IMAGE_FULL") == "1", "WOW_IMAGE_FULL=1 not set")
class FirstStage(unittest.TestCase):
    """debootstrap --foreign --arch arm64 for real (root, network)."""

    def test_foreign(self):
        if os.geteuid() != 0:
            self.skipTest("debootstrap needs root")
        tmp = tempfile.mkdtemp(prefix="wowimage-full-")
        try:
            started = time.monotonic()
            run_builder(["--stage", "foreign", "--out", tmp])
            print("figure: image_debootstrap_foreign %.1f s" % (time.monotonic() - started),
                  file=sys.stderr)
            self.assertEqual(read(os.path.join(tmp, "rootfs", "debootstrap", "arch")).strip(), "arm64")
            self.assertTrue(os.path.isfile(os.path.join(tmp, ".stamp-foreign")))
            # A second run finds the stamp and does nothing.
            self.assertIn("skipping", run_builder(["--stage", "foreign", "--out", tmp]).stderr)
        finally:
            subprocess.run(["rm", "-rf", "--one-file-system", tmp], check=False)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
