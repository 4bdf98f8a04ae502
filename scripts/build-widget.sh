#!/usr/bin/env bash
# Builds the widget: release wasm -> wasm-bindgen (web target) -> wasm-opt -Oz -> minified glue.
# Output: www/widget/pkg/ (served by the Worker under /widget/pkg/).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="$root/www/widget/pkg"
cargo build --release --target wasm32-unknown-unknown -p waymark-widget
rm -rf "$out" && mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name waymark_widget \
  "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/waymark_widget.wasm"
"$root/node_modules/binaryen/bin/wasm-opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$out/waymark_widget_bg.wasm" -o "$out/waymark_widget_bg.wasm"
"$root/node_modules/.bin/esbuild" "$out/waymark_widget.js" --minify --format=esm --log-level=warning \
  --outfile="$out/waymark_widget.min.js"
mv "$out/waymark_widget.min.js" "$out/waymark_widget.js"
