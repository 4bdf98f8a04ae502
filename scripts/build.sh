#!/usr/bin/env bash
# Builds both wasm artefacts: the edge Worker (edge/build/) and the widget (www/widget/pkg/).
# Also wrangler's [build] command, so `wrangler deploy` uploads a complete www/.
set -euo pipefail
cd "$(dirname "$0")/.."
# The test harness builds once up front and sets this so `wrangler dev` does not rebuild.
if [ -n "${WAYMARK_SKIP_BUILD:-}" ] && [ -f edge/build/index.js ] && [ -f www/widget/pkg/waymark_widget_bg.wasm ]; then
  exit 0
fi
bash scripts/build-worker.sh
bash scripts/build-widget.sh
