#!/bin/sh
# Installs the wsbridge "workspace" LRM into blahp: copies the workspace_*.sh scripts into the
# blahp libexec directory and adds "workspace" to supported_lrms in the blah config.
# Safe to run again: scripts are replaced, the config is edited only where it lacks our keys.
#
# Usage: install.sh [--libexec DIR] [--config FILE] [--binpath DIR] [--state-dir DIR]
#   --libexec DIR    blahp's libexec directory (default: blah_libexec_directory from the config,
#                    else /usr/libexec/blahp if it exists, else /usr/libexec)
#   --config FILE    the blah config (default: $BLAHPD_CONFIG_LOCATION, else /etc/blah.config)
#   --binpath DIR    sets workspace_binpath (the directory holding wsbridge) if not set yet
#   --state-dir DIR  sets workspace_state_dir (the daemon's state directory) if not set yet
# DESTDIR=/some/root install.sh installs below that root (for packaging and tests).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=${DESTDIR:-}
LIBEXEC=
CONFIG=${BLAHPD_CONFIG_LOCATION:-/etc/blah.config}
BINPATH=
STATEDIR=
while [ $# -gt 0 ]; do
    case "$1" in
        --libexec) LIBEXEC=$2; shift 2 ;;
        --config) CONFIG=$2; shift 2 ;;
        --binpath) BINPATH=$2; shift 2 ;;
        --state-dir) STATEDIR=$2; shift 2 ;;
        *) echo "usage: $0 [--libexec DIR] [--config FILE] [--binpath DIR] [--state-dir DIR]" >&2; exit 2 ;;
    esac
done

# The value of KEY in the config (last assignment wins, as when the shell sources it), unquoted.
config_value() {
    [ -r "$ROOT$CONFIG" ] || return 0
    sed -n "s/^[[:space:]]*$1=//p" "$ROOT$CONFIG" | tail -n 1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'\$/\1/"
}

if [ -z "$LIBEXEC" ]; then
    LIBEXEC=$(config_value blah_libexec_directory)
fi
if [ -z "$LIBEXEC" ]; then
    if [ -d "$ROOT/usr/libexec/blahp" ]; then LIBEXEC=/usr/libexec/blahp; else LIBEXEC=/usr/libexec; fi
fi

mkdir -p "$ROOT$LIBEXEC"
for f in workspace_common.sh workspace_submit.sh workspace_status.sh workspace_cancel.sh \
         workspace_hold.sh workspace_resume.sh workspace_ping.sh; do
    cp "$HERE/$f" "$ROOT$LIBEXEC/$f.new"
    chmod 755 "$ROOT$LIBEXEC/$f.new"
    mv -f "$ROOT$LIBEXEC/$f.new" "$ROOT$LIBEXEC/$f"
done
echo "installed the workspace LRM scripts in $ROOT$LIBEXEC"

mkdir -p "$(dirname "$ROOT$CONFIG")"
touch "$ROOT$CONFIG"
current=$(config_value supported_lrms)
case ",$current," in
    *,workspace,*) echo "supported_lrms already lists workspace" ;;
    *)
        if [ -n "$current" ]; then new="$current,workspace"; else new=workspace; fi
        if grep -q '^[[:space:]]*supported_lrms=' "$ROOT$CONFIG"; then
            sed -i "s|^\([[:space:]]*\)supported_lrms=.*|\1supported_lrms=$new|" "$ROOT$CONFIG"
        else
            printf 'supported_lrms=%s\n' "$new" >> "$ROOT$CONFIG"
        fi
        echo "supported_lrms=$new in $ROOT$CONFIG"
        ;;
esac
add_key() {
    if [ -n "$2" ] && ! grep -q "^[[:space:]]*$1=" "$ROOT$CONFIG"; then
        printf '%s="%s"\n' "$1" "$2" >> "$ROOT$CONFIG"
        echo "$1=\"$2\" in $ROOT$CONFIG"
    fi
}
add_key workspace_binpath "$BINPATH"
add_key workspace_state_dir "$STATEDIR"
