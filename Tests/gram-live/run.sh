#!/bin/bash
# End-to-end test of the wsbridge "workspace" LRM through a real GRAM5 gatekeeper and job
# manager: sets the stack up with setup.sh, then, as the mapped user inside the gatekeeper's
# network namespace, runs real jobs with the stock Globus clients through
#   jobmanager-workspace      (the Perl module polled by the job manager every 10 s)
#   jobmanager-workspace-seg  (the same module; states and exit codes from wsbridge's SEG files)
# and checks what the clients print. Everything setup.sh started is stopped at the end.
#
# Usage (as root, Debian 12): Tests/gram-live/run.sh WSBRIDGE_BIN
# Exits 0 when every check passed; otherwise prints each failure, the logs, and exits 1.
set -u

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 WSBRIDGE_BIN (the wsbridge program to test)" >&2
    exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
FAILED=0
PASSED=0
fail() { echo "FAIL: $*" >&2; FAILED=$((FAILED + 1)); }
pass() { echo "ok: $*"; PASSED=$((PASSED + 1)); }

finish() {
    rc=$?
    if [ "$FAILED" -ne 0 ] || [ "$rc" -ne 0 ]; then
        echo "--- job manager log (last 40 lines of /var/log/globus/gram_${GRAM_USER:-gramuser}.log) ---" >&2
        tail -n 40 "/var/log/globus/gram_${GRAM_USER:-gramuser}.log" >&2 2> /dev/null
        echo "--- wsbridge daemon log ---" >&2
        tail -n 30 "${WSB_LOG:-/var/log/wsbridge.log}" >&2 2> /dev/null
        echo "--- SEG day files ---" >&2
        tail -n 20 "${SEG_DIR:-/var/lib/globus/globus-seg-workspace}"/* >&2 2> /dev/null
    fi
    "$HERE/teardown.sh"
    rm -f "${GRAM_LIVE_ERRFILE:-}"
    [ "$FAILED" -eq 0 ] && [ "$rc" -eq 0 ] || exit 1
}
trap finish EXIT
trap 'exit 130' INT TERM

"$HERE/setup.sh" "$1" || { echo "FAIL: setup.sh failed" >&2; exit 1; }
# shellcheck source=lib.sh
. "$HERE/lib.sh"
WS=$GRAM_CONTACT/jobmanager-workspace
SEG=$GRAM_CONTACT/jobmanager-workspace-seg

# wsb_job CONTACT: "ID STATE" of the wsbridge job(s) a GRAM job became (root sees all jobs).
wsb_job() {
    "$WSB_BIN" status --state-dir "$WSB_STATE" --json | perl -MJSON::PP -e '
        my $c = shift; local $/; my $all = decode_json(<STDIN>);
        for (@$all) { my $j = $_->{job}; my $o = $j->{spec}{origin}{gram} or next;
                      print "$j->{id} $j->{state}\n" if ($o->{contact} // "") eq $c; }' "$1"
}
# gram_status CONTACT: the job's state as globus-job-status prints it (first line).
gram_status() { as_user 30 globus-job-status "$1"; STATE=$(printf '%s\n' "$OUT" | head -n 1); }

# ---- 0. the stack itself: the stock fork LRM -------------------------------------------------
as_user 60 globus-job-run "$GRAM_CONTACT/jobmanager-fork" /bin/echo hello-fork
[ "$RC" -eq 0 ] && [ "$OUT" = hello-fork ] && pass "jobmanager-fork works (the GRAM stack is sound)" \
    || fail "globus-job-run through jobmanager-fork: $(show)"

# ---- 1. globus-job-run -----------------------------------------------------------------------
as_user 60 globus-job-run "$WS" /bin/echo hello
[ "$RC" -eq 0 ] && [ "$OUT" = hello ] && pass "globus-job-run $WS /bin/echo hello -> '$OUT'" \
    || fail "globus-job-run /bin/echo hello: $(show)"
as_user 60 globus-job-run "$SEG" /bin/echo hello-seg
[ "$RC" -eq 0 ] && [ "$OUT" = hello-seg ] && pass "globus-job-run $SEG /bin/echo hello-seg -> '$OUT'" \
    || fail "globus-job-run (SEG service) /bin/echo hello-seg: $(show)"

# ---- 2. globusrun -s with count=2, job_type=multiple: two processes, two lines ---------------
as_user 60 globusrun -s -r "$WS" '&(executable=/bin/echo)(arguments=x)(count=2)(job_type=multiple)'
[ "$RC" -eq 0 ] && [ "$OUT" = "$(printf 'x\nx')" ] && pass "globusrun -s count=2 job_type=multiple printed two lines" \
    || fail "globusrun -s count=2: $(show)"

# ---- 3. submit a long job, see it ACTIVE, cancel it: it must stop inside its workspace --------
as_user 60 globus-job-submit "$WS" /bin/sleep 300
LONG=$(printf '%s\n' "$OUT" | grep '^https://' | head -n 1)
if [ "$RC" -ne 0 ] || [ -z "$LONG" ]; then
    fail "globus-job-submit /bin/sleep 300: $(show)"
else
    pass "globus-job-submit printed $LONG"
    # The job manager polls the module right after submit, then every 10 s.
    for _ in $(seq 1 50); do gram_status "$LONG"; [ "$STATE" = ACTIVE ] && break; sleep 0.5; done
    [ "$STATE" = ACTIVE ] && pass "globus-job-status: ACTIVE" || fail "globus-job-status never ACTIVE: $(show)"
    read -r WID WSTATE <<< "$(wsb_job "$LONG")"
    [ "${WSTATE:-}" = running ] && pass "wsbridge job $WID runs it" || fail "no running wsbridge job for $LONG (${WID:-none} ${WSTATE:-})"
    as_user 60 globus-job-cancel -f "$LONG"
    [ "$RC" -eq 0 ] && pass "globus-job-cancel: $(printf '%s' "$OUT" | head -n 2 | tr '\n' ' ')" \
        || fail "globus-job-cancel: $(show)"
    for _ in $(seq 1 50); do
        read -r WID WSTATE <<< "$(wsb_job "$LONG")"
        [ "${WSTATE:-}" = cancelled ] && ! pgrep -u "$GRAM_USER" -f 'sleep 300' > /dev/null && break
        sleep 0.2
    done
    [ "${WSTATE:-}" = cancelled ] && pass "wsbridge status: job $WID cancelled" \
        || fail "wsbridge job for the cancelled GRAM job is ${WSTATE:-missing}"
    if pgrep -u "$GRAM_USER" -f 'sleep 300' > /dev/null; then
        fail "a 'sleep 300' process of $GRAM_USER still runs after the cancel: $(pgrep -u "$GRAM_USER" -af 'sleep 300')"
    else
        pass "no 'sleep 300' process remains"
    fi
fi

# ---- 4. globus-job-get-output of a finished short job ----------------------------------------
as_user 60 globus-job-submit "$WS" /bin/echo out-short
SHORT=$(printf '%s\n' "$OUT" | grep '^https://' | head -n 1)
if [ "$RC" -ne 0 ] || [ -z "$SHORT" ]; then
    fail "globus-job-submit /bin/echo out-short: $(show)"
else
    for _ in $(seq 1 60); do gram_status "$SHORT"; case "$STATE" in DONE|FAILED) break ;; esac; sleep 0.5; done
    [ "$STATE" = DONE ] && pass "short job: $STATE" || fail "short job never DONE: $(show)"
    as_user 60 globus-job-get-output "$SHORT"
    [ "$RC" -eq 0 ] && [ "$OUT" = out-short ] && pass "globus-job-get-output -> '$OUT'" \
        || fail "globus-job-get-output: $(show)"
    as_user 60 globus-job-clean -f "$SHORT"
fi

# ---- 5. exit code 3 through the SEG service --------------------------------------------------
# globusrun (verbose, no -s) prints the job manager's exit-code extension with DONE; the job
# manager has exit codes only from SEG events.
as_user 60 globusrun -r "$SEG" '&(executable=/bin/sh)(arguments=-c "echo three; exit 3")'
if [ "$RC" -eq 0 ] && printf '%s\n' "$OUT" | grep -q 'JOB_STATE_DONE' && printf '%s\n' "$OUT" | grep -qx 'exit code: 3'; then
    pass "SEG service: globusrun reports DONE and 'exit code: 3'"
else
    fail "exit code 3 through $SEG: $(show)"
fi
# The SEG lines name the job by store identity and number, and only this store's identity is
# new today (setup.sh keeps earlier stores' day files).
LAST_ID=$(tail -n 1 "$SEG_DIR/$(date -u +%Y%m%d)" | cut -d';' -f3)
if printf '%s\n' "$LAST_ID" | grep -Eq '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[0-9]+$'; then
    pass "SEG job id $LAST_ID carries the store's identity"
else
    fail "SEG job id '$LAST_ID' is not STORE-UUID.NUMBER"
fi
# (globus-job-status cannot show it afterwards: a GRAM5 job manager forgets a job that has
# ended, and globus-job-status then says DONE from "job contact not found".)

# ---- 6. a missing executable: GRAM error 5 ---------------------------------------------------
as_user 60 globus-job-run "$WS" /no/such/executable
if [ "$RC" -eq 5 ] && printf '%s\n' "$ERR" | grep -q 'error code 5'; then
    pass "/no/such/executable -> exit 5: $(printf '%s' "$ERR" | head -n 1)"
else
    fail "/no/such/executable: $(show)"
fi

# ---- 6b. every submit-time failure returns jobmanager-fork's code ------------------------------
if "$HERE/error-codes.sh"; then
    pass "submit-time failures: jobmanager-workspace returns jobmanager-fork's GRAM error codes"
else
    fail "submit-time failures: codes differ from jobmanager-fork (table above)"
fi

# ---- 7. the throttle: PENDING while max_running long jobs run, then ACTIVE, then DONE ---------
# On the SEG service, so that state changes reach the job manager within 2 s instead of 10 s.
MAXR=$(sed -n 's/^max_running = //p' "$WSB_CONFIG")
FILLERS=()
for i in $(seq 1 "$MAXR"); do
    as_user 60 globus-job-submit "$SEG" /bin/sleep 300
    c=$(printf '%s\n' "$OUT" | grep '^https://' | head -n 1)
    [ -n "$c" ] && FILLERS+=("$c") || fail "filler job $i: $(show)"
done
for _ in $(seq 1 100); do
    n=0
    for c in "${FILLERS[@]}"; do read -r _ s <<< "$(wsb_job "$c")"; [ "${s:-}" = running ] && n=$((n + 1)); done
    [ "$n" -eq "$MAXR" ] && break
    sleep 0.1
done
[ "$n" -eq "$MAXR" ] && pass "throttle filled: $MAXR long jobs running (max_running = $MAXR)" \
    || fail "only $n of $MAXR filler jobs run"
as_user 60 globus-job-submit "$SEG" /bin/sh -c 'sleep 6; echo throttled'
HELD=$(printf '%s\n' "$OUT" | grep '^https://' | head -n 1)
if [ -z "$HELD" ]; then
    fail "globus-job-submit of the throttled job: $(show)"
else
    SEEN=
    # the states seen, each change once; UNSUBMITTED is the moment before the submit reply
    record() { [ "$1" = UNSUBMITTED ] || [ "${SEEN##* }" = "$1" ] || SEEN="$SEEN $1"; }
    for _ in 1 2 3 4; do gram_status "$HELD"; record "$STATE"; sleep 0.5; done
    read -r HID HSTATE <<< "$(wsb_job "$HELD")"
    [ "$STATE" = PENDING ] && [ "${HSTATE:-}" = queued ] && pass "held back by the throttle: globus-job-status PENDING, wsbridge job $HID $HSTATE" \
        || fail "throttled job: globus-job-status $STATE, wsbridge ${HSTATE:-missing}"
    for c in "${FILLERS[@]}"; do as_user 60 globus-job-cancel -f "$c"; [ "$RC" -eq 0 ] || fail "cancel filler $c: $(show)"; done
    for _ in $(seq 1 80); do
        gram_status "$HELD"; record "$STATE"
        case "$STATE" in DONE|FAILED) break ;; esac
        sleep 0.5
    done
    SEEN=${SEEN# }
    [ "$SEEN" = "PENDING ACTIVE DONE" ] && pass "throttled job went $SEEN" \
        || fail "throttled job went '$SEEN', not 'PENDING ACTIVE DONE' (last: $(show))"
    as_user 60 globus-job-get-output "$HELD"
    [ "$OUT" = throttled ] && pass "its output: '$OUT'" || fail "output of the throttled job: $(show)"
    as_user 60 globus-job-clean -f "$HELD"
fi

echo "$PASSED checks passed, $FAILED failed"
