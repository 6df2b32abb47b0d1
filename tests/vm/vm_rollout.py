#!/usr/bin/env python3
"""A rollout from the dashboard to two virtual kiosks: one canary, one waiting.

    vm_rollout.py --image-dir DIR --keys KEYS --wowdash PATH [--work DIR] [--bundles-work DIR]
                  [--no-promote] [--break offer]

DIR is build-image.sh --ab's --out, KEYS the development CA it trusts (as vm_ab.py). On the
host: a PostgreSQL, `wowdash migrate`, two kiosks added with `wowdash kiosk add` (each syncs
as its own role), and `wowdash serve --bundles` on loopback, which both guests reach through
qemu's user network (10.0.2.100:8080 for the dashboard, :5432 for PostgreSQL, nothing else).
The good bundle of vm_ab.py (the same system, /etc/wowkiosk/system-version V2) is published
with `wowdash bundle publish` and a URL on the dashboard, and an admin starts the rollout on the
fleet page (POST /fleet/rollout/start, csrf) with vm-canary as its canary.

Both kiosks are closed (`[hours] always = false`), so each may install once nobody has touched
it for two minutes, as the default `install_updates = closed` says. In each guest the test's
agent (guest-ab.sh) shortens wowkiosk-updater.timer with a drop-in under /run (every 20 s
instead of 10 minutes, spread over 5): the timer, the updater, RAUC and slot-check are the
image's own. Then:
  canary   its sync writes update/offer; its updater downloads the bundle from the dashboard
           (the dashboard's log shows the GET), checks it, installs it into slot B and reboots
           into the try; the firmware (vm_firmware.py) boots partition 3 once, slot-check keeps
           it; the kiosk's heartbeat reports slot B, version V2, update state "good", and the
           dashboard counts the canary stage done (1 of 1); its offer is withdrawn.
  waiting  once the canary holds its offer, and again when the canary reports good: vm-wait has
           no kiosk_update row and no offer file, its updater said nothing, its heartbeat says
           slot A and the image's version.
  promote  (unless --no-promote) the admin promotes the rollout on the fleet page; vm-wait
           is offered it, installs it the same way and reports V2 good; the rollout ends
           "done" by itself, and the fleet page says so.
The fleet page is saved (fleet-*.html) at each step. `--break offer` starts the rollout with
both kiosks as its canary, to see the "waiting" check fail (the first one: nothing offered to
vm-wait once the canary holds its offer).
Figures: vm_rollout_canary_s (the rollout's start to the canary reporting good),
vm_rollout_download_s (the canary's download, as its updater reported), vm_rollout_fleet_s
(promote to the waiting kiosk reporting good).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vm_ab  # noqa: E402
import vm_kiosk as vk  # noqa: E402
from vm_firmware import FirmwareVm, fat_write, partitions  # noqa: E402
from vm_kiosk import Client, Cluster, Server, check, log  # noqa: E402

DASH_GUEST = ("10.0.2.100", 8080)
ADMIN, ADMIN_PASSWORD = "fleet-admin", "vm-rollout-password"
KIOSKS = ("vm-canary", "vm-wait")
BOOT_TIMEOUT = 600
INSTALL_TIMEOUT = 2400  # the offer to the reboot into the try: download and rauc install
TIMER_DROPIN = ("mkdir -p /run/systemd/system/wowkiosk-updater.timer.d && printf "
                "'[Timer]\\nOnBootSec=\\nOnUnitActiveSec=\\nRandomizedDelaySec=0\\n"
                "OnActiveSec=5s\\nOnUnitActiveSec=20s\\n' "
                ">/run/systemd/system/wowkiosk-updater.timer.d/vm-rollout.conf && "
                "systemctl daemon-reload && systemctl restart wowkiosk-updater.timer && "
                "systemctl is-active wowkiosk-updater.timer")


def kiosk_conf(kid, target):
    return f"""[kiosk]
id = {kid}
site = Virtual rollout kiosk

[hours]
always = false

