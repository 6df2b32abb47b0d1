#!/usr/bin/env bash
# vm-test.sh - the virtual kiosk (`make vm-test`): builds the arm64 .debs and the
# Raspberry Pi image only when their inputs changed, then boots the image in
# qemu-system-aarch64 and drives it as a customer (tests/vm/vm_kiosk.py).
#
#   tests/vm/vm-test.sh [BUILD]        (BUILD: the host build with wowdash; default build)
#
# The cache ($WOW_VM_CACHE, default /var/cache/wowkiosk-vm) holds
#   debs/KEY/*.deb   the .debs, KEY a hash of what the programs are built from
#                    (app lib platform assets cmake CMakeLists.txt, less the image
#                    scripts; docs and tests do not count);
#   image/           build-image.sh's --out: the rootfs with its stage stamps
#                    (debootstrap runs once; the packages stage again only for
#                    other .debs) and wowkiosk.img, whose key is in image/.vm-key
#                    (the .debs' key and the image scripts' hash).
# A second run with nothing changed builds nothing. Long steps run under
# nice -n $WOW_VM_NICE (default 19: a developer's machine stays usable).
#
# WOW_VM_INITRD_MODULES=LIST: the image's initramfs with only these modules
# (build-image.sh --initrd-modules), not Debian's MODULES=most; CI uses it
# (.ci/run says why). WOW_VM_WAIT_FOR=FILE: build first, then wait for FILE
# (the host build's end: CI starts this before `make build`) before the boot.
# Needs root (debootstrap, chroot); the packages: scripts/install-deps.sh.
#
# WOW_VM_AB=1 (`make vm-ab`): the A/B image instead (build-image.sh --ab, in
# image-ab/, its rootfs and stamps apart from the one-slot image's), whose
# keyring is a development CA kept in the cache (ab-keys/dev.cert.pem, made
# once with openssl; its key signs the test's bundles), and tests/vm/vm_ab.py
# boots it: A/B updates through the virtual Pi firmware.
# WOW_VM_ROLLOUT=1 (`make vm-rollout`, with WOW_VM_AB=1): the same image, and
# tests/vm/vm_rollout.py rolls the good bundle out from the dashboard to two
# kiosks, a canary and one waiting (the bundle kept with vm_ab.py's).
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$(realpath -m "${1:-$SRC/build}")
CACHE=${WOW_VM_CACHE:-/var/cache/wowkiosk-vm}
CROSS_BUILD=${WOW_VM_CROSS_BUILD:-$SRC/build-arm64}

say() {
    printf 'vm-test: %s\n' "$*" >&2
}

die() {
    printf 'vm-test: error: %s\n' "$*" >&2
    exit 1
}

# Prints a short hash of the files git knows (tracked or not ignored) under the
# given pathspecs.
tree_hash() {
    (
        cd "$SRC"
        git ls-files -co --exclude-standard -z -- "$@" | LC_ALL=C sort -z |
            while IFS= read -r -d '' f; do
                [ -f "$f" ] && printf '%s  %s\n' "$(sha256sum <"$f" | cut -c1-64)" "$f"
            done
    ) | sha256sum | cut -c1-16
}

NICE=${WOW_VM_NICE:-19}
INITRD_MODULES=${WOW_VM_INITRD_MODULES:-most}
WAIT_FOR=${WOW_VM_WAIT_FOR:-}
[[ $NICE =~ ^-?[0-9]+$ ]] || die "WOW_VM_NICE: expected a niceness (0 to 19), got '$NICE'"

# Stops unless the host build has the dashboard the virtual kiosk uses.
need_wowdash() {
    [ -n "${WOW_VM_AB:-}" ] && [ -z "${WOW_VM_ROLLOUT:-}" ] || [ -x "$BUILD/app/dash/wowdash" ] ||
        die "$BUILD/app/dash/wowdash: not built (make build first)"
}

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, binfmt_misc): run it as root"
[ -n "$WAIT_FOR" ] || need_wowdash
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9 || die "cannot lock $CACHE/.lock"

started=$SECONDS
deb_key=$(tree_hash app lib platform assets cmake CMakeLists.txt ':!platform/rpi/image')
debs_dir=$CACHE/debs/$deb_key
if ls "$debs_dir"/wowkiosk_*_arm64.deb "$debs_dir"/wowdash_*_arm64.deb >/dev/null 2>&1; then
    say "arm64 .debs: cached ($debs_dir)"
else
    say "arm64 .debs: building ($deb_key) in $CROSS_BUILD"
    t=$SECONDS
    nice -n "$NICE" make -C "$SRC" --no-print-directory cross-arm64 CROSS_BUILD="$CROSS_BUILD" JOBS="$(nproc)" >&2
    rm -rf "$CACHE/debs"
    mkdir -p "$debs_dir"
    cp "$CROSS_BUILD"/packages/wowkiosk_*_arm64.deb "$CROSS_BUILD"/packages/wowdash_*_arm64.deb "$debs_dir/"
    say "arm64 .debs: built in $((SECONDS - t)) s"
