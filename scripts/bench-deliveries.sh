#!/usr/bin/env bash
# Outgoing webhooks end to end on loopback: events per second and delivery latency (p50/p99)
# against same-run baselines (tests/bench/deliveries.mjs). BENCH_SHIPMENTS overrides the size.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
source scripts/env.sh
bash scripts/build.sh >/dev/null 2>&1
node tests/bench/deliveries.mjs
