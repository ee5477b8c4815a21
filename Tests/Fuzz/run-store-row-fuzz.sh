#!/bin/sh
# Builds the store's row decoding (jobs, events, workspaces) libFuzzer target (StoreRowFuzz.swift) and runs it.
# GRDB is compiled from the package's checkout (run `swift build` or `swift package resolve` first).
# Usage: run-store-row-fuzz.sh [SECONDS] [extra libFuzzer options...]
set -eu
SECONDS_TO_RUN=${1:-600}
[ $# -gt 0 ] && shift
. "$(dirname "$0")/fuzz-modules.sh"
S=$ROOT/Sources
GRDB=$ROOT/.build/checkouts/GRDB.swift
[ -d "$GRDB/GRDB" ] || (cd "$ROOT" && swift package resolve)
# GRDB as its package builds it on Linux (its swiftSettings), without instrumentation of its own.
FUZZ_FLAGS_SAVED=$FUZZ_FLAGS
FUZZ_FLAGS="-parse-as-library -Onone -sanitize=address"
fuzz_module GRDB -I "$GRDB/Sources/GRDBSQLite" -D SQLITE_ENABLE_FTS5 -D SQLITE_ENABLE_SNAPSHOT -D SQLITE_DISABLE_SNAPSHOT \
    -- $(find "$GRDB/GRDB" -name '*.swift' | sort)
FUZZ_FLAGS=$FUZZ_FLAGS_SAVED
fuzz_module WorkspaceBridge -- "$S"/WorkspaceBridge/*.swift
# The rows and SQLite's store; PostgreSQL's (PostgresNIO) reads its rows through the same records.
fuzz_module BridgeStore -enable-testing -I "$GRDB/Sources/GRDBSQLite" -- $(ls "$S"/BridgeStore/*.swift | grep -v '/Postgres')
fuzz_link "$OUT/store-row-fuzz" -I "$GRDB/Sources/GRDBSQLite" -module-name StoreRowFuzz "$ROOT/Tests/Fuzz/StoreRowFuzz.swift" \
    "$OUT/BridgeStore-code.o" "$OUT/GRDB-code.o" "$OUT/WorkspaceBridge-code.o" -lsqlite3
mkdir -p "$OUT/store-row-fuzz-corpus"
printf '\002\000\000\000\000\000\000\000\001\002\000\000\000\000\000\003\350\006\000\004\007default\007\004\000' > "$OUT/store-row-fuzz-corpus/seed1"
fuzz_run store-row-fuzz "$SECONDS_TO_RUN" -max_len=1024 "$@"
