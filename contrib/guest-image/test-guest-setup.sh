#!/bin/sh
# Tests what the guest's /init decides (guest-setup.sh) against fake sysfs trees and kernel
# command lines: Xen or not, which module groups it loads and in what order, the root disk, the
# xenstore fallback through xenfs, and the shared directories it mounts (virtio-fs, 9p over virtio,
# 9p over Xen) or fails on. Needs no root and no guest: insmod and mount are recorded, not run.
# Runs under /bin/sh and, when BUSYBOX names a busybox binary (or one is on PATH), again under
# busybox sh with busybox's applets, as the guest's /init does.
#
# usage: test-guest-setup.sh        (BUSYBOX=/path/to/busybox to choose the busybox)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)

if [ "${1:-}" != --inner ]; then
    failed=0
    sh "$0" --inner || failed=1
    BUSYBOX=${BUSYBOX:-$(command -v busybox || true)}
    if [ -n "$BUSYBOX" ]; then
        applets=$(mktemp -d)
        for a in $("$BUSYBOX" --list); do ln -s "$BUSYBOX" "$applets/$a"; done
        PATH=$applets:$PATH "$BUSYBOX" sh "$0" --inner || failed=1
        rm -rf "$applets"
    else
        echo "(no busybox: tested under sh only)"
    fi
    exit $failed
fi

. "$HERE/guest-setup.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
shell_name=$(readlink /proc/$$/exe 2>/dev/null || echo sh)

check() { # DESCRIPTION EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL ($shell_name): $1: expected '$2', got '$3'"
    fi
}

export WSBRIDGE_SYSFS=$T/sys WSBRIDGE_DEVDIR=$T/dev WSBRIDGE_CMDLINE=$T/cmdline WSBRIDGE_MODULES=$T/modules \
    WSBRIDGE_ROOT=$T/root
# insmod and mount write what they were asked to a log; mount fails for tags in $T/unmountable.
export WSBRIDGE_INSMOD="fake insmod" WSBRIDGE_MOUNT="fake mount"
fake() {
    echo "$*" >> "$T/log"
    [ "$1" = mount ] && [ -f "$T/unmountable" ] && grep -qx "$6" "$T/unmountable" && { echo "No such device" >&2; return 1; }
    return 0
}
logged() { cat "$T/log" 2>/dev/null | sed "s|$T|T|g"; }

fresh() { # cmdline text
    rm -rf "$T/sys" "$T/dev" "$T/root" "$T/log" "$T/unmountable"
    mkdir -p "$T/sys/class" "$T/dev" "$T/root"
    printf '%s\n' "$1" > "$T/cmdline"
}
kvm() { :; } # a KVM/QEMU guest: no hypervisor directory at all
xen_pv() { # /sys/hypervisor/type and the xenbus devices of a PV guest (disk, network, console)
    mkdir -p "$T/sys/hypervisor" "$T/sys/bus/xen/devices/vbd-51712" "$T/sys/bus/xen/devices/vif-0"
    echo xen > "$T/sys/hypervisor/type"
}
xen_hvm_early() { # before the xenbus front ends attach, only the hypervisor type says Xen
    mkdir -p "$T/sys/hypervisor"
    echo xen > "$T/sys/hypervisor/type"
}

# Groups of modules, written as build.sh writes them.
mkdir -p "$T/modules/groups"
printf 'virtio_ring\nvirtio\nvirtio_pci\nvirtio_console\n' > "$T/modules/groups/base"
printf 'xen-blkfront\nxen-netfront\nxen-privcmd\nxenfs\n' > "$T/modules/groups/xen"
printf 'fuse\nvirtiofs\n' > "$T/modules/groups/virtiofs"
printf '9pnet\nnetfs\nfscache\n9p\n' > "$T/modules/groups/9p"
printf '9pnet_virtio\n' > "$T/modules/groups/9p-virtio"
printf '9pnet_xen\n' > "$T/modules/groups/9p-xen"
groups() { echo $(wsbridge_module_groups); }
loaded() { wsbridge_load_modules; echo $(logged | sed 's|^insmod T/modules/||; s|\.ko$||'); }

