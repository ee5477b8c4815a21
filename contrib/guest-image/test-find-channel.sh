#!/bin/sh
# Tests the guest's agent channel discovery (find-channel.sh) against fake sysfs trees: a
# virtio-serial port, Xen PV consoles with and without readable xenstore names, and nothing.
# Needs no root and no guest. Runs under /bin/sh and, when BUSYBOX names a busybox binary (or
# one is on PATH), again under busybox sh with busybox's applets, as the guest's /init does.
#
# usage: test-find-channel.sh        (BUSYBOX=/path/to/busybox to choose the busybox)
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

. "$HERE/find-channel.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export TMPDIR=$T
pass=0
fail=0
NAME=org.wsbridge.agent.0
shell_name=$(readlink /proc/$$/exe 2>/dev/null || echo sh)

check() { # DESCRIPTION EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL ($shell_name): $1: expected '$2', got '$3'"
    fi
}

# A fake xenstored: answers the request that wsbridge_xs_request writes, from files under
# $T/xenstore, in the wire format; what it answers is decoded by wsbridge_xs_value, as the
# reply from /dev/xen/xenbus would be. XENSTORE=none: no xenstore device at all.
XENSTORE=files
wsbridge_xenstore_read() {
    [ "$XENSTORE" = files ] || return 1
    wsbridge_xs_request 2 "$1" >"$T/request"
    set -- $(od -An -v -tu1 -N16 "$T/request")
    [ "$1" = 2 ] || { echo "fake xenstored: type $1, not XS_READ" >&2; return 1; }
    _len=$((${13} + ${14} * 256))
    _path=$(tail -c +17 "$T/request" | head -c $((_len - 1)))
    [ "$(tail -c +17 "$T/request" | tail -c 1 | od -An -tu1 | tr -d ' ')" = 0 ] || { echo "fake xenstored: no NUL" >&2; return 1; }
    if [ -f "$T/xenstore/$_path" ]; then
        reply 2 "$(cat "$T/xenstore/$_path")" >"$T/reply"
    else
        reply 16 ENOENT >"$T/reply"
    fi
    wsbridge_xs_value "$T/reply"
}
reply() { # TYPE PAYLOAD: a reply as xenstored sends it (an error's payload ends with NUL)
    if [ "$1" = 16 ]; then
        printf "$(wsbridge_xs_u32 16)$(wsbridge_xs_u32 0)$(wsbridge_xs_u32 0)$(wsbridge_xs_u32 $((${#2} + 1)))%s\\000" "$2"
    else
        printf "$(wsbridge_xs_u32 "$1")$(wsbridge_xs_u32 0)$(wsbridge_xs_u32 0)$(wsbridge_xs_u32 ${#2})%s" "$2"
    fi
}

fresh() { rm -rf "$T/sys" "$T/xenstore"; mkdir -p "$T/sys/class" "$T/sys/bus" "$T/xenstore"; }
virtio_port() { # PORT NAME
    mkdir -p "$T/sys/class/virtio-ports/$1"
    echo "$2" >"$T/sys/class/virtio-ports/$1/name"
}
xen_console() { # ID NAME|- [unbound]
    d=$T/sys/bus/xen/devices/console-$1
    mkdir -p "$d" "$T/sys/bus/xen/drivers/console"
    echo "device/console/$1" >"$d/nodename"
    echo console >"$d/devtype"
    [ "${3:-}" = unbound ] || ln -s ../../drivers/console "$d/driver"
    if [ "$2" != - ]; then
        mkdir -p "$T/xenstore/device/console/$1"
        printf '%s' "$2" >"$T/xenstore/device/console/$1/name"
    fi
}
find_it() { wsbridge_find_channel "$NAME"; echo "rc=$?"; }
export WSBRIDGE_SYSFS=$T/sys WSBRIDGE_DEVDIR=/dev

