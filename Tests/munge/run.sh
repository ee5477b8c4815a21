#!/bin/bash
# End-to-end test of the network API (`[api] listen`) with MUNGE authentication, across hosts
# made of network namespaces: the bridge host (the root namespace) runs a real `wsbridge serve`
# and its own munged; two gatekeeper hosts (namespaces gk1 and gk2, each reaching the bridge
# over its own veth link) run their own munged with the same key, and a user each submits
# through the CLI with only the binary, its client config and munged. Then the refusals:
#   - a credential from a host whose munged has another key (forged),
#   - a credential sent a second time (replayed), to the same request or another,
#   - a credential for another uid: minting one is refused by munged, a credential made for
#     another decoder (`munge -u`) is refused by the daemon, and a user's own credential does
#     not reach another user's job (the same authorization as on the Unix socket),
#   - a request with no credential, and a credential bound to another request.
# And failover: a client naming a dead server first reaches the live one.
#
# Usage: Tests/munge/run.sh WSBRIDGE_BIN
# Needs (Debian): munge, iproute2, curl, python3. Run as root. Exits 0 when every check passed;
# otherwise prints each failed check and exits 1.
set -u

if [ $# -lt 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 WSBRIDGE_BIN" >&2
    exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
for p in munged munge unmunge mungekey ip curl python3; do
    command -v "$p" >/dev/null || { echo "$0: $p is missing (contrib/setup-debian.sh test installs it)" >&2; exit 1; }
done

D=$(mktemp -d "${TMPDIR:-/tmp}/munge-e2e.XXXXXX")
chmod 755 "$D"
NS="wsbm$$"
DAEMON_PID=
FAILED=0
fail() { echo "FAIL: $*" >&2; FAILED=$((FAILED + 1)); }
pass() { echo "ok: $*"; }

USER1=wsbgk1 USER2=wsbgk2
for u in $USER1 $USER2; do
    id "$u" >/dev/null 2>&1 || useradd --create-home --shell /bin/sh "$u"
done
UID1=$(id -u $USER1) UID2=$(id -u $USER2)

cleanup() {
    if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
        for ws in $("$BIN" workspaces list --state-dir "$D/state" 2>/dev/null | awk 'NR > 1 { print $1 }'); do
            "$BIN" workspaces destroy --state-dir "$D/state" "$ws" >/dev/null 2>&1
        done
        kill "$DAEMON_PID" 2>/dev/null
        wait "$DAEMON_PID" 2>/dev/null
    fi
    for m in "$D"/munge-*; do
        [ -f "$m/pid" ] && kill "$(cat "$m/pid")" 2>/dev/null
    done
    for n in 1 2; do ip netns del "${NS}gk$n" 2>/dev/null; ip link del "${NS}h$n" 2>/dev/null; done
    if [ "$FAILED" -ne 0 ]; then echo "--- daemon log ---" >&2; tail -n 30 "$D/daemon.log" >&2; fi
    rm -rf "$D"
}
trap cleanup EXIT

# One munged per host, each with its own socket, all with one key but for the "other" site.
[ -f /etc/munge/munge.key ] || mungekey --create --keyfile /etc/munge/munge.key
chown munge:munge /etc/munge/munge.key
chmod 600 /etc/munge/munge.key
mkdir -m 700 "$D/other-key"
chown munge:munge "$D/other-key"
su munge -s /bin/sh -c "mungekey --create --keyfile $D/other-key/munge.key"
start_munged() { # NAME KEYFILE
    local m="$D/munge-$1"
    mkdir -m 755 "$m"
    chown munge:munge "$m"
    su munge -s /bin/sh -c "munged --socket=$m/socket --pid-file=$m/pid --seed-file=$m/seed --log-file=$m/log --key-file=$2" ||
        { echo "$0: munged $1 did not start: $(tail -n 2 "$m/log")" >&2; exit 1; }
}
start_munged bridge /etc/munge/munge.key
start_munged gk1 /etc/munge/munge.key
start_munged gk2 /etc/munge/munge.key
start_munged rogue "$D/other-key/munge.key"

# Two gatekeeper hosts, each linked to the bridge host by its own veth pair.
for n in 1 2; do
    ip netns add "${NS}gk$n"
    ip link add "${NS}h$n" type veth peer name eth0 netns "${NS}gk$n"
    ip addr add "10.231.$n.1/24" dev "${NS}h$n"
    ip link set "${NS}h$n" up
    ip -n "${NS}gk$n" addr add "10.231.$n.2/24" dev eth0
    ip -n "${NS}gk$n" link set eth0 up
    ip -n "${NS}gk$n" link set lo up
done

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])')
mkdir -m 755 "$D/state"
cat >"$D/config.toml" <<CONF
[api]
listen = "0.0.0.0:$PORT"
munge_socket = "$D/munge-bridge/socket"
CONF
"$BIN" serve --state-dir "$D/state" --config "$D/config.toml" >"$D/daemon.log" 2>&1 &
DAEMON_PID=$!
for _ in $(seq 100); do grep -q "authentication=munge" "$D/daemon.log" && break; sleep 0.1; done
grep -q "authentication=munge" "$D/daemon.log" || { fail "the daemon does not listen on the network"; exit 1; }

