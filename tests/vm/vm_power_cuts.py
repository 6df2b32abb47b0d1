#!/usr/bin/env python3
"""Power cuts in the virtual kiosk: the store's durability on a disk that loses its cache.

    vm_power_cuts.py --image-dir DIR --wowdash PATH [--work DIR] [--cuts N] [--seed S]
                     [--broken-flush]

The kiosk's data partition is served by tests/vm/nbd_cache.py: writes stay in memory until
the guest flushes (ext4's journal commits, SQLite's fsync under synchronous=FULL), and a
cut keeps a random share of the rest and loses the others. Each round boots the image (see
vm_kiosk.py), waits for the rating screen, taps random faces through the virtio tablet and
cuts the power at a random moment among the taps (qemu SIGKILLed, then the cache cut).
A last boot ends cleanly. Then:
  * every tap the kiosk logged as committed ("tap committed id=N ... rating=R" on the
    serial console, written after the commit returned) is in the store's taps table with
    its rating; one whose id a later boot logged again was lost (lost taps must be 0);
  * integrity_check is ok, and the counts table sums to the taps;
  * PostgreSQL's totals equal the store's once the last boot has synced.
--broken-flush makes the disk acknowledge flushes without persisting: the test must fail.
One round (--hide-boot-round, default 1; -1: none) boots with the boot partition unreadable
(its boot sector zeroed, put back after the round): as when its device came too late, the
kiosk waits for it (x-systemd.device-timeout), then must run on its last good wowkiosk.conf,
as its own id and syncing to PostgreSQL, never as "unnamed" to the default target.
Figures: vm_power_cuts, vm_power_cut_lost_taps, vm_power_cut_sent_again.
"""
import argparse
import os
import random
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vm_kiosk as vk  # noqa: E402
from vm_kiosk import Cluster, check, fail, log  # noqa: E402

TAP_RE = re.compile(r"tap committed id=(\d+) department=\S+ rating=(\d)")
# the sync found the database holding less than the store believed sent (docs/SYNC.md)
SENT_AGAIN_RE = re.compile(r"sync: the \S+ database holds (none of store|store \S+ rows only)")


def control(path, word):
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(path)
        s.sendall(word.encode() + b"\n")
        return s.makefile().readline().strip()


def hide_boot_partition(vm):
    """Zeroes the boot partition's boot sector (no file system, so no LABEL=WOWBOOT for
    udev); returns what it held."""
    off = vm.partition_offsets()[0][0]
    with open(vm.img, "r+b") as f:
        f.seek(off)
        saved = f.read(512)
        f.seek(off)
        f.write(b"\0" * 512)
    return saved


def restore_boot_partition(vm, saved):
    with open(vm.img, "r+b") as f:
        f.seek(vm.partition_offsets()[0][0])
        f.write(saved)


def check_hidden_boot_round(text, r):
    """The kiosk of a boot without its boot partition ran on its own settings."""
    check("is missing (boot partition not mounted?): running on its last good copy" in text,
          f"round {r}: no 'is missing ... last good copy' from the kiosk without its boot partition")
    check('now opened as "unnamed"' not in text,
          f"round {r}: the kiosk without its boot partition ran as \"unnamed\"")
    check("sync: connected to the SQLite file" not in text,
          f"round {r}: the kiosk without its boot partition synced to the default SQLite file")


