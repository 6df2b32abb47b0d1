#!/bin/sh
# guest-ab.sh - the A/B test's hands inside the virtual kiosk (tests/vm/vm_ab.py
# copies it to partition 1 as wowab-agent.sh; systemd.run= starts it on every
# boot, whichever slot boots). It runs, as root, each command the host writes
# on the virtio console (/dev/hvc0), one line "ID COMMAND...", and reports on
# the serial console:
#
#   wowab-up SLOT CMDLINE      once, when it starts (rauc.slot= and /proc/cmdline)
#   wowab-out ID LINE          each line the command printed (stdout and stderr)
#   wowab-rc ID STATUS         when the command ended
#
# A command that reboots or powers off the machine never reports its end.
# POSIX sh and the image's own tools.
set -u

say() {
    echo "$*" >/dev/console
}

slot=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^rauc\.slot=//p' | tail -n 1)
say "wowab-up ${slot:-none} $(cat /proc/cmdline)"
exec 3</dev/hvc0
while read -r id cmd <&3; do
    [ -n "$id" ] || continue
    out=$(mktemp)
    sh -c "$cmd" >"$out" 2>&1 </dev/null
    rc=$?
    while IFS= read -r line || [ -n "$line" ]; do
        say "wowab-out $id $line"
    done <"$out"
    rm -f "$out"
    say "wowab-rc $id $rc"
done
