#!/bin/bash
# End-to-end test of the blahp LRM "workspace": a real `wsbridge serve` in a temporary state
# directory, the scripts installed by adapters/blahp/install.sh into a temporary root, and every
# script called the way blahpd calls it (cmd_submit_job, get_status, cmd_cancel_job,
# hold_res_exec, cmd_ping in blahp's server.c and job_status.c).
#
# Usage: Tests/blahp/run.sh WSBRIDGE_BIN
# Exits 0 when every check passed; otherwise prints each failed check and exits 1. The daemon
# and its workspaces are destroyed on exit, whatever happens.
set -u

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 WSBRIDGE_BIN (the wsbridge program to test)" >&2
    exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
BINDIR=$(dirname "$BIN")
HERE=$(cd "$(dirname "$0")" && pwd)
ADAPTER=$(cd "$HERE/../../adapters/blahp" && pwd)

D=$(mktemp -d "${TMPDIR:-/tmp}/blahp-e2e.XXXXXX")
chmod 755 "$D"
mkdir -p "$D/work"
# Jobs of root run as nobody (never as root): they must be able to write there.
chmod 1777 "$D/work"
DAEMON_PID=
FAILED=0

fail() { echo "FAIL: $*" >&2; FAILED=$((FAILED + 1)); }
pass() { echo "ok: $*"; }

start_daemon() {
    rm -f "$D/api.sock"
    "$BIN" serve --state-dir "$D" --config "$D/config.toml" >>"$D/daemon.log" 2>&1 &
    DAEMON_PID=$!
    for _ in $(seq 1 200); do
        [ -S "$D/api.sock" ] && "$BIN" blah ping --state-dir "$D" | grep -q '^0 ' && return 0
        kill -0 "$DAEMON_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "the daemon did not start; its log:" >&2
    cat "$D/daemon.log" >&2
    exit 1
}

cleanup() {
    if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
        for ws in $("$BIN" workspaces list --state-dir "$D" 2>/dev/null | awk 'NR > 1 { print $1 }'); do
            "$BIN" workspaces destroy --state-dir "$D" "$ws" >/dev/null 2>&1 || echo "could not destroy workspace $ws" >&2
        done
        kill "$DAEMON_PID" 2>/dev/null
        wait "$DAEMON_PID" 2>/dev/null
    fi
    if [ "$FAILED" -ne 0 ]; then
        echo "--- daemon log ($D/daemon.log) ---" >&2
        tail -n 40 "$D/daemon.log" >&2
    fi
    rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat >"$D/config.toml" <<EOF
[throttle]
max_running = 8
start_rate = 1000.0
[retry]
max_retries = 0
[[class]]
name = "default"
slots = 4
max_workspaces = 2
memory_mb = 512
[[class]]
name = "big"
slots = 2
max_workspaces = 1
memory_mb = 1024
EOF

# With a guest image (WSBRIDGE_GUEST_DIR, and libvirtd running), a class of QEMU guests too:
# the job's files are staged into it (-I, -O, -x) as the blahp's own staging would move them.
if [ -n "${WSBRIDGE_GUEST_DIR:-}" ]; then
    cat >>"$D/config.toml" <<EOF
[[class]]
name = "vm"
provider = "libvirt"
slots = 1
max_workspaces = 1
memory_mb = 512
network = false
[class.settings]
uris = "qemu:///system"
domain_type = "qemu"
kernel = "$WSBRIDGE_GUEST_DIR/vmlinux"
initrd = "$WSBRIDGE_GUEST_DIR/initrd.img"
boot_timeout_seconds = 180
EOF
fi

# Install as a site would, into a temporary root; a second run must change nothing.
ROOT="$D/root"
DESTDIR=$ROOT "$ADAPTER/install.sh" --libexec /libexec/blahp --config /etc/blah.config \
    --binpath "$BINDIR" --state-dir "$D" >/dev/null || fail "install.sh failed"
DESTDIR=$ROOT "$ADAPTER/install.sh" --libexec /libexec/blahp --config /etc/blah.config >/dev/null \
    || fail "install.sh failed the second time"
if [ "$(grep -c '^supported_lrms=workspace$' "$ROOT/etc/blah.config")" = 1 ] &&
   [ "$(grep -c '^workspace_state_dir=' "$ROOT/etc/blah.config")" = 1 ]; then
    pass "install.sh is idempotent and registers the LRM"
else
    fail "install.sh left this blah.config:"; cat "$ROOT/etc/blah.config" >&2
fi
L="$ROOT/libexec/blahp"
for s in submit status cancel hold resume ping; do
    [ -x "$L/workspace_$s.sh" ] || fail "install.sh did not install workspace_$s.sh"
done

# blahpd's environment: the config names the daemon and the program; nothing else.
export BLAHPD_CONFIG_LOCATION="$ROOT/etc/blah.config"
unset WSBRIDGE_STATE_DIR
export HOME="$D"
cd "$D/work" || exit 1

start_daemon

# ---- helpers --------------------------------------------------------------------------------
# submit ARGS...: runs the submit script; sets JOB (full id) and SID (script id).
submit() {
    local out rc
    out=$("$L/workspace_submit.sh" "$@" 2>"$D/submit.err")
    rc=$?
    JOB=$(printf '%s\n' "$out" | sed -n 's/^BLAHP_JOBID_PREFIX//p')
    SID=${JOB#workspace/}
    if [ $rc -ne 0 ] || ! printf '%s\n' "$JOB" | grep -Eq '^workspace/[0-9]{8}/[0-9]+$'; then
        fail "submit $* -> exit $rc, stdout '$out', stderr '$(cat "$D/submit.err")'"
        return 1
    fi
}
# wait_for ID PATTERN SECONDS: polls the status script until its line contains PATTERN.
wait_for() {
    local line=
    for _ in $(seq 1 $(($3 * 10))); do
        line=$("$L/workspace_status.sh" "$1")
        case "$line" in *"$2"*) STATUS=$line; return 0 ;; esac
        sleep 0.1
    done
    STATUS=$line
    return 1
}

# ---- ping -------------------------------------------------------------------------------------
out=$("$L/workspace_ping.sh"); rc=$?
[ "$out" = "0 No error" ] && [ $rc -eq 0 ] && pass "ping: $out" || fail "ping printed '$out' (exit $rc)"
out=$(WSBRIDGE_STATE_DIR="$D/nowhere" "$L/workspace_ping.sh"); rc=$?
case "$out" in "1 "*) [ $rc -eq 0 ] && pass "ping without a daemon: ${out:0:40}..." || fail "ping exit $rc";;
    *) fail "ping without a daemon printed '$out'";; esac