def round_boot(vm, nbd_sock, name, refs, timeout):
    vm.start(probe_run=False, nbd_socket=nbd_sock, serial_name=name)
    vm.wait_line(r"first frame presented", timeout, "the kiosk's first frame")
    run = vk.Run(vm, refs)
    run.wait_screen("rating-en", 60, "the rating screen after boot")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--image-dir", required=True)
    ap.add_argument("--wowdash", required=True)
    ap.add_argument("--work", default=None)
    ap.add_argument("--cuts", type=int, default=10)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--broken-flush", action="store_true")
    ap.add_argument("--boot-timeout", type=int, default=600)
    ap.add_argument("--hide-boot-round", type=int, default=1)
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else random.randrange(1 << 30)
    log(f"seed {seed} (--seed {seed} repeats the cut moments)")
    rng = random.Random(seed)
    work = os.path.abspath(a.work or tempfile.mkdtemp(prefix="wowkiosk-vm-cuts."))
    os.makedirs(work, exist_ok=True)
    refs = {"rating-en": vk.png_read(os.path.join(vk.REF_DIR, f"rating-en-{vk.W}x{vk.H}.png"))}
    data_img = os.path.join(work, "data.img")
    nbd_sock, nbd_ctl = os.path.join(work, "nbd.sock"), os.path.join(work, "nbd-ctl.sock")
    logged = []  # (round, id, rating) in the order the kiosk logged them
    sent_again = 0  # rounds whose sync sent rows again (the database's cursor behind the store)
    server = None
    with Cluster() as pg:
        pg.create_database("wowvm")
        conninfo = f"host=127.0.0.1 port={pg.port} user=postgres dbname=wowvm sslmode=disable"
        subprocess.run([a.wowdash, "migrate", "--db", conninfo], check=True, capture_output=True)
        vm = vk.Vm(os.path.abspath(a.image_dir), work, pg.port)
        # No follow-up and a short thank-you: a tap a second. No press filter
        # bursts: every tap counts the same.
        vm.prepare(f"""[kiosk]
id = {vk.KIOSK_ID}

[followup]
enabled = false

[screen]
thanks_s = 0.3

[press_filter]
min_interval_s = 0
burst_count = 0

[sync]
target = host={vk.PG_GUEST[0]} port={vk.PG_GUEST[1]} user=postgres dbname=wowvm sslmode=disable
interval_s = 1
backoff_max_s = 2
""", data_image=data_img)
        argv = [sys.executable, os.path.join(vk.HERE, "nbd_cache.py"), data_img, nbd_sock,
                nbd_ctl, "--seed", str(seed)] + (["--broken-flush"] if a.broken_flush else [])
        for stale in (nbd_sock, nbd_ctl):  # an earlier run's: not this server's
            if os.path.exists(stale):
                os.unlink(stale)
        server = subprocess.Popen(argv, stderr=open(os.path.join(work, "nbd.log"), "w"))
        try:
            deadline = time.monotonic() + 10
            while not os.path.exists(nbd_ctl):
                check(time.monotonic() < deadline, "nbd_cache.py did not start")
                time.sleep(0.05)
            cuts = 0
            for r in range(a.cuts):
                hidden = hide_boot_partition(vm) if r == a.hide_boot_round else None
                try:  # hidden: the device's 5 min wait comes first
                    round_boot(vm, nbd_sock, f"serial-{r:03d}.log", refs,
                               a.boot_timeout + (360 if hidden else 0))
                except AssertionError as e:
                    vm.kill()
                    fail(f"round {r}: the kiosk did not serve again after {cuts} cuts: {e}")
                # 2..8 taps; the cut after one of them, 0..1.2 s later (a commit under
                # TCG takes a few hundred ms: some cuts land inside one)
                taps = rng.randint(2, 8)
                cut_at = rng.randint(1, taps)
                for i in range(taps):
                    vm.qmp.tap(vk.FACES[rng.randint(1, 4)])
                    if i + 1 == cut_at:
                        time.sleep(rng.uniform(0.0, 1.2))
                        break
                    time.sleep(rng.uniform(0.6, 1.2))
                vm.kill()
                answer = control(nbd_ctl, "cut")
                cuts += 1
                if hidden:
                    restore_boot_partition(vm, hidden)
                    check_hidden_boot_round(vm.text(), r)
                    log(f"round {r}: the boot partition hidden, the kiosk ran on its last good copy")
                round_taps = [(r, int(i), int(g)) for i, g in TAP_RE.findall(vm.text())]
                logged += round_taps
                sent_again += len(SENT_AGAIN_RE.findall(vm.text()))
                log(f"round {r}: {len(round_taps)} taps logged, then cut ({answer})")
            # The last boot: the kiosk serves, syncs, and stops cleanly.
            vm.start(probe_run=True, nbd_socket=nbd_sock, serial_name="serial-last.log")
            vm.wait_line(r"^wowvm-ready", a.boot_timeout, "the last boot's wowvm-ready")
            last, stable_since = None, time.monotonic()
            while time.monotonic() - stable_since < 6:
                now = vk.pg_taps(pg, "wowvm")
                if now != last:
                    last, stable_since = now, time.monotonic()
                time.sleep(0.5)
            vm.stop(180)
            sent_again += len(SENT_AGAIN_RE.findall(vm.text()))
        finally:
            vm.kill()
        log(f"disk: {control(nbd_ctl, 'stats')}")
        control(nbd_ctl, "cut")  # nothing is cached after a clean shutdown: keeps 0
        server.kill()
        server.wait()
        try:
            store, integrity, ids = vm.read_store(data_image=data_img)
        except (AssertionError, OSError, sqlite3.Error) as e:  # the store itself is gone
            store, integrity, ids = {}, f"no readable store: {e}", {}
        pg_totals = vk.pg_taps(pg, "wowvm")
        if pg_totals != store:  # the cluster goes with this block: its rows stay for the reader
            kept = os.path.join(work, "pg-at-failure.txt")
            with open(kept, "w") as f:
                for sql in ("SELECT * FROM sync_cursors", "SELECT * FROM kiosks",
                            "SELECT * FROM tap_counts ORDER BY bucket_start_ms"):
                    f.write(f"-- {sql}\n{pg.psql(sql, dbname='wowvm')}\n")
            log(f"PostgreSQL's rows kept in {kept}")
    lost = []
    for n, (r, tap_id, rating) in enumerate(logged):
        relogged = any(t == tap_id for (_, t, _) in logged[n + 1:])
        if relogged or ids.get(tap_id) != rating:
            lost.append((r, tap_id, rating))
    print(f"figure: vm_power_cuts {cuts} cuts ({len(logged)} taps logged as committed)")
    print(f"figure: vm_power_cut_lost_taps {len(lost)} taps")
    print(f"figure: vm_power_cut_sent_again {sent_again} rounds")
    check(integrity == "ok", f"integrity_check of the store after {cuts} cuts: {integrity}")
    check(not lost, f"{len(lost)} taps logged as committed are not in the store "
          f"(round, id, rating): {lost[:10]}")
    check(sum(store.values()) == len(ids),
          f"the counts table sums to {sum(store.values())}, the taps table holds {len(ids)}")
    check(pg_totals == store, f"PostgreSQL holds {pg_totals}, the store {store}")
    log(f"{cuts} cuts, {len(logged)} taps logged, none lost; store {store} = PostgreSQL")
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    vk.run(main)
