#!/bin/sh
# Builds the API request-path libFuzzer target (APIRequestFuzz.swift) and runs it.
# Usage: run-api-request-fuzz.sh [SECONDS] [extra libFuzzer options...]
set -eu
SECONDS_TO_RUN=${1:-600}
[ $# -gt 0 ] && shift
. "$(dirname "$0")/fuzz-modules.sh"
S=$ROOT/Sources
fuzz_module WorkspaceBridge -- "$S"/WorkspaceBridge/*.swift
fuzz_module AgentProtocol -- "$S"/AgentProtocol/*.swift
# The MUNGE shim the client links (C, loaded with dlopen: nothing to fuzz in it).
clang -c -fPIC "$S/CMunge/munge.c" -I "$S/CMunge/include" -o "$OUT/CMunge.o"
mkdir -p "$OUT/CMunge"
printf 'module CMunge {\n    header "%s"\n    export *\n}\n' "$S/CMunge/include/CMunge.h" > "$OUT/CMunge/module.modulemap"
fuzz_module BridgeAPI -I "$OUT/CMunge" -- "$S"/BridgeAPI/*.swift
# The daemon's request type is compiled in with the harness: the rest of the daemon needs NIO.
fuzz_link "$OUT/api-request-fuzz" -module-name APIRequestFuzz -I "$OUT/CMunge" "$ROOT/Tests/Fuzz/APIRequestFuzz.swift" \
    "$S/BridgeDaemon/API/APIRequest.swift" "$S/BridgeDaemon/Scheduler/CommandError.swift" \
    "$OUT/BridgeAPI-code.o" "$OUT/AgentProtocol-code.o" "$OUT/WorkspaceBridge-code.o" "$OUT/CMunge.o" -ldl
mkdir -p "$OUT/api-request-fuzz-corpus"
c=$OUT/api-request-fuzz-corpus
printf 'GET\n/v1/jobs?ids=1,2,3&limit=10&before=9&history\n' > "$c/seed1"
printf 'GET\n/v1/events?after=0&wait=0.5&job=7\n' > "$c/seed2"
printf 'POST\n/v1/jobs\n{"specs":[{"executable":"/bin/echo","arguments":["a"],"count":2,"resources":{"cpus":1,"memoryMB":64},"workspace":{"requirements":"Memory > 1"},"origin":{"kind":"condor","condor":{"cluster":1,"proc":0,"ad":{}}}}],"idempotencyKey":"k"}' > "$c/seed3"
printf 'GET\n/v1/jobs/5/wait?timeout=1e400\n' > "$c/seed4"
printf 'POST\n/v1/jobs\n{"executable":"x","priority":-1000000,"maxRetries":1000,"environment":{"A":"1"},"origin":{"kind":"gram","gram":{"jobType":"single"}}}' > "$c/seed5"
fuzz_run api-request-fuzz "$SECONDS_TO_RUN" -max_len=4096 "$@"
