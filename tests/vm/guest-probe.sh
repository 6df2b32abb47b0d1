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
#   wowvm-watchdog ...         the host said "watchdog": the kiosk was stopped
#                              (SIGSTOP) and systemd's watchdog killed and
#                              restarted it (watchdog_test below)
#   wowvm-crashloop ...        the host said "crashloop": each new kiosk was
#                              killed with SIGSEGV until systemd stopped
#                              restarting it; what ran then (crashloop_test)
#   wowvm-stopped              the host said "stop" on /dev/hvc0; the kiosk
#                              was stopped cleanly and the disks synced
#
# A test's own drop-in for wowkiosk.service (to show a check failing, say
# WatchdogSec=90s) comes as /boot/firmware/wowvm-dropin.conf.
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
    systemctl show -p "$1" --value "${2:-wowkiosk.service}"
}

# CLOCK_MONOTONIC in ms (the clock of systemd's *TimestampMonotonic, in us).
now_ms() {
    awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

# Stops the kiosk's main process with SIGSTOP (a hang: its loop sends no
# WATCHDOG=1) and polls until systemd has killed it (WatchdogSec), started
# a new one (RestartSec) and that one is ready (its first frame: READY=1).
# The times are systemd's own (the journal's "Watchdog timeout" line, the new
# process's exec and READY=1), not the polling's:
#   wowvm-watchdog OLD NEW STOP_TO_TIMEOUT_MS TIMEOUT_TO_EXEC_MS EXEC_TO_READY_MS STOP_TO_READY_MS
watchdog_test() {
    old=$(prop MainPID)
    t_stop=$(now_ms)
    kill -STOP "$old"
    t_gone=0
    while :; do
        now=$(now_ms)
        if [ "$t_gone" = 0 ] && ! kill -0 "$old" 2>/dev/null; then
            t_gone=$now
        fi
        new=$(prop MainPID)
        if [ "$t_gone" != 0 ] && [ "$new" != 0 ] && [ "$new" != "$old" ] &&
            [ "$(prop ActiveState)" = active ]; then
            break
        fi
        if [ $((now - t_stop)) -gt 240000 ]; then
            say "wowvm-error: watchdog: no new active kiosk 240 s after SIGSTOP of $old"
            kill -CONT "$old" 2>/dev/null
            return 1
        fi
        sleep 0.1
    done
    exec_ms=$(($(prop ExecMainStartTimestampMonotonic) / 1000))
    ready_ms=$(($(prop ActiveEnterTimestampMonotonic) / 1000))
    # "[  123.456789] wowkiosk systemd[1]: wowkiosk.service: Watchdog timeout (limit 30s)!"
    t_fire=$(journalctl -u wowkiosk.service -o short-monotonic --no-pager 2>/dev/null |
        grep 'Watchdog timeout' | tail -n 1 | sed -n 's/^\[ *\([0-9]*\)\.\([0-9]\{3\}\).*/\1\2/p')
    if [ -z "$t_fire" ] || [ "$t_fire" -lt "$t_stop" ]; then
        say "wowvm-error: watchdog: no 'Watchdog timeout' in the journal after the SIGSTOP" \
            "(the old kiosk was gone $((t_gone - t_stop)) ms after it)"
        return 1
    fi
    say "wowvm-watchdog $old $new $((t_fire - t_stop)) $((exec_ms - t_fire))" \
        "$((ready_ms - exec_ms)) $((ready_ms - t_stop))"
}

# A crash loop: each new kiosk, once it runs /usr/bin/wowkiosk, is killed with
# SIGSEGV until the unit is failed.  The start counter is reset first, so the
# loop spends the whole StartLimitBurst.  Then: is the unit still failed 10 s
# later (no more restarts), and what runs in its place.
#   wowvm-crashloop KILLS RESULT LIMIT_MS STATE_10S_LATER HEADLESS_STATE HEADLESS_STATUS
crashloop_test() {
    systemctl reset-failed wowkiosk.service
    t0=$(now_ms)
    kills=0
    last=
    while :; do
        pid=$(prop MainPID)
        if [ "$pid" != 0 ] && [ "$pid" != "$last" ] &&
            [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = /usr/bin/wowkiosk ]; then
            kill -SEGV "$pid" && kills=$((kills + 1))
            last=$pid
        fi
        [ "$(prop ActiveState)" = failed ] && break
        if [ $(($(now_ms) - t0)) -gt 240000 ]; then
            say "wowvm-error: crashloop: wowkiosk.service not failed 240 s into the loop ($kills kills)"
            break
        fi
        sleep 0.05
    done
    t_limit=$(now_ms)
    result=$(prop Result)
    n=0
    until systemctl is-active -q wowkiosk-headless.service || [ "$n" -ge 100 ]; do
        n=$((n + 1))
        sleep 0.1
    done
    sleep 10
    headless_status=$(prop StatusText wowkiosk-headless.service | tr ' ' _)
    say "wowvm-crashloop $kills $result $((t_limit - t0)) $(prop ActiveState)" \
        "$(prop ActiveState wowkiosk-headless.service) ${headless_status:-none}"
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
if [ -f /boot/firmware/wowvm-dropin.conf ]; then
    cp /boot/firmware/wowvm-dropin.conf /run/systemd/system/wowkiosk.service.d/95-test.conf
fi
systemctl daemon-reload
systemctl restart wowkiosk.service
wait_active || exit 1
say "wowvm-ready"
# A test may add commands of its own (debugging), run beside the waiting.
if [ -f /boot/firmware/wowvm-extra.sh ]; then
    sh /boot/firmware/wowvm-extra.sh >/dev/console 2>&1 &
fi

# The host writes "watchdog" or "crashloop" for those tests, and "stop" when
# it has what it needs.
while read -r line </dev/hvc0; do
    case $line in
    watchdog) watchdog_test ;;
    crashloop) crashloop_test ;;
    stop) break ;;
    esac
done
systemctl stop wowkiosk.service wowkiosk-headless.service
sync
say "wowvm-stopped"
