#!/bin/bash
# Submit-time failures, differential: each bad job goes through the real gatekeeper to the stock
# jobmanager-fork and to jobmanager-workspace (polled and SEG), and the GRAM error code each
# returns must be the same. fork's codes come from its submit checks (GCT
# gram/jobmanager/lrms/fork/source/fork.pm: chdir -> BAD_DIRECTORY 4, ! -e executable ->
# EXECUTABLE_NOT_FOUND 5, ! -x or ! -f -> EXECUTABLE_PERMISSIONS 72, ! -r stdin ->
# STDIN_NOT_FOUND 11) and from the job manager itself; the numbers are
# globus_gram_protocol_constants.h's. globusrun exits with the job's GRAM error code.
#
# Usage (as root, with the stack of setup.sh running): Tests/gram-live/error-codes.sh
# Prints one line per case and exits 0 when every case agrees.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

# Fixtures, made by root: things the grid user may see but not use.
FIX=$(mktemp -d /var/tmp/wsbridge-gram-codes.XXXXXX)
trap 'rm -rf "$FIX" "$GRAM_LIVE_ERRFILE"' EXIT
chmod 755 "$FIX"
printf '#!/bin/sh\necho never\n' > "$FIX/not-executable" && chmod 644 "$FIX/not-executable"
mkdir -m 755 "$FIX/a-directory"
mkdir -m 755 "$FIX/no-access" "$FIX/no-access/sub"
cp /bin/true "$FIX/no-access/program"
echo input > "$FIX/no-access/input"
chmod 700 "$FIX/no-access"
echo secret > "$FIX/unreadable" && chmod 600 "$FIX/unreadable"
: > "$FIX/read-only" && chmod 644 "$FIX/read-only"

# name | RSL relations after &(...)
CASES=(
    "missing executable|(executable=/no/such/program)"
    "executable without x permission|(executable=$FIX/not-executable)"
    "a directory as executable|(executable=$FIX/a-directory)"
    "executable behind a directory without access|(executable=$FIX/no-access/program)"
    "relative executable not in directory|(executable=no-such-program)(directory=$FIX)"
    "a program on PATH named without a path|(executable=true)(directory=$FIX)"
    "missing directory|(executable=/bin/true)(directory=/no/such/dir)"
    "directory without access|(executable=/bin/true)(directory=$FIX/no-access)"
    "directory behind a directory without access|(executable=/bin/true)(directory=$FIX/no-access/sub)"
    "a file as directory|(executable=/bin/true)(directory=$FIX/read-only)"
    "missing stdin|(executable=/bin/true)(stdin=/no/such/input)"
    "unreadable stdin|(executable=/bin/true)(stdin=$FIX/unreadable)"
    "stdin behind a directory without access|(executable=/bin/true)(stdin=$FIX/no-access/input)"
    "a directory as stdin (accepted)|(executable=/bin/true)(stdin=$FIX/a-directory)"
    "a device as stdin (accepted)|(executable=/bin/true)(stdin=/dev/zero)"
    "stdout in a missing directory|(executable=/bin/true)(stdout=/no/such/dir/out)"
    "unwritable stdout|(executable=/bin/true)(stdout=$FIX/read-only)"
    "unwritable stderr|(executable=/bin/true)(stderr=$FIX/read-only)"
)

SERVICES="jobmanager-fork jobmanager-workspace jobmanager-workspace-seg"
MISMATCH=0
printf '%-46s %6s %10s %14s\n' "case" fork workspace workspace-seg
for c in "${CASES[@]}"; do
    name=${c%%|*}
    rsl="&${c#*|}"
    codes=()
    for s in $SERVICES; do
        as_user 60 globusrun -q -r "$GRAM_CONTACT/$s" "$rsl"
        codes+=("$RC")
    done
    verdict=ok
    for code in "${codes[@]:1}"; do [ "$code" = "${codes[0]}" ] || verdict=DIFFERENT; done
    [ "$verdict" = ok ] || MISMATCH=$((MISMATCH + 1))
    printf '%-46s %6s %10s %14s  %s\n' "$name" "${codes[0]}" "${codes[1]}" "${codes[2]}" "$verdict"
done
if [ "$MISMATCH" -ne 0 ]; then
    echo "$MISMATCH of ${#CASES[@]} cases differ from jobmanager-fork" >&2
    exit 1
fi
echo "all ${#CASES[@]} cases return jobmanager-fork's code"
