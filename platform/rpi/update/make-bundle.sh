#!/bin/sh
# make-bundle.sh - a signed RAUC bundle of one kiosk system (its boot partition
# and root file system images), for A/B kiosks (docs/DEPLOY.md, "Updating a
# fleet safely"). The bundle is RAUC's verity format: the signature covers the
# manifest, the manifest the payload's hash tree, so a kiosk checks every
# block it reads. The bundle is checked against the certificate before this
# script says it is made.
#
# The images may come from either slot of a built or running kiosk (the A/B
# image's partitions 2 and 5, say): the bundle's copies get neutral labels
# (wowroot-new, WOWBOOT-NEW), so that while RAUC writes them into the other
# slot no second file system is labelled as the running one; the kiosk's
# slot-install then labels the new slot and writes its cmdline.txt.
#
#   make-bundle.sh --boot BOOT.vfat --root ROOT.ext4 --version V \
#                  --cert CERT.pem --key KEY.pem [--keyring CA.pem] --out FILE.raucb
set -eu

die() {
    printf 'make-bundle: error: %s\n' "$*" >&2
    exit 1
}

boot='' root='' version='' cert='' key='' keyring='' out=''
while [ $# -gt 0 ]; do
    case $1 in
    --boot) boot=${2:?--boot needs a file} ;;
    --root) root=${2:?--root needs a file} ;;
    --version) version=${2:?--version needs a value} ;;
    --cert) cert=${2:?--cert needs a file} ;;
    --key) key=${2:?--key needs a file} ;;
    --keyring) keyring=${2:?--keyring needs a file} ;;
    --out) out=${2:?--out needs a file} ;;
    *) die "unknown argument '$1' (see the comment at the top of $0)" ;;
    esac
    shift 2
done
for pair in "--boot:$boot" "--root:$root" "--cert:$cert" "--key:$key" "--out:$out" "--version:$version"; do
    [ -n "${pair#*:}" ] || die "${pair%%:*} is required"
done
for f in "$boot" "$root" "$cert" "$key"; do
    [ -f "$f" ] || die "$f: no such file"
done
case $version in
*[!0-9A-Za-z.+~-]* | '') die "--version: expected letters, digits and . + ~ -, got '$version'" ;;
esac
command -v rauc >/dev/null || die "rauc: not installed (apt-get install rauc squashfs-tools)"
[ ! -e "$out" ] || die "$out: exists (a bundle is never overwritten)"

work=$(mktemp -d "${TMPDIR:-/tmp}/wowbundle.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/in"
cp --sparse=always "$boot" "$work/in/boot.vfat"
cp --sparse=always "$root" "$work/in/root.ext4"
if ! command -v e2label >/dev/null || ! command -v fatlabel >/dev/null; then
    die "e2label and fatlabel: not installed (apt-get install e2fsprogs dosfstools)"
fi
e2label "$work/in/root.ext4" wowroot-new 2>"$work/log" ||
    die "$root: not an ext4 file system image (e2label: $(tail -1 "$work/log"))"
fatlabel "$work/in/boot.vfat" WOWBOOT-NEW >"$work/log" 2>&1 ||
    die "$boot: not a FAT file system image (fatlabel: $(tail -1 "$work/log"))"
cat >"$work/in/manifest.raucm" <<MANIFEST
[update]
compatible=wowkiosk-rpi-arm64
version=$version
description=wowkiosk system $version

[bundle]
format=verity

[image.boot]
filename=boot.vfat

[image.rootfs]
filename=root.ext4
MANIFEST
rauc bundle --cert "$cert" --key "$key" "$work/in" "$out" >"$work/log" 2>&1 ||
    die "rauc bundle failed: $(tail -1 "$work/log")"
rauc info --keyring "${keyring:-$cert}" "$out" >"$work/log" 2>&1 ||
    die "$out: made, but its signature does not verify with ${keyring:-$cert}: $(tail -1 "$work/log")"
echo "make-bundle: $out (version $version, $(wc -c <"$out") bytes), signed by $(openssl x509 -noout -subject -in "$cert" | sed 's/^subject=//')"
