#!/usr/bin/env bash
# Runs Concord's whole test suite: formatting, lints, unit, property and
# integration tests of the library, the CLI, the web server and the desktop
# app, then the web UI in Chromium and the desktop app in a window under
# Xvfb. Installs what the tests need first. This is the command the README
# names and CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib.sh
check_dev_null
need_rust
need_desktop_build

echo "==> web UI: install, type check, unit tests, build (embedded by cargo below)"
need_node
npm ci --no-audit --no-fund --loglevel=error
npm run --silent check
npm test --silent
npm run --silent build

echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "==> the library without the front ends' crates"
if cargo tree --no-default-features -e normal --prefix none | grep -E '^(clap|indicatif|axum|tokio) '; then
  echo "the library depends on a front end's crate (clap, indicatif, axum, tokio) without its feature" >&2
  exit 1
fi
cargo check --lib --no-default-features --quiet
echo "==> the UI's TypeScript types are the Rust types' (scripts/types.sh writes them)"
cargo clippy --lib --no-default-features --features ts --quiet -- -D warnings
cargo test --lib --no-default-features --features ts --quiet typescript
echo "==> cargo test (the power-cut test mounts a FUSE file system: root, or fusermount3 from fuse3)"
apt_install fuse3
if [ ! -e /dev/fuse ]; then
  echo "/dev/fuse is missing: load the fuse module (modprobe fuse) for the power-cut test" >&2
  exit 1
fi
cargo test --workspace --all-targets --quiet
cargo test --workspace --doc --quiet

echo "==> the Python package: built with maturin into a virtual environment, tested with pytest (on a Spark standalone cluster on localhost too)"
need_python
# `maturin develop` builds into target/ beside the rest (the debug profile).
(cd python && VIRTUAL_ENV="$PWD/../$PYTHON_VENV" "../$PYTHON_VENV/bin/maturin" develop --quiet)
CONCORD_BIN="$PWD/target/debug/concord" "$PYTHON_VENV/bin/python" -m pytest -q python/tests

echo "==> end to end: concord serve + Chromium (screenshots in target/e2e/)"
apt_install chromium
npm run --silent e2e

echo "==> end to end: the desktop app under Xvfb + tauri-driver (screenshots in target/e2e-desktop/)"
need_desktop_e2e
# The desktop binary as `cargo test` built it: `cargo build -p
# concord-desktop` alone resolves its dependencies' features otherwise and
# would compile arrow, tauri and the rest a second time (minutes, gigabytes).
cargo build --workspace --all-targets --quiet
mkdir -p target/e2e-desktop
# The display's and the bus's chatter goes to a log, shown if the test fails.
if ! xvfb-run -a -s '-screen 0 1400x900x24' dbus-run-session -- \
    npm run --silent e2e:desktop 2>target/e2e-desktop/stderr.log; then
  cat target/e2e-desktop/stderr.log >&2
  exit 1
fi
