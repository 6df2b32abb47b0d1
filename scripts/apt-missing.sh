# apt-missing.sh: sourced by the install-*deps.sh scripts.
#
#   apt_install_missing WHO PACKAGE...
# installs those of the Debian packages that are not installed yet (root, or
# through sudo), saying which as "WHO: installing ...".  Waits for another
# apt run (the other script, in parallel) to let go of the lock.

apt_install_missing() {
    who=$1
    shift
    missing=""
    for p in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
            missing="$missing $p"
        fi
    done
    [ -z "$missing" ] && return 0
    echo "$who: installing$missing"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
    # shellcheck disable=SC2086 # word splitting of the package list is wanted
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
        install -y -qq --no-install-recommends $missing
}
