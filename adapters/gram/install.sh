#!/bin/sh
# Installs the wsbridge "workspace" LRM into a stock Debian Grid Community Toolkit GRAM5 setup
# (packages globus-gatekeeper, globus-gram-job-manager, globus-gram-job-manager-scripts,
# globus-seg-job-manager). Safe to run again: files are replaced, an edited
# globus-workspace.conf is kept.
#
# Two gatekeeper services are enabled (see README.md):
#   jobmanager-workspace-seg  the job manager reads wsbridge's SEG day files: states within
#                             2 s, exit codes reach clients. The daemon must write them
#                             (config: [gram] seg_directory = "/var/lib/globus/globus-seg-workspace").
#   jobmanager-workspace      points at jobmanager-workspace-poll (the job manager polls the
#                             module every 10 s; no exit codes), or with --seg at -seg.
#
# Usage: install.sh [--poll|--seg]
# DESTDIR=/some/root install.sh installs below that root (for packaging and tests).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=${DESTDIR:-}
MODE=poll
for arg in "$@"; do
    case "$arg" in
        --seg) MODE=seg ;;
        --poll) MODE=poll ;;
        *) echo "usage: $0 [--seg|--poll]" >&2; exit 2 ;;
    esac
done

# Where Globus::GRAM::JobManager lives decides where our module goes.
PERLDIR=""
if [ -z "$ROOT" ]; then
    PERLDIR=$(perl -MGlobus::GRAM::JobManager -e 'my $p = $INC{"Globus/GRAM/JobManager.pm"}; $p =~ s{/Globus/GRAM/JobManager\.pm$}{}; print $p' 2>/dev/null || true)
fi
[ -n "$PERLDIR" ] || PERLDIR=/usr/share/perl5
if [ -z "$ROOT" ] && [ ! -f "$PERLDIR/Globus/GRAM/JobManager.pm" ]; then
    echo "warning: Globus::GRAM::JobManager not found; is globus-gram-job-manager-scripts installed?" >&2
fi

install -d "$ROOT$PERLDIR/Globus/GRAM/JobManager"
install -m 644 "$HERE/workspace.pm" "$ROOT$PERLDIR/Globus/GRAM/JobManager/workspace.pm"

install -d "$ROOT/usr/share/globus/globus_gram_job_manager"
install -m 644 "$HERE/workspace.rvf" "$ROOT/usr/share/globus/globus_gram_job_manager/workspace.rvf"

install -d "$ROOT/etc/globus"
if [ ! -f "$ROOT/etc/globus/globus-workspace.conf" ]; then
    install -m 644 "$HERE/globus-workspace.conf" "$ROOT/etc/globus/globus-workspace.conf"
fi

install -d "$ROOT/etc/grid-services/available"
install -m 644 "$HERE/jobmanager-workspace" "$ROOT/etc/grid-services/available/jobmanager-workspace-poll"
install -m 644 "$HERE/jobmanager-workspace-seg" "$ROOT/etc/grid-services/available/jobmanager-workspace-seg"

# The job manager reads SEG day files here (-seg-module workspace); wsbridge writes them.
install -d -m 755 "$ROOT/var/lib/globus/globus-seg-workspace"

SERVICE=jobmanager-workspace-$MODE
if [ -z "$ROOT" ] && command -v globus-gatekeeper-admin > /dev/null 2>&1; then
    globus-gatekeeper-admin -d jobmanager-workspace > /dev/null 2>&1 || true
    globus-gatekeeper-admin -e "$SERVICE" -n jobmanager-workspace > /dev/null
    globus-gatekeeper-admin -e jobmanager-workspace-seg > /dev/null
else
    ln -sfn "available/$SERVICE" "$ROOT/etc/grid-services/jobmanager-workspace"
    ln -sfn "available/jobmanager-workspace-seg" "$ROOT/etc/grid-services/jobmanager-workspace-seg"
fi

echo "installed the workspace LRM: jobmanager-workspace -> $SERVICE; jobmanager-workspace-seg"
echo "jobmanager-workspace-seg needs, in the wsbridge config: [gram] seg_directory = \"/var/lib/globus/globus-seg-workspace\""
