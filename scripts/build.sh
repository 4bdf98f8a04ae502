#!/usr/bin/env bash
# Builds the wasm artefacts: the edge Worker (edge/build/), the widget (www/widget/pkg/) and the
# merchant console, its own bundle (www/console/pkg/).
# Also wrangler's [build] command, so `wrangler deploy` uploads a complete www/.
set -euo pipefail
cd "$(dirname "$0")/.."
# The test harness builds once up front and sets this so `wrangler dev` does not rebuild.
if [ -n "${WAYMARK_SKIP_BUILD:-}" ] && [ -f edge/build/index.js ] && [ -f www/widget/pkg/waymark_widget_bg.wasm ] \
  && [ -f www/console/pkg/waymark_console_bg.wasm ]; then
  exit 0
fi
bash scripts/build-worker.sh
bash scripts/build-widget.sh
bash scripts/build-widget.sh waymark-console "$PWD/www/console/pkg" waymark_console
