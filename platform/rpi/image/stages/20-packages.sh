# 20-packages.sh - stage "packages": the kernel and Raspberry Pi boot firmware,
# the system services the kiosk relies on, and the wowkiosk/wowdash .debs, all
# installed with apt inside the arm64 tree (through qemu) so that every Depends
# of the .debs is resolved from the Debian archive.
# Sourced by build-image.sh; uses its variables (OUT, ROOTFS, MIRROR,
# SECURITY_MIRROR, SUITE, DEBS, EXTRA_PACKAGES, HERE).
# shellcheck shell=bash disable=SC2015 # "test && test || die" is meant

# Debian's own kernel and firmware (docs/DEPLOY.md, "The image", says why),
# what a kiosk with no keyboard needs to boot, get an address and the time,
# and overlayroot, inert until /etc/overlayroot.local.conf turns it on.
# busybox: overlayroot's initramfs script calls grep, which only busybox
# brings into the initrd (without it the root stays read-only with no overlay).
PACKAGES_BASE=(
    linux-image-arm64 raspi-firmware firmware-brcm80211 wireless-regdb
    initramfs-tools busybox zstd systemd-sysv udev kmod dbus
    systemd-timesyncd systemd-resolved ca-certificates tzdata
    e2fsprogs dosfstools overlayroot
)

# The environment of every command run inside the tree.
CHROOT_ENV=(env DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 LC_ALL=C.UTF-8
    PATH=/usr/sbin:/usr/bin:/sbin:/bin)
