# 30-configure.sh - stage "configure": turns an installed tree into a kiosk.
# Works on any directory tree (a real image tree or a test's fake one): it only
# writes files and symlinks, so it needs no network, no qemu, no mounts and
# no root. Running it again gives the same tree; switching --read-only-root
# on or off rewrites or removes what differs.
# Sourced by build-image.sh; uses its variables (ROOTFS, READ_ONLY_ROOT, AB,
# KEYRING, SYSTEM_VERSION, HOSTNAME_KIOSK, CONF_TEMPLATE, HERE, RPI_DIR).
# shellcheck shell=bash disable=SC2015 # "test && test || die" is meant

# Labels of the three filesystems; the image stage formats them with these.
LABEL_BOOT=WOWBOOT
LABEL_ROOT=wowroot
LABEL_DATA=wowdata
# The A/B image (--ab): partition 1 keeps LABEL_BOOT (autoboot.txt and the
# technician's wowkiosk.conf), mounted at AB_CONFIG_DIR; each slot's boot
# partition WOWBOOT-A|B and root wowroot-a|b. RAUC's system.conf names the
# slots by partition: the MBR's disk id is AB_DISK_ID.
AB_CONFIG_DIR=/boot/config
AB_DISK_ID=776f776b
# How long systemd waits for LABEL_BOOT's device before giving up on its
# mount (the default, 90 s, ran out on a slow boot of the power-cut test): the
# kiosk, ordered after the mount, then starts on its last good wowkiosk.conf.
# The data partition's device is waited for as long: the kiosk requires its
# mount (the store), and would otherwise not start at all after such a boot.
BOOT_DEVICE_TIMEOUT=5min

# Prints the path of the kiosk's unit file in the tree, or stops.
configure_find_unit() {
    local dir
    for dir in usr/lib/systemd/system lib/systemd/system; do
        if [ -f "$ROOTFS/$dir/wowkiosk.service" ]; then
            printf '%s/%s/wowkiosk.service' "$ROOTFS" "$dir"
            return 0
        fi
    done
    die "$ROOTFS: no lib/systemd/system/wowkiosk.service: install wowkiosk_<ver>_arm64.deb first (stage packages)"
}

# Prints where the kiosk's state directory is, from its unit: the data
# partition is mounted there, so the store can only ever be written to it.
configure_state_dir() {
    local unit=$1 state dynamic
    state=$(unit_service_value "$unit" StateDirectory)
    [ "$state" = wowkiosk ] ||
        die "$unit: [Service] StateDirectory: expected 'wowkiosk' (the data partition is mounted at the state directory), got '${state}'"
    dynamic=$(unit_service_value "$unit" DynamicUser)
    case "$dynamic" in
    yes | true | on | 1) printf '/var/lib/private/wowkiosk' ;;
    *) printf '/var/lib/wowkiosk' ;;
    esac
}

# One fstab line: its six fields, tab-separated, for fstab_columns.
fstab_row() {
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@"
}

# Tab-separated fstab lines on stdin, each column padded to its widest
# field, so the file reads as a table whatever the options' lengths.
fstab_columns() {
    awk -F '\t' '
        { line[NR] = $0; for (i = 1; i <= NF; i++) if (length($i) > w[i]) w[i] = length($i) }
        END {
            for (r = 1; r <= NR; r++) {
                n = split(line[r], f, "\t"); out = ""
                for (i = 1; i < n; i++) out = out sprintf("%-" w[i] "s ", f[i])
                print out f[n]
            }
        }'
}

