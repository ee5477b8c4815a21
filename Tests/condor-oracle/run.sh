#!/usr/bin/env bash
# Differential test: HTCondor's own submit parser and ClassAd evaluator (the PyPI wheel
# htcondor==24.12.24, v1 bindings, offline) against ours.
#
#   Tests/condor-oracle/run.sh BINARY
#
# BINARY must answer `BINARY condor parse --json FILE` and `BINARY condor eval < exprs`.
# Exits non-zero on any difference not listed in allowlist.txt.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
binary="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
venv="${CONDOR_ORACLE_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/wsbridge-condor-oracle-24.12.24}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import htcondor' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'htcondor==24.12.24'
fi
export CONDOR_CONFIG=/dev/null
# Both sides read the same environment and the same working directory.
export WSB_ORACLE_VAR="from the environment"
export WSB_ORACLE_LIST="a,b,c"
cd "$here/submit"
status=0
"$venv/bin/python" "$here/compare.py" parse "$binary" *.sub || status=1
"$venv/bin/python" "$here/compare.py" parse-new "$binary" *.sub || status=1
# Generated strings of every byte class (generate.py), in both ClassAd syntaxes. The seed is
# fixed so that a failure can be reproduced; CONDOR_ORACLE_SEED / CONDOR_ORACLE_CASES change it.
generated="$(mktemp -d "${TMPDIR:-/tmp}/wsbridge-condor-generated.XXXXXX")"
trap 'rm -rf "$generated"' EXIT
python3 "$here/generate.py" "${CONDOR_ORACLE_SEED:-20261206}" "${CONDOR_ORACLE_CASES:-600}" "$generated"
(cd "$generated" && "$venv/bin/python" "$here/compare.py" parse "$binary" gen-*.sub) || status=1
(cd "$generated" && "$venv/bin/python" "$here/compare.py" parse-new "$binary" gen-*.sub) || status=1
# Generated `queue ... matching` globs over a generated tree (generate_globs.py).
mkdir "$generated/globs"
python3 "$here/generate_globs.py" "${CONDOR_ORACLE_SEED:-20261206}" "${CONDOR_ORACLE_GLOB_CASES:-200}" "$generated/globs"
(cd "$generated/globs" && "$venv/bin/python" "$here/compare.py" parse "$binary" gen-*.sub 2> >(grep -v "^WARNING: \|^$" >&2)) || status=1
cd "$here/submit"
"$venv/bin/python" "$here/compare.py" eval "$binary" "$here/exprs/expressions.txt" || status=1
# The user event log we write must be readable by HTCondor's own reader (when BINARY can
# print its sample log; the development driver can, the product CLI may not).
if "$binary" condor eventlog-sample > "${TMPDIR:-/tmp}/wsbridge-eventlog-sample.$$" 2>/dev/null; then
    "$venv/bin/python" "$here/eventlog_check.py" "${TMPDIR:-/tmp}/wsbridge-eventlog-sample.$$" | tail -1 || status=1
    rm -f "${TMPDIR:-/tmp}/wsbridge-eventlog-sample.$$"
fi
exit $status
