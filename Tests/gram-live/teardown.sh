#!/bin/bash
# Stops what Tests/gram-live/setup.sh started: the gatekeeper and every process in its network
# namespace (job managers, their Perl script processes, clients), the namespace itself, the
# wsbridge daemon's jobs and workspaces, and the daemon. Only processes recorded by setup.sh or
# living in its namespace are touched. Installed packages, credentials and the user stay, so
# that the next setup is quick.
#
# Usage (as root): Tests/gram-live/teardown.sh [--quiet]
set -u
QUIET=
[ "${1:-}" = "--quiet" ] && QUIET=1
say() { [ -n "$QUIET" ] || echo "teardown: $*"; }

ENV_FILE=/run/wsbridge-gram-live.env
GRAM_NETNS=${GRAM_NETNS:-gramlive}
WSB_STATE=${WSB_STATE:-/var/lib/wsbridge}
WSB_BIN=/usr/local/bin/wsbridge
GK_PIDFILE=/run/wsbridge-gram-gatekeeper.pid
DAEMON_PIDFILE=/run/wsbridge.pid
# shellcheck disable=SC1090
[ -f "$ENV_FILE" ] && . "$ENV_FILE"

# A pid from a pid file, if that process still runs the program we started.
live_pid() {
    local pid
    [ -f "$1" ] || return 1
    pid=$(cat "$1")
    [ -n "$pid" ] && kill -0 "$pid" 2> /dev/null || return 1
    tr '\0' ' ' < "/proc/$pid/cmdline" 2> /dev/null | grep -q "$2" || return 1
    echo "$pid"
}

# ---- the gatekeeper and everything in its namespace ----------------------------------------
if pid=$(live_pid "$GK_PIDFILE" globus-gatekeeper); then
    kill "$pid" 2> /dev/null
    say "gatekeeper $pid stopped"
fi
rm -f "$GK_PIDFILE"
if ip netns list 2> /dev/null | grep -qw "^$GRAM_NETNS"; then
    pids=$(ip netns pids "$GRAM_NETNS" 2> /dev/null)
    if [ -n "$pids" ]; then
        # shellcheck disable=SC2086
        kill $pids 2> /dev/null
        for _ in $(seq 1 30); do
            pids=$(ip netns pids "$GRAM_NETNS" 2> /dev/null)
            [ -z "$pids" ] && break
            sleep 0.1
        done
        # shellcheck disable=SC2086
        [ -n "$pids" ] && kill -KILL $pids 2> /dev/null
        say "processes in namespace $GRAM_NETNS stopped"
    fi
    ip netns del "$GRAM_NETNS" && say "namespace $GRAM_NETNS deleted"
fi

# ---- the daemon: cancel its jobs, destroy its workspaces, stop it ----------------------------
if pid=$(live_pid "$DAEMON_PIDFILE" "wsbridge serve"); then
    if [ -S "$WSB_STATE/api.sock" ] && [ -x "$WSB_BIN" ]; then
        # root sees every user's jobs
        jobs=$("$WSB_BIN" status --state-dir "$WSB_STATE" 2> /dev/null |
               awk 'NR > 1 && $0 !~ /done|failed|cancelled/ { print $1 }' | grep -E '^[0-9]+$')
        # shellcheck disable=SC2086
        [ -n "$jobs" ] && "$WSB_BIN" cancel --state-dir "$WSB_STATE" $jobs > /dev/null 2>&1
        for ws in $("$WSB_BIN" workspaces list --state-dir "$WSB_STATE" 2> /dev/null | awk 'NR > 1 { print $1 }'); do
            "$WSB_BIN" workspaces destroy --state-dir "$WSB_STATE" "$ws" > /dev/null 2>&1 ||
                echo "teardown: could not destroy workspace $ws" >&2
        done
    fi
    kill "$pid" 2> /dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2> /dev/null && kill -KILL "$pid" 2> /dev/null
    say "wsbridge daemon $pid stopped"
fi
rm -f "$DAEMON_PIDFILE" "$ENV_FILE"
exit 0
