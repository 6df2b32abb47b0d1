#!/usr/bin/env python3
"""deploy_units: the systemd units pass systemd-analyze and stay hardened.

Usage: test_units.py SOURCE_DIR WOWKIOSK WOWDASH

For each unit in platform/rpi/systemd/ (copied to a temporary directory,
with /usr/bin/PROGRAM replaced by the build tree's binary when /usr/bin has
none, since verify checks that ExecStart= exists):
  - "systemd-analyze verify" exits 0 and says nothing about the unit (it
    only warns about an unknown key, so any line naming the unit fails);
    a copy with a misspelt key must be caught, so this check can fail;
  - the lines the service relies on are there (Type=notify, the user...);
  - "systemd-analyze security --offline=true" gives an exposure score at or
    below the unit's threshold, set just above the score measured with
    systemd 252 (Debian 12): a unit whose hardening is weakened fails.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

# Just above what the units score (wowkiosk 1.5, wowdash 1.1 on systemd 252):
# the score is printed with one decimal, so any rise fails.
# wowkiosk-headless.service (the kiosk without devices after a crash loop) 1.3.
THRESHOLD = {"wowkiosk.service": 1.55, "wowdash.service": 1.15,
             "wowkiosk-headless.service": 1.35}

# Lines each unit must keep, whatever the score says.
REQUIRED = {
    "wowkiosk.service": [
        "Type=notify", "NotifyAccess=main", "WatchdogSec=30s", "Restart=always", "RestartSec=2",
        "Environment=SDL_VIDEODRIVER=kmsdrm", "Conflicts=getty@tty1.service", "User=wowkiosk",
        "SupplementaryGroups=video input render", "StateDirectory=wowkiosk",
        "StateDirectoryMode=0700", "ExecStart=/usr/bin/wowkiosk --config /etc/wowkiosk/kiosk.conf",
        "ReadOnlyPaths=-/boot/firmware", "ProtectSystem=strict", "ProtectHome=yes",
        "PrivateTmp=yes", "DevicePolicy=closed", "DeviceAllow=char-drm rw",
        "DeviceAllow=char-input r", "NoNewPrivileges=yes",
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK",
        "OnFailure=wowkiosk-headless.service",
    ],
    "wowkiosk-headless.service": [
        "Type=notify", "NotifyAccess=main", "WatchdogSec=30s", "Conflicts=wowkiosk.service",
        "User=wowkiosk", "StateDirectory=wowkiosk", "ProtectSystem=strict",
        "PrivateDevices=yes", "NoNewPrivileges=yes",
    ],
    "wowdash.service": [
        "Type=notify", "EnvironmentFile=/etc/default/wowdash",
        "ExecStartPre=/usr/bin/wowdash migrate --db ${WOWDASH_DB}",
        "ExecStart=/usr/bin/wowdash serve --db ${WOWDASH_DB} --listen ${WOWDASH_LISTEN} $WOWDASH_OPTIONS",
        "User=wowkiosk", "StateDirectory=wowkiosk", "ProtectSystem=strict", "ProtectHome=yes",
        "PrivateTmp=yes", "NoNewPrivileges=yes",
    ],
}
# Settings that would cut the kiosk off from what it needs.
FORBIDDEN = {
    "wowkiosk.service": ["PrivateNetwork=yes", "PrivateDevices=yes"],
    "wowdash.service": ["PrivateNetwork=yes"],
    "wowkiosk-headless.service": ["PrivateNetwork=yes", "[Install]"],
}
START_LIMIT = ("StartLimitIntervalSec=", "StartLimitBurst=")


def unit_copy(src, dst_dir, binaries):
    """Copies unit src into dst_dir, pointing /usr/bin programs that are
    not installed at the build tree's; returns the copy's path."""
    with open(src) as f:
        text = f.read()
    for name, built in binaries.items():
        installed = "/usr/bin/" + name
        if not os.access(installed, os.X_OK):
            text = text.replace(installed + " ", built + " ")
    dst = os.path.join(dst_dir, os.path.basename(src))
    with open(dst, "w") as f:
        f.write(text)
    return dst


def verify_problems(path):
    """Runs systemd-analyze verify on path; returns what it found wrong."""
    run = subprocess.run(["systemd-analyze", "verify", path], capture_output=True, text=True,
                         timeout=60)
    name = os.path.basename(path)
    problems = [line for line in (run.stdout + run.stderr).splitlines() if name in line]
    if run.returncode != 0:
        problems.append("systemd-analyze verify exited with %d" % run.returncode)
    return problems


def check_lines(path):
    """The unit's own lines (comments and blanks left out) against
    REQUIRED and FORBIDDEN."""
    name = os.path.basename(path)
    with open(path) as f:
        lines = {ln.strip() for ln in f if ln.strip() and not ln.lstrip().startswith("#")}
    missing = [ln for ln in REQUIRED[name] if ln not in lines]
    assert not missing, "%s: missing lines %s" % (name, missing)
    present = [ln for ln in FORBIDDEN[name] if ln in lines]
    headless = [ln for ln in lines if ln.startswith("ExecStart=")]
    if name == "wowkiosk-headless.service":  # the kiosk's own command, plus --headless
        assert headless and headless[0].startswith(
            "ExecStart=/usr/bin/wowkiosk --config /etc/wowkiosk/kiosk.conf --headless "), headless
    assert not present, "%s: must not have %s" % (name, present)
    for key in START_LIMIT:
        assert any(ln.startswith(key) for ln in lines), "%s: no %s" % (name, key)


def exposure(path):
    """The overall exposure score systemd-analyze security gives path."""
    run = subprocess.run(["systemd-analyze", "security", "--offline=true", "--no-pager", path],
                         capture_output=True, text=True, timeout=60)
    out = run.stdout + run.stderr
    match = re.search(r"Overall exposure level for \S+: ([0-9]+\.[0-9]+)", out)
    assert match, "no exposure score for %s in:\n%s" % (path, out)
    return float(match.group(1)), out


def main():
    source, wowkiosk, wowdash = sys.argv[1:4]
    if shutil.which("systemd-analyze") is None:
        sys.exit("systemd-analyze not found: install the systemd package")
    units = os.path.join(source, "platform", "rpi", "systemd")
    binaries = {"wowkiosk": wowkiosk, "wowdash": wowdash}
    tmp = tempfile.mkdtemp(prefix="wowunits-")
    try:
        failures = []
        for name in sorted(THRESHOLD):  # all copied first: OnFailure= names the other
            unit_copy(os.path.join(units, name), tmp, binaries)
        for name in sorted(THRESHOLD):
            src = os.path.join(units, name)
            check_lines(src)
            path = os.path.join(tmp, name)
            failures += verify_problems(path)
            score, out = exposure(path)
            print("deploy_units: %s exposure %.1f (threshold %.2f)" % (name, score,
                                                                      THRESHOLD[name]))
            if score > THRESHOLD[name]:
                failures.append("%s: exposure %.1f above %.2f; systemd-analyze says:\n%s" %
                                (name, score, THRESHOLD[name], out))

        # The A/B slot check's unit (root, oneshot: reboots and marks slots,
        # so no exposure threshold): it verifies, and runs before the kiosk.
        slot = os.path.join(source, "platform", "rpi", "update", "wowkiosk-slot.service")
        with open(slot) as f:
            text = f.read()
        for line in ("Before=wowkiosk.service", "Type=oneshot",
                     "ExecStart=/usr/lib/wowkiosk/slot-check"):
            assert "\n" + line + "\n" in text, "wowkiosk-slot.service: missing %s" % line
        copy = os.path.join(tmp, "wowkiosk-slot.service")
        with open(copy, "w") as f:
            f.write(text.replace("/usr/lib/wowkiosk/slot-check",
                                 os.path.join(source, "platform", "rpi", "update", "slot-check")))
        failures += verify_problems(copy)
        for name in ("wowkiosk-updater.service", "wowkiosk-updater.timer"):
            src = os.path.join(source, "platform", "rpi", "update", name)
            with open(src) as f:
                text = f.read()
            copy = os.path.join(tmp, name)
            with open(copy, "w") as f:
                f.write(text.replace("/usr/lib/wowkiosk/wowkiosk-updater", os.path.join(
                    source, "platform", "rpi", "update", "wowkiosk-updater")))
        failures += verify_problems(os.path.join(tmp, "wowkiosk-updater.timer"))
        failures += verify_problems(os.path.join(tmp, "wowkiosk-updater.service"))

        # The verify check itself must catch a misspelt key.
        typo = os.path.join(tmp, "typo", "wowkiosk.service")
        os.mkdir(os.path.dirname(typo))
        with open(os.path.join(tmp, "wowkiosk.service")) as f:
            text = f.read()
        assert "\nProtectSystem=strict\n" in text
        with open(typo, "w") as f:
            f.write(text.replace("\nProtectSystem=strict\n", "\nProtectSytem=strict\n"))
        if not verify_problems(typo):
            failures.append("verify did not notice ProtectSytem= (misspelt) in %s" % typo)

        assert not failures, "\n".join(failures)
        print("deploy_units: the units verify cleanly and are within their thresholds")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