# /etc/fstab: boot (FAT), root (ext4) and data (ext4) by label.
configure_fstab() {
    local state_dir=$1 root_opts=defaults,noatime boot_opts=defaults,noatime,fmask=0133,dmask=0022
    if [ "$READ_ONLY_ROOT" = 1 ]; then
        root_opts=defaults,noatime,ro
        boot_opts=$boot_opts,ro
    fi
    boot_opts=$boot_opts,nofail,x-systemd.device-timeout=$BOOT_DEVICE_TIMEOUT
    cat >"$ROOTFS/etc/fstab" <<EOF
# /etc/fstab of a wowkiosk image, written by platform/rpi/image/build-image.sh.
# Read-only root: $([ "$READ_ONLY_ROOT" = 1 ] && echo "yes, under overlayroot (/etc/overlayroot.local.conf)" || echo no)
# The kiosk's state (its SQLite store) is on the data partition, mounted at
# its StateDirectory; wowkiosk.service does not start without it. The boot
# partition's device is waited for up to $BOOT_DEVICE_TIMEOUT (a slow boot);
# wowkiosk.service starts after its mount, mounted or not.
EOF
    if [ "$AB" = 1 ]; then
        cat >>"$ROOTFS/etc/fstab" <<EOF
# A/B system (--ab): no line for /, which is the slot the kernel command line
# names (root=LABEL=wowroot-a or -b, mounted rw by the initramfs). Partition 1
# is mounted at $AB_CONFIG_DIR (autoboot.txt, RAUC's backend) and shown again
# at /boot/firmware, where the kiosk reads wowkiosk.conf. The slots' own boot
# partitions are not mounted: only RAUC writes them, as whole images.
EOF
    fi
    {
        fstab_row '# <file system>' '<mount point>' '<type>' '<options>' '<dump>' '<pass>'
        if [ "$AB" = 1 ]; then
            fstab_row "LABEL=$LABEL_BOOT" "$AB_CONFIG_DIR" vfat "$boot_opts" 0 2
            fstab_row "$AB_CONFIG_DIR" /boot/firmware none \
                "bind,nofail,x-systemd.requires-mounts-for=$AB_CONFIG_DIR" 0 0
        else
            fstab_row "LABEL=$LABEL_ROOT" / ext4 "$root_opts" 0 1
            fstab_row "LABEL=$LABEL_BOOT" /boot/firmware vfat "$boot_opts" 0 2
        fi
        fstab_row "LABEL=$LABEL_DATA" "$state_dir" ext4 \
            "defaults,noatime,nodev,nosuid,noexec,nofail,x-systemd.device-timeout=$BOOT_DEVICE_TIMEOUT" 0 2
    } | fstab_columns >>"$ROOTFS/etc/fstab"
    mkdir -p "$ROOTFS/boot/firmware" "$ROOTFS$state_dir"
    if [ "$AB" = 1 ]; then
        mkdir -p "$ROOTFS$AB_CONFIG_DIR"
    elif [ -d "$ROOTFS$AB_CONFIG_DIR" ]; then
        rmdir "$ROOTFS$AB_CONFIG_DIR" 2>/dev/null || true
    fi
}

# The kiosk's unit: enabled, bound to the data partition's mount and ordered
# after the boot partition's.
configure_service() {
    local unit=$1 state_dir=$2 wanted
    systemctl --root="$ROOTFS" --quiet enable wowkiosk.service ||
        die "systemctl --root=$ROOTFS enable wowkiosk.service failed (does $unit have an [Install] section?)"
    wanted=$(unit_install_value "$unit" WantedBy)
    if [ "$wanted" = graphical.target ] && [ -e "$ROOTFS/lib/systemd/system/graphical.target" ]; then
        systemctl --root="$ROOTFS" --quiet set-default graphical.target
    fi
    mkdir -p "$ROOTFS/etc/systemd/system/wowkiosk.service.d"
    cat >"$ROOTFS/etc/systemd/system/wowkiosk.service.d/50-data-partition.conf" <<EOF
# Written by platform/rpi/image/build-image.sh: the store must be on the data
# partition (LABEL=$LABEL_DATA). Without it mounted the kiosk does not start,
# rather than write taps into the root filesystem (a RAM overlay when the
# root is read-only) and lose them at the next reboot.
[Unit]
RequiresMountsFor=$state_dir
EOF
    cat >"$ROOTFS/etc/systemd/system/wowkiosk.service.d/50-boot-partition.conf" <<EOF
# Written by platform/rpi/image/build-image.sh: the kiosk reads its own settings
# (/boot/firmware/wowkiosk.conf) once, at start, so it starts after the boot
# partition's mount has finished: mounted, or given up on when its device did
# not appear within x-systemd.device-timeout=$BOOT_DEVICE_TIMEOUT (/etc/fstab).
# Ordering only, no Requires=: without the partition the kiosk still collects
# taps, on the last good copy of wowkiosk.conf (docs/DEPLOY.md).
[Unit]
After=boot-firmware.mount
EOF
    # Its headless stand-in after a crash loop (OnFailure=) uses the same store
    # and the same settings.
    mkdir -p "$ROOTFS/etc/systemd/system/wowkiosk-headless.service.d"
    cp "$ROOTFS/etc/systemd/system/wowkiosk.service.d/50-data-partition.conf" \
        "$ROOTFS/etc/systemd/system/wowkiosk.service.d/50-boot-partition.conf" \
        "$ROOTFS/etc/systemd/system/wowkiosk-headless.service.d/"
    # The kiosk owns the screen: no login prompt on tty1, now or on a VT switch.
    systemctl --root="$ROOTFS" --quiet mask getty@tty1.service autovt@tty1.service
}

