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
# It also makes what the module and the job managers need around it:
#   - the default service "jobmanager", when there is none: globus-job-get-output and
#     globus-job-clean run their helper jobs through it (as jobmanager-fork-poll, package
#     globus-gram-job-manager-fork-setup-poll; without that package it says what to run);
#   - the SEG directory with today's and tomorrow's day files (UTC), readable by all: a job
#     manager whose reader finds no file for today looks again only every 30 s;
#   - the daemon's state directory, mode 0755: the module runs wsbridge as the mapped user,
#     which must reach the daemon's socket (<state-dir>/api.sock, made 0666 by the daemon).
#
# Usage: install.sh [--poll|--seg] [--state-dir DIR]   (DIR: default /var/lib/wsbridge)
# DESTDIR=/some/root install.sh installs below that root (for packaging and tests).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=${DESTDIR:-}
MODE=poll
STATE_DIR=/var/lib/wsbridge
while [ $# -gt 0 ]; do
    case "$1" in
        --seg) MODE=seg ;;
        --poll) MODE=poll ;;
        --state-dir) [ $# -ge 2 ] || { echo "$0: --state-dir needs a directory" >&2; exit 2; }; STATE_DIR=$2; shift ;;
        *) echo "usage: $0 [--seg|--poll] [--state-dir DIR]" >&2; exit 2 ;;
    esac
    shift
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
SEG_DIR=$ROOT/var/lib/globus/globus-seg-workspace
install -d -m 755 "$SEG_DIR"
for day in "$(date -u +%Y%m%d)" "$(date -u -d tomorrow +%Y%m%d)"; do
    [ -e "$SEG_DIR/$day" ] || install -m 644 /dev/null "$SEG_DIR/$day"
done

# The daemon's state directory: the mapped users' wsbridge must reach its socket.
install -d -m 755 "$ROOT$STATE_DIR"
chmod 755 "$ROOT$STATE_DIR"

SERVICE=jobmanager-workspace-$MODE
if [ -z "$ROOT" ] && command -v globus-gatekeeper-admin > /dev/null 2>&1; then
    globus-gatekeeper-admin -d jobmanager-workspace > /dev/null 2>&1 || true
    globus-gatekeeper-admin -e "$SERVICE" -n jobmanager-workspace > /dev/null
    globus-gatekeeper-admin -e jobmanager-workspace-seg > /dev/null
else
    ln -sfn "available/$SERVICE" "$ROOT/etc/grid-services/jobmanager-workspace"
    ln -sfn "available/jobmanager-workspace-seg" "$ROOT/etc/grid-services/jobmanager-workspace-seg"
fi

# The default service "jobmanager", used by globus-job-get-output and globus-job-clean. A site
# that has one keeps it.
DEFAULT_NOTE="default service jobmanager: kept"
if [ ! -e "$ROOT/etc/grid-services/jobmanager" ]; then
    if [ -f "$ROOT/etc/grid-services/available/jobmanager-fork-poll" ]; then
        if [ -z "$ROOT" ] && command -v globus-gatekeeper-admin > /dev/null 2>&1; then
            globus-gatekeeper-admin -e jobmanager-fork-poll -n jobmanager > /dev/null
        else
            ln -sfn available/jobmanager-fork-poll "$ROOT/etc/grid-services/jobmanager"
        fi
        DEFAULT_NOTE="default service jobmanager -> jobmanager-fork-poll (for globus-job-get-output and globus-job-clean)"
    else
        DEFAULT_NOTE="no default service jobmanager: globus-job-get-output and globus-job-clean need one; install
  globus-gram-job-manager-fork-setup-poll and run: globus-gatekeeper-admin -e jobmanager-fork-poll -n jobmanager"
    fi
fi

echo "installed the workspace LRM: jobmanager-workspace -> $SERVICE; jobmanager-workspace-seg"
echo "$DEFAULT_NOTE"
echo "SEG day files in ${SEG_DIR#"$ROOT"}; daemon state directory $STATE_DIR (0755)"
echo "jobmanager-workspace-seg needs, in the wsbridge config: [gram] seg_directory = \"/var/lib/globus/globus-seg-workspace\""
