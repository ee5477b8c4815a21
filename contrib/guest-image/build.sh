#!/bin/sh
# Builds a guest for wsbridge libvirt workspaces from Debian packages only:
#   OUTDIR/vmlinux        the Debian cloud kernel, unpacked: an ELF image that QEMU (4.0 on) and Xen
#                         start at its PVH entry, skipping the unpacking of a compressed kernel
#                         at every boot (about 0.3 s under TCG); the class's `kernel`
#   OUTDIR/vmlinuz        the same kernel as Debian ships it (a bzImage), for an older QEMU
#   OUTDIR/initrd.img     a small initramfs: busybox, the virtio and Xen front-end modules and those
#                         of the shared file systems (virtio-fs, 9p), the agent binary (with
#                         the shared libraries it needs, if any); /init starts `wsbridge-agent` on
#                         the channel named org.wsbridge.agent.0 (a virtio-serial port, or a Xen
#                         PV console)
#   OUTDIR/disk.qcow2     the same tree as an ext4 disk image (a class's `image`): with `root=`
#                         on the kernel command line (the provider adds it for a class with an
#                         image), /init mounts that disk and continues from it, so the guest's
#                         root is the workspace's copy-on-write overlay. An image of your own
#                         works the same way if it has an executable /init and the agent.
#   OUTDIR/sources.sha256 the SHA-256 of this script, guest-setup.sh and find-channel.sh: the guest
#                         tests check that the image was built from the checkout's guest side
#
# usage: build.sh OUTDIR AGENT_BINARY
#
# AGENT_BINARY is the standalone agent, best linked statically so that it needs no library:
#   swift build -c release --static-swift-stdlib -Xswiftc -static-executable --product wsbridge-agent
#   build.sh OUTDIR .build/release/wsbridge-agent
#
# Kernel command line switches understood by /init:
#   wsbridge.agent=echo   instead of the agent, echo every byte received on the channel back
#                         (a channel self-test that needs no agent)
#   wsbridge.debug=1      start a shell on the serial console after the agent loop is set up
#   wsbridge.sharefs=, wsbridge.share=   the host directories to mount (written by the provider;
#                         see guest-setup.sh)
#
# Also OUTDIR/modules-absent: the modules wanted that the kernel lacks (9p with the cloud kernel;
# KERNEL_PACKAGE=linux-image-amd64 has it).
#
# Environment: DISK_MB (size of the disk image's file system, default 128), KERNEL_PACKAGE (default linux-image-cloud-amd64), COMPRESS (gzip|lz4, default lz4
# when the lz4 tool exists: the kernel unpacks it several times faster, which matters under TCG),
# STRIP (all|debug|none, default all: what to strip from the agent; `debug` keeps the symbols,
# for readable crash backtraces, at about half again the size).
set -eu

OUTDIR=${1:?usage: build.sh OUTDIR AGENT_BINARY}
BINARY=${2:?usage: build.sh OUTDIR AGENT_BINARY}
KERNEL_PACKAGE=${KERNEL_PACKAGE:-linux-image-cloud-amd64}
STRIP=${STRIP:-all}
HERE=$(cd "$(dirname "$0")" && pwd)
[ -x "$BINARY" ] || { echo "build.sh: $BINARY is not an executable" >&2; exit 1; }
# /init runs it as `wsbridge-agent --device ...`: the full `wsbridge` binary would take that for
# a subcommand and fail at every boot.
if ! "$BINARY" --help 2>/dev/null | grep -q '^usage: wsbridge-agent '; then
    echo "build.sh: $BINARY is not the wsbridge-agent binary (swift build --product wsbridge-agent)" >&2
    exit 1
fi
if [ -z "${COMPRESS:-}" ]; then
    if command -v lz4 >/dev/null 2>&1; then COMPRESS=lz4; else COMPRESS=gzip; fi
fi

mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
BINARY=$(cd "$(dirname "$BINARY")" && pwd)/$(basename "$BINARY")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# 1. Packages. The metapackage names the versioned kernel package it depends on.
VERSIONED=$(apt-cache depends "$KERNEL_PACKAGE" | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1)
[ -n "$VERSIONED" ] || { echo "build.sh: cannot resolve the kernel of $KERNEL_PACKAGE (apt-get update?)" >&2; exit 1; }
mkdir debs && cd debs
apt-get download "$KERNEL_PACKAGE" "$VERSIONED" busybox-static >/dev/null 2>&1 ||
    apt-get download "$KERNEL_PACKAGE" "$VERSIONED" busybox-static
