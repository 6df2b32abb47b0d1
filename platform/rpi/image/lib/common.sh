# common.sh - shared helpers of build-image.sh: messages, checks, host tools,
# and the mounts a chroot needs. Sourced, never run; bash only.
# shellcheck shell=bash disable=SC2015 # "test && test || die" is meant

# Prints a step of the build, so a long log shows where it is.
say() {
    printf 'build-image: %s\n' "$*" >&2
}

# Prints an error and stops the build. $1 is the message; it should say what
# was expected, and where.
die() {
    printf 'build-image: error: %s\n' "$*" >&2
    exit 1
}

# Stops unless we are root; $1 names what needs it.
require_root() {
    [ "$(id -u)" -eq 0 ] || die "$1 needs root (debootstrap, chroot and mounts): run it with sudo or as root"
}

# Installs the Debian packages of the host tools a stage needs, with apt-get,
# when a command is missing. Arguments: pairs "command:package"; a command
# starting with "/" is a file that must exist.
need_host_tools() {
    local pair cmd pkg missing=()
    for pair in "$@"; do
        cmd=${pair%%:*}
        pkg=${pair#*:}
        if [[ $cmd == /* ]]; then
            [ -e "$cmd" ] || missing+=("$pkg")
        elif ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$cmd" ] && [ ! -x "/sbin/$cmd" ]; then
            missing+=("$pkg")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        die "missing host tools; install them as root: apt-get install ${missing[*]}"
    fi
    say "installing host packages: ${missing[*]}"
    apt-get update -qq || die "apt-get update failed; the host packages ${missing[*]} are needed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
        die "apt-get install ${missing[*]} failed"
}

# Makes sure the kernel runs aarch64 binaries through qemu-user-static: mounts
# binfmt_misc if needed, enables the qemu-aarch64 entry, then runs a real
# aarch64 binary from the target tree ($1) to prove it.
require_binfmt_aarch64() {
    local root=$1 entry=/proc/sys/fs/binfmt_misc/qemu-aarch64
    if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
        mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null ||
            die "binfmt_misc is not mounted and cannot be (no CAP_SYS_ADMIN?): aarch64 programs cannot run here"
    fi
    if [ ! -e "$entry" ] || ! grep -qx enabled "$entry"; then
        update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
    fi
    grep -qx enabled "$entry" 2>/dev/null ||
        die "no binfmt entry for aarch64 in /proc/sys/fs/binfmt_misc (expected qemu-aarch64, enabled): install qemu-user-static and binfmt-support, then run update-binfmts --enable qemu-aarch64"
    grep -q '^flags:.*F' "$entry" ||
        die "$entry lacks the F flag: qemu would have to be copied into the chroot; use Debian 12's qemu-user-static"
    if [ -n "$root" ] && [ -x "$root/bin/true" ]; then
        chroot "$root" /bin/true ||
            die "cannot run $root/bin/true (aarch64) through qemu: check $entry"
    fi
}

# Lists the mount points at or below directory $1, deepest first.
mounts_under() {
    local dir
    dir=$(realpath -m "$1")
    awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r
}

# Mounts what apt and maintainer scripts need inside the chroot $1.
chroot_mount() {
    local root=$1
    chroot_umount "$root"
    mount -t proc proc "$root/proc"
    mount -t sysfs sysfs "$root/sys"
    mount --bind /dev "$root/dev"
    mount -t devpts devpts "$root/dev/pts" -o newinstance,ptmxmode=0666,mode=0620
    mount -t tmpfs tmpfs "$root/run" -o mode=0755
}

# Unmounts everything below the chroot $1 (deepest first); safe to call twice.
chroot_umount() {
    local mp
    for mp in $(mounts_under "$1"); do
        umount "$mp" 2>/dev/null || umount -l "$mp" || die "cannot unmount $mp"
    done
}

# Stops when anything is still mounted under $1: copying or deleting the tree
# would then reach into the host's /dev or /proc.
require_no_mounts() {
    local left
    left=$(mounts_under "$1")
    [ -z "$left" ] || die "still mounted under $1: $left (unmount them first)"
}

# Prints the [Install] value $2 (WantedBy, RequiredBy) of unit file $1.
unit_install_value() {
    awk -v key="$2" '
        /^\[/ { sec = $0; next }
        sec == "[Install]" && $0 ~ "^" key "=" { sub("^" key "=", ""); print }
    ' "$1"
}

# Prints the value of key $2 from section [Service] of unit file $1 (last one wins).
unit_service_value() {
    awk -v key="$2" '
        /^\[/ { sec = $0; next }
        sec == "[Service]" && $0 ~ "^" key "=" { sub("^" key "=", ""); v = $0 }
        END { print v }
    ' "$1"
}

# Prints the URI of the host's apt source whose suites include $1 (e.g.
# "bookworm", "bookworm-security"), from /etc/apt/sources.list and the
# one-line and deb822 files in sources.list.d; nothing when none has it.
# The image is built from the mirror the host already uses.
host_apt_uri() {
    local suite=$1 file
    for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$file" ] || continue
        awk -v s="$suite" '$1 == "deb" {
            i = 2; if ($i ~ /^\[/) while ($i !~ /\]$/) i++; if ($2 ~ /^\[/) i++
            if ($(i + 1) == s) { print $i; exit }
        }' "$file"
    done | head -n 1 | grep . && return 0
    for file in /etc/apt/sources.list.d/*.sources; do
        [ -f "$file" ] || continue
        awk -v s="$suite" '
            function flush() { if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " s " ") && uri != "") { print uri; found = 1 } }
            /^[ \t]*$/ { flush(); types = suites = uri = ""; next }
            /^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
            /^URIs:/ { uri = $2 }
            /^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
            END { if (!found) flush() }
        ' "$file"
    done | head -n 1
}
