#!/usr/bin/env bash
# Builds Concord (the web UI, then the binary that embeds it) and starts it:
# `concord serve --open` serves the UI on http://127.0.0.1:7480/ and opens
# it in the default browser (or prints the URL when there is none).
# Installs what it needs first. Extra arguments go to `concord serve`
# (e.g. --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib.sh
need_rust
need_node

npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
cargo build --release --quiet
echo "==> ./target/release/concord serve --open $*"
echo "    (the command line: ./target/release/concord --help)"
exec ./target/release/concord serve --open "$@"
