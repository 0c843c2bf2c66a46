#!/usr/bin/env bash
# scripts/ensure-chromium.sh: makes sure the browser the dashboard's browser tests drive is here.
# Playwright cannot download browsers on these machines, so the tests use Debian's `chromium`
# (CHROMIUM_PATH, default /usr/bin/chromium). Installs it with apt-get when missing and this
# runs as root (CI, containers); otherwise says what to install. One progress line on stderr.
set -euo pipefail

path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [[ -x $path ]]; then
  exit 0
fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "chromium: installing with apt-get (for the dashboard's browser tests; once)" >&2
  t0=$SECONDS
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  echo "chromium: installed in $((SECONDS - t0)) s" >&2
  exit 0
fi
echo "chromium: $path not found; install Chromium (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH" >&2
exit 1
