#!/usr/bin/env bash
# build-image.sh - builds the Raspberry Pi (arm64) SD card image of a wowkiosk:
# Debian 12 "bookworm" made with debootstrap, its second stage run through
# qemu-user-static, Debian's Raspberry Pi firmware and arm64 kernel, the
# wowkiosk and wowdash .debs installed with apt, the kiosk service enabled,
# the kiosk's state on its own data partition, and optionally a read-only
# root (overlayroot) or two system slots updated by RAUC (--ab). Runs on Debian 12 as root, without Docker.
# How to use it and why it is built this way: docs/DEPLOY.md, "The image".
# shellcheck disable=SC2015 # "test && test || die" is meant
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RPI_DIR=$(dirname "$HERE")

# shellcheck source=lib/common.sh
. "$HERE/lib/common.sh"
# shellcheck source=stages/10-bootstrap.sh
. "$HERE/stages/10-bootstrap.sh"
# shellcheck source=stages/20-packages.sh
. "$HERE/stages/20-packages.sh"
# shellcheck source=stages/30-configure.sh
. "$HERE/stages/30-configure.sh"
# shellcheck source=stages/40-image.sh
. "$HERE/stages/40-image.sh"

usage() {
    cat <<'EOF'
Usage: build-image.sh [--stage STAGE] --out DIR [--deb FILE]... [options]

Stages, in order (each can be run again; a finished one is skipped or redone
cheaply; "all" runs them in order):
  foreign    debootstrap --foreign --arch arm64 into DIR/rootfs (no qemu yet)
  second     debootstrap's second stage inside the tree, through qemu-aarch64
  bootstrap  foreign + second
  packages   kernel, Raspberry Pi firmware, system services and the --deb
             packages, with apt inside the tree
  configure  service enabled, getty@tty1 masked, fstab, boot template,
             journald, overlayroot (no network, qemu, mounts or root needed:
             works on any tree given with --rootfs)
  image      DIR/wowkiosk.img: MBR, boot (FAT32), root (ext4), data (ext4);
             with --ab: config (FAT32), boot A and B, root A and B, data
  all        every stage above (the default)

Options:
  --out DIR            where the tree, stamps and image go (required, except
                       for configure with --rootfs)
  --rootfs DIR         the tree (default DIR/rootfs)
  --deb FILE           a .deb to install (arm64 or all); give it once per
                       package: --deb wowkiosk_V_arm64.deb --deb wowdash_V_arm64.deb
  --read-only-root     root read-only under overlayroot (changes go to RAM),
                       journal in RAM; the store stays on the data partition
  --ab                 two system slots for A/B updates with RAUC (docs/DEPLOY.md,
                       "Updating a fleet safely"): partition 1 autoboot.txt and
                       wowkiosk.conf, 2 and 3 boot A and B, 5 and 6 root A and B,
                       7 data; RAUC, slot-check and the updater's timer enabled
  --keyring FILE       with --ab: the fleet's CA certificate (PEM), as
                       /etc/rauc/keyring.pem: bundles must be signed under it
  --system-version V   with --ab: /etc/wowkiosk/system-version (default: the
                       wowkiosk package's version)
  --config-size MIB    with --ab: partition 1 (default 64)
  --boot-size MIB      boot partition (default 256)
  --root-size MIB      root partition (default: what the tree needs + 25% + 256)
  --data-size MIB      data partition (default 512; with --ab 1024: it also holds
                       a downloaded update, and the updater keeps 64 MiB for the store)
  --hostname NAME      host name of every kiosk (default wowkiosk)
  --conf FILE          boot-partition template (default platform/rpi/wowkiosk.conf)
  --extra-packages "A B"  more Debian packages to install
  --initrd-modules LIST  the initramfs holds only these kernel modules (comma-
                       separated, their dependencies added: MODULES=list), not
                       Debian's MODULES=most; for a virtual kiosk, e.g.
                       virtio_pci,virtio_blk,ext4 (default: most, for every Pi)
  --mirror URL         Debian mirror (default: the host's apt source for bookworm)
  --security-mirror URL  (default: the host's apt source for bookworm-security,
                       else the mirror's debian-security beside it)
  --image-name NAME    file name of the image in DIR (default wowkiosk.img)
  -h, --help           this text
EOF
}

# Defaults; the options below change them.
STAGE=all
OUT=
ROOTFS=
DEBS=()
READ_ONLY_ROOT=0
AB=0
KEYRING=
SYSTEM_VERSION=
CONFIG_MB=64
BOOT_MB=256
ROOT_MB=auto
DATA_MB=        # 512, or 1024 with --ab (after the options)
HOSTNAME_KIOSK=wowkiosk
CONF_TEMPLATE=$RPI_DIR/wowkiosk.conf
EXTRA_PACKAGES=
INITRD_MODULES=most
MIRROR=
SECURITY_MIRROR=
SUITE=bookworm
IMAGE_NAME=wowkiosk.img
# The tree that has /proc, /dev... mounted right now, for the exit trap.
CHROOT_MOUNTED=

# Stops unless $2 (the value of option $1) is a whole number of MiB >= $3.
check_size() {
    [[ $2 =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] || die "$1: expected a size in MiB of at least $3, got '$2'"
}

parse_args() {
    while [ $# -gt 0 ]; do
        case "$1" in
        --stage) STAGE=${2:?--stage needs a value}; shift ;;
        --out) OUT=${2:?--out needs a directory}; shift ;;
        --rootfs) ROOTFS=${2:?--rootfs needs a directory}; shift ;;
        --deb) DEBS+=("$(realpath -m "${2:?--deb needs a file}")"); shift ;;
        --read-only-root) READ_ONLY_ROOT=1 ;;
        --ab) AB=1 ;;
        --keyring) KEYRING=$(realpath -m "${2:?--keyring needs a file}"); shift ;;
        --system-version) SYSTEM_VERSION=${2:?--system-version needs a value}; shift ;;
        --config-size) CONFIG_MB=${2:-}; shift ;;
        --boot-size) BOOT_MB=${2:-}; shift ;;
        --root-size) ROOT_MB=${2:-}; shift ;;
        --data-size) DATA_MB=${2:?--data-size needs a value}; shift ;;
        --hostname) HOSTNAME_KIOSK=${2:?--hostname needs a name}; shift ;;
        --conf) CONF_TEMPLATE=$(realpath -m "${2:?--conf needs a file}"); shift ;;
        --extra-packages) EXTRA_PACKAGES=${2:-}; shift ;;
        --initrd-modules) INITRD_MODULES=${2:-}; shift ;;
        --mirror) MIRROR=${2:?--mirror needs a URL}; shift ;;
        --security-mirror) SECURITY_MIRROR=${2:?--security-mirror needs a URL}; shift ;;
        --image-name) IMAGE_NAME=${2:?--image-name needs a name}; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument '$1'" ;;
        esac
        shift
    done
    case "$STAGE" in
    foreign | second | bootstrap | packages | configure | image | all) ;;
    *) die "--stage: expected foreign, second, bootstrap, packages, configure, image or all, got '$STAGE'" ;;
    esac
    [ -n "$DATA_MB" ] || DATA_MB=$([ "$AB" = 1 ] && echo 1024 || echo 512)
    check_size --boot-size "$BOOT_MB" 64
    check_size --data-size "$DATA_MB" 16
    check_size --config-size "$CONFIG_MB" 33
    if [ "$AB" = 1 ]; then
        [ -n "$KEYRING" ] || die "--ab needs --keyring FILE (the fleet's CA certificate)"
        [ "$READ_ONLY_ROOT" = 0 ] || die "--ab with --read-only-root: not supported yet"
    fi
    # the kiosk's rule for the version its heartbeat reports (sync_update_version_ok)
    [[ -z $SYSTEM_VERSION || $SYSTEM_VERSION =~ ^[0-9A-Za-z.+~-]{1,63}$ ]] ||
        die "--system-version: expected 1 to 63 letters, digits and . + ~ -, got '$SYSTEM_VERSION'"
    [ "$ROOT_MB" = auto ] || check_size --root-size "$ROOT_MB" 32
    [[ $INITRD_MODULES == most || $INITRD_MODULES =~ ^[a-z0-9_-]+(,[a-z0-9_-]+)*$ ]] ||
        die "--initrd-modules: expected 'most' or module names separated by commas (virtio_blk,ext4), got '$INITRD_MODULES'"
    [[ $HOSTNAME_KIOSK =~ ^[a-z0-9][a-z0-9-]{0,62}$ ]] ||
        die "--hostname: expected 1-63 of a-z 0-9 -, got '$HOSTNAME_KIOSK'"
    if [ -z "$OUT" ]; then
        [ "$STAGE" = configure ] && [ -n "$ROOTFS" ] || die "--out DIR is required (see --help)"
    else
        mkdir -p "$OUT"
        OUT=$(realpath "$OUT")
    fi
    [ -n "$ROOTFS" ] || ROOTFS=$OUT/rootfs
    ROOTFS=$(realpath -m "$ROOTFS")
}