cd ..
mkdir pkg
for deb in debs/*.deb; do dpkg -x "$deb" pkg; done
KVER=${VERSIONED#linux-image-}
cp "pkg/boot/vmlinuz-$KVER" "$OUTDIR/vmlinuz"
# The ELF kernel inside the bzImage: after the setup code, one compressed stream (lz4 with
# Debian's cloud kernel; gzip, xz or zstd with others). Tried at each place its format's magic
# appears until one unpacks to an ELF file (as the kernel tree's scripts/extract-vmlinux does).
unpack_kernel() { # BZIMAGE OUT
    bzimage=$1 out=$2
    for format in '\x02\x21\x4c\x18 lz4 -dc' '\x1f\x8b\x08 gzip -dc' '\xfd\x37\x7a\x58\x5a\x00 xz -dc' '\x28\xb5\x2f\xfd zstd -qdc'; do
        # shellcheck disable=SC2086 # the magic, then the command that unpacks its format
        set -- $format
        magic=$1; shift
        command -v "$1" >/dev/null 2>&1 || continue
        for at in $(LC_ALL=C grep -obUaP "$magic" "$bzimage" | cut -d: -f1); do
            tail -c +$((at + 1)) "$bzimage" | "$@" > "$out.part" 2>/dev/null
            if [ "$(od -An -tx1 -N4 "$out.part" | tr -d ' ')" = 7f454c46 ]; then
                mv "$out.part" "$out"
                return 0
            fi
        done
    done
    rm -f "$out.part"
    return 1
}
unpack_kernel "$OUTDIR/vmlinuz" "$OUTDIR/vmlinux" || { echo "build.sh: cannot unpack the ELF kernel from $OUTDIR/vmlinuz" >&2; exit 1; }

# 2. The initramfs tree.
ROOT=$WORK/root
mkdir -p "$ROOT/bin" "$ROOT/sbin" "$ROOT/usr/bin" "$ROOT/usr/sbin" "$ROOT/lib/modules" "$ROOT/etc" \
         "$ROOT/proc" "$ROOT/sys" "$ROOT/dev" "$ROOT/tmp" "$ROOT/run" "$ROOT/var/lib/wsbridge-agent" "$ROOT/root" \
         "$ROOT/var/tmp"
# Jobs' files that outlive a boot's tmpfs, on the guest's own disk when it has one (its size and
# I/O limits are the class's): writable by every job, as on any Unix system.
chmod 1777 "$ROOT/var/tmp"
cp pkg/bin/busybox "$ROOT/bin/busybox"
# `busybox --list` includes `busybox` itself: linking that over the binary makes /init unrunnable.
for applet in $("$ROOT/bin/busybox" --list); do
    [ "$applet" = busybox ] && continue
    ln -sf busybox "$ROOT/bin/$applet"
done

# Drivers are modules in Debian's kernels. There is no modprobe and no modules.dep in the guest:
# each group below lists its modules, their dependencies first (read from each module's own
# `depends=`), in /lib/modules/groups/GROUP, and /init loads a group with insmod in that order
# (guest-setup.sh). A module the kernel has built in is not needed; one it lacks altogether is
# listed in /lib/modules/absent (the 9p groups with Debian's cloud kernel, which has no 9p).
#   base      virtio: PCI transport, console (the agent channel), block, network, balloon, rng
#   xen       Xen front ends, loaded in Xen guests (PV, PVH, HVM): block (the root disk), network,
#             xenfs with xen-privcmd (xenstore through /proc/xen when /dev/xen/xenbus is missing);
#             the console and the channels are hvc_xen, built in
#   virtiofs  shared directories over virtio-fs
#   9p        the 9p client; 9p-virtio and 9p-xen: its transports under QEMU/KVM and Xen
MODDIR=pkg/lib/modules/$KVER
mkdir -p "$ROOT/lib/modules/groups"
: > "$ROOT/lib/modules/absent"
module_file() { # NAME: the module's file in the kernel package ('-' and '_' are the same to the kernel)
    find "$MODDIR/kernel" \( -name "$1.ko*" -o -name "$(echo "$1" | tr _ -).ko*" -o -name "$(echo "$1" | tr - _).ko*" \) | head -n1
}
built_in() { grep -q "/$1\.ko\$\|/$(echo "$1" | tr _ -)\.ko\$\|/$(echo "$1" | tr - _)\.ko\$" "$MODDIR/modules.builtin"; }
pack_module() { # NAME GROUP: the module and its dependencies, into the tree and the group's list
    grep -qx "$1" "$ROOT/lib/modules/groups/$2" 2>/dev/null && return 0
    if [ ! -f "$ROOT/lib/modules/$1.ko" ]; then
        f=$(module_file "$1")
        if [ -z "$f" ]; then
            built_in "$1" || echo "$1" >> "$ROOT/lib/modules/absent"
            return 0
        fi
        case "$f" in
            *.xz) xz -dc "$f" > "$ROOT/lib/modules/$1.ko" ;;
            *.zst) zstd -qdc "$f" > "$ROOT/lib/modules/$1.ko" ;;
            *) cp "$f" "$ROOT/lib/modules/$1.ko" ;;
        esac
    fi
    for dep in $(tr '\0' '\n' < "$ROOT/lib/modules/$1.ko" | sed -n 's/^depends=//p' | head -n1 | tr , ' '); do
        # A dependency already in an earlier group is loaded by then.
        grep -qx "$dep" "$ROOT"/lib/modules/groups/* 2>/dev/null || pack_module "$dep" "$2"
    done
    echo "$1" >> "$ROOT/lib/modules/groups/$2"
}
pack_group() { # GROUP MODULE...
    g=$1; shift
    : > "$ROOT/lib/modules/groups/$g"
    for m in "$@"; do pack_module "$m" "$g"; done
}
pack_group base virtio_pci virtio_console virtio_balloon virtio_blk virtio_net virtio_rng
pack_group xen xen-blkfront xen-netfront xenfs
pack_group virtiofs virtiofs
pack_group 9p 9p
pack_group 9p-virtio 9pnet_virtio
pack_group 9p-xen 9pnet_xen
# Also beside the image, for admins choosing a class's shared_fs (and for the tests).
cp "$ROOT/lib/modules/absent" "$OUTDIR/modules-absent"
if [ -s "$ROOT/lib/modules/absent" ]; then
    echo "build.sh: kernel $KVER lacks: $(echo $(cat "$ROOT/lib/modules/absent"))" >&2
fi

# The agent binary and every shared library it loads, at the same paths as on the build host so
# that its interpreter and run paths resolve unchanged. A static agent loads none (ldd says "not
# a dynamic executable" and lists nothing).
cp "$BINARY" "$ROOT/usr/bin/wsbridge-agent"
# Every byte of the initramfs is unpacked at each boot and then held in guest memory, and goes
# into the file of a saved guest: the guest never reads debug information, nor symbols but in
# a crash backtrace.
if command -v strip >/dev/null 2>&1; then
    case "$STRIP" in
        all) strip "$ROOT/usr/bin/wsbridge-agent" ;;
        debug) strip --strip-debug "$ROOT/usr/bin/wsbridge-agent" ;;
        none) ;;
        *) echo "build.sh: STRIP=$STRIP: all, debug or none" >&2; exit 1 ;;
    esac
fi
if ldd "$BINARY" 2>/dev/null | grep -q 'libFoundation\|_FoundationICU'; then
    echo "build.sh: warning: $BINARY links Foundation; the agent should use FoundationEssentials only" >&2
fi
ldd "$BINARY" 2>/dev/null | awk '/=> \// { print $3 } /^\t\// { print $1 }' | sort -u | while read -r lib; do
    mkdir -p "$ROOT$(dirname "$lib")"
    cp -L "$lib" "$ROOT$lib"
done
if ldd "$BINARY" 2>/dev/null | grep -q 'not found'; then
    echo "build.sh: warning: unresolved libraries:" >&2
    ldd "$BINARY" | grep 'not found' >&2
fi
# The channel discovery, shared with its test (test-find-channel.sh).
mkdir -p "$ROOT/lib/wsbridge"
cp "$HERE/find-channel.sh" "$ROOT/lib/wsbridge/find-channel.sh"
# Modules, root disk and shared directories, shared with test-guest-setup.sh.
cp "$HERE/guest-setup.sh" "$ROOT/lib/wsbridge/guest-setup.sh"

cat > "$ROOT/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat > "$ROOT/etc/group" <<'G'
root:x:0:
nogroup:x:65534:
G

cat > "$ROOT/init" <<'INIT'
#!/bin/busybox sh
# wsbridge guest init: mount, load virtio, find the agent channel, run the agent (respawned).
export PATH=/usr/bin:/usr/sbin:/bin:/sbin
# Every command that is not a shell builtin is a fork and an exec of busybox, about 10 ms each
# under TCG: what /init reads, it reads with `read`.
# Run once from the initramfs and, with a disk root, once more from the disk: mount what is not.
# (Debian's busybox-static has no `mountpoint` applet; before /proc is there, nothing is.)
mounted() {
    [ -r /proc/mounts ] || return 1
    while read -r _ point _; do [ "$point" = "$1" ] && return 0; done < /proc/mounts
    return 1
}
mounted /proc || mount -t proc proc /proc
mounted /sys || mount -t sysfs sysfs /sys
mounted /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm && { mounted /dev/pts || mount -t devpts devpts /dev/pts; }
mounted /tmp || mount -t tmpfs tmpfs /tmp
mounted /run || mount -t tmpfs tmpfs /run
read -r up _ < /proc/uptime
echo "wsbridge-guest: userspace up at ${up}s"
MODE=agent
DEBUG=0
read -r CMDLINE < /proc/cmdline
for arg in $CMDLINE; do
    case "$arg" in
        wsbridge.agent=*) MODE=${arg#wsbridge.agent=} ;;
        wsbridge.debug=1) DEBUG=1 ;;
    esac
done
# guest-setup.sh says which module it loads.
VERBOSE=$DEBUG
. /lib/wsbridge/guest-setup.sh
# virtio everywhere, the Xen front ends in a Xen guest, the shared file system if any.
wsbridge_load_modules
hostname wsbridge-guest
ip link set lo up 2>/dev/null

# A disk root (root=/dev/vda): mount it and go on from its own /init, moving the kernel's file
# systems along. If it cannot be mounted, stay in the initramfs (the job still runs; the log says
# why).
ROOTDEV=$(wsbridge_root_device) || ROOTDEV=
if [ -n "$ROOTDEV" ] && [ -z "${WSBRIDGE_ON_DISK:-}" ]; then
    wsbridge_wait_for_block "$ROOTDEV"
    mkdir -p /newroot
    if mount -t ext4 -o rw "$ROOTDEV" /newroot 2>/dev/null && [ -x /newroot/init ]; then
        for m in /dev /proc /sys /run; do mkdir -p "/newroot$m" && mount --move "$m" "/newroot$m"; done
        umount /tmp 2>/dev/null
        read -r up _ < /proc/uptime
        echo "wsbridge-guest: root on $ROOTDEV at ${up}s"
        export WSBRIDGE_ON_DISK=1
        exec switch_root /newroot /init
    fi
    echo "wsbridge-guest: cannot mount $ROOTDEV as the root (ext4 with an executable /init); staying in the initramfs"
    umount /newroot 2>/dev/null
fi

# vCPUs added to the running guest (a retune's cpus, up to the class's max_cpus) come up
# offline, and there is no udev to bring them online: look once a second, only in a guest that
# has room for more vCPUs than it booted with.
read -r possible < /sys/devices/system/cpu/possible
read -r present < /sys/devices/system/cpu/present
if [ "$possible" != "$present" ]; then
    (while :; do
        for f in /sys/devices/system/cpu/cpu[0-9]*/online; do
            [ "$(cat "$f" 2>/dev/null)" = 0 ] && echo 1 > "$f" 2>/dev/null
        done
        sleep 1
    done) &
