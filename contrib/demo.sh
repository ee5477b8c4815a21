#!/bin/sh
# Sets up what it needs and runs the demo: a daemon on the embedded default (process sandboxes),
# GRAM and HTCondor jobs queued, throttled, run and finished. Run as root on Debian 12.
set -eu
cd "$(dirname "$0")/.."
[ -x /opt/swift/usr/bin/swift ] && PATH=/opt/swift/usr/bin:$PATH
contrib/setup-debian.sh demo
swift build --product wsbridge 2>&1 | grep -E "error|warning: unre|Compiling wsbridge|Build" || true
exec .build/debug/wsbridge demo "$@"
