#!/usr/bin/env bash
# Every test: formatting, lints, native unit/property tests, wasm checks, the wasm builds,
# the widget's tests in a real browser, and the end-to-end suites against the real Worker.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check
step "clippy (native and wasm32, warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p waymark-edge -p waymark-widget -p waymark-console --target wasm32-unknown-unknown -- -D warnings
# The number bundle is the widget without its `order` feature (scripts/build-widget.sh).
cargo clippy -p waymark-widget --no-default-features --target wasm32-unknown-unknown -- -D warnings
step "native tests (unit, table, property, fixtures)"
cargo test --workspace
step "shared builds for wasm32"
cargo check -p waymark-shared --target wasm32-unknown-unknown
step "wasm builds (Worker, widget and console)"
bash scripts/build.sh
step "widget tests in headless Chromium (wasm-bindgen-test)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner WASM_BINDGEN_TEST_TIMEOUT=120 \
  cargo test -p waymark-widget --target wasm32-unknown-unknown
step "stand-in AfterShip conformance, judged by the official AfterShip SDK"
python3 tests/standin/test_sdk_conformance.py
step "stand-in Shopify validates requests against the pinned Admin API schema"
python3 tests/standin/test_shopify_standin.py
step "stand-alone: no tracked file names a path outside the repository"
python3 scripts/check-standalone.py
step "end-to-end: the real Worker in workerd, the stand-in AfterShip, headless Chromium"
node --test --test-concurrency=1 "tests/e2e/*.test.mjs"
step "Schemathesis over docs/openapi.yaml against the real Worker (every check, stateful phase)"
bash tests/schemathesis/run.sh