# Which hypervisor.
fresh "console=ttyS0"; kvm
check "KVM guest" other "$(wsbridge_hypervisor)"
fresh "console=hvc0"; xen_pv
check "Xen PV guest" xen "$(wsbridge_hypervisor)"
fresh "console=ttyS0"; xen_hvm_early
check "Xen HVM guest before its front ends attach" xen "$(wsbridge_hypervisor)"
fresh "console=hvc0"; mkdir -p "$T/sys/bus/xen/devices/vbd-51712"
check "xenbus devices without /sys/hypervisor" xen "$(wsbridge_hypervisor)"
fresh "console=ttyS0"; mkdir -p "$T/sys/bus/xen/devices" "$T/sys/hypervisor"
check "an empty xen bus (a kernel built for Xen, under KVM) is not Xen" other "$(wsbridge_hypervisor)"
fresh ""; mkdir -p "$T/sys/hypervisor"; : > "$T/sys/hypervisor/type"
check "an empty hypervisor type is not Xen" other "$(wsbridge_hypervisor)"

# Module groups and their order.
fresh "console=ttyS0"; kvm
check "KVM, no shares" "base" "$(groups)"
check "KVM loads base in order" "virtio_ring virtio virtio_pci virtio_console" "$(loaded)"
fresh "console=ttyS0 wsbridge.sharefs=virtiofs wsbridge.share=wsbridge0:/home:rw"; kvm
check "KVM, virtio-fs share" "base virtiofs" "$(groups)"
fresh "console=ttyS0 wsbridge.sharefs=9p wsbridge.share=wsbridge0:/home:rw"; kvm
check "KVM, 9p share" "base 9p 9p-virtio" "$(groups)"
fresh "console=hvc0 root=/dev/xvda"; xen_pv
check "Xen PV with a disk" "base xen" "$(groups)"
check "Xen loads the block front end before anything mounts the root" \
    "virtio_ring virtio virtio_pci virtio_console xen-blkfront xen-netfront xen-privcmd xenfs" "$(loaded)"
fresh "console=hvc0 wsbridge.sharefs=9p wsbridge.share=wsbridge0:/home:rw"; xen_pv
check "Xen PV, 9p share: the Xen transport" "base xen 9p 9p-xen" "$(groups)"
check "Xen PV, 9p: 9p before its transport" \
    "virtio_ring virtio virtio_pci virtio_console xen-blkfront xen-netfront xen-privcmd xenfs 9pnet netfs fscache 9p 9pnet_xen" "$(loaded)"
fresh "console=ttyS0 wsbridge.sharefs=9p wsbridge.share=wsbridge0:/home:ro"; xen_hvm_early
check "Xen HVM, 9p share: the Xen transport too" "base xen 9p 9p-xen" "$(groups)"
fresh "console=hvc0 wsbridge.sharefs=9p"; xen_pv
check "a share file system but no share: nothing more" "base xen" "$(groups)"
fresh "console=ttyS0 wsbridge.sharefs=virtiofs wsbridge.share=wsbridge0:/home:rw"; kvm
rm "$T/modules/groups/virtiofs"
check "a group the image lacks is skipped" "virtio_ring virtio virtio_pci virtio_console" "$(loaded)"
printf 'fuse\nvirtiofs\n' > "$T/modules/groups/virtiofs"

# The root disk.
fresh "console=hvc0 root=/dev/xvda quiet"
check "Xen root disk" "/dev/xvda" "$(wsbridge_root_device)"
fresh "console=ttyS0 root=/dev/vda"
check "virtio root disk" "/dev/vda" "$(wsbridge_root_device)"
fresh "console=ttyS0 root=LABEL=x"
check "a root that is not a device path" "rc=1" "$(wsbridge_root_device; echo "rc=$?")"
fresh "console=ttyS0"
check "no root" "rc=1" "$(wsbridge_root_device; echo "rc=$?")"
check "a block device that never comes" "rc=1" "$(WSBRIDGE_WAIT_TENTHS=1 wsbridge_wait_for_block "$T/dev/none"; echo "rc=$?")"

# xenstore through xenfs when /dev/xen/xenbus is missing (hvc consoles are named in xenstore).
fresh "console=hvc0"; xen_pv
wsbridge_xenbus_setup
check "Xen without /dev/xen/xenbus mounts xenfs" "mount -t xenfs xenfs T/root/proc/xen" "$(logged)"
check "and makes its mount point" yes "$([ -d "$T/root/proc/xen" ] && echo yes)"
fresh "console=hvc0"; xen_pv; mkdir -p "$T/dev/xen"; : > "$T/dev/xen/xenbus"
wsbridge_xenbus_setup
check "Xen with /dev/xen/xenbus mounts nothing" "" "$(logged)"
fresh "console=ttyS0"; kvm
wsbridge_xenbus_setup
check "KVM mounts no xenfs" "" "$(logged)"