# The mirrors, when not given: those the host's apt already uses.
find_mirrors() {
    [ -n "$MIRROR" ] || MIRROR=$(host_apt_uri "$SUITE")
    [ -n "$MIRROR" ] ||
        die "no apt source for $SUITE in /etc/apt/sources.list{,.d}: give the Debian mirror with --mirror URL"
    [ -n "$SECURITY_MIRROR" ] || SECURITY_MIRROR=$(host_apt_uri "$SUITE-security")
    [ -n "$SECURITY_MIRROR" ] || SECURITY_MIRROR=${MIRROR%/*}/debian-security
}

# Whatever happens, no mount is left inside the tree.
on_exit() {
    if [ -n "$CHROOT_MOUNTED" ]; then
        chroot_umount "$CHROOT_MOUNTED" || true
    fi
}

main() {
    parse_args "$@"
    case "$STAGE" in
    foreign | bootstrap | packages | all) find_mirrors ;;
    esac
    trap on_exit EXIT
    case "$STAGE" in
    foreign) stage_foreign ;;
    second) stage_second ;;
    bootstrap) stage_foreign; stage_second ;;
    packages) stage_packages ;;
    configure) stage_configure ;;
    image) stage_image ;;
    all)
        # Check what can be checked before the long stages start.
        require_root "the whole build"
        check_debs
        need_host_tools qemu-aarch64-static:qemu-user-static update-binfmts:binfmt-support
        require_binfmt_aarch64 ""
        stage_foreign
        stage_second
        stage_packages
        stage_configure
        stage_image
        ;;
    esac
}

main "$@"