# A gatekeeper host's client config: the bridge's address and the host's own munged.
for n in 1 2; do
    cat >"$D/client-gk$n.toml" <<CONF
[client]
servers = ["10.231.$n.1:$PORT"]
munge_socket = "$D/munge-gk$n/socket"
CONF
    chmod 644 "$D/client-gk$n.toml"
done
# Runs a command as USER on gatekeeper host N with that host's client config.
on_gk() { # N USER COMMAND...
    local n=$1 user=$2
    shift 2
    ip netns exec "${NS}gk$n" su "$user" -s /bin/sh -c "cd /tmp && WSBRIDGE_CLIENT_CONFIG=$D/client-gk$n.toml $*"
}

# 1. Both gatekeepers submit; each job is its submitter's and runs.
J1=$(on_gk 1 $USER1 "$BIN submit -- /bin/sh -c 'echo from-gk1'") || fail "gk1: submit failed"
J2=$(on_gk 2 $USER2 "$BIN submit -- /bin/sh -c 'echo from-gk2'") || fail "gk2: submit failed"
for j in $J1 $J2; do
    [ -n "$j" ] && "$BIN" wait --state-dir "$D/state" --timeout 60 "$j" >/dev/null 2>&1
done
owner_state() { "$BIN" status --state-dir "$D/state" --json "$1" |
    python3 -c 'import json,sys; j = json.load(sys.stdin)[0]["job"]; print(j["owner"], j["state"])'; }
[ "$(owner_state "$J1")" = "$UID1 done" ] && pass "gk1: job $J1 of uid $UID1 ran (done)" || fail "gk1: job $J1: $(owner_state "$J1")"
[ "$(owner_state "$J2")" = "$UID2 done" ] && pass "gk2: job $J2 of uid $UID2 ran (done)" || fail "gk2: job $J2: $(owner_state "$J2")"
seen=$(on_gk 2 $USER2 "$BIN status --json" | python3 -c 'import json,sys; print(sorted(j["job"]["id"] for j in json.load(sys.stdin)))')
[ "$seen" = "[$J2]" ] && pass "gk2: $USER2 sees only its own job" || fail "gk2: $USER2 sees $seen"