# Network (DHCP on the wired port), name resolution and time: the hours need a
# correct clock and a Pi has no battery-backed one.
configure_network() {
    local unit
    mkdir -p "$ROOTFS/etc/systemd/network"
    install -m 0644 "$HERE/files/20-wired.network" "$ROOTFS/etc/systemd/network/20-wired.network"
    for unit in systemd-networkd.service systemd-resolved.service systemd-timesyncd.service; do
        if [ -e "$ROOTFS/lib/systemd/system/$unit" ] || [ -e "$ROOTFS/usr/lib/systemd/system/$unit" ]; then
            systemctl --root="$ROOTFS" --quiet enable "$unit"
        else
            say "configure: $unit is not in the tree; not enabled"
        fi
    done
}

# Prints the kernel command line in file $1 without the word "ro", with it
# at the end when the root is read-only. overlayroot leaves the root partition
# under the overlay read-write unless the command line says "ro" (the firmware
# hook always writes "rw" before it; the last of the two wins).
cmdline_with_ro() {
    awk -v ro="$READ_ONLY_ROOT" '{
        line = ""
        for (i = 1; i <= NF; i++) if ($i != "ro") line = line (line == "" ? "" : " ") $i
        if (ro == 1) line = line (line == "" ? "" : " ") "ro"
        print line
    }' "$1"
}

# Read-only root: overlayroot on, "ro" on the kernel command line (in the
# firmware hook's settings, for later kernel upgrades, and in cmdline.txt
# when the tree has one), journald in RAM; read-write: all undone.
configure_read_only() {
    local dropin=$ROOTFS/etc/systemd/journald.conf.d/60-wowkiosk.conf file new
    for file in "$ROOTFS/etc/default/raspi-extra-cmdline" "$ROOTFS/boot/firmware/cmdline.txt"; do
        [ -f "$file" ] || continue
        new=$(cmdline_with_ro "$file")
        printf '%s\n' "$new" >"$file"
    done
    mkdir -p "$(dirname "$dropin")"
    if [ "$READ_ONLY_ROOT" = 1 ]; then
        install -m 0644 "$HERE/files/overlayroot.local.conf" "$ROOTFS/etc/overlayroot.local.conf"
        install -m 0644 "$HERE/files/journald-volatile.conf" "$dropin"
    else
        rm -f "$ROOTFS/etc/overlayroot.local.conf"
        install -m 0644 "$HERE/files/journald-persistent.conf" "$dropin"
    fi
}

# One image for many kiosks: no machine id baked in (each kiosk makes its own
# at boot), one host name.
configure_identity() {
    printf '%s\n' "$HOSTNAME_KIOSK" >"$ROOTFS/etc/hostname"
    cat >"$ROOTFS/etc/hosts" <<EOF
127.0.0.1	localhost
127.0.1.1	$HOSTNAME_KIOSK
::1		localhost ip6-localhost ip6-loopback
EOF
    : >"$ROOTFS/etc/machine-id"
    if [ -f "$ROOTFS/var/lib/dbus/machine-id" ] && [ ! -L "$ROOTFS/var/lib/dbus/machine-id" ]; then
        rm -f "$ROOTFS/var/lib/dbus/machine-id"
    fi
}