# The scripts as shipped, with no blah config at all: the environment alone finds the daemon.
out=$(env -u BLAHPD_CONFIG_LOCATION WSBRIDGE_STATE_DIR="$D" PATH="$BINDIR:$PATH" "$ADAPTER/workspace_ping.sh"); rc=$?
[ "$out" = "0 No error" ] && [ $rc -eq 0 ] && pass "scripts work without a blah config" \
    || fail "ping without a blah config printed '$out' (exit $rc)"

# ---- a job that exits 3: submitted exactly as blahpd does (Arguments through ConvertArgs) --------
if submit -c /bin/sh -T /tmp -w "$D/work" -o out -e err -- '"-c" "sleep 2; exit 3"'; then
    pass "submit printed BLAHP_JOBID_PREFIX$JOB"
    EXIT3=$JOB
    if wait_for "$JOB" "JobStatus=2;" 30; then pass "status running: $STATUS"; else fail "never running: $STATUS"; fi
    line=$("$L/workspace_status.sh" -w "$JOB")
    case "$line" in *'WorkerNode="'*) pass "status -w names the worker: $line";;
        *JobStatus=4*) pass "status -w (job already done)";; *) fail "status -w: $line";; esac
    if wait_for "$JOB" "JobStatus=4;" 30; then
        case "$STATUS" in "0["*'BatchJobId="'"${JOB##*/}"'";JobStatus=4;ExitCode=3;'*"]") pass "status completed: $STATUS";;
            *) fail "completed line: $STATUS";; esac
    else
        fail "never completed: $STATUS"
    fi
fi

# ---- arguments and environments as the batch wrapper's shell splits them ------------------------
if submit -c /bin/sh -w "$D/work" -o args.out -V '"GREETING=hello world" "EMPTY="' \
        -- '"-c" "printf %s: \"$1\" \"$2\" \"$GREETING\"" "x" "a b" "c"'; then
    if wait_for "$JOB" "JobStatus=4;ExitCode=0;" 30 && [ "$(cat "$D/work/args.out")" = "a b:c:hello world:" ]; then
        pass "arguments and -V environment reach the job intact"
    else
        fail "arguments/-V: status '$STATUS', output '$(cat "$D/work/args.out" 2>/dev/null)'"
    fi
fi
if submit -c /bin/sh -w "$D/work" -o env.out -v 'A=1;JUNK;B=x y' -- '"-c" "printf %s \"$A-$B\""'; then
    if wait_for "$JOB" "JobStatus=4;ExitCode=0;" 30 && [ "$(cat "$D/work/env.out")" = "1-x y" ]; then
        pass "-v (V1) environment reaches the job"
    else
        fail "-v: status '$STATUS', output '$(cat "$D/work/env.out" 2>/dev/null)'"
    fi