# A credential for one request, made by USER through munged SOCKET, printed.
credential() { # USER SOCKET METHOD TARGET [munge options]
    local user=$1 socket=$2 method=$3 target=$4
    shift 4
    su "$user" -s /bin/sh -c "printf 'wsbridge-api/1\n%s %s\n%s' '$method' '$target' \
        e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 | munge -S $socket $*"
}
# Sends one GET with a credential from gatekeeper host 1; prints the HTTP status and the body.
get() { # TARGET CREDENTIAL
    ip netns exec "${NS}gk1" curl -s -w ' %{http_code}' -H "Authorization: MUNGE $2" "http://10.231.1.1:$PORT$1"
}
expect() { # WHAT STATUS BODY-PATTERN REPLY
    case "$4" in
        *"$3"*" $2") pass "$1 refused ($2: $(echo "$4" | sed 's/ [0-9]*$//'))" ;;
        *) fail "$1: expected HTTP $2 with \"$3\", got: $4" ;;
    esac
}

# 2. Forged: made with another key.
expect "a credential from a host with another key" 401 "Invalid credential" \
    "$(get /v1/jobs "$(credential $USER2 "$D/munge-rogue/socket" GET /v1/jobs)")"

# 3. Replayed: a credential accepted once is refused the second time, for the same request or another.
c=$(credential $USER1 "$D/munge-gk1/socket" GET /v1/jobs)
first=$(get /v1/jobs "$c")
case "$first" in *" 200") pass "a fresh credential is accepted" ;; *) fail "a fresh credential: $first" ;; esac
expect "the same credential sent again" 401 "Replayed credential" "$(get /v1/jobs "$c")"
c=$(credential $USER1 "$D/munge-gk1/socket" GET /v1/jobs)
expect "a credential bound to another request" 401 "made for another request" "$(get "/v1/jobs/$J1" "$c")"

# 4. Another uid: munged makes no credential for another uid than the caller's ...
if credential $USER2 "$D/munge-gk2/socket" GET /v1/jobs "-U $UID1" >/dev/null 2>"$D/minted.err"; then
    fail "$USER2 could make a credential for uid $UID1"
else
    pass "$USER2 cannot make a credential for uid $UID1 ($(head -c 120 "$D/minted.err"))"
fi
# ... a credential made for another decoder is refused ...
expect "a credential made for uid $UID1 to decode" 401 "Unauthorized credential" \
    "$(get /v1/jobs "$(credential $USER2 "$D/munge-gk2/socket" GET /v1/jobs "-u $UID1")")"
# ... and a user's own credential gives only that user's rights.
out=$(on_gk 2 $USER2 "$BIN cancel $J1" 2>&1) && fail "$USER2 cancelled job $J1 of $USER1" ||
    { case "$out" in *"not yours"*|*"forbidden"*|*"not allowed"*|*"only its owner"*|*"owner"*) pass "$USER2 cannot cancel $USER1's job ($out)" ;;
        *) fail "$USER2 cancelling $USER1's job: unexpected answer: $out" ;; esac; }

# 5. No credential; garbage.
expect "a request without a credential" 401 "needs a MUNGE credential" \
    "$(ip netns exec "${NS}gk1" curl -s -w ' %{http_code}' "http://10.231.1.1:$PORT/v1/jobs")"
expect "a request with garbage for a credential" 401 "refused" "$(get /v1/jobs 'MUNGE:AwQ~~garbage~~:')"

# 6. Failover: a dead server first, then the live one, in the order given.
dead=$(python3 -c 'import socket; s = socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])')
J3=$(on_gk 1 $USER1 "$BIN submit --server 10.231.1.1:$dead --server 10.231.1.1:$PORT -- /bin/true") &&
    [ -n "$J3" ] && pass "a client that names a dead server first reaches the live one (job $J3)" ||
    fail "failover from a dead server"
out=$(on_gk 1 $USER1 "$BIN status --server 10.231.1.1:$dead" 2>&1) && fail "a dead server answered" ||
    { case "$out" in *"cannot reach"*) pass "no live server: $out" ;; *) fail "no live server: $out" ;; esac; }

# The daemon survived all of it.
kill -0 "$DAEMON_PID" 2>/dev/null && pass "the daemon is alive" || fail "the daemon died"
[ "$FAILED" -eq 0 ] && echo "all MUNGE checks passed" || echo "$FAILED check(s) failed"
[ "$FAILED" -eq 0 ]
