#!/bin/sh
# guest-probe.sh - runs inside the virtual kiosk (copied to its boot partition
# by vm_kiosk.py, started by systemd.run= on the kernel command line) and
# reports on the serial console what the host cannot see from outside:
#
#   wowvm-first-frame-ms MS    the kiosk's exec to READY=1 (sent right after
#                              its first frame is presented), from systemd
#   wowvm-pss-kb KB            the kiosk's proportional set size after IDLE_S
#   wowvm-idle-cpu-ticks T S HZ  CPU ticks the idle kiosk used in S seconds
#   wowvm-ready                the kiosk runs again with --trace-latency: tap
#   wowvm-stopped              the host said "stop" on /dev/hvc0; the kiosk
#                              was stopped cleanly and the disks synced
#
# When this script ends, systemd powers the machine off (systemd.run's
# default). Everything here is POSIX sh and the image's own tools.
set -u

IDLE_S=${WOWVM_IDLE_S:-10}

say() {
    echo "$*" >/dev/console
}

wait_active() {
    n=0
    until systemctl is-active -q wowkiosk.service; do
        n=$((n + 1))
        [ "$n" -lt 600 ] || { say "wowvm-error: wowkiosk.service not active after 300 s"; return 1; }
        sleep 0.5
    done
}

prop() {
    systemctl show -p "$1" --value wowkiosk.service
}

wait_active || exit 1
start=$(prop ExecMainStartTimestampMonotonic)
ready=$(prop ActiveEnterTimestampMonotonic)
say "wowvm-first-frame-ms $(((ready - start) / 1000))"

pid=$(prop MainPID)
sleep "$IDLE_S"
t0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
sleep "$IDLE_S"
t1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
say "wowvm-idle-cpu-ticks $((t1 - t0)) $IDLE_S $(getconf CLK_TCK)"
say "wowvm-pss-kb $(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup")"

# Again with --trace-latency (a runtime drop-in, gone at the next boot).
mkdir -p /run/systemd/system/wowkiosk.service.d
exec_start=$(grep '^ExecStart=' /lib/systemd/system/wowkiosk.service | tail -n 1)
printf '[Service]\nExecStart=\n%s --trace-latency\n' "$exec_start" \
    >/run/systemd/system/wowkiosk.service.d/90-trace.conf
systemctl daemon-reload
systemctl restart wowkiosk.service
wait_active || exit 1
say "wowvm-ready"
# A test may add commands of its own (debugging), run beside the waiting.
if [ -f /boot/firmware/wowvm-extra.sh ]; then
    sh /boot/firmware/wowvm-extra.sh >/dev/console 2>&1 &
fi

# The host writes "stop" when it has what it needs.
while read -r line </dev/hvc0; do
    [ "$line" = stop ] && break
done
systemctl stop wowkiosk.service
sync
say "wowvm-stopped"
