#!/usr/bin/env bash
# The console's Find Orders with 10,000 shipments, in headless Chromium against the real Worker:
# navigation to the first rows and a filtered search, as ratios against a blank page load in the
# same run. BENCH_SHIPMENTS / BENCH_ROUNDS override the sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
source scripts/env.sh
bash scripts/build.sh >/dev/null 2>&1
node tests/bench/console.mjs
