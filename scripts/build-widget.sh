#!/usr/bin/env bash
# Builds the widget: release wasm -> wasm-bindgen (web target) -> wasm-opt -Oz -> minified glue.
# Output: www/widget/pkg/ (served by the Worker under /widget/pkg/).
#
# The standard library is rebuilt for the widget alone (`-Z build-std`, through RUSTC_BOOTSTRAP on
# the pinned stable toolchain) with the `immediate-abort` panic strategy: no panic messages, no
# formatting machinery behind them (toolchain note 10). It needs the `rust-src` component; without
# it the widget is built the ordinary way, larger, with a warning. Its own target directory keeps
# the rebuilt std apart from everything else's.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="$root/www/widget/pkg"
target_dir="${WIDGET_TARGET_DIR:-${CARGO_TARGET_DIR:-$root/target}/widget-std}"
if rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
  RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort" CARGO_TARGET_DIR="$target_dir" \
    cargo build --release --target wasm32-unknown-unknown -p waymark-widget -Z build-std=std,panic_abort
else
  echo "build-widget: rust-src is not installed (rustup component add rust-src); building without build-std" >&2
  target_dir="${CARGO_TARGET_DIR:-$root/target}"
  cargo build --release --target wasm32-unknown-unknown -p waymark-widget
fi
rm -rf "$out" && mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name waymark_widget \
  "$target_dir/wasm32-unknown-unknown/release/waymark_widget.wasm"
"$root/node_modules/binaryen/bin/wasm-opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$out/waymark_widget_bg.wasm" -o "$out/waymark_widget_bg.wasm"
"$root/node_modules/.bin/esbuild" "$out/waymark_widget.js" --minify --format=esm --log-level=warning \
  --outfile="$out/waymark_widget.min.js"
mv "$out/waymark_widget.min.js" "$out/waymark_widget.js"
