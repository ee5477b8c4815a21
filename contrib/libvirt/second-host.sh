#!/bin/sh
# A second libvirt "host" on this machine, for migration and drain tests: its own libvirtd and
# virtlogd in their own mount namespace, with their own run, state, config and log directories
# and their own host UUID (libvirt refuses to migrate a guest to the host it is on), and their
# own copy of the directories named in STORAGE (the storage pools of the classes under test), so
# no file is shared with this machine's libvirtd: a guest's disks must really move. The network
# is this machine's (the hosts reach each other on loopback).
#
# usage: second-host.sh DIR [STORAGE...]   (as root) starts it; prints the socket to reach it,
#                                           for URIs such as qemu+unix:///system?socket=SOCKET
#        second-host.sh --stop DIR          stops it and its guests
set -eu

if [ "${1:-}" = --stop ]; then
    DIR=${2:?usage: second-host.sh --stop DIR}
    # Only the processes whose pid files are in DIR: this machine's libvirtd is left alone.
    for name in libvirtd virtlogd; do
        pidfile="$DIR/root/run/$name.pid"
        [ -f "$pidfile" ] || continue
        pid=$(cat "$pidfile")
        if [ "$name" = libvirtd ] && [ -S "$DIR/root/run/libvirt/libvirt-sock" ]; then
            for domain in $(virsh -c "qemu+unix:///system?socket=$DIR/root/run/libvirt/libvirt-sock" list --name 2>/dev/null); do
                virsh -c "qemu+unix:///system?socket=$DIR/root/run/libvirt/libvirt-sock" destroy "$domain" >/dev/null 2>&1 || true
            done
        fi
        kill "$pid" 2>/dev/null || true
        rm -f "$pidfile"
    done
    exit 0
fi

DIR=${1:?usage: second-host.sh DIR [STORAGE...]}
shift
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
R=$DIR/root
mkdir -p "$R/run/libvirt" "$R/lib/libvirt/qemu" "$R/etc/libvirt" "$R/log/libvirt/qemu" "$R/cache/libvirt" "$R/storage"
SOCKET=$R/run/libvirt/libvirt-sock
if [ -f "$R/run/libvirtd.pid" ] && kill -0 "$(cat "$R/run/libvirtd.pid")" 2>/dev/null &&
    virsh -c "qemu+unix:///system?socket=$SOCKET" version >/dev/null 2>&1; then
    echo "$SOCKET"
    exit 0
fi
# Its configuration: guests as root without a security driver or cgroups (as this machine's
# libvirtd runs them), and a host UUID of its own.
[ -s "$R/host-uuid" ] || cat /proc/sys/kernel/random/uuid > "$R/host-uuid"
cat > "$R/etc/libvirt/libvirtd.conf" <<CONF
host_uuid = "$(cat "$R/host-uuid")"
unix_sock_group = "root"
CONF
cat > "$R/etc/libvirt/qemu.conf" <<CONF
user = "root"
group = "root"
security_driver = "none"
cgroup_controllers = [ ]
CONF
# The storage directories: each gets an empty copy of its own, seen at the same path.
binds=""
i=0
for path in "$@"; do
    i=$((i + 1))
    mkdir -p "$path" "$R/storage/$i"
    binds="$binds mount --bind $R/storage/$i $path;"
done
# The places its directories are bound over (a machine whose libvirtd never ran lacks some).
mkdir -p /run/libvirt /var/lib/libvirt /etc/libvirt /var/log/libvirt /var/cache/libvirt
unshare --mount --propagation private sh -c "
    set -e
    mount --bind $R/run/libvirt /run/libvirt
    mount --bind $R/lib/libvirt /var/lib/libvirt
    mount --bind $R/etc/libvirt /etc/libvirt
    mount --bind $R/log/libvirt /var/log/libvirt
    mount --bind $R/cache/libvirt /var/cache/libvirt
    $binds
    virtlogd -d --pid-file $R/run/virtlogd.pid
    LIBVIRT_LOG_OUTPUTS='3:file:$R/libvirtd.log' libvirtd -d --pid-file $R/run/libvirtd.pid
"
i=0
until virsh -c "qemu+unix:///system?socket=$SOCKET" version >/dev/null 2>&1; do
    i=$((i + 1))
    if [ "$i" -ge 90 ]; then
        echo "second-host.sh: its libvirtd did not answer within 90 s; see $R/libvirtd.log" >&2
        exit 1
    fi
    sleep 1
done
echo "$SOCKET"
