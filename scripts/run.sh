#!/usr/bin/env bash
# Builds Concord and starts it. Installs what it needs first.
#
# On a machine with a display: the desktop app (`concord-desktop`, built
# with the web UI inside); extra arguments are files to open, e.g.
#   bash scripts/run.sh old.csv new.csv
# Without a display (or with CONCORD_WEB=1): `concord serve --open`, the
# same UI on http://127.0.0.1:7480/ in the default browser (or the URL is
# printed); extra arguments go to `concord serve` (e.g. --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib.sh
need_rust
need_node

npm ci --no-audit --no-fund --loglevel=error

serve() {
  npm run --silent build
  cargo build --release --quiet
  echo "==> ./target/release/concord serve --open $*"
  echo "    (the command line: ./target/release/concord --help)"
  exec ./target/release/concord serve --open "$@"
}

if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || [ "${CONCORD_WEB:-}" = 1 ]; then
  echo "==> no display here: starting the web UI instead of the desktop app"
  serve "$@"
fi

if ! (need_desktop_build); then
  echo "==> could not install the desktop app's libraries (${DESKTOP_BUILD_PACKAGES[*]});" >&2
  echo "    starting the web UI instead" >&2
  serve
fi
# The Tauri CLI builds the UI (beforeBuildCommand) and the release binary
# with the UI embedded; --no-bundle skips the installable package.
npx tauri build --no-bundle
echo "==> ./target/release/concord-desktop $*"
exec ./target/release/concord-desktop "$@"
