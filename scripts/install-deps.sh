#!/bin/sh
# Installs the Debian 12 packages the build, the tests and the benchmarks
# need, and only those that are missing.  Safe to run again.
set -eu

packages="build-essential cmake pkg-config
libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev libsqlite3-dev libinih-dev
libcmocka-dev sqlite3 valgrind python3 clang-format
libpq-dev postgresql postgresql-client
libsodium-dev libmicrohttpd-dev dpkg-dev systemd file
dosfstools mtools fdisk"

missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing$missing"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is wanted
$sudo apt-get install -y -qq --no-install-recommends $missing