fi

# The host's directories, at the same paths as on the host. A share that cannot be mounted
# stops the guest: jobs would otherwise run against an empty directory. The provider reports
# the reason from the console log.
if ! wsbridge_mount_shares; then
    echo "wsbridge-guest: shared directories missing; powering off"
    poweroff -f
fi

# No udev, so no /dev/virtio-ports/NAME link: find the channel in sysfs, a virtio-serial port
# (QEMU/KVM) or a Xen PV console (see find-channel.sh).
. /lib/wsbridge/find-channel.sh
# Xen channel names are in xenstore, read through /dev/xen/xenbus or, failing that, xenfs
# (loaded with the xen group).
wsbridge_xenbus_setup 2>/dev/null
DEV=
i=0
while [ -z "$DEV" ] && [ "$i" -lt 100 ]; do
    DEV=$(wsbridge_find_channel org.wsbridge.agent.0) || { i=$((i + 1)); sleep 0.1; }
done
if [ -z "$DEV" ]; then
    echo "wsbridge-guest: no virtio port or Xen console named org.wsbridge.agent.0; powering off"
    poweroff -f
fi
read -r up _ < /proc/uptime
echo "wsbridge-guest: agent channel $DEV, mode $MODE at ${up}s"
echo "WSBRIDGE-GUEST-READY"

