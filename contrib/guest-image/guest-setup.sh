# What the guest's /init decides from the kernel command line and sysfs: which kernel modules
# to load, which disk is the root, and the host directories to mount. Sourced by /init (busybox
# sh) and by test-guest-setup.sh; POSIX sh only.
#
#   wsbridge_hypervisor            prints `xen` in a Xen guest (PV, PVH or HVM), `other` elsewhere
#   wsbridge_module_groups         prints the module groups to load, in order (see build.sh):
#                                  base; xen in a Xen guest; the shared file system's groups
#   wsbridge_load_modules          loads those groups (insmod, in each group's order)
#   wsbridge_root_device           prints the root= device, if any
#   wsbridge_wait_for_block DEV    waits up to 10 s for a block device
#   wsbridge_xenbus_setup          in a Xen guest without /dev/xen/xenbus, mounts xenfs on
#                                  /proc/xen so that find-channel.sh can read xenstore
#   wsbridge_shares                prints one line per share: TAG PATH rw|ro
#   wsbridge_mount_shares          mounts every share at its path; on the first failure says
#                                  which and returns 1
#
# Kernel command line (written by the provider, see GuestShares.swift):
#   wsbridge.sharefs=virtiofs|9p   how shares are offered (9p: over virtio, or Xen's 9pfs)
#   wsbridge.share=TAG:PATH:rw|ro  one per share, outer paths first
#
# For tests: WSBRIDGE_CMDLINE (default /proc/cmdline), WSBRIDGE_SYSFS (/sys), WSBRIDGE_DEVDIR
# (/dev), WSBRIDGE_MODULES (/lib/modules), WSBRIDGE_ROOT (prefix for directories made, default
# none), WSBRIDGE_INSMOD / WSBRIDGE_MOUNT (commands run instead of insmod and mount), and the
# patience: WSBRIDGE_WAIT_TENTHS (for a block device, default 100) and WSBRIDGE_MOUNT_TRIES
# (per share, 0.1 s apart, default 20).

# Files are read with `read`, a shell builtin: in the guest every other command is a fork and an
# exec of busybox, about 10 ms each under TCG.
wsbridge_cmdline() {
    [ -r "${WSBRIDGE_CMDLINE:-/proc/cmdline}" ] || return 0
    while read -r _wc_line || [ -n "$_wc_line" ]; do printf '%s\n' "$_wc_line"; done < "${WSBRIDGE_CMDLINE:-/proc/cmdline}"
}

# wsbridge_arg NAME: the value of the last NAME=... on the command line; 1 when absent.
wsbridge_arg() {
    _wa_found=1
    for _wa in $(wsbridge_cmdline); do
        case "$_wa" in "$1="*) _wa_value=${_wa#"$1="}; _wa_found=0 ;; esac
    done
    [ "$_wa_found" = 0 ] && printf '%s\n' "$_wa_value"
    return $_wa_found
}

