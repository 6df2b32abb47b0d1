# 40-image.sh - stage "image": the configured tree into a partitioned SD card
# image, with no loop device and no mount: each filesystem is made in its own
# file (mkfs.vfat + mtools for the boot partition, mke2fs -d for root and
# data), checked with fsck, and copied into place behind an MBR written by
# sfdisk. So it also runs in a container without /dev/loop*.
# Sourced by build-image.sh; uses its variables (OUT, ROOTFS, BOOT_MB,
# ROOT_MB, DATA_MB, IMAGE_NAME, AB, CONFIG_MB) and 30-configure.sh's labels.
#
# With --ab the image has two system slots (docs/DEPLOY.md, "Updating a fleet
# safely"): 1 config (FAT32 WOWBOOT: autoboot.txt, wowkiosk.conf), 2 and 3
# boot A and B (FAT32 WOWBOOT-A|B, each with its own cmdline.txt), 4 the
# extended partition holding 5 and 6, root A and B (ext4 wowroot-a|b), and 7
# data (ext4 wowdata). Both slots start with the same system.
# shellcheck shell=bash disable=SC2015 # "test && test || die" is meant

# The first partition starts 4 MiB in (erase-block aligned, as Raspberry Pi OS).
IMAGE_START_MB=4

# Prints the mount point of the data partition from the tree's fstab.
image_state_dir() {
    awk -v spec="LABEL=$LABEL_DATA" '$1 == spec { print $2 }' "$ROOTFS/etc/fstab"
}

# Copies the tree $1 into $2, leaving out the contents of the directories
# given after (they go to other partitions), with owners, modes and xattrs.
image_copy_tree() {
    local from=$1 to=$2 dir excludes=()
    shift 2
    for dir in "$@"; do
        excludes+=("--exclude=.$dir/*")
    done
    mkdir -p "$to"
    tar -C "$from" --numeric-owner --xattrs --xattrs-include='*' --acls "${excludes[@]}" -cf - . |
        tar -C "$to" --numeric-owner --xattrs --xattrs-include='*' --acls -xpf - ||
        die "copying $from into $to failed"
}

# Prints the root partition's size in MiB: what the tree holds, a quarter more
# for ext4's own tables and the journal, and 256 MiB free for upgrades.
image_root_size() {
    local used
    used=$(du -sm --apparent-size "$1" | cut -f1)
    echo $(((used * 5 / 4 + 256 + 3) / 4 * 4))
}

