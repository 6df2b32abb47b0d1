#!/usr/bin/env python3
"""Self-test of nbd_cache.py, the power-cut disk of the virtual kiosk, with qemu-io (no VM).

  * written and flushed: on the file, and still there after a cut;
  * written, not flushed, the client killed, then a cut: every unflushed sector is
    counted either lost or kept, and the lost ones read back as they were before;
  * a write with FUA persists without a flush;
  * --broken-flush: a flushed write is still lost by a cut (the bug the power-cut test
    must catch).
Skipped (exit 77) without qemu-io (qemu-utils).
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SECTOR = 512


def fail(msg):
    print(f"test_nbd_cache: FAILED: {msg}", flush=True)
    print("0 passed, 1 failed")
    sys.exit(1)


class Server:
    def __init__(self, tmp, name, broken=False, seed=5):
        self.img = os.path.join(tmp, name + ".img")
        with open(self.img, "wb") as f:
            f.truncate(4 << 20)
        self.sock = os.path.join(tmp, name + ".sock")
        self.ctl = os.path.join(tmp, name + "-ctl.sock")
        argv = [sys.executable, os.path.join(HERE, "nbd_cache.py"), self.img, self.sock,
                self.ctl, "--seed", str(seed)] + (["--broken-flush"] if broken else [])
        self.proc = subprocess.Popen(argv, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while not os.path.exists(self.ctl):
            if time.monotonic() > deadline:
                fail("nbd_cache.py did not open its sockets in 20 s")
            time.sleep(0.05)

    def io(self, *cmds, kill=False):
        argv = ["qemu-io", "-t", "writeback", "-f", "raw"]
        for c in cmds:
            argv += ["-c", c]
        if kill:
            argv += ["-c", "sigraise 9"]  # no flush on the way out: a crash
        argv.append(f"nbd+unix:///?socket={self.sock}")
        r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        return r.stdout + r.stderr

    def control(self, word):
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(self.ctl)
            s.sendall(word.encode() + b"\n")
            return s.makefile().readline().split()

    def file_bytes(self, off, n):
        with open(self.img, "rb") as f:
            f.seek(off)
            return f.read(n)

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def main():
    if shutil.which("qemu-io") is None:
        print("test_nbd_cache: skipped: no qemu-io (apt-get install qemu-utils)")
        return 77
    tmp = tempfile.mkdtemp(prefix="wowkiosk-nbd.")
    try:
        s = Server(tmp, "good")
        s.io("write -P 0xaa 0 64k", "flush", "write -P 0xbb 64k 64k", kill=True)
        if s.file_bytes(0, 65536) != b"\xaa" * 65536:
            fail("a flushed write is not on the file")
        stats = s.control("stats")
        cached = int(stats[stats.index("cached") + 1])
        if cached != 128:
            fail(f"expected the 128 unflushed sectors cached, the server says {stats}")
        cut = s.control("cut")  # cut lost N kept M
        lost, kept = int(cut[2]), int(cut[4])
        if lost + kept != 128:
            fail(f"a cut must account for the 128 cached sectors: {cut}")
        data = s.file_bytes(65536, 65536)
        lost_on_file = sum(data[i:i + SECTOR] == b"\0" * SECTOR for i in range(0, 65536, SECTOR))
        if lost_on_file != lost:
            fail(f"the cut says {lost} sectors lost, the file has {lost_on_file} unwritten")
        if s.file_bytes(0, 65536) != b"\xaa" * 65536:
            fail("a cut took a flushed write back")
        s.io("write -f -P 0xcc 128k 4k", kill=True)  # FUA
        s.control("cut")
        if s.file_bytes(131072, 4096) != b"\xcc" * 4096:
            fail("a write with FUA did not persist without a flush")
        s.stop()

        b = Server(tmp, "broken", broken=True, seed=1)
        b.io("write -P 0xdd 0 64k", "flush", kill=True)
        cut = b.control("cut")
        if int(cut[2]) + int(cut[4]) != 128 or b.file_bytes(0, 65536) == b"\xdd" * 65536 \
                and int(cut[2]) > 0:
            fail(f"--broken-flush: expected the flushed write still cached at the cut: {cut}")
        if int(cut[2]) == 0:
            fail(f"--broken-flush with seed 1: expected some of the flushed write lost: {cut}")
        b.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("test_nbd_cache: flush, FUA, cut and --broken-flush behave")
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
