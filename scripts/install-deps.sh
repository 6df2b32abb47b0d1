#!/bin/sh
# Installs the Debian 12 packages the build, the tests and the benchmarks
# need, and only those that are missing.  Safe to run again.
set -eu

packages="build-essential cmake pkg-config
libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev libdrm-dev libsqlite3-dev libinih-dev
libespeak-ng-dev
libcmocka-dev sqlite3 valgrind python3 clang-format
libpq-dev postgresql postgresql-client
libsodium-dev libqrencode-dev libmicrohttpd-dev dpkg-dev systemd file
dosfstools mtools fdisk
libcurl4-openssl-dev clang clang-tools pmccabe chromium nodejs pgbouncer poppler-utils
xvfb
rauc squashfs-tools dbus-daemon openssl
qemu-system-arm qemu-utils qemu-user-static binfmt-support debootstrap socat e2fsprogs
device-tree-compiler"

. "$(dirname "$0")/apt-missing.sh"
# shellcheck disable=SC2086 # word splitting of the package list is wanted
apt_install_missing install-deps $packages
# npm comes with NodeSource's nodejs, but is its own package in Debian's
command -v npm >/dev/null 2>&1 || apt_install_missing install-deps npm
