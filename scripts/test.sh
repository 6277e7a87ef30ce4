#!/usr/bin/env bash
# Runs Concord's whole test suite: formatting, lints, unit, property and
# integration tests. Installs what the tests need first. This is the command
# the README names and CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib.sh
need_rust

echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy -D warnings"
cargo clippy --all-targets --quiet -- -D warnings
echo "==> cargo test"
cargo test --all-targets --quiet
cargo test --doc --quiet