fi

# ---- -q naming a workspace class; memory and wall time ------------------------------------------
if submit -c /bin/true -q big -m 1000 -t 600; then
    wait_for "$JOB" "JobStatus=4;" 30 || fail "job in class big never completed: $STATUS"
    if "$BIN" status --json --state-dir "$D" "${JOB##*/}" | grep -q '"className" : "big"'; then
        pass "-q big ran the job in workspace class big"
    else
        fail "-q big did not choose class big"
    fi
fi

# ---- cancel a long job ----------------------------------------------------------------------
if submit -c /bin/sleep -w "$D/work" -- 300; then
    LONG=$JOB; LONGSID=$SID
    wait_for "$LONG" "JobStatus=2;" 30 || fail "long job never running: $STATUS"
    out=$("$L/workspace_cancel.sh" "$LONGSID"); rc=$?
    [ "$out" = ' 0 No\ error' ] && [ $rc -eq 0 ] && pass "cancel: '$out'" || fail "cancel printed '$out' (exit $rc)"
    if wait_for "$LONG" "JobStatus=3;" 20; then pass "status after cancel: $STATUS"; else fail "after cancel: $STATUS"; fi
    out=$("$L/workspace_cancel.sh" "$LONGSID"); rc=$?
    [ "$out" = ' 0 No\ error' ] && [ $rc -eq 0 ] && pass "cancel of a gone job succeeds" || fail "second cancel: '$out' ($rc)"
fi

# ---- hold and resume --------------------------------------------------------------------------
if submit -c /bin/sleep -w "$D/work" -- 300; then
    HELD=$JOB; HELDSID=$SID
    wait_for "$HELD" "JobStatus=2;" 30 || fail "job to hold never running: $STATUS"
    out=$("$L/workspace_resume.sh" "$HELDSID"); rc=$?
    [ $rc -ne 0 ] && pass "resume of a running job fails: '$out'" || fail "resume of a running job succeeded"
    out=$("$L/workspace_hold.sh" "$HELDSID" 2); rc=$?
    [ "$out" = ' 0 No\ error' ] && [ $rc -eq 0 ] && pass "hold: '$out'" || fail "hold printed '$out' (exit $rc)"
    if wait_for "$HELD" "JobStatus=5;" 20; then
        case "$STATUS" in *'HoldReason="'*'HoldReasonCode=1;'*) pass "status held: $STATUS";; *) fail "held line: $STATUS";; esac
    else
        fail "never held: $STATUS"
    fi
    out=$("$L/workspace_resume.sh" "$HELDSID"); rc=$?
    [ "$out" = ' 0 No\ error' ] && [ $rc -eq 0 ] && pass "resume: '$out'" || fail "resume printed '$out' (exit $rc)"
    if wait_for "$HELD" "JobStatus=2;" 30; then pass "running again after resume"; else fail "after resume: $STATUS"; fi
    # Several ids in one cancel: one line each, numbered.
    if submit -c /bin/sleep -- 300; then
        out=$("$L/workspace_cancel.sh" "$HELDSID" "$SID"); rc=$?
        expected=$(printf '%s\n%s' '.0 0 No\ error' '.1 0 No\ error')
        [ "$out" = "$expected" ] && [ $rc -eq 0 ] && pass "cancel of two jobs: $(echo $out)" || fail "cancel of two: '$out' ($rc)"
        wait_for "$JOB" "JobStatus=3;" 20 || fail "second job of the pair not removed: $STATUS"
    fi
fi

# ---- bad input --------------------------------------------------------------------------------
out=$("$L/workspace_submit.sh" -k x -c /bin/true 2>"$D/err"); rc=$?
case "$out" in "Usage: $L/workspace_submit.sh -c <command>"*) [ $rc -eq 1 ] && pass "unknown flag: usage, exit 1" || fail "unknown flag exit $rc";;
    *) fail "unknown flag printed '$out' (exit $rc)";; esac
grep -q "illegal option -- k" "$D/err" || fail "unknown flag: stderr '$(cat "$D/err")'"
out=$("$L/workspace_submit.sh" -o out -- x 2>/dev/null); rc=$?
case "$out" in Usage:*) [ $rc -eq 1 ] && pass "missing -c: usage, exit 1" || fail "missing -c exit $rc";;
    *) fail "missing -c printed '$out' (exit $rc)";; esac
out=$("$L/workspace_submit.sh" -c /bin/true -o 2>/dev/null); rc=$?
[ $rc -eq 1 ] && case "$out" in Usage:*) true;; *) false;; esac && pass "missing option value: usage, exit 1" \
    || fail "missing option value printed '$out' (exit $rc)"
