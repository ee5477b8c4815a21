#!/bin/sh
# Starts a libvirtd able to run QEMU guests on a host without systemd (CI containers, microVMs).
# Idempotent: creates what is missing, starts what is not running, then waits until
# `virsh -c qemu:///system version` answers.
#
# Needs: libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 (Debian names).
# Environment:
#   LIBVIRT_RUNDIR   where pid files and the daemon log go (default /var/run/wsbridge-libvirtd)
#   LIBVIRT_WAIT     seconds to wait for the daemon to answer (default 90: the first qemu:///system
#                    connection after a start probes QEMU's capabilities, several seconds)
set -eu

RUNDIR=${LIBVIRT_RUNDIR:-/var/run/wsbridge-libvirtd}
WAIT=${LIBVIRT_WAIT:-90}

if [ "$(id -u)" -ne 0 ]; then
    echo "start-libvirtd.sh: must run as root (libvirtd for qemu:///system)" >&2
    exit 1
fi
for tool in libvirtd virtlogd virsh; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "start-libvirtd.sh: $tool not found; install libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients" >&2
        exit 1
    }
done

# The QEMU driver resolves its compiled-in default user before it reads qemu.conf, so the
# account must exist even though qemu.conf below runs guests as root.
getent group kvm >/dev/null || groupadd -r kvm
getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
getent passwd libvirt-qemu >/dev/null ||
    useradd -r -g kvm -G libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu

mkdir -p /etc/libvirt /var/log/libvirt/qemu /var/lib/libvirt/qemu /run/libvirt "$RUNDIR"
QEMU_CONF=/etc/libvirt/qemu.conf
MARK="# wsbridge: guests run as root without a security driver (no systemd, no SELinux/AppArmor)"
if ! grep -qF "$MARK" "$QEMU_CONF" 2>/dev/null; then
    [ -f "$QEMU_CONF" ] && cp "$QEMU_CONF" "$QEMU_CONF.wsbridge-orig"
    cat > "$QEMU_CONF" <<CONF
$MARK
user = "root"
group = "root"
security_driver = "none"
CONF
fi

# A killed daemon can linger as a zombie where PID 1 does not reap (containers, microVMs):
# kill -0 and pgrep still see it, so look at the process state too.
live_pid() { [ -n "$1" ] && [ -r "/proc/$1/stat" ] && ! sed 's/.*) //' "/proc/$1/stat" | grep -q '^Z'; }
running() {
    for pid in $(pgrep -x "$1"); do
        live_pid "$pid" && return 0
    done
    return 1
}

if ! running virtlogd; then
    virtlogd -d --pid-file "$RUNDIR/virtlogd.pid"
fi
if ! running libvirtd; then
    LIBVIRT_LOG_OUTPUTS="3:file:$RUNDIR/libvirtd.log" libvirtd -d --pid-file "$RUNDIR/libvirtd.pid"
fi

i=0
while ! virsh -c qemu:///system version >/dev/null 2>&1; do
    i=$((i + 1))
    if [ "$i" -ge "$WAIT" ]; then
        echo "start-libvirtd.sh: libvirtd did not answer within ${WAIT}s; see $RUNDIR/libvirtd.log" >&2
        exit 1
    fi
    sleep 1
done
virsh -c qemu:///system version | sed -n 's/^Running hypervisor: /libvirtd ready: /p'