[sync]
target = {target}
interval_s = 2
backoff_max_s = 4
"""


def guest_target(host_target):
    """The kiosk's conninfo as `kiosk add` printed it, with the guest's way to PostgreSQL."""
    words = [w for w in host_target.split() if not w.startswith(("host=", "port=", "hostaddr="))]
    return f"host={vk.PG_GUEST[0]} port={vk.PG_GUEST[1]} " + " ".join(words)


class Fleet:
    """The dashboard's side: PostgreSQL (owner), wowdash, its server and the admin's browser."""

    def __init__(self, wowdash, pg, work):
        self.wowdash, self.pg, self.work = wowdash, pg, work
        self.db = f"host=127.0.0.1 port={pg.port} user=postgres dbname=wowvm sslmode=disable"
        self.server = self.client = None
        self.pages = 0

    def dash(self, *args, stdin=None):
        r = subprocess.run([self.wowdash, *args, "--db", self.db], input=stdin, text=True,
                           capture_output=True)
        check(r.returncode == 0, f"wowdash {' '.join(args)}: exit {r.returncode}: "
              f"{r.stderr.strip()}")
        return r.stdout

    def sql(self, statement):
        return self.pg.psql(statement, dbname="wowvm").strip()

    def kiosk(self, kid):
        """(slot, app_version, update_version, update_state, update_error) of its row."""
        row = self.sql("SELECT coalesce(slot, ''), app_version, coalesce(update_version, ''), "
                       "coalesce(update_state, ''), coalesce(update_error, '') FROM kiosks "
                       f"WHERE kiosk_id = '{kid}' AND last_seen_ms > 0")
        return tuple(row.split("|")) if row else None

    def offered(self):
        return self.sql("SELECT string_agg(kiosk_id || ' ' || version, ',' ORDER BY kiosk_id) "
                        "FROM kiosk_update")

    def stage(self):
        return self.sql("SELECT stage || '|' || note FROM update_rollouts "
                        "ORDER BY rollout_id DESC LIMIT 1").split("|", 1)

    def serve(self, site):
        self.server = Server(self.wowdash, self.db, self.work, zone="UTC",
                             extra=["--bundles", site])
        self.client = Client(self.server.port)
        self.client.login(ADMIN, ADMIN_PASSWORD)

    def page(self, name):
        """The fleet page as the admin sees it, saved as fleet-N-name.html."""
        r = self.client.get("/fleet")
        check(r.status == 200, f"GET /fleet: {r.status}")
        self.pages += 1
        with open(os.path.join(self.work, f"fleet-{self.pages}-{name}.html"), "w") as f:
            f.write(r.text)
        return r.text

    def act(self, path, form):
        form = dict(form, csrf=self.client.csrf("/fleet"))
        r = self.client.post(path, form)
        check(r.status in (200, 303), f"POST {path} {form.get('action')}: {r.status} "
              f"{r.text[:200]!r}")


class Kiosk(vm_ab.Kiosk):
    """One virtual kiosk of the fleet, booted by the emulated Pi firmware."""

    def __init__(self, kid, vm, refs):
        super().__init__(vm, refs)
        self.kid = kid

    def fast_timer(self):
        _, out = self.run(TIMER_DROPIN)
        check(out[-1:] == ["active"], f"{self.kid}: wowkiosk-updater.timer: {out}")

    def files(self):
        """The update directory's files: {name: text} (download/ left out)."""
        _, out = self.run("cd /var/lib/wowkiosk/update 2>/dev/null && for f in *; do "
                          "[ -f \"$f\" ] && sed \"s|^|$f: |\" \"$f\"; done; true")
        got = {}
        for line in out:
            name, _, text = line.partition(": ")
            got[name] = got.get(name, "") + text + "\n"
        return got

    def updated(self, fleet, t0, figures, prefix):
        """Waits for the updater to install the offered bundle and reboot into the try; boots
        the try, which slot-check must keep; the kiosk must then report V2 good from slot B."""
        vm = self.vm
        for step in ("downloading", "downloaded", "installing", "installed"):
            vm.wait_line(rf"wowkiosk-updater\[\d+\]: wowkiosk-updater: {re.escape(vm_ab.V2)}: "
                         rf"{step}\r?$", INSTALL_TIMEOUT, f"{self.kid}: the updater's '{step}'")
            figures.setdefault(f"{prefix}_{step}", time.monotonic())
            log(f"{self.kid}: updater: {step} ({time.monotonic() - t0:.0f} s)")
        vm.wait_end(300)
        check(vm.firmware.tryboot, f"{self.kid}: the updater's reboot was not a tryboot; see "
              f"{vm.serial}")
        self.boot("b-try", 3, True)
        check(self.slot_check() == "kept", f"{self.kid}: the new slot's self-test failed")
        st = self.state()
        self.expect_slot(st, "B", True)
        check(st.get("version") == vm_ab.V2, f"{self.kid}: slot B runs {st.get('version')}, "
              f"expected {vm_ab.V2}")
        row = wait(f"{self.kid}'s heartbeat from slot B with {vm_ab.V2} good",
                   lambda: (lambda r: r if r and r[:4] == ("B", vm_ab.V2, vm_ab.V2, "good")
                            else None)(fleet.kiosk(self.kid)), 300,
                   lambda: f"its row {fleet.kiosk(self.kid)}")
        log(f"{self.kid}: reports {row}")


