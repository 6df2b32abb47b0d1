#!/usr/bin/env python3
"""The Raspberry Pi firmware's part, for the virtual kiosk of an A/B image.

On a Pi 4 the EEPROM bootloader reads autoboot.txt from partition 1 before each boot, and
boots the FAT partition it names: [all]'s boot_partition, or [tryboot]'s on the one boot
after `reboot '0 tryboot'` (the flag is one-shot: cleared before that boot starts). The
firmware then reads config.txt (kernel=, initramfs) and cmdline.txt from that partition and
tells the kernel, in the device tree, whether this boot is the try:
/proc/device-tree/chosen/bootloader/tryboot (4 bytes, 1 or 0), and which partition it booted
(.../partition).

FirmwareVm does the same before each start of qemu (vm_kiosk.Vm, -no-reboot: a reboot ends
qemu): the choice of partition is tests/update/pi_firmware.py's, as the host A/B test's; the
kernel, initrd and cmdline.txt are read with mtools from the chosen partition of the disk;
the device tree is qemu virt's own (dumped with the same machine options) with
/chosen/bootloader added by dtc, passed with -dtb (qemu still writes bootargs and the
initrd into /chosen). The flag is set when the guest's kernel printed
"reboot: Restarting system with command '0 tryboot'" before qemu ended, and cleared by the
next start.
"""
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "update"))
sys.path.insert(0, HERE)
import vm_kiosk as vk  # noqa: E402
from pi_firmware import boot_partition  # noqa: E402

TRYBOOT_LINE = "reboot: Restarting system with command '0 tryboot'"
MTOOLS_ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1")


def partitions(img):
    """{partition number: (offset in bytes, size in bytes)} of an MBR disk image."""
    out = subprocess.run(["sfdisk", "-J", img], capture_output=True, text=True, check=True).stdout
    parts = {}
    for p in json.loads(out)["partitiontable"]["partitions"]:
        n = int(re.search(r"(\d+)$", p["node"]).group(1))
        parts[n] = (p["start"] * 512, p["size"] * 512)
    return parts


def fat_read(img, offset, name):
    """The bytes of file name on the FAT file system at offset of img, or None."""
    r = subprocess.run(["mtype", "-i", f"{img}@@{offset}", f"::/{name}"], capture_output=True,
                       env=MTOOLS_ENV)
    return r.stdout if r.returncode == 0 else None


def fat_copy(img, offset, name, dest):
    subprocess.run(["mcopy", "-o", "-n", "-i", f"{img}@@{offset}", f"::/{name}", dest],
                   check=True, env=MTOOLS_ENV)


def fat_write(img, offset, src, name):
    subprocess.run(["mcopy", "-o", "-i", f"{img}@@{offset}", src, f"::/{name}"], check=True,
                   env=MTOOLS_ENV)


def config_txt(text):
    """kernel= and initramfs of a config.txt (only what Debian's raspi-firmware writes;
    conditional sections are not read: the image has none)."""
    kernel = initrd = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("kernel="):
            kernel = line.split("=", 1)[1].strip()
        elif line.startswith("initramfs "):
            initrd = line.split()[1]
        elif line.startswith("["):
            vk.check(line == "[all]", f"config.txt: section {line}: the virtual firmware reads "
                     "no conditional sections")
    vk.check(kernel and initrd, "config.txt: no kernel= or no initramfs line")
    return kernel, initrd