# The technician's per-kiosk file, on the boot partition.
configure_boot_template() {
    [ -f "$CONF_TEMPLATE" ] || die "no boot template at $CONF_TEMPLATE (expected platform/rpi/wowkiosk.conf)"
    mkdir -p "$ROOTFS/boot/firmware"
    install -m 0644 "$CONF_TEMPLATE" "$ROOTFS/boot/firmware/wowkiosk.conf"
}

# A/B updates (--ab): RAUC's system.conf and the fleet's CA, slot-check's unit
# (keeps a slot only if the kiosk passes its self-test), the updater's timer,
# RAUC's service after the partitions it uses, and the system's version (what
# the updater compares an offer with). Without --ab all of it is taken away.
configure_ab() {
    local conf=$RPI_DIR/update/system.conf dropin=$ROOTFS/etc/systemd/system/rauc.service.d unit version
    if [ "$AB" != 1 ]; then
        rm -f "$ROOTFS/etc/rauc/system.conf" "$ROOTFS/etc/rauc/keyring.pem" \
            "$ROOTFS/etc/wowkiosk/system-version" "$dropin/50-wowkiosk.conf"
        rmdir "$dropin" 2>/dev/null || true
        for unit in wowkiosk-slot.service wowkiosk-updater.timer; do
            rm -f "$ROOTFS/etc/systemd/system/multi-user.target.wants/$unit" \
                "$ROOTFS/etc/systemd/system/timers.target.wants/$unit"
        done
        return 0
    fi
    [ "$READ_ONLY_ROOT" != 1 ] || die "--ab with --read-only-root: not supported yet (overlayroot over a slot is untried)"
    [ -f "$conf" ] && grep -q "by-partuuid/$AB_DISK_ID-05" "$conf" ||
        die "$conf: expected the slots by partition (/dev/disk/by-partuuid/$AB_DISK_ID-05...)"
    [ -n "$KEYRING" ] && [ -f "$KEYRING" ] || die "--ab needs --keyring FILE (the fleet's CA certificate, PEM)"
    grep -q -- '-----BEGIN CERTIFICATE-----' "$KEYRING" || die "--keyring $KEYRING: expected a PEM certificate"
    mkdir -p "$ROOTFS/etc/rauc" "$dropin"
    install -m 0644 "$conf" "$ROOTFS/etc/rauc/system.conf"
    install -m 0644 "$KEYRING" "$ROOTFS/etc/rauc/keyring.pem"
    cat >"$dropin/50-wowkiosk.conf" <<EOF
# Written by platform/rpi/image/build-image.sh --ab: RAUC keeps its slot
# status on the data partition and its backend rewrites $AB_CONFIG_DIR/autoboot.txt.
[Unit]
RequiresMountsFor=/var/lib/wowkiosk $AB_CONFIG_DIR
EOF
    version=$SYSTEM_VERSION
    if [ -z "$version" ]; then
        version=$(awk '/^Package: wowkiosk$/ { p = 1 } p && /^Version:/ { print $2; exit }' \
            "$ROOTFS/var/lib/dpkg/status" 2>/dev/null)
    fi
    [ -n "$version" ] || die "--ab: no --system-version given and no wowkiosk package in the tree"
    mkdir -p "$ROOTFS/etc/wowkiosk"
    printf '%s\n' "$version" >"$ROOTFS/etc/wowkiosk/system-version"
    systemctl --root="$ROOTFS" --quiet enable wowkiosk-slot.service wowkiosk-updater.timer ||
        die "systemctl --root=$ROOTFS enable wowkiosk-slot.service wowkiosk-updater.timer failed (a wowkiosk package without them?)"
}

# Stage "configure".
stage_configure() {
    [ -d "$ROOTFS/etc" ] || die "$ROOTFS: not a root filesystem tree (expected $ROOTFS/etc/)"
    need_host_tools systemctl:systemd
    local unit state_dir
    unit=$(configure_find_unit)
    state_dir=$(configure_state_dir "$unit")
    say "configure: $ROOTFS (read-only root: $([ "$READ_ONLY_ROOT" = 1 ] && echo yes || echo no), A/B: $([ "$AB" = 1 ] && echo yes || echo no), state on the data partition at $state_dir)"
    configure_fstab "$state_dir"
    configure_service "$unit" "$state_dir"
    configure_network
    configure_read_only
    configure_identity
    configure_boot_template
    configure_ab
    say "configure: done"
}
