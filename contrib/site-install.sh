#!/bin/sh
# The site install the README shows, as one script: from a built wsbridge program to a running
# daemon and, with --gram, to grid jobs through the site's GRAM5 gatekeeper
# (globus-job-run HOST/jobmanager-workspace /bin/echo hi). CI runs it as written on a fresh
# Grid Community Toolkit install (Tests/gram-live/setup.sh), so these steps cannot rot.
#
# Usage (as root):  contrib/site-install.sh [--gram] WSBRIDGE_BIN
#
#   1. the program             /usr/local/bin/wsbridge (mode 0755: the GRAM module runs it as
#                              the mapped user)
#      with its man page and shell completions under /usr/local/share (man1, bash-completion,
#                              zsh site-functions, fish vendor_completions.d)
#   2. the config              /etc/wsbridge/wsbridge.toml, the annotated reference (kept when it
#                              exists); with --gram a new one gets [gram] seg_directory set
#   3. the state directory     /var/lib/wsbridge, mode 0755 (users reach api.sock in it)
#   4. with --gram             adapters/gram/install.sh: the LRM module, the services
#                              jobmanager-workspace and jobmanager-workspace-seg, the default
#                              service jobmanager when there is none, the SEG directory and its
#                              day files
#   5. the daemon              systemd unit wsbridge.service when systemd runs; otherwise
#                              `wsbridge serve` in the background (pid in /run/wsbridge.pid, log
#                              /var/log/wsbridge.log); (re)started, then asked to answer
#
# Safe to run again: the program is replaced and the daemon restarted (running jobs go on in
# their workspaces and are re-attached); edited config files are kept.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
BIN=/usr/local/bin/wsbridge
CONFIG=/etc/wsbridge/wsbridge.toml
STATE=/var/lib/wsbridge
SEG_DIR=/var/lib/globus/globus-seg-workspace
PIDFILE=/run/wsbridge.pid
LOG=/var/log/wsbridge.log

GRAM=
SRC=
for arg in "$@"; do
    case "$arg" in
        --gram) GRAM=1 ;;
        -*) echo "usage: $0 [--gram] WSBRIDGE_BIN" >&2; exit 2 ;;
        *) SRC=$arg ;;
    esac
done
if [ -z "$SRC" ] || [ ! -x "$SRC" ]; then
    echo "usage: $0 [--gram] WSBRIDGE_BIN (a built wsbridge, e.g. .build/release/wsbridge)" >&2
    exit 2
fi
[ "$(id -u)" = 0 ] || { echo "$0: must run as root" >&2; exit 2; }

# 1. the program (replaced atomically: a running daemon keeps its old copy)
install -m 755 "$SRC" "$BIN.new"
mv -f "$BIN.new" "$BIN"
echo "program:   $BIN"
SHARE=/usr/local/share
install -D -m 644 "$HERE/man/wsbridge.1" "$SHARE/man/man1/wsbridge.1"
install -D -m 644 "$HERE/completions/wsbridge.bash" "$SHARE/bash-completion/completions/wsbridge"
install -D -m 644 "$HERE/completions/_wsbridge" "$SHARE/zsh/site-functions/_wsbridge"
install -D -m 644 "$HERE/completions/wsbridge.fish" "$SHARE/fish/vendor_completions.d/wsbridge.fish"
echo "manual:    $SHARE/man/man1/wsbridge.1, shell completions for bash, zsh and fish"

# 2. the config
if [ ! -f "$CONFIG" ]; then
    install -D -m 644 "$HERE/wsbridge.toml" "$CONFIG"
    [ -n "$GRAM" ] && sed -i "s|^# seg_directory = \"$SEG_DIR\"|seg_directory = \"$SEG_DIR\"|" "$CONFIG"
    echo "config:    $CONFIG (the annotated reference: edit classes and throttles there)"
else
    echo "config:    $CONFIG (kept)"
fi
if [ -n "$GRAM" ] && ! grep -q "^seg_directory = \"$SEG_DIR\"" "$CONFIG"; then
    echo "note: $CONFIG does not set [gram] seg_directory = \"$SEG_DIR\": jobmanager-workspace-seg gets no events" >&2
fi

# 3. the state directory
install -d -m 755 "$STATE"
chmod 755 "$STATE"

# 4. the GRAM adapter
if [ -n "$GRAM" ]; then
    "$HERE/../adapters/gram/install.sh" --state-dir "$STATE"
fi

# 5. the daemon
if [ -d /run/systemd/system ] && command -v systemctl > /dev/null 2>&1; then
    install -m 644 "$HERE/wsbridge.service" /etc/systemd/system/wsbridge.service
    systemctl daemon-reload
    systemctl enable wsbridge > /dev/null 2>&1
    systemctl restart wsbridge
    echo "daemon:    systemd unit wsbridge.service"
else
    if [ -f "$PIDFILE" ]; then
        old=$(cat "$PIDFILE")
        if [ -n "$old" ] && tr '\0' ' ' < "/proc/$old/cmdline" 2> /dev/null | grep -q "wsbridge serve"; then
            kill "$old"
            for _ in $(seq 1 100); do kill -0 "$old" 2> /dev/null || break; sleep 0.1; done
        fi
    fi
    setsid "$BIN" serve --state-dir "$STATE" --config "$CONFIG" >> "$LOG" 2>&1 < /dev/null &
    echo $! > "$PIDFILE"
    echo "daemon:    pid $(cat "$PIDFILE") (no systemd), log $LOG"
fi
for _ in $(seq 1 100); do
    "$BIN" status --state-dir "$STATE" > /dev/null 2>&1 && { echo "wsbridge is ready"; exit 0; }
    sleep 0.1
done
echo "$0: the daemon does not answer on $STATE/api.sock; see $LOG or journalctl -u wsbridge" >&2
exit 1
