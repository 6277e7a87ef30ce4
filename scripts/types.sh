#!/usr/bin/env bash
# Writes ui/src/lib/transport/generated.ts, the TypeScript declarations of
# the types the UI receives and sends, from the Rust types (src/typescript.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
CONCORD_WRITE_TYPES=1 cargo test -q --no-default-features --features ts --lib typescript -- --test-threads 1
# And src/operations.json, the one list of operations as the desktop app's
# build step and the UI read it, from src/operations.rs.
CONCORD_WRITE_TYPES=1 cargo test -q --lib operations_json -- --test-threads 1
