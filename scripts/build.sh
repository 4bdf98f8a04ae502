#!/usr/bin/env bash
# Builds both wasm artefacts: the edge Worker (edge/build/) and the widget (www/widget/pkg/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-worker.sh
bash scripts/build-widget.sh
