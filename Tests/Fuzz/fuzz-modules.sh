# Sourced by the run-*-fuzz.sh scripts. Compiles library modules with libFuzzer's coverage and
# AddressSanitizer into $OUT (shared by the targets), each again only when one of its sources is
# newer than its object.
#   fuzz_module NAME [swiftc flags...] -- SOURCES...
FUZZ_FLAGS="-sanitize=fuzzer,address -parse-as-library -g -Onone"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${FUZZ_DIR:-$ROOT/.build/fuzz}
mkdir -p "$OUT"

fuzz_module() {
    name=$1; shift
    extra=""
    while [ "$1" != "--" ]; do extra="$extra $1"; shift; done
    shift
    obj="$OUT/$name-code.o"
    if [ -f "$obj" ] && [ -f "$OUT/$name.swiftmodule" ] && [ -z "$(find "$@" -newer "$obj" 2>/dev/null | head -1)" ]; then
        return 0
    fi
    echo "fuzz build: $name"
    swiftc $FUZZ_FLAGS $extra -module-name "$name" -I "$OUT" -emit-module -emit-module-path "$OUT/$name.swiftmodule" \
        -wmo -c "$@" -o "$obj"
}

# fuzz_link OUTPUT SWIFTC-ARGS...: links the harness, without the linker's notes on sanitizer symbols.
fuzz_link() {
    output=$1; shift
    rm -f "$output"
    swiftc $FUZZ_FLAGS -I "$OUT" "$@" -o "$output" 2>&1 | grep -v "Cannot export local symbol" || true
    [ -x "$output" ]
}

# fuzz_run NAME SECONDS [libFuzzer options...]: runs $OUT/NAME on its corpus for SECONDS and
# prints the executions and the outcome.
fuzz_run() {
    name=$1; seconds=$2; shift 2
    mkdir -p "$OUT/$name-corpus"
    cd "$OUT"
    status=0
    # Leak checking is off: the Swift runtime's once-allocated objects read as leaks at exit.
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} "$OUT/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -detect_leaks=0 -print_final_stats=1 "$@" "$OUT/$name-corpus" \
        > "$OUT/$name.log" 2>&1 || status=$?
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb)|ERROR|SUMMARY|Fatal error|deadly signal|Test unit written" "$OUT/$name.log" | head -20
    if [ $status -ne 0 ]; then
        echo "$name: FAILED (exit $status); the log is $OUT/$name.log"
        tail -40 "$OUT/$name.log"
    else
        echo "$name: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$OUT/$name.log" | grep -o '[0-9]*$') executions, no crash"
    fi
    return $status
}
