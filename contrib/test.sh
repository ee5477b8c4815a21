#!/bin/bash
# Sets up what the tests need and runs the whole test suite. Run as root on Debian 12.
#   unit and end-to-end tests (swift test): real daemons, agents, sandboxes, cgroups, users, the
#   store on SQLite and on a real PostgreSQL
#   HTCondor's own parser as an oracle (PyPI htcondor), the blahp scripts as blahpd runs them,
#   a real GRAM5 gatekeeper on loopback, real libvirtd with QEMU guests (and a second libvirtd
#   that a drained host's guests move to, live), short fuzz runs of the RSL parser, the API
#   request path, the store's job rows and the ClassAd evaluator, and the
#   HTTP API fuzzed from its OpenAPI document (schemathesis) as an unprivileged user, and the
#   metrics listener scraped by a real Prometheus with its status page rendered by headless Chromium,
#   the network API with MUNGE credentials from gatekeeper hosts made of network namespaces, and
#   a hot standby: two bridge hosts on one PostgreSQL store, the active one killed under load
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /opt/swift/usr/bin/swift ] && PATH=/opt/swift/usr/bin:$PATH
started=$(date +%s)
step() { printf '\n=== %s (%ss)\n' "$1" "$(( $(date +%s) - started ))"; }
failed=()
# For developers only: WSBRIDGE_TEST_SKIP="gram libvirt fuzz apifuzz" leaves those parts out
# (libvirt: the guest image and its tests too).
skip() { [[ " ${WSBRIDGE_TEST_SKIP:-} " == *" $1 "* ]] && echo "--- skipped: $1 (WSBRIDGE_TEST_SKIP)"; }
run() { local name=$1; shift; step "$name"; if "$@"; then echo "--- $name: ok"; else echo "--- $name: FAILED"; failed+=("$name"); fi; }

step "packages"
contrib/setup-debian.sh test
step "build"
swift build --build-tests

# PostgreSQL for the store suite, which runs on SQLite and on it (each test in a new database).
if url=$(contrib/postgres/start.sh); then
    export WSBRIDGE_TEST_POSTGRES_URL=$url
else
    echo "--- PostgreSQL did not start: the store suite runs on SQLite only"
    failed+=("PostgreSQL for the store suite")
fi
run "unit and end-to-end tests (the store on SQLite and on PostgreSQL)" swift test --skip-build
run "HTCondor differential (submit files, ClassAds, event log)" Tests/condor-oracle/run.sh .build/debug/wsbridge
run "blahp scripts as blahpd runs them" Tests/blahp/run.sh .build/debug/wsbridge
run "metrics scraped by Prometheus, status page in headless Chromium" Tests/metrics/run.sh .build/debug/wsbridge .build/test-output
run "network API with MUNGE: two gatekeeper hosts (namespaces), forged, replayed and foreign credentials" \
    Tests/munge/run.sh .build/debug/wsbridge
run "hot standby: two bridge hosts (namespaces) on one PostgreSQL store, the active one killed under 150 jobs" \
    Tests/standby/run.sh .build/debug/wsbridge 150
if [ -x Tests/gram-live/run.sh ] && ! skip gram; then
    run "GRAM5 gatekeeper on loopback" Tests/gram-live/run.sh .build/debug/wsbridge
fi
guest_image() {
    # The guest is built from Debian's kernel and busybox packages: the package lists must be there.
    apt-cache show linux-image-cloud-amd64 >/dev/null 2>&1 || apt-get update -qq
    # The guest carries the agent alone, linked statically: no library, a small initramfs.
    swift build -c release --static-swift-stdlib -Xswiftc -static-executable --product wsbridge-agent
    contrib/guest-image/build.sh .build/guest-image .build/release/wsbridge-agent
    # What a user brings to a `universe = vm` job: a tiny Linux that marks its disk and powers off.
    Tests/vm-universe/build-image.sh .build/vm-universe
}
guest_tests() {
    contrib/libvirt/start-libvirtd.sh
    # A second "host": this machine's libvirtd through ssh on loopback, for guests on remote URIs.
    local ssh_dir=.build/loopback-ssh remote_uri status=0
    remote_uri=$(Tests/remote-libvirt/loopback-ssh.sh "$ssh_dir") || return 1
    # A third: a libvirtd of its own (state, host UUID, storage), for guests that move between hosts.
    local second=/var/tmp/wsbridge-second-host second_pool=/var/tmp/wsb-drain-pool second_socket
    second_socket=$(contrib/libvirt/second-host.sh "$second" "$second_pool") || return 1
    WSBRIDGE_LIBVIRT_E2E=1 WSBRIDGE_GUEST_DIR="$PWD/.build/guest-image" WSBRIDGE_REMOTE_URI="$remote_uri" \
        WSBRIDGE_VM_IMAGE_DIR="$PWD/.build/vm-universe" \
        WSBRIDGE_SECOND_HOST_SOCKET="$second_socket" WSBRIDGE_SECOND_HOST_POOL="$second_pool" \
        swift test --skip-build --no-parallel \
        --filter "GuestEndToEnd|GuestTests|RemoteHostGuestTests|HostDrainGuestTests|VMUniverseEndToEndTests" || status=$?
    contrib/libvirt/second-host.sh --stop "$second"
    # The blahp scripts once more, with a class of guests: -I, -O and -x staged through the agent.
    WSBRIDGE_GUEST_DIR="$PWD/.build/guest-image" Tests/blahp/run.sh .build/debug/wsbridge || status=$?
    # GRAM5 through the real gatekeeper into guests: staged executable, GASS files, proxy refresh.
    if ! skip gram; then Tests/gram-live/guest-staging.sh .build/debug/wsbridge .build/guest-image || status=$?; fi
    Tests/remote-libvirt/loopback-ssh.sh --stop "$ssh_dir"
    return $status
}
run "guest channel discovery (fake sysfs: virtio, Xen, none)" contrib/guest-image/test-find-channel.sh
run "guest /init decisions (fake sysfs: Xen PV and HVM, module groups, root disk, shared directories)" \
    contrib/guest-image/test-guest-setup.sh
skip libvirt || run "guest image (Debian cloud kernel, busybox, static agent)" guest_image
skip libvirt || run "guest initramfs contents (modules with their dependencies: virtio, Xen front ends, virtio-fs, 9p)" \
    contrib/guest-image/test-initramfs.sh .build/guest-image
skip libvirt || run "libvirt with real QEMU guests" guest_tests
run "RSL against libglobus-rsl (differential)" Tests/Fuzz/run-rsl-differential.sh 20000
skip fuzz || run "RSL parser fuzzing (15 s)" Tests/Fuzz/run-rsl-fuzz.sh 15
skip fuzz || run "API request path fuzzing (15 s)" Tests/Fuzz/run-api-request-fuzz.sh 15
skip fuzz || run "store job rows fuzzing (15 s)" Tests/Fuzz/run-store-row-fuzz.sh 15
skip fuzz || run "ClassAd parser and evaluator fuzzing (15 s)" Tests/Fuzz/run-classad-fuzz.sh 15
skip apifuzz || run "HTTP API fuzzed from its OpenAPI document (45 s)" Tests/api-fuzz/run.sh .build/debug/wsbridge 45

step "done"
if [ ${#failed[@]} -gt 0 ]; then
    printf 'FAILED: %s\n' "${failed[@]}"
    exit 1
fi
echo "all tests passed"
