#!/bin/sh
# Differential test: our RSL parser/evaluator/unparser against libglobus-rsl (Debian:
# apt-get install libglobus-rsl-dev). Usage: run-rsl-differential.sh [COUNT] [SEED]
set -eu
COUNT=${1:-20000}
SEED=${2:-1}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${RSL_DIFF_DIR:-$ROOT/.build/rsl-diff}
mkdir -p "$OUT"
cc -O1 -o "$OUT/oracle" "$ROOT/Tests/Fuzz/RSLOracle.c" $(pkg-config --cflags --libs globus-rsl globus-common)
swiftc -O -parse-as-library -module-name WorkspaceBridge -emit-module -emit-module-path "$OUT/WorkspaceBridge.swiftmodule" \
    -wmo -c "$ROOT"/Sources/WorkspaceBridge/*.swift -o "$OUT/WorkspaceBridge.o"
swiftc -O -parse-as-library -module-name GRAMFrontend -I "$OUT" -emit-module -emit-module-path "$OUT/GRAMFrontend.swiftmodule" \
    -wmo -c "$ROOT"/Sources/GRAMFrontend/*.swift -o "$OUT/GRAMFrontend.o"
swiftc -O -parse-as-library -I "$OUT" "$ROOT/Tests/Fuzz/RSLDiffMain.swift" "$OUT/GRAMFrontend.o" "$OUT/WorkspaceBridge.o" \
    -o "$OUT/rsl-diff"
"$OUT/rsl-diff" gen "$COUNT" "$SEED" > "$OUT/inputs"
status=0
for mode in parse eval; do
    flag=""; [ "$mode" = eval ] && flag="-e"
    "$OUT/oracle" $flag < "$OUT/inputs" > "$OUT/oracle.$mode"
    "$OUT/rsl-diff" ours $flag < "$OUT/inputs" > "$OUT/ours.$mode"
    echo "== $mode"
    "$OUT/rsl-diff" compare "$OUT/inputs" "$OUT/ours.$mode" "$OUT/oracle.$mode" || status=1
done
exit $status
