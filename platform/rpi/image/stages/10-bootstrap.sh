# 10-bootstrap.sh - stages "foreign" and "second": a minimal Debian arm64 tree
# from debootstrap. "foreign" unpacks the packages on the host (no aarch64 code
# runs); "second" runs debootstrap's second stage inside the tree, where the
# kernel hands every aarch64 binary to qemu-aarch64-static (binfmt_misc).
# Sourced by build-image.sh; uses its variables (OUT, ROOTFS, MIRROR, SUITE).
# shellcheck shell=bash disable=SC2015 # "test && test || die" is meant

# A finished stage leaves a stamp file in $OUT; a stage that finds its stamp
# skips its work, a stage that finds none starts it over.
stamp_path() {
    printf '%s/.stamp-%s' "$OUT" "$1"
}

# Removes the tree (never through a mount into the host).
rootfs_remove() {
    [ -e "$ROOTFS" ] || return 0
    chroot_umount "$ROOTFS"
    require_no_mounts "$ROOTFS"
    rm -rf --one-file-system "$ROOTFS"
}

# Stage "foreign": debootstrap --foreign into $ROOTFS.
stage_foreign() {
    require_root "stage foreign"
    need_host_tools debootstrap:debootstrap gpgv:gpgv \
        /usr/share/keyrings/debian-archive-keyring.gpg:debian-archive-keyring
    if [ -f "$(stamp_path foreign)" ] && [ -d "$ROOTFS" ]; then
        say "foreign: done before ($(stamp_path foreign)); skipping"
        return 0
    fi
    rm -f "$(stamp_path foreign)" "$(stamp_path second)" "$(stamp_path packages)"
    rootfs_remove
    mkdir -p "$ROOTFS"
    say "foreign: debootstrap --foreign --arch arm64 $SUITE into $ROOTFS from $MIRROR"
    local started=$SECONDS
    # ca-certificates only when apt needs it to reach an https mirror: the
    # packages stage installs it anyway, and each configuration of it runs
    # its postinst's shell loops and a rehash of every certificate through
    # qemu (81 s here in the second stage, 180 s more when dist-upgrade
    # replaced it: most of what that upgrade cost).
    local include=apt-utils
    case "$MIRROR $SECURITY_MIRROR" in
    *https://*) include=ca-certificates,$include ;;
    esac
    debootstrap --foreign --arch arm64 --variant=minbase \
        --components=main,non-free-firmware \
        --include="$include" \
        "$SUITE" "$ROOTFS" "$MIRROR" ||
        die "debootstrap --foreign failed; see $ROOTFS/debootstrap/debootstrap.log"
    [ -d "$ROOTFS/debootstrap" ] || die "debootstrap left no $ROOTFS/debootstrap directory"
    touch "$(stamp_path foreign)"
    say "foreign: done in $((SECONDS - started)) s"
}

# Stage "second": debootstrap --second-stage inside the tree, through qemu.
stage_second() {
    require_root "stage second"
    need_host_tools qemu-aarch64-static:qemu-user-static update-binfmts:binfmt-support
    if [ -f "$(stamp_path second)" ]; then
        say "second: done before ($(stamp_path second)); skipping"
        return 0
    fi
    [ -f "$(stamp_path foreign)" ] && [ -d "$ROOTFS/debootstrap" ] ||
        die "no first stage in $ROOTFS (expected $ROOTFS/debootstrap/): run --stage foreign first"
    require_binfmt_aarch64 "$ROOTFS"
    say "second: debootstrap --second-stage in $ROOTFS (aarch64 under qemu; a few minutes)"
    local started=$SECONDS
    if ! chroot "$ROOTFS" /debootstrap/debootstrap --second-stage; then
        # A half-configured second stage cannot be resumed reliably: the next
        # run starts from the first stage.
        rm -f "$(stamp_path foreign)"
        chroot_umount "$ROOTFS"
        die "debootstrap --second-stage failed (see $ROOTFS/debootstrap/debootstrap.log); the next run starts over"
    fi
    chroot_umount "$ROOTFS"
    touch "$(stamp_path second)"
    say "second: done in $((SECONDS - started)) s"
}
