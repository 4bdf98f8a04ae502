#!/usr/bin/env bash
# One set-up path for a fresh machine of this kind (Debian 12, Rust via rustup, Node 20 + npm).
# Idempotent and fast when everything is already present: each step checks before it installs.
# Never downloads a browser or anything outside the package registries (crates.io, npm, Debian).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# 1. Rust toolchain components and the wasm target (rust-toolchain.toml pins them; rustup reads it).
if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
rustup component list --installed | grep -q '^clippy' || rustup component add clippy
# The widget rebuilds std for itself (-Z build-std, scripts/build-widget.sh): it needs the sources.
rustup component list --installed | grep -q '^rust-src' || rustup component add rust-src

# 2. wasm-bindgen-cli at exactly the Cargo.lock version of wasm-bindgen (a mismatch fails at build time).
want_wb=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3; exit}' Cargo.lock 2>/dev/null || true)
want_wb=${want_wb:-0.2.130}
have_wb=$(wasm-bindgen --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1 || true)
if [ "$have_wb" != "$want_wb" ]; then
  say "installing wasm-bindgen-cli $want_wb (about 4 minutes, once)"
  # Not --locked: the registry index here lags one of its locked dependencies (toolchain note 1).
  cargo install wasm-bindgen-cli --version "$want_wb" --force
fi

# 3. worker-build, the Worker bundler used by wrangler's build command.
want_wkb=0.8.7
have_wkb=$(worker-build --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1 || true)
if [ "$have_wkb" != "$want_wkb" ]; then
  say "installing worker-build $want_wkb (about 7 minutes, once)"
  cargo install --locked worker-build --version "$want_wkb" --force
fi

# 4. npm tools pinned in package-lock.json: wrangler (+workerd), playwright-core, axe, binaryen (wasm-opt), esbuild, Node 22.
if [ ! -x node_modules/.bin/wrangler ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  # The registry here serves only the Linux builds of workerd's per-platform optional packages,
  # so the lock file cannot list the others and strict `npm ci` refuses it; `npm install` then
  # installs exactly the pinned versions (package.json pins every tool exactly).
  npm ci --no-audit --no-fund || npm install --no-audit --no-fund --no-save
fi

# 5. Debian's Chromium and ChromeDriver for the browser tests (never a downloaded browser).
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  say "installing Debian chromium and chromium-driver"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# 5a. A font with Japanese and Chinese glyphs (Debian's smallest, 1.8 MB), so that the screenshots
# of every language (tests/e2e/languages.test.mjs) show text, not empty boxes.
if [ ! -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ]; then
  say "installing fonts-droid-fallback (CJK glyphs for the screenshots)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq fonts-droid-fallback >/dev/null
fi

# 5b. python3-venv, for the pinned Schemathesis in .venv-schemathesis/ (tests/schemathesis/run.sh).
if ! python3 -c 'import ensurepip' 2>/dev/null; then
  say "installing python3-venv"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
fi

# 6. The official AfterShip SDK, the judge of the stand-in's fidelity (Python, from PyPI).
if ! /usr/bin/python3 -c 'import tracking' 2>/dev/null && ! python3 -c 'import tracking' 2>/dev/null; then
  say "installing aftership-tracking-sdk for the stand-in conformance test"
  python3 -m pip install -q aftership-tracking-sdk==10.0.1 || say "warning: aftership-tracking-sdk not installed; conformance test will fail"
fi
# 7. The official Standard Webhooks library, acting as the merchant's receiver in the delivery
#    tests (tests/standin/receiver.py verifies every delivery with it).
if ! python3 -c 'import standardwebhooks' 2>/dev/null; then
  say "installing standardwebhooks for the webhook receiver"
  python3 -m pip install -q standardwebhooks==1.1.0 || say "warning: standardwebhooks not installed; delivery tests will fail"
fi
say "ready"
