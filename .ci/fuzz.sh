#!/usr/bin/env bash
# Fuzzes aegis with cargo-fuzz (libFuzzer), each target for a bounded time.
#
#   bash .ci/fuzz.sh                 # every target, AEGIS_FUZZ_SECS (default 40) each
#   AEGIS_FUZZ_SECS=600 bash .ci/fuzz.sh demux
#
# Needs `cargo install cargo-fuzz --locked`. libFuzzer's flags are nightly-only; the one stable
# toolchain accepts them with RUSTC_BOOTSTRAP=1. The targets build without a sanitizer: aegis
# forbids unsafe code, so what is hunted is panics, hangs and broken invariants, and an
# uninstrumented build runs several times faster. The corpora are seeded from the JSON fixtures
# (each prefixed with the selector byte 0, "classify as Lambda would") and never committed.
# A crash leaves its input in fuzz/artifacts/TARGET/ and fails this script; turn it into a
# regression test in aegis-core/tests/hostile.rs or aegis-axum/tests/hostile.rs.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../fuzz"

export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${AEGIS_FUZZ_TARGET_DIR:-$HOME/.cache/aegis-fuzz-target}"
secs="${AEGIS_FUZZ_SECS:-40}"
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    targets=(classify demux http local_invoke)
fi

# The main workspace's lockfile, so the fuzz build uses the versions the tests use.
[[ -f Cargo.lock ]] || cp ../Cargo.lock Cargo.lock

seed() {
    local dir="corpus/$1"
    mkdir -p "$dir"
    local f name
    while IFS= read -r -d '' f; do
        name="$(basename "$f" .json)"
        if [[ "$1" == classify ]]; then
            cp "$f" "$dir/$name"
        else
            { printf '\0'; cat "$f"; } >"$dir/$name"
        fi
    done < <(find ../aegis-core/tests/data ../aegis-axum/tests/data -name '*.json' -print0)
}

cargo fuzz build --release --debug-assertions --sanitizer none

for target in "${targets[@]}"; do
    seed "$target"
    printf '\n==== fuzz %s (%ss) ====\n' "$target" "$secs"
    # -rss_limit_mb bounds memory; -timeout flags any single input taking over 10 s as a hang.
    cargo fuzz run --release --debug-assertions --sanitizer none "$target" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
        -print_final_stats=1 2>&1 | grep -E 'stat::|#[0-9]+ +DONE|ERROR|panicked|SUMMARY|Done [0-9]+ runs' \
        || true
    if compgen -G "artifacts/$target/*" >/dev/null; then
        echo "fuzz target $target found crashes:" >&2
        ls -l "artifacts/$target" >&2
        exit 1
    fi
done