fi
debs=()
for deb in "$debs_dir"/*.deb; do
    debs+=(--deb "$deb")
done
deb_time=$((SECONDS - started))

image_dir=$CACHE/image
image_key="$deb_key-$(tree_hash platform/rpi/image platform/rpi/wowkiosk.conf)"
image_args=(--initrd-modules "$INITRD_MODULES")
[ "$INITRD_MODULES" = most ] || image_key="$image_key-initrd-$INITRD_MODULES"
if [ -n "${WOW_VM_AB:-}" ]; then
    keys=$CACHE/ab-keys
    if [ ! -f "$keys/dev.cert.pem" ]; then
        say "A/B: a development CA in $keys (never a fleet's)"
        mkdir -p "$keys"
        openssl req -x509 -newkey rsa:2048 -nodes -keyout "$keys/dev.key.pem.new" \
            -out "$keys/dev.cert.pem.new" -subj "/O=wowkiosk tests/CN=wowkiosk development CA" \
            -days 3650 2>/dev/null || die "openssl could not make the development CA"
        mv "$keys/dev.key.pem.new" "$keys/dev.key.pem"
        mv "$keys/dev.cert.pem.new" "$keys/dev.cert.pem"
    fi
    image_dir=$CACHE/image-ab
    image_key="$image_key-ab-$(sha256sum <"$keys/dev.cert.pem" | cut -c1-16)-$(tree_hash platform/rpi/update)"
    image_args+=(--ab --keyring "$keys/dev.cert.pem")
fi
if [ -f "$image_dir/wowkiosk.img" ] && [ "$(cat "$image_dir/.vm-key" 2>/dev/null)" = "$image_key" ]; then
    say "image: cached ($image_dir/wowkiosk.img, $image_key)"
else
    say "image: building ($image_key) in $image_dir"
    t=$SECONDS
    rm -f "$image_dir/.vm-key"
    nice -n "$NICE" bash "$SRC/platform/rpi/image/build-image.sh" --out "$image_dir" "${debs[@]}" \
        "${image_args[@]}" >&2
    printf '%s\n' "$image_key" >"$image_dir/.vm-key"
    say "image: built in $((SECONDS - t)) s"
fi
image_time=$((SECONDS - started - deb_time))

if [ -n "${WOW_VM_ONLY_BUILD:-}" ]; then
    say "wall time: .debs $deb_time s, image $image_time s (WOW_VM_ONLY_BUILD: no boot)"
    exit 0
fi
if [ -n "$WAIT_FOR" ] && [ ! -e "$WAIT_FOR" ]; then
    say "waiting for $WAIT_FOR (the host build)"
    while [ ! -e "$WAIT_FOR" ]; do
        sleep 5
    done
    say "waited $((SECONDS - started - deb_time - image_time)) s for the host build"
fi
need_wowdash
t=$SECONDS
status=0
if [ -n "${WOW_VM_ROLLOUT:-}" ]; then
    # shellcheck disable=SC2086 # WOW_VM_ROLLOUT_ARGS: more options of vm_rollout.py
    python3 "$SRC/tests/vm/vm_rollout.py" --image-dir "$image_dir" --keys "$CACHE/ab-keys" \
        --wowdash "$BUILD/app/dash/wowdash" --work "$BUILD/vm-rollout" --bundles-work "$BUILD/vm-ab" \
        ${WOW_VM_ROLLOUT_ARGS:-} || status=$?
    say "wall time: .debs $deb_time s, image $image_time s, rollout $((SECONDS - t)) s, all $((SECONDS - started)) s"
    exit "$status"
fi
if [ -n "${WOW_VM_AB:-}" ]; then
    # shellcheck disable=SC2086 # WOW_VM_AB_ARGS: more options of vm_ab.py, split on spaces
    python3 "$SRC/tests/vm/vm_ab.py" --image-dir "$image_dir" --keys "$CACHE/ab-keys" \
        --work "$BUILD/vm-ab" ${WOW_VM_AB_ARGS:-} || status=$?
    say "wall time: .debs $deb_time s, image $image_time s, A/B $((SECONDS - t)) s, all $((SECONDS - started)) s"
    exit "$status"
fi
python3 "$SRC/tests/vm/vm_kiosk.py" --image-dir "$image_dir" --wowdash "$BUILD/app/dash/wowdash" \
    --work "$BUILD/vm" || status=$?
say "wall time: .debs $deb_time s, image $image_time s, virtual kiosk $((SECONDS - t)) s, all $((SECONDS - started)) s"
exit "$status"
