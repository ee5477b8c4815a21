#!/bin/sh
# Makes this machine's libvirtd reachable as a remote host: starts an sshd on 127.0.0.1 that
# lets root in with a key made for the purpose, and prints the libvirt URI to use
# (qemu+ssh://root@127.0.0.1:PORT/system?keyfile=...). Through that URI the bridge sees a host
# whose files and sockets it cannot touch: images must be uploaded and the agent channel must
# come back through libvirt, exactly as with another machine.
#
# usage: loopback-ssh.sh DIR [PORT]     (as root; DIR keeps the keys and sshd's files; without
#                                        PORT, the first free one from 2222 on)
#        loopback-ssh.sh --stop DIR     (sshd and its sessions: the "host" goes away)
set -eu

# --stop ends sshd and every session it serves, as a host that goes away would.
descendants() {
    for c in $(pgrep -P "$1"); do descendants "$c"; echo "$c"; done
}
if [ "${1:-}" = --stop ]; then
    DIR=${2:?usage: loopback-ssh.sh --stop DIR}
    if [ -f "$DIR/sshd.pid" ]; then
        pid=$(cat "$DIR/sshd.pid")
        kill -9 $(descendants "$pid") "$pid" 2>/dev/null || true
        rm -f "$DIR/sshd.pid"
    fi
    exit 0
fi
DIR=${1:?usage: loopback-ssh.sh DIR [PORT]}
PORT=${2:-}
[ -x /usr/sbin/sshd ] || { echo "loopback-ssh.sh: /usr/sbin/sshd missing (openssh-server)" >&2; exit 1; }
mkdir -p "$DIR" /run/sshd
chmod 700 "$DIR"
DIR=$(cd "$DIR" && pwd)
[ -f "$DIR/host_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$DIR/host_key"
[ -f "$DIR/client_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$DIR/client_key"
cp "$DIR/client_key.pub" "$DIR/authorized_keys"
start_sshd() {
    cat > "$DIR/sshd_config" <<CONF
Port $1
ListenAddress 127.0.0.1
HostKey $DIR/host_key
PidFile $DIR/sshd.pid
AuthorizedKeysFile $DIR/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
CONF
    rm -f "$DIR/sshd.pid" "$DIR/sshd.log"
    /usr/sbin/sshd -f "$DIR/sshd_config" -E "$DIR/sshd.log"
    sleep 0.5
    # sshd detaches before it binds: a port in use shows only in its log.
    [ -f "$DIR/sshd.pid" ] && kill -0 "$(cat "$DIR/sshd.pid")" 2>/dev/null
}
[ -f "$DIR/sshd.pid" ] && kill "$(cat "$DIR/sshd.pid")" 2>/dev/null && sleep 0.5
started=
for p in ${PORT:-$(seq 2222 2262)}; do
    if start_sshd "$p"; then started=$p; break; fi
done
if [ -z "$started" ]; then
    echo "loopback-ssh.sh: sshd did not start:" >&2
    cat "$DIR/sshd.log" >&2
    exit 1
fi
PORT=$started
URI="qemu+ssh://root@127.0.0.1:$PORT/system?keyfile=$DIR/client_key&no_verify=1&no_tty=1"
i=0
until virsh -c "$URI" version >/dev/null 2>&1; do
    i=$((i + 1))
    if [ "$i" -ge 20 ]; then
        echo "loopback-ssh.sh: libvirt over ssh does not answer; see $DIR/sshd.log" >&2
        virsh -c "$URI" version >&2 || true
        exit 1
    fi
    sleep 0.5
done
echo "$URI"
