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
# 3. For the arm64 .debs' Depends: SYSROOT/.dpkg, a dpkg database of the
#    sysroot's shared-library packages (their file lists, symbols and shlibs
#    files), and SYSROOT/.host-bin/dpkg-shlibdeps, which runs the host's
#    dpkg-shlibdeps on it; CPack finds that one first on PATH (Makefile).
set -eu

host_packages="gcc-aarch64-linux-gnu qemu-user cmake make pkg-config file"
# What the build links (CMakeLists.txt's pkg_check_modules) and the C library.
arm64_dev_packages="libc6-dev libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev libdrm-dev
libsqlite3-dev libinih-dev libpq-dev libsodium-dev libmicrohttpd-dev libcurl4-openssl-dev
libespeak-ng-dev libqrencode-dev"

sysroot=${1:-build-arm64/sysroot}
mkdir -p "$(dirname "$sysroot")"
sysroot="$(cd "$(dirname "$sysroot")" && pwd)/$(basename "$sysroot")"
stamp="$sysroot/.wow-sysroot-packages"
# What the stamp holds: the layout (bump it when this script changes what it
# puts in SYSROOT) and the package list; a sysroot with another is rebuilt.
wanted_stamp="layout 3: .dpkg .host-bin
$arm64_dev_packages"

. "$(dirname "$0")/apt-missing.sh"

install_host_packages() {
    # shellcheck disable=SC2086 # word splitting of the package list is wanted
    apt_install_missing install-cross-deps $host_packages
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

# Records the library package $1 (a .deb) in the dpkg database $2 as if
# installed at $3 (the sysroot's final, physical path), so that
# dpkg-shlibdeps --admindir=$2 finds which package ships a library there and
# reads its symbols or shlibs file.  Packages without either are skipped.
record_library_package() {
    ctl="$work/control"
    rm -rf "$ctl"
    dpkg-deb -e "$1" "$ctl"
    [ -f "$ctl/symbols" ] || [ -f "$ctl/shlibs" ] || return 0
    name=$(awk '$1 == "Package:" { print $2 }' "$ctl/control")
    # dpkg names a Multi-Arch: same package's files NAME:ARCH.*.
    if grep -q '^Multi-Arch: same' "$ctl/control"; then
        name="$name:$(awk '$1 == "Architecture:" { print $2 }' "$ctl/control")"
    fi
    { awk '{ print } $1 == "Package:" { print "Status: install ok installed" }' "$ctl/control"
      echo; } >>"$2/status"
    dpkg-deb --fsys-tarfile "$1" | tar -t | sed -e 's|^\.||' -e 's|/$||' -e '/^$/d' -e "s|^|$3|" \
        >"$2/info/$name.list"
    for f in symbols shlibs; do
        [ ! -f "$ctl/$f" ] || cp "$ctl/$f" "$2/info/$name.$f"
    done
}

# SYSROOT/.host-bin/dpkg-shlibdeps: the host's, told that the binaries are
# arm64 (DEB_HOST_ARCH: aarch64-linux-gnu-objdump reads them) and where the
# libraries and the database of their packages are.  $1: where to write it,
# $2: the sysroot's final, physical path.
write_shlibdeps_wrapper() {
    mkdir -p "$1/.host-bin"
    cat >"$1/.host-bin/dpkg-shlibdeps" <<EOF
#!/bin/sh
# Written by scripts/install-cross-deps.sh: dpkg-shlibdeps for arm64 binaries
# linked against the sysroot $2.
exec env DEB_HOST_ARCH=arm64 /usr/bin/dpkg-shlibdeps --admindir="$2/.dpkg" \\
    -l"$2/lib/aarch64-linux-gnu" -l"$2/usr/lib/aarch64-linux-gnu" "\$@"
EOF
    chmod +x "$1/.host-bin/dpkg-shlibdeps"
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
    admin="$sysroot.new/.dpkg"
    mkdir -p "$admin/info" "$admin/updates"
    # Format 1: info files of Multi-Arch: same packages are named NAME:ARCH.*.
    echo 1 >"$admin/info/format"
    : >"$admin/status"
    physical="$(cd "$(dirname "$sysroot")" && pwd -P)/$(basename "$sysroot")"
    for deb in "$work/debs"/*.deb; do
        dpkg-deb -x "$deb" "$sysroot.new"
        record_library_package "$deb" "$admin" "$physical"
    done
    relativize_links "$sysroot.new"
    write_shlibdeps_wrapper "$sysroot.new" "$physical"
    for f in usr/include/stdio.h lib/aarch64-linux-gnu/libc.so.6 \
        usr/lib/aarch64-linux-gnu/pkgconfig/sdl2.pc; do
        if [ ! -e "$sysroot.new/$f" ]; then
            echo "install-cross-deps: $sysroot.new/$f: expected after unpacking, missing" >&2
            exit 1
        fi
    done
    echo "$wanted_stamp" >"$sysroot.new/.wow-sysroot-packages"
    rm -rf "$sysroot" "$work"
    mv "$sysroot.new" "$sysroot"
}

install_host_packages
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted_stamp" ]; then
    build_sysroot
fi
