#!/usr/bin/env bash
# Runs Concord's whole test suite: formatting, lints, unit, property and
# integration tests. Installs what the tests need first. This is the command
# the README names and CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib.sh
need_rust

echo "==> web UI: install, type check, unit tests, build (embedded by cargo below)"
need_node
npm ci --no-audit --no-fund --loglevel=error
npm run --silent check
npm test --silent
npm run --silent build

echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy -D warnings"
cargo clippy --all-targets --quiet -- -D warnings
echo "==> the library without the front ends' crates"
if cargo tree --no-default-features -e normal --prefix none | grep -E '^(clap|indicatif|axum|tokio) '; then
  echo "the library depends on a front end's crate (clap, indicatif, axum, tokio) without its feature" >&2
  exit 1
fi
cargo check --lib --no-default-features --quiet
echo "==> cargo test"
cargo test --all-targets --quiet
cargo test --doc --quiet

echo "==> end to end: concord serve + Chromium (screenshots in target/e2e/)"
apt_install chromium
npm run --silent e2e
