#!/usr/bin/env bash
# The widget's size and speed budget, rerunnable: builds release, prints brotli and gzip bytes
# of everything the embed downloads (loader, JS glue, wasm; the CSS is inside the wasm), the
# same for a minimal Leptos counter built with the same profile (the baseline), the ratio,
# and the time from navigation to the timeline being visible for a warm lookup in headless
# Chromium against `wrangler dev`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
source scripts/env.sh
command -v brotli >/dev/null || { apt-get update -qq && apt-get install -y -qq brotli >/dev/null; }
bash scripts/build.sh >/dev/null 2>&1

# Baseline: the counter, through the identical pipeline.
base=build/baseline && rm -rf "$base" && mkdir -p "$base"
cargo build --release --target wasm32-unknown-unknown -p baseline-counter 2>/dev/null
wasm-bindgen --target web --no-typescript --out-dir "$base" --out-name counter "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/baseline_counter.wasm"
node_modules/binaryen/bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue "$base/counter_bg.wasm" -o "$base/counter_bg.wasm"
node_modules/.bin/esbuild "$base/counter.js" --minify --format=esm --log-level=warning --outfile="$base/counter.min.js"

sizes() { # prints "gzip brotli" for the concatenation of the given files, each compressed alone
  local gz=0 br=0
  for f in "$@"; do
    gz=$((gz + $(gzip -9 -c "$f" | wc -c)))
    br=$((br + $(brotli -q 11 -c "$f" | wc -c)))
  done
  echo "$gz $br"
}
printf '%-34s %10s %10s %10s\n' "file" "raw" "gzip -9" "brotli 11"
for f in www/widget/embed.js www/widget/pkg/waymark_widget.js www/widget/pkg/waymark_widget_bg.wasm; do
  read -r gz br < <(sizes "$f")
  printf '%-34s %10d %10d %10d\n' "$f" "$(wc -c <"$f")" "$gz" "$br"
done
read -r wgz wbr < <(sizes www/widget/embed.js www/widget/pkg/waymark_widget.js www/widget/pkg/waymark_widget_bg.wasm)
read -r bgz bbr < <(sizes "$base/counter.min.js" "$base/counter_bg.wasm")
printf '%-34s %10s %10d %10d\n' "widget embed total" "" "$wgz" "$wbr"
printf '%-34s %10s %10d %10d\n' "baseline Leptos counter total" "" "$bgz" "$bbr"
awk -v w="$wgz" -v b="$bgz" -v wb="$wbr" -v bb="$bbr" 'BEGIN { printf "%-34s %10s %10.2f %10.2f\n", "ratio widget / baseline", "", w/b, wb/bb }'
awk -v w="$wgz" 'BEGIN { printf "budget: 48 KB gzip total -> %s (%.1f KB)\n", (w <= 48000 ? "met" : "MISSED"), w/1000 }'

node tests/bench/timeline_visible.mjs
