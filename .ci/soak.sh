#!/usr/bin/env bash
# The soak of RELIABILITY.md: the multi-trigger example under AWS's Runtime Interface Emulator,
# AEGIS_SOAK_INVOCATIONS (default here 100,000) mixed invocations, bounded by AEGIS_SOAK_MAX_SECS
# (default 1800), with the function's RSS and descriptors printed and checked.
#
#   bash .ci/soak.sh
#   AEGIS_SOAK_INVOCATIONS=20000 bash .ci/soak.sh
#
# CI runs the same test with its default of 5,000 as part of `cargo test --workspace`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/aegis-target}"
export AEGIS_SOAK_INVOCATIONS="${AEGIS_SOAK_INVOCATIONS:-100000}"
export AEGIS_SOAK_MAX_SECS="${AEGIS_SOAK_MAX_SECS:-1800}"

cargo test -p aegis-tests --test reliability_soak -- --nocapture 2>&1 | grep -E '^soak:|^test |test result|panicked at tests/|^  left|^ right|grew|unexpected answers'
