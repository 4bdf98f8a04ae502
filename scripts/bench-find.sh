#!/usr/bin/env bash
# Find Orders with 10,000 shipments for one merchant (real Worker in workerd, loopback): first
# page, filtered page, search and the full CSV export, as ratios against the plain GET of one
# shipment in the same run. BENCH_SHIPMENTS / BENCH_ROUNDS override the sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
source scripts/env.sh
bash scripts/build.sh >/dev/null 2>&1
node tests/bench/find.mjs
