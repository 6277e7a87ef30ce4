#!/usr/bin/env bash
# Builds Concord and runs it on a sample pair of CSV files, writing an HTML
# report next to them. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib.sh
need_rust
need_node

# The web UI is built first, so that the binary embeds it.
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
cargo build --release --quiet
out="${TMPDIR:-/tmp}/concord-sample-report.html"
echo "==> concord compare tests/fixtures/daff/bridges.csv tests/fixtures/daff/broken_bridges.csv --key bridge"
set +e
./target/release/concord compare tests/fixtures/daff/bridges.csv tests/fixtures/daff/broken_bridges.csv --key bridge
./target/release/concord compare tests/fixtures/daff/bridges.csv tests/fixtures/daff/broken_bridges.csv --key bridge --output "$out"
status=$?
set -e
# Exit status 1 means "differences found", which is what this sample shows.
if [ "$status" -gt 1 ]; then exit "$status"; fi
echo "==> HTML report: $out"
echo "    The binary is ./target/release/concord; run it with --help for more."
echo "    The web UI: ./target/release/concord serve --open"
