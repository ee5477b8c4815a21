#!/bin/bash
# End-to-end test of the operator's listener (`[metrics] listen`): a real `wsbridge serve` runs
# jobs that end, fail, run and queue; a real Prometheus server scrapes its /metrics every second
# and PromQL through Prometheus's HTTP API must count them; promtool lints the exposition; and
# headless Chromium renders the status page, whose numbers are checked in its DOM, with a
# screenshot left in OUTPUT_DIR. Job arguments and environments must appear nowhere on it.
#
# Usage: Tests/metrics/run.sh WSBRIDGE_BIN [OUTPUT_DIR (default .build/test-output)]
# Needs (Debian): prometheus (prometheus, promtool), chromium, curl, python3. Run as root.
# Exits 0 when every check passed; otherwise prints each failed check and exits 1.
set -u

if [ $# -lt 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 WSBRIDGE_BIN [OUTPUT_DIR]" >&2
    exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
OUT=${2:-.build/test-output}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
for p in prometheus promtool chromium curl python3; do
    command -v "$p" >/dev/null || { echo "$0: $p is missing (contrib/setup-debian.sh test installs it)" >&2; exit 1; }
done

D=$(mktemp -d "${TMPDIR:-/tmp}/metrics-e2e.XXXXXX")
chmod 755 "$D"
DAEMON_PID= PROM_PID=
FAILED=0
fail() { echo "FAIL: $*" >&2; FAILED=$((FAILED + 1)); }
pass() { echo "ok: $*"; }

# Two free loopback ports: the daemon's listener and Prometheus's.
read -r PORT PROM_PORT < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')

cleanup() {
    [ -n "$PROM_PID" ] && kill "$PROM_PID" 2>/dev/null && wait "$PROM_PID" 2>/dev/null
    if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
        "$BIN" cancel --state-dir "$D" $("$BIN" status --state-dir "$D" --json 2>/dev/null |
            python3 -c 'import json,sys; print(" ".join(str(j["job"]["id"]) for j in json.load(sys.stdin) if j["job"]["state"] in ("queued","running","starting","held")))' 2>/dev/null) >/dev/null 2>&1
        for ws in $("$BIN" workspaces list --state-dir "$D" 2>/dev/null | awk 'NR > 1 { print $1 }'); do
            "$BIN" workspaces destroy --state-dir "$D" "$ws" >/dev/null 2>&1
        done
        kill "$DAEMON_PID" 2>/dev/null
        wait "$DAEMON_PID" 2>/dev/null
    fi
    if [ "$FAILED" -ne 0 ]; then
        echo "--- daemon log ---" >&2; tail -n 30 "$D/daemon.log" >&2
        echo "--- prometheus log ---" >&2; tail -n 15 "$D/prometheus.log" >&2
    fi
    rm -rf "$D"
}
trap cleanup EXIT

cat >"$D/config.toml" <<CONF
[throttle]
max_running = 2
max_running_per_owner = 2
[retry]
max_retries = 0
[metrics]
listen = "127.0.0.1:$PORT"
refresh_seconds = 5
[[class]]
name = "default"
slots = 2
max_workspaces = 1
CONF
"$BIN" serve --state-dir "$D" --config "$D/config.toml" >>"$D/daemon.log" 2>&1 &
DAEMON_PID=$!
for _ in $(seq 1 200); do
    curl -sf "http://127.0.0.1:$PORT/metrics" >/dev/null && break
    kill -0 "$DAEMON_PID" 2>/dev/null || break
    sleep 0.1
done
curl -sf "http://127.0.0.1:$PORT/metrics" >/dev/null || { FAILED=1; echo "the daemon's listener did not come up" >&2; exit 1; }
pass "the daemon listens on 127.0.0.1:$PORT"

cat >"$D/prometheus.yml" <<PROM
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: wsbridge
    static_configs:
      - targets: ["127.0.0.1:$PORT"]
PROM
prometheus --config.file="$D/prometheus.yml" --storage.tsdb.path="$D/prometheus-data" \
    --web.listen-address="127.0.0.1:$PROM_PORT" >"$D/prometheus.log" 2>&1 &
PROM_PID=$!

submit() { "$BIN" submit --state-dir "$D" --directory /tmp "$@"; }
# Three jobs that succeed and two that fail (no retries), then two that run for a while and
# three that must queue behind them (max_running = 2). One running job carries markers in its
# arguments and environment, which must appear nowhere on the page.
for _ in 1 2 3; do submit -- /bin/true >/dev/null; done
for _ in 1 2; do submit -- /bin/sh -c 'exit 3' >/dev/null; done
"$BIN" wait --state-dir "$D" $(seq 1 5) >/dev/null 2>&1
submit --env SECRET_ENV=envmarker-7f3a -- /bin/sh -c 'sleep 120' argmarker-7f3a >/dev/null
submit -- /bin/sleep 120 >/dev/null
WAITING=$(for _ in 1 2 3; do submit -- /bin/sleep 120; done | tail -n 3 | head -n 1)

metric() { curl -sf "http://127.0.0.1:$PORT/metrics"; }
for _ in $(seq 1 100); do
    metric | grep -q '^wsbridge_jobs{state="running",class="default",origin="cli",group="other"} 2' && break
    sleep 0.1
done

# PromQL through Prometheus's HTTP API, once its scrapes have seen the run.
query() {
    curl -sfG "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1" |
        python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(int(float(r[0]["value"][1])) if r else "none")'
}
expect_query() {
    local q=$1 want=$2 got=none
    for _ in $(seq 1 60); do
        got=$(query "$q" 2>/dev/null)
        [ "$got" = "$want" ] && break
        sleep 0.5
    done
    if [ "$got" = "$want" ]; then pass "PromQL $q = $want"; else fail "PromQL $q: $got, expected $want"; fi
}
expect_query 'up{job="wsbridge"}' 1
expect_query 'sum(wsbridge_jobs{state="running"})' 2
expect_query 'sum(wsbridge_jobs{state="queued"})' 3
expect_query 'sum(wsbridge_jobs_submitted_total)' 10
expect_query 'sum(wsbridge_job_ends_total{result="done"})' 3
expect_query 'sum(wsbridge_job_ends_total{result="failed"})' 2
expect_query 'sum(wsbridge_job_starts_total)' 7
expect_query 'wsbridge_throttle_in_use{limit="max_running"}' 2
expect_query 'sum(wsbridge_workspaces{state="busy"})' 1
expect_query 'wsbridge_job_submit_to_start_seconds_count' 7
expect_query 'wsbridge_throttle_decisions_total{limit="max_running"} > bool 0' 1

metric >"$D/metrics.txt"
if promtool check metrics <"$D/metrics.txt" >"$D/promtool.txt" 2>&1; then
    pass "promtool check metrics: no problem"
else
    fail "promtool check metrics: $(cat "$D/promtool.txt")"
fi
grep -Eq 'argmarker|envmarker|job_?id=' "$D/metrics.txt" && fail "the exposition names a job or its arguments"

# The status page in headless Chromium: a screenshot, and the numbers in its DOM.
sleep 11 # a second point on the charts (one every 10 s)
chrome() { chromium --headless --no-sandbox --disable-gpu --user-data-dir="$D/chromium" --window-size=1280,1700 "$@" 2>>"$D/chromium.log"; }
chrome --dump-dom "http://127.0.0.1:$PORT/" >"$D/dom.html"
chrome --screenshot="$OUT/status.png" "http://127.0.0.1:$PORT/" >/dev/null
if [ -s "$OUT/status.png" ]; then pass "screenshot: $OUT/status.png"; else fail "no screenshot"; fi
python3 - "$D/dom.html" "$("$BIN" policy explain --state-dir "$D" "$WAITING")" "$WAITING" <<'PY' || FAILED=$((FAILED + 1))
import html.parser, re, sys
dom = open(sys.argv[1]).read()
explained, waiting = sys.argv[2], sys.argv[3]
class Cells(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.ids = {}; self.tables = {}; self.stack = []; self.table = None; self.row = None; self.text = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a: self.stack.append(a["id"]); self.ids[a["id"]] = ""
        else: self.stack.append(None)
        if tag == "table": self.table = a.get("id"); self.tables[self.table] = []
        if tag == "tr" and self.table: self.row = []
        if tag in ("td", "th"): self.text = ""
    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.row is not None: self.row.append(self.text.strip()); self.text = None
        if tag == "tr" and self.row is not None: self.tables[self.table].append(self.row); self.row = None
        if tag == "table": self.table = None
        if self.stack: self.stack.pop()
    def handle_data(self, d):
        if self.text is not None: self.text += d
        for i in self.stack:
            if i: self.ids[i] += d
p = Cells(); p.feed(dom)
def total(name): return int(re.match(r"\s*(\d+)", p.ids.get("total-" + name, "")).group(1))
checks = [
    ("running jobs", total("running"), 2), ("queued jobs", total("queued"), 3),
    ("recent failures", total("failures"), 2), ("workspaces", total("workspaces"), 1),
    ("rows of the running table", len(p.tables.get("running", [])) - 1, 2),
    ("rows of the failures table", len(p.tables.get("failures", [])) - 1, 2),
    ("queued in the queues table", sum(int(r[2]) for r in p.tables.get("queues", [])[1:]), 3),
    ("charts", sum(1 for i in ("chart-running", "chart-queued", "chart-starts") if i in p.ids), 3),
]
bad = 0
for what, got, want in checks:
    print(("ok" if got == want else "FAIL") + f": page: {what} {got}, expected {want}")
    bad += got != want
reason = {r[0]: r[4] for r in p.tables.get("waiting", [])[1:]}.get(waiting)
want = explained.split(": ", 1)[1] if ": " in explained else explained
ok = reason == want
print(("ok" if ok else "FAIL") + f": page: job {waiting} waits because {reason!r}; policy explain says {want!r}")
limits = {r[0]: (r[1], r[2]) for r in p.tables.get("limits", [])[1:]}
ok2 = limits.get("max_running") == ("2", "2")
print(("ok" if ok2 else "FAIL") + f": page: max_running in use {limits.get('max_running')}")
sys.exit(1 if bad or not ok or not ok2 else 0)
PY
for who in root nobody; do
    if [ "$who" = root ]; then page=$(curl -sf "http://127.0.0.1:$PORT/"); else
        page=$(setpriv --reuid=nobody --regid=nogroup --clear-groups curl -sf "http://127.0.0.1:$PORT/"); fi
    [ -n "$page" ] || { fail "no page for $who"; continue; }
    if grep -Eq 'argmarker|envmarker|SECRET_ENV' <<<"$page"; then fail "the page shows $who a job's arguments or environment"
    else pass "the page shows $who no job's arguments or environment"; fi
done
grep -Eq 'argmarker|envmarker' "$D/dom.html" && fail "the rendered DOM holds a job's arguments or environment"
# The API socket, where the caller is known, does show the owner their job's arguments.
"$BIN" status --state-dir "$D" --json 6 | grep -q argmarker-7f3a && pass "the owner sees the arguments through the API socket" ||
    fail "the API socket does not show the owner the arguments"
grep -q "<script" "$D/dom.html" && fail "the page has a script"

if [ "$FAILED" -ne 0 ]; then echo "$FAILED checks failed" >&2; exit 1; fi
echo "all metrics and status page checks passed"