wsbridge_hypervisor() {
    _wh_sys=${WSBRIDGE_SYSFS:-/sys}
    # /sys/hypervisor/type is `xen` in every kind of Xen guest (CONFIG_XEN_SYS_HYPERVISOR). A
    # kernel built for Xen has an (empty) xen bus under KVM too: only devices on it say Xen.
    _wh_type=
    [ -r "$_wh_sys/hypervisor/type" ] && read -r _wh_type < "$_wh_sys/hypervisor/type"
    if [ "$_wh_type" = xen ]; then
        echo xen
        return 0
    fi
    for _wh_d in "$_wh_sys"/bus/xen/devices/*; do
        [ -e "$_wh_d" ] && { echo xen; return 0; }
    done
    echo other
}

wsbridge_module_groups() {
    echo base
    _wg_hv=$(wsbridge_hypervisor)
    [ "$_wg_hv" = xen ] && echo xen
    [ -n "$(wsbridge_shares)" ] || return 0
    case "$(wsbridge_arg wsbridge.sharefs)" in
        virtiofs) echo virtiofs ;;
        9p) echo 9p; if [ "$_wg_hv" = xen ]; then echo 9p-xen; else echo 9p-virtio; fi ;;
    esac
}

wsbridge_load_modules() {
    _wl_dir=${WSBRIDGE_MODULES:-/lib/modules}
    for _wl_group in $(wsbridge_module_groups); do
        [ -f "$_wl_dir/groups/$_wl_group" ] || continue
        while read -r _wl_m; do
            [ -n "$_wl_m" ] || continue
            [ "${VERBOSE:-0}" = 1 ] && echo "wsbridge-guest: insmod $_wl_m ($_wl_group)"
            # Loaded already (the second run of /init, from the disk) or built in: fine.
            ${WSBRIDGE_INSMOD:-insmod} "$_wl_dir/$_wl_m.ko" 2>/dev/null
        done < "$_wl_dir/groups/$_wl_group"
    done
    return 0
}

wsbridge_root_device() {
    _wr=$(wsbridge_arg root) || return 1
    case "$_wr" in /dev/*) echo "$_wr" ;; *) return 1 ;; esac
}

wsbridge_wait_for_block() {
    _wb_i=0
    while [ ! -b "$1" ] && [ "$_wb_i" -lt "${WSBRIDGE_WAIT_TENTHS:-100}" ]; do _wb_i=$((_wb_i + 1)); sleep 0.1; done
    [ -b "$1" ]
}

wsbridge_xenbus_setup() {
    [ "$(wsbridge_hypervisor)" = xen ] || return 0
    [ -e "${WSBRIDGE_DEVDIR:-/dev}/xen/xenbus" ] && return 0
    _wx_proc=${WSBRIDGE_ROOT:-}/proc/xen
    mkdir -p "$_wx_proc" 2>/dev/null
    ${WSBRIDGE_MOUNT:-mount} -t xenfs xenfs "$_wx_proc"
}

wsbridge_shares() {
    for _ws in $(wsbridge_cmdline); do
        case "$_ws" in wsbridge.share=*) ;; *) continue ;; esac
        _ws=${_ws#wsbridge.share=}
        _ws_tag=${_ws%%:*}
        _ws_rest=${_ws#*:}
        _ws_mode=${_ws_rest##*:}
        _ws_path=${_ws_rest%:*}
        case "$_ws_mode" in rw | ro) ;; *) _ws_mode=ro ;; esac
        case "$_ws_path" in /*) printf '%s %s %s\n' "$_ws_tag" "$_ws_path" "$_ws_mode" ;; esac
    done
}

# wsbridge_mount_options FS MODE: the file system type and options for one share. nosuid and
# nodev: a file on the host's side never makes anyone root, nor a device, in the guest.
wsbridge_mount_options() {
    case "$1" in
        virtiofs) echo "virtiofs $2,nosuid,nodev" ;;
        # access=client: the guest kernel checks permissions against the files' owners and
        # modes (QEMU serves them as root in the passthrough model and checks nothing).
        9p) if [ "$(wsbridge_hypervisor)" = xen ]; then _wo_trans=xen; else _wo_trans=virtio; fi
            echo "9p $2,nosuid,nodev,trans=$_wo_trans,version=9p2000.L,access=client,msize=262144" ;;
        *) return 1 ;;
    esac
}

wsbridge_mount_shares() {
    _wm_fs=$(wsbridge_arg wsbridge.sharefs) || _wm_fs=
    _wm_list=$(wsbridge_shares)
    [ -n "$_wm_list" ] || return 0
    _wm_opts=$(wsbridge_mount_options "$_wm_fs" rw) || {
        echo "wsbridge-guest: shares offered over an unknown file system \"$_wm_fs\""
        return 1
    }
    printf '%s\n' "$_wm_list" | {
        while read -r _wm_tag _wm_path _wm_mode; do
            set -- $(wsbridge_mount_options "$_wm_fs" "$_wm_mode")
            mkdir -p "${WSBRIDGE_ROOT:-}$_wm_path" 2>/dev/null
            # The device can take a moment to register its tag after its driver loaded.
            _wm_i=0
            until _wm_err=$(${WSBRIDGE_MOUNT:-mount} -t "$1" -o "$2" "$_wm_tag" "${WSBRIDGE_ROOT:-}$_wm_path" 2>&1); do
                _wm_i=$((_wm_i + 1))
                if [ "$_wm_i" -ge "${WSBRIDGE_MOUNT_TRIES:-20}" ]; then
                    echo "wsbridge-guest: cannot mount the host's $_wm_path ($1 tag $_wm_tag, $_wm_mode): ${_wm_err:-failed}"
                    return 1
                fi
                sleep 0.1
            done
            echo "wsbridge-guest: $_wm_path from the host ($1, $_wm_mode)"
        done
    }
}