class Firmware:
    """The bootloader's state between boots (the one-shot flag) and its choice."""

    def __init__(self, img, work, ignore_tryboot=False):
        self.img, self.work = img, work
        self.tryboot = False
        self.ignore_tryboot = ignore_tryboot  # a broken firmware, to see the test fail
        self.boots = []  # (partition, tryboot) of each boot

    def choose(self):
        """(partition, tryboot) of the next boot, read from partition 1's autoboot.txt."""
        parts = partitions(self.img)
        text = fat_read(self.img, parts[1][0], "autoboot.txt")
        vk.check(text is not None, "partition 1 has no autoboot.txt")
        tryboot = self.tryboot and not self.ignore_tryboot
        self.tryboot = False  # one-shot: cleared before the boot starts
        return boot_partition(text.decode(), tryboot, "autoboot.txt"), tryboot

    def boot_files(self, part):
        """(kernel, initrd, cmdline) of boot partition part, copied into work."""
        parts = partitions(self.img)
        vk.check(part in parts, f"autoboot.txt names partition {part}, which the disk lacks")
        off = parts[part][0]
        conf = fat_read(self.img, off, "config.txt")
        cmdline = fat_read(self.img, off, "cmdline.txt")
        vk.check(conf is not None and cmdline is not None,
                 f"partition {part}: no config.txt or cmdline.txt")
        kernel, initrd = config_txt(conf.decode())
        out = {}
        for name, what in ((kernel, "kernel"), (initrd, "initrd")):
            out[what] = os.path.join(self.work, f"p{part}-{what}")
            fat_copy(self.img, off, name, out[what])
        return out["kernel"], out["initrd"], cmdline.decode().strip()

    def dtb(self, part, tryboot):
        """qemu virt's device tree with /chosen/bootloader {tryboot; partition}, as a file."""
        path = os.path.join(self.work, f"virt-p{part}-tryboot{int(tryboot)}.dtb")
        if os.path.exists(path):
            return path
        base = os.path.join(self.work, "virt.dtb")
        if not os.path.exists(base):
            subprocess.run(["qemu-system-aarch64", *vk.MACHINE[:1],
                            f"{vk.MACHINE[1]},dumpdtb={base}", *vk.MACHINE[2:],
                            "-display", "none", "-net", "none"], check=True, capture_output=True)
        dts = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", base], check=True,
                             capture_output=True, text=True).stdout
        dts += ("\n/ {\n\tchosen {\n\t\tbootloader {\n"
                f"\t\t\ttryboot = <{int(tryboot)}>;\n\t\t\tpartition = <{part}>;\n"
                "\t\t};\n\t};\n};\n")
        subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", path, "-"], input=dts,
                       text=True, check=True)
        return path

    def ended(self, console_text):
        """After qemu ended: the flag for the next boot, from the guest's last words."""
        self.tryboot = TRYBOOT_LINE in console_text


class FirmwareVm(vk.Vm):
    """vm_kiosk.Vm booted by the virtual firmware: each start() chooses the slot."""
    PROBE = "wowab-agent.sh"

    def __init__(self, image_dir, work, pg_port=9, ignore_tryboot=False):
        super().__init__(image_dir, work, pg_port)
        self.firmware = Firmware(self.img, work, ignore_tryboot)
        self.boot = None  # (partition, tryboot) of the running boot
        self.shares = []  # (tag, host directory): read-only virtio-9p shares

    def boot_files(self):
        """The chosen partition's kernel, initrd and cmdline.txt; its console= and quiet
        are left out, as vm_kiosk.Vm does (the virtual kiosk's console is ttyAMA0)."""
        kernel, initrd, cmdline = self.firmware.boot_files(self.boot[0])
        words = [w for w in cmdline.split() if not w.startswith("console=") and w != "quiet"]
        return kernel, initrd, " ".join(words)

    def start(self, serial_name="serial.log", **kw):
        self.boot = self.firmware.choose()
        self.firmware.boots.append(self.boot)
        self.extra_args = ["-dtb", self.firmware.dtb(*self.boot)]
        for tag, path in self.shares:
            self.extra_args += ["-virtfs", f"local,path={path},mount_tag={tag},"
                                "security_model=none,readonly=on"]
        vk.log(f"firmware: boot {len(self.firmware.boots)}: partition {self.boot[0]}"
               f"{' (tryboot)' if self.boot[1] else ''} ({serial_name})")
        super().start(serial_name=serial_name, **kw)

    def wait_end(self, timeout):
        """Waits for qemu to end by itself (a reboot or power-off); tells the firmware."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            vk.fail(f"qemu did not end within {timeout} s; see {self.serial}")
        self.firmware.ended(self.text())

    def cut(self):
        """A power cut: qemu killed; the flag is lost with the power."""
        self.kill()
        self.firmware.tryboot = False
