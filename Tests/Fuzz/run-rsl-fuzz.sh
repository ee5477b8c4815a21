#!/bin/sh
# Builds the RSL libFuzzer target with AddressSanitizer and runs it.
# Usage: run-rsl-fuzz.sh [SECONDS] [extra libFuzzer options...]
set -eu
SECONDS_TO_RUN=${1:-600}
[ $# -gt 0 ] && shift
. "$(dirname "$0")/fuzz-modules.sh"
S=$ROOT/Sources
fuzz_module WorkspaceBridge -- "$S"/WorkspaceBridge/*.swift
fuzz_module GRAMFrontend -- "$S"/GRAMFrontend/*.swift
fuzz_link "$OUT/rsl-fuzz" -module-name RSLFuzz "$ROOT/Tests/Fuzz/RSLFuzz.swift" "$OUT/GRAMFrontend-code.o" "$OUT/WorkspaceBridge-code.o"
# Seeds: the upstream parse-rsl.c vectors and a typical job.
mkdir -p "$OUT/rsl-fuzz-corpus"
i=0
for seed in 'x = 1' '&(x = (1 1) )' '+(&(x < 1))' '&(rsl_substitution = (x y))(z = $(x))' \
    '&(executable=$(HOME)/bin/a)(arguments="a b" '"'c''d'"' ^!e!)(environment=(A 1)(B 2))(* c *)(count=2)'; do
    i=$((i + 1)); printf '%s' "$seed" > "$OUT/rsl-fuzz-corpus/seed$i"
done
fuzz_run rsl-fuzz "$SECONDS_TO_RUN" -max_len=4096 "$@"
