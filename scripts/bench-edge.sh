#!/usr/bin/env bash
# Edge benchmarks, rerunnable: AfterShip calls for 1,000 lookups of one TN inside the
# freshness window; a bounded load test of warm public lookups on loopback (wrk: requests per
# second, p50/p99, errors); and the Worker bundle size as `wrangler deploy --dry-run` reports it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
source scripts/env.sh
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
bash scripts/build-worker.sh >/dev/null 2>&1
# The production limit (120 lookups per 10 s per client) would refuse a load test from one
# address: the benchmark runs the same Worker with the limit raised, nothing else changed.
sed 's/simple = { limit = 120, period = 10 }/simple = { limit = 1000000, period = 60 }/' wrangler.toml > .wrangler.bench.toml
node tests/bench/edge.mjs
echo
echo "Worker bundle (wrangler deploy --dry-run):"
WAYMARK_SKIP_BUILD=1 wrangler deploy --dry-run --outdir build/dry-run 2>&1 | grep -E "Total Upload" || true
