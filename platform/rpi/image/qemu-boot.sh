#!/usr/bin/env bash
# qemu-boot.sh - boots a built image in qemu-system-aarch64 (the generic "virt"
# machine, not a Pi: same kernel, initrd, partitions and systemd units, but
# virtio disk and GPU instead of the Pi's SD card and vc4) and checks what a
# kiosk needs from its first boot: the root found by label, overlayroot on
# (with --read-only-root), the data partition mounted at the state directory,
# the kiosk started with its store there. It never changes the image: it
# boots a sparse copy.
#
#   platform/rpi/image/qemu-boot.sh OUT [SECONDS]   (OUT as given to build-image.sh)
#
# Exit status 0 when every check passes; the console log is OUT/qemu-boot.log.
# shellcheck disable=SC2015 # "test && test || die" is meant
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
. "$HERE/lib/common.sh"

OUT=$(realpath "${1:?usage: qemu-boot.sh OUT [SECONDS]}")
LIMIT=${2:-600}
ROOTFS=$OUT/rootfs
IMG=$OUT/wowkiosk.img
LOG=$OUT/qemu-boot.log
COPY=$OUT/qemu-boot.img

need_host_tools qemu-system-aarch64:qemu-system-arm debugfs:e2fsprogs sfdisk:fdisk
[ -f "$IMG" ] || die "$IMG: no image: run build-image.sh --out $OUT first"
kernel=$(find "$ROOTFS/boot" -maxdepth 1 -name 'vmlinuz-*' | sort -V | tail -1)
initrd=$(find "$ROOTFS/boot" -maxdepth 1 -name 'initrd.img-*' | sort -V | tail -1)
[ -n "$kernel" ] && [ -n "$initrd" ] || die "$ROOTFS/boot: no vmlinuz-* or initrd.img-*"
read_only=0
[ -f "$ROOTFS/etc/overlayroot.local.conf" ] && read_only=1

# What the kiosk would see, printed on the console once it has started; then
# systemd powers the machine off (systemd.run's default). systemd.run alone
# would boot into that command only: systemd.unit= brings the normal boot back.
report='until systemctl is-active -q wowkiosk.service; do sleep 2; done; sleep 5; echo wowcheck-begin; findmnt -rno TARGET,SOURCE,FSTYPE,OPTIONS; systemctl is-active wowkiosk.service; ls /var/lib/wowkiosk; echo wowcheck-end'

# The image's own kernel command line, with the virt machine's serial console
# instead of the Pi's.
cmdline=$(tr ' ' '\n' <"$ROOTFS/boot/firmware/cmdline.txt" | grep -v -e '^console=' -e '^quiet$' -e '^$' | tr '\n' ' ')
[ -n "$cmdline" ] || die "$ROOTFS/boot/firmware/cmdline.txt: empty or missing"

cp --sparse=always "$IMG" "$COPY"
say "qemu-boot: booting $COPY (at most $LIMIT s; log $LOG)"
started=$SECONDS
timeout "$LIMIT" qemu-system-aarch64 -M virt -cpu cortex-a72 -smp 2 -m 1024 -nographic -no-reboot \
    -kernel "$kernel" -initrd "$initrd" \
    -append "console=ttyAMA0 ${cmdline}systemd.journald.forward_to_console=1 systemd.unit=multi-user.target systemd.wants=kernel-command-line.service systemd.run=\"/bin/sh -c '$report'\"" \
    -drive if=none,file="$COPY",format=raw,id=hd0 -device virtio-blk-pci,drive=hd0 \
    -device virtio-gpu-pci -netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0,romfile= \
    </dev/null >"$LOG" 2>&1 || true
say "qemu-boot: ran $((SECONDS - started)) s"

failed=0
check() {
    if grep -qE "$2" "$LOG"; then
        say "ok: $1"
    else
        say "FAILED: $1 (no line matching '$2' in $LOG)"
        failed=1
    fi
}
check "kiosk started" 'Started wowkiosk.service'
check "kiosk drew its first frame" 'first frame presented'
check "data partition at /var/lib/wowkiosk" '(^|: )/var/lib/wowkiosk /dev/vda3 ext4 rw'
check "boot partition at /boot/firmware" '(^|: )/boot/firmware /dev/vda1 vfat'
check "report printed" 'wowcheck-end'
if [ "$read_only" = 1 ]; then
    check "overlayroot: / is an overlay" '(^|: )/ overlayroot overlay rw'
    check "overlayroot: the real root read-only" '(^|: )/media/root-ro /dev/vda2 ext4 ro'
    check "boot partition read-only" '(^|: )/boot/firmware /dev/vda1 vfat ro'
fi
if grep -q 'overlayroot: .*not found\|Failure: overlayroot' "$LOG"; then
    say "FAILED: overlayroot reported an error in the initramfs"
    failed=1
fi

# The store must be on the data partition of the card, not in RAM.
start=$(sfdisk -d "$COPY" | awk -F'[=,]' '/qemu-boot.img3/ { gsub(/ /, "", $2); print $2 }')
dd if="$COPY" of="$COPY.p3" bs=512 skip="$start" status=none
if debugfs -R 'ls -l /' "$COPY.p3" 2>/dev/null | grep -q 'kiosk.db'; then
    say "ok: kiosk.db is on the data partition"
else
    say "FAILED: no kiosk.db on the data partition"
    failed=1
fi
rm -f "$COPY" "$COPY.p3"
[ "$failed" = 0 ] || die "qemu-boot: some checks failed; see $LOG"
say "qemu-boot: every check passed"