# Virtio-serial (QEMU/KVM).
fresh
virtio_port vport0p1 org.qemu.guest_agent.0
virtio_port vport1p1 $NAME
check "virtio port by name" "/dev/vport1p1 rc=0" "$(echo $(find_it))"
fresh
virtio_port vport0p1 org.qemu.guest_agent.0
check "virtio ports, none named so" "rc=1" "$(echo $(find_it))"

# Xen PV consoles with names in xenstore.
fresh
xen_console 1 org.other.channel
xen_console 2 $NAME
check "second Xen console by name" "/dev/hvc2 rc=0" "$(echo $(find_it))"
fresh
xen_console 3 $NAME
xen_console 1 org.other.channel
check "Xen consoles in numeric order" "/dev/hvc2 rc=0" "$(echo $(find_it))"
fresh
xen_console 0 -
xen_console 1 $NAME
xen_console 2 org.other.channel unbound
check "primary console and unbound ones do not count" "/dev/hvc1 rc=0" "$(echo $(find_it))"
fresh
xen_console 1 org.other.channel
check "one Xen console with another name" "rc=1" "$(echo $(find_it))"
fresh
virtio_port vport0p1 org.qemu.guest_agent.0
xen_console 1 $NAME
check "virtio ports without ours, then Xen" "/dev/hvc1 rc=0" "$(echo $(find_it))"

# Xen without a readable xenstore: one extra console can only be the channel.
XENSTORE=none
fresh
xen_console 1 -
check "one Xen console, names unreadable" "/dev/hvc1 rc=0" "$(echo $(find_it))"
fresh
xen_console 1 -
xen_console 2 -
check "two Xen consoles, names unreadable" "rc=1" "$(echo $(find_it))"
XENSTORE=files

# Nothing at all.
fresh
check "no channel" "rc=1" "$(echo $(find_it))"
rm -rf "$T/sys"
check "no sysfs" "rc=1" "$(echo $(find_it))"

# The wire format, byte for byte.
check "XS_READ request" "2 0 0 0 0 0 0 0 0 0 0 0 22 0 0 0 100 101 118 105 99 101 47 99 111 110 115 111 108 101 47 49 47 110 97 109 101 0" \
    "$(echo $(wsbridge_xs_request 2 device/console/1/name | od -An -v -tu1))"
check "a 32-bit length" "0 1 1 0" "$(echo $(printf "$(wsbridge_xs_u32 65792)" | od -An -v -tu1))"
reply 2 "a value with spaces" >"$T/r"
check "reply value" "a value with spaces rc=0" "$(wsbridge_xs_value "$T/r"; echo " rc=$?")"
reply 2 "" >"$T/r"
check "empty value" " rc=0" "$(wsbridge_xs_value "$T/r"; echo " rc=$?")"
reply 16 ENOENT >"$T/r"
check "error reply" " rc=1" "$(wsbridge_xs_value "$T/r"; echo " rc=$?")"
reply 2 "cut short" | head -c 20 >"$T/r"
check "short reply" " rc=1" "$(wsbridge_xs_value "$T/r"; echo " rc=$?")"
: >"$T/r"
check "no reply" " rc=1" "$(wsbridge_xs_value "$T/r"; echo " rc=$?")"

# The real reader fails cleanly, and the shell survives, without a usable xenstore device.
unset -f wsbridge_xenstore_read
. "$HERE/find-channel.sh"
check "no xenstore device" "rc=1" "$(WSBRIDGE_XENBUS=$T/none wsbridge_xenstore_read device/console/1/name; echo "rc=$?")"
: >"$T/plain"
check "a plain file is no xenstore" "rc=1" "$(WSBRIDGE_XENBUS=$T/plain wsbridge_xenstore_read device/console/1/name; echo "rc=$?")"
mkdir "$T/dir"
check "a directory is no xenstore" "rc=1" "$(WSBRIDGE_XENBUS=$T/dir wsbridge_xenstore_read device/console/1/name; echo "rc=$?")"

echo "find-channel under $shell_name:"
echo "find-channel: $pass passed, $fail failed"
[ "$fail" = 0 ]
