#!/bin/sh
# Installs what the arm64 cross build needs (`make cross-arm64`), and only what
# is missing.  Safe to run again.
#
#   sh scripts/install-cross-deps.sh [SYSROOT]      (default: build-arm64/sysroot)
#
# 1. Host packages (root or sudo): the aarch64 cross compiler, qemu-user for the
#    smoke run, and the host tools the cross build calls.
# 2. SYSROOT: the arm64 -dev packages of every library the build links, with
#    their dependencies, unpacked with dpkg-deb -x.  No root needed, and the
#    host's dpkg database and architectures are left alone: why a sysroot and
#    not multiarch :arm64 packages is said in cmake/aarch64-linux-gnu.cmake.
#    The package lists and .debs are fetched with the host's apt sources into
#    SYSROOT.apt/ (a private apt state), which is removed once SYSROOT is whole.
set -eu

host_packages="gcc-aarch64-linux-gnu qemu-user cmake make pkg-config file"
# What the build links (CMakeLists.txt's pkg_check_modules) and the C library.
arm64_dev_packages="libc6-dev libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev
libsqlite3-dev libinih-dev libpq-dev libsodium-dev libmicrohttpd-dev"

sysroot=${1:-build-arm64/sysroot}
mkdir -p "$(dirname "$sysroot")"
sysroot="$(cd "$(dirname "$sysroot")" && pwd)/$(basename "$sysroot")"
stamp="$sysroot/.wow-sysroot-packages"

install_host_packages() {
    missing=""
    for p in $host_packages; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
            missing="$missing $p"
        fi
    done
    [ -z "$missing" ] && return 0
    echo "install-cross-deps: installing$missing"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    # Another apt run (scripts/install-deps.sh) may hold the lock: wait for it.
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
    # shellcheck disable=SC2086 # word splitting of the package list is wanted
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
        install -y -qq --no-install-recommends $missing
}

# Runs apt-get on the private state in $work: amd64 host, arm64 foreign, an
# empty dpkg status so that every dependency is resolved, none assumed.
apt_private() {
    sandbox=""
    # As root apt downloads as _apt, which cannot write into $work.
    [ "$(id -u)" -eq 0 ] && sandbox="-o APT::Sandbox::User=root"
    # shellcheck disable=SC2086 # $sandbox is zero or two words
    apt-get -q -o Debug::NoLocking=1 $sandbox \
        -o APT::Architecture="$(dpkg --print-architecture)" -o APT::Architectures::=arm64 \
        -o Dir::State="$work/state" -o Dir::State::status="$work/state/status" \
        -o Dir::Cache="$work/cache" "$@"
}

# Absolute symlinks (libfoo.so -> /lib/aarch64-linux-gnu/libfoo.so.1) would
# point into the host: make them relative, inside the sysroot.
relativize_links() {
    find "$1" -type l | while read -r link; do
        target=$(readlink "$link")
        case "$target" in
        /*) ln -sfn "$(realpath -m -s --relative-to="$(dirname "$link")" "$1$target")" "$link" ;;
        esac
    done
}

build_sysroot() {
    work="$sysroot.apt"
    rm -rf "$work" "$sysroot.new"
    mkdir -p "$work/state/lists/partial" "$work/cache/archives/partial" "$work/debs" "$sysroot.new"
    : >"$work/state/status"
    echo "install-cross-deps: fetching arm64 package lists"
    apt_private update -qq
    requested=""
    for p in $arm64_dev_packages; do requested="$requested $p:arm64"; done
    # "Inst NAME[:arm64] (VERSION ... [ARCH]) [[]]": keep arm64 and arch-all
    # packages; amd64 ones are host tools (Multi-Arch: foreign) such as pkgconf.
    # shellcheck disable=SC2086 # word splitting of the package list is wanted
    apt_private -s install --no-install-recommends $requested >"$work/plan"
    wanted=$(awk '$1 == "Inst" && / \[(arm64|all)\]\)/ { print $2 }' "$work/plan")
    if [ -z "$wanted" ]; then
        echo "install-cross-deps: $work/plan: expected 'Inst' lines for arm64 packages, found none" >&2
        exit 1
    fi
    echo "install-cross-deps: downloading $(echo "$wanted" | wc -l) arm64 packages into $sysroot"
    # shellcheck disable=SC2086 # word splitting of the package list is wanted
    (cd "$work/debs" && apt_private download $wanted >/dev/null)
    for deb in "$work/debs"/*.deb; do
        dpkg-deb -x "$deb" "$sysroot.new"
    done
    relativize_links "$sysroot.new"
    for f in usr/include/stdio.h lib/aarch64-linux-gnu/libc.so.6 \
        usr/lib/aarch64-linux-gnu/pkgconfig/sdl2.pc; do
        if [ ! -e "$sysroot.new/$f" ]; then
            echo "install-cross-deps: $sysroot.new/$f: expected after unpacking, missing" >&2
            exit 1
        fi
    done
    echo "$arm64_dev_packages" >"$sysroot.new/.wow-sysroot-packages"
    rm -rf "$sysroot" "$work"
    mv "$sysroot.new" "$sysroot"
}

install_host_packages
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$arm64_dev_packages" ]; then
    build_sysroot
fi
