#!/bin/bash
# A real GRAM5 stack on loopback for the wsbridge "workspace" LRM: the Debian Grid Community
# Toolkit gatekeeper and job manager, a Simple CA, host and user credentials, a mapped test
# user, the services jobmanager-fork, jobmanager-workspace (polling) and
# jobmanager-workspace-seg (SEG), a gatekeeper in a network namespace that holds only "lo",
# and wsbridge installed as a site installs it: contrib/site-install.sh --gram, as the README
# shows, from a fresh state (no wsbridge config, no adapter config, no default service). Setup
# fails unless `globus-job-run localhost/jobmanager-workspace /bin/echo hi` then prints hi; the
# test's own settings (a small throttle) are applied after that check.
#
# Usage (as root, Debian 12):  Tests/gram-live/setup.sh WSBRIDGE_BIN
#
# Idempotent: packages, CA, credentials and the user are made only when missing; the
# gatekeeper, the job managers and the daemon are (re)started, so a second run picks up a new
# wsbridge binary or adapter. Stop everything with Tests/gram-live/teardown.sh.
#
# Settings (environment, all optional):
#   GRAM_NETNS   network namespace of the gatekeeper      (default gramlive)
#   GRAM_PORT    gatekeeper port                          (default 2119)
#   GRAM_USER    the mapped test account                  (default gramuser)
#   WSB_MAX_RUNNING  the daemon's throttle                (default 2)
#   GRAM_GUEST_DIR   a built guest image (contrib/guest-image/build.sh): adds a class "vm" of
#                    QEMU guests through the running libvirtd (queue=vm in the RSL)
# Everything the other scripts need is written to /run/wsbridge-gram-live.env.
set -eu

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 WSBRIDGE_BIN (the wsbridge program to install and run)" >&2
    exit 2
fi
if [ "$(id -u)" != 0 ]; then
    echo "$0: must run as root" >&2
    exit 2
fi
BIN_SRC=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

GRAM_NETNS=${GRAM_NETNS:-gramlive}
GRAM_PORT=${GRAM_PORT:-2119}
GRAM_USER=${GRAM_USER:-gramuser}
WSB_MAX_RUNNING=${WSB_MAX_RUNNING:-2}
# Where contrib/site-install.sh puts things.
WSB_BIN=/usr/local/bin/wsbridge
WSB_STATE=/var/lib/wsbridge
WSB_CONFIG=/etc/wsbridge/wsbridge.toml
WSB_LOG=/var/log/wsbridge.log
DAEMON_PIDFILE=/run/wsbridge.pid
CA_DIR=/var/lib/globus/simple_ca
SEG_DIR=/var/lib/globus/globus-seg-workspace
ENV_FILE=/run/wsbridge-gram-live.env
GK_PIDFILE=/run/wsbridge-gram-gatekeeper.pid
GK_LOG=/var/log/wsbridge-gram-gatekeeper.log

T0=$(date +%s%N)
lap() { local n; n=$(date +%s%N); printf '[setup %5d ms] %s\n' $(((n - T0) / 1000000)) "$1"; T0=$n; }
die() { echo "setup: $*" >&2; exit 1; }

# ---- 0. stop what a previous setup started (by its recorded pids), so that this run starts clean
"$HERE/teardown.sh" --quiet || true
lap "previous stack stopped"

# ---- 1. packages, only the missing ones -------------------------------------------------------
PACKAGES="globus-gatekeeper globus-gram-job-manager globus-gram-job-manager-fork
    globus-gram-job-manager-fork-setup-poll globus-gram-job-manager-scripts globus-gram-client-tools
    globus-simple-ca globus-proxy-utils globus-gss-assist-progs globus-gsi-cert-utils-progs
    globus-gass-server-ez-progs globus-seg-job-manager iproute2 util-linux procps openssl bubblewrap"
MISSING=
for p in $PACKAGES; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || MISSING="$MISSING $p"
done
if [ -n "$MISSING" ]; then
    # No init system here: the gatekeeper's postinst would try to start it (and fail without a
    # host certificate). A policy-rc.d that refuses keeps the install quiet and successful.
    POLICY_ADDED=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        POLICY_ADDED=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $MISSING > /tmp/wsbridge-gram-apt.log 2>&1 \
        || { tail -n 30 /tmp/wsbridge-gram-apt.log >&2; die "apt-get install failed"; }
    [ -n "$POLICY_ADDED" ] && rm -f /usr/sbin/policy-rc.d
    lap "installed:$MISSING"
else
    lap "packages already installed"
fi

# ---- 2. Simple CA --------------------------------------------------------------------------
if [ ! -f "$CA_DIR/cacert.pem" ]; then
    rm -rf "$CA_DIR"
    (cd /tmp && grid-ca-create -noint -dir "$CA_DIR" -subject "cn=GRAM Test CA, ou=GlobusTest, o=Grid" \
        -pass globus -bits 2048 -days 3650 > /dev/null)
    # Issued certificates must keep the subjectAltName of their requests (host "localhost").
    sed -i 's/^x509_extensions.*/&\ncopy_extensions = copy/' "$CA_DIR/grid-ca-ssl.conf"
    lap "Simple CA created"
