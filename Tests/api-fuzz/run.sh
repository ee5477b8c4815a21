#!/usr/bin/env bash
# Fuzzes the daemon's HTTP API from its own OpenAPI document (GET /v1/openapi.json) with
# schemathesis (PyPI, in a venv under the user's cache), as an unprivileged local user.
#
#   Tests/api-fuzz/run.sh BINARY [SECONDS]      (as root; SECONDS defaults to 180)
#
# A real daemon runs as root in a temporary state directory; socat, running as the test user,
# bridges a loopback TCP port to the API socket, so the daemon sees that user's uid on every
# request. The document is first checked with openapi-spec-validator. Then every operation is
# fuzzed (positive and negative data) for SECONDS with the checks: no server error, status codes,
# content types and reply bodies as documented. The daemon must stay alive throughout (checked
# every 25 cases and at the end). Prints cases run, crashes and undocumented 5xx; exits non-zero
# on any failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
binary="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
seconds=${2:-180}
user=${WSBRIDGE_API_FUZZ_USER:-wsbfuzz}
venv="${API_FUZZ_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/wsbridge-api-fuzz-schemathesis-4.32.5}"
if [ ! -x "$venv/bin/schemathesis" ] || [ ! -x "$venv/bin/openapi-spec-validator" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'schemathesis==4.32.5' 'openapi-spec-validator==0.9.0'
fi
id "$user" >/dev/null 2>&1 || useradd --create-home --shell /usr/sbin/nologin "$user"

# Logs and reports stay for reading after the run; the daemon's state is temporary.
out=${API_FUZZ_OUT:-$(cd "$here/../.." && pwd)/.build/api-fuzz}
mkdir -p "$out"
work=$(mktemp -d)
chmod 755 "$work"
mkdir -m 755 "$work/run"
cat > "$work/wsbridge.toml" <<'TOML'
# Small bounds, so that generated submits stay cheap: few jobs, slow starts.
[throttle]
max_queued_per_owner = 2000
start_rate = 0.2
[api]
max_count = 50
requests_per_second_per_user = 100000
TOML
daemon_pid="" socat_pid=""
# The jobs of the run made workspaces (sandboxes with their agents), which outlive a stopped
# daemon by design. Once the daemon is gone, every process in its cgroup subtree goes
# (wsbridge/<scope>, the scope being FNV-1a of the state directory, as the local provider names it).
kill_workspaces() {
    local scope pid
    scope=$(python3 -c 'import sys
h = 0xcbf29ce484222325
for b in sys.argv[1].encode(): h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
print("d%x" % h)' "$work/state")
    for _ in 1 2 3; do
        for pid in $(cat /sys/fs/cgroup/*/wsbridge/"$scope"/*/cgroup.procs /sys/fs/cgroup/wsbridge/"$scope"/*/cgroup.procs 2>/dev/null); do
            kill -9 "$pid" 2>/dev/null || true
        done
        sleep 0.2
    done
}
cleanup() {
    [ -n "$socat_pid" ] && kill "$socat_pid" 2>/dev/null || true
    if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
    kill_workspaces
    cp "$work/daemon.log" "$out/daemon.log" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
"$binary" serve --state-dir "$work/state" --config "$work/wsbridge.toml" --socket "$work/run/api.sock" > "$work/daemon.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 100); do [ -S "$work/run/api.sock" ] && break; sleep 0.1; done
[ -S "$work/run/api.sock" ] || { echo "the daemon did not start:"; cat "$work/daemon.log"; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
runuser -u "$user" -- socat "TCP-LISTEN:$port,bind=127.0.0.1,fork,reuseaddr" "UNIX-CONNECT:$work/run/api.sock" 2>/dev/null &
socat_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 50); do curl -fsS "$base/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done

status=0
curl -fsS "$base/v1/openapi.json" -o "$work/openapi.json"
"$venv/bin/openapi-spec-validator" "$work/openapi.json" || status=1

cd "$out"  # schemathesis keeps its example database in the working directory
export WSBRIDGE_API_FUZZ_BASE=$base WSBRIDGE_API_FUZZ_TALLY=$out/tally.json SCHEMATHESIS_HOOKS=hooks PYTHONPATH=$here
"$venv/bin/schemathesis" --no-color run "$base/v1/openapi.json" --max-time "$seconds" --workers 2 --request-timeout 70 \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --suppress-health-check all --report junit --report-dir "$out" > "$out/schemathesis.log" 2>&1 || status=1
# The failures and errors, if any, then the summary.
sed -n '/^=* \(FAILURES\|ERRORS\) =*$/,/^=* SUMMARY =*$/{/^=* SUMMARY =*$/!p}' "$out/schemathesis.log" | head -80
sed -n '/^=* SUMMARY =*$/,$p' "$out/schemathesis.log"

alive=yes
kill -0 "$daemon_pid" 2>/dev/null && curl -fsS "$base/v1/health" >/dev/null 2>&1 || alive=no
python3 - "$out/tally.json" "$alive" <<'PY' || status=1
import json, sys
t = json.load(open(sys.argv[1]))
crashes = t["daemon_down"] + (sys.argv[2] != "yes")
print(f"api fuzz: {t['cases']} cases, {crashes} crashes, {t['undocumented_5xx']} undocumented 5xx "
      f"({t['server_errors']} 5xx in all)")
for e in t["examples"]:
    print("  undocumented 5xx:", e)
sys.exit(0 if t["cases"] > 0 and crashes == 0 and t["undocumented_5xx"] == 0 else 1)
PY
if [ $status -ne 0 ]; then
    echo "--- daemon log (tail; all logs in $out)"; tail -30 "$work/daemon.log"
fi
exit $status
