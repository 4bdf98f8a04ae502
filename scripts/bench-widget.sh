#!/usr/bin/env bash
# The widget's size and speed budget, rerunnable. Builds release, then prints the bytes a
# first-time shopper downloads (brotli -q 11 and gzip -9, each file compressed alone, as a CDN
# serves them): the loader, the JS glue, the wasm, the stylesheet and the one catalogue of the
# shopper's language, for a number lookup and for order mode (each its own bundle); the same for a minimal Leptos counter built through the identical pipeline
# (the baseline: what Leptos alone costs); and the time from navigation to the timeline being
# visible for a warm lookup in headless Chromium against `wrangler dev` (budget 300 ms); and
# Lighthouse's figures (mobile, simulated throttling: performance score, CLS, LCP, TBT, FCP) for the
# demo storefront deep-linked to a shipment and for the shareable /t/ page, on Debian's Chromium
# (WAYMARK_LIGHTHOUSE_RUNS runs per page, default 3, each printed, then the median; reports in
# tests/artifacts/lighthouse/). Figures only: CPU-bound ones (TBT) move with the machine's load.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
source scripts/env.sh
command -v brotli >/dev/null || { apt-get update -qq && apt-get install -y -qq brotli >/dev/null; }
bash scripts/build.sh >/dev/null 2>&1

# Baseline: the counter, through the identical pipeline (same std build, same post-processing).
base=build/baseline
bash scripts/build-widget.sh baseline-counter "$PWD/$base" counter >/dev/null 2>&1

gz() { gzip -9 -c "$1" | wc -c; }
br() { brotli -q 11 -c "$1" | wc -c; }
row() { printf '%-40s %9s %9s %9s\n' "$@"; }
total() { # label files...: prints a total row and sets TOTAL_GZ / TOTAL_BR
  local label=$1 g=0 b=0; shift
  for f in "$@"; do g=$((g + $(gz "$f"))); b=$((b + $(br "$f"))); done
  TOTAL_GZ=$g TOTAL_BR=$b
  row "$label" "" "$g" "$b"
}

w=www/widget
# Two bundles (scripts/build-widget.sh): a shopper looking a number up downloads the first; an
# element with an `order` attribute (and the /t/ page of an order) downloads the second instead.
number=("$w/embed.js" "$w/pkg/waymark_widget.js" "$w/pkg/waymark_widget_bg.wasm" "$w/widget.css")
order=("$w/embed.js" "$w/pkg/waymark_widget_order.js" "$w/pkg/waymark_widget_order_bg.wasm" "$w/widget.css")
row "file" "raw" "gzip -9" "brotli 11"
for f in "${number[@]}" "${order[@]:1:2}" "$w"/i18n/*.json; do row "$f" "$(wc -c <"$f")" "$(gz "$f")" "$(br "$f")"; done
echo
total "number lookup, English (5 files)" "${number[@]}" "$w/i18n/en.json"
wgz=$TOTAL_GZ wbr=$TOTAL_BR
largest=$(for f in "$w"/i18n/*.json; do echo "$(gz "$f") $f"; done | sort -n | tail -1 | cut -d' ' -f2)
total "number lookup, largest catalogue ($(basename "$largest" .json))" "${number[@]}" "$largest"
maxgz=$TOTAL_GZ maxbr=$TOTAL_BR
total "order mode, English (5 files)" "${order[@]}" "$w/i18n/en.json"
total "order mode, largest catalogue ($(basename "$largest" .json))" "${order[@]}" "$largest"
ogz=$TOTAL_GZ obr=$TOTAL_BR
total "baseline Leptos counter (glue + wasm)" "$base/counter.js" "$base/counter_bg.wasm"
bgz=$TOTAL_GZ bbr=$TOTAL_BR
awk -v w="$wgz" -v b="$bgz" -v wb="$wbr" -v bb="$bbr" 'BEGIN { printf "%-40s %9s %9.2f %9.2f\n", "ratio number lookup (en) / baseline", "", w/b, wb/bb }'
awk -v g="$maxgz" -v b="$maxbr" -v og="$ogz" -v ob="$obr" 'BEGIN {
  printf "budget: 48 KB gzip for the whole embed -> number lookup %s (%.1f KB), order mode %s (%.1f KB), any language\n", (g <= 48000 ? "met" : "MISSED"), g/1000, (og <= 48000 ? "met" : "MISSED"), og/1000
  printf "stretch: 40 KB brotli -> number lookup %s (%.1f KB), order mode %s (%.1f KB), any language\n", (b <= 40000 ? "met" : "missed"), b/1000, (ob <= 40000 ? "met" : "missed"), ob/1000 }'

# WAYMARK_BENCH_SIZES_ONLY=1: the bytes only, no browser (the timing and Lighthouse runs start
# wrangler dev on fixed ports).
[ -n "${WAYMARK_BENCH_SIZES_ONLY:-}" ] && exit 0
node tests/bench/timeline_visible.mjs
node tests/bench/lighthouse.mjs
