#!/usr/bin/env bash
# Sets everything up and runs all the tests: the unit, edge and golden tests
# in a normal build, again under AddressSanitizer and UBSan, then every
# fuzz target for FUZZ_SECONDS seconds (default 30) each.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
fuzz_seconds=${FUZZ_SECONDS:-30}
passed=0

# Runs ctest in a build folder and adds its count to the total.
run_ctest() {
    local log
    log=$(mktemp)
    ctest --test-dir "$1" --output-on-failure -j"$jobs" | tee "$log"
    passed=$((passed + $(sed -n 's/.*tests passed, 0 tests failed out of \([0-9]*\).*/\1/p' "$log")))
    rm -f "$log"
}

"$root/scripts/setup.sh"
# setup.sh installed node, helm and the npm packages: the Helm chart's tests
# must run, not skip.
export AIM_REQUIRE_TOOLS=1

echo "== build and test"
cmake -S "$root" -B "$root/build-test" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/build-test" -j"$jobs" >/dev/null
run_ctest "$root/build-test"

echo "== build and test under AddressSanitizer and UndefinedBehaviorSanitizer"
cmake -S "$root" -B "$root/build-asan" -DCMAKE_BUILD_TYPE=Debug -DAIM_SANITIZE=ON >/dev/null
cmake --build "$root/build-asan" -j"$jobs" >/dev/null
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_ctest "$root/build-asan"

echo "== fuzz each parser for ${fuzz_seconds}s"
CC=clang cmake -S "$root" -B "$root/build-fuzz" -DCMAKE_BUILD_TYPE=Debug -DAIM_FUZZ=ON \
    -DAIM_SANITIZE=ON -DAIM_TESTS=OFF >/dev/null
cmake --build "$root/build-fuzz" -j"$jobs" >/dev/null
for target in "$root"/build-fuzz/tests/fuzz/fuzz_*; do
    [ -x "$target" ] || continue
    name=$(basename "$target")
    corpus=$(mktemp -d)
    cp -r "$root/tests/fuzz/corpus/$name/." "$corpus/" 2>/dev/null || true
    echo "fuzzing $name"
    "$target" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=0 "$corpus" 2>"$corpus.log" || {
        tail -n 40 "$corpus.log"
        echo "fuzz target $name failed"
        exit 1
    }
    grep -E '^Done|#[0-9]+.*DONE' "$corpus.log" | tail -n 1 || true
    rm -rf "$corpus" "$corpus.log"
    passed=$((passed + 1))
done
echo "tests: $passed passed, 0 failed"