def wait(what, predicate, timeout, last=lambda: ""):
    deadline = time.monotonic() + timeout
    while True:
        got = predicate()
        if got:
            return got
        check(time.monotonic() < deadline, f"no {what} within {timeout} s; {last()}")
        time.sleep(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--image-dir", required=True)
    ap.add_argument("--keys", required=True)
    ap.add_argument("--wowdash", required=True)
    ap.add_argument("--work", default=None)
    ap.add_argument("--bundles-work", default=None,
                    help="where vm_ab.py keeps its bundles (default: --work)")
    ap.add_argument("--no-promote", action="store_true", help="stop after the canary stage")
    ap.add_argument("--break", dest="broken", choices=("offer",), default=None,
                    help="offer the bundle to both kiosks, to see the waiting check fail")
    a = ap.parse_args()
    work = os.path.abspath(a.work or tempfile.mkdtemp(prefix="wowkiosk-vm-rollout."))
    os.makedirs(work, exist_ok=True)
    image = os.path.join(os.path.abspath(a.image_dir), "wowkiosk.img")
    check(os.path.isfile(image), f"{image}: no image (build-image.sh --ab --out {a.image_dir})")
    check(len(partitions(image)) == 7, f"{image}: expected the A/B image's 7 partitions")
    started = time.monotonic()
    keys = os.path.abspath(a.keys)
    bundle = vm_ab.make_bundles(image, keys, os.path.abspath(a.bundles_work or work),
                                names=("good",))["good"]
    refs = {"rating-en": vk.png_read(os.path.join(vk.REF_DIR, f"rating-en-{vk.W}x{vk.H}.png"))}
    figures = {}
    kiosks = {}
    with Cluster() as pg:
        pg.create_database("wowvm")
        fleet = Fleet(os.path.abspath(a.wowdash), pg, work)
        fleet.dash("migrate")
        targets = {}
        for kid in KIOSKS:
            out = fleet.dash("kiosk", "add", kid, "--department", "front", "--sslmode", "disable")
            m = re.search(r"^target = (.*)$", out, re.M)
            check(m is not None, f"kiosk add {kid} printed no target: {out}")
            targets[kid] = guest_target(m.group(1))
        fleet.dash("user", "add", ADMIN, "--role", "admin", "--password-stdin",
                   stdin=ADMIN_PASSWORD + "\n")
        site = os.path.join(work, "site")
        os.makedirs(site, exist_ok=True)
        for name in os.listdir(site):
            os.unlink(os.path.join(site, name))
        url = f"http://{DASH_GUEST[0]}:{DASH_GUEST[1]}/updates/wowkiosk-{vm_ab.V2}.raucb"
        out = fleet.dash("bundle", "publish", bundle, "--url", url, "--keyring",
                         os.path.join(keys, "dev.cert.pem"), "--bundles", site)
        log(f"published: {out.strip()}")
        fleet.serve(site)
        try:
            for kid in KIOSKS:
                kwork = os.path.join(work, kid)
                os.makedirs(kwork, exist_ok=True)
                vm = FirmwareVm(os.path.abspath(a.image_dir), kwork, pg.port)
                vm.forwards = ((DASH_GUEST, fleet.server.port),)
                vm.prepare(kiosk_conf(kid, targets[kid]))
                fat_write(vm.img, partitions(vm.img)[1][0], os.path.join(HERE, "guest-ab.sh"),
                          vm.PROBE)
                kiosks[kid] = Kiosk(kid, vm, refs)
            canary, waiting = kiosks["vm-canary"], kiosks["vm-wait"]
            first = {}
            for k in kiosks.values():
                k.boot("a", 2, False)
            for k in kiosks.values():
                check(k.slot_check() == "kept", f"{k.kid}: slot A not kept")
                k.expect_slot(k.state(), "A", False)
                k.fast_timer()
                first[k.kid] = wait(f"{k.kid}'s first heartbeat", lambda: fleet.kiosk(k.kid),
                                    BOOT_TIMEOUT)
                check(first[k.kid][0] == "A" and first[k.kid][2:4] == ("", ""),
                      f"{k.kid}'s first heartbeat: {first[k.kid]}")
            old = first["vm-canary"][1]
            check(old != vm_ab.V2, f"the image already reports {old}")
            log(f"both kiosks report slot A, version {old}")
            page = fleet.page("published")
            check(f"<option>{vm_ab.V2}</option>" in page, "the fleet page offers no rollout of "
                  f"{vm_ab.V2} to start")
            # the admin starts the rollout on the fleet page
            t0 = time.monotonic()
            canary_list = ",".join(KIOSKS) if a.broken == "offer" else "vm-canary"
            fleet.act("/fleet/rollout/start", {"version": vm_ab.V2, "canary": canary_list,
                                               "action": "start"})
            check(fleet.stage()[0] == "canary", f"rollout: {fleet.stage()}")
            offer = wait("the canary's offer file", lambda: canary.files().get("offer"), 120)
            check(f"version={vm_ab.V2}\n" in offer and f"url={url}\n" in offer,
                  f"the canary's offer file: {offer!r}")
            # the waiting kiosk, two of its sync rounds later: nothing offered
            time.sleep(5)
            check(fleet.offered() == f"vm-canary {vm_ab.V2}" and
                  "offer" not in waiting.files(), f"the waiting kiosk was offered it: "
                  f"kiosk_update holds {fleet.offered()!r}, its update/ {sorted(waiting.files())}")
            canary.updated(fleet, t0, figures, "canary")
            figures["vm_rollout_canary_s"] = time.monotonic() - t0
            figures["vm_rollout_download_s"] = (figures["canary_downloaded"] -
                                                figures["canary_downloading"])
            served = fleet.server.text_log()
            check(re.search(rf"GET /updates/wowkiosk-{re.escape(vm_ab.V2)}\.raucb 20[06] ",
                            served), "the dashboard's log shows no GET of the bundle")
            # the waiting kiosk: never offered, nothing done
            files = waiting.files()
            row = fleet.kiosk("vm-wait")
            check("offer" not in files and "state" not in files and row[:4] == ("A", old, "", ""),
                  f"the waiting kiosk was touched by the canary stage: update/ holds "
                  f"{sorted(files)}, its row {row}")
            check("wowkiosk-updater:" not in waiting.vm.text(),
                  "the waiting kiosk's updater said something: "
                  f"{re.findall(r'wowkiosk-updater: .*', waiting.vm.text())[:3]}")
            log("the waiting kiosk: not offered, nothing downloaded, slot A, version " + old)
            fleet.dash("rollout", "status")
            wait("the canary's offer withdrawn", lambda: "offer" not in canary.files(), 120)
            page = fleet.page("canary-done")
            check("1 of 1 kiosks in this stage run it" in page,
                  "the fleet page does not count the canary done (1 of 1)")
            if not a.no_promote:
                t1 = time.monotonic()
                fleet.act("/fleet/rollout", {"action": "promote", "note": "the canary runs it"})
                check(fleet.stage()[0] == "fleet", f"promoted: {fleet.stage()}")
                waiting.fast_timer()  # the next look at once, not in up to 20 s
                waiting.updated(fleet, t1, figures, "fleet")
                figures["vm_rollout_fleet_s"] = time.monotonic() - t1
                fleet.dash("rollout", "status")
                stage = wait("the rollout done", lambda: fleet.stage()[0] == "done" and
                             fleet.stage(), 120, lambda: f"it is {fleet.stage()}")
                page = fleet.page("done")
                check(f"Update {vm_ab.V2}" in page and "done" in page,
                      f"the fleet page does not show the rollout done ({stage})")
                check(fleet.offered() == "", f"done, yet offered to {fleet.offered()!r}")
                rows = re.findall(r"<tr[^>]*>(?:(?!</tr>).)*</tr>", page, re.S)
                for kid in KIOSKS:
                    row = next((r for r in rows if f">{kid}<" in r), "")
                    check(vm_ab.V2 in row and "slot B" in row, f"the fleet page's row of {kid} "
                          f"does not say {vm_ab.V2} and slot B")
                log(f"rollout done: {stage}")
            for k in kiosks.values():
                k.send("systemctl poweroff")
            for k in kiosks.values():
                k.vm.wait_end(180)
        finally:
            for k in kiosks.values():
                k.vm.kill()
            if fleet.server:
                fleet.server.stop()
    vk.print_figures(figures, (
        ("vm_rollout_canary_s", "s", "the rollout's start to the canary reporting good"),
        ("vm_rollout_download_s", "s", "the canary's download of the bundle"),
        ("vm_rollout_fleet_s", "s", "promote to the waiting kiosk reporting good")))
    log(f"done in {time.monotonic() - started:.0f} s")
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    vk.run(main)