# apt-get install without questions; the /etc/default/raspi-* files written
# before raspi-firmware is installed are kept over the package's own.
APT_INSTALL=(apt-get install -y --no-install-recommends
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
APT_UPGRADE=(apt-get dist-upgrade -y --no-install-recommends
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

# Checks each --deb: a readable Debian package for arm64 (or all).
check_debs() {
    local deb arch
    command -v dpkg-deb >/dev/null || die "dpkg-deb not found: the build host must be Debian (apt-get install dpkg)"
    [ ${#DEBS[@]} -gt 0 ] || die "no --deb given: the image needs wowkiosk_<ver>_arm64.deb (and wowdash_<ver>_arm64.deb)"
    for deb in "${DEBS[@]}"; do
        [ -f "$deb" ] || die "--deb $deb: no such file"
        arch=$(dpkg-deb -f "$deb" Architecture 2>/dev/null) ||
            die "--deb $deb: not a Debian package (dpkg-deb -f cannot read its control file)"
        case "$arch" in
        arm64 | all) ;;
        *) die "--deb $deb: built for '$arch', expected arm64: build the packages with the aarch64 toolchain (make cross-arm64)" ;;
        esac
    done
}

# With --ab: RAUC and its D-Bus service (rauc-service: `rauc install` and
# `rauc status` talk to it), curl for wowkiosk-updater. Verity bundles need
# only the kernel's dm-verity, loop and squashfs, all in Debian's arm64 kernel.
PACKAGES_AB=(rauc rauc-service curl)

# Prints the Debian packages to install besides the kernel.
packages_list() {
    local p
    for p in "${PACKAGES_BASE[@]}"; do
        [ "$p" = linux-image-arm64 ] || printf '%s\n' "$p"
    done
    [ "${AB:-0}" != 1 ] || printf '%s\n' "${PACKAGES_AB[@]}"
}

# Prints a digest of everything this stage installs, for its stamp.
packages_digest() {
    {
        printf '%s\n' "${PACKAGES_BASE[@]}" "$EXTRA_PACKAGES" "$MIRROR" "$SECURITY_MIRROR"
        printf 'initrd %s\n' "$INITRD_MODULES"
        [ "${AB:-0}" != 1 ] || printf 'ab %s\n' "${PACKAGES_AB[@]}"
        sha256sum "${DEBS[@]}" | cut -d' ' -f1
        cat "$HERE/files/raspi-firmware" "$HERE/files/raspi-firmware-custom" "$HERE/files/raspi-extra-cmdline"
    } | sha256sum | cut -d' ' -f1
}

# Writes apt's sources and the boot firmware's settings into the tree; the
# settings must be there before the kernel is installed, since its hooks
# write cmdline.txt and config.txt from them.
packages_prepare_tree() {
    cat >"$ROOTFS/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main non-free-firmware
deb $MIRROR $SUITE-updates main non-free-firmware
deb $SECURITY_MIRROR $SUITE-security main non-free-firmware
EOF
    install -m 0644 "$HERE/files/raspi-firmware" "$ROOTFS/etc/default/raspi-firmware"
    install -m 0644 "$HERE/files/raspi-firmware-custom" "$ROOTFS/etc/default/raspi-firmware-custom"
    install -m 0644 "$HERE/files/raspi-extra-cmdline" "$ROOTFS/etc/default/raspi-extra-cmdline"
    # No service may start inside the build chroot.
    printf '#!/bin/sh\n# build-image.sh: no service starts while the image is built\nexit 101\n' \
        >"$ROOTFS/usr/sbin/policy-rc.d"
    chmod 0755 "$ROOTFS/usr/sbin/policy-rc.d"
    rm -rf "$ROOTFS/var/cache/wowkiosk-debs"
    mkdir -p "$ROOTFS/var/cache/wowkiosk-debs"
    cp "${DEBS[@]}" "$ROOTFS/var/cache/wowkiosk-debs/"
}

# The initramfs' modules. By default Debian's MODULES=most: every storage,
# USB, input and bus driver of every arm64 board, so one image boots on every
# Pi from SD card or USB. With --initrd-modules LIST (the virtual kiosk in CI)
# only LIST and what it needs: mkinitramfs runs about seven programs per
# module file it copies, each one started through qemu, and MODULES=most made
# it the longest step of the build (1044 s of 1744 s on this 2-core machine,
# mostly alone on it). The two files say so in the image itself.
INITRD_CONF=etc/initramfs-tools/conf.d/wowkiosk-modules.conf
INITRD_HOOK=etc/initramfs-tools/hooks/wowkiosk-modules
packages_initrd_modules() {
    if [ "$INITRD_MODULES" = most ]; then
        rm -f "$ROOTFS/$INITRD_CONF" "$ROOTFS/$INITRD_HOOK"
        return 0
    fi
    mkdir -p "$(dirname "$ROOTFS/$INITRD_CONF")" "$(dirname "$ROOTFS/$INITRD_HOOK")"
    cat >"$ROOTFS/$INITRD_CONF" <<EOF
# build-image.sh --initrd-modules: this image's initramfs holds only the
# modules the hook beside (../hooks/wowkiosk-modules) names, not Debian's
# MODULES=most. Made for a virtual kiosk; a Pi may need more to find its root.
MODULES=list
EOF
    cat >"$ROOTFS/$INITRD_HOOK" <<EOF
#!/bin/sh
# build-image.sh --initrd-modules: the modules of this image's initramfs
# (MODULES=list in ../conf.d/wowkiosk-modules.conf); their dependencies come
# with them.
set -e
[ "\$1" = prereqs ] && exit 0
. /usr/share/initramfs-tools/hook-functions
manual_add_modules ${INITRD_MODULES//,/ }
EOF
    chmod 0755 "$ROOTFS/$INITRD_HOOK"
}

# Gives the chroot the host's name servers: /etc/resolv.conf is a file before
# systemd-resolved is installed and a link into /run (a tmpfs here) after, so
# this runs again before every apt call.
packages_dns() {
    if [ -L "$ROOTFS/etc/resolv.conf" ]; then
        mkdir -p "$ROOTFS/run/systemd/resolve"
        cat /etc/resolv.conf >"$ROOTFS/run/systemd/resolve/stub-resolv.conf"
    else
        cat /etc/resolv.conf >"$ROOTFS/etc/resolv.conf"
    fi
}

# Runs apt inside the tree; the local .debs are given by path so apt resolves
# their Depends. The kernel comes last, alone: every initramfs hook
# (overlayroot's among them) is then in place, and the initrd is made once;
# under qemu that takes minutes.
packages_apt() {
    local debs_in_tree=() deb base=()
    for deb in "${DEBS[@]}"; do
        debs_in_tree+=("/var/cache/wowkiosk-debs/$(basename "$deb")")
    done
    mapfile -t base < <(packages_list)
    packages_dns
    chroot "$ROOTFS" "${CHROOT_ENV[@]}" apt-get update ||
        die "apt-get update inside $ROOTFS failed (mirror $MIRROR)"
    # debootstrap took bookworm as released: bring in the security fixes.
    chroot "$ROOTFS" "${CHROOT_ENV[@]}" "${APT_UPGRADE[@]}" ||
        die "apt-get dist-upgrade inside $ROOTFS failed (see above)"
    # shellcheck disable=SC2086 # EXTRA_PACKAGES is a list of names
    chroot "$ROOTFS" "${CHROOT_ENV[@]}" "${APT_INSTALL[@]}" \
        "${base[@]}" $EXTRA_PACKAGES "${debs_in_tree[@]}" ||
        die "apt-get install inside $ROOTFS failed (see above)"
    # apt leaves a .deb alone when its version is installed already: a rebuilt
    # one of the same version (a development build, an incremental image)
    # must still replace it. Its Depends are in place now.
    chroot "$ROOTFS" "${CHROOT_ENV[@]}" dpkg --force-confdef --force-confold -i "${debs_in_tree[@]}" ||
        die "dpkg -i ${debs_in_tree[*]} inside $ROOTFS failed (see above)"
    packages_check_libraries
    packages_dns
    # The initramfs' settings go in before the kernel, whose installation
    # makes it. A kernel installed by an earlier run kept the initramfs made
    # with the tree's settings then (no hook: MODULES=most): make it again
    # when they change.
    local kernel_before initrd_before
    kernel_before=$(ls "$ROOTFS"/boot/vmlinuz-* 2>/dev/null || true)
    initrd_before=$(cat "$ROOTFS/$INITRD_HOOK" 2>/dev/null || true)
    packages_initrd_modules
    chroot "$ROOTFS" "${CHROOT_ENV[@]}" "${APT_INSTALL[@]}" linux-image-arm64 ||
        die "apt-get install linux-image-arm64 inside $ROOTFS failed (see above)"
    if [ -n "$kernel_before" ] && [ "$initrd_before" != "$(cat "$ROOTFS/$INITRD_HOOK" 2>/dev/null || true)" ]; then
        chroot "$ROOTFS" "${CHROOT_ENV[@]}" update-initramfs -u -k all ||
            die "update-initramfs inside $ROOTFS failed (see above)"
    fi
    # The firmware hook writes /boot/firmware (kernel, initrd, DTBs,
    # config.txt, cmdline.txt) from /etc/default/raspi-*; run it again so a
    # changed setting reaches the boot files even when no kernel was installed.
    chroot "$ROOTFS" "${CHROOT_ENV[@]}" DEB_MAINT_PARAMS=configure /etc/kernel/postinst.d/z50-raspi-firmware ||
        die "the raspi-firmware hook failed inside $ROOTFS"
    [ -f "$ROOTFS/boot/firmware/cmdline.txt" ] && ls "$ROOTFS"/boot/firmware/vmlinuz-* >/dev/null 2>&1 ||
        die "$ROOTFS/boot/firmware: no kernel or cmdline.txt after the firmware hook"
    chroot "$ROOTFS" "${CHROOT_ENV[@]}" apt-get clean
}

# Stops when a program of the .debs cannot find a library: packages built
# without dpkg-shlibdeps (a cross build) declare no library Depends, and the
# kiosk would then fail on the Pi at its first start.
packages_check_libraries() {
    local deb file out missing=""
    for deb in "${DEBS[@]}"; do
        for file in $(dpkg-deb -c "$deb" | awk '{ print $6 }' | grep -E '^\./usr/s?bin/.+[^/]$' | cut -c2-); do
            out=$(chroot "$ROOTFS" "${CHROOT_ENV[@]}" ldd "$file" 2>&1 |
                awk -v f="$file" '/not found/ { printf "%s: %s\n", f, $1 }')
            [ -z "$out" ] || missing+="$out"$'\n'
        done
    done
    [ -z "$missing" ] || die "libraries missing in the image (the .deb lacks their Depends; add them with --extra-packages, or build the .debs with dpkg-shlibdeps):
$missing"
}

# Stage "packages".
stage_packages() {
    check_debs
    require_root "stage packages"
    need_host_tools qemu-aarch64-static:qemu-user-static update-binfmts:binfmt-support
    [ -f "$(stamp_path second)" ] ||
        die "no finished bootstrap in $ROOTFS (expected $(stamp_path second)): run --stage bootstrap first"
    local digest
    digest=$(packages_digest)
    if [ "$(cat "$(stamp_path packages)" 2>/dev/null)" = "$digest" ]; then
        say "packages: done before with the same .debs and list; skipping"
        return 0
    fi
    require_binfmt_aarch64 "$ROOTFS"
    local started=$SECONDS
    say "packages: ${PACKAGES_BASE[*]} $EXTRA_PACKAGES and ${DEBS[*]}"
    packages_prepare_tree
    # shellcheck disable=SC2034 # read by build-image.sh's exit trap
    CHROOT_MOUNTED=$ROOTFS
    chroot_mount "$ROOTFS"
    packages_apt
    chroot_umount "$ROOTFS"
    # shellcheck disable=SC2034 # read by build-image.sh's exit trap
    CHROOT_MOUNTED=
    rm -rf "$ROOTFS/var/cache/wowkiosk-debs" "$ROOTFS/usr/sbin/policy-rc.d"
    printf '%s\n' "$digest" >"$(stamp_path packages)"
    say "packages: done in $((SECONDS - started)) s"
}
