# Finds the guest's end of the wsbridge agent channel. Sourced by the guest's /init (busybox sh)
# and by test-find-channel.sh; POSIX sh only, no udev, no xenstore tools.
#
#   wsbridge_find_channel NAME   prints the character device of the channel named NAME and
#                                returns 0; prints nothing and returns 1 when there is none (yet)
#
# Where the channel shows up:
#   QEMU/KVM   a virtio-serial port: /sys/class/virtio-ports/vportNpM/name holds NAME, the device
#              is /dev/vportNpM.
#   Xen        libxl makes a channel an extra PV console: a xenbus device console-N (N >= 1) whose
#              xenstore directory (its `nodename` attribute, device/console/N) has `name` = NAME.
#              The kernel's hvc_xen driver gives the consoles /dev/hvc1, /dev/hvc2 ... in the
#              order they were probed, which is the order of N; /dev/hvc0 is the primary console.
#              hvc devices have no sysfs link to their xenbus device, so that order is all that
#              ties them. Names are read from xenstore through /dev/xen/xenbus (or xenfs's
#              /proc/xen/xenbus); when no name can be read, a single extra console is taken.
#
# WSBRIDGE_SYSFS (default /sys) and WSBRIDGE_DEVDIR (default /dev) point elsewhere for tests;
# WSBRIDGE_XENBUS names the xenstore device to use.

wsbridge_find_channel() {
    _wfc_name=$1
    _wfc_sys=${WSBRIDGE_SYSFS:-/sys}
    _wfc_dev=${WSBRIDGE_DEVDIR:-/dev}
    for _wfc_p in "$_wfc_sys"/class/virtio-ports/*; do
        [ -e "$_wfc_p/name" ] || continue
        _wfc_port=
        read -r _wfc_port < "$_wfc_p/name" 2>/dev/null
        if [ "$_wfc_port" = "$_wfc_name" ]; then
            echo "$_wfc_dev/${_wfc_p##*/}"
            return 0
        fi
    done

    # Xen consoles bound to a driver, other than the primary one, by number.
    _wfc_ids=
    for _wfc_c in "$_wfc_sys"/bus/xen/devices/console-*; do
        [ -e "$_wfc_c/driver" ] || continue
        _wfc_id=${_wfc_c##*/console-}
        case "$_wfc_id" in '' | *[!0-9]*) continue ;; esac
        [ "$_wfc_id" -ge 1 ] || continue
        _wfc_ids="$_wfc_ids $_wfc_id"
    done
    [ -n "$_wfc_ids" ] || return 1
    _wfc_index=0
    _wfc_named=0
    for _wfc_id in $(printf '%s\n' $_wfc_ids | sort -n); do
        _wfc_index=$((_wfc_index + 1))
        _wfc_node=$(cat "$_wfc_sys/bus/xen/devices/console-$_wfc_id/nodename" 2>/dev/null)
        [ -n "$_wfc_node" ] || _wfc_node=device/console/$_wfc_id
        _wfc_n=$(wsbridge_xenstore_read "$_wfc_node/name") || continue
        _wfc_named=1
        if [ "$_wfc_n" = "$_wfc_name" ]; then
            echo "$_wfc_dev/hvc$_wfc_index"
            return 0
        fi
    done
    if [ "$_wfc_named" = 0 ] && [ "$_wfc_index" = 1 ]; then
        echo "$_wfc_dev/hvc1"
        return 0
    fi
    return 1
}

# wsbridge_xenstore_read PATH: prints the value of a xenstore key (relative to the domain's
# home) and returns 0, or returns 1 (no xenstore device, no such key, no answer within 2 s).
wsbridge_xenstore_read() {
    _wxr_bus=${WSBRIDGE_XENBUS:-}
    if [ -z "$_wxr_bus" ]; then
        for _wxr_bus in /dev/xen/xenbus /proc/xen/xenbus ""; do
            [ -n "$_wxr_bus" ] && [ -e "$_wxr_bus" ] && break
        done
    fi
    [ -n "$_wxr_bus" ] && [ -e "$_wxr_bus" ] || return 1
    _wxr_reply=$(mktemp "${TMPDIR:-/tmp}/xs.XXXXXX") || return 1
    # One open for the request and its reply: the reply goes to the file that asked. In a
    # subshell, because a failed `exec` redirection ends the shell that runs it.
    (
        exec 9<>"$_wxr_bus" || exit 1
        wsbridge_xs_request 2 "$1" >&9 && timeout 2 dd bs=65536 count=1 <&9 >"$_wxr_reply"
    ) 2>/dev/null
    wsbridge_xs_value "$_wxr_reply"
    _wxr_rc=$?
    rm -f "$_wxr_reply"
    return $_wxr_rc
}

# The xenstore wire format (xen/include/public/io/xs_wire.h): a header of four 32-bit words in
# the guest's byte order (little-endian on x86 and arm64) - type, request id, transaction id,
# payload length - then the payload. XS_READ is 2 and its payload is the path with a NUL; the
# reply to it has type 2 and the value (no NUL) as payload, or XS_ERROR (16) and an errno name.

# wsbridge_xs_request TYPE PATH: writes one request.
wsbridge_xs_request() {
    _wxq_len=$((${#2} + 1))
    # shellcheck disable=SC2059 # the format is built from octal escapes on purpose
    printf "$(wsbridge_xs_u32 "$1")$(wsbridge_xs_u32 0)$(wsbridge_xs_u32 0)$(wsbridge_xs_u32 "$_wxq_len")%s\\000" "$2"
}

wsbridge_xs_u32() {
    printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255))
}

# wsbridge_xs_value FILE: the value of an XS_READ reply in FILE; 1 for an error reply or a
# short one.
wsbridge_xs_value() {
    [ -s "$1" ] || return 1
    set -- "$1" $(od -An -v -tu1 -N16 "$1")
    [ $# -eq 17 ] && [ "$2" -eq 2 ] && [ "$3$4$5" = 000 ] || return 1
    _wxv_len=$((${14} + ${15} * 256 + ${16} * 65536 + ${17} * 16777216))
    [ $(($(wc -c <"$1"))) -ge $((16 + _wxv_len)) ] || return 1
    tail -c +17 "$1" | head -c "$_wxv_len"
}