# Shares from the command line.
fresh "console=ttyS0 wsbridge.sharefs=9p wsbridge.share=wsbridge0:/home:rw wsbridge.share=wsbridge1:/cvmfs/sft.cern.ch:ro wsbridge.share=bad:relative:rw wsbridge.share=wsbridge3:/opt:xx"
check "shares parsed, a relative path dropped, an unknown mode read-only" \
    "wsbridge0 /home rw|wsbridge1 /cvmfs/sft.cern.ch ro|wsbridge3 /opt ro" "$(wsbridge_shares | tr '\n' '|' | sed 's/|$//')"
fresh "console=ttyS0 wsbridge.share=wsbridge0:/a=b:rw"
check "an = in a path" "wsbridge0 /a=b rw" "$(wsbridge_shares)"

# Mounting them.
fresh "console=ttyS0 wsbridge.sharefs=virtiofs wsbridge.share=wsbridge0:/home:rw wsbridge.share=wsbridge1:/cvmfs:ro"; kvm
out=$(wsbridge_mount_shares); rc=$?
check "virtio-fs mounts" "mount -t virtiofs -o rw,nosuid,nodev wsbridge0 T/root/home|mount -t virtiofs -o ro,nosuid,nodev wsbridge1 T/root/cvmfs" "$(logged | tr '\n' '|' | sed 's/|$//')"
check "virtio-fs mount points made" yes "$([ -d "$T/root/home" ] && [ -d "$T/root/cvmfs" ] && echo yes)"
check "virtio-fs mounted, rc" "0" "$rc"
check "virtio-fs mounted, said so" "wsbridge-guest: /home from the host (virtiofs, rw)|wsbridge-guest: /cvmfs from the host (virtiofs, ro)" "$(echo "$out" | tr '\n' '|' | sed 's/|$//')"
fresh "console=ttyS0 wsbridge.sharefs=9p wsbridge.share=wsbridge0:/home:ro"; kvm
wsbridge_mount_shares >/dev/null
check "9p over virtio" "mount -t 9p -o ro,nosuid,nodev,trans=virtio,version=9p2000.L,access=client,msize=262144 wsbridge0 T/root/home" "$(logged)"
fresh "console=hvc0 wsbridge.sharefs=9p wsbridge.share=wsbridge0:/home:rw"; xen_pv
wsbridge_mount_shares >/dev/null
check "9p over Xen" "mount -t 9p -o rw,nosuid,nodev,trans=xen,version=9p2000.L,access=client,msize=262144 wsbridge0 T/root/home" "$(logged)"
fresh "console=ttyS0"; kvm
check "no shares, nothing to do" "rc=0 " "$(wsbridge_mount_shares; echo "rc=$? $(logged)")"
fresh "console=ttyS0 wsbridge.sharefs=nfs wsbridge.share=wsbridge0:/home:rw"; kvm
out=$(wsbridge_mount_shares); rc=$?
check "an unknown file system fails" "1" "$rc"
check "an unknown file system, said so" 'wsbridge-guest: shares offered over an unknown file system "nfs"' "$out"
fresh "console=hvc0 wsbridge.sharefs=9p wsbridge.share=wsbridge0:/home:rw wsbridge.share=wsbridge1:/cvmfs:ro wsbridge.share=wsbridge2:/opt:ro"; xen_pv
echo wsbridge1 > "$T/unmountable"
out=$(WSBRIDGE_MOUNT_TRIES=2 wsbridge_mount_shares); rc=$?
check "a share that does not mount fails" "1" "$rc"
check "it stops at that share" "0" "$(logged | grep -c wsbridge2)"
check "it names the share and the reason" \
    "wsbridge-guest: cannot mount the host's /cvmfs (9p tag wsbridge1, ro): No such device" "$(echo "$out" | tail -n1)"

echo "guest-setup under $shell_name:"
echo "guest-setup: $pass passed, $fail failed"
[ "$fail" = 0 ]
