#!/usr/bin/env python3
"""A disk with a volatile write cache, served over NBD, that really loses what was not flushed.

    nbd_cache.py FILE SOCKET CONTROL [--broken-flush] [--seed N]

Serves FILE (a raw disk image) on the unix socket SOCKET to one NBD client at a time
(fixed newstyle handshake, simple replies: READ, WRITE, FLUSH, DISC, TRIM, WRITE_ZEROES,
the FUA flag). Writes go to a cache in memory, and reach FILE only on FLUSH or FUA, as on a
disk with a volatile write cache. A line "cut" on the unix socket CONTROL is a power cut:
the client is dropped, and of the unflushed sectors a random share (seeded) reaches FILE,
in no particular order, the rest is lost, as on a drive that wrote back some of its cache
before the power went. "stats" prints the counters; both answer one line.

--broken-flush makes FLUSH and FUA acknowledged without persisting anything: the bug a
power-cut test must catch (the guest's synchronous=FULL then promises what it cannot keep).

Standard library only. Used by tests/vm/vm_kiosk.py --power-cuts.
"""
import argparse
import os
import random
import socket
import struct
import sys
import threading

NBDMAGIC = b"NBDMAGIC"
IHAVEOPT = b"IHAVEOPT"
OPT_REPLY_MAGIC = 0x3e889045565a9
REQUEST_MAGIC = 0x25609513
REPLY_MAGIC = 0x67446698
FLAG_FIXED_NEWSTYLE, FLAG_NO_ZEROES = 1, 2
OPT_EXPORT_NAME, OPT_ABORT, OPT_INFO, OPT_GO = 1, 2, 6, 7
REP_ACK, REP_INFO, REP_ERR_UNSUP = 1, 3, (1 << 31) + 1
INFO_EXPORT = 0
# has flags, flush, FUA, trim, write zeroes
TRANSMISSION_FLAGS = 1 | 4 | 8 | 32 | 64
CMD_READ, CMD_WRITE, CMD_DISC, CMD_FLUSH, CMD_TRIM, CMD_WRITE_ZEROES = 0, 1, 2, 3, 4, 6
CMD_FLAG_FUA = 1
SECTOR = 512
EIO, EINVAL = 5, 22


def log(msg):
    print(f"nbd-cache: {msg}", file=sys.stderr, flush=True)


class Disk:
    """FILE plus the volatile cache: sector number -> 512 bytes not yet on FILE."""

    def __init__(self, path, broken_flush, seed):
        self.fd = os.open(path, os.O_RDWR)
        self.size = os.fstat(self.fd).st_size
        self.cache = {}
        self.broken = broken_flush
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.stats = {"writes": 0, "flushes": 0, "cuts": 0, "lost_sectors": 0, "kept_sectors": 0}

    def read(self, off, n):
        data = bytearray(os.pread(self.fd, n, off))
        first, last = off // SECTOR, (off + n - 1) // SECTOR
        for s in range(first, last + 1):
            block = self.cache.get(s)
            if block is not None:
                lo, hi = max(off, s * SECTOR), min(off + n, (s + 1) * SECTOR)
                data[lo - off:hi - off] = block[lo - s * SECTOR:hi - s * SECTOR]
        return bytes(data)

    def write(self, off, data, fua):
        # reads around unaligned edges so each cached sector is whole
        first, last = off // SECTOR, (off + len(data) - 1) // SECTOR
        whole = bytearray(self.read(first * SECTOR, (last - first + 1) * SECTOR))
        whole[off - first * SECTOR:off - first * SECTOR + len(data)] = data
        for i, s in enumerate(range(first, last + 1)):
            self.cache[s] = bytes(whole[i * SECTOR:(i + 1) * SECTOR])
        self.stats["writes"] += 1
        if fua:
            self.persist(range(first, last + 1))

    def persist(self, sectors):
        if self.broken:
            return
        for s in list(sectors):
            block = self.cache.pop(s, None)
            if block is not None:
                os.pwrite(self.fd, block, s * SECTOR)

    def flush(self):
        self.stats["flushes"] += 1
        self.persist(sorted(self.cache))
        if not self.broken:
            os.fsync(self.fd)

    def cut(self):
        """The power goes: a random share of the cache reaches the file, the rest is lost."""
        sectors = list(self.cache)
        self.rng.shuffle(sectors)
        keep = sectors[:self.rng.randint(0, len(sectors))]
        for s in keep:
            os.pwrite(self.fd, self.cache[s], s * SECTOR)
        self.stats["cuts"] += 1
        self.stats["kept_sectors"] += len(keep)
        self.stats["lost_sectors"] += len(sectors) - len(keep)
        self.cache.clear()
        os.fsync(self.fd)
        return len(sectors) - len(keep), len(keep)


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        part = conn.recv(n - len(buf))
        if not part:
            raise ConnectionError("client went away")
        buf += part
    return buf


