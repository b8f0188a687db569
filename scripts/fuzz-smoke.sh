#!/usr/bin/env bash
# Runs every fuzz target in fuzz/ for a short, bounded time (FUZZING.md).
#
#   scripts/fuzz-smoke.sh                  # each target 60 s, two at a time
#   FUZZ_SECONDS=10 scripts/fuzz-smoke.sh  # shorter
#
# The committed seeds in fuzz/corpus/<target>/ are read, never written: new
# inputs go to a scratch corpus. Any crash, failed assertion, leak or timeout
# fails the run and leaves the reproducer under fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

secs=${FUZZ_SECONDS:-60}
parallel=${FUZZ_PARALLEL:-2}

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install cargo-fuzz --locked --version 0.13.2 --quiet
fi

# cargo-fuzz passes nightly-only flags (-Zsanitizer); the stable toolchain
# accepts them with RUSTC_BOOTSTRAP=1.
export RUSTC_BOOTSTRAP=1
echo "== building the fuzz targets (release, AddressSanitizer)"
cargo fuzz build -O

# cargo builds into $CARGO_TARGET_DIR when it is set.
bin=${CARGO_TARGET_DIR:-target}/x86_64-unknown-linux-gnu/release
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

run_one() {
    local t=$1 log=$scratch/$1.log
    mkdir -p "$scratch/corpus/$t" "artifacts/$t"
    # -timeout: a single input taking 10 s means a hang, which is a finding.
    if "$bin/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="artifacts/$t/" \
        "$scratch/corpus/$t" "corpus/$t" >"$log" 2>&1; then
        printf '%-22s ok   %s\n' "$t" \
            "$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$') runs, cov $(grep -Eo 'cov: [0-9]+' "$log" | tail -n 1 | grep -Eo '[0-9]+')"
    else
        printf '%-22s FAIL\n' "$t"
        tail -n 60 "$log"
        return 1
    fi
}
export -f run_one
export bin scratch secs

echo "== running each target for ${secs}s, ${parallel} at a time"
cargo fuzz list | xargs -P "$parallel" -I{} bash -c 'run_one {}'