# Makes the FAT boot filesystem in file $1 from the tree's /boot/firmware
# (or directory $4), labelled $2 (default LABEL_BOOT), of $3 MiB (BOOT_MB).
image_make_boot() {
    local img=$1 label=${2:-$LABEL_BOOT} size=${3:-$BOOT_MB} from=${4:-$ROOTFS/boot/firmware} used
    used=$(du -sm "$from" | cut -f1)
    [ "$used" -lt $((size * 9 / 10)) ] ||
        die "partition $label of $size MiB: $from holds $used MiB; expected at most 90% of the partition (--boot-size, --config-size)"
    mkfs.vfat -F 32 -n "$label" -C "$img" $((size * 1024)) >/dev/null ||
        die "mkfs.vfat of $img failed"
    (
        cd "$from" || exit 1
        shopt -s nullglob
        local files=(*)
        [ ${#files[@]} -eq 0 ] || MTOOLS_SKIP_CHECK=1 mcopy -s -p -m -i "$img" "${files[@]}" ::/
    ) || die "mcopy into $img failed"
    fsck.vfat -n "$img" >/dev/null || die "fsck.vfat finds errors in $img"
}

# Makes an ext4 filesystem labelled $2 of $3 MiB in file $1 from tree $4; its
# top directory gets the owner and mode of $4 (the data partition's belongs to
# the kiosk's user, like the state directory it is mounted on). mke2fs -d
# copies neither: root_owner sets the owner, debugfs the mode.
image_make_ext4() {
    local img=$1 label=$2 size=$3 tree=$4 out mode
    out=$(mke2fs -q -F -t ext4 -L "$label" -E root_owner="$(stat -c %u:%g "$tree")" \
        -d "$tree" "$img" "${size}M" 2>&1) || {
        printf '%s\n' "$out" >&2
        die "mke2fs of $img ($label, $size MiB from $tree) failed: too small? (--root-size, --data-size)"
    }
    out=$(e2fsck -fn "$img" 2>&1) || {
        printf '%s\n' "$out" >&2
        die "e2fsck finds errors in $img ($label)"
    }
    mode=$(printf '0%o' $((0040000 | 0$(stat -c %a "$tree"))))
    debugfs -w -R "sif / mode $mode" "$img" >/dev/null 2>&1 || die "debugfs cannot set the mode of / in $img"
}

# Writes the MBR of image $1 and the three filesystems into it.
image_assemble() {
    local img=$1 work=$2 root_mb=$3 total
    local boot_start=$((IMAGE_START_MB * 2048))
    local root_start=$((boot_start + BOOT_MB * 2048))
    local data_start=$((root_start + root_mb * 2048))
    total=$((IMAGE_START_MB + BOOT_MB + root_mb + DATA_MB))
    rm -f "$img"
    truncate -s "${total}M" "$img"
    sfdisk --quiet --no-reread --no-tell-kernel "$img" <<EOF || die "sfdisk on $img failed"
label: dos
unit: sectors

start=$boot_start, size=$((BOOT_MB * 2048)), type=c, bootable
start=$root_start, size=$((root_mb * 2048)), type=83
start=$data_start, size=$((DATA_MB * 2048)), type=83
EOF
    dd if="$work/boot.img" of="$img" bs=1M seek=$IMAGE_START_MB conv=notrunc,sparse status=none
    dd if="$work/root.img" of="$img" bs=1M seek=$((IMAGE_START_MB + BOOT_MB)) conv=notrunc,sparse status=none
    dd if="$work/data.img" of="$img" bs=1M seek=$((IMAGE_START_MB + BOOT_MB + root_mb)) conv=notrunc,sparse status=none
}

# The A/B image's autoboot.txt while A is the good slot, as autoboot-backend
# writes it.
AB_AUTOBOOT='# written by autoboot-backend: [all] boots the good slot, [tryboot] the one on trial
[all]
tryboot_a_b=1
boot_partition=2
[tryboot]
boot_partition=3
'

# Writes slot $2's boot files into directory $1: the tree's /boot/firmware
# without the technician's wowkiosk.conf (partition 1 has it), and a
# cmdline.txt naming the slot's root and the slot (root=LABEL=wowroot-a
# rauc.slot=A).
image_ab_boot_dir() {
    local dir=$1 slot=$2 lower
    lower=$(printf '%s' "$slot" | tr AB ab)
    rm -rf "$dir"
    mkdir -p "$dir"
    cp -a "$ROOTFS/boot/firmware/." "$dir/"
    rm -f "$dir/wowkiosk.conf"
    awk -v root="root=LABEL=$LABEL_ROOT-$lower" -v slot="rauc.slot=$slot" 'NR == 1 {
        line = ""; seen = 0
        for (i = 1; i <= NF; i++) {
            if ($i ~ /^rauc\.slot=/) continue
            if ($i ~ /^root=/) { $i = root; seen = 1 }
            line = line (line == "" ? "" : " ") $i
        }
        if (!seen) line = root " " line
        print line " " slot
    }' "$ROOTFS/boot/firmware/cmdline.txt" >"$dir/cmdline.txt"
}

# Writes the MBR of the A/B image $1 and its seven partitions into it.
image_ab_assemble() {
    local img=$1 work=$2 root_mb=$3 total s
    local c_start=$((IMAGE_START_MB * 2048)) c_size=$((CONFIG_MB * 2048))
    local b_size=$((BOOT_MB * 2048)) r_size=$((root_mb * 2048)) d_size=$((DATA_MB * 2048))
    local ba=$((c_start + c_size)) bb
    bb=$((ba + b_size))
    local ext=$((bb + b_size))
    # each logical partition follows its EBR, 1 MiB before it
    local ra=$((ext + 2048)) rb rd
    rb=$((ra + r_size + 2048))
    rd=$((rb + r_size + 2048))
    total=$((IMAGE_START_MB + CONFIG_MB + 2 * BOOT_MB + 2 * root_mb + DATA_MB + 3))
    rm -f "$img"
    truncate -s "${total}M" "$img"
    sfdisk --quiet --no-reread --no-tell-kernel "$img" <<EOF || die "sfdisk on $img failed"
label: dos
label-id: 0x$AB_DISK_ID
unit: sectors

start=$c_start, size=$c_size, type=c, bootable
start=$ba, size=$b_size, type=c
start=$bb, size=$b_size, type=c
start=$ext, size=$((rd + d_size - ext)), type=5
start=$ra, size=$r_size, type=83
start=$rb, size=$r_size, type=83
start=$rd, size=$d_size, type=83
EOF
    for s in "config.img:$c_start" "boot-a.img:$ba" "boot-b.img:$bb" "root-a.img:$ra" \
        "root-b.img:$rb" "data.img:$rd"; do
        dd if="$work/${s%%:*}" of="$img" bs=1M seek=$((${s#*:} / 2048)) conv=notrunc,sparse status=none ||
            die "copying $work/${s%%:*} into $img failed"
    done
}

# The filesystems of the A/B image, from the copies in $1 (root, data), into $2.
image_ab_make() {
    local work=$1 img=$2 root_mb=$3 slot lower
    say "image: A/B: config $CONFIG_MB MiB (FAT32 $LABEL_BOOT), boot A and B $BOOT_MB MiB each (FAT32), root A and B $root_mb MiB each (ext4), data $DATA_MB MiB (ext4 $LABEL_DATA)"
    mkdir -p "$work/config"
    install -m 0644 "$ROOTFS/boot/firmware/wowkiosk.conf" "$work/config/wowkiosk.conf"
    printf '%s' "$AB_AUTOBOOT" >"$work/config/autoboot.txt"
    image_make_boot "$work/config.img" "$LABEL_BOOT" "$CONFIG_MB" "$work/config"
    for slot in A B; do
        lower=$(printf '%s' "$slot" | tr AB ab)
        image_ab_boot_dir "$work/boot-$lower" "$slot"
        image_make_boot "$work/boot-$lower.img" "$LABEL_BOOT-$slot" "$BOOT_MB" "$work/boot-$lower"
        rm -rf --one-file-system "$work/boot-$lower"
        image_make_ext4 "$work/root-$lower.img" "$LABEL_ROOT-$lower" "$root_mb" "$work/root"
    done
    image_make_ext4 "$work/data.img" "$LABEL_DATA" "$DATA_MB" "$work/data"
    image_ab_assemble "$img" "$work" "$root_mb"
}

# Stage "image".
stage_image() {
    need_host_tools mkfs.vfat:dosfstools fsck.vfat:dosfstools mcopy:mtools \
        mke2fs:e2fsprogs e2fsck:e2fsprogs sfdisk:fdisk
    if [ "$AB" = 1 ]; then
        [ -f "$ROOTFS/etc/fstab" ] && grep -q "^LABEL=$LABEL_BOOT  *$AB_CONFIG_DIR " "$ROOTFS/etc/fstab" ||
            die "$ROOTFS/etc/fstab: no LABEL=$LABEL_BOOT $AB_CONFIG_DIR line: run --stage configure --ab first"
        [ -f "$ROOTFS/etc/rauc/system.conf" ] || die "$ROOTFS/etc/rauc/system.conf: missing: run --stage configure --ab first"
    else
        [ -f "$ROOTFS/etc/fstab" ] && grep -q "^LABEL=$LABEL_ROOT" "$ROOTFS/etc/fstab" ||
            die "$ROOTFS/etc/fstab: no LABEL=$LABEL_ROOT line: run --stage configure first"
    fi
    [ -d "$ROOTFS/boot/firmware" ] || die "$ROOTFS/boot/firmware: missing: run --stage configure first"
    [ "$(id -u)" -eq 0 ] ||
        say "image: not root: files in the image will belong to you, not to the tree's owners (good for a test tree only)"
    require_no_mounts "$ROOTFS"
    local state_dir work=$OUT/work img=$OUT/$IMAGE_NAME root_mb started=$SECONDS
    state_dir=$(image_state_dir)
    [ -n "$state_dir" ] || die "$ROOTFS/etc/fstab: no LABEL=$LABEL_DATA line: run --stage configure first"
    rm -rf --one-file-system "$work"
    mkdir -p "$work"
    say "image: copying the tree (root without /boot/firmware and $state_dir)"
    image_copy_tree "$ROOTFS" "$work/root" /boot/firmware "$state_dir"
    image_copy_tree "$ROOTFS$state_dir" "$work/data"
    # shellcheck disable=SC2153 # ROOT_MB is build-image.sh's --root-size
    root_mb=$ROOT_MB
    [ "$root_mb" != auto ] || root_mb=$(image_root_size "$work/root")
    if [ "$AB" = 1 ]; then
        image_ab_make "$work" "$img" "$root_mb"
        rm -rf --one-file-system "$work"
        (cd "$OUT" && sha256sum "$IMAGE_NAME" >"$IMAGE_NAME.sha256")
        say "image: $img (A/B; $(du -h --apparent-size "$img" | cut -f1), $(du -h "$img" | cut -f1) on disk) in $((SECONDS - started)) s"
        return 0
    fi
    say "image: boot $BOOT_MB MiB (FAT32 $LABEL_BOOT), root $root_mb MiB (ext4 $LABEL_ROOT), data $DATA_MB MiB (ext4 $LABEL_DATA)"
    image_make_boot "$work/boot.img"
    image_make_ext4 "$work/root.img" "$LABEL_ROOT" "$root_mb" "$work/root"
    image_make_ext4 "$work/data.img" "$LABEL_DATA" "$DATA_MB" "$work/data"
    image_assemble "$img" "$work" "$root_mb"
    rm -rf --one-file-system "$work"
    (cd "$OUT" && sha256sum "$IMAGE_NAME" >"$IMAGE_NAME.sha256")
    say "image: $img ($(du -h --apparent-size "$img" | cut -f1), $(du -h "$img" | cut -f1) on disk) in $((SECONDS - started)) s"
}
