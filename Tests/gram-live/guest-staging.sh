#!/bin/bash
# GRAM5 jobs into QEMU guests, which do not see the gatekeeper's files: the real gatekeeper and
# job manager stage the executable and the files from the client (GASS), wsbridge copies them
# into the guest and back, and the delegated proxy follows the job there, refreshed on request.
#
# Usage (as root, libvirtd running, a guest image built):
#   Tests/gram-live/guest-staging.sh WSBRIDGE_BIN GUEST_DIR
set -u

if [ $# -ne 2 ] || [ ! -x "$1" ] || [ ! -f "$2/vmlinux" ]; then
    echo "usage: $0 WSBRIDGE_BIN GUEST_DIR (with vmlinux and initrd.img)" >&2
    exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
GUEST_DIR=$(cd "$2" && pwd)
FAILED=0
fail() { echo "FAIL: $*" >&2; FAILED=$((FAILED + 1)); }
pass() { echo "ok: $*"; }
finish() {
    if [ "$FAILED" -ne 0 ]; then
        echo "--- job manager log ---" >&2; tail -n 30 "/var/log/globus/gram_${GRAM_USER:-gramuser}.log" >&2 2> /dev/null
        echo "--- wsbridge daemon log ---" >&2; tail -n 30 "${WSB_LOG:-/var/log/wsbridge.log}" >&2 2> /dev/null
    fi
    for ws in $("${WSB_BIN:-wsbridge}" workspaces list --state-dir "${WSB_STATE:-/var/lib/wsbridge}" 2>/dev/null | awk 'NR > 1 { print $1 }'); do
        "$WSB_BIN" workspaces destroy --state-dir "$WSB_STATE" "$ws" > /dev/null 2>&1
    done
    "$HERE/teardown.sh"
    rm -f "${GRAM_LIVE_ERRFILE:-}"
    [ "$FAILED" -eq 0 ] || exit 1
}
trap finish EXIT
trap 'exit 130' INT TERM

GRAM_GUEST_DIR=$GUEST_DIR "$HERE/setup.sh" "$1" > /dev/null || { echo "FAIL: setup.sh failed" >&2; exit 1; }
# shellcheck source=lib.sh
. "$HERE/lib.sh"
WS=$GRAM_CONTACT/jobmanager-workspace
as_root_file() { install -o "$GRAM_USER" -m "$1" /dev/stdin "$UHOME/$2"; }

# ---- 1. globus-job-run -s: a script of the client's, staged by GRAM into its cache on the
#         gatekeeper, then by wsbridge into the guest, where the proxy is the user's alone ----------
as_root_file 755 probe.sh <<'SH'
#!/bin/sh
echo "kernel $(uname -r)"
echo "proxy $(stat -c '%a %u' "$X509_USER_PROXY") uid $(id -u)"
head -n 1 "$X509_USER_PROXY"
SH
as_user 300 globus-job-run "$WS" -queue vm -s probe.sh
host_kernel=$(uname -r)
kernel=$(printf '%s\n' "$OUT" | sed -n 's/^kernel //p')
if [ "$RC" -eq 0 ] && [ -n "$kernel" ] && [ "$kernel" != "$host_kernel" ] \
        && printf '%s\n' "$OUT" | grep -q "^proxy 600 $(id -u "$GRAM_USER") uid $(id -u "$GRAM_USER")$" \
        && printf '%s\n' "$OUT" | grep -q -- '-----BEGIN CERTIFICATE-----'; then
    pass "globus-job-run -s probe.sh ran the staged script in a guest (kernel $kernel, host $host_kernel) with the proxy, 0600 $GRAM_USER"
else
    fail "globus-job-run -s probe.sh: $(show)"
fi

# ---- 2. file_stage_in and file_stage_out from and to the client's GASS server ----------------------
printf 'hello stage\n' | as_root_file 644 stage-src.txt
rm -f "$UHOME/stage-result.txt"
RSL="&(executable=/bin/sh)(arguments=-c \"tr a-z A-Z < in.txt > out.txt\")(queue=vm)
  (file_stage_in=(\$(GLOBUSRUN_GASS_URL)$UHOME/stage-src.txt in.txt))
  (file_stage_out=(out.txt \$(GLOBUSRUN_GASS_URL)$UHOME/stage-result.txt))"
as_user 300 globusrun -s -r "$WS" "$RSL"
[ "$RC" -eq 0 ] && [ "$(cat "$UHOME/stage-result.txt" 2>/dev/null)" = "HELLO STAGE" ] \
    && pass "file_stage_in and file_stage_out through GASS: the guest's output reached the client" \
    || fail "globusrun -s with file_stage_in/out: $(show); result '$(cat "$UHOME/stage-result.txt" 2>&1)'"

# ---- 3. globusrun -refresh-proxy during the run: the job in the guest sees the new proxy ----------
# (A script, not sh -c: "$(" would be an RSL substitution in the command line globus-job-submit builds.)
as_root_file 755 wait-refresh.sh <<'SH'
#!/bin/sh
a=$(md5sum < "$X509_USER_PROXY")
for i in $(seq 150); do
    b=$(md5sum < "$X509_USER_PROXY")
    if [ "$a" != "$b" ]; then echo refreshed; exit 0; fi
    sleep 1
done
echo stale
SH
as_user 60 globus-job-submit "$WS" -queue vm -s wait-refresh.sh
CONTACT=$(printf '%s\n' "$OUT" | grep '^https://' | head -n 1)
if [ -z "$CONTACT" ]; then
    fail "globus-job-submit for the refresh: $(show)"
else
    for _ in $(seq 1 120); do
        as_user 30 globus-job-status "$CONTACT"
        [ "$(printf '%s\n' "$OUT" | head -n 1)" = ACTIVE ] && break
        sleep 1
    done
    as_user 60 grid-proxy-init -hours 24 -q
    t0=$(date +%s)
    as_user 60 globusrun -refresh-proxy "$CONTACT"
    [ "$RC" -eq 0 ] || fail "globusrun -refresh-proxy: $(show)"
    for _ in $(seq 1 180); do
        as_user 30 globus-job-status "$CONTACT"
        case "$(printf '%s\n' "$OUT" | head -n 1)" in DONE|FAILED) break ;; esac
        sleep 1
    done
    t1=$(date +%s)
    as_user 60 globus-job-get-output "$CONTACT"
    [ "$OUT" = refreshed ] && pass "globusrun -refresh-proxy reached the job in its guest (done $((t1 - t0)) s after the refresh)" \
        || fail "after globusrun -refresh-proxy the job printed: $(show)"
fi

[ "$FAILED" -eq 0 ] && echo "all GRAM guest staging checks passed"
