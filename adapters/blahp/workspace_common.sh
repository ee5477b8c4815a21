# Sourced by the workspace_*.sh blahp scripts (the `workspace` LRM of wsbridge).
#
# Reads the blah config the way upstream scripts do (blah_load_config.sh: $BLAHPD_CONFIG_LOCATION,
# else $BLAHPD_LOCATION/etc/blah.config, else $GLITE_LOCATION/etc/blah.config, else
# /etc/blah.config; then <config>.d/* and ~/.blah/user.config), but tolerates their absence so
# that the scripts also work on a machine with no blah config at all. Then it points wsbridge at
# its daemon and finds the program. Keys read:
#   workspace_state_dir  the daemon's state directory (WSBRIDGE_STATE_DIR, if set, wins)
#   workspace_binpath    the directory holding the wsbridge program (default: found on PATH)
#   workspace_servers    the daemons' network APIs, "host:port,host:port" in failover order, for
#                        a CE on another host than the daemon (WSBRIDGE_SERVERS, if set, wins;
#                        /etc/wsbridge/client.toml may name them instead)
# Nothing else happens here: all logic is in `wsbridge blah <action>`.

blah_config_file=/etc/blah.config
if [ -n "$BLAHPD_CONFIG_LOCATION" ] && [ -r "$BLAHPD_CONFIG_LOCATION" ]; then
    blah_config_file=$BLAHPD_CONFIG_LOCATION
elif [ -n "$BLAHPD_LOCATION" ] && [ -r "$BLAHPD_LOCATION/etc/blah.config" ]; then
    blah_config_file=$BLAHPD_LOCATION/etc/blah.config
elif [ -r "${GLITE_LOCATION:-/opt/glite}/etc/blah.config" ]; then
    blah_config_file=${GLITE_LOCATION:-/opt/glite}/etc/blah.config
fi
if [ -r "$blah_config_file" ]; then
    . "$blah_config_file"
fi
if [ -d "$blah_config_file.d" ]; then
    for blah_config_part in "$blah_config_file.d"/*; do
        if [ -r "$blah_config_part" ]; then . "$blah_config_part"; fi
    done
fi
if [ -n "$HOME" ] && [ -r "$HOME/.blah/user.config" ]; then
    . "$HOME/.blah/user.config"
fi

if [ -z "$WSBRIDGE_STATE_DIR" ] && [ -n "$workspace_state_dir" ]; then
    WSBRIDGE_STATE_DIR=$workspace_state_dir
    export WSBRIDGE_STATE_DIR
fi
if [ -z "$WSBRIDGE_SERVERS" ] && [ -n "$workspace_servers" ]; then
    WSBRIDGE_SERVERS=$workspace_servers
    export WSBRIDGE_SERVERS
fi
if [ -n "$workspace_binpath" ]; then
    wsbridge_bin=${workspace_binpath%/}/wsbridge
else
    wsbridge_bin=wsbridge
fi
# Usage lines name the script, as upstream ones do with $0.
WSBRIDGE_BLAH_SCRIPT=$0
export WSBRIDGE_BLAH_SCRIPT

# workspace_exec ACTION ARGS...: replaces this shell with `wsbridge blah ACTION ARGS...`.
workspace_exec() {
    workspace_action=$1
    shift
    if ! command -v "$wsbridge_bin" >/dev/null 2>&1; then
        workspace_why="the wsbridge program ($wsbridge_bin) is not found: set workspace_binpath in $blah_config_file"
        case "$workspace_action" in
            ping) echo "1 $workspace_why"; exit 0 ;;
            hold|resume) echo " 1 Error"; echo "$0: $workspace_why" >&2; exit 1 ;;
            *) echo "$0: $workspace_why" >&2; exit 1 ;;
        esac
    fi
    exec "$wsbridge_bin" blah "$workspace_action" "$@"
}
