#!/usr/bin/env bash
# The browser check's tools: Debian's Chromium (the one thing installed outside the project, as
# npm's browser downloads are not reachable here), and playwright-core + jQuery from npm into
# .tools/node.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  echo "==> installing Debian's chromium (first time only)"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
if [ ! -d .tools/node/node_modules/playwright-core ] || [ ! -d .tools/node/node_modules/jquery ]; then
  echo "==> installing playwright-core and jquery into .tools/node"
  mkdir -p .tools/node
  (cd .tools/node && [ -f package.json ] || echo '{"private": true}' > package.json)
  (cd .tools/node && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --silent --no-audit --no-fund \
    playwright-core@1 jquery@3 >/dev/null)
fi