fi
CA_HASH=$(openssl x509 -in "$CA_DIR/cacert.pem" -noout -hash)
if [ ! -f "/etc/grid-security/certificates/$CA_HASH.0" ] || [ ! -f /etc/grid-security/globus-user-ssl.conf ]; then
    grid-default-ca -ca "$CA_HASH" > /dev/null
fi

# ---- 3. host credential: CN=localhost with subjectAltName (grid-cert-request refuses localhost)
valid_cert() { openssl verify -CAfile "$CA_DIR/cacert.pem" "$1" > /dev/null 2>&1 &&
               openssl x509 -in "$1" -noout -checkend 86400 > /dev/null 2>&1; }
if ! valid_cert /etc/grid-security/hostcert.pem || [ ! -f /etc/grid-security/hostkey.pem ]; then
    openssl req -new -nodes -newkey rsa:2048 -keyout /etc/grid-security/hostkey.pem \
        -out /etc/grid-security/hostcert_request.pem -subj "/O=Grid/OU=GlobusTest/CN=localhost" \
        -addext "subjectAltName=DNS:localhost,DNS:$(uname -n),IP:127.0.0.1" 2> /dev/null
    chmod 400 /etc/grid-security/hostkey.pem
    grid-ca-sign -in /etc/grid-security/hostcert_request.pem -out /etc/grid-security/hostcert.pem \
        -dir "$CA_DIR" -passin pass:globus -force > /dev/null
    chmod 644 /etc/grid-security/hostcert.pem
    lap "host credential issued"
fi

# ---- 4. the mapped user: account, certificate, grid-mapfile, proxy ----------------------------
if ! id "$GRAM_USER" > /dev/null 2>&1; then
    useradd -m -s /bin/bash "$GRAM_USER"
    lap "user $GRAM_USER created"
fi
UHOME=$(getent passwd "$GRAM_USER" | cut -d: -f6)
as_user() { runuser -u "$GRAM_USER" -- env HOME="$UHOME" GLOBUS_HOSTNAME=localhost "$@"; }
if ! valid_cert "$UHOME/.globus/usercert.pem" || [ ! -f "$UHOME/.globus/userkey.pem" ]; then
    (cd "$UHOME" && as_user grid-cert-request -cn "Gram User" -nopw -force > /dev/null 2>&1) \
        || die "grid-cert-request for $GRAM_USER failed"
    grid-ca-sign -in "$UHOME/.globus/usercert_request.pem" -out "$UHOME/.globus/usercert.pem" \
        -dir "$CA_DIR" -passin pass:globus -force > /dev/null
    chown "$GRAM_USER": "$UHOME/.globus/usercert.pem"
    lap "user credential issued"
fi
DN=$(grid-cert-info -file "$UHOME/.globus/usercert.pem" -subject)
touch /etc/grid-security/grid-mapfile
if ! grep -qF "\"$DN\" $GRAM_USER" /etc/grid-security/grid-mapfile; then
    grid-mapfile-add-entry -dn "$DN" -ln "$GRAM_USER" > /dev/null
fi
# Always a new proxy: one left in /tmp by an earlier account with the same uid, or signed by an
# earlier CA, would still pass "grid-proxy-info -exists" and then fail at the gatekeeper.
(cd "$UHOME" && as_user grid-proxy-init -hours 48 -q) || die "grid-proxy-init for $GRAM_USER failed"
lap "proxy created"

# ---- 5. wsbridge, installed as the README shows, from a fresh state ---------------------------
# What a fresh site has not: the wsbridge config, the adapter's config, a default service, a
# store (the daemon was stopped by teardown.sh above).
rm -f "$WSB_CONFIG" /etc/globus/globus-workspace.conf /etc/grid-services/jobmanager
rm -rf "$WSB_STATE"
"$REPO/contrib/site-install.sh" --gram "$BIN_SRC" > /tmp/wsbridge-site-install.log 2>&1 \
    || { cat /tmp/wsbridge-site-install.log >&2; die "contrib/site-install.sh --gram failed"; }
sed 's/^/  /' /tmp/wsbridge-site-install.log
[ -L /etc/grid-services/jobmanager ] || die "install.sh made no default service jobmanager"
# The reference LRM for the differential tests.
globus-gatekeeper-admin -e jobmanager-fork-poll -n jobmanager-fork > /dev/null
runuser -u "$GRAM_USER" -- "$WSB_BIN" status > /dev/null \
    || die "$GRAM_USER cannot reach the daemon socket $WSB_STATE/api.sock"
lap "contrib/site-install.sh --gram: wsbridge installed as $WSB_BIN, daemon pid $(cat "$DAEMON_PIDFILE")"

