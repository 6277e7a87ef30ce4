# Shared helpers for the scripts in this folder; sourced, not run.

# Installs Debian/Ubuntu packages that are missing (as root, or with sudo).
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "==> installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Cargo feeds /dev/null to the compiler it probes; when /dev/null has become
# a regular file (any program run as root that writes a file atomically and
# is pointed at /dev/null renames over it; Concord's exports did so before
# they learned to write through devices), that probe reads whatever was
# last written there and fails with an unrelated compile error. Recreate
# the device when we can, or say what is wrong.
check_dev_null() {
  [ -c /dev/null ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    echo "==> /dev/null is not a device on this machine: recreating it" >&2
    rm -f /dev/null && mknod -m 666 /dev/null c 1 3
  else
    echo "/dev/null is not a device on this machine; recreate it as root: rm /dev/null && mknod -m 666 /dev/null c 1 3" >&2
    exit 2
  fi
}

# Makes sure a Rust toolchain (cargo, rustfmt, clippy) and a C compiler are there.
need_rust() {
  if ! command -v cargo >/dev/null 2>&1; then
    [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
  fi
  if ! command -v cargo >/dev/null 2>&1; then
    echo "Concord needs Rust 1.85 or newer: install it with rustup (https://rustup.rs), then run this again." >&2
    exit 2
  fi
  command -v cc >/dev/null 2>&1 || apt_install build-essential pkg-config
  if command -v rustup >/dev/null 2>&1; then
    rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
    rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
  fi
}

# Makes sure Node.js 20.19+ and npm are there (for the web UI).
need_node() {
  if ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm
  fi
  local major
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [ "$major" -lt 20 ]; then
    echo "Concord's web UI needs Node.js 20.19 or newer (found $(node --version 2>/dev/null || echo none)); install it, then run this again." >&2
    exit 2
  fi
}

# The system libraries the desktop app (Tauri 2, WebKitGTK) builds against.
DESKTOP_BUILD_PACKAGES=(libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libssl-dev pkg-config build-essential file)

# Makes sure the desktop app can be built (apt packages above).
need_desktop_build() {
  apt_install "${DESKTOP_BUILD_PACKAGES[@]}"
}

# What the desktop end-to-end test drives the app with: a virtual display
# (Xvfb), a D-Bus session bus, WebKitWebDriver, X tools for keys, window
# sizes and screenshots, and tauri-driver (built once into ~/.cargo/bin).
need_desktop_e2e() {
  apt_install xvfb xauth dbus dbus-x11 webkit2gtk-driver xdotool x11-utils imagemagick procps
  if ! command -v tauri-driver >/dev/null 2>&1; then
    echo "==> cargo install tauri-driver --locked (once)"
    cargo install tauri-driver --locked --quiet
  fi
}

# The Python package's build and tests: a virtual environment in
# target/python-venv with maturin, pytest, the frame libraries and pyspark
# (PyPI; pip keeps its downloads in ~/.cache/pip, pyspark's 450 MB too),
# the headers PyO3 builds against (python3-dev) and the Java that Spark's
# local mode runs on (Debian's).
PYTHON_VENV=target/python-venv
need_python() {
  apt_install python3-venv python3-dev openjdk-17-jre-headless
  if [ ! -x "$PYTHON_VENV/bin/pip" ]; then
    echo "==> a Python environment for the package's tests ($PYTHON_VENV)"
    python3 -m venv "$PYTHON_VENV"
    "$PYTHON_VENV/bin/pip" install --quiet --upgrade pip
  fi
  "$PYTHON_VENV/bin/pip" install --quiet "maturin>=1.9,<2" pytest pyarrow "pandas<3" polars "pyspark==4.*"
}
