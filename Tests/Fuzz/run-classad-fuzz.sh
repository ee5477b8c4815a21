#!/bin/sh
# Builds the ClassAd parser and evaluator libFuzzer target (ClassAdFuzz.swift) and runs it.
# Usage: run-classad-fuzz.sh [SECONDS] [extra libFuzzer options...]
set -eu
SECONDS_TO_RUN=${1:-600}
[ $# -gt 0 ] && shift
. "$(dirname "$0")/fuzz-modules.sh"
S=$ROOT/Sources
fuzz_module WorkspaceBridge -- "$S"/WorkspaceBridge/*.swift
# The front door runs `include : CMD |` commands through ProcessSpawn, on the small C of CSpawn.
mkdir -p "$OUT/CSpawn"
printf 'module CSpawn {\n    header "%s"\n    export *\n}\n' "$S/CSpawn/include/cspawn.h" > "$OUT/CSpawn/module.modulemap"
for c in "$S"/CSpawn/*.c; do
    o=$OUT/CSpawn-$(basename "$c" .c).o
    [ "$o" -nt "$c" ] || clang -c -g -fsanitize=fuzzer-no-link,address -I "$S/CSpawn/include" "$c" -o "$o"
done
fuzz_module ProcessSpawn -I "$OUT/CSpawn" -- "$S"/ProcessSpawn/*.swift
fuzz_module CondorFrontend -I "$OUT/CSpawn" -- "$S"/CondorFrontend/*.swift
fuzz_link "$OUT/classad-fuzz" -I "$OUT/CSpawn" -module-name ClassAdFuzz "$ROOT/Tests/Fuzz/ClassAdFuzz.swift" \
    "$OUT/CondorFrontend-code.o" "$OUT/ProcessSpawn-code.o" "$OUT"/CSpawn-*.o "$OUT/WorkspaceBridge-code.o"
c=$OUT/classad-fuzz-corpus
mkdir -p "$c"
i=0
# Seeds: the differential test's expressions, one per file.
while IFS= read -r line && [ $i -lt 400 ]; do
    i=$((i + 1)); printf '%s' "$line" > "$c/expr$i"
done < "$ROOT/Tests/condor-oracle/exprs/expressions.txt"
printf '%s' '[a = b + b; b = c + c; c = d + d; d = 1].a' > "$c/deep"
printf '%s' 'regexp("(a*)*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")' > "$c/regex"
printf '%s' '[s = strcat("ab", "cd"); t = strcat(s, s, s, s); u = join(",", split(t))].u' > "$c/strings"
fuzz_run classad-fuzz "$SECONDS_TO_RUN" -max_len=2048 "$@"
