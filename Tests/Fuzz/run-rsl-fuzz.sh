#!/bin/sh
# Builds the RSL libFuzzer target with AddressSanitizer and runs it.
# Usage: run-rsl-fuzz.sh [SECONDS] [extra libFuzzer options...]
set -eu
SECONDS_TO_RUN=${1:-600}
[ $# -gt 0 ] && shift
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${RSL_FUZZ_DIR:-$ROOT/.build/rsl-fuzz}
mkdir -p "$OUT/corpus"
FLAGS="-sanitize=fuzzer,address -parse-as-library -g -Onone"
swiftc $FLAGS -module-name WorkspaceBridge -emit-module -emit-module-path "$OUT/WorkspaceBridge.swiftmodule" \
    -wmo -c "$ROOT"/Sources/WorkspaceBridge/*.swift -o "$OUT/WorkspaceBridge-code.o"
swiftc $FLAGS -module-name GRAMFrontend -I "$OUT" -emit-module -emit-module-path "$OUT/GRAMFrontend.swiftmodule" \
    -wmo -c "$ROOT"/Sources/GRAMFrontend/*.swift -o "$OUT/GRAMFrontend-code.o"
swiftc $FLAGS -I "$OUT" "$ROOT/Tests/Fuzz/RSLFuzz.swift" "$OUT/GRAMFrontend-code.o" "$OUT/WorkspaceBridge-code.o" -o "$OUT/rsl-fuzz"
# Seeds: the upstream parse-rsl.c vectors and a typical job.
i=0
for seed in 'x = 1' '&(x = (1 1) )' '+(&(x < 1))' '&(rsl_substitution = (x y))(z = $(x))' \
    '&(executable=$(HOME)/bin/a)(arguments="a b" '"'c''d'"' ^!e!)(environment=(A 1)(B 2))(* c *)(count=2)'; do
    i=$((i + 1)); printf '%s' "$seed" > "$OUT/corpus/seed$i"
done
exec "$OUT/rsl-fuzz" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -timeout=10 "$@" "$OUT/corpus"
