#!/usr/bin/env bash
# The console's browser tests drive Debian's Chromium (Playwright's own browser download cannot run
# on machines without internet). Installs it when missing and we are root; otherwise says what to do.
set -euo pipefail
path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$path" ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Chromium for the browser tests (apt-get install chromium)…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "The browser tests need Chromium at $path: run 'sudo apt-get install chromium' or set CHROMIUM_PATH." >&2
exit 1