# ---- 7. the gatekeeper, loopback only: a network namespace that holds only "lo" --------------
ip netns add "$GRAM_NETNS"
ip netns exec "$GRAM_NETNS" ip link set lo up
# Job state of earlier runs belongs to job managers that no longer exist.
rm -rf "/var/lib/globus/gram_job_state/$GRAM_USER"
: > "$GK_LOG"
ip netns exec "$GRAM_NETNS" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin GLOBUS_HOSTNAME=localhost \
    setsid /usr/sbin/globus-gatekeeper -f -p "$GRAM_PORT" -l "$GK_LOG" -grid_services /etc/grid-services \
    -gridmap /etc/grid-security/grid-mapfile -x509_cert_dir /etc/grid-security/certificates \
    -x509_user_cert /etc/grid-security/hostcert.pem -x509_user_key /etc/grid-security/hostkey.pem \
    > /dev/null 2>&1 < /dev/null &
echo $! > "$GK_PIDFILE"
for _ in $(seq 1 50); do
    ip netns exec "$GRAM_NETNS" bash -c "exec 3<>/dev/tcp/127.0.0.1/$GRAM_PORT" 2> /dev/null && break
    kill -0 "$(cat "$GK_PIDFILE")" 2> /dev/null || { cat "$GK_LOG" >&2; die "the gatekeeper exited"; }
    sleep 0.1
done
lap "gatekeeper started (pid $(cat "$GK_PIDFILE"))"

cat > "$ENV_FILE" <<EOF
GRAM_NETNS=$GRAM_NETNS
GRAM_PORT=$GRAM_PORT
GRAM_USER=$GRAM_USER
GRAM_CONTACT=localhost:$GRAM_PORT
WSB_STATE=$WSB_STATE
WSB_BIN=$WSB_BIN
WSB_CONFIG=$WSB_CONFIG
WSB_LOG=$WSB_LOG
SEG_DIR=$SEG_DIR
GK_PIDFILE=$GK_PIDFILE
DAEMON_PIDFILE=$DAEMON_PIDFILE
GK_LOG=$GK_LOG
EOF

# ---- 8. the README's promise, then the test's own settings -----------------------------------
# shellcheck source=lib.sh
. "$HERE/lib.sh"
as_user 60 globus-job-run "$GRAM_CONTACT/jobmanager-workspace" /bin/echo hi
[ "$RC" -eq 0 ] && [ "$OUT" = hi ] || die "after contrib/site-install.sh: globus-job-run $GRAM_CONTACT/jobmanager-workspace /bin/echo hi: $(show)"
rm -f "$GRAM_LIVE_ERRFILE"
lap "site install works: globus-job-run $GRAM_CONTACT/jobmanager-workspace /bin/echo hi -> $OUT"
# A small throttle for the tests (an admin's edit of the installed config); running the site
# install again keeps the edited config and restarts the daemon with it.
cat > "$WSB_CONFIG" <<EOF
[throttle]
max_running = $WSB_MAX_RUNNING
start_rate = 1000.0

[[class]]
name = "default"
slots = 4
max_workspaces = 2
memory_mb = 512

[gram]
seg_directory = "$SEG_DIR"
EOF
if [ -n "${GRAM_GUEST_DIR:-}" ]; then
    cat >> "$WSB_CONFIG" <<EOF

[[class]]
name = "vm"
provider = "libvirt"
slots = 2
max_workspaces = 1
memory_mb = 512
network = false
[class.settings]
uris = "qemu:///system"
domain_type = "qemu"
kernel = "$GRAM_GUEST_DIR/vmlinux"
initrd = "$GRAM_GUEST_DIR/initrd.img"
boot_timeout_seconds = 180
EOF
fi
"$REPO/contrib/site-install.sh" --gram "$BIN_SRC" > /tmp/wsbridge-site-install.log 2>&1 \
    || { cat /tmp/wsbridge-site-install.log >&2; die "contrib/site-install.sh --gram (again) failed"; }
grep -q "config:    $WSB_CONFIG (kept)" /tmp/wsbridge-site-install.log || die "the second site install did not keep the edited config"
lap "test settings applied (max_running = $WSB_MAX_RUNNING), daemon pid $(cat "$DAEMON_PIDFILE")"

cat <<EOF
GRAM test stack is up:
  gatekeeper      localhost:$GRAM_PORT in network namespace $GRAM_NETNS (pid $(cat "$GK_PIDFILE"), log $GK_LOG)
  services        $(ls /etc/grid-services | grep -v available | tr '\n' ' ')
  mapped user     $GRAM_USER  ($DN)
  CA              $CA_DIR (hash $CA_HASH)
  job manager log /var/log/globus/gram_$GRAM_USER.log
  wsbridge        $WSB_BIN, daemon pid $(cat "$DAEMON_PIDFILE"), state $WSB_STATE, config $WSB_CONFIG, log $WSB_LOG
  SEG directory   $SEG_DIR
  adapter config  /etc/globus/globus-workspace.conf
  settings        $ENV_FILE
Try:  ip netns exec $GRAM_NETNS runuser -u $GRAM_USER -- env GLOBUS_HOSTNAME=localhost HOME=$UHOME \\
        globus-job-run localhost:$GRAM_PORT/jobmanager-workspace /bin/echo hello
Stop: $HERE/teardown.sh
EOF
