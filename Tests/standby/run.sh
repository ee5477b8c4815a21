#!/bin/bash
# Hot standby end to end: two bridge hosts (network namespaces h1 and h2, each with its own
# daemon, munged and network API) share one PostgreSQL store; a gatekeeper (the root namespace,
# with its own munged) names both servers. JOBS jobs are spread over local workspaces and, with a
# guest image (WSBRIDGE_GUEST_DIR and libvirtd running), QEMU guests; while they run and while
# the gatekeeper is still submitting, the active daemon is killed (-9). Checks:
#   - the standby takes over within failover_seconds (15, the default);
#   - the gatekeeper's calls that were under way fail over by themselves (a submit loop and a
#     `wsbridge wait` on every job, both started before the kill, end with success);
#   - every job runs once and ends once (a per-job ledger from the store: done, one terminal
#     event, one attempt that reached a workspace), and no submit was recorded twice;
#   - the old active, started again, is a standby and writes nothing.
#
# Usage: Tests/standby/run.sh WSBRIDGE_BIN [JOBS (default 500)]
# Needs (Debian): postgresql, munge, iproute2, python3. Run as root. Prints figures; exits 1 on
# any failed check.
set -u
if [ $# -lt 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 WSBRIDGE_BIN [JOBS]" >&2
    exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
JOBS=${2:-500}
HERE=$(cd "$(dirname "$0")/../.." && pwd)
for p in munged munge ip python3 psql; do
    command -v "$p" >/dev/null || { echo "$0: $p is missing (contrib/setup-debian.sh test installs it)" >&2; exit 1; }
done

D=$(mktemp -d "${TMPDIR:-/tmp}/standby-e2e.XXXXXX")
chmod 755 "$D"
NS="wsbs$$"
FAILED=0
fail() { echo "FAIL: $*" >&2; FAILED=$((FAILED + 1)); }
pass() { echo "ok: $*"; }
PIDS=()

BASE=$("$HERE/contrib/postgres/start.sh" --socket) || { echo "$0: PostgreSQL did not start" >&2; exit 1; }
DB="wsbstandby_$$"
su postgres -c "psql -q -c 'CREATE DATABASE $DB OWNER wsbridge_test'" >/dev/null
URL=${BASE/\/postgres\?//$DB?}

cleanup() {
    # The workspaces both daemons made, through whichever is active.
    for ws in $("$BIN" workspaces list 2>/dev/null | awk 'NR > 1 { print $1 }'); do
        "$BIN" workspaces destroy "$ws" >/dev/null 2>&1
    done
    for n in 1 2; do
        if [ -f "$D/h$n/daemon.pid" ]; then kill -9 "$(cat "$D/h$n/daemon.pid")" 2>/dev/null; fi
    done
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    # Guests left by a daemon killed before it could destroy them: named by the store's scope.
    scope=s$(psql "${URL}" -At -c "SELECT replace(id, '-', '') FROM store_identity" 2>/dev/null | cut -c1-16)
    for dom in $(virsh -c qemu:///system list --all --name 2>/dev/null | grep "^wsb-$scope-"); do
        virsh -c qemu:///system destroy "$dom" >/dev/null 2>&1
        virsh -c qemu:///system undefine "$dom" >/dev/null 2>&1
    done
    pkill -9 -f "$D/h[12]/workspaces/" 2>/dev/null
    for m in "$D"/munge-*; do [ -f "$m/pid" ] && kill "$(cat "$m/pid")" 2>/dev/null; done
    for n in 1 2; do ip netns del "${NS}h$n" 2>/dev/null; ip link del "${NS}v$n" 2>/dev/null; done
    su postgres -c "psql -q -c 'DROP DATABASE IF EXISTS $DB WITH (FORCE)'" >/dev/null 2>&1
    if [ "$FAILED" -ne 0 ]; then
        for n in 1 2; do echo "--- h$n daemon log ---" >&2; tail -n 25 "$D/h$n/daemon.log" >&2; done
    fi
    rm -rf "$D"
}
trap cleanup EXIT

# munged per host, one key.
[ -f /etc/munge/munge.key ] || mungekey --create --keyfile /etc/munge/munge.key
chown munge:munge /etc/munge/munge.key
chmod 600 /etc/munge/munge.key
for m in h1 h2 gk; do
    mkdir -m 755 "$D/munge-$m"
    chown munge:munge "$D/munge-$m"
    su munge -s /bin/sh -c "munged --socket=$D/munge-$m/socket --pid-file=$D/munge-$m/pid --seed-file=$D/munge-$m/seed --log-file=$D/munge-$m/log" ||
        { echo "$0: munged $m did not start" >&2; exit 1; }
done

PORT=7311
for n in 1 2; do
    ip netns add "${NS}h$n"
    ip link add "${NS}v$n" type veth peer name eth0 netns "${NS}h$n"
    ip addr add "10.232.$n.1/24" dev "${NS}v$n"
    ip link set "${NS}v$n" up
    ip -n "${NS}h$n" addr add "10.232.$n.2/24" dev eth0
    ip -n "${NS}h$n" link set eth0 up
    ip -n "${NS}h$n" link set lo up
    mkdir -m 755 "$D/h$n"
    {
        echo "[throttle]"
        echo "max_running = 64"
        echo "max_running_per_owner = 64"
        echo "max_queued_per_owner = 100000"
        echo "start_rate = 1000.0"
        echo "[api]"
        echo "listen = \"10.232.$n.2:$PORT\""
        echo "munge_socket = \"$D/munge-h$n/socket\""
        echo "[store]"
        echo "url = \"$URL\""
        echo "[[class]]"
        echo "name = \"local\""
        echo "slots = 4"
        echo "max_workspaces = 2"
        echo "memory_mb = 256"
        if [ -n "${WSBRIDGE_GUEST_DIR:-}" ]; then
            echo "[[class]]"
            echo "name = \"vm\""
            echo "provider = \"libvirt\""
            echo "slots = 4"
            echo "max_workspaces = 2"
            echo "memory_mb = 512"
            echo "network = false"
            echo "[class.settings]"
            echo "uris = \"qemu:///system\""
            echo "domain_type = \"qemu\""
            echo "kernel = \"$WSBRIDGE_GUEST_DIR/vmlinux\""
            echo "initrd = \"$WSBRIDGE_GUEST_DIR/initrd.img\""
            echo "boot_timeout_seconds = 180"
        fi
    } >"$D/h$n/config.toml"
    chmod 600 "$D/h$n/config.toml"
done
start_daemon() { # N
    ip netns exec "${NS}h$1" "$BIN" serve --state-dir "$D/h$1" --config "$D/h$1/config.toml" >>"$D/h$1/daemon.log" 2>&1 &
    echo $! >"$D/h$1/daemon.pid"
}
start_daemon 1
for _ in $(seq 200); do grep -q "authentication=munge" "$D/h1/daemon.log" && break; sleep 0.1; done
grep -q "authentication=munge" "$D/h1/daemon.log" || { fail "h1 did not become active"; exit 1; }
start_daemon 2
for _ in $(seq 100); do grep -q "standby: another daemon is active" "$D/h2/daemon.log" && break; sleep 0.1; done
grep -q "standby: another daemon is active" "$D/h2/daemon.log" && pass "h1 active, h2 waits as a standby" || fail "h2 is not a standby"

cat >"$D/client.toml" <<CONF
[client]
servers = ["10.232.1.2:$PORT", "10.232.2.2:$PORT"]
munge_socket = "$D/munge-gk/socket"
failover_seconds = 60
CONF
chmod 644 "$D/client.toml"
export WSBRIDGE_CLIENT_CONFIG=$D/client.toml
mkdir -m 1777 "$D/work"

# Half the jobs in one submit; the rest one by one, still being submitted when the active dies.
first=$((JOBS / 2))
class_of() { # I: every other job in a guest, when there are guests
    if [ -n "${WSBRIDGE_GUEST_DIR:-}" ] && [ $(($1 % 2)) -eq 1 ]; then echo vm; else echo local; fi
}
python3 - "$first" "${WSBRIDGE_GUEST_DIR:-}" >"$D/batch.sub" <<'PY'
import sys
n, guests = int(sys.argv[1]), sys.argv[2]
for i in range(n):
    cls = "vm" if guests and i % 2 == 1 else "local"
    print(f"executable = /bin/sh\narguments = \"-c 'sleep {1 + i % 3}; echo {i}'\"\n+WorkspaceClass = \"{cls}\"\nqueue\n")
PY
started=$(date +%s.%N)
(cd "$D/work" && "$BIN" submit --json "$D/batch.sub" >"$D/batch.ids" 2>"$D/batch.err") || fail "the first submit: $(cat "$D/batch.err")"
(
    for i in $(seq "$first" $((JOBS - 1))); do
        "$BIN" submit --class "$(class_of "$i")" --directory "$D/work" -- /bin/sh -c "sleep $((1 + i % 3)); echo $i" >>"$D/one-by-one.ids" 2>>"$D/one-by-one.err" ||
            echo "submit $i failed" >>"$D/one-by-one.err"
    done
) &
SUBMITTER=$!
PIDS+=("$SUBMITTER")
# The kill comes once jobs run in every class (guests boot first), at least 8 s in.
sleep 8
if [ -n "${WSBRIDGE_GUEST_DIR:-}" ]; then
    for _ in $(seq 120); do
        n=$("$BIN" status --json 2>/dev/null | python3 -c '
import json, sys
print(sum(1 for j in json.load(sys.stdin) if j["job"]["className"] == "vm" and j["job"]["state"] == "running"))' 2>/dev/null)
        [ "${n:-0}" -ge 2 ] && break
        sleep 1
    done
fi
python3 -c 'import json, sys; print(" ".join(str(r["job"]) for r in json.load(sys.stdin)))' <"$D/batch.ids" >"$D/first.ids"
"$BIN" wait --timeout 900 $(cat "$D/first.ids") >"$D/wait.out" 2>"$D/wait.err" &
WAITER=$!
PIDS+=("$WAITER")
sleep 2
running=$("$BIN" q 2>/dev/null | tail -n 1)
in_guests=$("$BIN" status --json 2>/dev/null | python3 -c '
import json, sys
print(sum(1 for j in json.load(sys.stdin) if j["job"]["className"] == "vm" and j["job"]["state"] == "running"))' 2>/dev/null)
kill -9 "$(cat "$D/h1/daemon.pid")"
killed=$(date +%s.%N)
echo "killed the active daemon (h1) with: $running (${in_guests:-0} of them running in guests)"
for _ in $(seq 600); do grep -q "authentication=munge" "$D/h2/daemon.log" && break; sleep 0.05; done
took=$(python3 -c "import time; print(f'{time.time() - $killed:.2f}')")
listening=$(grep -c "authentication=munge" "$D/h2/daemon.log")
[ "$listening" -ge 1 ] && python3 -c "import sys; sys.exit(0 if $took <= 15 else 1)" &&
    pass "h2 took over and serves $took s after the kill (failover_seconds 15)" || fail "h2 did not take over within 15 s ($took s)"

wait "$SUBMITTER" && [ ! -s "$D/one-by-one.err" ] && pass "the submits under way failed over by themselves ($((JOBS - first)) one by one)" ||
    fail "submits failed: $(head -c 400 "$D/one-by-one.err")"
ALL="$(cat "$D/first.ids") $(tr '\n' ' ' <"$D/one-by-one.ids")"
wait "$WAITER" && pass "a wait under way failed over by itself and saw its jobs end" || fail "wait: $(head -c 400 "$D/wait.err")"
"$BIN" wait --timeout 900 $ALL >/dev/null 2>"$D/wait2.err" || fail "waiting for all jobs: $(head -c 300 "$D/wait2.err")"
ended=$(date +%s.%N)

# The ledger: per job, from the store itself.
psql "${URL}" -At -F ' ' -c "
    SELECT j.id, j.state, j.attempts,
           (SELECT count(*) FROM event e WHERE e.jobID = j.id AND e.toState IN ('done','failed','cancelled')),
           (SELECT count(*) FROM event e WHERE e.jobID = j.id AND e.toState = 'queued'
                AND e.message LIKE '%does not have the run%')
    FROM job j ORDER BY j.id" >"$D/ledger"
# A run counts once it reached a workspace: an attempt recorded as dispatched that the workspace
# never received (the active daemon died between its commit and its message) was requeued.
total=$(wc -l <"$D/ledger")
ok=$(awk '$2 == "done" && $4 == 1 && $3 - $5 == 1' "$D/ledger" | wc -l)
unsent=$(awk '{ n += $5 } END { print n + 0 }' "$D/ledger")
[ "$total" -eq "$JOBS" ] && pass "$total jobs recorded for $JOBS submitted (no submit twice)" || fail "$total jobs recorded for $JOBS submitted"
[ "$ok" -eq "$JOBS" ] && pass "every job ran once and ended once: done, one run that reached a workspace, one end ($ok of $JOBS; $unsent dispatches never received were requeued)" ||
    fail "$((JOBS - ok)) jobs did not end exactly once: $(awk '!($2 == "done" && $4 == 1 && $3 - $5 == 1)' "$D/ledger" | head -5 | tr '\n' ';')"
readopted=$(grep -c "adopt\|attached" "$D/h2/daemon.log" || true)
echo "figures: $JOBS jobs in $(python3 -c "print(f'{$ended - $started:.1f}')") s; takeover $took s; h2 log lines about adoption: $readopted"
psql "${URL}" -At -c "SELECT className, count(*) FROM job GROUP BY className ORDER BY 1" | sed 's/^/  jobs per class: /'

# The old active, started again, waits: the lease stays with h2 (its epoch unchanged), and h1
# neither recovers nor serves (the store's own test shows that a stale holder writes nothing).
before=$(psql "${URL}" -At -c "SELECT holder || ' ' || epoch FROM lease")
start_daemon 1
sleep 3
after=$(psql "${URL}" -At -c "SELECT holder || ' ' || epoch FROM lease")
[ "$(grep -c "standby: another daemon is active" "$D/h1/daemon.log")" -ge 1 ] && [ "$(grep -c "recovered" "$D/h1/daemon.log")" -eq 1 ] &&
    pass "the old active came back as a standby: it did not recover or serve" || fail "the old active did not wait"
[ "$before" = "$after" ] && pass "the lease stayed with the active daemon ($after)" || fail "lease changed: $before -> $after"
[ "$FAILED" -eq 0 ] && echo "all hot standby checks passed" || echo "$FAILED check(s) failed"
[ "$FAILED" -eq 0 ]
