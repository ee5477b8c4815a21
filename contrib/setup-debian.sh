#!/bin/sh
# Installs the Debian packages wsbridge needs, only those missing. Run as root.
#   setup-debian.sh demo    what building and the demo need
#   setup-debian.sh test    that, plus what the whole test suite needs
set -eu
want="pkg-config libsqlite3-dev libvirt-dev bubblewrap python3"
if [ "${1:-demo}" = test ]; then
    want="$want python3-venv libxml2-utils libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu \
qemu-system-x86 qemu-utils lz4 iproute2 libglobus-rsl-dev openssh-server openssh-client e2fsprogs procps"
    # systemd-analyze verify checks the service unit.
    want="$want systemd"
    # The API fuzz run: socat bridges a loopback port to the API socket as an unprivileged user.
    want="$want socat curl"
    # The guest's agent is linked fully statically (libc.a, libstdc++.a) and stripped.
    want="$want libc6-dev libstdc++-12-dev binutils"
    # The metrics listener: a real Prometheus scrapes it (promtool lints it), Chromium renders the status page.
    want="$want prometheus chromium util-linux"
    # Accounting: proxy certificates made for the GRAM identity tests.
    want="$want openssl"
    # The network API: MUNGE credentials between gatekeeper hosts (network namespaces) and the daemon.
    want="$want munge"
    # The store on PostgreSQL: the store suite and a daemon run on both databases.
    want="$want postgresql"
    # Host drain: libvirt reaches the second host's own socket over ssh with nc.
    want="$want netcat-openbsd"
fi
missing=""
for p in $want; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "setup-debian.sh: missing packages:$missing (run as root to install them)" >&2
        exit 1
    fi
    echo "installing:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
if ! command -v swift >/dev/null 2>&1; then
    for d in /opt/swift/usr/bin /opt/swift/bin; do [ -x "$d/swift" ] && echo "add $d to PATH" >&2; done
    echo "setup-debian.sh: the Swift 6 toolchain is needed (swift.org); it is not a Debian package" >&2
    exit 1
fi