out=$("$L/workspace_submit.sh" -c /bin/true -w "$D/no/such/dir" 2>"$D/err"); rc=$?
[ $rc -eq 1 ] && [ -z "$out" ] && grep -q "Failed to CD to Initial Working Directory" "$D/err" \
    && pass "a missing working directory is refused" || fail "missing -w dir: '$out' (exit $rc) $(cat "$D/err")"
out=$("$L/workspace_submit.sh" -c /bin/true -m lots 2>"$D/err"); rc=$?
[ $rc -eq 1 ] && [ -z "$out" ] && pass "bad -m value: exit 1 ($(cat "$D/err"))" || fail "bad -m: '$out' (exit $rc)"
out=$("$L/workspace_status.sh" -x "$EXIT3"); rc=$?
[ $rc -eq 1 ] && [ "$out" = "Usage: $L/workspace_status.sh [-w] [-n]" ] && pass "status with a bad flag: usage, exit 1" \
    || fail "status -x: '$out' (exit $rc)"
out=$("$L/workspace_status.sh" workspace/20000101/999999 slurm/20000101/1); rc=$?
expected=$(printf '%s\n%s' '1Error: no job workspace/20000101/999999' \
    '1Error: malformed job id slurm/20000101/1 (expected workspace/YYYYMMDD/N)')
[ $rc -eq 0 ] && [ "$out" = "$expected" ] && pass "unknown and malformed ids: one 1Error line each" \
    || fail "unknown ids: '$out' (exit $rc)"
# The same number with another day is another job, never this one.
out=$("$L/workspace_status.sh" "workspace/20000101/${EXIT3##*/}")
case "$out" in 1Error:*) pass "an id with the wrong day is unknown";; *) fail "wrong day: '$out'";; esac
out=$("$L/workspace_hold.sh" "20000101/${EXIT3##*/}" 1); rc=$?
[ $rc -eq 1 ] && case "$out" in " 1 "*) true;; *) false;; esac && pass "hold of an unknown job: '$out', exit 1" \
    || fail "hold of unknown job: '$out' (exit $rc)"

# ---- ids survive a daemon restart ------------------------------------------------------------
kill "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null
start_daemon
line=$("$L/workspace_status.sh" "$EXIT3")
case "$line" in *"JobStatus=4;ExitCode=3;"*) pass "after a daemon restart: $line";; *) fail "after restart: $line";; esac

# ---- a job in a guest with its sandbox: -I inputs, -O outputs, -x proxy -----------------------
if [ -n "${WSBRIDGE_GUEST_DIR:-}" ]; then
    G="$D/work/guest"
    mkdir -p "$G" && chmod 1777 "$G"
    echo "first input" >"$G/in1.txt"
    echo "from outside the working directory" >"$D/extra.dat"
    chmod 644 "$G/in1.txt" "$D/extra.dat"
    echo "proxy for the guest" >"$G/proxy.pem"
    chown nobody "$G/proxy.pem" && chmod 600 "$G/proxy.pem"
    printf '%s\n' "$G/in1.txt" "$D/extra.dat" >"$D/in.list"
    printf '%s\n' result.txt >"$D/out.list"
    if submit -c /bin/sh -q vm -w "$G" -o out -e err -x "$G/proxy.pem" -I "$D/in.list" -O "$D/out.list" \
            -- '"-c" "cat in1.txt extra.dat \"$X509_USER_PROXY\" > result.txt; echo left > scratch.txt"'; then
        if wait_for "$JOB" "JobStatus=4;" 300; then
            expected=$(printf 'first input\nfrom outside the working directory\nproxy for the guest')
            case "$STATUS" in *"ExitCode=0;"*) pass "guest job with a sandbox completed: $STATUS";; *) fail "guest job: $STATUS";; esac
            [ "$(cat "$G/result.txt" 2>/dev/null)" = "$expected" ] && [ "$(stat -c %U "$G/result.txt")" = nobody ] \
                && pass "-I inputs and the -x proxy reached the guest; the -O output came back, the user's" \
                || fail "result.txt: '$(cat "$G/result.txt" 2>&1)' owner $(stat -c %U "$G/result.txt" 2>&1)"
            [ ! -e "$G/scratch.txt" ] && pass "only -O outputs come back" || fail "an undeclared file came back"
        else
            fail "guest job never completed: $STATUS"
        fi
    fi
fi

if [ "$FAILED" -ne 0 ]; then
    echo "$FAILED check(s) failed" >&2
    exit 1
fi
echo "all blahp checks passed"