# About virtio ports: a port has a single opener at a time; while no host client is connected
# a read returns end-of-file at once; and closing the port discards whatever the host sent that
# was not read yet. So the port is opened once and kept open, and end-of-file means "wait".
# A Xen console is a terminal: raw, or it would echo and edit lines (the agent does the same).
echo_loop() {
    exec 3<>"$DEV"
    [ -t 3 ] && stty raw -echo <&3
    while true; do
        if IFS= read -r line <&3; then printf '%s\n' "$line" >&3; else sleep 0.1; fi
    done
}
run_agent() {
    while true; do
        case "$MODE" in
            echo) echo_loop ;;
            *) wsbridge-agent --device "$DEV" --state /var/lib/wsbridge-agent ;;
        esac
        echo "wsbridge-guest: agent exited with $?, restarting"
        sleep 1
    done
}
if [ "$DEBUG" = 1 ]; then
    run_agent &
    exec setsid cttyhack sh
fi
run_agent
INIT
chmod 755 "$ROOT/init"

# 3. Pack: the initramfs, and the same tree as a disk image.
DISK_MB=${DISK_MB:-128}
echo "wsbridge guest disk image (built by contrib/guest-image/build.sh)" > "$WORK/image-marker"
mkdir -p "$WORK/disk"
cp -a "$ROOT/." "$WORK/disk/"
cp "$WORK/image-marker" "$WORK/disk/etc/wsbridge-image"
rm -f "$WORK/disk.raw"
mke2fs -q -t ext4 -L wsbridge-root -d "$WORK/disk" "$WORK/disk.raw" "${DISK_MB}M"
qemu-img convert -q -c -O qcow2 "$WORK/disk.raw" "$OUTDIR/disk.qcow2"
cd "$ROOT"
case "$COMPRESS" in
    lz4) find . | "$ROOT/bin/busybox" cpio -o -H newc 2>/dev/null | lz4 -l -9 -q > "$OUTDIR/initrd.img" ;;
    *) find . | "$ROOT/bin/busybox" cpio -o -H newc 2>/dev/null | gzip -1 > "$OUTDIR/initrd.img" ;;
esac
# The guest-side sources the image was built from: the guest tests compare it with the checkout's,
# so that an image older than a change to /init says so instead of failing in puzzling ways.
cat "$HERE/build.sh" "$HERE/guest-setup.sh" "$HERE/find-channel.sh" | sha256sum | cut -d' ' -f1 > "$OUTDIR/sources.sha256"
echo "kernel $KVER: $OUTDIR/vmlinux ($OUTDIR/vmlinuz unpacked)"
echo "agent: $(wc -c < "$ROOT/usr/bin/wsbridge-agent") bytes; initramfs tree: $(du -sb "$ROOT" | cut -f1) bytes"
echo "initramfs ($COMPRESS, $(du -h "$OUTDIR/initrd.img" | cut -f1)): $OUTDIR/initrd.img"
echo "disk image (ext4 ${DISK_MB} MiB in qcow2, $(du -h "$OUTDIR/disk.qcow2" | cut -f1)): $OUTDIR/disk.qcow2"