def opt_reply(conn, opt, kind, data=b""):
    conn.sendall(struct.pack(">QIII", OPT_REPLY_MAGIC, opt, kind, len(data)) + data)


def handshake(conn, disk):
    """Fixed newstyle negotiation; True once transmission starts."""
    conn.sendall(NBDMAGIC + IHAVEOPT + struct.pack(">H", FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES))
    (cflags,) = struct.unpack(">I", recv_exact(conn, 4))
    while True:
        magic, opt, n = struct.unpack(">8sII", recv_exact(conn, 16))
        if magic != IHAVEOPT:
            return False
        data = recv_exact(conn, n)
        if opt == OPT_EXPORT_NAME:
            tail = b"" if cflags & FLAG_NO_ZEROES else b"\0" * 124
            conn.sendall(struct.pack(">QH", disk.size, TRANSMISSION_FLAGS) + tail)
            return True
        if opt in (OPT_INFO, OPT_GO):
            opt_reply(conn, opt, REP_INFO,
                      struct.pack(">HQH", INFO_EXPORT, disk.size, TRANSMISSION_FLAGS))
            opt_reply(conn, opt, REP_ACK)
            if opt == OPT_GO:
                return True
        elif opt == OPT_ABORT:
            opt_reply(conn, opt, REP_ACK)
            return False
        else:
            opt_reply(conn, opt, REP_ERR_UNSUP)


def serve(conn, disk):
    if not handshake(conn, disk):
        return
    while True:
        magic, flags, cmd, handle, off, n = struct.unpack(">IHHQQI", recv_exact(conn, 28))
        if magic != REQUEST_MAGIC:
            return
        data = recv_exact(conn, n) if cmd == CMD_WRITE else b""
        err, out = 0, b""
        with disk.lock:
            if cmd in (CMD_READ, CMD_WRITE, CMD_WRITE_ZEROES, CMD_TRIM) and off + n > disk.size:
                err = EINVAL
            elif cmd == CMD_READ:
                out = disk.read(off, n)
            elif cmd == CMD_WRITE:
                disk.write(off, data, flags & CMD_FLAG_FUA)
            elif cmd == CMD_WRITE_ZEROES:
                disk.write(off, b"\0" * n, flags & CMD_FLAG_FUA)
            elif cmd == CMD_FLUSH:
                disk.flush()
            elif cmd == CMD_DISC:
                return
            elif cmd != CMD_TRIM:  # a trim may be ignored
                err = EINVAL
        conn.sendall(struct.pack(">IIQ", REPLY_MAGIC, err, handle) + out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("socket")
    ap.add_argument("control")
    ap.add_argument("--broken-flush", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    disk = Disk(a.file, a.broken_flush, a.seed)
    clients = []

    def listen(path, handler):
        if os.path.exists(path):
            os.unlink(path)
        s = socket.socket(socket.AF_UNIX)
        s.bind(path)
        s.listen(4)

        def loop():
            while True:
                conn, _ = s.accept()
                threading.Thread(target=handler, args=(conn,), daemon=True).start()
        threading.Thread(target=loop, daemon=True).start()

    def nbd_client(conn):
        clients.append(conn)
        try:
            serve(conn, disk)
        except (ConnectionError, OSError):
            pass
        finally:
            conn.close()

    def control(conn):
        with conn, conn.makefile("rw") as f:
            for line in f:
                word = line.strip()
                if word == "cut":
                    with disk.lock:
                        for c in clients:
                            try:
                                c.shutdown(socket.SHUT_RDWR)
                            except OSError:
                                pass
                        clients.clear()
                        lost, kept = disk.cut()
                    f.write(f"cut lost {lost} kept {kept}\n")
                elif word == "stats":
                    with disk.lock:
                        f.write(" ".join(f"{k} {v}" for k, v in disk.stats.items())
                                + f" cached {len(disk.cache)}\n")
                else:
                    f.write(f"error: unknown command {word!r} (expected cut or stats)\n")
                f.flush()

    listen(a.socket, nbd_client)
    listen(a.control, control)
    log(f"serving {a.file} ({disk.size} bytes) on {a.socket}; control {a.control}"
        f"{'; FLUSH BROKEN' if a.broken_flush else ''}")
    threading.Event().wait()


if __name__ == "__main__":
    main()
